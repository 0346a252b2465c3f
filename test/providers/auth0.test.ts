// The Auth0 provider against the stand-in (test/standins/auth0.ts: oidc-provider for discovery and
// /oauth/token, a Management API stand-in for /api/v2/clients/:id), through io.baseUrl as
// PROD_READY_AUTH0_URL would give it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { describeProject, type ProjectInfo } from '../../src/core/project.ts';
import type { Io, Values, Verified } from '../../src/core/provider.ts';
import { check } from '../../src/core/resolve.ts';
import provider, { expectedUris, verifyAuth0 } from '../../providers/auth0/index.ts';
import { CLIENTS, startAuth0 } from '../standins/auth0.ts';
import { failingWith } from '../helpers/verify.ts';
import { freePort } from '../harness/processes.ts';
import { withServers } from '../helpers/servers.ts';

const { sx } = withServers({ sx: () => startAuth0() });
afterEach(() => sx.clearFaults());

const env = (key: string) => provider.env.find((e) => e.key === key)!;
const project = (deps: Record<string, string> = { next: '15' }): ProjectInfo => describeProject({ cwd: '/x', pkg: { dependencies: deps }, lockfiles: [], typescript: true });
const io = (opts: { url?: string | null; signal?: AbortSignal; deps?: Record<string, string> } = {}): Io => ({
  signal: opts.signal ?? AbortSignal.timeout(5000),
  baseUrl: () => (opts.url === null ? '' : (opts.url ?? sx.url)),
  project: project(opts.deps),
});
type Client = { client_id: string; client_secret: string };
const values = (client: Client = CLIENTS.full, over: Record<string, string> = {}): Values => ({
  APP_URL: 'https://shop.example.com',
  PORT: '3000',
  AUTH0_DOMAIN: 'acme.us.auth0.com',
  AUTH0_CLIENT_ID: client.client_id,
  AUTH0_CLIENT_SECRET: client.client_secret,
  AUTH0_AUDIENCE: '',
  AUTH0_SECRET: 'a'.repeat(64),
  ...over,
});
const fast = { requestTimeoutMs: 400, rateLimitBudgetMs: 200 };

const SECRETS = [...Object.values(CLIENTS).map((c) => c.client_secret), 'wrong-secret-wrong-secret-wrong-secret'];
function assertClean(text: string | undefined): void {
  for (const s of SECRETS) assert.ok(!(text ?? '').includes(s), `leaks a secret: ${text}`);
}
function assertVerifiedClean(v: Verified): void {
  for (const line of [v.identity, v.mode, ...(v.details ?? []), ...v.warnings, ...(v.actions ?? []).flatMap((a) => [a.title, ...(a.details ?? [])])]) assertClean(line);
}
const failing = failingWith(assertClean);

/** Every URL @auth0/nextjs-auth0 needs for APP_URL https://shop.example.com and localhost:3000. */
const NEXT_URIS = {
  callbacks: ['https://shop.example.com/auth/callback', 'http://localhost:3000/auth/callback'],
  allowed_logout_urls: ['https://shop.example.com', 'http://localhost:3000'],
  web_origins: ['https://shop.example.com', 'http://localhost:3000'],
};

