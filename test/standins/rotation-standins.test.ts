// Secret rotation at the stand-in level, driven the way the product drives the real services: fetch for the
// B2 native API and Auth0, the real @aws-sdk/client-s3 for B2's S3 API, the real `stripe` SDK for Stripe.
// Each rotation step is proven end to end: the new secret works where the old one did, the old one stops
// working, and the contracts' error answers (../shared/specs/) come back where a step is not allowed.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type StripeSDK from 'stripe';
import { startB2, type B2Standin } from './b2.ts';
import { CLIENTS, startAuth0, type Auth0Standin } from './auth0.ts';
import { KEYS, startStripe, type StripeStandin } from './stripe.ts';

// --- Backblaze B2 ---------------------------------------------------------------------------------------------

describe('B2: b2_create_key / b2_list_keys / b2_delete_key', () => {
  let b2: B2Standin;
  let sdk: typeof import('@aws-sdk/client-s3');
  before(async () => {
    b2 = await startB2();
    sdk = await import('@aws-sdk/client-s3');
  });
  after(() => b2?.stop());
  afterEach(() => b2.clearFaults());

  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  interface Answer {
    status: number;
    body: Record<string, unknown>;
    headers: Headers;
  }
  async function authorize(keyId: string, secret: string): Promise<Answer> {
    const r = await fetch(`${b2.apiUrl}/b2api/v4/b2_authorize_account`, { headers: { authorization: basic(keyId, secret) } });
    return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
  }
  async function token(keyId: string, secret: string): Promise<string> {
    const a = await authorize(keyId, secret);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    return a.body.authorizationToken as string;
  }
  async function call(op: string, authToken: string, body: Record<string, unknown>): Promise<Answer> {
    const r = await fetch(`${b2.apiUrl}/b2api/v4/${op}`, { method: 'POST', headers: { authorization: authToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await r.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { unparsable: text };
    }
    return { status: r.status, body: parsed, headers: r.headers };
  }
  const master = () => token(b2.keys.master.keyId, b2.keys.master.applicationKey);
  const bucketId = async (name: string) => {
    const r = await call('b2_list_buckets', await master(), { accountId: b2.accountId, bucketName: name });
    return ((r.body.buckets as { bucketId: string }[])[0]!).bucketId;
  };

  const s3 = (keyId: string, secret: string) =>
    new sdk.S3Client({
      endpoint: b2.s3Url,
      region: 'us-west-004',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: keyId, secretAccessKey: secret },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  /** 'ok' or the S3 error code the real SDK reports. */
  async function outcome(sent: Promise<unknown>): Promise<string> {
    try {
      await sent;
      return 'ok';
    } catch (e) {
      return (e as Error).name;
    }
  }
  const put = (bucket: string, key: string) => new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x', ContentType: 'text/plain' });

  test('b2_authorize_account reports the capabilities, buckets, namePrefix and expiry of the key used', async () => {
    const m = await authorize(b2.keys.master.keyId, b2.keys.master.applicationKey);
    const allowed = (m.body.apiInfo as { storageApi: { allowed: Record<string, unknown> } }).storageApi.allowed;
    assert.deepEqual(allowed.buckets, null);
    assert.ok((allowed.capabilities as string[]).includes('writeKeys') && (allowed.capabilities as string[]).includes('deleteKeys'));
    assert.equal(m.body.applicationKeyExpirationTimestamp, null);

    const r = await authorize(b2.keys.readOnly.keyId, b2.keys.readOnly.applicationKey);
    const ro = (r.body.apiInfo as { storageApi: { allowed: Record<string, unknown> } }).storageApi.allowed;
    assert.deepEqual(ro, { buckets: [{ id: await bucketId(b2.bucket), name: b2.bucket }], capabilities: b2.keys.readOnly.capabilities, namePrefix: null });
  });

  test('a created key is returned once with its secret, works on the S3 API with exactly its capabilities, bucket and namePrefix', async () => {
    const tok = await master();
    const id = await bucketId(b2.bucket);
    const caps = ['listBuckets', 'listFiles', 'readFiles', 'writeFiles'];
    const created = await call('b2_create_key', tok, { accountId: b2.accountId, keyName: 'uploads-only', capabilities: caps, bucketIds: [id], namePrefix: 'uploads/' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const { applicationKeyId, applicationKey } = created.body as { applicationKeyId: string; applicationKey: string };
    assert.deepEqual(created.body, {
      accountId: b2.accountId,
      applicationKeyId,
      applicationKey,
      capabilities: caps,
      keyName: 'uploads-only',
      expirationTimestamp: null,
      bucketIds: [id],
      namePrefix: 'uploads/',
      options: ['s3'],
    });
    assert.match(applicationKeyId, /^004[0-9a-f]{10}\d{12}$/);
    assert.match(applicationKey, /^K004[A-Za-z0-9]{27}$/);

    // Native: the new pair authorizes and reports what it was given.
    const a = await authorize(applicationKeyId, applicationKey);
    assert.deepEqual((a.body.apiInfo as { storageApi: { allowed: unknown } }).storageApi.allowed, { buckets: [{ id, name: b2.bucket }], capabilities: caps, namePrefix: 'uploads/' });

    // S3: the same pair is the access key; writes under the prefix only, in its bucket only, no deletes.
    const c = s3(applicationKeyId, applicationKey);
    try {
      assert.equal(await outcome(c.send(put(b2.bucket, 'uploads/a.txt'))), 'ok');
      assert.equal(await outcome(c.send(new sdk.GetObjectCommand({ Bucket: b2.bucket, Key: 'uploads/a.txt' }))), 'ok');
      assert.equal(await outcome(c.send(new sdk.ListObjectsV2Command({ Bucket: b2.bucket, Prefix: 'uploads/' }))), 'ok');
      assert.equal(await outcome(c.send(put(b2.bucket, 'elsewhere.txt'))), 'AccessDenied', 'outside namePrefix');
      assert.equal(await outcome(c.send(new sdk.ListObjectsV2Command({ Bucket: b2.bucket }))), 'AccessDenied', 'listing outside namePrefix');
      assert.equal(await outcome(c.send(new sdk.DeleteObjectCommand({ Bucket: b2.bucket, Key: 'uploads/a.txt' }))), 'AccessDenied', 'no deleteFiles');
      assert.equal(await outcome(c.send(put(b2.otherBucket, 'uploads/a.txt'))), 'AccessDenied', 'other bucket');
      // the last character changed (a key that already ends in x gets a y: 1 key in 62 did, and the "wrong" key was the right one)
      const wrong = s3(applicationKeyId, `${applicationKey.slice(0, -1)}${applicationKey.endsWith('x') ? 'y' : 'x'}`);
      assert.equal(await outcome(wrong.send(put(b2.bucket, 'uploads/b.txt'))), 'SignatureDoesNotMatch');
      wrong.destroy();
    } finally {
      c.destroy();
    }
    assert.deepEqual(await b2.objects(b2.bucket, 'uploads/'), ['uploads/a.txt']);
    assert.equal(b2.keyState(applicationKeyId), 'live');
    assert.ok(b2.liveKeys().some((k) => k.keyId === applicationKeyId && k.applicationKey === applicationKey));
    // A single v3-style bucketId restricts too; no bucket at all = every bucket.
    const v3 = await call('b2_create_key', tok, { accountId: b2.accountId, keyName: 'v3-style', capabilities: ['readFiles'], bucketId: id });
    assert.deepEqual(v3.body.bucketIds, [id]);
    const wide = await call('b2_create_key', tok, { accountId: b2.accountId, keyName: 'everywhere', capabilities: ['writeFiles'] });
    const w = s3(wide.body.applicationKeyId as string, wide.body.applicationKey as string);
    try {
      assert.equal(await outcome(w.send(put(b2.otherBucket, 'any.txt'))), 'ok');
      assert.equal(await outcome(w.send(new sdk.GetObjectCommand({ Bucket: b2.otherBucket, Key: 'any.txt' }))), 'AccessDenied', 'no readFiles');
    } finally {
      w.destroy();
    }
  });

  test('b2_list_keys lists application keys without secrets, sorted, in pages', async () => {
    const tok = await master();
    const all = await call('b2_list_keys', tok, { accountId: b2.accountId });
    assert.equal(all.status, 200);
    const listed = all.body.keys as Record<string, unknown>[];
    assert.equal(all.body.nextApplicationKeyId, null);
    const ids = listed.map((k) => k.applicationKeyId as string);
    assert.deepEqual(ids, b2.liveKeys().map((k) => k.keyId));
    assert.deepEqual([...ids].sort(), ids);
    assert.ok(!ids.includes(b2.keys.master.keyId), 'the master key is not an application key');
    assert.ok(ids.includes(b2.keys.full.keyId));
    for (const k of listed) {
      assert.equal(k.applicationKey, undefined, 'no secret after creation');
      assert.deepEqual(Object.keys(k).sort(), ['accountId', 'applicationKeyId', 'bucketIds', 'capabilities', 'expirationTimestamp', 'keyName', 'namePrefix', 'options']);
    }
    const full = listed.find((k) => k.applicationKeyId === b2.keys.full.keyId)!;
    assert.deepEqual(full.bucketIds, [await bucketId(b2.bucket)]);

    const page1 = await call('b2_list_keys', tok, { accountId: b2.accountId, maxKeyCount: 2 });
    assert.deepEqual((page1.body.keys as { applicationKeyId: string }[]).map((k) => k.applicationKeyId), ids.slice(0, 2));
    assert.equal(page1.body.nextApplicationKeyId, ids[2]);
    const page2 = await call('b2_list_keys', tok, { accountId: b2.accountId, maxKeyCount: 2, startApplicationKeyId: page1.body.nextApplicationKeyId });
    assert.deepEqual((page2.body.keys as { applicationKeyId: string }[]).map((k) => k.applicationKeyId), ids.slice(2, 4));

    const bad = await call('b2_list_keys', tok, { accountId: b2.accountId, maxKeyCount: 0 });
    assert.deepEqual([bad.status, bad.body.code], [400, 'bad_request']);
  });

  test('the whole rotation: create with the old key\'s settings, prove it, delete the old one; the old one stops working on both APIs', async () => {
    const tok = await master();
    const id = await bucketId(b2.bucket);
    // The key in .env today (made earlier, as a user would in the web UI).
    const old = b2.createKey({ keyName: 'app-2025', capabilities: ['listBuckets', 'listFiles', 'readFiles', 'writeFiles', 'deleteFiles'], buckets: [b2.bucket] });
    const oldToken = await token(old.keyId, old.applicationKey);
    const oldS3 = s3(old.keyId, old.applicationKey);
    assert.equal(await outcome(oldS3.send(put(b2.bucket, 'rotation/before.txt'))), 'ok');

    // 1. Read the old key's settings (b2_list_keys) and create its successor with them.
    const listed = (await call('b2_list_keys', tok, { accountId: b2.accountId, maxKeyCount: 1000 })).body.keys as Record<string, unknown>[];
    const settings = listed.find((k) => k.applicationKeyId === old.keyId)!;
    const made = await call('b2_create_key', tok, {
      accountId: b2.accountId,
      keyName: 'app-2026',
      capabilities: settings.capabilities,
      bucketIds: settings.bucketIds,
      ...(settings.namePrefix ? { namePrefix: settings.namePrefix } : {}),
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const next = { keyId: made.body.applicationKeyId as string, secret: made.body.applicationKey as string };
    assert.notEqual(next.keyId, old.keyId);

    // 2. Prove the new pair on both APIs before switching.
    const newToken = await token(next.keyId, next.secret);
    assert.equal((await call('b2_list_buckets', newToken, { accountId: b2.accountId, bucketId: id })).status, 200);
    const newS3 = s3(next.keyId, next.secret);
    assert.equal(await outcome(newS3.send(put(b2.bucket, 'rotation/after.txt'))), 'ok');
    assert.equal(await outcome(newS3.send(new sdk.GetObjectCommand({ Bucket: b2.bucket, Key: 'rotation/before.txt' }))), 'ok', 'same bucket, same objects');

    // 3. Delete the old key: the answer is the deleted key, without its secret.
    const del = await call('b2_delete_key', tok, { applicationKeyId: old.keyId });
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { ...settings });
    assert.equal(del.body.applicationKey, undefined);

    // The old pair is dead everywhere; the new one keeps working.
    assert.equal(await outcome(oldS3.send(put(b2.bucket, 'rotation/late.txt'))), 'InvalidAccessKeyId');
    assert.deepEqual((await authorize(old.keyId, old.applicationKey)).body, { status: 401, code: 'unauthorized', message: '' });
    const stale = await call('b2_list_buckets', oldToken, { accountId: b2.accountId, bucketId: id });
    assert.deepEqual([stale.status, stale.body.code], [401, 'bad_auth_token']);
    assert.equal(await outcome(newS3.send(put(b2.bucket, 'rotation/later.txt'))), 'ok');
    oldS3.destroy();
    newS3.destroy();

    assert.equal(b2.keyState(old.keyId), 'deleted');
    assert.equal(b2.keyState(next.keyId), 'live');
    assert.ok(!b2.liveKeys().some((k) => k.keyId === old.keyId));
    assert.ok(b2.liveKeys().some((k) => k.keyId === next.keyId));
    const after = (await call('b2_list_keys', tok, { accountId: b2.accountId, maxKeyCount: 1000 })).body.keys as { applicationKeyId: string }[];
    assert.ok(!after.some((k) => k.applicationKeyId === old.keyId));

    // Deleting it again: the contract's key_not_found body.
    const again = await call('b2_delete_key', tok, { applicationKeyId: old.keyId });
    assert.deepEqual([again.status, again.body], [400, { status: 400, code: 'bad_request', message: `application key does not exist: ${old.keyId}` }]);
    assert.deepEqual((await call('b2_delete_key', tok, { applicationKeyId: b2.keys.master.keyId })).body.code, 'bad_request', 'the master key is not deletable');
  });

  test('a key may delete itself; its own token stops working', async () => {
    const self = b2.createKey({ keyName: 'short-lived-admin', capabilities: ['listKeys', 'deleteKeys'] });
    const tok = await token(self.keyId, self.applicationKey);
    assert.equal((await call('b2_delete_key', tok, { applicationKeyId: self.keyId })).status, 200);
    assert.equal((await call('b2_list_keys', tok, { accountId: b2.accountId })).body.code, 'bad_auth_token');
  });

  test('capabilities: writeKeys to create, listKeys to list, deleteKeys to delete (401 unauthorized); bad tokens 401 bad_auth_token', async () => {
    const noKeys = await token(b2.keys.full.keyId, b2.keys.full.applicationKey);
    const create = await call('b2_create_key', noKeys, { accountId: b2.accountId, keyName: 'nope', capabilities: ['readFiles'] });
    assert.deepEqual([create.status, create.body.code], [401, 'unauthorized']);
    const list = await call('b2_list_keys', noKeys, { accountId: b2.accountId });
    assert.deepEqual([list.status, list.body.code], [401, 'unauthorized']);
    const writer = b2.createKey({ keyName: 'writer-only', capabilities: ['writeKeys'] });
    const wTok = await token(writer.keyId, writer.applicationKey);
    const made = await call('b2_create_key', wTok, { accountId: b2.accountId, keyName: 'made-by-writer', capabilities: ['readFiles'] });
    assert.equal(made.status, 200);
    const del = await call('b2_delete_key', wTok, { applicationKeyId: made.body.applicationKeyId });
    assert.deepEqual([del.status, del.body.code], [401, 'unauthorized']);
    assert.equal(b2.keyState(made.body.applicationKeyId as string), 'live', 'nothing deleted');

    for (const auth of ['', 'Bearer nonsense', '4_not_a_token']) {
      const r = await call('b2_create_key', auth, { accountId: b2.accountId, keyName: 'x', capabilities: ['readFiles'] });
      assert.deepEqual(r.body, { status: 401, code: 'bad_auth_token', message: 'Invalid authorization token' }, auth);
    }
    const tok = await master();
    const otherAccount = await call('b2_list_keys', tok, { accountId: '000000000000' });
    assert.deepEqual([otherAccount.status, otherAccount.body.code], [401, 'unauthorized']);
  });

  test('b2_create_key input errors follow the contract (400 bad_json / bad_request / bad_bucket_id)', async () => {
    const tok = await master();
    const id = await bucketId(b2.bucket);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ capabilities: ['readFiles'] }, 'bad_json', /^required field keyName is missing$/],
      [{ keyName: 'k' }, 'bad_json', /^required field capabilities is missing$/],
      [{ keyName: 'has space', capabilities: ['readFiles'] }, 'bad_json', /illegal key name/],
      [{ keyName: 'k'.repeat(101), capabilities: ['readFiles'] }, 'bad_json', /illegal key name/],
      [{ keyName: 'k', capabilities: [] }, 'bad_json', /capabilities/],
      [{ keyName: 'k', capabilities: ['readFiles', 'flyToTheMoon'] }, 'bad_request', /unknown capability: flyToTheMoon/],
      [{ keyName: 'k', capabilities: ['readFiles'], validDurationInSeconds: 0 }, 'bad_json', /valid duration/],
      [{ keyName: 'k', capabilities: ['readFiles'], validDurationInSeconds: 86_400_001 }, 'bad_json', /valid duration/],
      [{ keyName: 'k', capabilities: ['readFiles'], bucketIds: ['nosuchbucket0000'] }, 'bad_bucket_id', /nosuchbucket0000/],
      [{ keyName: 'k', capabilities: ['readFiles', 'writeKeys'], bucketIds: [id] }, 'bad_request', /writeKeys cannot be given to a key restricted to buckets/],
    ];
    const before = b2.liveKeys().length;
    for (const [body, code, message] of cases) {
      const r = await call('b2_create_key', tok, { accountId: b2.accountId, ...body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.code, code, JSON.stringify(body));
      assert.equal(r.body.status, 400);
      assert.match(r.body.message as string, message);
    }
    assert.equal(b2.liveKeys().length, before, 'no key was created');
    const noId = await call('b2_delete_key', tok, {});
    assert.deepEqual(noId.body, { status: 400, code: 'bad_json', message: 'required field applicationKeyId is missing' });
    const noAccount = await call('b2_list_keys', tok, {});
    assert.deepEqual(noAccount.body, { status: 400, code: 'bad_json', message: 'required field accountId is missing' });
  });

  test('validDurationInSeconds: expirationTimestamp is reported; once past, the key works on neither API', async () => {
    const tok = await master();
    const t0 = Date.now();
    const made = await call('b2_create_key', tok, { accountId: b2.accountId, keyName: 'temporary', capabilities: ['readFiles', 'writeFiles'], validDurationInSeconds: 3600 });
    const exp = made.body.expirationTimestamp as number;
    assert.ok(exp >= t0 + 3_600_000 && exp <= Date.now() + 3_600_000, String(exp));
    const { applicationKeyId: keyId, applicationKey: secret } = made.body as { applicationKeyId: string; applicationKey: string };
    const a = await authorize(keyId, secret);
    assert.equal(a.body.applicationKeyExpirationTimestamp, exp);
    const c = s3(keyId, secret);
    try {
      assert.equal(await outcome(c.send(put(b2.bucket, 'tmp/x.txt'))), 'ok');
      const t = a.body.authorizationToken as string;
      b2.advanceClock(3_601_000);
      assert.equal(b2.keyState(keyId), 'expired');
      assert.equal(await outcome(c.send(put(b2.bucket, 'tmp/y.txt'))), 'InvalidAccessKeyId');
      assert.deepEqual((await authorize(keyId, secret)).body, { status: 401, code: 'unauthorized', message: '' });
      assert.equal((await call('b2_list_buckets', t, { accountId: b2.accountId })).body.code, 'expired_auth_token');
      // Still listed (with its expirationTimestamp) until deleted, but no longer among the live keys.
      const listed = (await call('b2_list_keys', tok, { accountId: b2.accountId, maxKeyCount: 1000 })).body.keys as { applicationKeyId: string }[];
      assert.ok(listed.some((k) => k.applicationKeyId === keyId));
      assert.ok(!b2.liveKeys().some((k) => k.keyId === keyId));
      assert.equal((await call('b2_delete_key', tok, { applicationKeyId: keyId })).status, 200);
      assert.equal(b2.keyState(keyId), 'deleted');
    } finally {
      c.destroy();
    }
  });

  test('faults by operation name: b2_create_key, b2_list_keys, b2_delete_key', async () => {
    const tok = await master();
    const before = b2.liveKeys().length;

    b2.fail({ api: 'b2', op: 'b2_create_key', status: 503, times: 1 });
    const down = await call('b2_create_key', tok, { accountId: b2.accountId, keyName: 'during-outage', capabilities: ['readFiles'] });
    assert.deepEqual([down.status, down.body], [503, { status: 503, code: 'service_unavailable', message: '' }]);
    assert.equal(b2.liveKeys().length, before, 'a failed create makes no key');
    const retried = await call('b2_create_key', tok, { accountId: b2.accountId, keyName: 'after-outage', capabilities: ['readFiles'] });
    assert.equal(retried.status, 200, 'times: 1 — the next call goes through');

    b2.fail({ api: 'b2', op: 'b2_list_keys', status: 429, retryAfter: 7, times: 1 });
    const limited = await call('b2_list_keys', tok, { accountId: b2.accountId });
    assert.deepEqual([limited.status, limited.body.code, limited.headers.get('retry-after')], [429, 'too_many_requests', '7']);

    b2.fail({ api: 'b2', op: 'b2_list_keys', malformed: true, times: 1 });
    assert.ok('unparsable' in (await call('b2_list_keys', tok, { accountId: b2.accountId })).body);

    const doomed = retried.body.applicationKeyId as string;
    b2.fail({ api: 'b2', op: 'b2_delete_key', reset: true, times: 1 });
    await assert.rejects(call('b2_delete_key', tok, { applicationKeyId: doomed }));
    assert.equal(b2.keyState(doomed), 'live', 'a reset delete deletes nothing');
    const remove = b2.fail({ api: 'b2', op: 'b2_delete_key', status: 500, code: 'internal_error', message: 'boom' });
    assert.deepEqual((await call('b2_delete_key', tok, { applicationKeyId: doomed })).body, { status: 500, code: 'internal_error', message: 'boom' });
    remove();
    assert.equal((await call('b2_delete_key', tok, { applicationKeyId: doomed })).status, 200);

    const ops = b2.requests.filter((r) => r.api === 'b2' && (r.op.endsWith('_key') || r.op === 'b2_list_keys')).slice(-3);
    assert.ok(ops.every((r) => r.keyId === b2.keys.master.keyId), 'the request log names the key each call was made with');
  });
});

// --- Auth0 ------------------------------------------------------------------------------------------------------

describe('Auth0: POST /api/v2/clients/{id}/rotate-secret', () => {
  let a0: Auth0Standin;
  before(async () => {
    a0 = await startAuth0();
  });
  after(() => a0?.stop());
  afterEach(() => a0.clearFaults());

  /** client_credentials at the oidc-provider token endpoint, as the product asks (form, client_secret_post). */
  async function tokenFor(clientId: string, secret: string, audience = a0.managementAudience) {
    const r = await fetch(`${a0.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience }),
    });
    return { status: r.status, body: (await r.json()) as Record<string, string> };
  }
  async function bearer(clientId: string, secret: string): Promise<string> {
    const t = await tokenFor(clientId, secret);
    assert.equal(t.status, 200, JSON.stringify(t.body));
    return t.body.access_token!;
  }
  async function mgmt(method: string, path: string, tok?: string) {
    const r = await fetch(`${a0.url}/api/v2${path}`, { method, headers: tok ? { authorization: `Bearer ${tok}` } : {} });
    return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
  }

  test('rotating a client\'s secret: the answer carries the new secret; the old one is refused at /oauth/token, the new one accepted', async () => {
    const admin = await bearer(CLIENTS.rotator.client_id, CLIENTS.rotator.client_secret);
    const id = CLIENTS.full.client_id;
    const old = a0.secretOf(id);
    assert.equal(old, CLIENTS.full.client_secret);
    assert.equal((await tokenFor(id, old)).status, 200);

    const r = await mgmt('POST', `/clients/${id}/rotate-secret`, admin);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const fresh = r.body.client_secret as string;
    assert.match(fresh, /^[A-Za-z0-9_-]{64}$/);
    assert.notEqual(fresh, old);
    assert.equal(r.body.client_id, id);
    assert.equal(r.body.name, CLIENTS.full.name);
    assert.equal(a0.secretOf(id), fresh);
    assert.equal(a0.app(id).client_secret, fresh);

    const refused = await tokenFor(id, old);
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error, 'invalid_client');
    const accepted = await tokenFor(id, fresh);
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.token_type, 'Bearer');
    assert.equal(accepted.body.scope, 'read:clients update:clients', 'the client grant is untouched');
    assert.equal((await tokenFor(id, fresh, a0.apiAudience)).status, 200, 'for every API');

    // Read back: read:client_keys shows the secret, read:clients alone does not.
    const shown = await mgmt('GET', `/clients/${id}`, admin);
    assert.equal(shown.body.client_secret, fresh);
    const plain = await mgmt('GET', `/clients/${id}`, accepted.body.access_token);
    assert.equal(plain.status, 200);
    assert.equal(plain.body.client_secret, undefined);
    assert.deepEqual(plain.body.callbacks, []);

    // A second rotation invalidates the first new secret too.
    const again = await mgmt('POST', `/clients/${id}/rotate-secret`, admin);
    assert.equal((await tokenFor(id, fresh)).status, 401);
    assert.equal((await tokenFor(id, again.body.client_secret as string)).status, 200);
  });

  test('a client may rotate its own secret: its current token keeps working, its old secret gets no new one', async () => {
    const id = CLIENTS.rotator.client_id;
    const old = a0.secretOf(id);
    const tok = await bearer(id, old);
    const r = await mgmt('POST', `/clients/${id}/rotate-secret`, tok);
    assert.equal(r.status, 200);
    assert.equal((await mgmt('GET', `/clients/${id}`, tok)).status, 200, 'access tokens already issued stay valid');
    assert.equal((await tokenFor(id, old)).status, 401);
    assert.equal((await tokenFor(id, r.body.client_secret as string)).status, 200);
    assert.equal(a0.rotateSecret(id) === a0.secretOf(id), true, 'the handle rotates too (as the Dashboard would)');
    assert.equal((await tokenFor(id, r.body.client_secret as string)).status, 401);
  });

  test('errors per the contract: 401 invalid token, 403 insufficient scope, 404 unknown client, and only POST', async () => {
    const admin = await bearer(CLIENTS.rotator.client_id, a0.secretOf(CLIENTS.rotator.client_id));
    const id = CLIENTS.noGrant.client_id;
    const before = a0.secretOf(id);

    const none = await mgmt('POST', `/clients/${id}/rotate-secret`);
    assert.deepEqual([none.status, none.body.statusCode, none.body.error, none.body.errorCode], [401, 401, 'Unauthorized', 'invalid_token']);
    const forged = await mgmt('POST', `/clients/${id}/rotate-secret`, 'eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6InVwZGF0ZTpjbGllbnRfa2V5cyJ9.c2ln');
    assert.deepEqual(forged.body, { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', errorCode: 'invalid_token' });

    const updateOnly = await bearer(CLIENTS.full.client_id, a0.secretOf(CLIENTS.full.client_id)); // read:clients update:clients
    const scope = await mgmt('POST', `/clients/${id}/rotate-secret`, updateOnly);
    assert.deepEqual(scope.body, { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: update:client_keys', errorCode: 'insufficient_scope' });

    const missing = await mgmt('POST', '/clients/NoSuchClient000000000000000000/rotate-secret', admin);
    assert.deepEqual(missing.body, { statusCode: 404, error: 'Not Found', message: 'The client does not exist', errorCode: 'inexistent_client' });

    assert.equal((await mgmt('GET', `/clients/${id}/rotate-secret`, admin)).status, 404);
    assert.equal(a0.secretOf(id), before, 'no refused call rotated anything');
  });

  test('faults on rotate-secret: an injected 429 (Retry-After, X-RateLimit-*) rotates nothing; a reset neither', async () => {
    const admin = await bearer(CLIENTS.rotator.client_id, a0.secretOf(CLIENTS.rotator.client_id));
    const id = CLIENTS.readOnly.client_id;
    const before = a0.secretOf(id);
    a0.fail(/^\/api\/v2\/clients\/[^/]+\/rotate-secret$/, { method: 'POST', status: 429, retryAfter: 3, times: 1 });
    const limited = await mgmt('POST', `/clients/${id}/rotate-secret`, admin);
    assert.deepEqual(limited.body, { statusCode: 429, error: 'Too Many Requests', message: 'Global limit has been reached' });
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(limited.headers.get('x-ratelimit-reset')) >= Math.floor(Date.now() / 1000));
    assert.equal(a0.secretOf(id), before);

    a0.fail(`/api/v2/clients/${id}/rotate-secret`, { reset: true, times: 1 });
    await assert.rejects(mgmt('POST', `/clients/${id}/rotate-secret`, admin));
    assert.equal(a0.secretOf(id), before);

    assert.equal((await mgmt('POST', `/clients/${id}/rotate-secret`, admin)).status, 200, 'times: 1 each');
    assert.notEqual(a0.secretOf(id), before);
  });

  test('GET /api/v2/clients/{id}: fields by scope as the contract lists them', async () => {
    const id = CLIENTS.noManagement.client_id;
    const admin = await bearer(CLIENTS.rotator.client_id, a0.secretOf(CLIENTS.rotator.client_id));
    const withFields = await mgmt('GET', `/clients/${id}?fields=client_id,client_secret&include_fields=true`, admin);
    assert.deepEqual(withFields.body, { client_id: id, client_secret: a0.secretOf(id) });
    const noRead = await bearer(CLIENTS.noReadScope.client_id, CLIENTS.noReadScope.client_secret); // read:users only
    const refused = await mgmt('GET', `/clients/${id}`, noRead);
    assert.deepEqual([refused.status, refused.body.errorCode], [403, 'insufficient_scope']);
  });
});

// --- Stripe -----------------------------------------------------------------------------------------------------

describe('Stripe: webhook signing secret rotation (/v1/webhook_endpoints)', () => {
  let sx: StripeStandin;
  let stripe: StripeSDK;
  before(async () => {
    sx = await startStripe();
    const { default: Stripe } = await import('stripe');
    stripe = new Stripe(KEYS.test, { host: '127.0.0.1', port: sx.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  });
  after(() => sx?.stop());
  afterEach(() => sx.clearFaults());

  const URL_ = 'https://app.example.com/api/webhooks/stripe';
  const EVENTS: StripeSDK.WebhookEndpointCreateParams.EnabledEvent[] = ['checkout.session.completed', 'invoice.payment_failed'];

  test('create → list → delete the old one: each endpoint has its own whsec_ secret, returned only at creation', async () => {
    const old = await stripe.webhookEndpoints.create({ url: URL_, enabled_events: EVENTS });
    const fresh = await stripe.webhookEndpoints.create({ url: URL_, enabled_events: EVENTS, description: 'rotated' });
    assert.match(old.secret!, /^whsec_[A-Za-z0-9]{32}$/);
    assert.match(fresh.secret!, /^whsec_[A-Za-z0-9]{32}$/);
    assert.notEqual(old.secret, fresh.secret);
    assert.equal(sx.state.webhookSecrets.get(fresh.id), fresh.secret);

    const retrieved = await stripe.webhookEndpoints.retrieve(fresh.id);
    assert.equal(retrieved.secret, undefined);
    const listed = await stripe.webhookEndpoints.list({ limit: 100 });
    assert.equal(listed.object, 'list');
    assert.deepEqual(listed.data.slice(0, 2).map((e) => e.id), [fresh.id, old.id], 'newest first');
    assert.ok(listed.data.every((e) => e.secret === undefined));

    const deleted = await stripe.webhookEndpoints.del(old.id);
    assert.deepEqual({ ...deleted }, { id: old.id, object: 'webhook_endpoint', deleted: true });
    assert.ok(!(await stripe.webhookEndpoints.list({ limit: 100 })).data.some((e) => e.id === old.id));
    assert.ok(!sx.state.webhookEndpoints.has(old.id) && !sx.state.webhookSecrets.has(old.id));

    // Events now come signed with the new secret only: the SDK's verifier takes it and refuses the old one.
    const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'checkout.session.completed' });
    const header = sx.signEvent(fresh.id, payload);
    assert.equal(stripe.webhooks.constructEvent(payload, header, fresh.secret!).id, 'evt_1');
    assert.throws(() => stripe.webhooks.constructEvent(payload, header, old.secret!), /No signatures found matching the expected signature/);
    assert.throws(() => sx.signEvent(old.id, payload), /no webhook endpoint/);
  });

  test('deleting an unknown or already deleted endpoint: 404 resource_missing with Stripe\'s error body', async () => {
    const e = await stripe.webhookEndpoints.create({ url: URL_, enabled_events: ['*'] });
    await stripe.webhookEndpoints.del(e.id);
    for (const id of [e.id, 'we_doesNotExist000000000000']) {
      const err = await stripe.webhookEndpoints.del(id).then(
        () => assert.fail('deleted twice'),
        (x: unknown) => x as { type: string; statusCode: number; code: string; message: string; raw: Record<string, unknown> },
      );
      assert.equal(err.type, 'StripeInvalidRequestError');
      assert.equal(err.statusCode, 404);
      assert.equal(err.code, 'resource_missing');
      assert.equal(err.message, `No such webhook endpoint: '${id}'`);
    }
    // The raw answer, as any HTTP client sees it.
    const r = await fetch(`${sx.url}/v1/webhook_endpoints/we_doesNotExist000000000000`, { method: 'DELETE', headers: { authorization: `Bearer ${KEYS.test}` } });
    assert.equal(r.status, 404);
    assert.deepEqual(await r.json(), {
      error: {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: "No such webhook endpoint: 'we_doesNotExist000000000000'",
        param: 'id',
        type: 'invalid_request_error',
      },
    });
  });

  test('listing pages: limit, starting_after, ending_before; test and live endpoints are separate', async () => {
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await stripe.webhookEndpoints.create({ url: `${URL_}?n=${i}`, enabled_events: ['*'] }));
    const newest = [...mine].reverse().map((e) => e.id);
    const p1 = await stripe.webhookEndpoints.list({ limit: 2 });
    assert.deepEqual(p1.data.map((e) => e.id), newest.slice(0, 2));
    assert.equal(p1.has_more, true);
    const p2 = await stripe.webhookEndpoints.list({ limit: 1, starting_after: newest[1] });
    assert.deepEqual(p2.data.map((e) => e.id), [newest[2]]);
    const back = await stripe.webhookEndpoints.list({ limit: 2, ending_before: newest[2] });
    assert.deepEqual(back.data.map((e) => e.id), newest.slice(0, 2));
    const live = sx.addWebhookEndpoint({ url: URL_, mode: 'live' });
    assert.ok(!(await stripe.webhookEndpoints.list({ limit: 100 })).data.some((e) => e.id === live.id));
    await assert.rejects(stripe.webhookEndpoints.del(live.id), (e: { statusCode?: number }) => e.statusCode === 404);
  });

  test('faults by path and method on create and delete', async () => {
    sx.fail('/v1/webhook_endpoints', { method: 'POST', status: 500, times: 1 });
    const before = sx.state.webhookEndpoints.size;
    await assert.rejects(stripe.webhookEndpoints.create({ url: URL_, enabled_events: ['*'] }), (e: { type?: string; statusCode?: number }) => e.type === 'StripeAPIError' && e.statusCode === 500);
    assert.equal(sx.state.webhookEndpoints.size, before, 'nothing created');
    const e = await stripe.webhookEndpoints.create({ url: URL_, enabled_events: ['*'] });

    sx.fail(/^\/v1\/webhook_endpoints\/we_/, { method: 'DELETE', status: 429, retryAfter: 2, times: 1 });
    await assert.rejects(stripe.webhookEndpoints.del(e.id), (x: { type?: string; code?: string }) => x.type === 'StripeRateLimitError' && x.code === 'rate_limit');
    assert.ok(sx.state.webhookEndpoints.has(e.id), 'a refused delete deletes nothing');
    assert.equal((await stripe.webhookEndpoints.del(e.id)).deleted, true);
  });
});
