// The Render provider against the stand-in (test/standins/render.ts), through global fetch; only the base
// URL differs, given through io.baseUrl as PROD_READY_RENDER_URL would.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { describeProject } from '../../src/core/project.ts';
import type { Action, Io, Values } from '../../src/core/provider.ts';
import { check } from '../../src/core/resolve.ts';
import provider, { pushKeys, verifyRender, type RenderCheckOptions } from '../../providers/render.ts';
import { OTHER_KEY, RENDER_KEY, startRender, type RenderStandin } from '../standins/render.ts';
import { failingWith } from '../helpers/verify.ts';
import { freePort } from '../harness/processes.ts';

const BAD_KEY = 'rnd_RevokedKey000000000000099';
const STRIPE_SECRET = `sk_live_51Standin${'L'.repeat(40)}liveKey0001`;
const STRIPE_OLD = `sk_live_51Standin${'O'.repeat(40)}oldKey00001`;
const WEBHOOK = 'whsec_pushedSecretValue00000000000001';
const FOREIGN = 'foreign-value-kept-by-render-0001';
const SECRETS = [RENDER_KEY, OTHER_KEY, BAD_KEY, STRIPE_SECRET, STRIPE_OLD, WEBHOOK, FOREIGN];

const FAST: RenderCheckOptions = { pollMs: 5, deployTimeoutMs: 5000, requestTimeoutMs: 2000, rateLimitBudgetMs: 2000 };

let rx: RenderStandin;
let shopId = '';
let workerId = '';
before(async () => {
  rx = await startRender({
    owners: [
      { id: 'tea-acme0001', name: 'Acme', email: 'ops@acme.test', type: 'team' },
      { id: 'usr-jane0001', name: 'Jane', email: 'jane@acme.test', type: 'user' },
    ],
    services: [
      { id: 'srv-shopweb0001', name: 'shop-web', envVars: { STRIPE_SECRET_KEY: STRIPE_OLD, SENTRY_DSN: FOREIGN, APP_URL: 'https://shop.example.com' } },
      { id: 'srv-shopwrk0001', name: 'shop-worker', type: 'background_worker', envVars: {} },
      // enough services to need a second page at limit=100
      ...Array.from({ length: 101 }, (_, i) => ({ name: `other-${String(i).padStart(3, '0')}`, ownerId: 'usr-jane0001' })),
    ],
  });
  shopId = 'srv-shopweb0001';
  workerId = 'srv-shopwrk0001';
});
after(async () => {
  await rx?.stop();
});
afterEach(() => {
  rx.clearFaults();
  rx.reset();
  rx.setDeploySteps(['queued', 'build_in_progress', 'update_in_progress', 'live']);
});

const project = describeProject({ cwd: '/x', pkg: { dependencies: { express: '5' } }, lockfiles: [], typescript: true });
const io = (opts: { url?: string; signal?: AbortSignal } = {}): Io => ({ signal: opts.signal ?? AbortSignal.timeout(8000), baseUrl: () => opts.url ?? rx.url, project });
const values = (over: Record<string, string> = {}): Values => ({
  NODE_ENV: 'production',
  PORT: '3000',
  APP_URL: 'https://shop.example.com',
  CORS_ORIGINS: 'http://localhost:3000',
  JWT_SECRET: 'jwt-secret-not-pushed-0000000000000',
  DATABASE_URL: 'postgres://app:app@localhost:5432/app',
  STRIPE_SECRET_KEY: STRIPE_SECRET,
  RENDER_API_KEY: RENDER_KEY,
  ...over,
});

function assertClean(text: string | undefined): void {
  for (const s of SECRETS) assert.ok(!(text ?? '').includes(s), `leaks a secret: ${text}`);
}
const failing = failingWith(assertClean);
const envOf = (sid: string) => Object.fromEntries(rx.state.services.get(sid)!.envVars.map((e) => [e.key, e.value]));
const action = (actions: Action[] | undefined, prefix: string) => actions?.find((a) => a.id.startsWith(prefix));


