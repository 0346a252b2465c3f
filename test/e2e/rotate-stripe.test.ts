// `create-prod-ready rotate` for Stripe, the CLI run from its sources against the Stripe (and Render)
// stand-ins. Every case has its own stand-ins and temp project, so the cases run two at a time.
//
// The project: a Next.js app (webhook route /api/webhooks/stripe), .env with working test-mode keys and the
// signing secret of an endpoint created earlier at the stand-in for https://shop.example.com, plus an
// endpoint for another URL that no case may touch.
//
// Matrix (after EVERY case: .env holds a whsec_ of an endpoint that exists, and it verifies an event signed
// for that endpoint with the real SDK's constructEvent; nothing printed holds a secret):
//
//   stripe.webhook (auto)                                  first run                       then
//   happy path, --yes                                      new endpoint (same URL, events,  --finish: old deleted, state cleared,
//                                                          api_version), .env new, old      one endpoint for the URL
//                                                          KEPT, state pushed, exit 0
//   linked Render service                                  Render gets the new secret       --finish
//   list endpoints 500                                     exit 1, nothing made, .env old   re-run + --finish complete
//   create 503                                             exit 1, nothing made, .env old   re-run + --finish complete
//   create 429 once, Retry-After: 1                        retried, completes, exit 0       --finish
//   create 429 three times                                 exit 1 (rate-limited), .env old  re-run + --finish complete
//   check of the new secret fails (account 500)            exit 1, new endpoint removed     re-run + --finish complete
//   Render push 500                                        exit 1, state written, .env new  re-run pushes; --finish
//   delete 500 on --finish                                 exit 1, state stays pushed       --finish again completes
//   timeout (list answers after 9 s; SDK timeout 8 s)      exit 1 "Timed out"               re-run + --finish complete
//   key rejected (401)                                     exit 1, masked key, .env old     —
//   killed after started | created | written | pushed      state on disk as expected        re-run (cleans the orphan of
//                                                                                           "created") + --finish complete
//   two endpoints for the URL                              exit 1, refused, nothing made    —
//   no endpoint for the URL / local APP_URL                exit 1, one clear line           —
//   several endpoints, prod-ready.json's id passed         (in-process) that one replaced   —
//   --dry-run                                              no file and no Stripe write      —
//
//   stripe.keys (guided)
//   new key in the environment, Render linked              .env + Render new key, pk kept, revoke hint, state cleared
//   no new key in the environment                          clear line, exit 2, .env unchanged, no state
//   the same key as now                                    clear line, .env unchanged
//   a key Stripe rejects                                   "failed its check", .env unchanged
//   a key of the other mode                                refused (modes compared), .env unchanged
//   --dry-run                                              nothing changes
//
// Not here: an interactive run through a pty. test/helpers/pty.ts `runPty` spawns BIN (the built bundle) and
// cannot run SOURCE_CLI; these tests do not build.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import dotenv from 'dotenv';
import type StripeSDK from 'stripe';
import { KEYS, startStripe, type StripeStandin } from '../standins/stripe.ts';
import { RENDER_KEY, startRender, type RenderStandin } from '../standins/render.ts';
import { envText } from '../standins/all.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { NEXT_APP, read, snapshot, tempProject } from '../helpers/project.ts';
import stripeProvider from '../../providers/stripe/index.ts';
import type { AutoRotation, Io } from '../../src/core/provider.ts';
import type { ProjectInfo } from '../../src/core/project.ts';

const APP_URL = 'https://shop.example.com';
const HOOK_URL = `${APP_URL}/api/webhooks/stripe`;
const EVENTS = ['checkout.session.completed', 'customer.subscription.updated', 'invoice.paid'];
const API_VERSION = '2023-08-16';
/** A second test-mode secret key the stand-in accepts: the one "rotated" in the Dashboard. */
const NEW_KEY = `sk_test_51Standin${'N'.repeat(80)}newKey00001`;

