// The b2 provider with the real @aws-sdk/client-s3 against the B2 stand-in (test/standins/b2.ts): s3rver
// 4.0.4 checking SigV4 signatures, B2-style keys and capabilities, and the native API for CORS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, afterEach, before, describe, test } from 'node:test';
import { composeModel, renderCompose } from '../../src/core/files/compose.ts';
import { describeProject } from '../../src/core/project.ts';
import type { Io, Values, Verified } from '../../src/core/provider.ts';
import { resolveAll } from '../../src/core/resolve.ts';
import { loadTemplates } from '../../src/core/templates.ts';
import provider, {
  accessKeyIdSchema,
  b2CorsAction,
  bucketSchema,
  CORS_RULE_NAME,
  endpointSchema,
  LOCAL_S3,
  mergeCorsRules,
  PROBE_PREFIX,
  regionSchema,
  secretKeySchema,
  uploadAllowed,
  verifyB2,
} from '../../providers/b2/index.ts';
import postgres from '../../providers/postgres/index.ts';
import { composeSchemaErrors } from '../helpers/schemas.ts';
import { startB2, type B2CorsRule, type B2Key, type B2Standin } from '../standins/b2.ts';
import { failingWith } from '../helpers/verify.ts';
import { freePort } from '../harness/processes.ts';

const APP = 'https://app.example.com';
const project = describeProject({ cwd: '/x', pkg: { name: 'my-app', dependencies: { next: '15' } }, lockfiles: [], typescript: true });

let b2: B2Standin;
const warningsSeen: string[] = [];
const onWarning = (w: Error) => warningsSeen.push(`${w.name}: ${w.message}`);

before(async () => {
  process.on('warning', onWarning);
  b2 = await startB2();
});
after(async () => {
  process.off('warning', onWarning);
  await b2?.stop();
});
afterEach(() => b2.clearFaults());

const io = (opts: { signal?: AbortSignal; b2Api?: boolean } = {}): Io => ({
  signal: opts.signal ?? AbortSignal.timeout(5000),
  baseUrl: (d) => (opts.b2Api === false ? d : b2.apiUrl),
  project,
});

const values = (key: B2Key = b2.keys.full, extra: Record<string, string> = {}): Values => ({
  S3_ENDPOINT: b2.s3Url,
  S3_REGION: 'us-west-004',
  S3_BUCKET: b2.bucket,
  S3_ACCESS_KEY_ID: key.keyId,
  S3_SECRET_ACCESS_KEY: key.applicationKey,
  ...extra,
});

const allSecrets = () => Object.values(b2.keys).map((k) => k.applicationKey);

function assertNoSecret(...texts: (string | undefined)[]) {
  for (const text of texts)
    for (const s of allSecrets()) assert.ok(!(text ?? '').includes(s), `leaks an applicationKey: ${text}`);
}
function assertClean(v: Verified) {
  assertNoSecret(v.identity, ...(v.details ?? []), ...v.warnings, ...(v.actions ?? []).map((a) => a.title));
}

const failing = failingWith((t) => assertNoSecret(t));

const probes = () => b2.objects(b2.bucket, PROBE_PREFIX);
const opsSince = (n: number, api: 's3' | 'b2' = 's3') => b2.requests.slice(n).filter((r) => r.api === api).map((r) => r.op);


/** The S3 view of the bucket's CORS, through the real SDK and the full key. */
async function s3Cors(): Promise<{ AllowedOrigins?: string[]; AllowedMethods?: string[]; ID?: string }[]> {
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    endpoint: b2.s3Url,
    region: 'us-west-004',
    forcePathStyle: true,
    credentials: { accessKeyId: b2.keys.full.keyId, secretAccessKey: b2.keys.full.applicationKey },
    maxAttempts: 1,
  });
  try {
    return (await client.send(new sdk.GetBucketCorsCommand({ Bucket: b2.bucket }))).CORSRules ?? [];
  } catch (e) {
    if ((e as Error).name === 'NoSuchCORSConfiguration') return [];
    throw e;
  } finally {
    client.destroy();
  }
}

// --- format checks ----------------------------------------------------------------------------------------