describe('formats (zod schemas, no network)', () => {
  const msg = (key: string, v: string) => {
    const r = check(provider.env.find((x) => x.key === key)!, v);
    return r.ok ? undefined : r.message;
  };
  test('RENDER_API_KEY: each wrong kind of value gets its own message', () => {
    for (const ok of [RENDER_KEY, 'rnd_aBcDeFgHiJkLmNoPqRsTuVwX']) assert.equal(msg('RENDER_API_KEY', ok), undefined, ok);
    const cases: [string, RegExp][] = [
      ['', /is empty/],
      [` ${RENDER_KEY}`, /leading or trailing spaces/],
      [`Bearer ${RENDER_KEY}`, /starts with "Bearer"/],
      [`"${RENDER_KEY}"`, /wrapped in quotes/],
      ['srv-d1abc234efgh5678ijkl', /service id \(srv-…\), not an API key/],
      ['tea-d1abc234efgh5678ijkl', /workspace id/],
      ['https://api.render.com/deploy/srv-abc?key=xyz', /deploy hook URL/],
      ['RND_abcdefghijklmnopqrstuvwx', /lower-case rnd_/],
      ['sk_live_abcdefghijklmnop', /must start with rnd_/],
      ['rnd_abc', /looks cut off/],
      ['rnd_abcdefghij-klmnopqrstu', /characters a Render API key never has/],
    ];
    for (const [v, re] of cases) assert.match(msg('RENDER_API_KEY', v) ?? 'accepted', re, v);
  });
  test('RENDER_SERVICES, RENDER_REGION, RENDER_PLAN', () => {
    for (const ok of ['', 'shop-web', 'shop-web, srv-abc123', 'My Service']) assert.equal(msg('RENDER_SERVICES', ok), undefined, ok);
    assert.match(msg('RENDER_SERVICES', 'a,,b') ?? '', /without empty entries/);
    assert.match(msg('RENDER_SERVICES', 'a,a') ?? '', /names "a" twice/);
    assert.match(msg('RENDER_SERVICES', '"a"') ?? '', /without quotes/);
    for (const ok of ['oregon', 'frankfurt', 'virginia', '']) assert.equal(msg('RENDER_REGION', ok), undefined, ok);
    assert.match(msg('RENDER_REGION', 'us-west') ?? '', /RENDER_REGION must be one of oregon, ohio, virginia, frankfurt, singapore/);
    for (const ok of ['starter', 'pro plus', '2c-4g', '']) assert.equal(msg('RENDER_PLAN', ok), undefined, ok);
    assert.match(msg('RENDER_PLAN', 'basic-256mb') ?? '', /RENDER_PLAN must be a Render service plan/);
  });
  test('the API key is a secret; region and plan default to oregon / starter; nothing for render.yaml', () => {
    const key = provider.env.find((e) => e.key === 'RENDER_API_KEY')!;
    assert.equal(key.secret, true);
    assert.equal(provider.env.find((e) => e.key === 'RENDER_SERVICES')!.secret, false);
    assert.equal(provider.env.find((e) => e.key === 'RENDER_REGION')!.localDefault?.({}, project), 'oregon');
    assert.equal(provider.env.find((e) => e.key === 'RENDER_PLAN')!.localDefault?.({}, project), 'starter');
    const c = provider.contribute(values(), { project, all: values() });
    assert.deepEqual(c.render, { settings: { region: 'oregon', plan: 'starter' } }, 'region and plan go to the Blueprint; no env var does');
    assert.ok(!JSON.stringify(c).includes(RENDER_KEY));
  });
  test('pushKeys: ours, minus RENDER_*, what Render wires itself, and local values', () => {
    assert.deepEqual(pushKeys(values({ PROD_READY_RENDER_URL: 'http://127.0.0.1:1', EMPTY: '', 'not-a-name': 'x', REDIS_URL: 'rediss://r:p@h:6379' })), ['APP_URL', 'STRIPE_SECRET_KEY']);
    assert.deepEqual(pushKeys({ APP_URL: 'http://localhost:3000', CORS_ORIGINS: 'https://a.example.com,http://localhost:3000' }), ['CORS_ORIGINS']);
    // the local MinIO's bucket and keys never reach production
    assert.deepEqual(pushKeys({ S3_ENDPOINT: 'http://localhost:9000', S3_BUCKET: 'app-uploads', S3_SECRET_ACCESS_KEY: 'local-dev-secret', STRIPE_SECRET_KEY: 'sk_test_x' }), ['STRIPE_SECRET_KEY']);
  });
  test('a malformed key fails before any request', async () => {
    const e = await failing(verifyRender(values({ RENDER_API_KEY: 'srv-abcdefgh' }), io(), FAST));
    assert.match(e.message, /service id/);
    assert.equal(rx.requests.length, 0);
  });
});

