// `create-prod-ready rotate b2.key` end to end: the CLI from its sources (SOURCE_CLI) against the B2 stand-in
// (S3 API through the real @aws-sdk/client-s3, native b2_authorize_account / b2_create_key / b2_list_keys /
// b2_delete_key) and the Render stand-in. The admin key is the stand-in's master key, from the environment
// (B2_ADMIN_KEY_ID / B2_ADMIN_APPLICATION_KEY), as CI would give it.
//
// S3_ENDPOINT is https://s3.standin.test:PORT, a TLS front of the stand-in's S3 API (a self-signed certificate
// trusted through NODE_EXTRA_CA_CERTS, the name resolved to 127.0.0.1 by a preload in the child): with a
// loopback endpoint the S3_* keys count as local values and are never pushed to Render, so the push could
// not be seen.
//
// Matrix (each failing case: the exit code, one error line without a secret, where the state stops; then the
// S3 credentials in .env are used for a real S3 call, the faults are lifted and a re-run must complete, i.e.
// exactly one live key left for the app besides the stand-in's own keys, with the old key's capabilities,
// bucket and namePrefix, leftovers of the interrupted run deleted, and no rotation left in prod-ready.json):
//
//   happy path            new key in .env works on S3, old key deleted, no rotation left, no secret in
//                         stdout/stderr/prod-ready.json, new key = old key's capabilities and bucket
//   Render linked         S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY PUT one key at a time, never the bulk PUT,
//                         the service's other variables kept
//   --dry-run             nothing changes (files, keys at B2, no native call)
//   fault: b2_authorize_account 503      exit 1, state "started", .env unchanged, no key made
//   fault: b2_create_key 500             exit 1, state "started", .env unchanged
//   fault: b2_create_key 401             exit 1, "may not create application keys … writeKeys"
//   fault: b2_create_key 429             exit 1, "rate-limiting"
//   fault: b2_create_key timeout         exit 1, "no answer … within 2 s (b2_create_key)"
//   admin key without key capabilities   exit 1, "lacks the listKeys, writeKeys, deleteKeys capabilities"
//   fault: S3 check fails (403 InvalidAccessKeyId on the new key)
//                                        exit 1, the new key deleted, .env byte for byte unchanged, no state
//   fault: Render push 503               exit 1, state "written", .env has the new (working) key, old key live;
//                                        the re-run pushes and deletes the old key
//   fault: b2_delete_key 503             exit 1, state "pushed", old key live; `rotate --finish --yes` deletes it
//   fault: b2_delete_key 503, re-run     the same; a plain re-run `rotate b2.key --yes` deletes it
//   killed after started|created|written|pushed (PROD_READY_CRASH_AFTER, SIGKILL)
//                                        state in prod-ready.json as expected, .env works; the re-run removes
//                                        the key the interrupted run made (created) or resumes (written, pushed)
//   provider level (in process): a key that may manage keys itself needs no admin key (adminKeyNeeded false,
//                         create/revoke with it alone); namePrefix and bucket restriction are copied
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { after, afterEach, before, describe, test } from 'node:test';
import dotenv from 'dotenv';
import { adminKeyNeeded, keyRotation } from '../../providers/b2/index.ts';
import type { Io } from '../../src/core/provider.ts';
import type { ProjectInfo } from '../../src/core/project.ts';
import { startB2, type B2Key, type B2Standin } from '../standins/b2.ts';
import { envText } from '../standins/all.ts';
import { RENDER_KEY, startRender, type RenderStandin } from '../standins/render.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { NEXT_APP, read, snapshot, tempProject } from '../helpers/project.ts';

const HOST = 's3.standin.test';
const SERVICE = 'srv-shopweb0001';
const READ_WRITE = ['listBuckets', 'listAllBucketNames', 'readBuckets', 'listFiles', 'readFiles', 'shareFiles', 'writeFiles', 'deleteFiles'];

let b2: B2Standin;
let render: RenderStandin;
let front: TlsServer;
let endpoint: string;
let work: string;
let preload: string;
let caFile: string;
let sdk: typeof import('@aws-sdk/client-s3');
// The SDK's Node-20 end-of-support notice (the CLI switches it off the same way).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const sockets = new Set<Socket>();