describe('schemas', () => {
  const msg = (schema: { safeParse(v: string): { success: boolean; error?: { issues: { message: string }[] } } }, v: string) => {
    const r = schema.safeParse(v);
    return r.success ? undefined : r.error!.issues[0]!.message;
  };

  test('S3_ENDPOINT: B2 endpoints (bare host from the web UI gets https://), local http, other https services', () => {
    assert.equal(endpointSchema.parse('https://s3.us-west-004.backblazeb2.com'), 'https://s3.us-west-004.backblazeb2.com');
    assert.equal(endpointSchema.parse('s3.eu-central-003.backblazeb2.com'), 'https://s3.eu-central-003.backblazeb2.com');
    assert.equal(endpointSchema.parse('https://s3.us-west-004.backblazeb2.com/'), 'https://s3.us-west-004.backblazeb2.com');
    for (const v of ['http://localhost:9000', 'http://127.0.0.1:9000', 'https://minio.example.com', 'https://abc.r2.cloudflarestorage.com'])
      assert.equal(endpointSchema.parse(v), v);
  });

  test('S3_ENDPOINT: specific messages', () => {
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['http://s3.us-west-004.backblazeb2.com', /plain http is only accepted for localhost; use https:\/\/s3\.us-west-004/],
      ['minio.example.com', /needs a scheme: https:\/\/minio\.example\.com/],
      ['https://api.backblazeb2.com', /native API URL; the S3 endpoint looks like https:\/\/s3\./],
      ['https://api004.backblazeb2.com', /native API URL/],
      ['https://f004.backblazeb2.com', /download URL/],
      ['https://my-bucket.s3.us-west-004.backblazeb2.com', /includes the bucket name: use https:\/\/s3\.us-west-004\.backblazeb2\.com and put my-bucket in S3_BUCKET/],
      ['https://s3.us-west-004.backblazeb2.com/my-bucket', /endpoint only \(https:\/\/s3\.us-west-004\.backblazeb2\.com\), without a path/],
      ['https://www.backblazeb2.com', /not a B2 S3 endpoint/],
      ['ftp://files.example.com', /not supported here/],
      ['https://user:pw@s3.example.com', /must not carry a user name or password/],
    ];
    for (const [v, re] of cases) assert.match(msg(endpointSchema, v) ?? '(accepted)', re, v);
  });

  test('S3_REGION', () => {
    for (const v of ['us-west-004', 'eu-central-003', 'us-east-005', 'us-east-1', 'auto']) assert.equal(msg(regionSchema, v), undefined, v);
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['US-WEST-004', /is lowercase: us-west-004/],
      ['us_west_004', /hyphens, not underscores: us-west-004/],
      ['https://s3.us-west-004.backblazeb2.com', /region only \(us-west-004\), not an endpoint/],
      ['s3.us-west-004.backblazeb2.com', /region only \(us-west-004\)/],
      ['us-west-004 ', /spaces/],
      ['-us', /looks like us-west-004/],
    ];
    for (const [v, re] of cases) assert.match(msg(regionSchema, v) ?? '(accepted)', re, v);
  });

  test('S3_BUCKET: S3 naming rules, each with its own message', () => {
    for (const v of ['prod-ready-uploads', 'app-uploads', 'abc', 'my.bucket.name', 'a'.repeat(63)]) assert.equal(msg(bucketSchema, v), undefined, v);
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      ['ab', /3 to 63 characters long \(it has 2; B2: at least 6\)/],
      ['a'.repeat(64), /3 to 63 characters long \(it has 64/],
      ['My-Bucket', /must be lowercase for the S3 API: my-bucket/],
      ['my_bucket', /underscores/],
      ['my bucket', /spaces/],
      ['-bucket', /start and end with a letter or a digit/],
      ['bucket-', /start and end with a letter or a digit/],
      ['my..bucket', /two dots/],
      ['my.-bucket', /dot next to a hyphen/],
      ['192.168.10.20', /IP address/],
      ['xn--bucket', /reserved by S3/],
      ['bucket-s3alias', /reserved by S3/],
      ['b2-uploads', /reserved by Backblaze/],
      ['https://s3.example.com/bucket', /bucket name only, not a URL/],
      ['bucket!', /only lowercase letters, digits, hyphens and dots/],
    ];
    for (const [v, re] of cases) assert.match(msg(bucketSchema, v) ?? '(accepted)', re, v);
  });

  test('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: swapped or pasted with spaces', () => {
    const { keyId, applicationKey } = b2.keys.full;
    assert.equal(msg(accessKeyIdSchema, keyId), undefined);
    assert.equal(msg(accessKeyIdSchema, LOCAL_S3.accessKeyId), undefined);
    assert.equal(msg(secretKeySchema, applicationKey), undefined);
    assert.equal(msg(secretKeySchema, LOCAL_S3.secretAccessKey), undefined);
    assert.match(msg(accessKeyIdSchema, applicationKey)!, /looks like an applicationKey \(the secret\)/);
    assert.match(msg(accessKeyIdSchema, ` ${keyId}`)!, /spaces or line breaks/);
    assert.match(msg(secretKeySchema, keyId)!, /looks like a keyID: it must be the applicationKey/);
    for (const v of [` ${applicationKey}`, `${applicationKey}\n`, applicationKey.replace(/^(.{10})/, '$1 ')]) {
      const m = msg(secretKeySchema, v)!;
      assert.match(m, /contains spaces or line breaks: copy the applicationKey again/);
      assert.ok(!m.includes(applicationKey.slice(0, 10)), 'never echoes the secret');
    }
    assert.match(msg(secretKeySchema, '')!, /is empty/);
  });
});

// --- defaults and what the provider adds to the files -----------------------------------------------------

