// The wizard through a real pty once per hosted provider, against its stand-in on 127.0.0.1
// (PROD_READY_<ID>_URL points the real SDK at it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { parse } from 'yaml';
import { startStripe, KEYS, type StripeStandin } from '../standins/stripe.ts';
import { startB2, type B2Standin } from '../standins/b2.ts';
import { cleanEnv, KEY, runPty } from '../helpers/pty.ts';
import { read, tempProject, NEXT_APP } from '../helpers/project.ts';
import { renderSchemaErrors } from '../helpers/schemas.ts';

let stripe: StripeStandin;
let b2: B2Standin;
before(async () => {
  [stripe, b2] = await Promise.all([startStripe(), startB2()]);
});
after(async () => {
  await Promise.all([stripe?.stop(), b2?.stop()]);
});

async function answer(s: ReturnType<typeof runPty>, key: string, typed?: string) {
  await s.waitForPrompt(new RegExp(`^◆  ${key}`));
  if (typed !== undefined) await s.type(typed);
  s.write(KEY.enter);
}

test('Stripe: keys checked live, the webhook endpoint created after confirmation, its secret written and never shown', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const s = runPty(['--providers', 'app,stripe'], { cwd: dir, env: cleanEnv({ PROD_READY_STRIPE_URL: stripe.url }) });
  await answer(s, 'NODE_ENV');
  await answer(s, 'PORT');
  await answer(s, 'APP_URL', 'https://shop.example.com');
  await answer(s, 'CORS_ORIGINS');
  await s.waitFor('App settings: https://shop.example.com');
  await answer(s, 'STRIPE_SECRET_KEY', KEYS.test);
  await answer(s, 'STRIPE_PUBLISHABLE_KEY', KEYS.publishableTest);
  await answer(s, 'STRIPE_WEBHOOK_PATH');
  await answer(s, 'STRIPE_WEBHOOK_EVENTS');
  await s.waitFor(/Stripe: acct_\w+/);
  await s.waitFor(/Create Stripe webhook endpoint https:\/\/shop\.example\.com\/api\/webhooks\/stripe/);
  assert.equal(stripe.state.webhookEndpoints.size, 0, 'nothing created before the confirmation');
  await s.waitFor(/Make 1 change at providers and write 4 files\?/);
  s.write(KEY.enter);
  await s.waitFor('Next steps');
  assert.equal((await s.exit).code, 0);

  assert.equal(stripe.state.webhookEndpoints.size, 1);
  const endpoint = [...stripe.state.webhookEndpoints.values()][0]!;
  assert.equal(endpoint.url, 'https://shop.example.com/api/webhooks/stripe');
  const env = dotenv.parse(read(dir, '.env'));
  const secret = stripe.state.webhookSecrets.get(endpoint.id)!;
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
  const key = b2.keys.full;
  const userRule = { corsRuleName: 'cdnDownloads', allowedOrigins: ['https://cdn.example.com'], allowedOperations: ['s3_get'], allowedHeaders: [], exposeHeaders: [], maxAgeSeconds: 60 };
  await b2.setCors(b2.bucket, [userRule]);
  const s = runPty(['--providers', 'app,b2'], { cwd: dir, env: cleanEnv({ PROD_READY_B2_URL: b2.apiUrl }) });
  await answer(s, 'NODE_ENV');
  await answer(s, 'PORT');
  await answer(s, 'APP_URL', 'https://shop.example.com');
  await answer(s, 'CORS_ORIGINS');
  await answer(s, 'S3_REGION', 'us-west-004');
  await answer(s, 'S3_ENDPOINT', b2.s3Url);
  await answer(s, 'S3_BUCKET', b2.bucket);
  await answer(s, 'S3_ACCESS_KEY_ID', key.keyId);
  await answer(s, 'S3_SECRET_ACCESS_KEY', key.applicationKey);
  await s.waitFor(new RegExp(`Backblaze B2 \\(S3\\): bucket ${b2.bucket}`));
  await s.waitFor(/Allow browser uploads from https:\/\/shop\.example\.com/);
  await s.waitFor(/Make 1 change at providers and write 5 files\?/);
  assert.equal(b2.corsOf(b2.bucket).length, 1, 'nothing changed before the confirmation');
  s.write(KEY.enter);
  await s.waitFor('Next steps');
  assert.equal((await s.exit).code, 0);

  const rules = b2.corsOf(b2.bucket);
  assert.equal(rules.length, 2, 'the user rule is kept and ours added');
  assert.ok(rules.some((r) => r.corsRuleName === 'cdnDownloads'));
  assert.ok(rules.some((r) => r.allowedOrigins.includes('https://shop.example.com')));
  assert.deepEqual(await b2.objects(b2.bucket, '.create-prod-ready/'), [], 'probe object removed');
  const env = dotenv.parse(read(dir, '.env'));
  assert.equal(env.S3_SECRET_ACCESS_KEY, key.applicationKey);
  assert.ok(!s.transcript().includes(key.applicationKey), 'applicationKey never on screen');
  assert.equal(dotenv.parse(read(dir, '.env.example')).S3_SECRET_ACCESS_KEY, '');
  assert.ok(!read(dir, 'render.yaml').includes(key.applicationKey));
});