describe('identity and linking', () => {
  test('workspaces and every service (across pages); nothing linked → no actions', async () => {
    const v = await verifyRender(values(), io(), FAST);
    assert.equal(v.identity, 'Acme, Jane (personal) · 103 services');
    assert.ok(v.details?.some((d) => d.startsWith('services: other-000, other-001') && d.endsWith(' and 83 more')), String(v.details));
    assert.ok(v.details?.some((d) => /no service linked/.test(d)));
    assert.deepEqual(v.actions, []);
    const svcPages = rx.requests.filter((r) => r.path === '/v1/services');
    assert.equal(svcPages.length, 2, 'followed the cursor to the second page');
    assert.ok(svcPages[1]!.query.cursor);
    assert.ok(rx.requests.every((r) => r.auth === `Bearer ${RENDER_KEY}`));
    assert.ok(rx.requests.every((r) => r.method === 'GET'), 'verify is read-only');
  });
  test('an unknown linked service: one line naming the available ones', async () => {
    const e = await failing(verifyRender(values({ RENDER_SERVICES: 'shop-web, shop-api' }), io(), FAST));
    assert.match(e.message, /^RENDER_SERVICES: no Render service "shop-api" for this key; available: other-000, .* and \d+ more$/);
  });
  test('linked by id and by name (case-insensitive)', async () => {
    const v = await verifyRender(values({ RENDER_SERVICES: `${workerId}, SHOP-WEB` }), io(), FAST);
    assert.ok(action(v.actions, `render.push.${shopId}`));
    assert.ok(action(v.actions, `render.push.${workerId}`));
    assert.ok(action(v.actions, `render.deploy.${shopId}`)?.ask);
    assert.ok(v.details?.some((d) => /not pushed, local values: CORS_ORIGINS, DATABASE_URL/.test(d)) === false, 'DATABASE_URL is wired by Render, not listed');
    assert.ok(v.details?.some((d) => d === 'not pushed, local values: CORS_ORIGINS'));
  });
});