describe('local defaults, render.yaml and docker-compose.yml', () => {
  test('with nothing given, the defaults are the local MinIO service; a B2 region gives the B2 endpoint and no local keys', async () => {
    const { UsageError } = await import('../../src/core/errors.ts');
    const local = resolveAll([provider], {}, {}, project).values;
    assert.deepEqual(local, {
      S3_REGION: LOCAL_S3.region,
      S3_ENDPOINT: LOCAL_S3.endpoint,
      S3_BUCKET: LOCAL_S3.bucket,
      S3_ACCESS_KEY_ID: LOCAL_S3.accessKeyId,
      S3_SECRET_ACCESS_KEY: LOCAL_S3.secretAccessKey,
    });
    const env = { S3_REGION: 'eu-central-003', S3_BUCKET: 'my-uploads', S3_ACCESS_KEY_ID: b2.keys.full.keyId, S3_SECRET_ACCESS_KEY: b2.keys.full.applicationKey };
    assert.equal(resolveAll([provider], env, {}, project).values.S3_ENDPOINT, 'https://s3.eu-central-003.backblazeb2.com');
    assert.throws(() => resolveAll([provider], { S3_REGION: 'us-west-004' }, {}, project), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /missing required values: S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/);
      return true;
    });
  });

  test('render.yaml: every S3_* key is sync: false', () => {
    const c = provider.contribute(values(), { project, all: values() });
    assert.deepEqual(
      c.render?.envVars,
      ['S3_REGION', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'].map((key) => ({ key, sync: false })),
    );
  });

  test('docker-compose.yml: MinIO + a one-shot bucket creator matching the local defaults; valid against the Compose schema', async () => {
    const local = resolveAll([provider], {}, {}, project).values;
    const c = provider.contribute(local, { project, all: local });
    const minio = c.compose!.services!.minio as Record<string, any>;
    const init = c.compose!.services!['minio-init'] as Record<string, any>;
    assert.equal(minio.environment.MINIO_ROOT_USER, local.S3_ACCESS_KEY_ID);
    assert.equal(minio.environment.MINIO_ROOT_PASSWORD, local.S3_SECRET_ACCESS_KEY);
    assert.ok(minio.ports.includes(`${new URL(local.S3_ENDPOINT!).port}:9000`));
    assert.deepEqual(minio.healthcheck.test, ['CMD', 'mc', 'ready', 'local']);
    assert.deepEqual(init.depends_on, { minio: { condition: 'service_healthy' } });
    assert.equal(init.environment.MC_HOST_local, `http://${local.S3_ACCESS_KEY_ID}:${local.S3_SECRET_ACCESS_KEY}@minio:9000`);
    assert.deepEqual(init.command, ['mb', '--ignore-existing', `local/${local.S3_BUCKET}`]);
    assert.deepEqual(c.compose!.volumes, ['minio-data']);
    assert.deepEqual(c.nextSteps, ['docker compose up -d minio minio-init']);

    const t = await loadTemplates();
    const pg = postgres.contribute({ DATABASE_URL: 'postgres://app:app@localhost:5432/app' }, { project, all: {} });
    const model = composeModel([pg, c]);
    const fresh = renderCompose(undefined, model, t, project.name)!;
    assert.deepEqual(composeSchemaErrors(fresh), []);
    assert.match(fresh, /image: "quay\.io\/minio\/minio:RELEASE\./);
    const merged = renderCompose('services:\n  web:\n    image: "node:20-alpine"\n', model, t, project.name)!;
    assert.deepEqual(composeSchemaErrors(merged), []);
    assert.match(merged, /minio-init:/);
    assert.equal(renderCompose(merged, model, t, project.name), merged, 'a re-run changes nothing');
  });

  test('with a B2 endpoint there is no local next step, and the local bucket stays the default one', () => {
    const v = { ...values(), S3_ENDPOINT: 'https://s3.us-west-004.backblazeb2.com', S3_BUCKET: 'prod-bucket' };
    const c = provider.contribute(v, { project, all: v });
    assert.deepEqual(c.nextSteps, []);
    assert.deepEqual((c.compose!.services!['minio-init'] as { command: string[] }).command, ['mb', '--ignore-existing', `local/${LOCAL_S3.bucket}`]);
  });
});

// --- the live check ---------------------------------------------------------------------------------------