describe('format checks (no network)', () => {
  test('AUTH0_DOMAIN is normalised: scheme, path and trailing slashes stripped, lower-cased', () => {
    const d = env('AUTH0_DOMAIN');
    for (const [raw, want] of [
      ['acme.us.auth0.com', 'acme.us.auth0.com'],
      ['https://acme.us.auth0.com', 'acme.us.auth0.com'],
      ['https://Acme.US.auth0.com/', 'acme.us.auth0.com'],
      ['https://acme.us.auth0.com/authorize?x=1', 'acme.us.auth0.com'],
      ['acme.us.auth0.com///', 'acme.us.auth0.com'],
      ['login.example.com', 'login.example.com'],
      ['http://127.0.0.1:4010/', '127.0.0.1:4010'],
      ['http://localhost:4010', 'localhost:4010'],
    ] as const)
      assert.deepEqual(check(d, raw), { ok: true, value: want }, raw);
  });

  test('AUTH0_DOMAIN problems are one line each', () => {
    const d = env('AUTH0_DOMAIN');
    const bad = (raw: string, re: RegExp) => {
      const c = check(d, raw);
      assert.equal(c.ok, false, raw);
      if (!c.ok) assert.match(c.message, re, raw);
    };
    bad('', /AUTH0_DOMAIN is empty/);
    bad('http://acme.us.auth0.com', /only reachable over https; give the domain alone, e.g. acme\.us\.auth0\.com/);
    bad('ftp://acme.us.auth0.com', /not a ftp:\/\/ URL/);
    bad('acme', /is not a full domain/);
    bad('"acme.us.auth0.com"', /wrapped in quotes/);
    bad('https://user:pw@acme.us.auth0.com', /user name or password/);
    bad('acme us.auth0.com', /contains a space/);
  });

  test('client id, secret, audience, AUTH0_SECRET and APP_BASE_URL', () => {
    assert.equal(check(env('AUTH0_CLIENT_ID'), CLIENTS.full.client_id).ok, true);
    assert.equal(check(env('AUTH0_CLIENT_ID'), 'https://acme.us.auth0.com').ok, false);
    assert.equal(check(env('AUTH0_CLIENT_SECRET'), 'short').ok, false);
    assert.equal(check(env('AUTH0_AUDIENCE'), '').ok, true);
    assert.equal(check(env('AUTH0_AUDIENCE'), 'https://api.example.com').ok, true);
    assert.equal(check(env('AUTH0_AUDIENCE'), 'https://api example').ok, false);
    assert.equal(check(env('APP_BASE_URL'), 'http://shop.example.com').ok, false);
    const secret = env('AUTH0_SECRET').generate!((n) => new Uint8Array(n).fill(171));
    assert.equal(secret, 'ab'.repeat(32));
    assert.equal(check(env('AUTH0_SECRET'), secret).ok, true);
    assert.equal(env('APP_BASE_URL').prompt, false);
    assert.equal(env('APP_BASE_URL').derive!({ APP_URL: 'http://localhost:3000' }, project()), 'http://localhost:3000');
    assert.deepEqual(
      provider.env.filter((e) => e.secret).map((e) => e.key),
      ['AUTH0_CLIENT_SECRET', 'AUTH0_SECRET'],
    );
  });

  test('a malformed value fails before any request', async () => {
    const n = sx.requests.length;
    const e = await failing(provider.verify(values(CLIENTS.full, { AUTH0_DOMAIN: 'http://acme.us.auth0.com' }), io()));
    assert.equal(e.code, 'FORMAT');
    assert.equal(sx.requests.length, n);
  });

  test('callback URLs per framework, for APP_URL and the local dev URL', () => {
    assert.deepEqual(expectedUris(values(), 'nextjs', 3000), NEXT_URIS);
    const ex = expectedUris(values(CLIENTS.full, { APP_URL: 'http://localhost:8080', PORT: '8080' }), 'express', 3000);
    assert.deepEqual(ex, { callbacks: ['http://localhost:8080/callback'], allowed_logout_urls: ['http://localhost:8080'], web_origins: ['http://localhost:8080'] });
  });
});

