// The wizard through a real pty once per hosted provider, against its stand-in on 127.0.0.1
// (PROD_READY_<ID>_URL points the real SDK at it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { parse } from 'yaml';
import { KEYS } from '../standins/stripe.ts';
import { KEYS as CLERK } from '../standins/clerk.ts';
import { CLIENTS } from '../standins/auth0.ts';
import { RENDER_KEY } from '../standins/render.ts';
import { startStandins } from '../standins/all.ts';
import { answer, cleanEnv, promptFrame, runPty, submit } from '../helpers/pty.ts';
import { fill } from '../helpers/wizard.ts';
import { read, tempProject, NEXT_APP } from '../helpers/project.ts';
import { renderSchemaErrors } from '../helpers/schemas.ts';
import { withServers } from '../helpers/servers.ts';

const { all } = withServers({ all: () => startStandins({
  render: { deploySteps: ['build_in_progress', 'live'], services: [{ id: 'srv-shopweb0001', name: 'shop-web', envVars: { SENTRY_DSN: 'https://foreign@sentry.example/1' } }] },
}) });

test('Stripe: keys checked live, the webhook endpoint created after confirmation, its secret written and never shown', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const s = runPty(['--providers', 'app,stripe'], { cwd: dir, env: cleanEnv({ PROD_READY_STRIPE_URL: all.stripe.url }) });
  await fill(s, { STRIPE_SECRET_KEY: KEYS.test, STRIPE_PUBLISHABLE_KEY: KEYS.publishableTest, APP_URL: 'https://shop.example.com' });
  await s.waitFor('App settings: https://shop.example.com');
  await s.waitFor(/Stripe: acct_\w+/);
  await s.waitFor(/Create Stripe webhook endpoint https:\/\/shop\.example\.com\/api\/webhooks\/stripe/);
  assert.equal(all.stripe.state.webhookEndpoints.size, 0, 'nothing created before the confirmation');
  await answer(s, /Make 1 change at providers and write 8 files\?/);
  await s.waitFor('Next steps');
  assert.equal((await s.exit).code, 0);

  assert.equal(all.stripe.state.webhookEndpoints.size, 1);
  const endpoint = [...all.stripe.state.webhookEndpoints.values()][0]!;
  assert.equal(endpoint.url, 'https://shop.example.com/api/webhooks/stripe');
  const env = dotenv.parse(read(dir, '.env'));
  const secret = all.stripe.state.webhookSecrets.get(endpoint.id)!;
  assert.match(secret, /^whsec_/);
  assert.equal(env.STRIPE_WEBHOOK_SECRET, secret);
  for (const hidden of [secret, KEYS.test]) assert.ok(!s.transcript().includes(hidden), 'secret never on screen');
  const example = dotenv.parse(read(dir, '.env.example'));
  assert.equal(example.STRIPE_SECRET_KEY, '');
  assert.equal(example.STRIPE_WEBHOOK_SECRET, '');
  const render = read(dir, 'render.yaml');
  assert.deepEqual(renderSchemaErrors(render), []);
  const web = parse(render).services[0];
  for (const k of ['STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET'])
    assert.equal(web.envVars.find((e: { key: string }) => e.key === k)?.sync, false, `${k} is sync: false`);
  assert.ok(!render.includes(secret) && !render.includes(KEYS.test));
});

test('Backblaze B2: the key is proven by a probe object, and the missing CORS rule is added after confirmation', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const key = all.b2.keys.full;
  const userRule = { corsRuleName: 'cdnDownloads', allowedOrigins: ['https://cdn.example.com'], allowedOperations: ['s3_get'], allowedHeaders: [], exposeHeaders: [], maxAgeSeconds: 60 };
  await all.b2.setCors(all.b2.bucket, [userRule]);
  const s = runPty(['--providers', 'app,b2'], { cwd: dir, env: cleanEnv({ PROD_READY_B2_URL: all.b2.apiUrl }) });
  await fill(s, {
    APP_URL: 'https://shop.example.com',
    S3_REGION: 'us-west-004',
    S3_ENDPOINT: all.b2.s3Url,
    S3_BUCKET: all.b2.bucket,
    S3_ACCESS_KEY_ID: key.keyId,
    S3_SECRET_ACCESS_KEY: key.applicationKey,
  });
  await s.waitFor(new RegExp(`Backblaze B2 \\(S3\\): bucket ${all.b2.bucket}`));
  await s.waitFor(/Allow browser uploads from https:\/\/shop\.example\.com/);
  const plan = await promptFrame(s, /Make 1 change at providers and write 9 files\?/);
  assert.equal(all.b2.corsOf(all.b2.bucket).length, 1, 'nothing changed before the confirmation');
  await submit(s, plan);
  await s.waitFor('Next steps');
  assert.equal((await s.exit).code, 0);

  const rules = all.b2.corsOf(all.b2.bucket);
  assert.equal(rules.length, 2, 'the user rule is kept and ours added');
  assert.ok(rules.some((r) => r.corsRuleName === 'cdnDownloads'));
  assert.ok(rules.some((r) => r.allowedOrigins.includes('https://shop.example.com')));
  assert.deepEqual(await all.b2.objects(all.b2.bucket, '.create-prod-ready/'), [], 'probe object removed');
  const env = dotenv.parse(read(dir, '.env'));
  assert.equal(env.S3_SECRET_ACCESS_KEY, key.applicationKey);
  assert.ok(!s.transcript().includes(key.applicationKey), 'applicationKey never on screen');
  assert.equal(dotenv.parse(read(dir, '.env.example')).S3_SECRET_ACCESS_KEY, '');
  assert.ok(!read(dir, 'render.yaml').includes(key.applicationKey));
});

