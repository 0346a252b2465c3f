// The Clerk provider against the stand-in (test/standins/clerk.ts): only the base URL differs, given through
// io.baseUrl as PROD_READY_CLERK_URL would.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { describeProject, type ProjectInfo } from '../../src/core/project.ts';
import type { Io, Values } from '../../src/core/provider.ts';
import { check } from '../../src/core/resolve.ts';
import provider, { decodePublishableKey, publishableKeyProblem, secretKeyProblem, verifyClerk } from '../../providers/clerk.ts';
import { KEYS, publishableKeyFor, startClerk } from '../standins/clerk.ts';
import { failingWith } from '../helpers/verify.ts';
import { freePort } from '../harness/processes.ts';
import { withServers } from '../helpers/servers.ts';

const { cx } = withServers({ cx: () => startClerk() });
afterEach(() => cx.clearFaults());

const project = (deps: Record<string, string> = { next: '15' }): ProjectInfo => describeProject({ cwd: '/x', pkg: { dependencies: deps }, lockfiles: [], typescript: true });
const io = (opts: { url?: string; signal?: AbortSignal } = {}): Io => ({
  signal: opts.signal ?? AbortSignal.timeout(5000),
  baseUrl: () => opts.url ?? cx.url,
  project: project(),
});
const values = (over: Record<string, string> = {}): Values => ({
  APP_URL: 'http://localhost:3000',
  CLERK_SECRET_KEY: KEYS.devSecret,
  CLERK_PUBLISHABLE_KEY: KEYS.devPublishable,
  ...over,
});
const prod = (over: Record<string, string> = {}) => values({ CLERK_SECRET_KEY: KEYS.prodSecret, CLERK_PUBLISHABLE_KEY: KEYS.prodPublishable, APP_URL: 'https://acme-shop.com', ...over });

const SECRETS = [KEYS.devSecret, KEYS.prodSecret, KEYS.otherDevSecret];
const assertClean = (text: string | undefined) => {
  for (const s of SECRETS) assert.ok(!(text ?? '').includes(s), `leaks a secret: ${text}`);
  assert.ok(!/sk_(test|live)_[A-Za-z0-9]{5}/.test(text ?? ''), `shows a secret key: ${text}`);
};

const failing = failingWith(assertClean);


