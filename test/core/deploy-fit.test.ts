// Fitting the deploy to the app, over small project folders written in a temp dir: the package manager,
// the production form of the migrations, the health route, the app's compose services, Render's plan
// rules and the Node version. Pure parts and the readers that feed them; the built CLI is in
// test/e2e/deploy-fit.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { loadProviders } from '../../providers/index.ts';
import { plan, type PlanInput } from '../../src/core/plan.ts';
import { allowsMajor, choosePackageManager, describeProject, detectProject, devOnlyCommand, nodeVersion, type ProjectInfo } from '../../src/core/project.ts';
import { readAppShape } from '../../src/core/app-shape.ts';
import { appComposeServices, hostPortClashes, localService } from '../../src/core/files/compose.ts';
import { renderPlanProblems, renderReferenceProblems } from '../../src/core/files/render-yaml.ts';
import { planMigrations } from '../../src/core/files/migrations.ts';
import { loadTemplates } from '../../src/core/templates.ts';
import type { ProviderId } from '../../src/core/provider.ts';
import { readMigrationSql } from '../../src/core/snapshot.ts';
import { composeSchemaErrors, renderSchemaErrors } from '../helpers/schemas.ts';
import { APP_VALUES, tempProject } from '../helpers/project.ts';

/** A project folder from a map of relative paths (folders made as needed); package.json from an object. */
function app(files: Record<string, string | object>): string {
  const dir = tempProject();
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`);
  }
  return dir;
}
/** What init sees: detection plus the app's shape. */
const fitted = (dir: string): ProjectInfo => {
  const p = detectProject(dir);
  return { ...p, shape: readAppShape(p) };
};
/** The health check init would choose for an app made of these files. */
const healthOf = (files: Parameters<typeof app>[0]) => fitted(app(files)).shape!.health;

// ─── package manager ─────────────────────────────────────────────────────────────────────────────

test('packageManager in package.json wins over the lockfiles, and the ignored lockfile is named', () => {
  const r = choosePackageManager('pnpm@9.12.0', ['pnpm-lock.yaml', 'package-lock.json']);
  assert.equal(r.manager, 'pnpm');
  assert.equal(r.lockfile, 'pnpm-lock.yaml');
  assert.match(r.warning!, /packageManager is pnpm@9\.12\.0: using pnpm and pnpm-lock\.yaml; package-lock\.json is ignored/);
  const noLock = choosePackageManager('yarn@4.5.0', ['package-lock.json']);
  assert.equal(noLock.manager, 'yarn');
  assert.equal(noLock.lockfile, undefined, 'no yarn.lock: no frozen install from another manager\'s lockfile');
  assert.equal(choosePackageManager(undefined, ['yarn.lock']).manager, 'yarn');
  assert.equal(choosePackageManager(undefined, []).manager, 'npm');
});

test('yarn 1 installs devDependencies under NODE_ENV=production only with --production=false; yarn 2+ installs them always, with --immutable', () => {
  const install = (packageManager?: string) => describeProject({ cwd: '/x', pkg: { name: 'a', ...(packageManager ? { packageManager } : {}) }, lockfiles: ['yarn.lock'], typescript: false }).commands.install;
  assert.equal(install('yarn@1.22.22'), 'corepack enable && yarn install --frozen-lockfile --production=false');
  assert.equal(install(), 'corepack enable && yarn install --frozen-lockfile --production=false', 'no field: yarn 1, what a bare yarn.lock means');
  assert.equal(install('yarn@4.5.0'), 'corepack enable && yarn install --immutable');
});

test('two lockfiles and no field: the one written last, or npm\'s when both were written at once; always a warning', () => {
  const newerPnpm = choosePackageManager(undefined, ['pnpm-lock.yaml', 'package-lock.json'], { 'pnpm-lock.yaml': 2_000_000, 'package-lock.json': 1_000_000 });
  assert.equal(newerPnpm.manager, 'pnpm');
  assert.match(newerPnpm.warning!, /pnpm-lock\.yaml and package-lock\.json are both here .* using pnpm \(pnpm-lock\.yaml is the lockfile written last\)/);
  const clone = choosePackageManager(undefined, ['pnpm-lock.yaml', 'package-lock.json'], { 'pnpm-lock.yaml': 1_000_500, 'package-lock.json': 1_000_000 });
  assert.equal(clone.manager, 'npm');
  assert.match(clone.warning!, /using npm \(the lockfiles were written at the same time, and npm comes with Node\)/);
});

test('detectProject reads the lockfiles\' times: a stale package-lock.json beside a fresh pnpm-lock.yaml', () => {
  const dir = app({ 'package.json': { name: 'api', scripts: { start: 'node server.js' } }, 'package-lock.json': '{}', 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" });
  const old = new Date(Date.now() - 86_400_000);
  utimesSync(join(dir, 'package-lock.json'), old, old);
  const p = detectProject(dir);
  assert.equal(p.packageManager, 'pnpm');
  assert.equal(p.commands.install, 'corepack enable && pnpm install --frozen-lockfile --prod=false');
  assert.equal(p.warnings.length, 1);
  assert.match(p.warnings[0]!, /both here/);
});

// ─── production migrations ───────────────────────────────────────────────────────────────────────

test('a "migrate" script that runs prisma migrate dev is never the production command: migrate:deploy is', () => {
  const scripts = { migrate: 'prisma migrate dev', 'migrate:deploy': 'prisma migrate deploy', start: 'node dist/index.js' };
  const dir = app({ 'package.json': { name: 'api', scripts, dependencies: { '@prisma/client': '6.1.0' }, devDependencies: { prisma: '6.1.0' } } });
  const p = detectProject(dir);
  assert.equal(p.migrations.tool, 'prisma');
  assert.equal(p.scripts.migrate, 'migrate:deploy');
  assert.deepEqual(p.migrateDeploy, { command: 'npm run migrate:deploy', why: 'the app\'s "migrate:deploy" script' });
  assert.match(p.warnings.join('\n'), /"migrate" script runs `prisma migrate dev`, a development command .* production runs `npm run migrate:deploy` instead/);
});

test('without a deploy script: prisma migrate deploy through the package manager; never the dev script', () => {
  const p = detectProject(app({ 'package.json': { name: 'api', scripts: { migrate: 'prisma migrate dev' }, devDependencies: { prisma: '6.1.0' } }, 'pnpm-lock.yaml': '' }));
  assert.equal(p.scripts.migrate, undefined);
  assert.equal(p.migrateDeploy?.command, 'pnpm exec prisma migrate deploy');
  const npm = detectProject(app({ 'package.json': { name: 'api', scripts: { 'db:migrate': 'npx prisma migrate reset --force' }, devDependencies: { prisma: '6.1.0' } } }));
  assert.equal(npm.migrateDeploy?.command, 'npx prisma migrate deploy');
});

test('the command text decides, through the scripts a script runs; safe scripts are kept whatever their name', () => {
  const scripts = { 'db:migrate': 'npm run db:push', 'db:push': 'drizzle-kit push', migrate: 'pnpm run-s build db:up', 'db:up': 'node-pg-migrate up', build: 'tsc' };
  assert.equal(devOnlyCommand('db:migrate', scripts), 'drizzle-kit push');
  assert.equal(devOnlyCommand('migrate', scripts), undefined);
  for (const dev of ['prisma db push', 'drizzle-kit generate && drizzle-kit migrate', 'node-pg-migrate down', 'knex migrate:rollback', 'typeorm schema:sync', 'prisma migrate deploy --force-reset'])
    assert.ok(devOnlyCommand('m', { m: dev }), dev);
  for (const ok of ['prisma migrate deploy', 'drizzle-kit migrate', 'node-pg-migrate up -m db/migrations', 'knex migrate:latest', 'tsx scripts/migrate.ts'])
    assert.equal(devOnlyCommand('m', { m: ok }), undefined, ok);
  const p = detectProject(app({ 'package.json': { name: 'x', scripts }, 'drizzle.config.ts': "export default { out: './drizzle' }", 'drizzle/meta/_journal.json': '{"entries":[]}' }));
  assert.equal(p.migrations.tool, 'drizzle');
  assert.equal(p.migrateDeploy?.command, 'npm run migrate');
});

test('drizzle with a journal and no safe script: drizzle-kit migrate; the generated script gets its own name beside a dev db:migrate', () => {
  const pkg = { name: 'x', scripts: { 'db:migrate': 'drizzle-kit push' }, devDependencies: { 'drizzle-kit': '0.31.0' } };
  const p = detectProject(app({ 'package.json': pkg, 'drizzle.config.ts': "export default { out: './drizzle' }", 'drizzle/meta/_journal.json': '{"entries":[]}' }));
  assert.equal(p.migrateDeploy?.command, 'npx drizzle-kit migrate');
  const m = planMigrations({ project: p, wanted: ['users'], state: { existing: [], packageJson: JSON.stringify(pkg, null, 2) }, sql: readMigrationSql(), now: 1 });
  assert.equal(m.script, 'db:migrate:deploy');
  assert.equal(JSON.parse(m.packageJson!).scripts['db:migrate'], 'drizzle-kit push', 'the app\'s own script is left alone');
  assert.equal(JSON.parse(m.packageJson!).scripts['db:migrate:deploy'], 'drizzle-kit migrate');
});

// ─── Node version ────────────────────────────────────────────────────────────────────────────────

test('NODE_VERSION: the local major within engines.node; the app\'s .nvmrc pin wins', () => {
  const w: string[] = [];
  assert.equal(nodeVersion('24.3.0', undefined, undefined, w), '24');
  assert.equal(nodeVersion('24.3.0', '>=18 <23', undefined, w), '22');
  assert.equal(nodeVersion('24.3.0', '^20.11 || ^22', undefined, w), '22');
  assert.equal(nodeVersion('22.1.0', '20.x', undefined, w), '20');
  assert.equal(nodeVersion('22.1.0', '>=18', 'v20.11.1', w), '20.11.1');
  assert.deepEqual(w, []);
  assert.equal(nodeVersion('20.1.0', '>=22', undefined, w), '22');
  assert.match(w[0]!, /does not allow your local Node 20: Render will run Node 22/);
  assert.ok(allowsMajor('~22.4', 22) && !allowsMajor('~22.4', 23) && allowsMajor('18 - 22', 20) && !allowsMajor('<22', 22) && allowsMajor('<=22', 22));
  const dir = app({ 'package.json': { name: 'x', engines: { node: '>=18 <21' } } });
  assert.equal(detectProject(dir).nodeVersion, String(Math.min(20, Number(process.versions.node.split('.')[0]))));
});

// ─── health route ────────────────────────────────────────────────────────────────────────────────

test('health routes the app serves are found: Express, Fastify, Hono, NestJS with its prefix, Next.js, SvelteKit, plain node:http', () => {
  const cases: [Record<string, string | object>, string, string][] = [
    [{ 'package.json': { dependencies: { express: '5' } }, 'src/server.ts': "import express from 'express';\nconst app = express();\napp.get('/health', (_req, res) => res.send('ok'));\napp.listen(3000);\n" }, '/health', 'src/server.ts'],
    [{ 'package.json': { dependencies: { fastify: '5' } }, 'index.js': "const fastify = require('fastify')();\nfastify.route({ method: 'GET', url: '/healthz', handler: async () => 'ok' });\n" }, '/healthz', 'index.js'],
    [{ 'package.json': { dependencies: { hono: '4' } }, 'src/index.ts': "import { Hono } from 'hono';\nconst api = new Hono();\napi.get('/status', (c) => c.text('ok'));\nexport default api;\n" }, '/status', 'src/index.ts'],
    [{ 'package.json': { dependencies: { '@nestjs/core': '10' } }, 'src/main.ts': "app.setGlobalPrefix('api');\n", 'src/health/health.controller.ts': "@Controller('health')\nexport class HealthController {\n  @Get()\n  check() { return 'ok'; }\n}\n" }, '/api/health', 'src/health/health.controller.ts'],
    [{ 'package.json': { dependencies: { next: '15' } }, 'src/app/api/healthz/route.ts': 'export function GET() {}\n', 'src/app/page.tsx': '' }, '/api/healthz', 'src/app/api/healthz/route.ts'],
    [{ 'package.json': { dependencies: { next: '15' } }, 'app/(ops)/health/route.js': 'export function GET() {}\n' }, '/health', 'app/(ops)/health/route.js'],
    [{ 'package.json': { dependencies: { '@sveltejs/kit': '2' } }, 'src/routes/health/+server.ts': 'export const GET = () => new Response("ok");\n' }, '/health', 'src/routes/health/+server.ts'],
    [{ 'package.json': { dependencies: { astro: '5' } }, 'src/pages/ping.ts': 'export const GET = () => new Response("ok");\n' }, '/ping', 'src/pages/ping.ts'],
    [{ 'package.json': {}, 'src/main.js': "const http = require('node:http');\nhttp.createServer((req, res) => {\n  if (req.url === '/healthz') return res.end('ok');\n  res.end('app');\n}).listen(3000);\n" }, '/healthz', 'src/main.js'],
    [{ 'package.json': {}, 'server.mjs': "import { createServer } from 'http';\ncreateServer((req, res) => {\n  switch (new URL(req.url, 'http://x').pathname) {\n    case '/health': return res.end('ok');\n  }\n}).listen(3000);\n" }, '/health', 'server.mjs'],
  ];
  for (const [files, path, file] of cases) {
    const h = healthOf(files);
    assert.deepEqual([h.how, h.path, h.file], ['found', path, file], JSON.stringify(files));
  }
});

test('a router counts where the server mounts it: app.use(health) from its file, app.use(\'/api\', router), Hono\'s app.route', () => {
  const mounted = healthOf({
    'package.json': { dependencies: { express: '4' } },
    'src/routes/health.ts': "import { Router } from 'express';\nexport const health = Router();\nhealth.get('/health', (_q, r) => r.json({ ok: true }));\n",
    'src/server.ts': "import express from 'express';\nimport { health } from './routes/health.js';\nconst app = express();\napp.use(health);\napp.listen(3000);\n",
  });
  assert.deepEqual([mounted.how, mounted.path, mounted.file], ['found', '/health', 'src/server.ts']);
  const prefixed = healthOf({
    'package.json': { dependencies: { express: '4' } },
    'routes/ops.js': "const router = require('express').Router();\nconst r2 = require('express').Router();\nrouter.get('/status', (q, r) => r.send('ok'));\nmodule.exports = router;\n",
    'index.js': "const express = require('express');\nconst ops = require('./routes/ops');\nconst app = express();\napp.use('/api', ops);\n",
  });
  assert.equal(prefixed.path, '/api/status');
  const hono = healthOf({
    'package.json': { dependencies: { hono: '4' } },
    'src/health.ts': "import { Hono } from 'hono';\nconst h = new Hono();\nh.get('/healthz', (c) => c.text('ok'));\nexport default h;\n",
    'src/index.ts': "import { Hono } from 'hono';\nimport h from './health';\nconst app = new Hono();\napp.route('/', h);\nexport default app;\n",
  });
  assert.equal(hono.path, '/healthz');
});

test('what does not count: a router mounted somewhere unseen, an HTTP client, a test file', () => {
  const dir = app({
    'package.json': { dependencies: { express: '5' } },
    'src/routes.ts': "import { Router } from 'express';\nconst router = Router();\nrouter.get('/health', (_q, r) => r.send('ok'));\nexport default router;\n",
    'src/client.ts': "import axios from 'axios';\nconst api = axios.create();\nexport const ping = () => api.get('/health');\n",
    'test/app.test.ts': "import express from 'express';\nconst app = express();\napp.get('/healthz', () => {});\n",
  });
  const h = fitted(dir).shape!.health;
  assert.equal(h.how, 'none');
  assert.equal(h.path, undefined, 'never a path that could 404');
  assert.match(h.why, /Render checks that the port is open/);
});

test('no route found: a new route file where the framework makes one a file, else none', () => {
  const next = healthOf({ 'package.json': { dependencies: { next: '15' } }, 'tsconfig.json': '{}', 'src/app/page.tsx': '' });
  assert.deepEqual([next.how, next.path, next.file, next.kind], ['add', '/api/health', 'src/app/api/health/route.ts', 'next-app']);
  const pages = healthOf({ 'package.json': { dependencies: { next: '14' } }, 'pages/index.js': '' });
  assert.deepEqual([pages.path, pages.file], ['/api/health', 'pages/api/health.js']);
  const kit = healthOf({ 'package.json': { devDependencies: { '@sveltejs/kit': '2', '@sveltejs/adapter-node': '5' } }, 'tsconfig.json': '{}', 'src/routes/+page.svelte': '' });
  assert.deepEqual([kit.path, kit.file], ['/health', 'src/routes/health/+server.ts']);
  const astroStatic = healthOf({ 'package.json': { dependencies: { astro: '5' } } });
  assert.equal(astroStatic.how, 'none', 'a static Astro site has no server to check');
  const astro = healthOf({ 'package.json': { dependencies: { astro: '5', '@astrojs/node': '9' } } });
  assert.deepEqual([astro.path, astro.file], ['/health', 'src/pages/health.js']);
  const express = healthOf({ 'package.json': { dependencies: { express: '5' } }, 'server.js': "const app = require('express')();\n" });
  assert.equal(express.how, 'none', 'adding a route to Express would edit the user\'s code');
  const clerk = healthOf({ 'package.json': { dependencies: { next: '15' } }, 'src/middleware.ts': "import { clerkMiddleware } from '@clerk/nextjs/server';\nexport default clerkMiddleware(async (auth) => { await auth.protect(); });\n", 'src/app/page.tsx': '' });
  assert.match(clerk.why, /check that src\/middleware\.ts lets GET \/api\/health through without signing in/);
  const base = healthOf({ 'package.json': { dependencies: { next: '15' } }, 'next.config.mjs': "export default { basePath: '/shop' };\n", 'app/api/health/route.ts': '' });
  assert.equal(base.path, '/shop/api/health');
});

// ─── compose ─────────────────────────────────────────────────────────────────────────────────────

const APP_COMPOSE = `services:
  db:
    image: postgres:16
    environment:
      POSTGRES_USER: shop
      POSTGRES_PASSWORD: \${DB_PASSWORD:-shop-pass}
      POSTGRES_DB: shop_dev
    ports: ["5432:5432"]
  cache:
    image: bitnami/redis:7.2
    environment: ["REDIS_PASSWORD=r3d"]
    ports:
      - target: 6379
        published: 6380
  web:
    build: .
    ports: ["127.0.0.1:3000:3000"]
`;

test('the app\'s compose services are read by image, with the URLs their ports and credentials give', () => {
  const s = appComposeServices(APP_COMPOSE);
  assert.deepEqual(
    s.map((x) => [x.name, x.kind, x.hostPorts, x.url]),
    [
      ['db', 'postgres', [5432], 'postgres://shop:shop-pass@localhost:5432/shop_dev'],
      ['cache', 'redis', [6380], 'redis://:r3d@localhost:6380'],
      ['web', undefined, [3000], undefined],
    ],
  );
  assert.deepEqual(hostPortClashes(APP_COMPOSE), []);
  assert.deepEqual(hostPortClashes(`services:\n  a: {image: postgres, ports: ["5432:5432"]}\n  b: {image: postgres:17, ports: ["5432:5432"]}\n`), [5432]);
});

test('compose: the app\'s db is reused (no second Postgres on 5432); another service on 5432 moves ours to 5433', async () => {
  const providers = await loadProviders(['app', 'postgres', 'redis']);
  const templates = await loadTemplates();
  const dir = app({ 'package.json': { name: 'shop', dependencies: { express: '5' } }, 'docker-compose.yml': APP_COMPOSE });
  const p = fitted(dir);
  const pg = providers.find((x) => x.id === 'postgres')!;
  assert.equal(pg.env[0]!.localDefault!({}, p), 'postgres://shop:shop-pass@localhost:5432/shop_dev');
  assert.equal(providers.find((x) => x.id === 'redis')!.env[0]!.localDefault!({}, p), 'redis://:r3d@localhost:6380');
  const values = { ...APP_VALUES, DATABASE_URL: 'postgres://shop:shop-pass@localhost:5432/shop_dev', REDIS_URL: 'redis://:r3d@localhost:6380' };
  const input: PlanInput = { project: p, providers, values, overwrite: new Set(), files: { 'docker-compose.yml': APP_COMPOSE }, templates };
  const out = plan(input);
  assert.equal(out.changes.find((c) => c.path === 'docker-compose.yml')!.action, 'keep', 'nothing added beside the app\'s own services');
  assert.ok(out.nextSteps.includes('docker compose up -d db') && out.nextSteps.includes('docker compose up -d cache'));

  const other = `services:\n  pgbouncer:\n    image: edoburu/pgbouncer\n    ports: ["5432:5432"]\n`;
  const q = fitted(app({ 'package.json': { name: 'shop' }, 'docker-compose.yml': other }));
  const local = localService(q, 'postgres', (port) => `postgres://app:app@localhost:${port}/app`);
  assert.deepEqual(local, { url: 'postgres://app:app@localhost:5433/app', service: 'postgres', reuse: false, hostPort: 5433 });
  const merged = plan({ ...input, project: q, values: { ...values, DATABASE_URL: local.url }, files: { 'docker-compose.yml': other } }).changes.find((c) => c.path === 'docker-compose.yml')!.after;
  assert.deepEqual(hostPortClashes(merged), []);
  assert.deepEqual(parse(merged).services.postgres.ports, ['5433:5432']);
  assert.deepEqual(composeSchemaErrors(merged), []);
});