describe('live check', () => {
  beforeEach(() => {
    const a = sx.app(CLIENTS.full.client_id);
    a.callbacks = [...NEXT_URIS.callbacks];
    a.allowed_logout_urls = [...NEXT_URIS.allowed_logout_urls];
    a.web_origins = [...NEXT_URIS.web_origins];
  });

  test('success: identity, issuer, token scopes, callbacks all present', async () => {
    const v = await provider.verify(values(), io());
    assert.equal(v.identity, `Acme Web (${CLIENTS.full.client_id}) on acme.us.auth0.com`);
    assert.deepEqual(v.warnings, []);
    assert.equal(v.actions, undefined);
    assert.ok(v.details?.includes(`issuer: ${sx.issuer}`), String(v.details));
    assert.ok(v.details?.includes('token: client_credentials for the Management API (read:clients update:clients)'), String(v.details));
    assert.ok(v.details?.some((d) => d.startsWith('callback URLs: all 6 present (@auth0/nextjs-auth0 routes')), String(v.details));
    assertVerifiedClean(v);
    // Form-encoded, never JSON; the default audience is the Management API.
    const posts = sx.requests.filter((r) => r.path === '/oauth/token');
    assert.ok(posts.every((r) => r.contentType === 'application/x-www-form-urlencoded'));
    assert.equal(new URLSearchParams(posts.at(-1)!.body).get('audience'), sx.managementAudience);
  });

  test('with AUTH0_AUDIENCE: a token for that API too', async () => {
    const v = await provider.verify(values(CLIENTS.full, { AUTH0_AUDIENCE: sx.apiAudience }), io());
    assert.ok(v.details?.includes(`token: client_credentials for ${sx.apiAudience} (read:things)`), String(v.details));
    assert.deepEqual(v.warnings, []);
  });

  test('wrong secret and unknown client: one line, "client id or secret rejected"', async () => {
    const wrong = await failing(provider.verify(values({ client_id: CLIENTS.full.client_id, client_secret: 'wrong-secret-wrong-secret-wrong-secret' }), io()));
    assert.equal(wrong.code, 'CREDENTIALS_REJECTED');
    assert.match(wrong.message, /^client id or secret rejected by acme\.us\.auth0\.com: either no application has client id StandinFullClient0+1, or AUTH0_CLIENT_SECRET is not its secret/);
    const unknown = await failing(provider.verify(values({ client_id: 'NoSuchClient0000000000000000000', client_secret: CLIENTS.full.client_secret }), io()));
    assert.equal(unknown.code, 'CREDENTIALS_REJECTED');
    assert.match(unknown.message, /no application has client id NoSuchClient/);
  });

  test("Auth0's own wording for a bad secret (401 access_denied) is the same class", async () => {
    sx.fail('/oauth/token', { status: 401, body: { error: 'access_denied', error_description: 'Unauthorized' } });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'CREDENTIALS_REJECTED');
  });

  test('audience not enabled: oidc-provider 400 invalid_target and Auth0 403 "Service not enabled within domain"', async () => {
    const e = await failing(provider.verify(values(CLIENTS.full, { AUTH0_AUDIENCE: 'https://nope.example.com/' }), io()));
    assert.equal(e.code, 'AUDIENCE_NOT_ENABLED');
    assert.match(e.message, /^AUTH0_AUDIENCE https:\/\/nope\.example\.com\/ is not an API of acme\.us\.auth0\.com \(Auth0: "Service not enabled within domain: https:\/\/nope\.example\.com\/"\)$/);
    sx.fail('/oauth/token', { status: 403, body: { error: 'access_denied', error_description: 'Service not enabled within domain: https://nope.example.com/' }, times: 1 });
    const auth0 = await failing(provider.verify(values(CLIENTS.full, { AUTH0_AUDIENCE: 'https://nope.example.com/' }), io()));
    assert.equal(auth0.code, 'AUDIENCE_NOT_ENABLED');
  });

  test('an API that exists but has no client grant for this application is a warning', async () => {
    const v = await provider.verify(values(CLIENTS.readOnly, { AUTH0_AUDIENCE: sx.apiAudience }), io());
    assert.ok(v.warnings.some((w) => w.startsWith(`AUTH0_AUDIENCE ${sx.apiAudience} exists, but this application is not authorized for it`)), String(v.warnings));
  });

  test('client not allowed client_credentials: what was checked, and what could not be', async () => {
    const v = await provider.verify(values(CLIENTS.noGrant), io());
    assert.equal(v.identity, `client ${CLIENTS.noGrant.client_id} on acme.us.auth0.com`);
    assert.ok(v.details?.includes(`issuer: ${sx.issuer}`));
    assert.ok(v.details?.some((d) => d.startsWith('credentials: plausibly valid')), String(v.details));
    assert.equal(v.warnings.length, 1);
    const w = v.warnings[0]!;
    assert.match(w, /^callback URLs were not checked: the application may not use the client_credentials grant/);
    assert.ok(
      w.endsWith(
        'Auth0 Dashboard → Applications → your app → Settings → Application URIs should list: Allowed Callback URLs: https://shop.example.com/auth/callback, http://localhost:3000/auth/callback; Allowed Logout URLs: https://shop.example.com, http://localhost:3000; Allowed Web Origins: https://shop.example.com, http://localhost:3000',
      ),
      w,
    );
    // A wrong secret with a client that lacks the grant is still rejected: the client is checked first.
    const e = await failing(provider.verify(values({ client_id: CLIENTS.noGrant.client_id, client_secret: 'wrong-secret-wrong-secret-wrong-secret' }), io()));
    assert.equal(e.code, 'CREDENTIALS_REJECTED');
    // Auth0's wording: 403 unauthorized_client.
    sx.fail('/oauth/token', { status: 403, body: { error: 'unauthorized_client', error_description: "Grant type 'client_credentials' not allowed for the client." } });
    const a = await provider.verify(values(), io());
    assert.match(a.warnings[0] ?? '', /may not use the client_credentials grant/);
  });

  test('no Management API grant, or a token without read:clients: paste instructions', async () => {
    const none = await provider.verify(values(CLIENTS.noManagement), io());
    assert.equal(none.warnings.length, 1);
    assert.match(none.warnings[0]!, /^callback URLs were not checked: this application is not authorized for the Auth0 Management API .*Allowed Callback URLs: https:\/\/shop\.example\.com\/auth\/callback/);
    const noRead = await provider.verify(values(CLIENTS.noReadScope), io());
    assert.match(noRead.warnings[0]!, /^callback URLs were not checked: the Management API token may not read applications \(Insufficient scope, expected any of: read:clients\); it needs read:clients\. Auth0 Dashboard → Applications → your app → Settings → Application URIs should list: /);
    assert.equal(noRead.actions, undefined);
    assertVerifiedClean(none);
    assertVerifiedClean(noRead);
  });

  test('missing callbacks: a warning and an action that adds them, keeping existing ones', async () => {
    const a = sx.app(CLIENTS.full.client_id);
    a.callbacks = ['https://old.example.com/callback', 'http://localhost:3000/auth/callback'];
    a.allowed_logout_urls = ['https://old.example.com'];
    a.web_origins = [];
    const v = await provider.verify(values(), io());
    assert.deepEqual(v.warnings, [
      'Auth0 application Acme Web is missing 5 URLs: Allowed Callback URLs: https://shop.example.com/auth/callback; Allowed Logout URLs: https://shop.example.com, http://localhost:3000; Allowed Web Origins: https://shop.example.com, http://localhost:3000',
    ]);
    assert.deepEqual(v.actions?.map((x) => x.id), ['auth0.client.urls']);
    const action = v.actions![0]!;
    assert.equal(action.ask, undefined, 'the plan confirmation covers it');
    assert.ok(action.details?.includes('+ Allowed Callback URLs: https://shop.example.com/auth/callback'), String(action.details));
    assertVerifiedClean(v);
    // Nothing changed during verify.
    assert.deepEqual(a.callbacks, ['https://old.example.com/callback', 'http://localhost:3000/auth/callback']);

    const r = await action.run(io(), values());
    assert.equal(r.done, 'Added 5 URLs to Auth0 application Acme Web (Allowed Callback URLs: https://shop.example.com/auth/callback; Allowed Logout URLs: https://shop.example.com, http://localhost:3000; Allowed Web Origins: https://shop.example.com, http://localhost:3000); existing ones kept');
    assertClean(r.done);
    const stored = sx.app(CLIENTS.full.client_id);
    assert.deepEqual(stored.callbacks, ['https://old.example.com/callback', 'http://localhost:3000/auth/callback', 'https://shop.example.com/auth/callback']);
    assert.deepEqual(stored.allowed_logout_urls, ['https://old.example.com', 'https://shop.example.com', 'http://localhost:3000']);
    assert.deepEqual(stored.web_origins, ['https://shop.example.com', 'http://localhost:3000']);
    const patch = sx.requests.filter((q) => q.method === 'PATCH').at(-1)!;
    assert.equal(patch.contentType, 'application/json');
    // Read back after the PATCH.
    assert.equal(sx.requests.at(-1)!.method, 'GET');

    const again = await provider.verify(values(), io());
    assert.deepEqual(again.warnings, []);
    assert.equal(again.actions, undefined);
    // Running it again is harmless.
    assert.match((await action.run(io(), values())).done, /already has every callback/);
  });

  test('a wildcard callback covers a URL; a read-only token gets paste instructions instead of an action', async () => {
    const a = sx.app(CLIENTS.full.client_id);
    a.callbacks = ['https://*.example.com/auth/callback', 'http://localhost:3000/auth/callback'];
    const v = await provider.verify(values(), io());
    assert.deepEqual(v.warnings, []);
    const ro = sx.app(CLIENTS.readOnly.client_id);
    ro.callbacks = [];
    const r = await provider.verify(values(CLIENTS.readOnly), io());
    assert.equal(r.actions, undefined);
    assert.match(r.warnings[0]!, /is missing 6 URLs: .* \(the token may not update applications: add them in Auth0 Dashboard → Applications → your app → Settings → Application URIs\)$/);
  });

  test('the action fails with paste instructions when the update is refused', async () => {
    sx.app(CLIENTS.full.client_id).web_origins = [];
    const v = await provider.verify(values(), io());
    sx.fail(/^\/api\/v2\/clients\//, { method: 'PATCH', status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'Insufficient scope, expected any of: update:clients', errorCode: 'insufficient_scope' } });
    const e = await failing(v.actions![0]!.run(io(), values()));
    assert.equal(e.code, 'MANAGEMENT_UPDATE');
    assert.match(e.message, /Auth0 refused to update application Acme Web \(HTTP 403: Insufficient scope/);
    assert.match(e.hint ?? '', /Allowed Web Origins: https:\/\/shop\.example\.com, http:\/\/localhost:3000$/);
  });

  test('issuer mismatch', async () => {
    // The same server reached as localhost: its issuer still says 127.0.0.1.
    const url = sx.url.replace('127.0.0.1', 'localhost');
    const e = await failing(provider.verify(values(), io({ url })));
    assert.equal(e.code, 'ISSUER_MISMATCH');
    assert.equal(e.message, `issuer mismatch: ${new URL(url).host} says its issuer is "${sx.issuer}", expected "${url}/"`);
    sx.fail('/.well-known/openid-configuration', { status: 200, body: { issuer: 'https://evil.example.com/' } });
    const other = await failing(provider.verify(values(), io()));
    assert.match(other.message, /says its issuer is "https:\/\/evil\.example\.com\/"/);
  });

  test('without an override the tenant origin is the domain (http only for loopback)', async () => {
    const v = await provider.verify(values(CLIENTS.full, { AUTH0_DOMAIN: new URL(sx.url).host }), io({ url: null }));
    assert.equal(v.identity, `Acme Web (${CLIENTS.full.client_id}) on ${new URL(sx.url).host}`);
  });

  test('429: retried once when Retry-After allows, then a rate-limit line', async () => {
    sx.fail('/oauth/token', { status: 429, retryAfter: 0, times: 1 });
    const ok = await verifyAuth0(values(), io(), fast);
    assert.deepEqual(ok.warnings, []);
    sx.fail('/.well-known/openid-configuration', { status: 429, retryAfter: 0 });
    const e = await failing(verifyAuth0(values(), io(), fast));
    assert.equal(e.code, 'RATE_LIMITED');
    assert.equal(e.message, 'Auth0 rate-limited the check (429 on the discovery document) after 3 attempts');
    sx.clearFaults();
    sx.fail('/oauth/token', { status: 429, retryAfter: 60 });
    const long = await failing(verifyAuth0(values(), io(), fast));
    assert.equal(long.message, 'Auth0 rate-limited the check (429 on the token request) after 1 attempt');
  });

  test('5xx, malformed JSON, 404, reset, timeout, refused, DNS', async () => {
    sx.fail('/oauth/token', { status: 503, times: 1 });
    assert.equal((await failing(verifyAuth0(values(), io(), fast))).message, 'Auth0 is having trouble at ' + new URL(sx.url).host + ' (HTTP 503 on the token request); try again');
    sx.fail('/.well-known/openid-configuration', { malformed: true, times: 1 });
    assert.equal((await failing(verifyAuth0(values(), io(), fast))).code, 'BAD_RESPONSE');
    sx.fail('/oauth/token', { malformed: true, times: 1 });
    assert.equal((await failing(verifyAuth0(values(), io(), fast))).code, 'BAD_RESPONSE');
    sx.fail('/.well-known/openid-configuration', { status: 404, body: { error: 'not_found' }, times: 1 });
    assert.equal((await failing(verifyAuth0(values(), io(), fast))).code, 'NOT_FOUND');
    sx.fail('/oauth/token', { reset: true, times: 1 });
    assert.equal((await failing(verifyAuth0(values(), io(), fast))).code, 'ECONNRESET');
    sx.fail('/oauth/token', { delayMs: 1500, times: 1 });
    const slow = await failing(verifyAuth0(values(), io(), fast));
    assert.equal(slow.code, 'TIMEOUT');
    assert.match(slow.message, /did not answer the token request within 0\.4 s/);
    sx.fail('/.well-known/openid-configuration', { delayMs: 1500, times: 1 });
    const outer = await failing(verifyAuth0(values(), io({ signal: AbortSignal.timeout(200) })));
    assert.equal(outer.code, 'TIMEOUT');
    const port = await freePort();
    const refused = await failing(verifyAuth0(values(), io({ url: `http://127.0.0.1:${port}` }), fast));
    assert.equal(refused.code, 'ECONNREFUSED');
    assert.equal(refused.message, `connection refused by 127.0.0.1:${port}`);
    const dns = await failing(verifyAuth0(values(CLIENTS.full, { AUTH0_DOMAIN: 'no-such-tenant.invalid' }), io({ url: null }), fast));
    assert.equal(dns.code, 'DNS');
    assert.match(dns.message, /^AUTH0_DOMAIN no-such-tenant\.invalid does not resolve \(DNS E[A-Z_]+\)$/);
  });

  test('a Management API server error fails the check', async () => {
    sx.fail(/^\/api\/v2\/clients\//, { status: 502 });
    const e = await failing(verifyAuth0(values(), io(), fast));
    assert.equal(e.code, 'SERVER_ERROR');
  });
});

describe('contribute', () => {
  test('render.yaml: sync:false for the Auth0 values, AUTH0_SECRET generated; next steps name the URLs', () => {
    const c = provider.contribute(values(), { project: project(), all: values() });
    assert.deepEqual(c.render?.envVars, [
      { key: 'AUTH0_DOMAIN', sync: false },
      { key: 'AUTH0_CLIENT_ID', sync: false },
      { key: 'AUTH0_CLIENT_SECRET', sync: false },
      { key: 'AUTH0_SECRET', generateValue: true },
      { key: 'APP_BASE_URL', sync: false },
    ]);
    const withAud = provider.contribute(values(CLIENTS.full, { AUTH0_AUDIENCE: 'https://api.example.com' }), { project: project({ express: '4' }), all: values() });
    assert.deepEqual(withAud.render?.envVars?.map((e) => e.key), ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'AUTH0_AUDIENCE', 'AUTH0_SECRET']);
    assert.ok(withAud.nextSteps?.[0]?.includes('Allowed Callback URLs: https://shop.example.com/callback, http://localhost:3000/callback'), String(withAud.nextSteps));
    assert.ok(c.nextSteps?.some((s) => s.startsWith('AUTH0_SECRET encrypts the session cookie')));
    for (const s of c.nextSteps ?? []) assertClean(s);
  });
});
