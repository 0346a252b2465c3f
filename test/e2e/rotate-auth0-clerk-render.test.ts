// `create-prod-ready rotate` for auth0.secret (auto, in place), clerk.secret and render.key (guided), run from
// the sources (node --import tsx) without prompts (CI=1, --yes) against the Auth0, Clerk and Render stand-ins.
//
// MATRIX (after every Auth0 case: the AUTH0_CLIENT_SECRET in .env gets a token from the stand-in, except where
// the in-place window is the point)
//   auth0.secret
//     happy path, Render linked  → new secret in .env works, old one refused at /oauth/token, pushed to the
//                                  linked service (its other variables kept), nothing secret in stdout/stderr/
//                                  prod-ready.json, no rotation state left
//     happy path, no Render      → "not pushed: no Render service linked"
//     management token 5xx       → one line, nothing rotated, .env unchanged and working
//     management token 401       → wrong AUTH0_MANAGEMENT_CLIENT_SECRET: one line naming it, nothing rotated
//     management client lacks update:client_keys → one line naming the scope, nothing rotated
//     no management client in the environment     → exit 2, one line naming AUTH0_MANAGEMENT_CLIENT_ID
//     rotate-secret 403 insufficient_scope / 401 / 404 / 429 / 5xx / timeout → one line each, nothing rotated,
//                                  .env unchanged and working
//     rotate-secret 200 without a client_secret → the secret in .env is tried: still works, said so
//     rotate-secret 5xx after Auth0 DID rotate   → the line says .env's secret is refused now and how to get
//                                  out (re-run, or the Dashboard page); a re-run makes and writes a new one
//     no management client, in process (from the CLI: when the own client has the scope, next row) → the app's own
//                                  client: missing scope named; with the scope it rotates; a dead own
//                                  secret gets the Dashboard's exact page
//     no management client in the environment, the own client has update:client_keys → rotates from the CLI
//     Render push 5xx            → exit 1, state "written", .env has the new WORKING secret; a re-run pushes
//                                  and finishes without rotating again
//     killed after started       → .env unchanged and working; a re-run rotates
//     killed after created       → THE WINDOW: Auth0 has a new secret nobody holds, .env's is refused; state
//                                  "started"; a re-run (same management client) rotates again and .env works
//     killed after written       → .env has the new working secret, state "written"; a re-run pushes, finishes
//     killed after pushed        → state "pushed"; `rotate --yes` (no target) finishes it
//     --dry-run                  → no file changes, no request to Auth0
//   clerk.secret (guided, new key in the environment)
//     new key of the same instance → written, checked, pushed to Render, revoke hint; old key untouched
//     missing new value          → exit 2, one line, .env unchanged, nothing recorded as started
//     the same value as now      → refused (exit 2), .env unchanged
//     a key of another instance  → fails the pair check, .env unchanged
//   render.key (guided)
//     new key                    → written and checked; never pushed (no PUT to any service)
//     missing new value / same value → as for Clerk
//     a key Render does not know → fails the check (401), .env unchanged
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import dotenv from 'dotenv';
import { CLIENTS, type Auth0Standin } from '../standins/auth0.ts';
import { KEYS as CLERK } from '../standins/clerk.ts';
import { OTHER_KEY, RENDER_KEY } from '../standins/render.ts';
import { envText, startStandins, type Standins } from '../standins/all.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { exists, read, snapshot, tempProject } from '../helpers/project.ts';
import { rotateClientSecret } from '../../providers/auth0/index.ts';
import type { VerifyError } from '../../src/core/errors.ts';
import { detectProject } from '../../src/core/project.ts';

const APP = CLIENTS.full.client_id;
const ROTATOR = CLIENTS.rotator.client_id;
const SERVICE = 'srv-rotateweb0001';
/** The Clerk suite's own linked service (the suites run side by side; the Auth0 suite injects faults on SERVICE). */
const CLERK_SERVICE = 'srv-rotateclerk01';
/** A second key of the Clerk development instance (the stand-in maps each accepted key to an instance). */
const NEW_CLERK = 'sk_test_DevInstanceRotatedKey00000000000002';
/** A third key the Render stand-in accepts (it sees the same workspace as RENDER_KEY). */
const NEW_RENDER = 'rnd_StandinRotatedKey00000000000003';

