// The example provider (providers/postmark.ts) against its stand-in (test/standins/postmark.ts): the live
// check's answers, its one-line failures, and what it declares.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { detectProject } from '../../src/core/project.ts';
import type { Io } from '../../src/core/provider.ts';
import { check } from '../../src/core/resolve.ts';
import provider, { serverTokenProblem, verifyPostmark } from '../../providers/postmark.ts';
import { SERVERS, startPostmark, type PostmarkStandin } from '../standins/postmark.ts';
import { read, tempProject } from '../helpers/project.ts';
import { runCli } from '../helpers/cli.ts';
import { cleanEnv } from '../helpers/pty.ts';

let pm: PostmarkStandin;
before(async () => {
  pm = await startPostmark();
});
after(() => pm.close());

const io = (): Io => ({ signal: AbortSignal.timeout(10_000), baseUrl: () => pm.url, project: detectProject(tempProject()) });
const token = SERVERS[0]!.token;

test('a valid token: the server it belongs to, read with the X-Postmark-Server-Token header', async () => {
  const v = await verifyPostmark({ POSTMARK_SERVER_TOKEN: token }, io());
  assert.equal(v.identity, 'Postmark server "acme-shop production" (ID 1234567)');
  assert.deepEqual(pm.requests.at(-1), { method: 'GET', path: '/server', token });
});

test('a token Postmark does not know: one line naming the variable, the token never shown', async () => {
  const wrong = '11111111-2222-4333-8444-555555555555';
  await assert.rejects(provider.verify({ POSTMARK_SERVER_TOKEN: wrong }, io()), (e: Error & { code?: string }) => {
    assert.match(e.message, /^Postmark rejected POSTMARK_SERVER_TOKEN \(401, ErrorCode 10: The Server API token you provided is not valid\.\)$/);
    assert.equal(e.code, 'CREDENTIALS_REJECTED');
    assert.ok(!e.message.includes(wrong));
    return true;
  });
});

test('5xx, a non-JSON answer and nothing listening: the API client\'s lines', async () => {
  pm.fail(503, { ErrorCode: 0, Message: 'down' }, 2); // GET is asked once more after a 5xx
  await assert.rejects(verifyPostmark({ POSTMARK_SERVER_TOKEN: token }, io()), /Postmark is having trouble \(HTTP 503\); try again/);
  pm.fail(200, 'not json');
  await assert.rejects(verifyPostmark({ POSTMARK_SERVER_TOKEN: token }, io()), /answered GET \/server without a server's ID and Name|not JSON/);
  const closed = { ...io(), baseUrl: () => 'http://127.0.0.1:9' };
  await assert.rejects(verifyPostmark({ POSTMARK_SERVER_TOKEN: token }, closed), /connection refused by 127\.0\.0\.1/);
});

test('formats: a UUID, pasted alone; checked before any request', async () => {
  assert.equal(serverTokenProblem(token), undefined);
  assert.match(serverTokenProblem('pm-not-a-uuid')!, /must be a Server API token/);
  assert.match(serverTokenProblem(` ${token}`)!, /leading or trailing spaces/);
  const before = pm.requests.length;
  await assert.rejects(verifyPostmark({ POSTMARK_SERVER_TOKEN: 'nope' }, io()), /must be a Server API token/);
  assert.equal(pm.requests.length, before);
  const e = provider.env[0]!;
  assert.equal(check(e, token).ok, true);
  assert.deepEqual(provider.contribute({}, { project: detectProject(tempProject()), all: {} }).render?.envVars, [{ key: 'POSTMARK_SERVER_TOKEN', sync: false }]);
  assert.equal(provider.rotations?.[0]?.kind, 'guided');
});

test('rotate postmark.token: core/rotation.ts runs the new provider\'s guided rotation unchanged (checked, written, revoke hint)', async () => {
  const dir = tempProject({ '.env': `POSTMARK_SERVER_TOKEN=${token}\n` });
  const fresh = SERVERS[1]!.token;
  const r = await runCli(['rotate', 'postmark.token', '--yes'], { source: true, cwd: dir, env: cleanEnv({ FORCE_COLOR: '0', CI: '1', PROD_READY_POSTMARK_URL: pm.url, POSTMARK_SERVER_TOKEN: fresh }) });
  assert.equal(r.code, 0, r.out);
  assert.match(read(dir, '.env'), new RegExp(`^POSTMARK_SERVER_TOKEN=${fresh}$`, 'm'));
  assert.match(r.out, /the new Postmark Server API token works: Postmark server "acme-shop staging"/);
  assert.match(r.out, /the old token still works/);
  assert.ok(!r.out.includes(fresh) && !r.out.includes(token), 'no token printed');
});