before(async () => {
  [b2, render, sdk] = await Promise.all([
    startB2(),
    startRender({ services: [{ id: SERVICE, name: 'shop-web', envVars: { SENTRY_DSN: 'https://foreign@sentry.example/1' } }] }),
    import('@aws-sdk/client-s3'),
  ]);
  work = mkdtempSync(join(tmpdir(), 'rotate-b2-'));
  const keyFile = join(work, 'key.pem');
  caFile = join(work, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${HOST}`, '-addext', `subjectAltName=DNS:${HOST}`, '-keyout', keyFile, '-out', caFile], { stdio: 'ignore' });
  const s3Port = Number(new URL(b2.s3Url).port);
  front = createTlsServer({ key: read(work, 'key.pem'), cert: read(work, 'cert.pem') }, (tls) => {
    const plain = connect(s3Port, '127.0.0.1');
    for (const s of [tls, plain]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    tls.pipe(plain).pipe(tls);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  endpoint = `https://${HOST}:${(front.address() as { port: number }).port}`;
  preload = join(work, 'resolve-standin.mjs');
  writeFileSync(
    preload,
    `import dns from 'node:dns';
const lookup = dns.lookup;
dns.lookup = function (host, opts, cb) {
  if (typeof opts === 'function') { cb = opts; opts = {}; }
  if (host !== ${JSON.stringify(HOST)}) return lookup.call(this, host, opts, cb);
  if (opts && opts.all) process.nextTick(cb, null, [{ address: '127.0.0.1', family: 4 }]);
  else process.nextTick(cb, null, '127.0.0.1', 4);
};
`,
  );
});
after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([b2?.stop(), render?.stop(), front && new Promise((r) => front.close(r))]);
  if (work) rmSync(work, { recursive: true, force: true });
});
afterEach(() => {
  b2.clearFaults();
  render.clearFaults();
});

// --- helpers -----------------------------------------------------------------------------------------------

interface Project {
  dir: string;
  /** The app's key before the rotation. */
  key: B2Key;
  /** Live keys that are not this project's (the stand-in's own, other tests'): never touched. */
  others: Set<string>;
  /** Every secret this project's runs could print. */
  secrets: Set<string>;
}

let seq = 0;
function project(opts: { render?: boolean; namePrefix?: string } = {}): Project {
  const others = new Set(b2.liveKeys().map((k) => k.keyId));
  const key = b2.createKey({ keyName: `shop-uploads-${++seq}`, capabilities: READ_WRITE, buckets: [b2.bucket], namePrefix: opts.namePrefix ?? null });
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    S3_REGION: 'us-west-004',
    S3_ENDPOINT: endpoint,
    S3_BUCKET: b2.bucket,
    S3_ACCESS_KEY_ID: key.keyId,
    S3_SECRET_ACCESS_KEY: key.applicationKey,
    ...(opts.render ? { RENDER_API_KEY: RENDER_KEY, RENDER_SERVICES: 'shop-web' } : {}),
  };
  const dir = tempProject({ 'package.json': NEXT_APP, '.env': envText(env) });
  return { dir, key, others, secrets: new Set([key.applicationKey, b2.keys.master.applicationKey, RENDER_KEY]) };
}

interface Run {
  code: number | null;
  signal: string | null;
  out: string;
}

/** `create-prod-ready rotate …` from the sources, without a terminal, CI=1, the admin key in the environment. */
async function rotate(p: Project, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const childEnv = cleanEnv({
    FORCE_COLOR: '0',
    CI: '1',
    PROD_READY_B2_URL: b2.apiUrl,
    PROD_READY_RENDER_URL: render.url,
    NODE_EXTRA_CA_CERTS: caFile,
    B2_ADMIN_KEY_ID: b2.keys.master.keyId,
    B2_ADMIN_APPLICATION_KEY: b2.keys.master.applicationKey,
    ...env,
  });
  const run: Run = await runCli(['rotate', ...args], { cwd: p.dir, env: childEnv, source: true, node: ['--import', preload] });
  // Whatever happened, no secret reaches the output or prod-ready.json: the project's keys so far, every live
  // key, the admin key, and the secret of any key the output names (a new key deleted within the run).
  const memory = safeRead(p.dir, 'prod-ready.json');
  for (const k of b2.liveKeys()) p.secrets.add(k.applicationKey);
  for (const [id] of `${run.out}\n${memory}`.matchAll(/\b004[0-9a-f]{10}\d{12}\b/g)) {
    const k = b2.keyById(id);
    if (k) p.secrets.add(k.applicationKey);
  }
  const inEnv = dotenv.parse(read(p.dir, '.env')).S3_SECRET_ACCESS_KEY;
  if (inEnv) p.secrets.add(inEnv);
  for (const s of p.secrets) {
    assert.ok(!run.out.includes(s), `a secret (…${s.slice(-4)}) was printed:\n${run.out}`);
    assert.ok(!memory.includes(s), `a secret (…${s.slice(-4)}) is in prod-ready.json`);
  }
  assert.ok(!/\n\s+at /.test(run.out), `no stack trace:\n${run.out}`);
  return run;
}

