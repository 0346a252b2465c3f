import { test } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { parse } from 'yaml';
import { loadProviders } from '../../providers/index.ts';
import { plan, type PlanInput } from '../../src/core/plan.ts';
import { describeProject } from '../../src/core/project.ts';
import { loadTemplates } from '../../src/core/templates.ts';
import { renderReferenceProblems } from '../../src/core/files/render-yaml.ts';
import { composeSchemaErrors, renderSchemaErrors } from '../helpers/schemas.ts';
import { APP_VALUES } from '../helpers/project.ts';

const templates = await loadTemplates();
const providers = await loadProviders(['app', 'postgres', 'redis']);
const values = {
  ...APP_VALUES,
  DATABASE_URL: 'postgres://app:s3cr#t$(x)@localhost:5432/app',
  REDIS_URL: 'redis://:r3dis-pass@localhost:6379',
};
const nextApp = describeProject({
  cwd: '/x',
  pkg: { name: '@acme/shop', scripts: { build: 'next build', start: 'next start', worker: 'node worker.js' }, dependencies: { next: '15' } },
  lockfiles: ['pnpm-lock.yaml'],
  typescript: true,
});
const input = (over: Partial<PlanInput> = {}): PlanInput => ({ project: nextApp, providers, values, overwrite: new Set(), files: {}, templates, ...over });
const files = (p: ReturnType<typeof plan>) => Object.fromEntries(p.changes.map((c) => [c.path, c.after]));

test('a fresh project gets all six files, each valid against its real schema', () => {
  const p = plan(input());
  assert.deepEqual(p.changes.map((c) => [c.path, c.action]), [
    ['.gitignore', 'create'],
    ['.env', 'create'],
    ['.env.example', 'create'],
    ['render.yaml', 'create'],
    ['docker-compose.yml', 'create'],
    ['prod-ready.json', 'create'],
  ]);
  const f = files(p);
  assert.deepEqual(JSON.parse(f['prod-ready.json']!), {
    $schema: 'https://unpkg.com/create-prod-ready/schemas/prod-ready.schema.json',
    version: 1,
    framework: 'nextjs',
    providers: ['app', 'postgres', 'redis'],
    settings: {},
    resources: {},
  });
  assert.deepEqual(renderSchemaErrors(f['render.yaml']!), []);
  assert.deepEqual(composeSchemaErrors(f['docker-compose.yml']!), []);
  assert.deepEqual(renderReferenceProblems(parse(f['render.yaml']!)), []);
  assert.deepEqual(dotenv.parse(f['.env']!), values, '.env reads back exactly');
  assert.equal(p.changes.find((c) => c.path === '.env')!.mode, 0o600);
});

test('render.yaml wires the database, Key Value, generated and prompted secrets; the worker shares JWT_SECRET', () => {
  const doc = parse(files(plan(input()))['render.yaml']!);
  const web = doc.services.find((s: any) => s.type === 'web');
  const worker = doc.services.find((s: any) => s.type === 'worker');
  const env = Object.fromEntries(web.envVars.map((e: any) => [e.key, e]));
  assert.equal(web.name, 'shop-web');
  assert.equal(web.buildCommand, 'corepack enable && pnpm install --frozen-lockfile --prod=false && pnpm run build');
  assert.deepEqual(env.DATABASE_URL.fromDatabase, { name: 'shop-db', property: 'connectionString' });
  assert.deepEqual(env.REDIS_URL.fromService, { type: 'keyvalue', name: 'shop-kv', property: 'connectionString' });
  assert.equal(env.JWT_SECRET.generateValue, true);
  assert.equal(env.APP_URL.sync, false);
  assert.equal(env.NODE_ENV.value, 'production');
  assert.deepEqual(worker.envVars.find((e: any) => e.key === 'JWT_SECRET').fromService, { type: 'web', name: 'shop-web', envVarKey: 'JWT_SECRET' });
  assert.equal(typeof doc.databases[0].postgresMajorVersion, 'string');
  assert.equal(web.healthCheckPath, undefined, "the app's routes were not read: no health check that could 404");
});