describe('push', () => {
  test('a masked diff, then our changed keys set one at a time; foreign variables stay; never the bulk PUT', async () => {
    const before = envOf(shopId);
    assert.equal(before.SENTRY_DSN, FOREIGN);
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-web' }), io(), FAST);
    const push = action(v.actions, `render.push.${shopId}`)!;
    assert.equal(push.title, 'Set 1 variable on Render service shop-web');
    assert.deepEqual(push.details, ['~ STRIPE_SECRET_KEY ••••0001 → ••••0001', '= 1 unchanged, 1 other variable on Render left as it is']);
    for (const t of [push.title, ...(push.details ?? [])]) assertClean(t);

    // The FINAL values: an earlier action produced a webhook secret after verify.
    rx.reset();
    const final = values({ RENDER_SERVICES: 'shop-web', STRIPE_WEBHOOK_SECRET: WEBHOOK });
    const r = await push.run(io(), final);
    assertClean(r.done);
    assert.match(r.done, /^set 2 variables on Render service shop-web \(read back: all match; 1 other kept\)$/);
    const after = envOf(shopId);
    assert.equal(after.SENTRY_DSN, FOREIGN, 'the foreign variable is still there');
    assert.equal(after.STRIPE_SECRET_KEY, STRIPE_SECRET);
    assert.equal(after.STRIPE_WEBHOOK_SECRET, WEBHOOK);
    assert.equal(after.APP_URL, 'https://shop.example.com');
    for (const k of ['JWT_SECRET', 'DATABASE_URL', 'NODE_ENV', 'PORT', 'RENDER_API_KEY', 'CORS_ORIGINS']) assert.ok(!(k in after), `${k} not pushed`);

    const puts = rx.requests.filter((q) => q.method === 'PUT');
    assert.deepEqual(puts.map((q) => q.path), [`/v1/services/${shopId}/env-vars/STRIPE_SECRET_KEY`, `/v1/services/${shopId}/env-vars/STRIPE_WEBHOOK_SECRET`]);
    assert.deepEqual(puts.map((q) => q.body), [{ value: STRIPE_SECRET }, { value: WEBHOOK }]);
    assert.equal(rx.requests.filter((q) => q.method === 'PUT' && /\/env-vars$/.test(q.path)).length, 0, 'never the bulk PUT');
    assert.ok(rx.requests.at(-1)!.method === 'GET' && rx.requests.at(-1)!.path.endsWith('/env-vars'), 're-read to confirm');

    // A second run has nothing to set.
    const again = await verifyRender(final, io(), FAST);
    assert.equal(action(again.actions, 'render.push.'), undefined);
    assert.ok(again.details?.some((d) => /linked shop-web \(srv-shopweb0001\): in sync, 3 unchanged, 1 other kept/.test(d)));
  });
  test('new keys on an empty service: + lines, masked', async () => {
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-worker' }), io(), FAST);
    const push = action(v.actions, `render.push.${workerId}`)!;
    assert.deepEqual(push.details, ['+ APP_URL ••••.com', '+ STRIPE_SECRET_KEY ••••0001']);
    assertClean(JSON.stringify(push.details));
  });
  test('a failed PUT is one line without the values', async () => {
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-worker', STRIPE_SECRET_KEY: STRIPE_OLD }), io(), FAST);
    rx.fail({ method: 'PUT', status: 403, times: 1 });
    const e = await failing(action(v.actions, 'render.push.')!.run(io(), values({ RENDER_SERVICES: 'shop-worker', STRIPE_SECRET_KEY: STRIPE_OLD })));
    assert.match(e.message, /^RENDER_API_KEY rnd_••••0001 may not set APP_URL on service shop-worker \(403: forbidden\)$/);
  });
});

describe('deploy', () => {
  test('followed to live', async () => {
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-web' }), io(), FAST);
    const deploy = action(v.actions, 'render.deploy.')!;
    assert.equal(deploy.ask, 'Deploy shop-web now?');
    const r = await deploy.run(io(), values());
    assert.equal(r.done, 'deployed shop-web: live');
    const post = rx.requests.find((q) => q.method === 'POST')!;
    assert.deepEqual(post.body, { clearCache: 'do_not_clear' });
    assert.ok(rx.requests.filter((q) => /\/deploys\/dep-/.test(q.path)).length >= 4, 'polled through the statuses');
  });
  test('a failed build → its line', async () => {
    rx.setDeploySteps(['queued', 'build_in_progress', 'build_failed']);
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-web' }), io(), FAST);
    const e = await failing(action(v.actions, 'render.deploy.')!.run(io(), values()));
    assert.match(e.message, /^deploy dep-[0-9a-f]+ of shop-web ended as build_failed$/);
    assert.match(e.hint ?? '', /dashboard\.render\.com/);
  });
  test('a deploy that never ends is bounded', async () => {
    rx.setDeploySteps(Array(1000).fill('build_in_progress'));
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-web' }), io(), { ...FAST, deployTimeoutMs: 100 });
    const e = await failing(action(v.actions, 'render.deploy.')!.run(io(), values()));
    assert.match(e.message, /^deploy dep-\w+ of shop-web still build_in_progress after 0 s$/);
  });
  test('io.signal ends the follow', async () => {
    rx.setDeploySteps(Array(1000).fill('update_in_progress'));
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-web' }), io(), { ...FAST, pollMs: 20 });
    const e = await failing(action(v.actions, 'render.deploy.')!.run(io({ signal: AbortSignal.timeout(150) }), values()));
    assert.match(e.message, /still update_in_progress when the time ran out/);
  });
});