test('Clerk: the pair checked live, and the Next.js alias written with the same key', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const s = runPty(['--providers', 'app,clerk'], { cwd: dir, env: cleanEnv({ PROD_READY_CLERK_URL: all.clerk.url }) });
  await fill(s, { CLERK_SECRET_KEY: CLERK.devSecret, CLERK_PUBLISHABLE_KEY: CLERK.devPublishable });
  await s.waitFor(/Clerk: ins_\w+ · development · frontend API happy-hippo-42\.clerk\.accounts\.dev/);
  await answer(s, /Write 8 files\?/);
  await s.waitFor('Next steps');
  assert.equal((await s.exit).code, 0);
  const env = dotenv.parse(read(dir, '.env'));
  assert.equal(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, CLERK.devPublishable);
  assert.equal(env.VITE_CLERK_PUBLISHABLE_KEY, undefined);
  assert.ok(!s.transcript().includes(CLERK.devSecret));
});

test('Auth0: credentials checked, and the missing callback URLs added to the application without removing any', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const id = CLIENTS.full.client_id;
  const before = all.auth0.app(id) as { callbacks?: string[] };
  const s = runPty(['--providers', 'app,auth0'], { cwd: dir, env: cleanEnv({ PROD_READY_AUTH0_URL: all.auth0.url }) });
  await fill(s, { APP_URL: 'https://shop.example.com', AUTH0_DOMAIN: 'acme.us.auth0.com', AUTH0_CLIENT_ID: id, AUTH0_CLIENT_SECRET: CLIENTS.full.client_secret });
  await s.waitFor(/Auth0: /);
  await answer(s, /Make 1 change at providers and write 8 files\?/);
  await s.waitFor('Next steps');
  assert.equal((await s.exit).code, 0);
  const app = all.auth0.app(id) as { callbacks: string[] };
  assert.ok(app.callbacks.includes('https://shop.example.com/auth/callback'));
  assert.ok(app.callbacks.includes('http://localhost:3000/auth/callback'));
  for (const old of before.callbacks ?? []) assert.ok(app.callbacks.includes(old), `kept ${old}`);
  const env = dotenv.parse(read(dir, '.env'));
  assert.equal(env.APP_BASE_URL, 'https://shop.example.com');
  assert.match(env.AUTH0_SECRET!, /^[0-9a-f]{64}$/);
  assert.ok(!s.transcript().includes(CLIENTS.full.client_secret) && !s.transcript().includes(env.AUTH0_SECRET!));
});

test('Render: a masked diff, the push one key at a time, and a deploy followed to live', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const s = runPty(['--providers', 'app,render'], { cwd: dir, env: cleanEnv({ PROD_READY_RENDER_URL: all.render.url }) });
  await fill(s, { APP_URL: 'https://shop.example.com', RENDER_API_KEY: RENDER_KEY, RENDER_SERVICES: 'shop-web' }, /Deploy shop-web now\?/);
  await answer(s, /Deploy shop-web now\?/);
  await s.waitFor(/Set \d+ variables? on Render service shop-web/);
  await answer(s, /Make 2 changes at providers and write 8 files\?/);
  await s.waitFor('deployed shop-web: live', 30_000);
  await s.waitFor('Next steps');
  assert.equal((await s.exit).code, 0);
  const vars = Object.fromEntries(all.render.state.services.get('srv-shopweb0001')!.envVars.map((e) => [e.key, e.value]));
  assert.equal(vars.SENTRY_DSN, 'https://foreign@sentry.example/1', 'foreign variable untouched');
  assert.equal(vars.APP_URL, 'https://shop.example.com');
  assert.ok(!all.render.requests.some((q) => q.method === 'PUT' && /\/env-vars$/.test(q.path)));
  assert.ok(!s.transcript().includes(RENDER_KEY));
  assert.ok(!read(dir, 'render.yaml').includes('RENDER_API_KEY'), 'the API key is never deployed');
});