let sdk: StripeSDK | undefined;
async function stripeSdk(): Promise<StripeSDK> {
  if (!sdk) {
    const { default: Stripe } = await import('stripe');
    sdk = new Stripe(KEYS.test, { telemetry: false });
  }
  return sdk;
}

interface World {
  sx: StripeStandin;
  render?: RenderStandin;
  dir: string;
  old: { id: string; secret: string };
  /** An endpoint for another URL: never touched. */
  other: string;
  env: Record<string, string>;
}

async function world(t: TestContext, opts: { render?: boolean; env?: Record<string, string>; endpoints?: number } = {}): Promise<World> {
  const sx = await startStripe({ secretKeys: [KEYS.test, KEYS.live, NEW_KEY] });
  t.after(() => sx.stop());
  const made = Array.from({ length: opts.endpoints ?? 1 }, () => sx.addWebhookEndpoint({ url: HOOK_URL, enabled_events: EVENTS, api_version: API_VERSION }));
  const other = sx.addWebhookEndpoint({ url: 'https://other.example.com/hooks', enabled_events: ['*'] }).id;
  const old = made[0] ? { id: made[0].id, secret: made[0].secret } : { id: '', secret: 'whsec_NoEndpointForThisSecret0000000000' };
  let render: RenderStandin | undefined;
  const values: Record<string, string> = {
    NODE_ENV: 'production',
    PORT: '3000',
    APP_URL,
    CORS_ORIGINS: APP_URL,
    JWT_SECRET: 'j'.repeat(43),
    STRIPE_SECRET_KEY: KEYS.test,
    STRIPE_PUBLISHABLE_KEY: KEYS.publishableTest,
    STRIPE_WEBHOOK_SECRET: old.secret,
  };
  const env: Record<string, string> = { FORCE_COLOR: '0', CI: '1', PROD_READY_STRIPE_URL: sx.url };
  if (opts.render) {
    render = await startRender({
      services: [{ id: 'srv-shopweb0001', name: 'shop-web', envVars: { STRIPE_WEBHOOK_SECRET: old.secret, STRIPE_SECRET_KEY: KEYS.test, SENTRY_DSN: 'https://foreign@sentry.example/1' } }],
    });
    t.after(() => render!.stop());
    Object.assign(values, { RENDER_API_KEY: RENDER_KEY, RENDER_SERVICES: 'shop-web' });
    env.PROD_READY_RENDER_URL = render.url;
  }
  Object.assign(values, opts.env);
  const dir = tempProject({ 'package.json': NEXT_APP, '.env': envText(values) });
  return { sx, render, dir, old, other, env };
}

interface Run {
  code: number | null;
  signal: string | null;
  out: string;
}

function run(w: World, args: string[], extra: Record<string, string> = {}): Promise<Run> {
  return runCli(args, { cwd: w.dir, env: cleanEnv({ ...w.env, ...extra }), source: true });
}

const rotateHook = (w: World, extra?: Record<string, string>) => run(w, ['rotate', 'stripe.webhook', '--yes'], extra);
const finish = (w: World) => run(w, ['rotate', '--finish', '--yes']);

const dotenvOf = (w: World) => dotenv.parse(read(w.dir, '.env'));
const memoryOf = (w: World) =>
  JSON.parse(read(w.dir, 'prod-ready.json')) as { resources: Record<string, string>; rotations?: Record<string, { step: string; old?: Record<string, string>; new?: Record<string, string> }> };
const hookEndpoints = (w: World) => [...w.sx.state.webhookEndpoints.values()].filter((e) => e.url === HOOK_URL);

/** Nothing printed holds a secret: no signing secret of any endpoint ever made, no API key. */
function noSecrets(w: World, r: Run): void {
  for (const s of [...w.sx.state.webhookSecrets.values(), w.old.secret, KEYS.test, KEYS.live, NEW_KEY, RENDER_KEY]) assert.ok(!r.out.includes(s), `a secret was printed:\n${r.out}`);
  assert.ok(!/whsec_[A-Za-z0-9]{8,}/.test(r.out), `a signing secret was printed:\n${r.out}`);
}

