import type { S3Client } from '@aws-sdk/client-s3';
import { VerifyError } from '../../src/core/errors.ts';
import { redact } from '../../src/core/mask.ts';
import { type Action, type Io, type Values, type Verified } from '../../src/core/provider.ts';
import { isLoopbackHost } from '../../src/core/urls.ts';
import { REQUIRED_FOR_CORS, b2CorsAction } from './actions.ts';
import { type S3CorsRule, b2UploadRule, pasteHint, s3UploadRule, uploadAllowed, uploadOrigins } from './cors.ts';
import { PROBE_PREFIX, type Target, b2Overridden, targetOf } from './format.ts';
import { b2Authorize } from './native.ts';
import { type Sdk, codeOf, neverSent, s3Client, s3Failure, sendRetrying, statusOf, timeoutMsDefault } from './s3.ts';

// --- the live check ---------------------------------------------------------------------------------------

export async function verifyB2(values: Values, io: Io, opts: { timeoutMs?: number } = {}): Promise<Verified> {
  const t = targetOf(values, b2Overridden(io));
  const timeoutMs = opts.timeoutMs ?? timeoutMsDefault();
  const origins = uploadOrigins(values);
  // Locally (the docker-compose MinIO and a localhost app) CORS is not a question: MinIO allows every origin.
  const checkCors = origins.length > 0 && !(t.local && origins.every((o) => isLoopbackHost(new URL(o).hostname)));

  const { sdk, client } = await s3Client(t, timeoutMs);
  const send = sendRetrying(client, io.signal);
  const opt = { abortSignal: io.signal };
  const probeKey = `${PROBE_PREFIX}probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const probe = Buffer.from(`create-prod-ready probe ${new Date().toISOString()} ${Math.random().toString(36).slice(2)}\n`);
  const warnings: string[] = [];
  const details: string[] = [];
  const actions: Action[] = [];

  let written = false; // the probe may exist: delete it
  let versionId: string | undefined;
  let failure: VerifyError | undefined;
  let corsRules: S3CorsRule[] | undefined;
  let corsError: unknown;
  const started = Date.now();
  try {
    // Three independent calls at once (a bucket-restricted key may make all of them): can it list, can it
    // write, and what are the bucket's CORS rules.
    const [list, put, cors] = await Promise.allSettled([
      send(new sdk.ListObjectsV2Command({ Bucket: t.bucket, Prefix: PROBE_PREFIX, MaxKeys: 1 }), opt),
      send(new sdk.PutObjectCommand({ Bucket: t.bucket, Key: probeKey, Body: probe, ContentType: 'text/plain' }), opt),
      checkCors ? send(new sdk.GetBucketCorsCommand({ Bucket: t.bucket }), opt) : Promise.resolve(undefined),
    ]);
    if (put.status === 'fulfilled') {
      written = true;
      versionId = put.value.VersionId;
    } else {
      const status = statusOf(put.reason);
      if ((status === undefined && !neverSent(put.reason)) || (status !== undefined && status >= 500)) written = true; // a timeout, reset or 5xx may still have stored it; DNS, refused, TLS cannot
    }
    if (cors.status === 'fulfilled') corsRules = cors.value?.CORSRules ?? [];
    else if (codeOf(cors.reason) === 'NoSuchCORSConfiguration') corsRules = [];
    else corsError = cors.reason;

    if (list.status === 'rejected' && codeOf(list.reason) !== 'AccessDenied') throw s3Failure(list.reason, t, 'list', timeoutMs, io.signal);
    if (put.status === 'rejected') {
      if (codeOf(put.reason) !== 'AccessDenied') throw s3Failure(put.reason, t, 'write', timeoutMs, io.signal);
      if (list.status === 'rejected') throw s3Failure(list.reason, t, 'list', timeoutMs, io.signal);
      throw new VerifyError(
        `keyID ${t.keyId} can read bucket "${t.bucket}" but not write to it (read-only key): uploads will fail`,
        t.b2 ? 'create a key for this bucket with Read and Write access (B2 web UI → Application Keys → Add a New Application Key)' : 'give the key write access to this bucket',
        'READ_ONLY',
      );
    }
    if (list.status === 'rejected') warnings.push(`keyID ${t.keyId} may not list the files of bucket "${t.bucket}" (AccessDenied): anything in the app that lists files will fail`);

    let got: Uint8Array;
    try {
      const r = await send(new sdk.GetObjectCommand({ Bucket: t.bucket, Key: probeKey, ...(versionId ? { VersionId: versionId } : {}) }), opt);
      got = (await r.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (e) {
      if (codeOf(e) === 'AccessDenied')
        throw new VerifyError(
          `keyID ${t.keyId} can write to bucket "${t.bucket}" but not read from it (write-only key): the app cannot read its uploads`,
          t.b2 ? 'create a key for this bucket with Read and Write access (B2 web UI → Application Keys)' : 'give the key read access to this bucket',
          'WRITE_ONLY',
        );
      throw s3Failure(e, t, 'read', timeoutMs, io.signal);
    }
    if (!Buffer.from(got).equals(probe))
      throw new VerifyError(
        `the probe object read back from bucket "${t.bucket}" differs from what was written (${got.byteLength} bytes instead of ${probe.byteLength})`,
        'a proxy or the service changed the object: check S3_ENDPOINT',
        'PROBE_MISMATCH',
      );
  } catch (e) {
    failure = e instanceof VerifyError ? e : s3Failure(e, t, 'check', timeoutMs, io.signal);
  } finally {
    if (written) {
      const problem = await removeProbe(sdk, client, t, probeKey, versionId, timeoutMs);
      if (problem) {
        if (failure) failure = new VerifyError(failure.message, `${failure.hint ? `${failure.hint}; also, ` : ''}${problem}`, failure.code);
        else warnings.push(problem);
      }
    }
    client.destroy();
  }
  if (failure) throw failure;
  details.push(`probe object written, read back and deleted under ${PROBE_PREFIX} (${Date.now() - started} ms)`);

  // CORS for browser uploads.
  if (!origins.length) details.push('CORS not checked: no APP_URL or CORS_ORIGINS');
  else if (!checkCors) details.push('CORS not needed: the app and the S3 service are both local');
  else if (corsRules === undefined) {
    const code = codeOf(corsError);
    warnings.push(
      `could not read bucket "${t.bucket}"'s CORS rules (${code}${code === 'AccessDenied' ? ': the key lacks readBuckets' : ''}): browser uploads from ${origins.join(', ')} were not checked`,
    );
  } else {
    const missing = origins.filter((o) => !uploadAllowed(corsRules!, o));
    if (!missing.length) details.push(`CORS allows browser uploads from ${origins.join(', ')}`);
    else {
      const refused = `browser uploads from ${missing.join(', ')} to bucket "${t.bucket}" would be refused: no CORS rule allows PUT with Content-Type from ${missing.length > 1 ? 'those origins' : 'that origin'}`;
      const rule = b2UploadRule(missing);
      if (!t.b2) warnings.push(`${refused}; add this CORS rule (PutBucketCors or your provider's console): ${JSON.stringify(s3UploadRule(missing))}`);
      else {
        // Only propose the change when this key may make it: a failed action stops the whole run.
        let lacking: string[] | undefined;
        let why: string | undefined;
        try {
          const { auth } = await b2Authorize(io, t, timeoutMs);
          const allowed = auth.apiInfo?.storageApi?.allowed;
          lacking = REQUIRED_FOR_CORS.filter((c) => !allowed?.capabilities?.includes(c));
        } catch (e) {
          why = e instanceof VerifyError ? e.message : String(e);
        }
        if (lacking && !lacking.length) {
          warnings.push(`${refused}; missing rule: ${JSON.stringify(rule)}`);
          actions.push(b2CorsAction(values, missing, opts));
        } else
          warnings.push(
            `${refused}; ${lacking?.length ? `this key lacks ${lacking.join(' and ')} to fix it, so ` : why ? `(the B2 API could not be asked: ${why}) ` : ''}${pasteHint(t.bucket, rule)}`,
          );
      }
    }
  }

  return {
    identity: `bucket ${t.bucket} at ${t.endpoint} (read/write)`,
    mode: 'read/write',
    details,
    warnings: warnings.map((w) => redact(w, [t.secret])),
    ...(actions.length ? { actions } : {}),
  };
}

