// The deploy fitted to the app, end to end: the built CLI (`--yes`) on small apps of real shapes, with a
// real PostgreSQL 15 where migrations run. The package manager with two lockfiles, a missing pnpm (exit 2,
// one line, nothing written), --json after a failure, a Prisma app's deploy-form migrations, health paths,
// the app's own compose services, and a free-plan Blueprint against Render's schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import dotenv from 'dotenv';
import { createRoleAndDatabase, startPostgres } from '../harness/postgres.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { exists, linkTools, read, snapshot, tempProject } from '../helpers/project.ts';
import { composeSchemaErrors, renderSchemaErrors } from '../helpers/schemas.ts';
import { hostPortClashes } from '../../src/core/files/compose.ts';
import { withServers } from '../helpers/servers.ts';

let dbCount = 0;
const { pg } = withServers({ pg: () => startPostgres({ password: 'pg-Fit#secret' }) });

async function database(): Promise<string> {
  const name = `fit_${++dbCount}`;
  await createRoleAndDatabase(pg, { user: name, password: `pw-${name}-Secret`, database: name, canCreate: true });
  await pg.sql(`alter role "${name}" createdb`);
  return pg.url(name, name, `pw-${name}-Secret`);
}

const cli = (args: string[], cwd: string, env: Record<string, string> = {}) => runCli(args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...env }), timeoutMs: 120_000 });