/**
 * .env holds a working credential: its STRIPE_WEBHOOK_SECRET belongs to an endpoint that exists at the
 * stand-in, and verifies an event Stripe would sign for that endpoint. Returns the endpoint's id.
 */
async function working(w: World): Promise<string> {
  const secret = dotenvOf(w).STRIPE_WEBHOOK_SECRET;
  assert.match(secret ?? '', /^whsec_/, '.env has a signing secret');
  const id = [...w.sx.state.webhookSecrets.entries()].find(([, s]) => s === secret)?.[0];
  assert.ok(id && w.sx.state.webhookEndpoints.has(id), 'the .env secret belongs to an endpoint that exists');
  assert.equal(w.sx.state.webhookEndpoints.get(id)!.url, HOOK_URL);
  const payload = JSON.stringify({ id: 'evt_rotation_1', object: 'event', type: 'invoice.paid', data: { object: { id: 'in_1' } } });
  const event = (await stripeSdk()).webhooks.constructEvent(payload, w.sx.signEvent(id, payload), secret!);
  assert.equal(event.id, 'evt_rotation_1');
  return id;
}

/** The rotation is complete: one endpoint for the URL (the .env one, same events and version), no state, no orphan. */
async function settled(w: World): Promise<string> {
  const id = await working(w);
  const eps = hookEndpoints(w);
  assert.deepEqual(eps.map((e) => e.id), [id], 'exactly one endpoint for the URL: no orphan, the old one deleted');
  assert.notEqual(id, w.old.id, 'the endpoint was replaced');
  assert.deepEqual(eps[0]!.enabled_events, EVENTS);
  assert.equal(eps[0]!.api_version, API_VERSION);
  assert.ok(eps[0]!.metadata.replaces, 'made by a rotation');
  assert.ok(w.sx.state.webhookEndpoints.has(w.other), 'the endpoint for another URL is untouched');
  const m = memoryOf(w);
  assert.equal(m.rotations, undefined, 'no rotation left in prod-ready.json');
  assert.equal(m.resources['stripe.webhookEndpoint'], id);
  return id;
}

const ok = (r: Run) => assert.equal(r.code, 0, r.out);
const failed = (r: Run, line: RegExp) => {
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, line);
};

/** The usual end after the first run: a re-run of the rotation (when asked), then --finish, then settled. */
async function complete(w: World, rerun: boolean): Promise<void> {
  if (rerun) {
    const again = await rotateHook(w);
    ok(again);
    noSecrets(w, again);
    assert.match(again.out, /kept until the app runs on the new one/);
    await working(w);
  }
  assert.equal(memoryOf(w).rotations?.['stripe.webhook']?.step, 'pushed');
  const f = await finish(w);
  ok(f);
  noSecrets(w, f);
  assert.match(f.out, /deleted the old webhook endpoint we_/);
  await settled(w);
}

