// The Stripe provider against the stand-in (test/standins/stripe.ts) with the real `stripe` SDK: only the
// base URL differs, given through io.baseUrl as PROD_READY_STRIPE_URL would.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, before, describe, test } from 'node:test';
import type StripeSDK from 'stripe';
import { describeProject, type ProjectInfo } from '../../src/core/project.ts';
import type { Io, Values, Verified } from '../../src/core/provider.ts';
import { check } from '../../src/core/resolve.ts';
import provider, {
  DEFAULT_WEBHOOK_EVENTS,
  publishableKeyProblem,
  secretKeyProblem,
  verifyStripe,
  webhookEventsProblem,
  webhookPathProblem,
  webhookSecretProblem,
} from '../../providers/stripe/index.ts';
import { KEYS, RESTRICTED_DEFAULT_PERMISSIONS, startStripe } from '../standins/stripe.ts';
import { failingWith } from '../helpers/verify.ts';
import { freePort } from '../harness/processes.ts';
import { withServers } from '../helpers/servers.ts';

const UNKNOWN_KEY = `sk_test_51Unknown${'U'.repeat(80)}unknownKey1`;
const EXPIRED_KEY = `sk_live_51Expired${'E'.repeat(80)}expiredKey1`;
const RK_NO_BALANCE = `rk_live_51NoBalance${'N'.repeat(78)}nobalance01`;
const RK_NO_WEBHOOKS = `rk_test_51NoHooks${'H'.repeat(80)}nohooks0001`;

const { sx } = withServers({ sx: () => startStripe({
  account: { id: 'acct_1AcmeStandin0001', displayName: 'Acme', country: 'US', chargesEnabled: true },
  expiredKeys: [EXPIRED_KEY],
  restrictedKeys: {
    [KEYS.restricted]: RESTRICTED_DEFAULT_PERMISSIONS,
    [RK_NO_BALANCE]: ['rak_webhook_read'],
    [RK_NO_WEBHOOKS]: ['rak_balance_read', 'rak_price_read'],
  },
}) });
afterEach(() => sx.clearFaults());

const project = (deps: Record<string, string> = { next: '15' }): ProjectInfo => describeProject({ cwd: '/x', pkg: { dependencies: deps }, lockfiles: [], typescript: true });
const io = (opts: { url?: string; signal?: AbortSignal; deps?: Record<string, string> } = {}): Io => ({
  signal: opts.signal ?? AbortSignal.timeout(5000),
  baseUrl: () => opts.url ?? sx.url,
  project: project(opts.deps),
});
const values = (over: Record<string, string> = {}): Values => ({
  NODE_ENV: 'development',
  APP_URL: 'http://localhost:3000',
  STRIPE_SECRET_KEY: KEYS.test,
  STRIPE_PUBLISHABLE_KEY: KEYS.publishableTest,
  STRIPE_WEBHOOK_SECRET: 'whsec_localDevelopmentSecret0000000000',
  ...over,
});

/** Every secret a test uses: none may appear in an error line, a hint or an action's `done`. */
const SECRETS = [KEYS.test, KEYS.live, KEYS.restricted, UNKNOWN_KEY, EXPIRED_KEY, RK_NO_BALANCE, RK_NO_WEBHOOKS];
function assertClean(text: string | undefined, extra: string[] = []): void {
  for (const s of [...SECRETS, ...extra, ...sx.state.webhookSecrets.values()]) assert.ok(!(text ?? '').includes(s), `leaks a secret: ${text}`);
}

const failing = failingWith(assertClean);