let all: Standins;
let a0: Auth0Standin;
before(async () => {
  all = await startStandins({
    render: {
      keys: [RENDER_KEY, OTHER_KEY, NEW_RENDER],
      services: [
        { id: SERVICE, name: 'shop-web', envVars: { SENTRY_DSN: 'https://foreign@sentry.example/1', AUTH0_CLIENT_SECRET: 'stale' } },
        { id: CLERK_SERVICE, name: 'shop-clerk', envVars: { CLERK_SECRET_KEY: 'sk_test_stale' } },
      ],
    },
  });
  a0 = all.auth0;
  // The Clerk stand-in's instances are live: a copy of the development instance with another key is a second
  // secret key of the same instance (same id, same domains), as Clerk allows.
  const dev = all.clerk.instances.find((i) => i.secretKey === CLERK.devSecret)!;
  all.clerk.instances.push({ ...dev, secretKey: NEW_CLERK });
});
after(() => all?.stop());

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd: string, extra: Record<string, string> = {}): Promise<Run> {
  return runCli(args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...all.overrides, CI: '1', ...extra }), source: true });
}

/** The management client the rotation asks for (never written). */
const mgmt = (): Record<string, string> => ({ AUTH0_MANAGEMENT_CLIENT_ID: ROTATOR, AUTH0_MANAGEMENT_CLIENT_SECRET: a0.secretOf(ROTATOR) });

const env = (dir: string) => dotenv.parse(read(dir, '.env'));
const memory = (dir: string) => (exists(dir, 'prod-ready.json') ? JSON.parse(read(dir, 'prod-ready.json')) : {}) as { rotations?: Record<string, { step: string }> };
const stateOf = (dir: string, id: string) => memory(dir).rotations?.[id]?.step;
const renderVar = (key: string, service = SERVICE) => all.render.state.services.get(service)!.envVars.find((e) => e.key === key)?.value;