const safeRead = (dir: string, name: string) => {
  try {
    return read(dir, name);
  } catch {
    return '';
  }
};
const envOf = (p: Project) => dotenv.parse(read(p.dir, '.env'));
const stateOf = (p: Project) => (JSON.parse(safeRead(p.dir, 'prod-ready.json') || '{}') as { rotations?: Record<string, { step: string; old?: Record<string, string>; new?: Record<string, string> }> }).rotations?.['b2.key'];
/** This project's live keys at the stand-in (the app's key, and any key a rotation made). */
const liveOf = (p: Project) => b2.liveKeys().filter((k) => !p.others.has(k.keyId));

/** A real S3 call with the credentials .env holds: write, read back, delete. */
async function s3Works(p: Project, why: string): Promise<void> {
  const env = envOf(p);
  const c = new sdk.S3Client({
    endpoint: b2.s3Url,
    region: env.S3_REGION,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: env.S3_ACCESS_KEY_ID!, secretAccessKey: env.S3_SECRET_ACCESS_KEY! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Key = `uploads/rotate-check-${Date.now()}.txt`;
  try {
    await c.send(new sdk.PutObjectCommand({ Bucket: env.S3_BUCKET, Key, Body: 'still works', ContentType: 'text/plain' }));
    const got = await c.send(new sdk.GetObjectCommand({ Bucket: env.S3_BUCKET, Key }));
    assert.equal(await got.Body!.transformToString(), 'still works');
    await c.send(new sdk.DeleteObjectCommand({ Bucket: env.S3_BUCKET, Key }));
  } catch (e) {
    assert.fail(`${why}: the S3 credentials in .env do not work (${(e as Error).name}: ${(e as Error).message})`);
  } finally {
    c.destroy();
  }
}

/** The rotation is over: one live key for the app, the one in .env, made like the old one; nothing pending. */
async function completed(p: Project, why: string): Promise<B2Key> {
  const env = envOf(p);
  const live = liveOf(p);
  assert.deepEqual(live.map((k) => k.keyId), [env.S3_ACCESS_KEY_ID], `${why}: exactly one live key for the app, the one in .env`);
  const now = live[0]!;
  assert.notEqual(now.keyId, p.key.keyId, `${why}: the key was rotated`);
  assert.equal(b2.keyState(p.key.keyId), 'deleted', `${why}: the old key is deleted`);
  assert.deepEqual([...now.capabilities].sort(), [...p.key.capabilities].sort(), `${why}: same capabilities`);
  assert.deepEqual(now.buckets, p.key.buckets, `${why}: same bucket restriction`);
  assert.equal(now.namePrefix, p.key.namePrefix, `${why}: same namePrefix`);
  assert.match(now.keyName, /-rotated-\d{8}T\d{9}Z$/);
  assert.equal(stateOf(p), undefined, `${why}: no rotation left in prod-ready.json`);
  for (const k of Object.values(b2.keys)) if (k !== b2.keys.master) assert.equal(b2.keyState(k.keyId), 'live', `${why}: the stand-in's own key ${k.keyName} is untouched`);
  await s3Works(p, why);
  return now;
}

async function rerunCompletes(p: Project, why: string, args = ['b2.key', '--yes']): Promise<Run> {
  const r = await rotate(p, args);
  assert.equal(r.code, 0, `${why}: the re-run completes:\n${r.out}`);
  await completed(p, why);
  return r;
}

/** The one error line the run ends with. */
function errorLine(r: Run): string {
  const lines = r.out.split('\n').filter((l) => /B2 application key: /.test(l));
  assert.equal(lines.length, 1, `one error line:\n${r.out}`);
  return lines[0]!;
}

const pushes = (key: string) => render.requests.filter((q) => q.method === 'PUT' && q.path === `/v1/services/${SERVICE}/env-vars/${key}`);
const serviceVars = () => Object.fromEntries(render.state.services.get(SERVICE)!.envVars.map((e) => [e.key, e.value]));

// --- the happy path -----------------------------------------------------------------------------------------

describe('rotate b2.key', () => {
  test('happy path: a new key with the same capabilities and bucket in .env, the old one deleted', async () => {
    const p = project();
    const before = read(p.dir, '.env');
    const calls = b2.requests.length;
    const r = await rotate(p, ['b2.key', '--yes']);
    assert.equal(r.code, 0, r.out);
    const now = await completed(p, 'happy path');
    assert.match(r.out, /created a new B2 application key/);
    assert.match(r.out, /the new B2 application key works: bucket /);
    assert.match(r.out, new RegExp(`deleted the old B2 application key ${p.key.keyId}`));
    assert.equal(read(p.dir, '.env'), before.replace(p.key.keyId, now.keyId).replace(p.key.applicationKey, now.applicationKey), 'only the two keys changed in .env');
    // The admin key made and deleted the keys; the .env key was only read (b2_authorize_account).
    const native = b2.requests.slice(calls).filter((q) => q.api === 'b2' && ['b2_create_key', 'b2_delete_key'].includes(q.op));
    assert.ok(native.length >= 2 && native.every((q) => q.keyId === b2.keys.master.keyId));
  });

  test('with a linked Render service: the new values are pushed one key at a time', async () => {
    const p = project({ render: true });
    render.reset();
    const r = await rotate(p, ['b2.key', '--yes']);
    assert.equal(r.code, 0, r.out);
    const now = await completed(p, 'render');
    assert.equal(pushes('S3_ACCESS_KEY_ID').length, 1);
    assert.equal(pushes('S3_SECRET_ACCESS_KEY').length, 1);
    assert.deepEqual(pushes('S3_ACCESS_KEY_ID')[0]!.body, { value: now.keyId });
    assert.ok(!render.requests.some((q) => q.method === 'PUT' && /\/env-vars$/.test(q.path)), 'never the bulk PUT that replaces the list');
    assert.ok(!render.requests.some((q) => q.method === 'PUT' && !/S3_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)$/.test(q.path)), 'only the rotated keys');
    const vars = serviceVars();
    assert.equal(vars.S3_ACCESS_KEY_ID, now.keyId);
    assert.equal(vars.S3_SECRET_ACCESS_KEY, now.applicationKey);
    assert.equal(vars.SENTRY_DSN, 'https://foreign@sentry.example/1', 'a variable we do not manage is kept');
    assert.match(r.out, /set 2 variables on Render service shop-web/);
  });

  test('--dry-run changes nothing', async () => {
    const p = project({ render: true });
    const files = snapshot(p.dir);
    const keys = b2.liveKeys().map((k) => k.keyId);
    const calls = b2.requests.length;
    render.reset();
    const r = await rotate(p, ['b2.key', '--dry-run', '--yes']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /dry run: nothing is changed/);
    assert.match(r.out, /create a new B2 application key/);
    assert.deepEqual(snapshot(p.dir), files);
    assert.deepEqual(b2.liveKeys().map((k) => k.keyId), keys);
    assert.equal(b2.requests.length, calls, 'no call to B2');
    assert.ok(!render.requests.some((q) => q.method === 'PUT'), 'nothing pushed');
  });
});

// --- a fault at every step ----------------------------------------------------------------------------------

describe('rotate b2.key: a failure at any step leaves working credentials, and a re-run completes', () => {
  const failed = (r: Run, why: string, line: RegExp) => {
    assert.equal(r.code, 1, `${why}:\n${r.out}`);
    assert.match(errorLine(r), line, why);
  };
  const untouched = async (p: Project, envBefore: string, why: string) => {
    assert.equal(read(p.dir, '.env'), envBefore, `${why}: .env unchanged`);
    assert.deepEqual(liveOf(p).map((k) => k.keyId), [p.key.keyId], `${why}: no new key left, the old one live`);
    await s3Works(p, why);
  };

  const early: [string, Parameters<B2Standin['fail']>[0], RegExp, Record<string, string>?][] = [
    ['b2_authorize_account 503', { api: 'b2', op: 'b2_authorize_account', status: 503 }, /the B2 API answered b2_authorize_account: 503 service_unavailable \(server error\) — B2 is having trouble/],
    ['b2_create_key 500', { api: 'b2', op: 'b2_create_key', status: 500 }, /the B2 API answered b2_create_key: 500 internal_error \(server error\)/],
    ['b2_create_key 401', { api: 'b2', op: 'b2_create_key', status: 401, code: 'unauthorized' }, /B2_ADMIN_KEY_ID \w+ may not create application keys \(b2_create_key: 401 unauthorized\): it needs the writeKeys capability — set B2_ADMIN_KEY_ID/],
    ['b2_create_key 429', { api: 'b2', op: 'b2_create_key', status: 429, retryAfter: 30 }, /the B2 API is rate-limiting requests \(b2_create_key: 429 too_many_requests\) — wait a minute/],
    ['b2_create_key timeout', { api: 'b2', op: 'b2_create_key', delayMs: 10_000 }, /no answer from the B2 API at 127\.0\.0\.1:\d+ within 2 s \(b2_create_key\) — check your network/, { PROD_READY_TIMEOUT_MS: '2000' }],
  ];
  for (const [name, fault, line, env] of early)
    test(`fault: ${name} → nothing changed; a re-run completes`, async () => {
      const p = project();
      const envBefore = read(p.dir, '.env');
      b2.fail(fault);
      const r = await rotate(p, ['b2.key', '--yes'], env);
      failed(r, name, line);
      assert.equal(stateOf(p)?.step, 'started', 'the run is recorded as started: the re-run looks for what it made');
      await untouched(p, envBefore, name);
      b2.clearFaults();
      await rerunCompletes(p, name);
    });

  test('an admin key without the key capabilities: one line naming them, nothing made', async () => {
    const p = project();
    const envBefore = read(p.dir, '.env');
    const r = await rotate(p, ['b2.key', '--yes'], { B2_ADMIN_KEY_ID: b2.keys.full.keyId, B2_ADMIN_APPLICATION_KEY: b2.keys.full.applicationKey });
    p.secrets.add(b2.keys.full.applicationKey);
    failed(r, 'weak admin key', new RegExp(`B2_ADMIN_KEY_ID ${b2.keys.full.keyId} lacks the listKeys, writeKeys, deleteKeys capabilities needed to rotate B2 application keys`));
    await untouched(p, envBefore, 'weak admin key');
    await rerunCompletes(p, 'weak admin key');
  });

  test('fault: the S3 check of the new key fails → the new key is deleted, .env unchanged', async () => {
    const p = project();
    const envBefore = read(p.dir, '.env');
    const made = b2.requests.length;
    b2.fail({ api: 's3', op: 'ListObjectsV2', status: 403, code: 'InvalidAccessKeyId', times: 1 });
    const r = await rotate(p, ['b2.key', '--yes']);
    failed(r, 's3 check', /the new B2 application key failed its check \(.*InvalidAccessKeyId.*\); \.env still has the old one, which was not changed/);
    const created = b2.requests.slice(made).filter((q) => q.op === 'b2_create_key' && q.status === 200);
    assert.equal(created.length, 1);
    const deletes = b2.requests.slice(made).filter((q) => q.op === 'b2_delete_key' && q.status === 200);
    assert.equal(deletes.length, 1, 'the new key was deleted');
    const newId = /keyID (\w+)/.exec(errorLine(r))![1]!;
    assert.equal(b2.keyState(newId), 'deleted', 'the key the check refused is the one deleted');
    assert.equal(stateOf(p), undefined, 'no rotation left');
    await untouched(p, envBefore, 's3 check');
    await rerunCompletes(p, 's3 check');
  });

  test('fault: the Render push fails → state "written", .env has the new key, the old one still works; a re-run pushes and deletes it', async () => {
    const p = project({ render: true });
    render.fail({ method: 'PUT', path: `/v1/services/${SERVICE}/env-vars/`, status: 503 });
    const r = await rotate(p, ['b2.key', '--yes']);
    failed(r, 'render push', /(Render|503).*; \.env has the new B2 application key \(checked\) and the old one still works — run create-prod-ready rotate b2\.key again/);
    const state = stateOf(p);
    assert.equal(state?.step, 'written');
    assert.equal(state?.old?.keyId, p.key.keyId);
    const env = envOf(p);
    assert.equal(state?.new?.keyId, env.S3_ACCESS_KEY_ID);
    assert.notEqual(env.S3_ACCESS_KEY_ID, p.key.keyId, '.env has the new key');
    assert.equal(b2.keyState(p.key.keyId), 'live', 'the old key is not deleted yet');
    await s3Works(p, 'render push');
    render.clearFaults();
    render.reset();
    await rerunCompletes(p, 'render push');
    assert.equal(pushes('S3_ACCESS_KEY_ID').length, 1);
    assert.equal(pushes('S3_SECRET_ACCESS_KEY').length, 1);
    assert.equal(serviceVars().S3_SECRET_ACCESS_KEY, envOf(p).S3_SECRET_ACCESS_KEY);
  });

  for (const finish of [true, false])
    test(`fault: b2_delete_key 503 → state "pushed", the old key kept; ${finish ? 'rotate --finish' : 'a re-run'} deletes it`, async () => {
      const p = project();
      b2.fail({ api: 'b2', op: 'b2_delete_key', status: 503 });
      const r = await rotate(p, ['b2.key', '--yes']);
      failed(r, 'delete', /the B2 API answered b2_delete_key: 503 service_unavailable \(server error\); the new B2 application key is in \.env and pushed, the old one still exists/);
      assert.equal(stateOf(p)?.step, 'pushed');
      assert.equal(b2.keyState(p.key.keyId), 'live');
      assert.notEqual(envOf(p).S3_ACCESS_KEY_ID, p.key.keyId);
      await s3Works(p, 'delete');
      b2.clearFaults();
      const again = await rerunCompletes(p, 'delete', finish ? ['--finish', '--yes'] : ['b2.key', '--yes']);
      assert.match(again.out, new RegExp(`deleted the old B2 application key ${p.key.keyId}`));
      assert.ok(!/Creating a new/.test(again.out), 'nothing new made');
    });

  test('an old key that is already gone counts as deleted', async () => {
    const p = project();
    b2.fail({ api: 'b2', op: 'b2_delete_key', status: 503 });
    await rotate(p, ['b2.key', '--yes']);
    b2.clearFaults();
    b2.deleteKey(p.key.keyId); // someone deleted it in the web UI meanwhile
    const r = await rerunCompletes(p, 'already gone', ['--finish', '--yes']);
    assert.match(r.out, new RegExp(`the old B2 application key ${p.key.keyId} was already deleted`));
  });
});

// --- killed between steps -----------------------------------------------------------------------------------

describe('rotate b2.key: killed between steps (PROD_READY_CRASH_AFTER), then re-run', () => {
  const expected: Record<string, { state: string; envChanged: boolean }> = {
    started: { state: 'started', envChanged: false },
    created: { state: 'started', envChanged: false }, // made, never recorded: found again by its name
    written: { state: 'written', envChanged: true },
    pushed: { state: 'pushed', envChanged: true },
  };
  for (const [step, want] of Object.entries(expected))
    test(`killed after ${step}`, async () => {
      const p = project({ render: true });
      const envBefore = read(p.dir, '.env');
      const r = await rotate(p, ['b2.key', '--yes'], { PROD_READY_CRASH_AFTER: step });
      assert.equal(r.signal, 'SIGKILL', r.out);
      assert.equal(stateOf(p)?.step, want.state);
      assert.equal(read(p.dir, '.env') !== envBefore, want.envChanged, '.env written or not');
      await s3Works(p, `killed after ${step}`);
      const leftover = liveOf(p).filter((k) => k.keyId !== p.key.keyId && k.keyId !== envOf(p).S3_ACCESS_KEY_ID);
      assert.equal(leftover.length, step === 'created' ? 1 : 0, 'a key made and never written only after "created"');
      const again = await rerunCompletes(p, `killed after ${step}`);
      for (const k of leftover) assert.equal(b2.keyState(k.keyId), 'deleted', 'the interrupted run\'s key is removed');
      if (step === 'created') assert.match(again.out, /deleted B2 application key \w+ \(.*-rotated-.*\), made by the interrupted rotation/);
      if (step === 'started') assert.match(again.out, /nothing was left behind/);
      assert.equal(serviceVars().S3_ACCESS_KEY_ID, envOf(p).S3_ACCESS_KEY_ID, 'Render has the key .env has');
    });
});

// --- provider level -----------------------------------------------------------------------------------------

describe('b2.key rotation, provider level', () => {
  const io = (): Io => ({ signal: AbortSignal.timeout(10_000), project: {} as ProjectInfo, baseUrl: () => b2.apiUrl });
  const valuesOf = (k: B2Key, extra: Record<string, string> = {}) => ({ S3_REGION: 'us-west-004', S3_ENDPOINT: b2.s3Url, S3_BUCKET: b2.bucket, S3_ACCESS_KEY_ID: k.keyId, S3_SECRET_ACCESS_KEY: k.applicationKey, ...extra });

  test('a key that may manage keys itself needs no admin key', async () => {
    const self = b2.createKey({ keyName: 'self-managing', capabilities: [...READ_WRITE, 'listKeys', 'writeKeys', 'deleteKeys'] });
    assert.equal(await adminKeyNeeded(valuesOf(self), io()), false);
    assert.equal(await adminKeyNeeded(valuesOf(b2.keys.app), io()), true);
    const made = await keyRotation.create!(valuesOf(self), io(), '2026-01-02T03:04:05.678Z');
    const k = b2.keyById(made.values.S3_ACCESS_KEY_ID!)!;
    assert.equal(k.keyName, `${b2.bucket}-rotated-20260102T030405678Z`);
    assert.deepEqual(k.capabilities, self.capabilities);
    assert.equal(k.buckets, null);
    assert.equal(b2.requests.filter((q) => q.op === 'b2_create_key').at(-1)!.keyId, self.keyId, 'made with the key itself');
    // Revoked with the new key (what .env holds then).
    const line = await keyRotation.revoke!(valuesOf(k), io(), made.old!);
    assert.equal(line, `deleted the old B2 application key ${self.keyId}`);
    assert.equal(b2.keyState(self.keyId), 'deleted');
    b2.deleteKey(k.keyId);
  });

  test('without an admin key, a bucket-restricted key gets one line naming the capabilities and the variables', async () => {
    await assert.rejects(keyRotation.create!(valuesOf(b2.keys.app), io(), new Date().toISOString()), (e: Error & { hint?: string }) => {
      assert.match(e.message, /^keyID \w+ \(S3_ACCESS_KEY_ID\) lacks the listKeys, writeKeys, deleteKeys capabilities needed to rotate B2 application keys$/);
      assert.match(e.hint!, /B2_ADMIN_KEY_ID and B2_ADMIN_APPLICATION_KEY/);
      return true;
    });
  });

  test('namePrefix and the bucket restriction are copied; cleanup finds the key by its tag', async () => {
    const old = b2.createKey({ keyName: 'prefixed', capabilities: ['listFiles', 'readFiles', 'writeFiles'], buckets: [b2.bucket], namePrefix: 'uploads/' });
    const withAdmin = valuesOf(old, { B2_ADMIN_KEY_ID: b2.keys.master.keyId, B2_ADMIN_APPLICATION_KEY: b2.keys.master.applicationKey });
    const tag = '2026-02-03T04:05:06.789Z';
    const made = await keyRotation.create!(withAdmin, io(), tag);
    const k = b2.keyById(made.values.S3_ACCESS_KEY_ID!)!;
    assert.deepEqual({ caps: k.capabilities, buckets: k.buckets, namePrefix: k.namePrefix }, { caps: old.capabilities, buckets: [b2.bucket], namePrefix: 'uploads/' });
    assert.deepEqual(made.old, { keyId: old.keyId, accountId: b2.accountId });
    assert.deepEqual(made.new, { keyId: k.keyId, keyName: k.keyName, accountId: b2.accountId });
    const other = await keyRotation.cleanup!(withAdmin, io(), '2026-02-03T04:05:06.790Z');
    assert.deepEqual(other, [], 'another tag finds nothing');
    const lines = await keyRotation.cleanup!(withAdmin, io(), tag);
    assert.deepEqual(lines, [`deleted B2 application key ${k.keyId} (${k.keyName}), made by the interrupted rotation`]);
    assert.equal(b2.keyState(k.keyId), 'deleted');
    assert.equal(b2.keyState(old.keyId), 'live', 'the .env key stays');
    b2.deleteKey(old.keyId);
  });
});