describe('errors, one line each', () => {
  const cases: [string, Parameters<RenderStandin['fail']>[0], RegExp][] = [
    ['403', { status: 403, path: '/v1/owners' }, /^RENDER_API_KEY rnd_••••0001 may not list its workspaces \(403: forbidden\)$/],
    ['404', { status: 404, path: '/v1/services' }, /^Render could not list services: not found \(404: not found\)$/],
    ['500', { status: 500 }, /^Render is having trouble \(HTTP 500\); try again$/],
    ['503 not JSON', { status: 503, malformed: true }, /^Render is having trouble \(HTTP 503\); try again$/],
    ['malformed JSON', { malformed: true }, /^127\.0\.0\.1:\d+ answered with something that is not JSON \(HTTP 200\)$/],
    ['not a list', { status: 200, body: { hello: 'world' }, path: '/v1/owners' }, /answered list its workspaces with something that is not a Render list/],
    ['429 beyond the budget', { status: 429, retryAfter: 60 }, /^Render rate-limited the check \(429\) after 1 attempt \(it asked to wait 60 s\)$/],
    ['reset', { reset: true }, /^the connection to 127\.0\.0\.1:\d+ was reset|could not reach/],
  ];
  for (const [name, fault, re] of cases)
    test(name, async () => {
      rx.fail(fault);
      const e = await failing(verifyRender(values(), io(), FAST));
      assert.match(e.message, re);
    });
  test('401: a revoked key', async () => {
    const e = await failing(verifyRender(values({ RENDER_API_KEY: BAD_KEY }), io(), FAST));
    assert.equal(e.message, 'Render rejected RENDER_API_KEY rnd_••••0099: invalid or revoked API key (401)');
    assert.match(e.hint ?? '', /API Keys/);
  });
  test('429 with a short Retry-After is retried', async () => {
    rx.fail({ status: 429, retryAfter: 0.05, times: 2 });
    const v = await verifyRender(values(), io(), FAST);
    assert.match(v.identity, /103 services/);
  });
  test('timeout', async () => {
    rx.fail({ delayMs: 1500, times: 1 });
    const e = await failing(verifyRender(values(), io(), { ...FAST, requestTimeoutMs: 200 }));
    assert.match(e.message, /^Timed out: 127\.0\.0\.1:\d+ did not answer within 0\.2 s$/);
  });
  test('io.signal deadline', async () => {
    rx.fail({ delayMs: 1500, times: 1 });
    const e = await failing(verifyRender(values(), io({ signal: AbortSignal.timeout(150) }), FAST));
    assert.match(e.message, /^Timed out: no answer from 127\.0\.0\.1:\d+ in the time allowed$/);
  });
  test('connection refused', async () => {
    const port = await freePort();
    const e = await failing(verifyRender(values(), io({ url: `http://127.0.0.1:${port}` }), FAST));
    assert.equal(e.message, `connection refused by 127.0.0.1:${port}: nothing is listening there`);
    assert.match(e.hint ?? '', /PROD_READY_RENDER_URL/);
  });
  test('DNS failure', async () => {
    const e = await failing(verifyRender(values(), io({ url: 'http://render-standin.invalid' }), FAST));
    assert.match(e.message, /^cannot resolve host render-standin\.invalid \((ENOTFOUND|EAI_AGAIN)\)$|^Timed out/);
  });
});

