// `check --json` and `--yes` against the Stripe, B2, Clerk, Auth0 and Render stand-ins, through the built CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { KEYS as CLERK } from '../standins/clerk.ts';
import { CLIENTS } from '../standins/auth0.ts';
import { RENDER_KEY } from '../standins/render.ts';
import { KEYS as STRIPE } from '../standins/stripe.ts';
import { envText, startStandins } from '../standins/all.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { read, tempProject, NEXT_APP } from '../helpers/project.ts';
import { withServers } from '../helpers/servers.ts';

const { all } = withServers({ all: () => startStandins({
  render: { services: [{ id: 'srv-shopweb0001', name: 'shop-web', envVars: { SENTRY_DSN: 'https://foreign@sentry.example/1', CLERK_SECRET_KEY: 'sk_test_old' } }] },
}) });

const ENV = (over: Record<string, string> = {}) =>
  envText({
    NODE_ENV: 'development',
    PORT: '3000',
    APP_URL: 'https://shop.example.com',
    CORS_ORIGINS: 'https://shop.example.com',
    JWT_SECRET: 'j'.repeat(43),
    ...all.values,
    ...over,
  });

const run = (args: string[], cwd: string) => runCli(args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...all.overrides }) });

test('check --json reports identity, mode and warnings for every hosted provider', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP, '.env': ENV() });
  const r = await run(['check', '--json'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout);
  const by = Object.fromEntries(doc.providers.map((p: { id: string }) => [p.id, p]));
  assert.deepEqual(Object.keys(by).sort(), ['app', 'auth0', 'b2', 'clerk', 'render', 'stripe']);
  assert.match(by.stripe.identity, /^acct_\w+/);
  assert.equal(by.stripe.mode, 'test');
  assert.ok(by.stripe.warnings.some((w: string) => /webhook/i.test(w)), 'the missing webhook endpoint is reported');
  assert.match(by.b2.identity, new RegExp(`bucket ${all.b2.bucket}`));
  assert.ok(by.b2.warnings.some((w: string) => /CORS|browser upload/i.test(w)), 'the missing CORS rule is reported');
  assert.match(by.clerk.identity, /^ins_\w+ · development/);
  assert.equal(by.clerk.mode, 'development');
  assert.ok(by.auth0.identity);
  assert.ok(Array.isArray(by.auth0.warnings) && by.auth0.warnings.some((w: string) => /callback|not done yet/i.test(w)), 'missing callback URLs are reported');
  assert.match(by.render.identity, /Acme · 1 service/);
  for (const secret of [CLERK.devSecret, CLIENTS.full.client_secret, RENDER_KEY, STRIPE.test, all.b2.keys.full.applicationKey]) assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
});

test('each provider failure is its own line and exit 1', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ CLERK_PUBLISHABLE_KEY: CLERK.otherDevPublishable }, /these two keys are from different Clerk instances/],
    [{ CLERK_SECRET_KEY: 'sk_test_NotAKnownKey000000000000000000000001' }, /Clerk rejected CLERK_SECRET_KEY/],
    [{ AUTH0_CLIENT_SECRET: 'wrong-secret-00000000000000000000000000000' }, /client id or secret rejected/],
    [{ RENDER_API_KEY: 'rnd_WrongKey00000000000000000' }, /401|rejected|invalid/i],
    [{ STRIPE_SECRET_KEY: 'sk_test_51NotAKnownKey0000000000000000000000000000000' }, /Stripe: .*(401|invalid|rejected)/i],
    [{ STRIPE_SECRET_KEY: STRIPE.publishableTest }, /publishable key/i],
    [{ S3_SECRET_ACCESS_KEY: 'K004WrongApplicationKey00000000000' }, /SignatureDoesNotMatch|applicationKey/],
    [{ S3_BUCKET: 'no-such-bucket-here' }, /NoSuchBucket|AccessDenied|no bucket|not allowed/i],
  ];
  for (const [over, line] of cases) {
    const dir = tempProject({ 'package.json': NEXT_APP, '.env': ENV(over) });
    const r = await run(['check'], dir);
    assert.equal(r.code, 1, `${JSON.stringify(over)}: ${r.stdout}`);
    assert.match(r.stdout, line);
    assert.ok(!/\n\s+at /.test(r.stdout + r.stderr), 'no stack trace');
  }
});

test('--yes pushes our secrets to a linked Render service one key at a time; foreign variables stay', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP, '.env': ENV({ RENDER_SERVICES: 'shop-web' }) });
  const r = await run(['--yes', '--providers', 'app,clerk,render'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const vars = Object.fromEntries(all.render.state.services.get('srv-shopweb0001')!.envVars.map((e) => [e.key, e.value]));
  assert.equal(vars.SENTRY_DSN, 'https://foreign@sentry.example/1', 'a variable Render holds and we do not is untouched');
  assert.equal(vars.CLERK_SECRET_KEY, CLERK.devSecret);
  assert.ok(!all.render.requests.some((q) => q.method === 'PUT' && /\/env-vars$/.test(q.path)), 'never the bulk PUT that replaces the list');
  assert.match(r.stdout, /not done without a person: Deploy shop-web/);
  assert.equal(dotenv.parse(read(dir, '.env')).NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, CLERK.devPublishable, 'the Next.js alias holds the same key');
  assert.ok(!r.stdout.includes(CLERK.devSecret));
});

test('--yes: actions run in catalog order, and a failure after a secret was created still keeps that secret', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP, '.env': ENV() });
  const endpointsBefore = all.stripe.state.webhookEndpoints.size;
  const remove = all.b2.fail({ api: 'b2', op: 'b2_update_bucket', status: 500, times: 10 });
  try {
    const r = await run(['--yes', '--providers', 'app,stripe,b2'], dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.indexOf('at Stripe:') < r.stdout.indexOf('at Backblaze B2'), 'Stripe before B2, as in the catalog');
    assert.match(r.stdout, /Wrote only \.gitignore, \.env, to keep what was already created at providers/);
    assert.equal(all.stripe.state.webhookEndpoints.size, endpointsBefore + 1);
    const created = [...all.stripe.state.webhookEndpoints.values()].at(-1)!;
    assert.equal(dotenv.parse(read(dir, '.env')).STRIPE_WEBHOOK_SECRET, all.stripe.state.webhookSecrets.get(created.id), 'the once-only secret is in .env');
    assert.ok(!r.stdout.includes(all.stripe.state.webhookSecrets.get(created.id)!));
  } finally {
    remove();
  }
});
