// The monorepo planner, pure: the fixture workspaces as read from disk, answers in, file changes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadProviders } from '../../providers/index.ts';
import { planMonorepo } from '../../src/core/monorepo-plan.ts';
import { readMonorepoState } from '../../src/core/snapshot.ts';
import { loadTemplates } from '../../src/core/templates.ts';
import { chooseApps, detectWorkspace } from '../../src/core/workspaces.ts';
import { monorepoProject } from '../../src/commands/monorepo-step.ts';
import { renderSchemaErrors } from '../helpers/schemas.ts';
import { APP_VALUES } from '../helpers/project.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/monorepos/', import.meta.url));
const templates = await loadTemplates();
const providers = await loadProviders(['app', 'postgres']);
const values = {
  ...APP_VALUES,
  DATABASE_URL: 'postgres://app:one-answer@localhost:5432/app',
};

interface PlanOpts {
  apps?: string[];
  files?: Record<string, string>;
  memory?: string;
  /** the root's render.yaml as it is */
  renderYaml?: string;
  providers?: Awaited<ReturnType<typeof loadProviders>>;
  values?: Record<string, string>;
  git?: { inRepo: boolean; tracked: string[] };
}

function planFor(fixture: string, opts: PlanOpts = {}) {
  const ws = detectWorkspace(fixture.startsWith('/') ? fixture : join(FIXTURES, fixture))!;
  const mono = readMonorepoState(ws, chooseApps(ws, opts.apps), 0, opts.git);
  Object.assign(mono.files, opts.files ?? {});
  const p = planMonorepo(
    {
      project: monorepoProject(ws),
      providers: opts.providers ?? providers,
      values: { ...values, ...opts.values },
      overwrite: new Set(),
      files: { ...(opts.memory ? { 'prod-ready.json': opts.memory } : {}), ...(opts.renderYaml ? { 'render.yaml': opts.renderYaml } : {}) },
      templates,
    },
    mono,
  );
  const services = (parse(Object.fromEntries(p.changes.map((c) => [c.path, c.after]))['render.yaml']!) as { services: Svc[] }).services;
  return { p, mono, services, files: Object.fromEntries(p.changes.map((c) => [c.path, c.after])) };
}

interface Svc {
  name: string;
  type: string;
  plan?: string;
  startCommand?: string;
  preDeployCommand?: string;
  healthCheckPath?: string;
  envVars: Record<string, unknown>[];
}