describe('verify: success', () => {
  test('read/write key: identity, the probe is written, read back and gone, and ListBuckets is never called', async () => {
    const n = b2.requests.length;
    const v = await provider.verify(values(), io());
    assert.equal(v.identity, `bucket ${b2.bucket} at ${b2.s3Url} (read/write)`);
    assert.equal(v.mode, 'read/write');
    assert.deepEqual(v.warnings, []);
    assert.equal(v.actions, undefined);
    assert.match(v.details!.join('\n'), /probe object written, read back and deleted under \.create-prod-ready\//);
    assert.match(v.details!.join('\n'), /CORS not checked: no APP_URL/);
    assertClean(v);
    assert.deepEqual(await probes(), []);
    const ops = opsSince(n);
    for (const op of ['ListObjectsV2', 'PutObject', 'GetObject', 'DeleteObject']) assert.ok(ops.includes(op), `${op} in ${ops}`);
    assert.ok(!ops.includes('ListBuckets'), 'never ListBuckets');
    const put = b2.requests.slice(n).find((r) => r.op === 'PutObject')!;
    assert.ok(put.key!.startsWith(PROBE_PREFIX), put.key);
  });

  test('the web UI\'s usual "Read and Write" key (no writeBuckets) passes too', async () => {
    const v = await verifyB2(values(b2.keys.app), io());
    assert.equal(v.identity, `bucket ${b2.bucket} at ${b2.s3Url} (read/write)`);
    assert.deepEqual(await probes(), []);
  });

  test('latencyMs slows every request; list, write and CORS go out together, so a check is 3 round trips, not 5', async () => {
    const slow = await startB2({ latencyMs: 250 });
    try {
      const v = { ...values(), S3_ENDPOINT: slow.s3Url, S3_BUCKET: slow.bucket, S3_ACCESS_KEY_ID: slow.keys.full.keyId, S3_SECRET_ACCESS_KEY: slow.keys.full.applicationKey };
      await slow.setCors(slow.bucket, [{ corsRuleName: 'uploads-ok', allowedOrigins: [APP], allowedOperations: ['s3_put'], allowedHeaders: ['*'], maxAgeSeconds: 60 }]);
      const n = slow.requests.length;
      const started = Date.now();
      const r = await verifyB2({ ...v, APP_URL: APP }, { ...io(), baseUrl: () => slow.apiUrl });
      const ms = Date.now() - started;
      assert.deepEqual(r.warnings, []);
      const reqs = slow.requests.slice(n);
      assert.deepEqual(reqs.map((x) => x.op).sort(), ['DeleteObject', 'GetBucketCors', 'GetObject', 'ListObjectsV2', 'PutObject']);
      const at = (op: string) => reqs.find((x) => x.op === op)!.at;
      const first = ['ListObjectsV2', 'PutObject', 'GetBucketCors'].map(at);
      assert.ok(Math.max(...first) - Math.min(...first) < 150, `the first three went out together: ${first}`);
      assert.ok(at('GetObject') - Math.max(...first) >= 240 && at('DeleteObject') - at('GetObject') >= 240, 'read after write, delete after read');
      assert.ok(ms >= 750, `took ${ms} ms`);
    } finally {
      await slow.stop();
    }
  });

  test('like B2, the stand-in refuses the SDK\'s default checksum headers; the provider does not send them', async () => {
    const sdk = await import('@aws-sdk/client-s3');
    const c = new sdk.S3Client({ endpoint: b2.s3Url, region: 'us-west-004', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: b2.keys.full.keyId, secretAccessKey: b2.keys.full.applicationKey } });
    try {
      await assert.rejects(c.send(new sdk.PutObjectCommand({ Bucket: b2.bucket, Key: `${PROBE_PREFIX}default-client`, Body: 'x' })), (e: Error) => {
        assert.equal(e.name, 'InvalidArgument');
        assert.match(e.message, /^Unsupported header 'x-amz-(sdk-)?checksum-[a-z0-9-]+' received for this API call\.$/);
        return true;
      });
    } finally {
      c.destroy();
    }
    await verifyB2(values(), io());
    assert.deepEqual(await probes(), []);
  });

  test('the AWS SDK loads only inside verify, and its Node-version warning is not printed', () => {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '-e', "const m = await import('./providers/b2/index.ts'); const { createRequire } = await import('node:module'); const r = createRequire(import.meta.url); console.log(typeof m.default.verify, Object.keys(r.cache).filter((k) => /@aws-sdk|@smithy/.test(k)).length)"],
      { cwd: new URL('../..', import.meta.url), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    assert.equal(out.trim(), 'function 0');
    assert.deepEqual(warningsSeen.filter((w) => /NodeVersionSupport|AWS SDK/.test(w)), []);
  });
});