async function sdk(key: string): Promise<StripeSDK> {
  const { default: Stripe } = await import('stripe');
  return new Stripe(key, { host: '127.0.0.1', port: sx.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
}


let site = 0;
/** A fresh public APP_URL per test, so webhook endpoints from one test never meet another's. */
const appUrl = () => `https://shop-${++site}.example.com`;

describe('formats (zod schemas, no network)', () => {
  const msg = (key: string, v: string) => {
    const e = provider.env.find((x) => x.key === key)!;
    const r = check(e, v);
    return r.ok ? undefined : r.message;
  };

  test('the secret key: each wrong kind of value gets its own message', () => {
    for (const ok of [KEYS.test, KEYS.live, KEYS.restricted, 'sk_test_4eC39HqLyjWDarjtT1zdp7dc']) assert.equal(msg('STRIPE_SECRET_KEY', ok), undefined, ok);
    const cases: [string, RegExp][] = [
      [KEYS.publishableTest, /STRIPE_SECRET_KEY is the publishable key \(pk_…\): use the secret key \(sk_…\)/],
      ['whsec_abcdefghijklmnopqrstuvwxyz012345', /webhook signing secret \(whsec_…\), which belongs in STRIPE_WEBHOOK_SECRET/],
      ['we_1Pgc6yB7WZ01zgkWzAudq4eU', /webhook endpoint id \(we_…\), not a key/],
      [` ${KEYS.test}`, /leading or trailing spaces/],
      [`${KEYS.test}\n`, /leading or trailing spaces or a line break/],
      ['sk_test_abc def123456789', /contains a space/],
      [`"${KEYS.test}"`, /wrapped in quotes/],
      ['sk_abcdefghijklmnop', /must continue with test_ or live_/],
      ['sk_test_abc', /looks cut off/],
      ['sk_test_abcdefghij-klmnop', /looks cut off or has characters/],
      ['acct_1PgafTB7WZ01zgkW', /account id/],
      ['sk_org_abcdefghijklmnop', /organization key/],
      ['hello', /must start with sk_test_ or sk_live_ \(a restricted key: rk_test_ \/ rk_live_\)/],
    ];
    for (const [v, re] of cases) assert.match(msg('STRIPE_SECRET_KEY', v) ?? 'accepted', re, v);
    // The function form, as verify uses it, never echoes the key.
    assert.ok(!(secretKeyProblem(KEYS.publishableTest) ?? '').includes(KEYS.publishableTest));
  });

  test('the publishable key', () => {
    assert.equal(msg('STRIPE_PUBLISHABLE_KEY', KEYS.publishableLive), undefined);
    assert.match(publishableKeyProblem(KEYS.test)!, /is a secret key \(sk_…\), which must never reach a browser/);
    assert.match(publishableKeyProblem(KEYS.restricted)!, /is a secret key \(rk_…\)/);
    assert.match(publishableKeyProblem('whsec_abcdefghijklmnopqrstuvwxyz')!, /webhook signing secret/);
    assert.match(publishableKeyProblem('we_123456789012')!, /webhook endpoint id/);
    assert.match(publishableKeyProblem('pk_abc')!, /must start with pk_test_ or pk_live_/);
    assert.match(publishableKeyProblem(' pk_test_abcdefghijk')!, /spaces/);
  });

  test('the webhook signing secret', () => {
    assert.equal(webhookSecretProblem('whsec_abcdefghijklmnopqrstuvwxyz012345'), undefined);
    assert.equal(msg('STRIPE_WEBHOOK_SECRET', 'we_1Pgc6yB7WZ01zgkWzAudq4eU'), 'STRIPE_WEBHOOK_SECRET: that is the webhook endpoint id; the signing secret starts with whsec_');
    assert.match(webhookSecretProblem(KEYS.test)!, /is an API key \(sk_…\), not a signing secret/);
    assert.match(webhookSecretProblem('whsec_x')!, /looks cut off/);
    assert.match(webhookSecretProblem('abc')!, /must start with whsec_/);
  });

  test('webhook path and events', () => {
    assert.equal(webhookPathProblem('/api/webhooks/stripe'), undefined);
    assert.match(webhookPathProblem('https://x.com/hook')!, /is a path, not a URL/);
    assert.match(webhookPathProblem('webhooks')!, /must start with "\/"/);
    assert.match(webhookPathProblem('/hook?x=1')!, /query or fragment/);
    assert.equal(webhookEventsProblem('invoice.paid, customer.subscription.updated'), undefined);
    assert.equal(webhookEventsProblem('*'), undefined);
    assert.match(webhookEventsProblem('invoice.paid,,x.y')!, /without empty entries/);
    assert.match(webhookEventsProblem('invoice paid')!, /"invoice paid" is not a Stripe event type/);
    assert.match(webhookEventsProblem('*,invoice.paid')!, /"\*" already means every event/);
    const events = provider.env.find((e) => e.key === 'STRIPE_WEBHOOK_EVENTS')!;
    assert.deepEqual(check(events, 'invoice.paid , invoice.payment_failed'), { ok: true, value: 'invoice.paid,invoice.payment_failed' });
  });

  test('env declaration', () => {
    const byKey = Object.fromEntries(provider.env.map((e) => [e.key, e]));
    assert.deepEqual(Object.keys(byKey), ['STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_PATH', 'STRIPE_WEBHOOK_EVENTS']);
    assert.equal(byKey.STRIPE_SECRET_KEY!.secret, true);
    assert.equal(byKey.STRIPE_PUBLISHABLE_KEY!.secret, false);
    assert.equal(byKey.STRIPE_WEBHOOK_SECRET!.secret, true);
    assert.equal(byKey.STRIPE_WEBHOOK_SECRET!.optional, true);
    assert.equal(byKey.STRIPE_WEBHOOK_SECRET!.prompt, false);
    for (const k of ['STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET']) assert.equal(byKey[k]!.localDefault, undefined, k);
    assert.match(byKey.STRIPE_SECRET_KEY!.where!, /Developers → API keys.*https:\/\/dashboard\.stripe\.com\/apikeys.*\/test\/apikeys/);
    assert.match(byKey.STRIPE_WEBHOOK_SECRET!.where!, /Developers → Webhooks/);
    assert.equal(byKey.STRIPE_WEBHOOK_PATH!.optional, true);
    assert.equal(byKey.STRIPE_WEBHOOK_PATH!.secret, false);
    assert.equal(byKey.STRIPE_WEBHOOK_PATH!.localDefault?.({}, project({ next: '15' })), '/api/webhooks/stripe');
    assert.equal(byKey.STRIPE_WEBHOOK_PATH!.localDefault?.({}, project({ '@sveltejs/kit': '2' })), '/api/webhooks/stripe');
    assert.equal(byKey.STRIPE_WEBHOOK_PATH!.localDefault?.({}, project({ express: '4' })), '/webhooks/stripe');
    assert.equal(byKey.STRIPE_WEBHOOK_PATH!.localDefault?.({}, project({})), '/webhooks/stripe');
    assert.equal(byKey.STRIPE_WEBHOOK_EVENTS!.optional, true);
    assert.equal(provider.apiUrl, 'https://api.stripe.com');
  });

  test('a malformed value fails before any request is made', async () => {
    const n = sx.state.requests.length;
    for (const [over, re] of [
      [{ STRIPE_SECRET_KEY: KEYS.publishableTest }, /publishable key/],
      [{ STRIPE_PUBLISHABLE_KEY: KEYS.test }, /never reach a browser/],
      [{ STRIPE_WEBHOOK_SECRET: 'we_1Pgc6yB7WZ01zgkWzAudq4eU' }, /webhook endpoint id; the signing secret starts with whsec_/],
      [{ STRIPE_PRICE_PRO: 'prod_QXg1hqf4jFNsqG' }, /STRIPE_PRICE_PRO is a product id/],
      [{ STRIPE_SECRET_KEY: '' }, /STRIPE_SECRET_KEY is missing/],
    ] as const) {
      const e = await failing(verifyStripe(values(over), io()));
      assert.equal(e.code, 'BAD_FORMAT');
      assert.match(e.message, re);
      assert.ok(e.hint, 'a hint');
    }
    assert.equal(sx.state.requests.length, n, 'no request reached the stand-in');
  });
});

describe('identity and mode', () => {
  test('account id, display name, country, charges, test mode', async () => {
    const v = await provider.verify(values(), io());
    assert.equal(v.identity, 'acct_1AcmeStandin0001 "Acme" (US, charges enabled) · test mode');
    assert.equal(v.mode, 'test');
    assert.deepEqual(v.warnings, []);
    assert.equal(v.actions, undefined);
    assert.ok(v.details?.some((d) => /^keys: secret sk_test_••••0001 · publishable test$/.test(d)), String(v.details));
    const req = sx.requestsTo('/v1/account')[0]!;
    assert.equal(req.key, KEYS.test, 'the SDK sent the key');
  });

  test('business name when there is no display name; a live account that cannot charge yet', async () => {
    const other = await startStripe({ account: { id: 'acct_2', displayName: null, businessName: 'Acme Inc', country: 'DE', chargesEnabled: false } });
    try {
      const v = await provider.verify(values({ STRIPE_SECRET_KEY: KEYS.live, STRIPE_PUBLISHABLE_KEY: KEYS.publishableLive, NODE_ENV: 'production' }), io({ url: other.url }));
      assert.equal(v.identity, 'acct_2 "Acme Inc" (DE, charges not enabled) · live mode');
      assert.equal(v.mode, 'live');
      assert.ok(v.warnings.some((w) => /live account cannot accept payments yet/.test(w)), String(v.warnings));
    } finally {
      await other.stop();
    }
  });

  test('publishable and secret keys from different modes: a warning', async () => {
    const v = await provider.verify(values({ STRIPE_PUBLISHABLE_KEY: KEYS.publishableLive }), io());
    assert.ok(v.warnings.some((w) => /publishable and secret keys are from different modes \(STRIPE_PUBLISHABLE_KEY is live, STRIPE_SECRET_KEY is test\)/.test(w)), String(v.warnings));
  });

  test('a live key in a development .env: a warning; in production: none', async () => {
    const dev = await provider.verify(values({ STRIPE_SECRET_KEY: KEYS.live, STRIPE_PUBLISHABLE_KEY: KEYS.publishableLive }), io());
    assert.equal(dev.mode, 'live');
    assert.ok(dev.warnings.some((w) => /live key in a development \.env \(NODE_ENV=development\)/.test(w)), String(dev.warnings));
    const unset = await provider.verify(values({ STRIPE_SECRET_KEY: KEYS.live, STRIPE_PUBLISHABLE_KEY: KEYS.publishableLive, NODE_ENV: '' }), io());
    assert.ok(unset.warnings.some((w) => /NODE_ENV=unset/.test(w)));
    const prod = await provider.verify(values({ STRIPE_SECRET_KEY: KEYS.live, STRIPE_PUBLISHABLE_KEY: KEYS.publishableLive, NODE_ENV: 'production' }), io());
    assert.ok(!prod.warnings.some((w) => /development/.test(w)), String(prod.warnings));
    for (const w of [...dev.warnings, ...prod.warnings]) assertClean(w);
  });

  test('a restricted key that may not read the account falls back to the balance and names the permission', async () => {
    const before = sx.requestsTo('/v1/balance').length;
    const v = await provider.verify(values({ STRIPE_SECRET_KEY: KEYS.restricted }), io());
    assert.match(v.identity, /^restricted key rk_test_••••t001 · test mode$/);
    assert.equal(v.mode, 'test');
    assert.ok(v.warnings.some((w) => /may not read the account \(missing permission: rak_accounts_kyc_id_numbers_read\)/.test(w)), String(v.warnings));
    assert.equal(sx.requestsTo('/v1/balance').length, before + 1);
    for (const w of v.warnings) assertClean(w);
  });

  test('when Stripe names no permission, the warning says "Account: read"', async () => {
    const old = await startStripe({ accountPermission: null });
    try {
      const v = await provider.verify(values({ STRIPE_SECRET_KEY: KEYS.restricted }), io({ url: old.url }));
      assert.ok(v.warnings.some((w) => /missing permission: Account: read/.test(w)), String(v.warnings));
    } finally {
      await old.stop();
    }
  });

  test('a restricted key that may read neither the account nor the balance fails, naming the permission', async () => {
    const e = await failing(provider.verify(values({ STRIPE_SECRET_KEY: RK_NO_BALANCE, STRIPE_PUBLISHABLE_KEY: KEYS.publishableLive, NODE_ENV: 'production' }), io()));
    assert.equal(e.code, 'PERMISSION');
    assert.match(e.message, /^STRIPE_SECRET_KEY rk_live_••••ce01 may not read the balance \(403: missing permission rak_balance_read\)$/);
    assert.match(e.hint ?? '', /give the restricted key this permission/);
  });
});

describe('failures: one line each, the key never shown', () => {
  test('401: unknown key (revoked or rolled?)', async () => {
    const e = await failing(provider.verify(values({ STRIPE_SECRET_KEY: UNKNOWN_KEY }), io()));
    assert.equal(e.code, 'UNAUTHORIZED');
    assert.equal(e.message, 'Stripe rejected STRIPE_SECRET_KEY sk_test_••••Key1: invalid API key (401)');
    assert.match(e.hint ?? '', /rolled or revoked.*https:\/\/dashboard\.stripe\.com\/test\/apikeys/);
  });

  test('401: an expired (rolled) key', async () => {
    const e = await failing(provider.verify(values({ STRIPE_SECRET_KEY: EXPIRED_KEY, STRIPE_PUBLISHABLE_KEY: KEYS.publishableLive, NODE_ENV: 'production' }), io()));
    assert.equal(e.code, 'UNAUTHORIZED');
    assert.match(e.message, /the key has expired \(it was rolled\) \(401\)/);
    assert.match(e.hint ?? '', /https:\/\/dashboard\.stripe\.com\/apikeys/);
  });

  test('403 for a secret key', async () => {
    sx.fail('/v1/account', { status: 403 });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'PERMISSION');
    assert.match(e.message, /may not read the account \(403: missing permission rak_accounts_kyc_id_numbers_read\)/);
  });

  test('429 with Retry-After: waits as asked, retries, then succeeds', async () => {
    const n = sx.requestsTo('/v1/account').length;
    sx.fail('/v1/account', { status: 429, retryAfter: 1, times: 1 });
    let t0 = Date.now();
    const v = await provider.verify(values(), io());
    assert.match(v.identity, /^acct_1AcmeStandin0001/);
    assert.ok(Date.now() - t0 >= 950, `waited ${Date.now() - t0} ms`);
    assert.equal(sx.requestsTo('/v1/account').length, n + 2);

    sx.fail('/v1/account', { status: 429, retryAfter: '0.3', times: 2 });
    t0 = Date.now();
    await provider.verify(values(), io());
    assert.ok(Date.now() - t0 >= 550, `waited ${Date.now() - t0} ms`);
    assert.equal(sx.requestsTo('/v1/account').length, n + 5);
  });

  test('429 exhausted: at most 2 retries, then one line', async () => {
    const n = sx.requestsTo('/v1/account').length;
    sx.fail('/v1/account', { status: 429, retryAfter: '0.2' });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'RATE_LIMITED');
    assert.equal(e.message, 'Stripe rate-limited the check (429) after 3 attempts');
    assert.equal(sx.requestsTo('/v1/account').length, n + 3);
  });

  test('429 asking for longer than the budget: no pointless wait', async () => {
    const n = sx.requestsTo('/v1/account').length;
    sx.fail('/v1/account', { status: 429, retryAfter: 30 });
    const t0 = Date.now();
    const e = await failing(provider.verify(values(), io()));
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    assert.match(e.message, /429\) after 1 attempt \(it asked to wait 30 s\)/);
    assert.equal(sx.requestsTo('/v1/account').length, n + 1);
    // Without Retry-After: short backoff, still bounded.
    sx.clearFaults();
    sx.fail('/v1/account', { status: 429 });
    const e2 = await failing(verifyStripe(values(), io(), { rateLimitBudgetMs: 600 }));
    assert.equal(e2.code, 'RATE_LIMITED');
  });

  for (const status of [500, 502, 503]) {
    test(`${status}: Stripe is having trouble`, async () => {
      sx.fail('/v1/account', { status });
      const e = await failing(provider.verify(values(), io()));
      assert.equal(e.code, 'STRIPE_5XX');
      assert.equal(e.message, `Stripe is having trouble (HTTP ${status}); try again`);
      assert.match(e.hint ?? '', /status\.stripe\.com/);
    });
  }

  test('a 502 with an HTML body from a proxy: still the HTTP status', async () => {
    sx.fail('/v1/account', { status: 502, malformed: true, body: '<html><body>Bad Gateway</body></html>' });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.message, 'Stripe is having trouble (HTTP 502); try again');
  });

  test('malformed JSON in a 200', async () => {
    sx.fail('/v1/account', { malformed: true });
    const e = await failing(provider.verify(values(), io()));
    assert.equal(e.code, 'BAD_RESPONSE');
    assert.match(e.message, /^127\.0\.0\.1:\d+ answered with something that is not JSON \(HTTP 200\)$/);
    assert.match(e.hint ?? '', /PROD_READY_STRIPE_URL/);
  });

  test('timeout: an answer slower than the caller\'s deadline', async () => {
    sx.fail('/v1/account', { delayMs: 3000 });
    const t0 = Date.now();
    const e = await failing(provider.verify(values(), io({ signal: AbortSignal.timeout(300) })));
    assert.equal(e.code, 'TIMEOUT');
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  });

  test("timeout: the SDK's own per-request timeout", async () => {
    sx.fail('/v1/account', { delayMs: 3000 });
    const t0 = Date.now();
    const e = await failing(verifyStripe(values(), io(), { requestTimeoutMs: 300 }));
    assert.equal(e.code, 'TIMEOUT');
    assert.match(e.message, /^Timed out: 127\.0\.0\.1:\d+ did not answer within 0\.3 s$/);
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
  });

  test('Ctrl+C (the caller aborts) rejects at once with the abort', async () => {
    sx.fail('/v1/account', { delayMs: 3000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    await assert.rejects(provider.verify(values(), io({ signal: ac.signal })), (e: Error) => e.name === 'AbortError');
    assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
    await assert.rejects(provider.verify(values(), io({ signal: AbortSignal.abort() })), (e: Error) => e.name === 'AbortError');
  });

  test('connection reset', async () => {
    // A key of its own, so a late retry from an earlier test (its SDK timeout) is not counted here.
    const key = KEYS.test.replace(/0001$/, 'rst1');
    const mine = () => sx.requestsTo('/v1/account').filter((r) => r.key === key).length;
    sx.fail('/v1/account', { reset: true });
    const e = await failing(provider.verify(values({ STRIPE_SECRET_KEY: key }), io()));
    assert.equal(e.code, 'ECONNRESET');
    assert.match(e.message, /^the connection to 127\.0\.0\.1:\d+ was reset \(ECONNRESET\)$/);
    // stripe@23 retries a reset connection once (after ~0.5 s) even with maxNetworkRetries: 0.
    const tries = mine();
    assert.ok(tries === 1 || tries === 2, `${tries} requests`);
  });

  test('connection refused', async () => {
    const port = await freePort();
    const e = await failing(provider.verify(values(), io({ url: `http://127.0.0.1:${port}` })));
    assert.equal(e.code, 'ECONNREFUSED');
    assert.equal(e.message, `connection refused by 127.0.0.1:${port}: nothing is listening there`);
    assert.match(e.hint ?? '', /PROD_READY_STRIPE_URL/);
  });

  test('a base URL with a path (a proxy prefix) is kept in front of /v1/…', async () => {
    const e = await failing(provider.verify(values(), io({ url: `${sx.url}/stripe-proxy` })));
    assert.ok(sx.requestsTo('/stripe-proxy/v1/account').length >= 1, 'the request went to the prefixed path');
    assert.equal(e.code, 'NOT_FOUND');
    assert.match(e.message, /^Stripe could not read the account: .*\(404\)$/);
  });

  test('DNS failure', async () => {
    const e = await failing(provider.verify(values(), io({ url: 'https://no-such-host.invalid' })));
    assert.ok(e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN', e.code);
    assert.match(e.message, /^cannot resolve host no-such-host\.invalid \((ENOTFOUND|EAI_AGAIN)\)$/);
  });
});

describe('prices', () => {
  let active: string;
  let inactive: string;
  let live: string;
  before(async () => {
    const test = await sdk(KEYS.test);
    active = (await test.prices.create({ currency: 'usd', unit_amount: 2000, recurring: { interval: 'month' }, product_data: { name: 'Pro' } })).id;
    inactive = (await test.prices.create({ currency: 'usd', unit_amount: 900, product_data: { name: 'Old' } })).id;
    await test.prices.update(inactive, { active: false });
    live = (await (await sdk(KEYS.live)).prices.create({ currency: 'eur', unit_amount: 1500, recurring: { interval: 'year' }, product_data: { name: 'Pro' } })).id;
  });

  test('an active price in the key\'s mode: a detail line', async () => {
    const v = await provider.verify(values({ STRIPE_PRICE_PRO: active }), io());
    assert.ok(v.details?.includes(`STRIPE_PRICE_PRO: ${active} · 20.00 USD / month`), String(v.details));
    const l = await provider.verify(values({ STRIPE_SECRET_KEY: KEYS.live, STRIPE_PUBLISHABLE_KEY: KEYS.publishableLive, NODE_ENV: 'production', STRIPE_PRICE_PRO: live }), io());
    assert.ok(l.details?.includes(`STRIPE_PRICE_PRO: ${live} · 15.00 EUR / year`), String(l.details));
  });

  test('missing, inactive and other-mode prices: one line naming each', async () => {
    const e = await failing(provider.verify(values({ STRIPE_PRICE_PRO: 'price_x', STRIPE_PRICE_OLD: inactive, STRIPE_PRICE_LIVE: live, STRIPE_PRICE_OK: active }), io()));
    assert.equal(e.code, 'PRICE');
    assert.equal(
      e.message,
      [
        `STRIPE_PRICE_LIVE: ${live} is a live mode price, but STRIPE_SECRET_KEY is a test mode key`,
        `STRIPE_PRICE_OLD: price ${inactive} is archived (inactive) in test mode`,
        'STRIPE_PRICE_PRO: no such price price_x in test mode',
      ].join('; '),
    );
    assert.match(e.hint ?? '', /Product catalog.*test mode.*dashboard\.stripe\.com\/test\/products/);
  });

  test('a price that answers with the wrong livemode', async () => {
    sx.fail(`/v1/prices/price_livefixture`, {
      status: 200,
      body: { id: 'price_livefixture', object: 'price', active: true, livemode: true, currency: 'usd', unit_amount: 100, recurring: null, billing_scheme: 'per_unit', type: 'one_time' },
    });
    const e = await failing(provider.verify(values({ STRIPE_PRICE_X: 'price_livefixture' }), io()));
    assert.equal(e.message, 'STRIPE_PRICE_X: price_livefixture is a live mode price, but STRIPE_SECRET_KEY is a test mode key');
  });
});

describe('webhook endpoint', () => {
  const noSecret = (over: Record<string, string> = {}) => {
    const v: Record<string, string> = { ...values(over) };
    delete v.STRIPE_WEBHOOK_SECRET;
    return v;
  };
  const endpointsFor = (url: string) => [...sx.state.webhookEndpoints.values()].filter((e) => e.url === url);

  test('none for APP_URL: a create action (no ask) that returns the signing secret; no duplicate afterwards', async () => {
    const app = appUrl();
    const url = `${app}/api/webhooks/stripe`;
    const v = await provider.verify(noSecret({ APP_URL: app }), io());
    assert.equal(v.actions?.length, 1);
    const [action] = v.actions!;
    assert.equal(action!.id, 'stripe.webhook.create');
    assert.equal(action!.title, `Create Stripe webhook endpoint ${url} (6 events)`);
    assert.equal(action!.ask, undefined);
    assert.equal(endpointsFor(url).length, 0, 'verify itself creates nothing');

    const r = await action!.run(io(), {});
    const [made] = endpointsFor(url);
    assert.ok(made, 'the endpoint exists');
    assert.deepEqual(made.enabled_events, [...DEFAULT_WEBHOOK_EVENTS]);
    assert.equal(made.livemode, false);
    assert.match(r.values?.STRIPE_WEBHOOK_SECRET ?? '', /^whsec_/);
    assert.equal(r.values!.STRIPE_WEBHOOK_SECRET, sx.state.webhookSecrets.get(made.id));
    assert.equal(r.done, `Created Stripe webhook endpoint ${made.id} for ${url}; its signing secret goes to STRIPE_WEBHOOK_SECRET`);
    assertClean(r.done);
    assertClean(action!.title);

    // Second run, secret now in .env: the endpoint is reused, nothing proposed.
    const again = await provider.verify(values({ APP_URL: app, STRIPE_WEBHOOK_SECRET: r.values!.STRIPE_WEBHOOK_SECRET! }), io());
    assert.equal(again.actions, undefined);
    assert.ok(again.details?.some((d) => d === `webhook: ${made.id} → ${url} (6 events, enabled)`), String(again.details));
    assert.deepEqual(again.warnings, []);
    // Second run without the secret: never a second create, only the (asked) replacement.
    const lost = await provider.verify(noSecret({ APP_URL: app }), io());
    assert.deepEqual(lost.actions?.map((a) => a.id), ['stripe.webhook.replace']);
    assert.equal(endpointsFor(url).length, 1);
  });

  test('the create action checks again before creating: no duplicate when one appeared meanwhile', async () => {
    const app = appUrl();
    const v = await provider.verify(noSecret({ APP_URL: app }), io());
    const action = v.actions![0]!;
    await action.run(io(), {});
    const e = await failing(action.run(io(), {}));
    assert.equal(e.code, 'WEBHOOK_EXISTS');
    assert.equal(endpointsFor(`${app}/api/webhooks/stripe`).length, 1);
  });

  test('path per framework, STRIPE_WEBHOOK_PATH and STRIPE_WEBHOOK_EVENTS', async () => {
    const app = appUrl();
    const express = await provider.verify(noSecret({ APP_URL: app }), io({ deps: { express: '4' } }));
    assert.equal(express.actions![0]!.title, `Create Stripe webhook endpoint ${app}/webhooks/stripe (6 events)`);
    const custom = await provider.verify(noSecret({ APP_URL: app, STRIPE_WEBHOOK_PATH: '/hooks/pay', STRIPE_WEBHOOK_EVENTS: 'invoice.paid,charge.refunded' }), io());
    const action = custom.actions![0]!;
    assert.equal(action.title, `Create Stripe webhook endpoint ${app}/hooks/pay (2 events)`);
    await action.run(io(), {});
    assert.deepEqual(endpointsFor(`${app}/hooks/pay`)[0]?.enabled_events, ['invoice.paid', 'charge.refunded']);
  });

  test('an existing endpoint is reused; without the secret, an asked replacement captures a new one and deletes the old', async () => {
    const app = appUrl();
    const url = `${app}/api/webhooks/stripe`;
    const old = sx.addWebhookEndpoint({ url, enabled_events: ['checkout.session.completed', 'invoice.paid'], api_version: '2023-08-16' });
    const v = await provider.verify(noSecret({ APP_URL: app }), io());
    assert.deepEqual(v.actions?.map((a) => a.id), ['stripe.webhook.replace']);
    const action = v.actions![0]!;
    assert.equal(
      action.ask,
      `Replace webhook endpoint ${old.id} with a new one for the same URL and events, to capture its signing secret? The old endpoint is deleted once the new one exists.`,
    );
    assert.ok(v.warnings.some((w) => /returns an endpoint's signing secret only when it is created/.test(w)), String(v.warnings));
    assert.ok(
      v.warnings.some((w) => w.startsWith(`webhook endpoint ${old.id} does not listen to customer.subscription.created, customer.subscription.updated, customer.subscription.deleted, invoice.payment_failed`)),
      String(v.warnings),
    );
    assert.ok(v.details?.includes(`webhook: ${old.id} → ${url} (2 events, enabled)`), String(v.details));

    const r = await action.run(io(), {});
    const now = endpointsFor(url);
    assert.equal(now.length, 1, 'exactly one endpoint for the URL');
    const made = now[0]!;
    assert.notEqual(made.id, old.id);
    assert.ok(!sx.state.webhookEndpoints.has(old.id), 'the old endpoint is deleted');
    assert.deepEqual(made.enabled_events, ['checkout.session.completed', 'invoice.paid'], 'same events');
    assert.equal(made.api_version, '2023-08-16', 'same API version');
    assert.equal(r.values?.STRIPE_WEBHOOK_SECRET, sx.state.webhookSecrets.get(made.id));
    assert.notEqual(r.values?.STRIPE_WEBHOOK_SECRET, old.secret);
    assert.equal(r.done, `Replaced Stripe webhook endpoint ${old.id} with ${made.id} for ${url}; its signing secret goes to STRIPE_WEBHOOK_SECRET`);
    assertClean(r.done, [old.secret]);
    // Create happened before delete.
    const order = sx.state.requests.filter((q) => q.path.startsWith('/v1/webhook_endpoints') && q.method !== 'GET').map((q) => q.method);
    assert.deepEqual(order.slice(-2), ['POST', 'DELETE']);
  });

  test('the replacement keeps the new secret when deleting the old endpoint fails', async () => {
    const app = appUrl();
    const old = sx.addWebhookEndpoint({ url: `${app}/api/webhooks/stripe`, enabled_events: [...DEFAULT_WEBHOOK_EVENTS] });
    const v = await provider.verify(noSecret({ APP_URL: app }), io());
    sx.fail(`/v1/webhook_endpoints/${old.id}`, { method: 'DELETE', status: 500 });
    const r = await v.actions![0]!.run(io(), {});
    assert.match(r.values?.STRIPE_WEBHOOK_SECRET ?? '', /^whsec_/);
    assert.match(r.done, new RegExp(`could not delete the old endpoint ${old.id} \\(Stripe is having trouble \\(HTTP 500\\); try again\\): delete it in Developers → Webhooks`));
    assertClean(r.done);
  });

  test('a disabled endpoint, and duplicates already at Stripe, are reported', async () => {
    const app = appUrl();
    const url = `${app}/api/webhooks/stripe`;
    const a = sx.addWebhookEndpoint({ url, enabled_events: ['*'], status: 'disabled' });
    const v1 = await provider.verify(values({ APP_URL: app }), io());
    assert.ok(v1.warnings.some((w) => w.startsWith(`webhook endpoint ${a.id} for ${url} is disabled`)), String(v1.warnings));
    assert.ok(v1.details?.includes(`webhook: ${a.id} → ${url} (all events, disabled)`), String(v1.details));
    const b = sx.addWebhookEndpoint({ url, enabled_events: ['*'] });
    const v2 = await provider.verify(values({ APP_URL: app }), io());
    assert.ok(v2.warnings.some((w) => w.startsWith(`2 webhook endpoints have the URL ${url}`)), String(v2.warnings));
    assert.ok(v2.details?.includes(`webhook: ${b.id} → ${url} (all events, enabled)`), 'the enabled one is the one reused');
    assert.equal(v2.actions, undefined);
  });

  test('endpoints are paginated: a match on a later page is found', async () => {
    const app = appUrl();
    const url = `${app}/api/webhooks/stripe`;
    const target = sx.addWebhookEndpoint({ url, enabled_events: [...DEFAULT_WEBHOOK_EVENTS] });
    for (let i = 0; i < 105; i++) sx.addWebhookEndpoint({ url: `https://filler-${i}.example.org/hook`, enabled_events: ['invoice.paid'] });
    const pages = sx.requestsTo('/v1/webhook_endpoints', 'GET').length;
    const v = await provider.verify(values({ APP_URL: app }), io());
    assert.equal(v.actions, undefined, 'reused, not created');
    assert.ok(v.details?.some((d) => d.startsWith(`webhook: ${target.id}`)), String(v.details));
    assert.ok(sx.requestsTo('/v1/webhook_endpoints', 'GET').length - pages >= 2, 'more than one page read');
    for (const e of [...sx.state.webhookEndpoints.values()]) if (e.url.startsWith('https://filler-')) sx.state.webhookEndpoints.delete(e.id);
  });

  test('an endpoint on the same host with another path is pointed out', async () => {
    const app = appUrl();
    sx.addWebhookEndpoint({ url: `${app}/stripe/hook`, enabled_events: ['*'] });
    const v = await provider.verify(noSecret({ APP_URL: app }), io());
    assert.deepEqual(v.actions?.map((a) => a.id), ['stripe.webhook.create']);
    assert.ok(v.warnings.some((w) => w.includes('set STRIPE_WEBHOOK_PATH=/stripe/hook')), String(v.warnings));
  });

  test('a local APP_URL: no endpoint, no webhook API call, the Stripe CLI route instead', async () => {
    const n = sx.requestsTo('/v1/webhook_endpoints').length;
    const v = await provider.verify(noSecret({ APP_URL: 'http://localhost:3000' }), io());
    assert.equal(v.actions, undefined);
    assert.equal(sx.requestsTo('/v1/webhook_endpoints').length, n);
    const w = v.warnings.find((x) => x.includes('stripe listen'));
    assert.ok(w, String(v.warnings));
    assert.match(w, /`stripe listen --forward-to localhost:3000\/api\/webhooks\/stripe --events checkout\.session\.completed,.*invoice\.payment_failed`/);
    assert.match(w, /`stripe listen --print-secret` prints in STRIPE_WEBHOOK_SECRET/);
    const withSecret = await provider.verify(values({ APP_URL: 'http://127.0.0.1:4321' }), io({ deps: { astro: '5' } }));
    assert.deepEqual(withSecret.warnings, []);
    assert.ok(withSecret.details?.includes('webhook: http://127.0.0.1:4321/api/webhooks/stripe is local, which Stripe cannot reach; no endpoint is created for it'));
  });

  test('without a usable APP_URL the endpoint is not checked', async () => {
    const v = await provider.verify(noSecret({ APP_URL: '' }), io());
    assert.ok(v.warnings.includes('APP_URL is not set, so the webhook endpoint was not checked'));
    assert.equal(v.actions, undefined);
    const bad = await provider.verify(noSecret({ APP_URL: 'shop.example.com' }), io());
    assert.ok(bad.warnings.includes('APP_URL is not a valid http(s) URL, so the webhook endpoint was not checked'), String(bad.warnings));
  });

  test('a key that may not read webhook endpoints: a warning, not a failure', async () => {
    const v = await provider.verify(noSecret({ APP_URL: appUrl(), STRIPE_SECRET_KEY: RK_NO_WEBHOOKS }), io());
    assert.ok(v.warnings.some((w) => /was not checked: the key may not read webhook endpoints \(missing permission: rak_webhook_read\)/.test(w)), String(v.warnings));
    assert.equal(v.actions, undefined);
  });

  test('a server error while listing endpoints fails the check', async () => {
    sx.fail('/v1/webhook_endpoints', { status: 503 });
    const e = await failing(provider.verify(noSecret({ APP_URL: appUrl() }), io()));
    assert.equal(e.message, 'Stripe is having trouble (HTTP 503); try again');
  });
});

describe('contribute and module shape', () => {
  test('render.yaml secrets are sync: false; next steps only for a local APP_URL', () => {
    const c = provider.contribute(values(), { project: project(), all: values() });
    assert.deepEqual(c.render?.envVars, [
      { key: 'STRIPE_SECRET_KEY', sync: false },
      { key: 'STRIPE_PUBLISHABLE_KEY', sync: false },
      { key: 'STRIPE_WEBHOOK_SECRET', sync: false },
    ]);
    assert.equal(c.compose, undefined);
    assert.deepEqual(c.nextSteps, [
      'stripe listen --print-secret   # put the whsec_… it prints in STRIPE_WEBHOOK_SECRET',
      `stripe listen --forward-to localhost:3000/api/webhooks/stripe --events ${DEFAULT_WEBHOOK_EVENTS.join(',')}   # while the app runs locally`,
    ]);
    assert.ok(c.nextSteps?.some((s) => s.startsWith('stripe listen --forward-to localhost:3000/api/webhooks/stripe')), String(c.nextSteps));
    const express = provider.contribute(values(), { project: project({ express: '4' }), all: values({ APP_URL: 'http://localhost:8080' }) });
    assert.ok(express.nextSteps?.some((s) => s.startsWith('stripe listen --forward-to localhost:8080/webhooks/stripe')), String(express.nextSteps));
    assert.deepEqual(provider.contribute(values(), { project: project(), all: values({ APP_URL: 'https://shop.example.com' }) }).nextSteps, []);
    for (const s of c.nextSteps ?? []) assertClean(s);
  });

  test('the stripe SDK is only imported lazily, inside the check', () => {
    const dir = new URL('../../providers/stripe/', import.meta.url);
    const src = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n');
    assert.doesNotMatch(src, /^import (?!type )[^;]*from 'stripe'/m);
    assert.match(src, /await import\('stripe'\)/);
  });

  test('verify results never carry a secret', async () => {
    const v: Verified = await provider.verify(values({ STRIPE_SECRET_KEY: KEYS.live, STRIPE_PUBLISHABLE_KEY: KEYS.publishableTest }), io());
    for (const line of [v.identity, ...(v.details ?? []), ...v.warnings]) assertClean(line, ['whsec_localDevelopmentSecret0000000000']);
  });
});