describe('format checks (no network)', () => {
  test('secret key', () => {
    assert.equal(secretKeyProblem(KEYS.devSecret), undefined);
    assert.equal(secretKeyProblem(KEYS.prodSecret), undefined);
    assert.match(secretKeyProblem(KEYS.devPublishable)!, /CLERK_SECRET_KEY is the publishable key \(pk_…\)/);
    assert.match(secretKeyProblem('sk_test_abc')!, /looks cut off/);
    assert.match(secretKeyProblem('sk_prod_abcdefghijklmnopqrstu')!, /must continue with test_ or live_/);
    assert.match(secretKeyProblem('whatever')!, /must start with sk_test_ or sk_live_/);
    assert.match(secretKeyProblem(` ${KEYS.devSecret}`)!, /leading or trailing spaces/);
    assert.match(secretKeyProblem(`"${KEYS.devSecret}"`)!, /wrapped in quotes/);
    assert.match(secretKeyProblem('')!, /is empty/);
  });

  test('publishable key decodes to its Frontend API host', () => {
    assert.deepEqual(decodePublishableKey(KEYS.devPublishable), { mode: 'test', host: 'happy-hippo-42.clerk.accounts.dev' });
    assert.deepEqual(decodePublishableKey(KEYS.prodPublishable), { mode: 'live', host: 'clerk.acme-shop.com' });
    assert.equal(publishableKeyProblem(KEYS.devPublishable), undefined);
    assert.match(publishableKeyProblem(KEYS.devSecret)!, /CLERK_PUBLISHABLE_KEY is a secret key \(sk_…\), which must never reach a browser/);
    // no trailing "$": cut off or altered
    assert.match(publishableKeyProblem(`pk_test_${Buffer.from('foo-bar-13.clerk.accounts.dev').toString('base64')}`)!, /does not decode to a Frontend API host ending in "\$"/);
    assert.match(publishableKeyProblem(KEYS.devPublishable.slice(0, -6))!, /does not decode|cut off/);
    assert.match(publishableKeyProblem(`pk_test_${Buffer.from('not a host$').toString('base64')}`)!, /does not decode to a Frontend API host/);
    assert.match(publishableKeyProblem('pk_test_%%%')!, /characters a Clerk publishable key never has/);
    assert.match(publishableKeyProblem('pk_abc')!, /must start with pk_test_ or pk_live_/);
    assert.match(publishableKeyProblem('abc', 'VITE_CLERK_PUBLISHABLE_KEY')!, /^VITE_CLERK_PUBLISHABLE_KEY must start/);
  });

  test('the zod schemas through resolve.check', () => {
    const byKey = Object.fromEntries(provider.env.map((e) => [e.key, e]));
    assert.deepEqual(check(byKey.CLERK_SECRET_KEY!, KEYS.prodSecret), { ok: true, value: KEYS.prodSecret });
    const bad = check(byKey.CLERK_PUBLISHABLE_KEY!, KEYS.devSecret);
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && !bad.message.includes(KEYS.devSecret));
  });

  test('env declaration', () => {
    const byKey = Object.fromEntries(provider.env.map((e) => [e.key, e]));
    assert.deepEqual(Object.keys(byKey), ['CLERK_SECRET_KEY', 'CLERK_PUBLISHABLE_KEY', 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'VITE_CLERK_PUBLISHABLE_KEY', 'PUBLIC_CLERK_PUBLISHABLE_KEY']);
    assert.equal(byKey.CLERK_SECRET_KEY!.secret, true);
    assert.equal(byKey.CLERK_PUBLISHABLE_KEY!.secret, false);
    for (const k of ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'VITE_CLERK_PUBLISHABLE_KEY', 'PUBLIC_CLERK_PUBLISHABLE_KEY']) {
      assert.equal(byKey[k]!.optional, true);
      assert.equal(byKey[k]!.prompt, false);
      assert.equal(byKey[k]!.secret, false);
    }
    assert.equal(provider.id, 'clerk');
    assert.equal(provider.apiUrl, 'https://api.clerk.com');
    assert.equal(provider.docsUrl, 'https://dashboard.clerk.com/last-active?path=api-keys');
  });

  test('a malformed value, an alias that differs or a test/live mix fails before any request', async () => {
    const n = cx.requests.length;
    for (const [over, re] of [
      [{ CLERK_SECRET_KEY: KEYS.devPublishable }, /CLERK_SECRET_KEY is the publishable key/],
      [{ CLERK_PUBLISHABLE_KEY: KEYS.devSecret }, /never reach a browser/],
      [{ CLERK_SECRET_KEY: '' }, /CLERK_SECRET_KEY is missing/],
      [{ CLERK_PUBLISHABLE_KEY: '' }, /CLERK_PUBLISHABLE_KEY is missing/],
      [{ CLERK_PUBLISHABLE_KEY: KEYS.prodPublishable }, /^keys from different environments: pk_live_ with sk_test_$/],
      [{ CLERK_SECRET_KEY: KEYS.prodSecret }, /^keys from different environments: pk_test_ with sk_live_$/],
      [{ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: KEYS.otherDevPublishable }, /NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY differs from CLERK_PUBLISHABLE_KEY/],
    ] as const) {
      const e = await failing(provider.verify(values(over), io()));
      assert.equal(e.code, 'BAD_FORMAT', e.message);
      assert.match(e.message, re);
      assert.ok(e.hint);
    }
    assert.equal(cx.requests.length, n, 'no request reached the stand-in');
  });
});