describe('rotate stripe.webhook', { concurrency: 2 }, () => {
  // First: it waits 8 s for the SDK's timeout, while the other cases run beside it.
  test('Stripe does not answer in time: one clear line; a re-run finishes', async (t) => {
    const w = await world(t);
    w.sx.fail('/v1/webhook_endpoints', { method: 'GET', delayMs: 9000, times: 1 });
    const r = await rotateHook(w);
    failed(r, /Timed out/);
    noSecrets(w, r);
    assert.equal(await working(w), w.old.id);
    await complete(w, true);
  });

  test('happy path under --yes: new endpoint, .env updated, old endpoint kept until --finish', async (t) => {
    const w = await world(t);
    const r = await rotateHook(w);
    ok(r);
    noSecrets(w, r);
    const id = await working(w);
    assert.notEqual(id, w.old.id);
    const made = w.sx.state.webhookEndpoints.get(id)!;
    assert.equal(made.url, HOOK_URL);
    assert.deepEqual(made.enabled_events, EVENTS);
    assert.equal(made.api_version, API_VERSION);
    assert.equal(made.metadata.created_by, 'create-prod-ready');
    assert.equal(made.metadata.replaces, w.old.id);
    assert.ok(made.metadata.rotation);
    // Revoking needs a person: the old endpoint stays, both deliver.
    assert.ok(w.sx.state.webhookEndpoints.has(w.old.id), 'the old endpoint is kept');
    const state = memoryOf(w).rotations?.['stripe.webhook'];
    assert.equal(state?.step, 'pushed');
    assert.deepEqual(state?.old, { endpoint: w.old.id });
    assert.deepEqual(state?.new, { endpoint: id });
    assert.equal(made.metadata.rotation, (memoryOf(w).rotations!['stripe.webhook'] as unknown as { started: string }).started);
    assert.match(r.out, /kept until the app runs on the new one: then run create-prod-ready rotate --finish/);
    // The old secret no longer is the one in .env: an event for the new endpoint fails with it.
    const payload = '{"id":"evt_2","object":"event"}';
    assert.throws(() => sdk!.webhooks.constructEvent(payload, w.sx.signEvent(id, payload), w.old.secret), /No signatures found/);
    await complete(w, false);
  });

  test('with a linked Render service the new secret is pushed', async (t) => {
    const w = await world(t, { render: true });
    const r = await rotateHook(w);
    ok(r);
    noSecrets(w, r);
    await working(w);
    const svc = w.render!.state.services.get('srv-shopweb0001')!;
    const has = (k: string) => svc.envVars.find((e) => e.key === k)?.value;
    assert.equal(has('STRIPE_WEBHOOK_SECRET'), dotenvOf(w).STRIPE_WEBHOOK_SECRET);
    assert.equal(has('STRIPE_SECRET_KEY'), KEYS.test, 'only the rotated key is pushed');
    assert.equal(has('SENTRY_DSN'), 'https://foreign@sentry.example/1', 'foreign values untouched');
    assert.ok(!w.render!.requests.some((q) => q.method === 'PUT' && q.path.endsWith('/env-vars')), 'never the destructive bulk replace');
    await complete(w, false);
  });

  test('list endpoints answers 500: nothing made, .env keeps the old secret; a re-run finishes', async (t) => {
    const w = await world(t);
    w.sx.fail('/v1/webhook_endpoints', { method: 'GET', status: 500, times: 1 });
    const r = await rotateHook(w);
    failed(r, /Stripe is having trouble \(HTTP 500\)/);
    noSecrets(w, r);
    assert.equal(await working(w), w.old.id);
    assert.equal(hookEndpoints(w).length, 1);
    await complete(w, true);
  });

  test('create answers 503: nothing made, .env keeps the old secret; a re-run finishes', async (t) => {
    const w = await world(t);
    w.sx.fail('/v1/webhook_endpoints', { method: 'POST', status: 503, times: 1 });
    const r = await rotateHook(w);
    failed(r, /Stripe is having trouble \(HTTP 503\)/);
    noSecrets(w, r);
    assert.equal(await working(w), w.old.id);
    assert.equal(hookEndpoints(w).length, 1);
    await complete(w, true);
  });

  test('create answers 429 once with Retry-After: 1: retried after the wait, completes', async (t) => {
    const w = await world(t);
    w.sx.fail('/v1/webhook_endpoints', { method: 'POST', status: 429, retryAfter: 1, times: 1 });
    const started = performance.now();
    const r = await rotateHook(w);
    ok(r);
    assert.ok(performance.now() - started >= 1000, 'waited as Retry-After asked');
    assert.equal(w.sx.requestsTo('/v1/webhook_endpoints', 'POST').length, 2);
    noSecrets(w, r);
    assert.notEqual(await working(w), w.old.id);
    await complete(w, false);
  });

  test('create answers 429 every time: one clear line, .env keeps the old secret; a re-run finishes', async (t) => {
    const w = await world(t);
    w.sx.fail('/v1/webhook_endpoints', { method: 'POST', status: 429, retryAfter: 0, times: 3 });
    const r = await rotateHook(w);
    failed(r, /Stripe rate-limited the rotation \(429\) after 3 attempts/);
    noSecrets(w, r);
    assert.equal(await working(w), w.old.id);
    assert.equal(hookEndpoints(w).length, 1);
    await complete(w, true);
  });

  test('the check of the new secret fails: the new endpoint is removed, .env untouched; a re-run finishes', async (t) => {
    const w = await world(t);
    w.sx.fail('/v1/account', { status: 500, times: 1 });
    const r = await rotateHook(w);
    failed(r, /failed its check .*\.env still has the old one/);
    noSecrets(w, r);
    assert.equal(await working(w), w.old.id);
    assert.deepEqual(hookEndpoints(w).map((e) => e.id), [w.old.id], 'the new endpoint was deleted again');
    assert.equal(memoryOf(w).rotations, undefined);
    await complete(w, true);
  });

  test('the Render push answers 500: state written, .env has the new (working) secret; a re-run pushes and finishes', async (t) => {
    const w = await world(t, { render: true });
    w.render!.fail({ method: 'PUT', path: /\/env-vars\//, status: 500 });
    const r = await rotateHook(w);
    failed(r, /run create-prod-ready rotate stripe\.webhook again to push and finish/);
    noSecrets(w, r);
    const fresh = await working(w);
    assert.notEqual(fresh, w.old.id);
    assert.ok(w.sx.state.webhookEndpoints.has(w.old.id), 'the old endpoint still delivers to production');
    assert.equal(memoryOf(w).rotations?.['stripe.webhook']?.step, 'written');
    const svc = w.render!.state.services.get('srv-shopweb0001')!;
    assert.equal(svc.envVars.find((e) => e.key === 'STRIPE_WEBHOOK_SECRET')?.value, w.old.secret);
    w.render!.clearFaults();
    await complete(w, true);
    assert.equal(svc.envVars.find((e) => e.key === 'STRIPE_WEBHOOK_SECRET')?.value, dotenvOf(w).STRIPE_WEBHOOK_SECRET);
  });

  test('delete answers 500 on --finish: the state stays; --finish again completes', async (t) => {
    const w = await world(t);
    ok(await rotateHook(w));
    w.sx.fail(/^\/v1\/webhook_endpoints\/we_/, { method: 'DELETE', status: 500 });
    const f = await finish(w);
    failed(f, /Stripe is having trouble \(HTTP 500\).*the old one still exists/);
    assert.match(f.out, /rotate --finish/);
    noSecrets(w, f);
    assert.notEqual(await working(w), w.old.id);
    assert.ok(w.sx.state.webhookEndpoints.has(w.old.id));
    assert.equal(memoryOf(w).rotations?.['stripe.webhook']?.step, 'pushed');
    w.sx.clearFaults();
    await complete(w, false);
  });

  test('a key Stripe rejects (401): one line with the key masked, nothing changed', async (t) => {
    const bad = `sk_test_51Rolled${'X'.repeat(80)}rolled00001`;
    const w = await world(t, { env: { STRIPE_SECRET_KEY: bad } });
    const before = read(w.dir, '.env');
    const r = await rotateHook(w);
    failed(r, /Stripe rejected STRIPE_SECRET_KEY sk_test_•+0001: invalid API key \(401\)/);
    assert.ok(!r.out.includes(bad));
    noSecrets(w, r);
    assert.equal(read(w.dir, '.env'), before);
    assert.equal(await working(w), w.old.id);
    assert.equal(hookEndpoints(w).length, 1);
  });

  for (const [step, onDisk] of [
    ['started', 'started'],
    ['created', 'started'],
    ['written', 'written'],
    ['pushed', 'pushed'],
  ] as const) {
    test(`killed after "${step}": .env works; a re-run completes without an orphan`, async (t) => {
      const w = await world(t);
      const r = await rotateHook(w, { PROD_READY_CRASH_AFTER: step });
      assert.equal(r.signal, 'SIGKILL', r.out);
      noSecrets(w, r);
      const id = await working(w);
      assert.equal(memoryOf(w).rotations?.['stripe.webhook']?.step, onDisk);
      if (step === 'started' || step === 'created') assert.equal(id, w.old.id, '.env was never written');
      else assert.notEqual(id, w.old.id);
      if (step === 'created') {
        const orphan = hookEndpoints(w).filter((e) => e.id !== w.old.id);
        assert.equal(orphan.length, 1, 'the killed run left its endpoint');
        const again = await rotateHook(w);
        ok(again);
        noSecrets(w, again);
        assert.match(again.out, new RegExp(`deleted webhook endpoint ${orphan[0]!.id} \\(made by the interrupted rotation`));
        assert.ok(!w.sx.state.webhookEndpoints.has(orphan[0]!.id), 'the orphan was removed');
        await complete(w, false);
      } else await complete(w, true);
    });
  }

  test('two endpoints for the URL: refused with one line, nothing made', async (t) => {
    const w = await world(t, { endpoints: 2 });
    const before = read(w.dir, '.env');
    const r = await rotateHook(w);
    failed(r, /2 Stripe webhook endpoints have the URL https:\/\/shop\.example\.com\/api\/webhooks\/stripe \(we_\w+, we_\w+\) and nothing says which one/);
    noSecrets(w, r);
    assert.equal(w.sx.requestsTo('/v1/webhook_endpoints', 'POST').length, 0);
    assert.equal(hookEndpoints(w).length, 2);
    assert.equal(read(w.dir, '.env'), before);
  });

  test('no endpoint for the URL, or a local APP_URL: one clear line each, nothing made', async (t) => {
    const w = await world(t, { endpoints: 0 });
    const r = await rotateHook(w);
    failed(r, /no Stripe webhook endpoint has the URL https:\/\/shop\.example\.com\/api\/webhooks\/stripe \(test mode\)/);
    const local = await world(t, { env: { APP_URL: 'http://localhost:3000', CORS_ORIGINS: 'http://localhost:3000' } });
    const l = await rotateHook(local);
    failed(l, /APP_URL is local \(http:\/\/localhost:3000\/api\/webhooks\/stripe\)/);
    assert.match(l.out, /stripe listen --print-secret/);
    for (const x of [w, local]) assert.equal(x.sx.requestsTo('/v1/webhook_endpoints', 'POST').length, 0);
    await working(local);
  });

  test('several endpoints for the URL and the id of prod-ready.json passed with the values: that one is replaced (in-process)', async (t) => {
    const w = await world(t, { endpoints: 2 });
    const second = hookEndpoints(w).find((e) => e.id !== w.old.id)!;
    const rotation = stripeProvider.rotations!.find((r): r is AutoRotation => r.id === 'stripe.webhook' && r.kind === 'auto')!;
    const io: Io = { signal: AbortSignal.timeout(20_000), project: { framework: 'nextjs' } as ProjectInfo, baseUrl: () => w.sx.url };
    const values = { ...dotenvOf(w), 'stripe.webhookEndpoint': second.id };
    const made = await rotation.create!(values, io, 'tag-1');
    assert.deepEqual(made.old, { endpoint: second.id });
    assert.equal(w.sx.state.webhookEndpoints.get(made.new!.endpoint!)!.metadata.replaces, second.id);
    assert.deepEqual(await rotation.cleanup!(values, io, 'tag-1'), [`deleted webhook endpoint ${made.new!.endpoint} (made by the interrupted rotation; its secret never reached .env)`]);
    assert.equal(await rotation.revoke!(values, io, { endpoint: 'we_gone' }), 'the old webhook endpoint we_gone no longer exists in test mode (already deleted)');
    assert.equal(hookEndpoints(w).length, 2);
  });

  test('--dry-run changes nothing, at Stripe or on disk', async (t) => {
    const w = await world(t, { render: true });
    const before = snapshot(w.dir);
    for (const target of ['stripe.webhook', 'stripe.keys']) {
      const r = await run(w, ['rotate', target, '--dry-run', '--yes']);
      ok(r);
      assert.match(r.out, /dry run: nothing is changed/);
      noSecrets(w, r);
    }
    assert.deepEqual(snapshot(w.dir), before);
    assert.ok(!w.sx.state.requests.some((q) => q.method !== 'GET'), 'no write at Stripe');
    assert.ok(!w.render!.requests.some((q) => q.method !== 'GET'), 'no write at Render');
    assert.equal(hookEndpoints(w).length, 1);
  });
});

describe('rotate stripe.keys (guided)', { concurrency: 2 }, () => {
  const rotateKeys = (w: World, extra?: Record<string, string>) => run(w, ['rotate', 'stripe.keys', '--yes'], extra);

  test('the new key from the environment: checked, written, pushed; the publishable key stays; revoke hint', async (t) => {
    const w = await world(t, { render: true });
    const r = await rotateKeys(w, { STRIPE_SECRET_KEY: NEW_KEY });
    ok(r);
    noSecrets(w, r);
    assert.match(r.out, /https:\/\/dashboard\.stripe\.com\/test\/apikeys/);
    assert.match(r.out, /Rotate key/);
    assert.match(r.out, /the new Stripe secret key works: acct_\w+ .*· test mode/);
    assert.match(r.out, /the old key keeps working until the expiration you chose/);
    const env = dotenvOf(w);
    assert.equal(env.STRIPE_SECRET_KEY, NEW_KEY);
    assert.equal(env.STRIPE_PUBLISHABLE_KEY, KEYS.publishableTest);
    assert.equal(w.render!.state.services.get('srv-shopweb0001')!.envVars.find((e) => e.key === 'STRIPE_SECRET_KEY')?.value, NEW_KEY);
    assert.equal(memoryOf(w).rotations, undefined);
    assert.ok(w.sx.requestsTo('/v1/account').some((q) => q.key === NEW_KEY), 'the new key was checked live');
    await working(w);
  });

  test('without the new key in the environment: one clear line, nothing written', async (t) => {
    const w = await world(t);
    const before = read(w.dir, '.env');
    const r = await rotateKeys(w);
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /needs the new value in the environment: STRIPE_SECRET_KEY=… create-prod-ready rotate stripe\.keys --yes/);
    noSecrets(w, r);
    assert.equal(read(w.dir, '.env'), before);
  });

  test('without the new key: exit 2 (a usage error) and no rotation state left', async (t) => {
    const w = await world(t);
    const r = await rotateKeys(w);
    assert.equal(r.code, 2, r.out);
    assert.ok(!existsSync(join(w.dir, 'prod-ready.json')) || memoryOf(w).rotations === undefined);
  });

  test('the same key as now: one clear line, nothing written', async (t) => {
    const w = await world(t);
    const before = read(w.dir, '.env');
    const r = await rotateKeys(w, { STRIPE_SECRET_KEY: KEYS.test });
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /that is the current STRIPE_SECRET_KEY: make a new one first/);
    noSecrets(w, r);
    assert.equal(read(w.dir, '.env'), before);
  });

  test('a key Stripe rejects: "failed its check", .env keeps the old key', async (t) => {
    const w = await world(t);
    const bad = `sk_test_51Typo${'Y'.repeat(80)}typo0000001`;
    const r = await rotateKeys(w, { STRIPE_SECRET_KEY: bad });
    failed(r, /the new Stripe secret key failed its check \(Stripe rejected STRIPE_SECRET_KEY sk_test_•+0001: invalid API key \(401\)\); \.env still has the old one/);
    assert.ok(!r.out.includes(bad));
    noSecrets(w, r);
    assert.equal(dotenvOf(w).STRIPE_SECRET_KEY, KEYS.test);
    assert.equal(memoryOf(w).rotations, undefined);
  });

  test('a key of the other mode is refused', async (t) => {
    const w = await world(t);
    const r = await rotateKeys(w, { STRIPE_SECRET_KEY: KEYS.live });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /live|mode/);
    assert.equal(dotenvOf(w).STRIPE_SECRET_KEY, KEYS.test);
  });
});