/** A copy of a fixture with files added (text) or removed (null). */
function copy(fixture: string, change: Record<string, string | null>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-mono-plan-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  for (const [f, text] of Object.entries(change)) {
    if (text === null) rmSync(join(dir, f), { recursive: true, force: true });
    else {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
  }
  return dir;
}
const major = process.versions.node.split('.')[0]!;
const env = (svc: Svc) => Object.fromEntries(svc.envVars.map((e) => [e.key, e]));

test('one answer per shared key: an app file holding another DATABASE_URL gets the run\'s; its own keys and comments stay', () => {
  const { p, files } = planFor('npm-turbo', { files: { 'apps/worker/.env': '# mine\nDATABASE_URL=postgres://old@localhost/x\nQUEUE=jobs\n' } });
  const worker = dotenv.parse(files['apps/worker/.env']!);
  assert.equal(worker.DATABASE_URL, values.DATABASE_URL);
  assert.equal(worker.QUEUE, 'jobs');
  assert.match(files['apps/worker/.env']!, /^# mine\n/);
  assert.equal(p.changes.find((c) => c.path === 'apps/worker/.env')!.action, 'update');
  assert.equal(p.changes.find((c) => c.path === 'apps/worker/.env')!.mode, 0o600);
});

test('no root .env, no root .env.example, no env module, no root package.json change; .gitignore reaches the apps', () => {
  const { files } = planFor('npm-turbo');
  for (const f of ['.env', '.env.example', 'package.json', 'src/env.ts', 'env.js']) assert.equal(files[f], undefined, f);
  assert.match(files['.gitignore']!, /^\.env$/m);
});

test('a root-anchored /.env in .gitignore does not count: apps/api/.env would be tracked', async () => {
  const { mergeGitignore } = await import('../../src/core/files/gitignore.ts');
  const anchored = '/.env\n/.env.*\n!.env.example\n';
  assert.equal(mergeGitignore(anchored), anchored, 'a single app: anchored is enough');
  assert.match(mergeGitignore(anchored, { nested: true }), /^\.env$/m);
  assert.match(mergeGitignore(anchored, { nested: true }), /^\.env\.\*$/m);
});

test('a static SPA gets no secret: only its public keys, in .env.local; the Blueprint validates', () => {
  const { files } = planFor('pnpm-vite-hono');
  assert.deepEqual(dotenv.parse(files['apps/web/.env.local']!), { VITE_API_URL: 'http://localhost:3000' });
  const example = dotenv.parse(files['apps/web/.env.example']!);
  assert.deepEqual(Object.keys(example).sort(), ['VITE_API_URL', 'VITE_STRIPE_PUBLISHABLE_KEY']);
  assert.deepEqual(renderSchemaErrors(files['render.yaml']!), []);
  const web = (parse(files['render.yaml']!) as { services: Record<string, unknown>[] }).services.find((s) => s.name === 'shop-web')!;
  assert.ok(!JSON.stringify(web).includes('JWT_SECRET') && !JSON.stringify(web).includes('DATABASE_URL'));
});

test('prod-ready.json keeps the apps of earlier runs that this run did not choose', () => {
  const memory = JSON.stringify({ version: 1, framework: 'hono', providers: ['app'], settings: {}, resources: {}, apps: [{ dir: 'apps/api', name: 'api', kind: 'web', env: 'apps/api/.env', services: ['shop-api'] }] });
  const { files } = planFor('pnpm-vite-hono', { apps: ['web'], memory });
  const apps = (JSON.parse(files['prod-ready.json']!) as { apps: { dir: string }[] }).apps.map((a) => a.dir);
  assert.deepEqual(apps, ['apps/api', 'apps/web']);
});

test('without the API among the chosen apps, the SPA\'s API URL is asked for in Render (sync: false)', () => {
  const { files } = planFor('pnpm-vite-hono', { apps: ['web'] });
  const web = (parse(files['render.yaml']!) as { services: { envVars: unknown[] }[] }).services[0]!;
  assert.deepEqual(web.envVars, [{ key: 'NODE_VERSION', value: major }, { key: 'VITE_API_URL', sync: false }, { key: 'VITE_STRIPE_PUBLISHABLE_KEY', sync: false }]);
});

test("each app gets the provider values under the names its own contract reads: aliases, public prefixes, a generated secret shared by name", async () => {
  const dir = copy('pnpm-vite-hono', {
    'apps/api/src/billing.ts': 'export const stripe = process.env.STRIPE_API_KEY!;\nexport const hook = process.env.STRIPE_WEBHOOK_SECRET;\n',
    'apps/api/src/worker-auth.ts': 'export const s = process.env.AUTH_SECRET;\n',
  });
  const withStripe = await loadProviders(['app', 'postgres', 'stripe']);
  const { files, services } = planFor(dir, { providers: withStripe, values: { STRIPE_SECRET_KEY: 'sk_test_' + 'a'.repeat(24), STRIPE_PUBLISHABLE_KEY: 'pk_test_' + 'b'.repeat(24), STRIPE_WEBHOOK_SECRET: 'whsec_c' } });
  const api = dotenv.parse(files['apps/api/.env']!);
  const web = dotenv.parse(files['apps/web/.env.local']!);
  assert.equal(api.STRIPE_API_KEY, 'sk_test_' + 'a'.repeat(24), "the API's name for the secret key");
  assert.equal(api.STRIPE_SECRET_KEY, undefined, 'not also under the provider\'s name');
  assert.equal(api.AUTH_SECRET, values.JWT_SECRET, 'the generated secret under the alias the app reads, as well as JWT_SECRET');
  assert.equal(api.JWT_SECRET, values.JWT_SECRET);
  assert.deepEqual(web, { VITE_STRIPE_PUBLISHABLE_KEY: 'pk_test_' + 'b'.repeat(24), VITE_API_URL: 'http://localhost:3000' }, 'the SPA: its public name for the publishable key, no secret');
  assert.ok('STRIPE_API_KEY' in dotenv.parse(files['apps/api/.env.example']!) && !('STRIPE_SECRET_KEY' in dotenv.parse(files['apps/api/.env.example']!)), "the API's example lists its own names");
  assert.deepEqual(Object.keys(dotenv.parse(files['apps/web/.env.example']!)).sort(), ['VITE_API_URL', 'VITE_STRIPE_PUBLISHABLE_KEY']);
  const [apiSvc, webSvc] = [services.find((x) => x.name === 'shop-api')!, services.find((x) => x.name === 'shop-web')!];
  assert.deepEqual(env(apiSvc).STRIPE_API_KEY, { key: 'STRIPE_API_KEY', sync: false });
  assert.ok(!('STRIPE_SECRET_KEY' in env(apiSvc)));
  assert.ok(!JSON.stringify(webSvc).includes('STRIPE_API_KEY') && !JSON.stringify(webSvc).includes('STRIPE_SECRET_KEY'), 'the static site: no secret in Render either');
  assert.deepEqual(env(webSvc).VITE_STRIPE_PUBLISHABLE_KEY, { key: 'VITE_STRIPE_PUBLISHABLE_KEY', sync: false });
  assert.deepEqual(renderSchemaErrors(files['render.yaml']!), []);
});

test('a generated secret read under another name by a second service comes from the first one, by its name there', () => {
  const dir = copy('npm-turbo', { 'apps/worker/src/auth.js': 'export const s = process.env.AUTH_SECRET;\n' });
  const { files, services } = planFor(dir);
  const worker = services.find((x) => x.name === 'acme-worker')!;
  assert.deepEqual(env(worker).AUTH_SECRET, { key: 'AUTH_SECRET', fromService: { type: 'web', name: 'acme-api', envVarKey: 'JWT_SECRET' } });
  assert.equal(dotenv.parse(files['apps/worker/.env']!).AUTH_SECRET, values.JWT_SECRET, 'locally the same value');
});

test(".env.local for frontend frameworks, .env for Node servers, as for a single app: a frontend's own untracked .env is kept; a tracked one is not written", () => {
  assert.deepEqual(planFor('npm-turbo').mono.targets.map((t) => t.file), ['apps/api/.env', 'apps/web/.env.local', 'apps/worker/.env', 'packages/db/.env']);
  const dir = copy('pnpm-vite-hono', { 'apps/web/.env': 'VITE_API_URL=http://localhost:9999\n' });
  assert.equal(planFor(dir).mono.targets.find((t) => t.app.dir === 'apps/web')!.file, 'apps/web/.env', "the SPA's own .env, git does not track it");
  assert.equal(planFor(dir, { git: { inRepo: true, tracked: ['apps/web/.env'] } }).mono.targets.find((t) => t.app.dir === 'apps/web')!.file, 'apps/web/.env.local', 'tracked: its secrets go to .env.local');
});

test('NODE_VERSION on every service: the root .nvmrc, an app\'s own pin first, engines.node of the app or the root', () => {
  const dir = copy('npm-turbo', { '.nvmrc': '22\n', 'apps/worker/.nvmrc': 'v24.1.0\n' });
  const { services, p } = planFor(dir);
  const node = Object.fromEntries(services.filter((x) => x.envVars).map((x) => [x.name, env(x).NODE_VERSION]));
  assert.deepEqual(node['acme-api'], { key: 'NODE_VERSION', value: '22' });
  assert.deepEqual(node['acme-web'], { key: 'NODE_VERSION', value: '22' });
  assert.deepEqual(node['acme-worker'], { key: 'NODE_VERSION', value: '24.1.0' });
  assert.ok(p.deploy.notes.some((n) => /NODE_VERSION 22, 24\.1\.0/.test(n)), p.deploy.notes.join('\n'));
  const engines = copy('npm-turbo', { 'package.json': JSON.stringify({ name: 'acme', private: true, workspaces: ['apps/*', 'packages/*'], engines: { node: '>=18 <21' }, devDependencies: { turbo: '^2.5.0' } }) });
  for (const s of planFor(engines).services.filter((x) => x.envVars)) assert.deepEqual(env(s).NODE_VERSION, { key: 'NODE_VERSION', value: String(Math.min(20, Number(major))) }, s.name);
});

test('health per app: a route the app serves, or a route file added for a Next.js app when render.yaml is new (never with an existing one)', () => {
  const dir = copy('npm-turbo', { 'apps/web/app/api/health': null });
  const { files, services, p } = planFor(dir);
  assert.equal(services.find((x) => x.name === 'acme-api')!.healthCheckPath, '/healthz', 'found in the Express app');
  assert.equal(services.find((x) => x.name === 'acme-web')!.healthCheckPath, '/api/health');
  assert.match(files['apps/web/app/api/health/route.js']!, /GET/, 'a new route file in the Next.js app');
  assert.ok(p.deploy.notes.some((n) => n.startsWith('apps/web: health check /api/health: no health route found: app/api/health/route.js is added')), p.deploy.notes.join('\n'));
  const existing = planFor(dir, { renderYaml: 'services: []\n' });
  assert.equal(existing.files['apps/web/app/api/health/route.js'], undefined, 'an existing render.yaml: no file added');
  assert.equal(existing.services.find((x) => x.name === 'acme-web')!.healthCheckPath, undefined, '…and no health path nothing serves');
});

test("the free plan per service: the migrations at the start of the database owner's start command, workers on starter", async () => {
  const withRender = await loadProviders(['app', 'postgres', 'render']);
  const { services, files, p } = planFor('npm-turbo', { providers: withRender, values: { RENDER_API_KEY: 'rnd_' + 'x'.repeat(20), RENDER_PLAN: 'free' } });
  const api = services.find((x) => x.name === 'acme-api')!;
  assert.equal(api.plan, 'free');
  assert.equal(api.preDeployCommand, undefined);
  assert.equal(api.startCommand, 'npm run db:migrate -w packages/db && npm run start -w apps/api');
  assert.equal(services.find((x) => x.name === 'acme-worker')!.plan, 'starter');
  assert.match(files['render.yaml']!, /# Render runs no preDeployCommand on the free plan/);
  assert.ok(p.deploy.warnings.some((w) => /no free plan for workers: acme-worker is on starter/.test(w)), p.deploy.warnings.join('\n'));
  assert.deepEqual(renderSchemaErrors(files['render.yaml']!), []);
  const yarn = planFor('yarn-expo', { providers: withRender, values: { RENDER_API_KEY: 'rnd_' + 'x'.repeat(20), RENDER_PLAN: 'free' } }).services;
  assert.equal(yarn.find((x) => x.name === 'trips-api-worker')!.plan, 'starter', "a server app's worker script: starter too");
});

test("the root's compose file is reused: its Postgres is the local default, nothing added twice", async () => {
  const dir = copy('npm-turbo', { 'compose.yaml': 'services:\n  db:\n    image: postgres:16\n    ports: ["5544:5432"]\n    environment:\n      POSTGRES_USER: acme\n      POSTGRES_PASSWORD: acme-pw\n      POSTGRES_DB: acme\n' });
  const project = monorepoProject(detectWorkspace(dir)!);
  const { localService } = await import('../../src/core/files/compose.ts');
  const db = localService(project, 'postgres', (port) => `postgres://x@localhost:${port}/x`);
  assert.equal(db.reuse, true);
  assert.equal(db.url, 'postgres://acme:acme-pw@localhost:5544/acme');
});