describe('verify: the probe is removed even when a step fails', () => {
  test('GetObject answers 500: the error is the read step, and the probe is deleted', async () => {
    b2.fail({ api: 's3', op: 'GetObject', status: 500, code: 'InternalError' });
    const n = b2.requests.length;
    const e = await failing(verifyB2(values(), io()));
    assert.equal(e.code, 'InternalError');
    assert.match(e.message, /answered 500 InternalError during the read step \(server error\)/);
    assert.ok(opsSince(n).includes('DeleteObject'));
    assert.deepEqual(await probes(), []);
  });

  test('GetObject connection reset: the probe is deleted', async () => {
    b2.fail({ api: 's3', op: 'GetObject', reset: true });
    const e = await failing(verifyB2(values(), io()));
    assert.match(e.message, /closed the connection \((ECONNRESET|EPIPE)\)|socket hang up/);
    assert.deepEqual(await probes(), []);
  });

  test('PutObject answers 503: reported as a server error; a clean-up is still attempted', async () => {
    b2.fail({ api: 's3', op: 'PutObject', status: 503, code: 'ServiceUnavailable' });
    const n = b2.requests.length;
    const e = await failing(verifyB2(values(), io()));
    assert.equal(e.code, 'ServiceUnavailable');
    assert.match(e.message, /answered 503 ServiceUnavailable during the write step/);
    assert.match(e.hint!, /try again in a minute/);
    assert.ok(opsSince(n).includes('DeleteObject'), 'a failed put may still have stored the object');
    assert.deepEqual(await probes(), []);
  });

  test('a failed clean-up is a warning that names the object', async () => {
    b2.fail({ api: 's3', op: 'DeleteObject', status: 500, code: 'InternalError' });
    const v = await verifyB2(values(), io());
    assert.equal(v.warnings.length, 1);
    assert.match(v.warnings[0]!, /^the probe object \.create-prod-ready\/probe-\S+ could not be deleted from bucket "prod-ready-uploads" \(.*500 InternalError.*\): delete it/);
    const left = await probes();
    assert.equal(left.length, 1);
    assert.ok(v.warnings[0]!.includes(left[0]!));
    b2.clearFaults();
    const sdk = await import('@aws-sdk/client-s3');
    const c = new sdk.S3Client({ endpoint: b2.s3Url, region: 'us-west-004', forcePathStyle: true, credentials: { accessKeyId: b2.keys.full.keyId, secretAccessKey: b2.keys.full.applicationKey } });
    await c.send(new sdk.DeleteObjectCommand({ Bucket: b2.bucket, Key: left[0]! }));
    c.destroy();
    assert.deepEqual(await probes(), []);
  });
});

describe('verify: each failure has its own line', () => {
  test('unknown keyID → InvalidAccessKeyId', async () => {
    const e = await failing(verifyB2(values(b2.keys.full, { S3_ACCESS_KEY_ID: '0049999999999990000000001' }), io()));
    assert.equal(e.code, 'InvalidAccessKeyId');
    assert.equal(e.message, 'B2 does not know the keyID 0049999999999990000000001 (InvalidAccessKeyId)');
  });

  test('the master key on the S3 API → InvalidAccessKeyId with a hint about the master key', async () => {
    const e = await failing(verifyB2(values(b2.keys.master), io()));
    assert.equal(e.code, 'InvalidAccessKeyId');
    assert.match(e.hint!, /master application key, which the S3 API does not accept/);
  });

  test('wrong applicationKey → SignatureDoesNotMatch', async () => {
    const e = await failing(verifyB2(values(b2.keys.full, { S3_SECRET_ACCESS_KEY: b2.keys.app.applicationKey }), io()));
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.equal(e.message, `the applicationKey does not match keyID ${b2.keys.full.keyId} (SignatureDoesNotMatch)`);
    assert.match(e.hint!, /shown once when this key was created/);
  });

  test('missing bucket → NoSuchBucket', async () => {
    const e = await failing(verifyB2(values(b2.keys.allBuckets, { S3_BUCKET: 'no-such-bucket-here' }), io()));
    assert.equal(e.code, 'NoSuchBucket');
    assert.match(e.message, /^bucket "no-such-bucket-here" does not exist at 127\.0\.0\.1:\d+ \(NoSuchBucket\)$/);
  });

  test('key restricted to another bucket → AccessDenied', async () => {
    const n = b2.requests.length;
    const e = await failing(verifyB2(values(b2.keys.otherBucket), io()));
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.message, /may not use bucket "prod-ready-uploads" \(AccessDenied\): the key is restricted to another bucket or lacks the capabilities/);
    const misspelt = await failing(verifyB2(values(b2.keys.full, { S3_BUCKET: 'prod-ready-uplaods' }), io()));
    assert.equal(misspelt.code, 'AccessDenied', 'a restricted key sees no other bucket, existing or not');
    assert.match(misspelt.hint!, /check S3_BUCKET too/);
    assert.ok(!opsSince(n).includes('DeleteObject'), 'nothing was written, nothing to delete');
  });

  test('read-only key → an error (uploads would fail), and nothing is written', async () => {
    const e = await failing(verifyB2(values(b2.keys.readOnly), io()));
    assert.equal(e.code, 'READ_ONLY');
    assert.match(e.message, /can read bucket "prod-ready-uploads" but not write to it \(read-only key\): uploads will fail/);
    assert.match(e.hint!, /Read and Write access/);
    assert.deepEqual(await probes(), []);
  });

  test('nothing listening → connection refused, with the docker compose hint for a local endpoint', async () => {
    const port = await freePort();
    const e = await failing(verifyB2(values(b2.keys.full, { S3_ENDPOINT: `http://127.0.0.1:${port}` }), io()));
    assert.equal(e.code, 'ECONNREFUSED');
    assert.equal(e.message, `connection refused by 127.0.0.1:${port}: nothing is listening there`);
    assert.match(e.hint!, /docker compose up -d minio minio-init/);
  });

  test('unknown host → DNS failure', async () => {
    const e = await failing(verifyB2(values(b2.keys.full, { S3_ENDPOINT: 'https://s3.no-such-host.invalid' }), io(), { timeoutMs: 3000 }));
    assert.ok(['ENOTFOUND', 'EAI_AGAIN', 'TIMEOUT'].includes(e.code!), e.code);
  });

  test('no answer → timeout after the request deadline; the probe is still removed', async () => {
    b2.fail({ api: 's3', op: 'ListObjectsV2', delayMs: 3000 });
    const started = Date.now();
    const e = await failing(verifyB2(values(), io(), { timeoutMs: 400 }));
    assert.equal(e.code, 'TIMEOUT');
    assert.match(e.message, /^no answer from 127\.0\.0\.1:\d+ within 0\.4 s$/);
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
    assert.deepEqual(await probes(), []);
  });

  test('the outer deadline (io.signal) ends the check too', async () => {
    b2.fail({ api: 's3', op: 'ListObjectsV2', delayMs: 3000 });
    const e = await failing(verifyB2(values(), io({ signal: AbortSignal.timeout(300) })));
    assert.equal(e.code, 'TIMEOUT');
    assert.match(e.message, /^no answer from 127\.0\.0\.1:\d+ before the check's deadline$/);
    assert.deepEqual(await probes(), []);
  });

  test('region/endpoint mismatch is caught before any request', async () => {
    const n = b2.requests.length;
    const e = await failing(
      verifyB2(values(b2.keys.full, { S3_ENDPOINT: 'https://s3.us-west-004.backblazeb2.com', S3_REGION: 'eu-central-003' }), io()),
    );
    assert.equal(e.code, 'REGION_MISMATCH');
    assert.equal(e.message, 'S3_REGION is eu-central-003 but S3_ENDPOINT is in us-west-004 (s3.us-west-004.backblazeb2.com)');
    assert.match(e.hint!, /S3_ENDPOINT=https:\/\/s3\.eu-central-003\.backblazeb2\.com/);
    assert.equal(b2.requests.length, n);
  });

  test('the keyID pasted as the secret, and a name B2 cannot have, are caught before any request', async () => {
    const same = await failing(verifyB2(values(b2.keys.full, { S3_SECRET_ACCESS_KEY: 'local-dev', S3_ACCESS_KEY_ID: 'local-dev' }), io()));
    assert.match(same.message, /S3_SECRET_ACCESS_KEY is the same as S3_ACCESS_KEY_ID/);
    const short = await failing(verifyB2(values(b2.keys.full, { S3_ENDPOINT: 'https://s3.us-west-004.backblazeb2.com', S3_BUCKET: 'abc' }), io()));
    assert.match(short.message, /"abc" cannot be a B2 bucket/);
  });
});