test('no secret value reaches a committed file', () => {
  const f = files(plan(input()));
  for (const path of ['.env.example', 'render.yaml', 'docker-compose.yml', '.gitignore', 'prod-ready.json'])
    for (const secret of [values.JWT_SECRET, 's3cr#t$(x)', 'r3dis-pass', values.DATABASE_URL])
      assert.ok(!f[path]!.includes(secret), `${path} contains a secret`);
  const example = dotenv.parse(f['.env.example']!);
  assert.deepEqual(Object.keys(example).sort(), [...Object.keys(values), 'JWT_SECRET_PREVIOUS'].sort(), 'every key is documented');
  assert.equal(example.JWT_SECRET, '');
  assert.equal(example.DATABASE_URL, '');
});

test('a second run with the same answers changes nothing', () => {
  const first = files(plan(input()));
  const second = plan(input({ files: first }));
  assert.deepEqual(second.changes.map((c) => c.action), ['keep', 'keep', 'keep', 'keep', 'keep', 'keep']);
});

test('re-runs merge into hand-edited render.yaml and docker-compose.yml, keeping comments and edits', () => {
  const first = files(plan(input({ providers: providers.filter((p) => p.id !== 'redis') })));
  const editedRender = first['render.yaml']!.replace('plan: "starter"', 'plan: standard # we need more RAM').replace('services:', '# my comment\nservices:');
  const editedCompose = first['docker-compose.yml']!.replace('services:\n', 'services:\n  # my own service\n  mailhog:\n    image: mailhog/mailhog\n');
  const p = plan(input({ files: { ...first, 'render.yaml': editedRender, 'docker-compose.yml': editedCompose } }));
  const f = files(p);
  assert.match(f['render.yaml']!, /plan: standard # we need more RAM/);
  assert.match(f['render.yaml']!, /# my comment/);
  assert.match(f['render.yaml']!, /name: "shop-kv"/);
  assert.match(f['render.yaml']!, /key: "REDIS_URL"/);
  assert.deepEqual(renderSchemaErrors(f['render.yaml']!), []);
  assert.deepEqual(renderReferenceProblems(parse(f['render.yaml']!)), []);
  assert.match(f['docker-compose.yml']!, /# my own service\n  mailhog:/);
  assert.match(f['docker-compose.yml']!, /redis:7-alpine/);
  assert.deepEqual(composeSchemaErrors(f['docker-compose.yml']!), []);
  // and the merge is stable
  assert.ok(plan(input({ files: f })).changes.every((c) => c.action === 'keep'));
});

test('.gitignore: appends only missing entries; .env.* ignored, .env.example not', async () => {
  const { mergeGitignore } = await import('../../src/core/files/gitignore.ts');
  assert.equal(mergeGitignore('node_modules\n.env*\n!.env.example\n'), 'node_modules\n.env*\n!.env.example\n');
  assert.equal(mergeGitignore('node_modules'), 'node_modules\n\n# Secrets: keep every .env file out of git, but share the example (create-prod-ready)\n.env\n.env.*\n!.env.example\n');
  assert.match(mergeGitignore(undefined), /^# Secrets/);
});

test('a plain Express project without a worker gets a web service only', () => {
  const project = describeProject({ cwd: '/y', pkg: { name: 'api', scripts: { start: 'node server.js --port 8080' }, dependencies: { express: '5' } }, lockfiles: ['package-lock.json'], typescript: false });
  assert.equal(project.port, 8080);
  assert.equal(project.framework, 'express');
  const doc = parse(files(plan(input({ project })))['render.yaml']!);
  assert.deepEqual(doc.services.map((s: any) => s.type), ['web', 'keyvalue']);
  assert.equal(doc.services[0].buildCommand, 'npm ci --include=dev');
  assert.equal(doc.services[0].startCommand, 'npm start');
});

test('RENDER_REGION and RENDER_PLAN reach every service and database, and the result still validates', async () => {
  const [render] = await loadProviders(['render']);
  const f = files(plan(input({ providers: [...providers, render!], values: { ...values, RENDER_API_KEY: 'rnd_x', RENDER_REGION: 'frankfurt', RENDER_PLAN: 'standard' } })));
  const doc = parse(f['render.yaml']!);
  assert.ok([...doc.services, ...doc.databases].every((x: { region: string }) => x.region === 'frankfurt'));
  assert.equal(doc.services.find((s: { type: string }) => s.type === 'web').plan, 'standard');
  assert.deepEqual(renderSchemaErrors(f['render.yaml']!), []);
  assert.ok(!f['render.yaml']!.includes('RENDER_API_KEY'), 'the API key is never deployed');
});

test('an optional value the user just emptied is emptied in .env; one never set is not written', async () => {
  const [stripe] = await loadProviders(['stripe']);
  const withEvents = { ...values, STRIPE_SECRET_KEY: 'sk_test_' + 'x'.repeat(24), STRIPE_PUBLISHABLE_KEY: 'pk_test_' + 'y'.repeat(24), STRIPE_WEBHOOK_EVENTS: '' };
  const env = 'STRIPE_WEBHOOK_EVENTS=invoice.paid\n';
  const kept = files(plan(input({ providers: [stripe!], values: withEvents, files: { '.env': env } })))['.env']!;
  assert.match(kept, /STRIPE_WEBHOOK_EVENTS=invoice\.paid/);
  const emptied = files(plan(input({ providers: [stripe!], values: withEvents, overwrite: new Set(['STRIPE_WEBHOOK_EVENTS']), files: { '.env': env } })))['.env']!;
  assert.equal(dotenv.parse(emptied).STRIPE_WEBHOOK_EVENTS, '');
});

test('the app\'s names: values, render.yaml and .env.example under them; its own keys declared; .env.local beside a committed .env', async () => {
  const { describeContract } = await import('../../src/core/contract.ts');
  const { mapNames } = await import('../../src/core/env-names.ts');
  const contract = describeContract({
    deps: { next: '15' },
    files: [
      { path: 'src/db.ts', text: 'export const url = process.env.POSTGRES_URL!; const s = process.env.NEXTAUTH_SECRET; const g = process.env.GITHUB_CLIENT_ID;' },
      { path: 'src/site.ts', text: 'export const site = process.env.NEXT_PUBLIC_APP_URL;' },
    ],
  });
  const names = mapNames(providers, contract);
  const committed = '# defaults\nNEXT_PUBLIC_APP_URL=http://localhost:3000\n';
  const p = plan(input({ names, contract, envFile: '.env.local', files: { '.env': committed } }));
  assert.deepEqual(p.changes.map((c) => c.path).slice(0, 3), ['.gitignore', '.env.local', '.env.example']);
  const f = files(p);
  const local = dotenv.parse(f['.env.local']!);
  assert.equal(local.POSTGRES_URL, values.DATABASE_URL);
  assert.equal(local.NEXTAUTH_SECRET, values.JWT_SECRET);
  assert.ok(!('DATABASE_URL' in local) && !('JWT_SECRET' in local), 'not under the tool\'s names');
  assert.ok(!('NEXT_PUBLIC_APP_URL' in local), 'the committed .env already holds that value');
  assert.equal(f['.gitignore'], '# Secrets: .env.local files stay out of git (create-prod-ready)\n.env*.local\n');
  const web = parse(f['render.yaml']!).services.find((s: { type: string }) => s.type === 'web');
  const byKey = Object.fromEntries(web.envVars.map((e: { key: string }) => [e.key, e]));
  assert.deepEqual(byKey.POSTGRES_URL.fromDatabase, { name: 'shop-db', property: 'connectionString' });
  assert.deepEqual(byKey.NEXTAUTH_SECRET, { key: 'NEXTAUTH_SECRET', generateValue: true });
  assert.deepEqual(byKey.GITHUB_CLIENT_ID, { key: 'GITHUB_CLIENT_ID', sync: false });
  assert.ok(!byKey.DATABASE_URL && !byKey.JWT_SECRET);
  assert.deepEqual(renderSchemaErrors(f['render.yaml']!), []);
  const example = dotenv.parse(f['.env.example']!);
  for (const k of ['POSTGRES_URL', 'NEXTAUTH_SECRET', 'NEXT_PUBLIC_APP_URL', 'GITHUB_CLIENT_ID']) assert.ok(k in example, k);
  assert.match(f['.env.example']!, /# ── Also read by the app\n# Required by the app\.\nGITHUB_CLIENT_ID=\n/);
  assert.ok(!p.changes.some((c) => c.path === '.env'), 'the committed .env is never written');
});