/** client_credentials at the stand-in's token endpoint, as an app would ask: the HTTP status. */
async function tokenStatus(secret: string, clientId: string = APP): Promise<number> {
  const r = await fetch(`${a0.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, audience: a0.managementAudience }),
  });
  await r.arrayBuffer();
  return r.status;
}
/** The AUTH0_CLIENT_SECRET in the project's .env gets a token. */
async function assertWorks(dir: string, why = ''): Promise<void> {
  assert.equal(await tokenStatus(env(dir).AUTH0_CLIENT_SECRET!), 200, `the AUTH0_CLIENT_SECRET in .env gets a token ${why}`);
}

function auth0Project(opts: { render?: boolean } = {}): string {
  return tempProject({
    '.env': envText({
      AUTH0_DOMAIN: 'acme.us.auth0.com',
      AUTH0_CLIENT_ID: APP,
      AUTH0_CLIENT_SECRET: a0.secretOf(APP),
      AUTH0_SECRET: 'a'.repeat(64),
      ...(opts.render ? { RENDER_API_KEY: RENDER_KEY, RENDER_SERVICES: 'shop-web' } : {}),
    }),
  });
}

/** Nothing secret in what the run printed or in prod-ready.json; exactly one line says what went wrong. */
function assertClean(r: Run, dir: string, secrets: string[]): void {
  const memoryText = (() => {
    try {
      return read(dir, 'prod-ready.json');
    } catch {
      return '';
    }
  })();
  for (const s of secrets.filter(Boolean)) {
    assert.ok(!r.stdout.includes(s), `stdout leaks a secret …${s.slice(-4)}\n${r.stdout}`);
    assert.ok(!r.stderr.includes(s), `stderr leaks a secret …${s.slice(-4)}\n${r.stderr}`);
    assert.ok(!memoryText.includes(s), `prod-ready.json leaks a secret …${s.slice(-4)}`);
  }
  assert.ok(!/\n\s+at .*:\d+:\d+/.test(r.stdout + r.stderr), `no stack trace\n${r.stdout}${r.stderr}`);
}
/** A run that stopped at a step: exit 1, and what went wrong is ONE line, the last one printed. */
function failureLine(r: Run, title: string): string {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr, '', 'nothing on stderr');
  const last = r.stdout.trimEnd().split('\n').at(-1)!;
  assert.ok(last.startsWith(`▲ ${title}: `), `the last line says what went wrong\n${r.stdout}`);
  return last;
}
/** A usage error (a value missing from the environment, a refused value): exit 2, one line on stderr (and its hint). */
function usageLine(r: Run): string {
  assert.equal(r.code, 2, r.stdout + r.stderr);
  const [first, ...rest] = r.stderr.trimEnd().split('\n');
  assert.ok(first!.startsWith('create-prod-ready: '), r.stderr);
  assert.ok(rest.every((l) => l.startsWith('  ')), `at most an indented hint follows\n${r.stderr}`);
  return first!;
}

// The three suites run side by side (each one's tests in order): they share the stand-ins but not a client,
// an instance key or a Render service.
describe('rotate', { concurrency: 3 }, () => {
  // --- Auth0 ----------------------------------------------------------------------------------------------------

  describe('auth0.secret', { concurrency: 1 }, () => {
    afterEach(() => {
      all.auth0.clearFaults();
      all.render.clearFaults();
    });
    test('happy path: new secret in .env works, the old one is refused, pushed to the linked Render service, nothing secret shown', async () => {
      const dir = auth0Project({ render: true });
      const old = env(dir).AUTH0_CLIENT_SECRET!;
      const r = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const fresh = env(dir).AUTH0_CLIENT_SECRET!;
      assert.notEqual(fresh, old);
      assert.equal(fresh, a0.secretOf(APP));
      assert.equal(await tokenStatus(old), 401, 'the old secret is refused at /oauth/token');
      await assertWorks(dir);
      assert.equal(renderVar('AUTH0_CLIENT_SECRET'), fresh, 'pushed to the linked service');
      assert.equal(renderVar('SENTRY_DSN'), 'https://foreign@sentry.example/1', 'other variables kept');
      assert.equal(memory(dir).rotations, undefined, 'no rotation left unfinished');
      assert.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600);
      assert.match(r.stdout, /created a new Auth0 client secret/);
      assert.match(r.stdout, /the new Auth0 client secret works/);
      assert.match(r.stdout, /set 1 variable on Render service shop-web/);
      assert.match(r.stdout, /nothing to revoke/);
      assertClean(r, dir, [old, fresh, a0.secretOf(ROTATOR), RENDER_KEY]);
      // The other .env values are as they were.
      assert.equal(env(dir).AUTH0_SECRET, 'a'.repeat(64));
    });

    test('happy path without Render (by key name, --json): not pushed, said so', async () => {
      const dir = auth0Project();
      const old = env(dir).AUTH0_CLIENT_SECRET!;
      const r = await run(['rotate', 'AUTH0_CLIENT_SECRET', '--json'], dir, mgmt());
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const doc = JSON.parse(r.stdout) as { ok: boolean; rotations: { id: string; ok: boolean; done: string[]; error: string | null }[] };
      assert.equal(doc.ok, true);
      assert.equal(doc.rotations[0]!.id, 'auth0.secret');
      assert.ok(doc.rotations[0]!.done.includes('not pushed: no Render service linked (RENDER_SERVICES)'), JSON.stringify(doc));
      await assertWorks(dir);
      assertClean(r, dir, [old, env(dir).AUTH0_CLIENT_SECRET!, a0.secretOf(ROTATOR)]);
    });

    /** A run that must stop before Auth0 rotated anything: exit 1, one line, .env byte-identical and working. */
    async function assertNothingRotated(r: Run, dir: string, envBefore: string, line: RegExp): Promise<void> {
      const last = failureLine(r, 'Auth0 client secret');
      assert.match(last, line);
      assert.match(last, /nothing was rotated/);
      assert.equal(read(dir, '.env'), envBefore, '.env unchanged');
      assert.equal(env(dir).AUTH0_CLIENT_SECRET, a0.secretOf(APP));
      a0.clearFaults();
      await assertWorks(dir, 'after the failure');
      assertClean(r, dir, [envBefore.match(/AUTH0_CLIENT_SECRET=(.*)/)![1]!, a0.secretOf(ROTATOR)]);
    }

    test('management token: 5xx and a rejected management secret (401) stop before anything is rotated', async () => {
      let dir = auth0Project();
      a0.fail('/oauth/token', { method: 'POST', status: 503, times: 1 });
      let r = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      await assertNothingRotated(r, dir, read(dir, '.env'), /Auth0 is having trouble .*HTTP 503 on the token request/);

      dir = auth0Project();
      r = await run(['rotate', 'auth0.secret', '--yes'], dir, { AUTH0_MANAGEMENT_CLIENT_ID: ROTATOR, AUTH0_MANAGEMENT_CLIENT_SECRET: 'not-the-rotator-secret-000000000000000000001' });
      await assertNothingRotated(r, dir, read(dir, '.env'), /rejected AUTH0_MANAGEMENT_CLIENT_ID \/ AUTH0_MANAGEMENT_CLIENT_SECRET .*401/);
      assert.ok(!(r.stdout + r.stderr).includes('not-the-rotator-secret'), 'the management secret is never shown');

      // Auth0's own wording for a refused client (401 access_denied "Unauthorized"), injected.
      dir = auth0Project();
      a0.fail('/oauth/token', { method: 'POST', status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' }, times: 1 });
      r = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      await assertNothingRotated(r, dir, read(dir, '.env'), /rejected AUTH0_MANAGEMENT_CLIENT_ID/);
    });

    test('a management client without update:client_keys: the line names the missing scope; none given: it names the variable', async () => {
      let dir = auth0Project();
      // CLIENTS.full has read:clients update:clients: it may update applications, not rotate their secrets.
      let r = await run(['rotate', 'auth0.secret', '--yes'], dir, { AUTH0_MANAGEMENT_CLIENT_ID: APP, AUTH0_MANAGEMENT_CLIENT_SECRET: a0.secretOf(APP) });
      await assertNothingRotated(r, dir, read(dir, '.env'), /lacks the update:client_keys scope \(it has read:clients update:clients\)/);
      assert.match(failureLine(r, 'Auth0 client secret'), /Machine To Machine Applications: authorize it with update:client_keys/);

      dir = auth0Project();
      const envBefore = read(dir, '.env');
      r = await run(['rotate', 'auth0.secret', '--yes'], dir);
      assert.match(usageLine(r), /rotating Auth0 client secret needs AUTH0_MANAGEMENT_CLIENT_ID in the environment \(Client ID of a Machine-to-Machine application authorized for the Auth0 Management API with update:client_keys; used for this rotation only, never written\)/);
      assert.equal(read(dir, '.env'), envBefore);
      assert.equal(memory(dir).rotations, undefined, 'nothing started');
      await assertWorks(dir);
    });

    test('rotate-secret refused (403 insufficient_scope, 401, 404) or rate-limited (429): one line each, nothing rotated', async () => {
      const path = /^\/api\/v2\/clients\/[^/]+\/rotate-secret$/;
      const cases: [Parameters<Auth0Standin['fail']>[1], RegExp][] = [
        [{ method: 'POST', status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: update:client_keys', errorCode: 'insufficient_scope' } }, /lacks update:client_keys \(403 insufficient_scope/],
        [{ method: 'POST', status: 401, body: { statusCode: 401, error: 'Unauthorized', message: 'Invalid token', errorCode: 'invalid_token' } }, /refused the Management API token .*\(401 invalid_token: Invalid token\)/],
        [{ method: 'POST', status: 404, body: { statusCode: 404, error: 'Not Found', message: 'The client does not exist', errorCode: 'inexistent_client' } }, /has no application StandinFullClient\w+ to rotate \(404 inexistent_client/],
        [{ method: 'POST', status: 429 }, /rate-limited the rotation \(429 on rotating the client secret .*\) after 3 attempts/],
      ];
      for (const [fault, line] of cases) {
        const dir = auth0Project();
        const before = a0.secretOf(APP);
        a0.fail(path, fault);
        const r = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
        await assertNothingRotated(r, dir, read(dir, '.env'), line);
        assert.equal(a0.secretOf(APP), before, `${fault.status}: Auth0 rotated nothing`);
      }
    });

    test('rotate-secret 5xx or timeout: the secret in .env is tried, and the line says it still works', async () => {
      const path = /^\/api\/v2\/clients\/[^/]+\/rotate-secret$/;
      let dir = auth0Project();
      a0.fail(path, { method: 'POST', status: 502 });
      let r = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      await assertNothingRotated(r, dir, read(dir, '.env'), /Auth0 is having trouble .*HTTP 502 on rotating the client secret.*the AUTH0_CLIENT_SECRET there still works/);

      dir = auth0Project();
      a0.fail(path, { method: 'POST', delayMs: 3000, times: 1 });
      r = await run(['rotate', 'auth0.secret', '--yes'], dir, { ...mgmt(), PROD_READY_TIMEOUT_MS: '800' });
      await assertNothingRotated(r, dir, read(dir, '.env'), /Timed out: .* did not answer rotating the client secret .*within 0\.8 s.*still works/);

      dir = auth0Project();
      a0.fail(path, { method: 'POST', status: 200, body: { client_id: APP }, times: 1 });
      r = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      await assertNothingRotated(r, dir, read(dir, '.env'), /answered rotating the client secret .* without a usable client_secret; .*still works/);
    });

    test('rotate-secret 5xx after Auth0 DID rotate: the line says the secret in .env is refused now; a re-run makes and writes a new one', async () => {
      const dir = auth0Project();
      const old = env(dir).AUTH0_CLIENT_SECRET!;
      // The answer is held back, the secret rotated meanwhile (as if Auth0 had done it), then a 502 goes out.
      a0.fail(/^\/api\/v2\/clients\/[^/]+\/rotate-secret$/, { method: 'POST', status: 502, delayMs: 1500, times: 1 });
      const seen = a0.requests.length;
      const running = run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      while (!a0.requests.slice(seen).some((q) => q.path.endsWith('/rotate-secret'))) await new Promise((res) => setTimeout(res, 20));
      a0.rotateSecret(APP);
      const r = await running;
      assert.match(failureLine(r, 'Auth0 client secret'), /HTTP 502 on rotating the client secret.*, and Auth0 now refuses the AUTH0_CLIENT_SECRET in \.env: .* — run create-prod-ready rotate auth0\.secret again .*Danger Zone → Rotate/);
      assert.equal(await tokenStatus(old), 401);
      assert.equal(stateOf(dir, 'auth0.secret'), 'started');
      assertClean(r, dir, [old, a0.secretOf(APP), a0.secretOf(ROTATOR)]);
      const again = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      assert.equal(again.code, 0, again.stdout + again.stderr);
      await assertWorks(dir, 'after the re-run');
    });

    test('in process: without a management client the application\'s own client is used; the missing scope is named, and with it the rotation works', async () => {
      // From the CLI this path is taken when the own client may rotate (asksNeeded; the next test).
      const app = CLIENTS.noReadScope.client_id; // a Management API grant with read:users only
      const values = { AUTH0_DOMAIN: 'acme.us.auth0.com', AUTH0_CLIENT_ID: app, AUTH0_CLIENT_SECRET: a0.secretOf(app) };
      const io = { signal: AbortSignal.timeout(20_000), baseUrl: () => a0.url, project: detectProject(tempProject()) };
      await assert.rejects(rotateClientSecret(values, io), (e: Error) => {
        assert.match(e.message, /the Management API token of the application's own client StandinNoReadClient\w+ lacks the update:client_keys scope \(it has read:users\)/);
        assert.match((e as VerifyError).hint ?? '', /give its Client ID and Secret as AUTH0_MANAGEMENT_CLIENT_ID and AUTH0_MANAGEMENT_CLIENT_SECRET/);
        return true;
      });
      assert.equal(a0.secretOf(app), values.AUTH0_CLIENT_SECRET);
      const grants = a0.app(app).grants;
      grants[a0.managementAudience] = ['read:users', 'update:client_keys'];
      try {
        const r = await rotateClientSecret(values, io);
        assert.equal(r.values.AUTH0_CLIENT_SECRET, a0.secretOf(app));
        assert.equal(await tokenStatus(values.AUTH0_CLIENT_SECRET, app), 401);
        assert.equal(await tokenStatus(r.values.AUTH0_CLIENT_SECRET!, app), 200);
        // With the new secret now dead-ended in a variable nobody wrote: the own client is refused, and the hint is the Dashboard page.
        await assert.rejects(rotateClientSecret(values, io), (e: Error) => {
          assert.match(e.message, /Auth0 refused the AUTH0_CLIENT_SECRET in \.env when asking for a Management API token \(401\); nothing was rotated/);
          assert.match((e as VerifyError).hint ?? '', /manage\.auth0\.com\/dashboard\/us\/acme\/applications\/StandinNoReadClient\w+\/settings\) → Danger Zone → Rotate/);
          assert.ok(!e.message.includes(values.AUTH0_CLIENT_SECRET) && !((e as VerifyError).hint ?? '').includes(values.AUTH0_CLIENT_SECRET));
          return true;
        });
      } finally {
        grants[a0.managementAudience] = ['read:users'];
      }
    });

    test('no management client in the environment, and the application\'s own client has update:client_keys: it rotates its own secret', async () => {
      const app = CLIENTS.noReadScope.client_id;
      const grants = a0.app(app).grants;
      grants[a0.managementAudience] = ['read:users', 'update:client_keys'];
      try {
        const old = a0.secretOf(app);
        const dir = tempProject({ '.env': envText({ AUTH0_DOMAIN: 'acme.us.auth0.com', AUTH0_CLIENT_ID: app, AUTH0_CLIENT_SECRET: old, AUTH0_SECRET: 'a'.repeat(64) }) });
        const r = await run(['rotate', 'auth0.secret', '--yes'], dir);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const fresh = env(dir).AUTH0_CLIENT_SECRET!;
        assert.notEqual(fresh, old);
        assert.equal(await tokenStatus(old, app), 401, 'the old secret is refused');
        assert.equal(await tokenStatus(fresh, app), 200, 'the new secret in .env gets a token');
        assert.equal(memory(dir).rotations, undefined, 'no rotation left unfinished');
        assertClean(r, dir, [old, fresh]);
      } finally {
        grants[a0.managementAudience] = ['read:users'];
      }
    });

    test('Render push 5xx: state "written", .env has the new working secret; a re-run pushes and finishes without rotating again', async () => {
      const dir = auth0Project({ render: true });
      const old = env(dir).AUTH0_CLIENT_SECRET!;
      all.render.fail({ method: 'PUT', path: `/v1/services/${SERVICE}/env-vars/`, status: 500 });
      const r = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      assert.match(failureLine(r, 'Auth0 client secret'), /Render is having trouble \(HTTP 500\).*\.env has the new Auth0 client secret \(checked\) — run create-prod-ready rotate auth0\.secret again to push and finish/);
      assert.equal(stateOf(dir, 'auth0.secret'), 'written');
      const fresh = env(dir).AUTH0_CLIENT_SECRET!;
      assert.notEqual(fresh, old);
      await assertWorks(dir, 'after the failed push');
      assert.notEqual(renderVar('AUTH0_CLIENT_SECRET'), fresh);
      assertClean(r, dir, [old, fresh, a0.secretOf(ROTATOR)]);

      all.render.clearFaults();
      const again = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.equal(env(dir).AUTH0_CLIENT_SECRET, fresh, 'not rotated a second time');
      assert.equal(a0.secretOf(APP), fresh);
      assert.equal(renderVar('AUTH0_CLIENT_SECRET'), fresh);
      assert.equal(memory(dir).rotations, undefined);
      await assertWorks(dir);
    });

    test('killed after "started": .env unchanged and working; a re-run rotates', async () => {
      const dir = auth0Project();
      const envBefore = read(dir, '.env');
      const r = await run(['rotate', 'auth0.secret', '--yes'], dir, { ...mgmt(), PROD_READY_CRASH_AFTER: 'started' });
      assert.equal(r.signal, 'SIGKILL');
      assert.equal(stateOf(dir, 'auth0.secret'), 'started');
      assert.equal(read(dir, '.env'), envBefore);
      await assertWorks(dir, 'after the crash');
      const again = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.notEqual(read(dir, '.env'), envBefore);
      assert.equal(memory(dir).rotations, undefined);
      await assertWorks(dir);
    });

    test('killed after "created" (the in-place window): .env holds a refused secret; a re-run with the management client rotates again and .env works', async () => {
      const dir = auth0Project();
      const old = env(dir).AUTH0_CLIENT_SECRET!;
      const r = await run(['rotate', 'auth0.secret', '--yes'], dir, { ...mgmt(), PROD_READY_CRASH_AFTER: 'created' });
      assert.equal(r.signal, 'SIGKILL');
      // What happens: Auth0 replaced the secret and answered with the new one; the process died before .env
      // was written. .env still has the old secret, which Auth0 refuses, and the new one is lost with the
      // process. prod-ready.json says "started" (never "written").
      assert.equal(env(dir).AUTH0_CLIENT_SECRET, old);
      assert.notEqual(a0.secretOf(APP), old);
      assert.equal(await tokenStatus(old), 401, 'the secret in .env is dead: this is the window');
      assert.equal(stateOf(dir, 'auth0.secret'), 'started');
      // The way out: run it again. The management client's token does not depend on the dead secret, so the run
      // starts over, rotates once more and writes the result (by hand: the Dashboard's Rotate, see rotatePage).
      const again = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.equal(env(dir).AUTH0_CLIENT_SECRET, a0.secretOf(APP));
      assert.equal(memory(dir).rotations, undefined);
      await assertWorks(dir, 'after the re-run');
    });

    test('killed after "written": .env has the new working secret; a re-run pushes and finishes', async () => {
      const dir = auth0Project({ render: true });
      const old = env(dir).AUTH0_CLIENT_SECRET!;
      const r = await run(['rotate', 'auth0.secret', '--yes'], dir, { ...mgmt(), PROD_READY_CRASH_AFTER: 'written' });
      assert.equal(r.signal, 'SIGKILL');
      const fresh = env(dir).AUTH0_CLIENT_SECRET!;
      assert.notEqual(fresh, old);
      assert.equal(stateOf(dir, 'auth0.secret'), 'written');
      await assertWorks(dir, 'after the crash');
      assert.notEqual(renderVar('AUTH0_CLIENT_SECRET'), fresh, 'not pushed yet');
      const again = await run(['rotate', 'auth0.secret', '--yes'], dir, mgmt());
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.equal(env(dir).AUTH0_CLIENT_SECRET, fresh, 'not rotated a second time');
      assert.equal(renderVar('AUTH0_CLIENT_SECRET'), fresh);
      assert.equal(memory(dir).rotations, undefined);
      await assertWorks(dir);
    });

    test('killed after "pushed": `rotate --yes` without a target finishes it', async () => {
      const dir = auth0Project({ render: true });
      const r = await run(['rotate', 'auth0.secret', '--yes'], dir, { ...mgmt(), PROD_READY_CRASH_AFTER: 'pushed' });
      assert.equal(r.signal, 'SIGKILL');
      const fresh = env(dir).AUTH0_CLIENT_SECRET!;
      assert.equal(stateOf(dir, 'auth0.secret'), 'pushed');
      assert.equal(renderVar('AUTH0_CLIENT_SECRET'), fresh);
      await assertWorks(dir, 'after the crash');
      const again = await run(['rotate', '--yes'], dir, mgmt());
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /nothing to revoke/);
      assert.equal(env(dir).AUTH0_CLIENT_SECRET, fresh);
      assert.equal(memory(dir).rotations, undefined);
      await assertWorks(dir);
    });

    test('--dry-run changes nothing and calls nobody', async () => {
      const dir = auth0Project({ render: true });
      const before = snapshot(dir);
      const secret = a0.secretOf(APP);
      const requests = a0.requests.length;
      const r = await run(['rotate', 'auth0.secret', '--yes', '--dry-run'], dir);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /dry run: nothing is changed/);
      assert.deepEqual(snapshot(dir), before);
      assert.equal(a0.secretOf(APP), secret);
      assert.equal(a0.requests.length, requests, 'no request to Auth0');
    });
  });

  // --- guided: Clerk and Render -------------------------------------------------------------------------------

  function clerkProject(): string {
    return tempProject({ '.env': envText({ CLERK_SECRET_KEY: CLERK.devSecret, CLERK_PUBLISHABLE_KEY: CLERK.devPublishable, RENDER_API_KEY: RENDER_KEY, RENDER_SERVICES: 'shop-clerk' }) });
  }
  function renderProject(): string {
    return tempProject({ '.env': envText({ RENDER_API_KEY: RENDER_KEY, RENDER_SERVICES: 'shop-web' }) });
  }

  describe('clerk.secret (guided)', { concurrency: 1 }, () => {
    test('a new key of the same instance from the environment: checked, written, pushed; the old one is left to delete', async () => {
      const dir = clerkProject();
      const r = await run(['rotate', 'clerk.secret', '--yes'], dir, { CLERK_SECRET_KEY: NEW_CLERK });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(env(dir).CLERK_SECRET_KEY, NEW_CLERK);
      assert.equal(env(dir).CLERK_PUBLISHABLE_KEY, CLERK.devPublishable);
      assert.match(r.stdout, /dashboard\.clerk\.com\/last-active\?path=api-keys/, 'the guide names the page');
      assert.match(r.stdout, /the new Clerk secret key works: ins_2DevStandin/);
      assert.equal(renderVar('CLERK_SECRET_KEY', CLERK_SERVICE), NEW_CLERK);
      assert.match(r.stdout, /the old secret key still works: .*delete it on the API keys page/);
      assert.equal(memory(dir).rotations, undefined);
      assertClean(r, dir, [CLERK.devSecret, NEW_CLERK, RENDER_KEY]);
    });

    test('no new value in the environment: exit 2, one line, .env unchanged, nothing started', async () => {
      const dir = clerkProject();
      const envBefore = read(dir, '.env');
      const r = await run(['rotate', 'clerk.secret', '--yes'], dir);
      assert.equal(usageLine(r), 'create-prod-ready: rotating Clerk secret key without prompts needs the new value in the environment: CLERK_SECRET_KEY=… create-prod-ready rotate clerk.secret --yes');
      assert.equal(read(dir, '.env'), envBefore);
      assert.equal(stateOf(dir, 'clerk.secret'), undefined);
    });

    test('the same value as now: refused (exit 2), .env unchanged', async () => {
      const dir = clerkProject();
      const envBefore = read(dir, '.env');
      const r = await run(['rotate', 'clerk.secret', '--yes'], dir, { CLERK_SECRET_KEY: CLERK.devSecret });
      assert.equal(usageLine(r), 'create-prod-ready: that is the current CLERK_SECRET_KEY: make a new one first');
      assert.equal(read(dir, '.env'), envBefore);
      assert.equal(stateOf(dir, 'clerk.secret'), undefined);
      assertClean(r, dir, [CLERK.devSecret]);
    });

    test('a key of another instance fails the pair check; .env keeps the old one', async () => {
      const dir = clerkProject();
      const envBefore = read(dir, '.env');
      const r = await run(['rotate', 'clerk.secret', '--yes'], dir, { CLERK_SECRET_KEY: CLERK.otherDevSecret });
      assert.match(failureLine(r, 'Clerk secret key'), /failed its check \(these two keys are from different Clerk instances.*\.env still has the old one/);
      assert.equal(read(dir, '.env'), envBefore);
      assertClean(r, dir, [CLERK.devSecret, CLERK.otherDevSecret]);
    });
  });

  describe('render.key (guided)', { concurrency: 1 }, () => {
    test('a new key: checked and written, never pushed to a service', async () => {
      const dir = renderProject();
      const r = await run(['rotate', 'render.key', '--yes'], dir, { RENDER_API_KEY: NEW_RENDER });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(env(dir).RENDER_API_KEY, NEW_RENDER);
      assert.match(r.stdout, /Account Settings → API Keys/);
      assert.match(r.stdout, /the new Render API key works: Acme · 2 services/);
      // NEW_RENDER is used by this suite alone: every request made with it is this rotation's.
      const mine = all.render.requests.filter((q) => q.auth === `Bearer ${NEW_RENDER}`);
      assert.ok(mine.length > 0);
      assert.deepEqual(mine.filter((q) => q.method !== 'GET'), [], 'nothing is pushed');
      for (const s of all.render.state.services.values()) assert.equal(s.envVars.find((e) => e.key === 'RENDER_API_KEY'), undefined);
      assert.match(r.stdout, /RENDER_API_KEY stays in \.env and is never pushed/);
      assert.equal(memory(dir).rotations, undefined);
      assertClean(r, dir, [RENDER_KEY, NEW_RENDER]);
    });

    test('the push step says that RENDER_API_KEY is not pushed (rather than "already has these 0 values")', async () => {
      const dir = renderProject();
      const r = await run(['rotate', 'render.key', '--yes'], dir, { RENDER_API_KEY: NEW_RENDER });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /already has these 0 values/);
    });

    test('no new value; the same value: refused; a key Render refuses: fails the check — .env unchanged each time', async () => {
      const dir = renderProject();
      const envBefore = read(dir, '.env');
      let r = await run(['rotate', 'render.key', '--yes'], dir);
      assert.match(usageLine(r), /needs the new value in the environment: RENDER_API_KEY=… create-prod-ready rotate render\.key --yes$/);
      r = await run(['rotate', 'render.key', '--yes'], dir, { RENDER_API_KEY: RENDER_KEY });
      assert.equal(usageLine(r), 'create-prod-ready: that is the current RENDER_API_KEY: make a new one first');
      r = await run(['rotate', 'render.key', '--yes'], dir, { RENDER_API_KEY: 'rnd_UnknownToRender0000000000009' });
      assert.match(failureLine(r, 'Render API key'), /failed its check \(Render rejected RENDER_API_KEY rnd_••••0009: invalid or revoked API key \(401\)\)/);
      assert.equal(read(dir, '.env'), envBefore);
      assertClean(r, dir, [RENDER_KEY, 'rnd_UnknownToRender0000000000009']);
    });
  });
});
