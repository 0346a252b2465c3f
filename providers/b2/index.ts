// Backblaze B2 through its S3-compatible API: S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY_ID (the B2
// keyID) and S3_SECRET_ACCESS_KEY (the applicationKey). Any S3-compatible service works; B2 gets the extras.
//
// `verify` uses the real @aws-sdk/client-s3, imported lazily inside verify (startup never pays for it), and
// only calls a bucket-restricted key may make (never ListBuckets): ListObjectsV2 on a reserved prefix, a
// small probe object written, read back (bytes compared) and deleted (always, even after a failed step), and
// GetBucketCors. When a browser upload from APP_URL / CORS_ORIGINS would be refused by the bucket's CORS rules,
// it warns with the missing rule and, when the key may change bucket settings, proposes an Action that adds
// the rule through the B2 native API (b2_authorize_account → b2_list_buckets → b2_update_bucket with the
// existing rules kept and ifRevisionIs), then reads it back through the S3 API.
//
// `rotations` (create-prod-ready rotate b2.key): a new application key with the current key's capabilities,
// buckets and namePrefix (b2_create_key, named after the run's tag), checked through the S3 API by the
// framework, then the old key deleted (b2_delete_key); see "key rotation" below.
//
// A read-only key is an error, not a warning: this provider is the app's upload storage, so a key that can
// only read would pass setup and fail on the first upload in production. (An app that only serves files can
// use --skip-verify for this provider.)
//
// SDK settings worth knowing: `requestChecksumCalculation`/`responseChecksumValidation: 'WHEN_REQUIRED'`
// because B2 rejects the CRC32 checksum headers SDK ≥ 3.729 sends by default ("Unsupported header
// 'x-amz-checksum-crc32'"); `maxAttempts: 1` (one clear answer, no silent retries); `throwOnRequestTimeout`
// (otherwise the SDK only logs a warning when requestTimeout passes); the SDK's Node-20 end-of-support warning
// is switched off with its documented variable, since it would be printed in the middle of the wizard.
//
// Files: format.ts (formats and the target; no network), s3.ts (the S3 SDK, lazily, and its errors), cors.ts
// (CORS rules), native.ts (the B2 native API through the API client), actions.ts (the CORS action), verify.ts
// (the live check), rotate.ts (key rotation).
import { defineProvider, type Values } from '../../src/core/provider.ts';
import { isLoopbackHost } from '../../src/core/urls.ts';
import { B2_API_URL, B2_REGION, KEYS, LOCAL_S3, MC_IMAGE, MINIO_IMAGE, accessKeyIdSchema, b2EndpointFor, bucketProblem, bucketSchema, endpointSchema, normalizeEndpoint, regionOfB2Endpoint, regionSchema, secretKeySchema } from './format.ts';
import { keyRotation } from './rotate.ts';
import { verifyB2 } from './verify.ts';

// What the rest of the project and the tests use of this provider.
export {
  accessKeyIdProblem, accessKeyIdSchema, B2_API_URL, b2EndpointFor, bucketProblem, bucketSchema, CORS_RULE_NAME, endpointProblem, endpointSchema, LOCAL_S3,
  normalizeEndpoint, PROBE_PREFIX, regionOfB2Endpoint, regionProblem, regionSchema, secretKeyProblem, secretKeySchema,
} from './format.ts';
export { b2UploadRule, mergeCorsRules, uploadAllowed, uploadOrigins, type B2CorsRule, type S3CorsRule } from './cors.ts';
export { b2CorsAction } from './actions.ts';
export { verifyB2 } from './verify.ts';
export { ADMIN_APPLICATION_KEY, ADMIN_KEY_ID, adminKeyNeeded, isRotatedKeyOf, KEY_ADMIN_CAPABILITIES, keyRotation, rotatedKeyName } from './rotate.ts';

// --- the provider -----------------------------------------------------------------------------------------

/** True when the endpoint is the docker-compose service (any loopback host on port 9000). */
function isLocalService(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const u = new URL(normalizeEndpoint(endpoint));
    return isLoopbackHost(u.hostname) && (u.port || (u.protocol === 'https:' ? '443' : '80')) === '9000';
  } catch {
    return false;
  }
}

/** Local defaults only make sense while the endpoint is the local service (or not chosen yet). */
const whenLocal = (value: string) => (known: Values) => (!known.S3_ENDPOINT || isLocalService(known.S3_ENDPOINT) ? value : undefined);