describe('a monorepo: each service gets only the keys its app reads', () => {
  const mono: Io['project'] = { ...project, serviceKeys: { 'shop-web': ['APP_URL', 'VITE_API_URL'], 'shop-worker': ['STRIPE_SECRET_KEY', 'DATABASE_URL'] } };
  const monoIo = (): Io => ({ ...io(), project: mono });
  test('the wizard pushes the Stripe key to the worker that reads it, not to the static web app', async () => {
    const webBefore = envOf(shopId);
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-web,shop-worker', STRIPE_WEBHOOK_SECRET: WEBHOOK }), monoIo(), FAST);
    assert.equal(action(v.actions, `render.push.${shopId}`), undefined, 'shop-web reads none of them: nothing to set');
    const push = action(v.actions, `render.push.${workerId}`)!;
    assert.equal(push.title, 'Set 1 variable on Render service shop-worker');
    await push.run(monoIo(), values({ RENDER_SERVICES: 'shop-web,shop-worker', STRIPE_WEBHOOK_SECRET: WEBHOOK }));
    assert.ok('STRIPE_SECRET_KEY' in envOf(workerId) && !('STRIPE_WEBHOOK_SECRET' in envOf(workerId)) && !('APP_URL' in envOf(workerId)));
    assert.deepEqual(envOf(shopId), webBefore, 'the web service is not touched');
  });
  test("a rotation's push goes to the services whose app reads the key", async () => {
    const { pushToLinked } = await import('../../providers/render.ts');
    const webBefore = envOf(shopId);
    const lines = await pushToLinked(values({ RENDER_SERVICES: 'shop-web,shop-worker' }), ['STRIPE_SECRET_KEY'], monoIo(), FAST);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /shop-worker/);
    assert.equal(envOf(workerId).STRIPE_SECRET_KEY, STRIPE_SECRET);
    assert.deepEqual(envOf(shopId), webBefore, 'the web service is not touched');
  });
});

describe("the app's own names: Render holds what the app reads (STRIPE_API_KEY), not the provider's key", () => {
  const named: Io['project'] = { ...project, envNames: { STRIPE_SECRET_KEY: ['STRIPE_API_KEY'] } };
  const namedIo = (): Io => ({ ...io(), project: named });
  test('the wizard sets the value under the app name and never under the provider key', async () => {
    const before = envOf(workerId);
    const v = await verifyRender(values({ RENDER_SERVICES: 'shop-worker' }), namedIo(), FAST);
    const push = action(v.actions, `render.push.${workerId}`)!;
    assert.ok(push.details?.some((d) => d.includes('STRIPE_API_KEY')), push.details?.join('\n'));
    assert.ok(!push.details?.some((d) => d.includes('STRIPE_SECRET_KEY')), push.details?.join('\n'));
    await push.run(namedIo(), values({ RENDER_SERVICES: 'shop-worker' }));
    assert.equal(envOf(workerId).STRIPE_API_KEY, STRIPE_SECRET);
    assert.equal(envOf(workerId).STRIPE_SECRET_KEY, before.STRIPE_SECRET_KEY, 'the provider key on Render is left as it was');
  });
  test("a rotation's push of STRIPE_SECRET_KEY sets STRIPE_API_KEY", async () => {
    const { pushToLinked } = await import('../../providers/render.ts');
    const rotated = `sk_live_51Standin${'N'.repeat(40)}liveKey0002`;
    const lines = await pushToLinked(values({ RENDER_SERVICES: 'shop-worker', STRIPE_SECRET_KEY: rotated }), ['STRIPE_SECRET_KEY'], namedIo(), FAST);
    assert.equal(lines.length, 1);
    assert.equal(envOf(workerId).STRIPE_API_KEY, rotated);
  });
});
