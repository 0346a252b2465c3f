// @20minutes/s3rver 4.0.4 with two project fixes, loaded INSTEAD of the package (require this file, not
// '@20minutes/s3rver'): it must run before the package's routes.js builds its middleware chain.
//
// 1. Bucket-level paths. The AWS SDK v3 sends path-style bucket requests as `/bucket/?cors`, but the fork
//    builds the SigV4 canonical URI from router params (`/bucket`, no trailing slash), so every bucket-level
//    call (GetBucketCors, PutBucketCors, ListObjectsV2, HeadBucket) fails with SignatureDoesNotMatch. The
//    wrapper adds the slash back to the bucket param for the signature check only (../../../shared/test-harness.md §2).
// 2. Authorization. s3rver knows only authentication. After a request's signature has been verified, the
//    wrapper calls `ctx.app.authorize(ctx, accessKeyId)` when the server instance has one (set by
//    test/standins/b2.ts), so a key restricted to another bucket, or lacking a capability, gets AccessDenied
//    only once its signature is right, as on real B2 (a wrong secret stays SignatureDoesNotMatch).
'use strict';

const authPath = require.resolve('@20minutes/s3rver/lib/middleware/authentication.js');
const orig = require(authPath);

function accessKeyIdOf(ctx) {
  const header = ctx.get('authorization') || '';
  const m = /Credential=([^/,\s]+)\//.exec(header) || /^AWS ([^:]+):/.exec(header);
  if (m) return m[1];
  const q = ctx.query['X-Amz-Credential'] || ctx.query['AWSAccessKeyId'];
  return typeof q === 'string' ? q.split('/')[0] : undefined;
}

require.cache[authPath].exports = () => {
  const inner = orig();
  return async function authentication(ctx, next) {
    const b = ctx.params && ctx.params.bucket;
    const trailing = !!b && !ctx.params.key && !ctx.state.vhost && ctx.path === `/${b}/`;
    if (trailing) ctx.params.bucket = `${b}/`;
    let restored = false;
    const restore = () => {
      if (trailing && !restored) {
        ctx.params.bucket = b;
        restored = true;
      }
    };
    try {
      return await inner(ctx, async () => {
        restore();
        if (typeof ctx.app.authorize === 'function' && ctx.state.account) await ctx.app.authorize(ctx, accessKeyIdOf(ctx));
        return next();
      });
    } finally {
      restore();
    }
  };
};

module.exports = {
  S3rver: require('@20minutes/s3rver'),
  S3Error: require('@20minutes/s3rver/lib/models/error.js'),
  AWSAccount: require('@20minutes/s3rver/lib/models/account.js'),
  S3CorsConfiguration: require('@20minutes/s3rver/lib/models/config.js').S3CorsConfiguration,
};