/** Deletes the probe; the answer is a warning line when that failed. Runs on its own deadline, even after a cancel. */
async function removeProbe(sdk: Sdk, client: S3Client, t: Target, key: string, versionId: string | undefined, timeoutMs: number): Promise<string | undefined> {
  const signal = AbortSignal.timeout(Math.min(timeoutMs, 5000));
  const del = (withVersion: boolean) =>
    client.send(new sdk.DeleteObjectCommand({ Bucket: t.bucket, Key: key, ...(withVersion && versionId ? { VersionId: versionId } : {}) }), { abortSignal: signal });
  try {
    await del(true); // with the version id, B2 removes the file; by name alone it only hides it
    return undefined;
  } catch (e) {
    const code = codeOf(e);
    if (code === 'NoSuchKey' || code === 'NotFound') return undefined;
    if (versionId && code === 'AccessDenied') {
      try {
        await del(false);
        return `the probe object ${key} in bucket "${t.bucket}" is hidden, not deleted: the key lacks deleteFiles, so B2 keeps its old version (delete it in the B2 web UI)`;
      } catch {
        /* reported below */
      }
    }
    const f = s3Failure(e, t, 'delete', timeoutMs, signal);
    return `the probe object ${key} could not be deleted from bucket "${t.bucket}" (${f.message}): delete it in the B2 web UI or with any S3 client`;
  }
}