// ─── render.yaml: health, migrations, plans, Node ────────────────────────────────────────────────

async function planFor(files: Record<string, string | object>, settings: Record<string, string> = {}) {
  const ids: ProviderId[] = ['app', 'postgres', 'redis', ...(Object.keys(settings).length ? (['render'] as const) : [])];
  const providers = await loadProviders(ids);
  const p = fitted(app(files));
  const values = { ...APP_VALUES, DATABASE_URL: 'postgres://app:app@localhost:5432/app', REDIS_URL: 'redis://localhost:6379', ...settings };
  const out = plan({ project: p, providers, values, overwrite: new Set(), files: {}, templates: await loadTemplates() });
  const yaml = out.changes.find((c) => c.path === 'render.yaml')!.after;
  return { out, yaml, doc: parse(yaml), project: p };
}
const PRISMA_WORKER = {
  'package.json': { name: 'api', scripts: { build: 'tsc', start: 'node dist/index.js', worker: 'node dist/worker.js', migrate: 'prisma migrate dev' }, dependencies: { express: '5', '@prisma/client': '6' }, devDependencies: { prisma: '6' }, engines: { node: '>=20' } },
  'src/index.ts': "import express from 'express';\nconst app = express();\napp.get('/health', (_q, r) => r.send('ok'));\n",
};