function app(files: Record<string, string | object>, tools: string[] = []): string {
  const dir = tempProject();
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`);
  }
  if (tools.length) linkTools(dir, tools);
  return dir;
}

const APP = { APP_URL: 'http://localhost:3000', NODE_ENV: 'development', PORT: '3000' };
const EXPRESS = (pkg: object = {}) => ({
  'package.json': { name: 'api', private: true, scripts: { start: 'node server.js' }, dependencies: { express: '5.1.0' }, ...pkg },
  'server.js': "const express = require('express');\nconst app = express();\napp.get('/healthz', (_req, res) => res.send('ok'));\napp.listen(process.env.PORT || 3000);\n",
});
const major = process.versions.node.split('.')[0]!;
/** The app's own migrations, applied by its own node-pg-migrate script. */
const MIGRATING = {
  scripts: { start: 'node server.js', 'db:migrate': 'node-pg-migrate up' },
  devDependencies: { 'node-pg-migrate': '^9.0.0', pg: '^8.16.0' },
};
const NOTES = { 'migrations/0001_create-notes.sql': '-- Up Migration\nCREATE TABLE notes (id int PRIMARY KEY);\n\n-- Down Migration\nDROP TABLE notes;\n' };

test('two lockfiles written together, no packageManager field: npm is used, the warning says why, and npm applies the migrations', async () => {
  const url = await database();
  const dir = app({ ...EXPRESS(MIGRATING), ...NOTES, 'package-lock.json': '{"name":"api","lockfileVersion":3,"requires":true,"packages":{"":{"name":"api"}}}\n', 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" }, ['node-pg-migrate', 'pg']);
  const t = new Date();
  for (const f of ['package-lock.json', 'pnpm-lock.yaml']) utimesSync(join(dir, f), t, t);
  const r = await cli(['--yes', '--providers', 'app,postgres'], dir, { ...APP, DATABASE_URL: url });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /▲ pnpm-lock\.yaml and package-lock\.json are both here and package\.json has no packageManager field: using npm \(the lockfiles were written at the same time, and npm comes with Node\)/);
  assert.match(r.stdout, /· package manager: npm/);
  assert.match(r.stdout, /Applying with npm run db:migrate/);
  assert.match(r.stdout, /Applied 0001_create-notes/);
  const web = parse(read(dir, 'render.yaml')).services[0];
  assert.match(web.buildCommand, /^npm ci --include=dev/);
  assert.equal(web.preDeployCommand, 'npm run db:migrate');
  assert.equal(web.healthCheckPath, '/healthz', 'the route server.js registers');
  assert.deepEqual(web.envVars[0], { key: 'NODE_VERSION', value: major });
  assert.deepEqual(renderSchemaErrors(read(dir, 'render.yaml')), []);
});

test('packageManager pnpm and no pnpm on PATH: exit 2, one line saying how to get it, nothing written, --json files: []', async () => {
  const url = await database();
  const dir = app({ ...EXPRESS({ ...MIGRATING, packageManager: 'pnpm@9.12.0' }), ...NOTES, 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n", 'package-lock.json': '{}\n' });
  const before = snapshot(dir);
  // PATH holds node and npm only (this machine has no pnpm; the test makes sure of it)
  const r = await cli(['--yes', '--json', '--providers', 'app,postgres'], dir, { ...APP, DATABASE_URL: url, PATH: dirname(process.execPath) });
  assert.equal(r.code, 2, r.stderr + r.stdout);
  const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('create-prod-ready:'));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^create-prod-ready: pnpm is not on PATH, and this run needs it to install node-pg-migrate and apply the migrations \(pnpm run db:migrate\); pnpm because package\.json's packageManager is pnpm@9\.12\.0: run `corepack enable pnpm`.*then run again\. Nothing was written\.$/);
  assert.deepEqual(snapshot(dir), before, 'not one file changed');
  assert.ok(!exists(dir, '.env') && !exists(dir, 'render.yaml'));
  const json = JSON.parse(r.stdout);
  assert.equal(json.ok, false);
  assert.deepEqual(json.files, []);
});

test('--json after a failure lists exactly the files that were written', async () => {
  const url = await database();
  const dir = app(
    {
      ...EXPRESS(MIGRATING),
      'migrations/0001_create-orders.sql': '-- Up Migration\nCREATE TABLE orders (id int PRIMARY KEY);\n\nCREATE INDEX orders_total_idx ON orders (total);\n\n-- Down Migration\nDROP TABLE orders;\n',
    },
    ['node-pg-migrate', 'pg'],
  );
  const r = await cli(['--yes', '--json', '--providers', 'app,postgres'], dir, { ...APP, DATABASE_URL: url });
  assert.equal(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.ok, false);
  const written = /Wrote ([^;]+); no migration was applied/.exec(r.stderr)![1]!.split(', ');
  assert.deepEqual(json.files.map((f: { path: string }) => f.path), written);
  assert.ok(written.includes('.env') && written.includes('render.yaml'), written.join());
  for (const f of json.files) {
    assert.ok(exists(dir, f.path), f.path);
    assert.equal(f.action, f.path === 'package.json' ? 'update' : 'create', f.path);
  }
});

test('a Prisma app whose "migrate" script is prisma migrate dev: production runs prisma migrate deploy, and the user hears why', async () => {
  const dir = app({
    'package.json': { name: 'api', private: true, scripts: { build: 'tsc', start: 'node dist/index.js', migrate: 'prisma migrate dev' }, dependencies: { express: '5.1.0', '@prisma/client': '6.1.0' }, devDependencies: { prisma: '6.1.0' } },
    'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
    'src/index.ts': "import express from 'express';\nconst app = express();\napp.get('/api/health', (_q, r) => r.json({ ok: true }));\napp.listen(3000);\n",
  });
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app,postgres'], dir, { ...APP, DATABASE_URL: 'postgres://app:app@localhost:5432/app' });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const web = parse(read(dir, 'render.yaml')).services[0];
  assert.equal(web.preDeployCommand, 'npx prisma migrate deploy');
  assert.doesNotMatch(read(dir, 'render.yaml'), /migrate dev/);
  assert.equal(web.healthCheckPath, '/api/health');
  assert.match(r.stdout, /the "migrate" script runs `prisma migrate dev`, a development command/);
  assert.match(r.stdout, /· production migrations: npx prisma migrate deploy \(Prisma's production command/);
});

test('health: a Next.js app without a route gets app/api/health/route.ts (a new file); an Express app without one gets no healthCheckPath', async () => {
  const next = app({ 'package.json': { name: 'site', private: true, scripts: { build: 'next build', start: 'next start' }, dependencies: { next: '15.0.0' } }, 'tsconfig.json': '{}', 'app/page.tsx': 'export default function Page() { return null; }\n' });
  const a = await cli(['--yes', '--skip-verify', '--providers', 'app'], next, APP);
  assert.equal(a.code, 0, a.stderr + a.stdout);
  assert.equal(parse(read(next, 'render.yaml')).services[0].healthCheckPath, '/api/health');
  assert.match(read(next, 'app/api/health/route.ts'), /export function GET\(\)/);
  assert.match(a.stdout, /Wrote .*app\/api\/health\/route\.ts/);
  assert.match(a.stdout, /Commit app\/api\/health\/route\.ts: render\.yaml's health check \(GET \/api\/health\) is served by it/);
  assert.equal(read(next, 'app/page.tsx'), 'export default function Page() { return null; }\n', 'the user\'s code is untouched');

  const api = app({ 'package.json': { name: 'api', private: true, scripts: { start: 'node index.js' }, dependencies: { express: '5.1.0' } }, 'index.js': "require('express')().listen(3000);\n" });
  const b = await cli(['--yes', '--skip-verify', '--providers', 'app'], api, APP);
  assert.equal(b.code, 0, b.stderr + b.stdout);
  assert.equal(parse(read(api, 'render.yaml')).services[0].healthCheckPath, undefined);
  assert.match(b.stdout, /Health check: no health route found, and adding one would mean editing your code/);
});

test('compose: the app\'s own db and cache are reused for the local defaults; no host port is published twice', async () => {
  const compose = 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: api\n      POSTGRES_PASSWORD: api-pass\n      POSTGRES_DB: api_dev\n    ports:\n      - "5432:5432"\n  cache:\n    image: redis:7\n    ports:\n      - "6379:6379"\n';
  const dir = app({ ...EXPRESS(), 'docker-compose.yml': compose });
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app,postgres,redis'], dir, APP);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(read(dir, 'docker-compose.yml'), compose, 'no second Postgres beside the app\'s db');
  assert.deepEqual(hostPortClashes(read(dir, 'docker-compose.yml')), []);
  const env = dotenv.parse(read(dir, '.env'));
  assert.equal(env.DATABASE_URL, 'postgres://api:api-pass@localhost:5432/api_dev');
  assert.equal(env.REDIS_URL, 'redis://localhost:6379');
  assert.match(r.stdout, /docker compose up -d db cache/);

  // another service already on 5432 (a pgbouncer): ours goes to 5433, and .env follows
  const bouncer = 'services:\n  bouncer:\n    image: edoburu/pgbouncer\n    ports: ["5432:5432"]\n';
  const dir2 = app({ ...EXPRESS(), 'docker-compose.yml': bouncer });
  const r2 = await cli(['--yes', '--skip-verify', '--providers', 'app,postgres'], dir2, APP);
  assert.equal(r2.code, 0, r2.stderr + r2.stdout);
  assert.deepEqual(hostPortClashes(read(dir2, 'docker-compose.yml')), []);
  assert.deepEqual(parse(read(dir2, 'docker-compose.yml')).services.postgres.ports, ['5433:5432']);
  assert.deepEqual(composeSchemaErrors(read(dir2, 'docker-compose.yml')), []);
  assert.equal(dotenv.parse(read(dir2, '.env')).DATABASE_URL, 'postgres://app:app@localhost:5433/app');
});

test('RENDER_PLAN=free: a Blueprint Render accepts (no preDeployCommand, migrations in the start command, worker on starter), NODE_VERSION within engines', async () => {
  const dir = app({
    'package.json': { name: 'api', private: true, scripts: { start: 'node server.js', worker: 'node worker.js', 'db:migrate': 'node-pg-migrate up' }, dependencies: { express: '5.1.0' }, devDependencies: { 'node-pg-migrate': '9.0.0' }, engines: { node: '>=18 <21' } },
    'server.js': "const app = require('express')();\napp.get('/health', (_q, r) => r.send('ok'));\napp.listen(3000);\n",
  });
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app,postgres,redis,render'], dir, {
    ...APP,
    DATABASE_URL: 'postgres://app:app@localhost:5432/app',
    REDIS_URL: 'redis://localhost:6379',
    RENDER_API_KEY: `rnd_${'a'.repeat(32)}`,
    RENDER_PLAN: 'free',
  });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const text = read(dir, 'render.yaml');
  assert.deepEqual(renderSchemaErrors(text), []);
  const doc = parse(text);
  const web = doc.services.find((s: { type: string }) => s.type === 'web');
  const worker = doc.services.find((s: { type: string }) => s.type === 'worker');
  assert.equal(web.plan, 'free');
  assert.ok(!('preDeployCommand' in web));
  assert.equal(web.startCommand, 'npm run db:migrate && npm start');
  assert.match(text, /# Render runs no preDeployCommand on the free plan/);
  assert.equal(worker.plan, 'starter');
  assert.equal(web.healthCheckPath, '/health');
  assert.deepEqual(web.envVars[0], { key: 'NODE_VERSION', value: String(Math.min(20, Number(major))) });
  assert.match(r.stdout, /no free plan for workers: api-worker is on starter, US\$7 a month/);
  assert.match(r.stdout, /expires 30 days after it is created/);
});