export default defineProvider({
  id: 'b2',
  title: 'Backblaze B2 (S3)',
  hint: 'bucket, region, application key',
  docsUrl: 'https://secure.backblaze.com/app_keys.htm',
  apiUrl: B2_API_URL,
  // S3_REGION comes first: the endpoint's default is derived from it (https://s3.<region>.backblazeb2.com).
  env: [
    {
      key: 'S3_REGION',
      aliases: ['AWS_REGION', 'AWS_DEFAULT_REGION', 'B2_REGION'],
      shared: true,
      description: 'S3 region of the bucket, e.g. us-west-004 for B2 (us-east-1 for the local MinIO).',
      where: 'B2 web UI → Buckets → your bucket → Endpoint: the part between "s3." and ".backblazeb2.com"',
      secret: false,
      schema: regionSchema,
      app: "z.string().regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be a region such as us-west-004')",
      localDefault: (known) => regionOfB2Endpoint(known.S3_ENDPOINT ?? '') ?? LOCAL_S3.region,
      example: LOCAL_S3.region,
    },
    {
      key: 'S3_ENDPOINT',
      aliases: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'B2_ENDPOINT', 'S3_ENDPOINT_URL'],
      shared: true,
      description: 'S3-compatible endpoint: https://s3.<region>.backblazeb2.com for B2; http://localhost:9000 is the local MinIO in docker-compose.yml.',
      where: 'B2 web UI → Buckets → your bucket → Endpoint (add https://)',
      secret: false,
      schema: endpointSchema,
      // also the bare B2 host the web UI shows, which the wizard completes with https://
      app: String.raw`z.union([z.url({ protocol: /^https?$/ }), z.string().regex(/^s3\.[a-z0-9-]+\.backblazeb2\.com\/?$/i)], { error: 'must be an endpoint URL such as https://s3.us-west-004.backblazeb2.com' })`,
      localDefault: (known) => (known.S3_REGION && B2_REGION.test(known.S3_REGION) ? b2EndpointFor(known.S3_REGION) : LOCAL_S3.endpoint),
      example: LOCAL_S3.endpoint,
    },
    {
      key: 'S3_BUCKET',
      aliases: ['S3_BUCKET_NAME', 'AWS_BUCKET', 'AWS_S3_BUCKET', 'B2_BUCKET_NAME', 'B2_BUCKET'],
      shared: true,
      description: 'Bucket the app uploads to.',
      where: 'B2 web UI → Buckets (the bucket name; Create a Bucket if you have none)',
      secret: false,
      schema: bucketSchema,
      app: "z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens')",
      localDefault: whenLocal(LOCAL_S3.bucket),
      example: LOCAL_S3.bucket,
    },
    {
      key: 'S3_ACCESS_KEY_ID',
      aliases: ['AWS_ACCESS_KEY_ID', 'B2_APPLICATION_KEY_ID', 'B2_KEY_ID'],
      description: 'Access key id: the keyID of a B2 application key restricted to the bucket, with Read and Write access.',
      where: 'B2 web UI → Application Keys → Add a New Application Key → keyID',
      secret: false,
      schema: accessKeyIdSchema,
      app: String.raw`z.string().regex(/^\S{1,128}$/, 'must be a key id: at most 128 characters, no spaces')`,
      localDefault: whenLocal(LOCAL_S3.accessKeyId),
      example: LOCAL_S3.accessKeyId,
    },
    {
      key: 'S3_SECRET_ACCESS_KEY',
      aliases: ['AWS_SECRET_ACCESS_KEY', 'B2_APPLICATION_KEY'],
      description: 'Secret access key: the applicationKey of that B2 key (local value: the MinIO password in docker-compose.yml).',
      where: 'B2 web UI → Application Keys → Add a New Application Key → applicationKey (shown only once)',
      secret: true,
      schema: secretKeySchema,
      app: String.raw`z.string().regex(/^\S+$/, 'must not contain spaces or line breaks')`,
      localDefault: whenLocal(LOCAL_S3.secretAccessKey),
      example: '',
    },
  ],
  verify: (values, io) => verifyB2(values, io),
  rotations: [keyRotation],
  contribute(values) {
    const local = isLocalService(values.S3_ENDPOINT);
    const bucket = local && values.S3_BUCKET && !bucketProblem(values.S3_BUCKET) ? values.S3_BUCKET : LOCAL_S3.bucket;
    return {
      render: { envVars: KEYS.map((key) => ({ key, sync: false as const })) },
      compose: {
        services: {
          minio: {
            image: MINIO_IMAGE,
            command: ['server', '/data', '--console-address', ':9001'],
            environment: { MINIO_ROOT_USER: LOCAL_S3.accessKeyId, MINIO_ROOT_PASSWORD: LOCAL_S3.secretAccessKey },
            ports: ['9000:9000', '9001:9001'],
            healthcheck: { test: ['CMD', 'mc', 'ready', 'local'], interval: '5s', timeout: '5s', retries: 10 },
            volumes: ['minio-data:/data'],
            restart: 'unless-stopped',
          },
          // One-shot: creates the bucket once MinIO is healthy (MC_HOST_<alias> configures mc without a shell).
          'minio-init': {
            image: MC_IMAGE,
            depends_on: { minio: { condition: 'service_healthy' } },
            environment: { MC_HOST_local: `http://${LOCAL_S3.accessKeyId}:${LOCAL_S3.secretAccessKey}@minio:9000` },
            entrypoint: ['mc'],
            command: ['mb', '--ignore-existing', `local/${bucket}`],
            restart: 'no',
          },
        },
        volumes: ['minio-data'],
      },
      migrations: ['users', 'stored-objects'],
      nextSteps: local ? ['docker compose up -d minio minio-init'] : [],
    };
  },
});