test('render.yaml (starter): preDeployCommand is the deploy form, healthCheckPath a route the app has, NODE_VERSION pinned', async () => {
  const { doc, yaml, out } = await planFor(PRISMA_WORKER);
  const web = doc.services.find((s: { type: string }) => s.type === 'web');
  assert.equal(web.preDeployCommand, 'npx prisma migrate deploy');
  assert.equal(web.startCommand, 'npm start');
  assert.equal(web.healthCheckPath, '/health');
  const major = process.versions.node.split('.')[0];
  for (const s of doc.services.filter((x: { type: string }) => x.type !== 'keyvalue')) assert.deepEqual(s.envVars[0], { key: 'NODE_VERSION', value: major });
  assert.deepEqual(renderSchemaErrors(yaml), []);
  assert.deepEqual(renderReferenceProblems(doc), []);
  assert.ok(out.deploy.notes.some((n) => n.startsWith('health check: /health: the app serves GET /health (src/index.ts)')));
  assert.ok(out.deploy.notes.some((n) => n.startsWith('production migrations: npx prisma migrate deploy')));
  assert.deepEqual(out.deploy.warnings, []);
});

test('RENDER_PLAN=free: no preDeployCommand (migrations start the start command, with a comment), the worker on starter, free db and Key Value with warnings', async () => {
  const { doc, yaml, out } = await planFor(PRISMA_WORKER, { RENDER_API_KEY: 'rnd_' + 'x'.repeat(32), RENDER_PLAN: 'free' });
  const web = doc.services.find((s: { type: string }) => s.type === 'web');
  const worker = doc.services.find((s: { type: string }) => s.type === 'worker');
  const kv = doc.services.find((s: { type: string }) => s.type === 'keyvalue');
  assert.equal(web.plan, 'free');
  assert.equal(web.preDeployCommand, undefined);
  assert.equal(web.startCommand, 'npx prisma migrate deploy && npm start');
  assert.match(yaml, /# Render runs no preDeployCommand on the free plan: the migrations run at the start of the start command instead\.\n\s+# On a paid plan, move .* to preDeployCommand.*\n\s+startCommand:/);
  assert.equal(worker.plan, 'starter');
  assert.equal(doc.databases[0].plan, 'free');
  assert.equal(kv.plan, 'free');
  assert.deepEqual(renderSchemaErrors(yaml), []);
  assert.deepEqual(renderPlanProblems(doc), []);
  const w = out.deploy.warnings.join('\n');
  assert.match(w, /no free plan for workers: api-worker is on starter, US\$7 a month/);
  assert.match(w, /expires 30 days after it is created/);
  assert.match(w, /in memory only/);
  assert.match(w, /api-web: Render runs no preDeployCommand on the free plan, so render\.yaml runs the migrations \(npx prisma migrate deploy\) at the start of its startCommand/);
});

test('a generated health route: the new file comes from templates/, render.yaml points at it; an existing render.yaml gets none', async () => {
  const files = { 'package.json': { name: 'site', dependencies: { next: '15' } }, 'tsconfig.json': '{}', 'app/page.tsx': '' };
  const { doc, out } = await planFor(files);
  const route = out.changes.find((c) => c.path === 'app/api/health/route.ts')!;
  assert.equal(route.action, 'create');
  assert.match(route.after, /export function GET\(\) \{\n  return Response\.json\(\{ ok: true \}\);/);
  assert.equal(doc.services[0].healthCheckPath, '/api/health');
  const providers = await loadProviders(['app']);
  const again = plan({ project: fitted(app(files)), providers, values: { ...APP_VALUES }, overwrite: new Set(), files: { 'render.yaml': 'services: []\n' }, templates: await loadTemplates() });
  assert.ok(!again.changes.some((c) => c.path.includes('health')), 'the user\'s render.yaml keeps its own health check');
});

test('Render\'s plan rules are checked on a user\'s file too', () => {
  assert.deepEqual(
    renderPlanProblems({ services: [{ type: 'web', name: 'w', plan: 'free', preDeployCommand: 'x' }, { type: 'worker', name: 'q', plan: 'free' }, { type: 'web', name: 'p', plan: 'starter', preDeployCommand: 'x' }] }).map((p) => p.split(' ')[0]),
    ['w', 'q'],
  );
});
