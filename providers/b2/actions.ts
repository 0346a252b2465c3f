import { VerifyError } from '../../src/core/errors.ts';
import { type Action, type Values } from '../../src/core/provider.ts';
import { b2UploadRule, mergeCorsRules, pasteHint, uploadAllowed } from './cors.ts';
import { CORS_RULE_NAME, targetOf } from './format.ts';
import { B2ApiError, type B2Bucket, b2Authorize, b2Call, b2Failure } from './native.ts';
import { codeOf, s3Client, timeoutMsDefault } from './s3.ts';

export const REQUIRED_FOR_CORS = ['listBuckets', 'writeBuckets'];

/**
 * The action that adds the upload rule for `origins` to the bucket's CORS rules through the native API, never
 * dropping the rules already there, and confirms it through the S3 API.
 */
export function b2CorsAction(values: Values, origins: string[], opts: { timeoutMs?: number } = {}): Action {
  const bucket = values.S3_BUCKET ?? '';
  return {
    id: 'b2.cors.allow-uploads',
    title: `Allow browser uploads from ${origins.join(', ')} in B2 bucket ${bucket} (CORS)`,
    async run(io) {
      const t = targetOf(values, true);
      const timeoutMs = opts.timeoutMs ?? timeoutMsDefault();
      const rule = b2UploadRule(origins);
      const { auth, api } = await b2Authorize(io, t, timeoutMs);
      const allowed = auth.apiInfo?.storageApi?.allowed;
      const lacking = REQUIRED_FOR_CORS.filter((c) => !allowed?.capabilities?.includes(c));
      if (lacking.length)
        throw new VerifyError(
          `keyID ${t.keyId} lacks the ${lacking.join(' and ')} capabilit${lacking.length > 1 ? 'ies' : 'y'} needed to change bucket ${t.bucket}'s CORS rules`,
          pasteHint(t.bucket, rule),
          'MISSING_CAPABILITY',
        );
      if (allowed?.buckets && !allowed.buckets.some((b) => b.name === t.bucket))
        throw new VerifyError(
          `keyID ${t.keyId} is restricted to bucket${allowed.buckets.length > 1 ? 's' : ''} ${allowed.buckets.map((b) => b.name ?? b.id).join(', ')}, not ${t.bucket}`,
          pasteHint(t.bucket, rule),
          'MISSING_CAPABILITY',
        );
      const apiUrl = (auth.apiInfo?.storageApi?.apiUrl ?? '').replace(/\/+$/, '');
      const token = auth.authorizationToken;
      const call = <T>(op: string, body: unknown) =>
        b2Call<T>(io, `${apiUrl}/b2api/v4/${op}`, token, body, timeoutMs, [t.secret]).catch((e: unknown) => {
          throw Object.assign(b2Failure(e, op, t, apiUrl || api, rule), { b2: e });
        });

      let kept = 0;
      let changed = false;
      for (let attempt = 1; ; attempt++) {
        const { buckets } = await call<{ buckets: B2Bucket[] }>('b2_list_buckets', { accountId: auth.accountId, bucketName: t.bucket });
        const b = buckets.find((x) => x.bucketName === t.bucket);
        if (!b) throw new VerifyError(`bucket ${t.bucket} is not in this key's B2 account`, 'check S3_BUCKET (B2 web UI → Buckets)', 'NO_BUCKET');
        const existing = b.corsRules ?? [];
        const merged = mergeCorsRules(existing, rule);
        kept = existing.filter((r) => r.corsRuleName !== CORS_RULE_NAME).length;
        if (!merged.changed) break;
        if (merged.rules.length > 100)
          throw new VerifyError(`bucket ${t.bucket} already has 100 CORS rules, the most B2 allows`, pasteHint(t.bucket, rule), 'TOO_MANY_RULES');
        try {
          await call('b2_update_bucket', { accountId: auth.accountId, bucketId: b.bucketId, corsRules: merged.rules, ifRevisionIs: b.revision });
          changed = true;
          break;
        } catch (e) {
          const inner = (e as { b2?: unknown }).b2;
          if (inner instanceof B2ApiError && inner.status === 409 && attempt < 3) continue; // someone else changed the bucket: re-read
          throw e;
        }
      }

      // Read it back the way the app's browser uploads will meet it: through the S3 API.
      const { sdk, client } = await s3Client(t, timeoutMs);
      let missing: string[] = origins;
      let unconfirmed: string | undefined;
      try {
        for (let i = 0; i < 4; i++) {
          try {
            const r = await client.send(new sdk.GetBucketCorsCommand({ Bucket: t.bucket }), { abortSignal: io.signal });
            missing = origins.filter((o) => !uploadAllowed(r.CORSRules ?? [], o));
          } catch (e) {
            if (codeOf(e) !== 'NoSuchCORSConfiguration') {
              unconfirmed = codeOf(e);
              break;
            }
          }
          if (!missing.length) break;
          await new Promise((r) => setTimeout(r, 250 * (i + 1)));
        }
      } finally {
        client.destroy();
      }
      if (!unconfirmed && missing.length)
        throw new VerifyError(
          `B2 saved the CORS rule, but the S3 API of bucket ${t.bucket} does not allow uploads from ${missing.join(', ')} yet`,
          'run `npx create-prod-ready check` again in a minute',
          'CORS_NOT_CONFIRMED',
        );
      const keptText = `${kept} existing rule${kept === 1 ? '' : 's'} kept`;
      const how = changed ? `rule ${CORS_RULE_NAME} added` : `rule ${CORS_RULE_NAME} already there`;
      return {
        done: `bucket ${t.bucket}: browser uploads allowed from ${origins.join(', ')} (${how}, ${keptText}; ${unconfirmed ? `not read back: ${unconfirmed}` : 'confirmed through the S3 API'})`,
      };
    },
  };
}