// --- CORS -------------------------------------------------------------------------------------------------

describe('CORS for browser uploads', () => {
  const userRule: B2CorsRule = {
    corsRuleName: 'downloads-from-cdn',
    allowedOrigins: ['https://cdn.example.com'],
    allowedOperations: ['s3_get', 's3_head'],
    allowedHeaders: ['range'],
    maxAgeSeconds: 600,
  };
  const withApp = (key: B2Key = b2.keys.full, extra: Record<string, string> = {}) => values(key, { APP_URL: APP, CORS_ORIGINS: APP, ...extra });

  before(async () => {
    await b2.setCors(b2.bucket, [userRule]);
  });

  test('pure helpers: what allows an upload, and merging keeps every other rule', () => {
    assert.ok(uploadAllowed([{ AllowedOrigins: ['*'], AllowedMethods: ['PUT'], AllowedHeaders: ['*'] }], APP));
    assert.ok(uploadAllowed([{ AllowedOrigins: ['https://*.example.com'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['Content-Type'] }], APP));
    assert.ok(!uploadAllowed([{ AllowedOrigins: [APP], AllowedMethods: ['GET'], AllowedHeaders: ['*'] }], APP), 'no PUT');
    assert.ok(!uploadAllowed([{ AllowedOrigins: [APP], AllowedMethods: ['PUT'], AllowedHeaders: ['range'] }], APP), 'Content-Type not allowed');
    assert.ok(!uploadAllowed([{ AllowedOrigins: ['https://other.example.com'], AllowedMethods: ['PUT'], AllowedHeaders: ['*'] }], APP));
    const ours = { corsRuleName: CORS_RULE_NAME, allowedOrigins: [APP], allowedOperations: ['s3_put'], maxAgeSeconds: 1 };
    assert.deepEqual(mergeCorsRules([userRule], ours).rules, [userRule, ours]);
    const widened = mergeCorsRules([userRule, ours], { ...ours, allowedOrigins: ['https://b.example.com'] });
    assert.deepEqual(widened.rules[0], userRule);
    assert.deepEqual(widened.rules[1]!.allowedOrigins, [APP, 'https://b.example.com']);
    assert.equal(mergeCorsRules([userRule, ours], ours).changed, false);
  });

  test('missing rule: a warning that shows it, and an action (no extra question) when the key may add it', async () => {
    const v = await verifyB2(withApp(), io());
    assertClean(v);
    assert.equal(v.warnings.length, 1);
    assert.match(v.warnings[0]!, /^browser uploads from https:\/\/app\.example\.com to bucket "prod-ready-uploads" would be refused: no CORS rule allows PUT/);
    assert.ok(v.warnings[0]!.includes(`"corsRuleName":"${CORS_RULE_NAME}","allowedOrigins":["${APP}"],"allowedOperations":["s3_put","s3_post","s3_get","s3_head"]`), v.warnings[0]);
    assert.equal(v.actions?.length, 1);
    const a = v.actions![0]!;
    assert.equal(a.title, `Allow browser uploads from ${APP} in B2 bucket prod-ready-uploads (CORS)`);
    assert.equal(a.id, 'b2.cors.allow-uploads');
    assert.equal(a.ask, undefined);
  });

  test('a key without writeBuckets: a warning with the rule to paste, no action', async () => {
    const v = await verifyB2(withApp(b2.keys.app), io());
    assert.equal(v.actions, undefined);
    assert.equal(v.warnings.length, 1);
    assert.match(v.warnings[0]!, /this key lacks writeBuckets to fix it, so add this rule to bucket prod-ready-uploads's CORS rules \(B2 web UI → Buckets → prod-ready-uploads → CORS Rules/);
    assert.ok(v.warnings[0]!.includes(`"allowedOrigins":["${APP}"]`));
  });

  test('the action run with such a key fails with one line naming the capability and the exact rule; nothing changes', async () => {
    const rev = b2.revisionOf();
    const e = await failing(b2CorsAction(withApp(b2.keys.app), [APP]).run(io(), {}));
    assert.equal(e.code, 'MISSING_CAPABILITY');
    assert.equal(e.message, `keyID ${b2.keys.app.keyId} lacks the writeBuckets capability needed to change bucket prod-ready-uploads's CORS rules`);
    assert.match(e.hint!, /B2 web UI → Buckets → prod-ready-uploads → CORS Rules/);
    assert.ok(e.hint!.includes(JSON.stringify({ corsRuleName: CORS_RULE_NAME, allowedOrigins: [APP], allowedOperations: ['s3_put', 's3_post', 's3_get', 's3_head'], allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'], exposeHeaders: ['ETag'], maxAgeSeconds: 3600 })));
    assert.equal(b2.revisionOf(), rev);
    assert.deepEqual(b2.corsOf(), [userRule]);
  });

  test('running the action adds the rule, keeps the user\'s rule, and the S3 API shows both', async () => {
    const v = await verifyB2(withApp(), io());
    const n = b2.requests.length;
    const rev = b2.revisionOf();
    const r = await v.actions![0]!.run(io(), {});
    assertNoSecret(r.done);
    assert.equal(r.values, undefined);
    assert.equal(r.done, `bucket prod-ready-uploads: browser uploads allowed from ${APP} (rule ${CORS_RULE_NAME} added, 1 existing rule kept; confirmed through the S3 API)`);
    assert.deepEqual(opsSince(n, 'b2'), ['b2_authorize_account', 'b2_list_buckets', 'b2_update_bucket']);
    assert.ok(opsSince(n, 's3').includes('GetBucketCors'), 'read back through S3');
    assert.equal(b2.revisionOf(), rev + 1);
    const rules = b2.corsOf();
    assert.deepEqual(rules[0], userRule);
    assert.equal(rules[1]!.corsRuleName, CORS_RULE_NAME);
    const s3 = await s3Cors();
    assert.deepEqual(s3.map((x) => x.AllowedOrigins), [['https://cdn.example.com'], [APP]]);
    assert.deepEqual(s3[1]!.AllowedMethods, ['PUT', 'POST', 'GET', 'HEAD']);
  });

  test('a second check proposes nothing', async () => {
    const v = await verifyB2(withApp(), io());
    assert.deepEqual(v.warnings, []);
    assert.equal(v.actions, undefined);
    assert.ok(v.details!.includes(`CORS allows browser uploads from ${APP}`), String(v.details));
  });

  test('a new origin widens our rule; a revision conflict (someone else changed the bucket) is re-read and retried', async () => {
    const other = 'https://admin.example.com';
    const v = await verifyB2(withApp(b2.keys.full, { CORS_ORIGINS: `${APP},${other}` }), io());
    assert.equal(v.actions?.[0]?.title, `Allow browser uploads from ${other} in B2 bucket prod-ready-uploads (CORS)`);
    b2.fail({ api: 'b2', op: 'b2_update_bucket', status: 409, code: 'conflict', times: 1 });
    const n = b2.requests.length;
    const r = await v.actions![0]!.run(io(), {});
    assert.match(r.done, /browser uploads allowed from https:\/\/admin\.example\.com \(rule create-prod-ready-uploads added, 1 existing rule kept/);
    assert.deepEqual(opsSince(n, 'b2'), ['b2_authorize_account', 'b2_list_buckets', 'b2_update_bucket', 'b2_list_buckets', 'b2_update_bucket']);
    assert.deepEqual(b2.corsOf()[1]!.allowedOrigins, [APP, other]);
    assert.deepEqual(b2.corsOf()[0], userRule);
  });

  test('B2 API failures during the action are one line each', async () => {
    b2.fail({ api: 'b2', op: 'b2_update_bucket', status: 503, code: 'service_unavailable' });
    const e = await failing(b2CorsAction(withApp(), ['https://x.example.com']).run(io(), {}));
    assert.equal(e.code, 'service_unavailable');
    assert.match(e.message, /the B2 API answered b2_update_bucket \(503 service_unavailable\)/);
    b2.clearFaults();
    const bad = await failing(b2CorsAction(withApp(b2.keys.full, { S3_SECRET_ACCESS_KEY: b2.keys.app.applicationKey }), [APP]).run(io(), {}));
    assert.match(bad.message, /the B2 API rejected keyID .* b2_authorize_account \(401 unauthorized\)/);
  });

  test('local app and local S3 service: CORS is not checked at all', async () => {
    const n = b2.requests.length;
    const v = await verifyB2(values(b2.keys.full, { APP_URL: 'http://localhost:3000', CORS_ORIGINS: 'http://localhost:3000' }), io());
    assert.ok(v.details!.includes('CORS not needed: the app and the S3 service are both local'));
    assert.ok(!opsSince(n).includes('GetBucketCors'));
  });

  test('an S3 service that is not B2: the warning shows the S3 rule, and there is no action', async () => {
    const v = await verifyB2(values(b2.keys.full, { APP_URL: 'https://shop.example.com' }), io({ b2Api: false }));
    assert.equal(v.actions, undefined);
    assert.match(v.warnings[0]!, /add this CORS rule \(PutBucketCors or your provider's console\): \{"AllowedOrigins":\["https:\/\/shop\.example\.com"\],"AllowedMethods":\["PUT","POST","GET","HEAD"\]/);
    assert.match(v.identity, /^bucket prod-ready-uploads at/);
  });
});

// --- the native stand-in follows the contract -------------------------------------------------------------

describe('B2 native stand-in (contract shapes)', () => {
  const basic = (k: B2Key, secret = k.applicationKey) => `Basic ${Buffer.from(`${k.keyId}:${secret}`).toString('base64')}`;
  const call = async (op: string, auth: string, body?: unknown) => {
    const r = await fetch(`${b2.apiUrl}/b2api/v4/${op}`, { method: body ? 'POST' : 'GET', headers: { authorization: auth, 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: (await r.json()) as Record<string, any> };
  };

  test('authorize (v4 shape), errors {status, code, message}, restricted listing, ifRevisionIs conflict', async () => {
    const bad = await call('b2_authorize_account', basic(b2.keys.full, 'wrong'));
    assert.deepEqual(bad, { status: 401, json: { status: 401, code: 'unauthorized', message: '' } });
    const ok = await call('b2_authorize_account', basic(b2.keys.full));
    assert.equal(ok.status, 200);
    const s = ok.json.apiInfo.storageApi;
    assert.equal(s.apiUrl, b2.apiUrl);
    assert.equal(s.s3ApiUrl, b2.s3Url);
    assert.deepEqual(s.allowed.buckets.map((b: { name: string }) => b.name), [b2.bucket]);
    assert.ok(s.allowed.capabilities.includes('writeBuckets'));
    const token = ok.json.authorizationToken as string;
    assert.equal((await call('b2_list_buckets', 'nope', { accountId: b2.accountId })).json.code, 'bad_auth_token');
    assert.deepEqual((await call('b2_list_buckets', token, { accountId: b2.accountId })).json, { status: 401, code: 'unauthorized', message: '' });
    const listed = await call('b2_list_buckets', token, { accountId: b2.accountId, bucketName: b2.bucket });
    const bucket = listed.json.buckets[0];
    assert.equal(bucket.bucketName, b2.bucket);
    const stale = await call('b2_update_bucket', token, { accountId: b2.accountId, bucketId: bucket.bucketId, corsRules: bucket.corsRules, ifRevisionIs: bucket.revision - 1 });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.code, 'conflict');
    const invalid = await call('b2_update_bucket', token, { accountId: b2.accountId, bucketId: bucket.bucketId, corsRules: [{ corsRuleName: 'x', allowedOrigins: [], allowedOperations: [], maxAgeSeconds: 1 }] });
    assert.equal(invalid.json.code, 'bad_request');
  });
});