describe('public alias per framework', () => {
  const known = { CLERK_PUBLISHABLE_KEY: KEYS.devPublishable };
  const cases: [Record<string, string>, string | undefined][] = [
    [{ next: '15' }, 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY'],
    [{ '@react-router/dev': '7' }, 'VITE_CLERK_PUBLISHABLE_KEY'],
    [{ '@remix-run/node': '2' }, 'VITE_CLERK_PUBLISHABLE_KEY'],
    [{ astro: '5' }, 'PUBLIC_CLERK_PUBLISHABLE_KEY'],
    [{ '@sveltejs/kit': '2' }, 'PUBLIC_CLERK_PUBLISHABLE_KEY'],
    [{ express: '4' }, undefined],
    [{ hono: '4' }, undefined],
    [{ fastify: '5' }, undefined],
    [{ '@nestjs/core': '10' }, undefined],
    [{}, undefined],
  ];
  for (const [deps, alias] of cases)
    test(`${Object.keys(deps)[0] ?? 'plain node'} → ${alias ?? 'no alias'}`, () => {
      const p = project(deps);
      for (const e of provider.env.filter((x) => x.key !== 'CLERK_SECRET_KEY' && x.key !== 'CLERK_PUBLISHABLE_KEY')) {
        assert.equal(e.derive?.(known, p), e.key === alias ? KEYS.devPublishable : undefined, `${e.key} for ${p.framework}`);
        assert.equal(e.derive?.(known, p), e.key === alias ? KEYS.devPublishable : undefined, `derive ${e.key} for ${p.framework}`);
      }
    });

  test('no publishable key yet: no alias value', () => {
    for (const e of provider.env) assert.equal(e.derive?.({}, project()), undefined);
  });

  test('contribute: sync:false for both keys, plus the alias only when it has a value; no compose', () => {
    const ctx = { project: project(), all: {} };
    const c = provider.contribute(values({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: KEYS.devPublishable, VITE_CLERK_PUBLISHABLE_KEY: '' }), ctx);
    assert.deepEqual(c.render?.envVars, [
      { key: 'CLERK_SECRET_KEY', sync: false },
      { key: 'CLERK_PUBLISHABLE_KEY', sync: false },
      { key: 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', sync: false },
    ]);
    assert.equal(c.compose, undefined);
    assert.deepEqual(provider.contribute(values(), ctx).render?.envVars?.map((v) => v.key), ['CLERK_SECRET_KEY', 'CLERK_PUBLISHABLE_KEY']);
  });
});

describe('identity and the pair check', () => {
  test('development instance: id, environment type, frontend API host', async () => {
    const v = await provider.verify(values({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: KEYS.devPublishable }), io());
    assert.equal(v.identity, 'ins_2DevStandin0000000000000001 · development · frontend API happy-hippo-42.clerk.accounts.dev');
    assert.equal(v.mode, 'development');
    assert.deepEqual(v.warnings, []);
    const req = cx.requestsTo('/v1/instance').at(-1)!;
    assert.equal(req.key, KEYS.devSecret, 'Bearer secret key');
    assert.ok(cx.requestsTo('/v1/domains').length >= 1);
    for (const d of v.details ?? []) assertClean(d);
    assertClean(v.identity);
  });

  test('production instance on its own domain: no warning', async () => {
    const v = await provider.verify(prod(), io());
    assert.equal(v.identity, 'ins_2ProdStandin000000000000001 · production · frontend API clerk.acme-shop.com');
    assert.equal(v.mode, 'production');
    assert.deepEqual(v.warnings, []);
    const sub = await provider.verify(prod({ APP_URL: 'https://app.acme-shop.com' }), io());
    assert.deepEqual(sub.warnings, []);
  });

  test('keys from two different instances: the exact sentence', async () => {
    const e = await failing(provider.verify(values({ CLERK_PUBLISHABLE_KEY: KEYS.otherDevPublishable }), io()));
    assert.equal(e.code, 'KEY_MISMATCH');
    assert.ok(e.message.includes('these two keys are from different Clerk instances'), e.message);
    assert.match(e.message, /brave-otter-7\.clerk\.accounts\.dev.*ins_2DevStandin0000000000000001 \(happy-hippo-42\.clerk\.accounts\.dev\)/);
  });

  test('production instance with a local APP_URL: a warning', async () => {
    const v = await provider.verify(prod({ APP_URL: 'http://localhost:3000' }), io());
    assert.equal(v.warnings.length, 1, String(v.warnings));
    assert.match(v.warnings[0]!, /APP_URL http:\/\/localhost:3000 is local, but this is a production Clerk instance \(for acme-shop\.com\)/);
  });

  test('production instance with an APP_URL on another domain: a warning', async () => {
    const v = await provider.verify(prod({ APP_URL: 'https://shop.example.org' }), io());
    assert.ok(v.warnings.some((w) => /APP_URL https:\/\/shop\.example\.org is not on this production Clerk instance's domain \(acme-shop\.com\)/.test(w)), String(v.warnings));
    // a look-alike that merely ends with the same letters is not on the domain
    const look = await provider.verify(prod({ APP_URL: 'https://evilacme-shop.com' }), io());
    assert.equal(look.warnings.length, 1);
  });

  test('development instance with a local APP_URL: no warning', async () => {
    const v = await provider.verify(values({ APP_URL: 'http://127.0.0.1:5173' }), io());
    assert.deepEqual(v.warnings, []);
  });
});

describe('failures: one line each, the key never shown', () => {
  test('401: invalid or revoked key', async () => {
    const unknown = 'sk_test_RevokedKeyNotKnownToClerk00000000000001';
    const e = await failing(provider.verify(values({ CLERK_SECRET_KEY: unknown }), io()));
    assert.equal(e.code, 'UNAUTHORIZED');
    assert.equal(e.message, 'Clerk rejected CLERK_SECRET_KEY sk_test_••••0001: invalid or revoked secret key (401 authentication_invalid)');
    assert.ok(!e.message.includes(unknown));
    assert.match(e.hint ?? '', /dashboard\.clerk\.com/);
  });

  test('403', async () => {
    cx.fail('/v1/instance', { status: 403 });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'PERMISSION');
    assert.match(e.message, /^CLERK_SECRET_KEY sk_test_••••0001 may not read the instance \(403 authorization_invalid\): /);
  });

  test('404 (a wrong base URL, e.g. with /v1 twice)', async () => {
    const e = await failing(provider.verify(values(), io({ url: `${cx.url}/v1` })));
    assert.equal(e.code, 'NOT_FOUND');
    assert.match(e.message, /^Clerk could not read the instance: Resource not found \(404 resource_not_found\)$/);
    assert.match(e.hint ?? '', /PROD_READY_CLERK_URL/);
  });

  test('422', async () => {
    cx.fail('/v1/domains', { status: 422 });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'UNPROCESSABLE');
    assert.match(e.message, /^Clerk refused to list the instance domains: .* \(422 form_param_format_invalid\)$/);
  });

  test('an error body that echoes a key is scrubbed', async () => {
    cx.fail('/v1/instance', { status: 403, body: { errors: [{ message: 'x', long_message: `key ${KEYS.devSecret} is not allowed`, code: 'authorization_invalid' }] } });
    const e = await failing(provider.verify(values(), io()));
    assert.match(e.message, /key sk_test_•••• is not allowed/);
  });

  test('429 with Retry-After: waits as asked, retries, then succeeds', async () => {
    const n = cx.requestsTo('/v1/instance').length;
    cx.fail('/v1/instance', { status: 429, retryAfter: '0.3', times: 1 });
    const t0 = Date.now();
    const v = await provider.verify(values(), io());
    assert.match(v.identity, /^ins_2DevStandin/);
    assert.ok(Date.now() - t0 >= 280, `waited ${Date.now() - t0} ms`);
    assert.equal(cx.requestsTo('/v1/instance').length, n + 2);
  });

  test('429 exhausted: at most 2 retries, then one line', async () => {
    const n = cx.requestsTo('/v1/instance').length;
    cx.fail('/v1/instance', { status: 429, retryAfter: '0.1' });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'RATE_LIMITED');
    assert.equal(e.message, 'Clerk rate-limited the check (429) after 3 attempts');
    assert.equal(cx.requestsTo('/v1/instance').length, n + 3);
  });

  test('429 asking for longer than the budget: no pointless wait', async () => {
    cx.fail('/v1/instance', { status: 429, retryAfter: 30 });
    const t0 = Date.now();
    const e = await failing(provider.verify(values(), io()));
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    assert.equal(e.message, 'Clerk rate-limited the check (429) after 1 attempt (it asked to wait 30 s)');
  });

  for (const status of [500, 502, 503])
    test(`${status}: Clerk is having trouble`, async () => {
      cx.fail('/v1/instance', { status });
      const e = await failing(provider.verify(values(), io()));
      assert.equal(e.code, 'CLERK_5XX');
      assert.equal(e.message, `Clerk is having trouble (HTTP ${status}); try again`);
      assert.match(e.hint ?? '', /status\.clerk\.com/);
    });

  test('a 502 with an HTML body from a proxy: still the HTTP status', async () => {
    cx.fail('/v1/instance', { status: 502, malformed: true, body: '<html>Bad Gateway</html>' });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.message, 'Clerk is having trouble (HTTP 502); try again');
  });

  test('malformed JSON in a 200', async () => {
    cx.fail('/v1/instance', { malformed: true });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'BAD_RESPONSE');
    assert.match(e.message, /^127\.0\.0\.1:\d+ answered with something that is not JSON \(HTTP 200\)$/);
    assert.match(e.hint ?? '', /PROD_READY_CLERK_URL/);
  });

  test("timeout: the caller's deadline", async () => {
    cx.fail('/v1/instance', { delayMs: 2000 });
    const t0 = Date.now();
    const e = await failing(provider.verify(values(), io({ signal: AbortSignal.timeout(200) })));
    assert.equal(e.code, 'TIMEOUT');
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  });

  test('timeout: the per-request timeout', async () => {
    cx.fail('/v1/instance', { delayMs: 2000 });
    const e = await failing(verifyClerk(values(), io(), { requestTimeoutMs: 200 }));
    assert.equal(e.code, 'TIMEOUT');
    assert.match(e.message, /^Timed out: 127\.0\.0\.1:\d+ did not answer within 0\.2 s$/);
  });

  test('Ctrl+C (the caller aborts) rejects with the abort, not a VerifyError', async () => {
    cx.fail('/v1/instance', { delayMs: 2000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(provider.verify(values(), io({ signal: ac.signal })), (e: Error) => e.name === 'AbortError');
  });

  test('connection reset', async () => {
    cx.fail('/v1/instance', { reset: true });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'ECONNRESET');
    assert.match(e.message, /^the connection to 127\.0\.0\.1:\d+ was reset \(ECONNRESET\)$/);
  });

  test('connection refused', async () => {
    const port = await freePort();
    const e = await failing(provider.verify(values(), io({ url: `http://127.0.0.1:${port}` })));
    assert.equal(e.code, 'ECONNREFUSED');
    assert.equal(e.message, `connection refused by 127.0.0.1:${port}: nothing is listening there`);
    assert.match(e.hint ?? '', /PROD_READY_CLERK_URL/);
  });

  test('DNS failure', async () => {
    const e = await failing(provider.verify(values(), io({ url: 'http://no-such-host.invalid' })));
    assert.ok(e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN', String(e.code));
    assert.match(e.message, /^cannot resolve host no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)\)$/);
  });

  test('the publishable key for a host Clerk does not list, with latency', async () => {
    const slow = await startClerk({ latencyMs: 50 });
    try {
      const pk = publishableKeyFor('clerk.elsewhere.com', 'test');
      const e = await failing(provider.verify(values({ CLERK_PUBLISHABLE_KEY: pk }), io({ url: slow.url })));
      assert.equal(e.code, 'KEY_MISMATCH');
    } finally {
      await slow.stop();
    }
  });
});

describe('the core resolves the alias', () => {
  test('resolveAll (--yes): only the framework alias gets the publishable key', async () => {
    const { resolveAll } = await import('../../src/core/resolve.ts');
    const env = { CLERK_SECRET_KEY: KEYS.devSecret, CLERK_PUBLISHABLE_KEY: KEYS.devPublishable };
    const next = resolveAll([provider], env, {}, project({ next: '15' })).values;
    assert.equal(next.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, KEYS.devPublishable);
    assert.ok(!next.VITE_CLERK_PUBLISHABLE_KEY && !next.PUBLIC_CLERK_PUBLISHABLE_KEY);
    const astro = resolveAll([provider], env, { PUBLIC_CLERK_PUBLISHABLE_KEY: KEYS.otherDevPublishable }, project({ astro: '5' })).values;
    assert.equal(astro.PUBLIC_CLERK_PUBLISHABLE_KEY, KEYS.devPublishable, 'a stale alias in .env follows the publishable key');
    const express = resolveAll([provider], env, {}, project({ express: '4' })).values;
    for (const a of ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'VITE_CLERK_PUBLISHABLE_KEY', 'PUBLIC_CLERK_PUBLISHABLE_KEY']) assert.ok(!express[a], a);
  });
});
