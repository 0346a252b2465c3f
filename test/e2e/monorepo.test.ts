// Monorepos end to end: the built CLI run with --yes on the fixture monorepos (test/fixtures/monorepos)
// against a real PostgreSQL 15. The Blueprint is checked against Render's schema; for the npm + turbo
// fixture every service's build, pre-deploy and start commands then run from the root of a clean copy
// (the committed files only, as Render checks them out, with NODE_ENV=production as Render sets it), and
// the API answers over HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parse as parseDotenv } from 'dotenv';
import postgres from 'postgres';
import { createRoleAndDatabase, freePort, startPostgres, type PgServer } from '../harness/postgres.ts';
import { BIN, cleanEnv, KEY, runPty } from '../helpers/pty.ts';
import { memorySchemaErrors, renderSchemaErrors } from '../helpers/schemas.ts';
import { renderReferenceProblems } from '../../src/core/files/render-yaml.ts';
import { readAppSources } from '../../src/core/app-sources.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/monorepos/', import.meta.url));
let pg: PgServer;
let dbs = 0;
const made: string[] = [];

before(async () => {
  pg = await startPostgres({ password: 'pg-Mono#secret' });
});
after(async () => {
  await pg?.stop();
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function exec(cmd: string, args: string[], cwd: string, env: Record<string, string>, timeout = 180_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(cmd, args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...env }), timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin!.end();
  });
}
const cli = (args: string[], cwd: string, env: Record<string, string> = {}) => exec(process.execPath, [BIN, ...args], cwd, env);
const sh = (command: string, cwd: string, env: Record<string, string> = {}) => exec('sh', ['-c', command], cwd, env, 300_000);
const git = (cwd: string, ...args: string[]) => exec('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], cwd, {});
/** npm from the registry's cache first (the fixture's few registry packages are in it), no telemetry. */
const NPM_ENV = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

async function database(): Promise<string> {
  const name = `mono_${++dbs}`;
  await createRoleAndDatabase(pg, { user: name, password: `pw-${name}-Secret`, database: name, canCreate: true });
  return pg.url(name, name, `pw-${name}-Secret`);
}

/** A copy of a fixture in a fresh git repository (the tool reads .gitignore and tracked files). */
async function fixture(name: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `cpr-mono-${name}-`));
  made.push(dir);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  await git(dir, 'init', '-q');
  return dir;
}

interface Service {
  type: string;
  name: string;
  runtime: string;
  buildCommand?: string;
  startCommand?: string;
  preDeployCommand?: string;
  healthCheckPath?: string;
  staticPublishPath?: string;
  rootDir?: string;
  routes?: { type: string; source: string; destination: string }[];
  buildFilter?: { paths: string[] };
  envVars?: Record<string, unknown>[];
}

/** What every fixture must satisfy after `init --yes`. */
function checkBlueprint(dir: string, expected: Record<string, string>): Service[] {
  const text = readFileSync(join(dir, 'render.yaml'), 'utf8');
  assert.deepEqual(renderSchemaErrors(text), [], "render.yaml validates against Render's schema");
  const doc = parse(text) as { services: Service[]; databases?: Record<string, unknown>[] };
  assert.deepEqual(renderReferenceProblems(doc as never), [], 'every fromService / fromDatabase names something declared');
  const apps = doc.services.filter((s) => s.type !== 'keyvalue');
  assert.deepEqual(Object.fromEntries(apps.map((s) => [s.name, s.runtime === 'static' ? 'static' : s.type])), expected, 'one service per deployable app');
  for (const s of apps) {
    for (const p of s.buildFilter?.paths ?? []) assert.ok(existsSync(join(dir, p.replace(/\/\*\*$/, ''))), `${s.name}: buildFilter path ${p} exists`);
    assert.ok(s.buildFilter || s.rootDir, `${s.name}: rebuilt only for its own changes`);
  }
  const memory = readFileSync(join(dir, 'prod-ready.json'), 'utf8');
  assert.deepEqual(memorySchemaErrors(memory), []);
  return apps;
}

/** Each app's env file holds the keys it reads that the run has a value for, and its .env.example lists every key it reads. */
function checkEnvFiles(dir: string, files: Record<string, { env: string; has: string[] }>): void {
  const memory = JSON.parse(readFileSync(join(dir, 'prod-ready.json'), 'utf8')) as { apps: { dir: string; env: string }[] };
  for (const [app, want] of Object.entries(files)) {
    const envPath = join(dir, app, want.env);
    assert.ok(existsSync(envPath), `${app}/${want.env} written`);
    assert.equal(statSync(envPath).mode & 0o777, 0o600);
    const env = parseDotenv(readFileSync(envPath, 'utf8'));
    for (const k of want.has) assert.ok(env[k], `${app}/${want.env} has ${k}`);
    const example = parseDotenv(readFileSync(join(dir, app, '.env.example'), 'utf8'));
    for (const k of readAppSources(join(dir, app)).reads) assert.ok(k in example, `${app}/.env.example lists ${k}`);
    for (const v of Object.values(example)) assert.doesNotMatch(v, /pw-|Secret|[A-Za-z0-9_-]{40}/, 'no secret in a committed example');
    if (memory.apps.some((a) => a.dir === app)) assert.equal(memory.apps.find((a) => a.dir === app)!.env, `${app}/${want.env}`);
  }
}

/** No env file is tracked: git ignores every one written. */
async function checkIgnored(dir: string, paths: string[]): Promise<void> {
  for (const p of paths) assert.equal((await git(dir, 'check-ignore', '-q', p)).code, 0, `${p} is ignored by git`);
}

function startService(command: string, cwd: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn('sh', ['-c', command], { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...NPM_ENV, ...env }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}
const stop = (c: ChildProcess) => {
  try {
    process.kill(-c.pid!, 'SIGTERM'); // the whole group: sh, npm and node
  } catch {
    /* already gone */
  }
};

async function waitHttp(url: string, proc: { output: () => string }, timeoutMs = 30_000): Promise<Response> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch {
      if (Date.now() > end) throw new Error(`${url} did not answer: ${proc.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

test('npm workspaces + turbo: one Blueprint, env per app, migrations applied from packages/db; every command runs from the root of a clean copy', async () => {
  const dir = await fixture('npm-turbo');
  const install = await sh('npm ci', dir, NPM_ENV); // the user's monorepo, installed
  assert.equal(install.code, 0, install.stderr);
  const url = await database();
  const r = await cli(['--yes', '--providers', 'app,postgres'], dir, { DATABASE_URL: url, APP_URL: 'http://localhost:3000' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /create-prod-ready [^ ]+ · monorepo acme: npm workspaces \+ turbo, 5 packages\n/);
  assert.match(r.stdout, /- packages\/db +shared package/);

  const services = checkBlueprint(dir, { 'acme-api': 'web', 'acme-web': 'web', 'acme-worker': 'worker' });
  const api = services.find((s) => s.name === 'acme-api')!;
  const web = services.find((s) => s.name === 'acme-web')!;
  const worker = services.find((s) => s.name === 'acme-worker')!;
  assert.equal(api.buildCommand, 'npm ci --include=dev && npx turbo run build --filter=@acme/api');
  assert.equal(api.startCommand, 'npm run start -w apps/api');
  assert.equal(api.preDeployCommand, 'npm run db:migrate -w packages/db', 'migrations run in the package that owns them, on the API only');
  assert.equal(web.preDeployCommand, undefined);
  assert.equal(worker.preDeployCommand, undefined);
  assert.equal(api.healthCheckPath, '/healthz');
  assert.equal(web.healthCheckPath, '/api/health');
  assert.deepEqual(web.buildFilter!.paths, ['apps/web/**', 'packages/ui/**', 'package.json', 'package-lock.json', 'turbo.json']);
  assert.deepEqual(api.buildFilter!.paths, ['apps/api/**', 'packages/db/**', 'package.json', 'package-lock.json', 'turbo.json']);
  assert.deepEqual(web.envVars, [{ key: 'NEXT_PUBLIC_API_URL', fromService: { type: 'web', name: 'acme-api', envVarKey: 'RENDER_EXTERNAL_URL' } }]);
  assert.ok(worker.envVars!.some((e) => e.key === 'DATABASE_URL' && (e.fromDatabase as { name: string }).name === 'acme-db'), "the worker shares the API's database");

  checkEnvFiles(dir, {
    'apps/api': { env: '.env', has: ['DATABASE_URL', 'JWT_SECRET', 'APP_URL', 'CORS_ORIGINS', 'PORT'] },
    'apps/web': { env: '.env.local', has: ['NEXT_PUBLIC_API_URL'] },
    'apps/worker': { env: '.env', has: ['DATABASE_URL'] },
    'packages/db': { env: '.env', has: ['DATABASE_URL'] },
  });
  const apiEnv = parseDotenv(readFileSync(join(dir, 'apps/api/.env'), 'utf8'));
  const webEnv = parseDotenv(readFileSync(join(dir, 'apps/web/.env.local'), 'utf8'));
  const workerEnv = parseDotenv(readFileSync(join(dir, 'apps/worker/.env'), 'utf8'));
  assert.equal(apiEnv.DATABASE_URL, url, 'one answer for DATABASE_URL…');
  assert.equal(workerEnv.DATABASE_URL, url, '…in every app that reads it');
  assert.equal(apiEnv.PORT, '3001', 'the web app listens on 3000 (next start -p 3000): the API gets the next port');
  assert.equal(webEnv.NEXT_PUBLIC_API_URL, 'http://localhost:3001');
  assert.ok(!existsSync(join(dir, '.env')), 'no root .env');
  assert.ok(!readFileSync(join(dir, 'package.json'), 'utf8').includes('zod'), 'nothing added to the root package.json');
  await checkIgnored(dir, ['apps/api/.env', 'apps/web/.env.local', 'apps/worker/.env', 'packages/db/.env']);
  const jobs = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await jobs`select count(*)::int as n from pg_tables where tablename = 'jobs'`;
    assert.equal(row!.n, 1, "the schema package's migration was applied with its own script");
  } finally {
    await jobs.end();
  }

  // A second run changes nothing.
  const again = await cli(['--yes', '--providers', 'app,postgres'], dir, { DATABASE_URL: url, APP_URL: 'http://localhost:3000' });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/);

  // check, from inside one app, audits every app's env file; rotate writes the new password to every file holding it
  const checked = await cli(['check'], join(dir, 'apps', 'worker'));
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  assert.match(checked.stdout, /All checks passed/);
  const rotated = await cli(['rotate', 'DATABASE_URL', '--yes'], join(dir, 'apps', 'api'));
  assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
  const urlIn = (f: string) => parseDotenv(readFileSync(join(dir, f), 'utf8')).DATABASE_URL;
  const fresh = urlIn('apps/api/.env')!;
  assert.notEqual(fresh, url, 'a new password');
  assert.equal(urlIn('apps/worker/.env'), fresh, 'the worker got it too');
  assert.equal(urlIn('packages/db/.env'), fresh, 'and the schema package');
  assert.equal(urlIn('apps/web/.env.local'), undefined, 'an app that does not read it does not get it');
  const probe = postgres(fresh, { max: 1, onnotice: () => {} });
  try {
    assert.equal((await probe`select 1 as one`)[0]!.one, 1, 'the new URL connects');
  } finally {
    await probe.end();
  }
  const stale = await cli(['check'], dir);
  assert.equal(stale.code, 0, stale.stdout + stale.stderr);

  // A clean copy: the committed files only (no node_modules, no env file), as Render checks it out.
  assert.equal((await git(dir, 'add', '-A')).code, 0);
  assert.equal((await git(dir, 'commit', '-qm', 'init')).code, 0);
  const clean = mkdtempSync(join(tmpdir(), 'cpr-mono-clean-'));
  made.push(clean);
  assert.equal((await sh(`git -C "${dir}" archive HEAD | tar -x -C "${clean}"`, clean)).code, 0);
  assert.ok(!existsSync(join(clean, 'apps/api/.env')) && !existsSync(join(clean, 'node_modules')));
  const renderEnv = { ...NPM_ENV, NODE_ENV: 'production' };
  for (const s of services) {
    const b = await sh(s.buildCommand!, clean, renderEnv);
    assert.equal(b.code, 0, `${s.name} build: ${b.stdout}${b.stderr}`);
  }
  assert.ok(existsSync(join(clean, 'apps/web/.next/BUILD_ID')) && existsSync(join(clean, 'packages/ui/dist/index.js')), 'turbo built the web app and the package it uses');
  const prodDb = await database();
  const pre = await sh(api.preDeployCommand!, clean, { ...renderEnv, DATABASE_URL: prodDb });
  assert.equal(pre.code, 0, pre.stdout + pre.stderr);

  const [apiPort, webPort] = [await freePort(), await freePort()];
  const procs = [
    startService(api.startCommand!, clean, { NODE_ENV: 'production', PORT: String(apiPort), DATABASE_URL: prodDb, JWT_SECRET: 'x'.repeat(43), APP_URL: 'https://acme.example', CORS_ORIGINS: 'https://acme.example' }),
    startService(web.startCommand!, clean, { NODE_ENV: 'production', PORT: String(webPort) }),
    startService(worker.startCommand!, clean, { NODE_ENV: 'production', DATABASE_URL: prodDb }),
  ];
  try {
    const health = await waitHttp(`http://127.0.0.1:${apiPort}${api.healthCheckPath}`, procs[0]!);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, database: true, jwt: true, migrations: 'packages/db/migrations', origins: ['https://acme.example'] });
    const page = await waitHttp(`http://127.0.0.1:${webPort}${web.healthCheckPath}`, procs[1]!);
    assert.equal(page.status, 200);
    const deadline = Date.now() + 15_000;
    while (!/worker started \(production\)/.test(procs[2]!.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(procs[2]!.output(), /worker started \(production\); schema from packages\/db\/migrations/);
    assert.equal(procs[2]!.child.exitCode, null, 'the worker keeps running');
  } finally {
    for (const p of procs) stop(p.child);
  }
});

test('pnpm workspaces: the Vite SPA is a static site with its rewrite and the API URL from the API service; the Hono API a web service', async () => {
  const dir = await fixture('pnpm-vite-hono');
  const r = await cli(['--yes', '--providers', 'app,postgres'], dir, { DATABASE_URL: await database() });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const services = checkBlueprint(dir, { 'shop-api': 'web', 'shop-web': 'static' });
  const web = services.find((s) => s.name === 'shop-web')!;
  assert.deepEqual(web.routes, [{ type: 'rewrite', source: '/*', destination: '/index.html' }]);
  assert.equal(web.staticPublishPath, 'apps/web/dist');
  assert.equal(web.buildCommand, 'corepack enable && pnpm install --frozen-lockfile --prod=false && pnpm --filter "web..." run build');
  assert.deepEqual(web.envVars, [
    { key: 'VITE_API_URL', fromService: { type: 'web', name: 'shop-api', envVarKey: 'RENDER_EXTERNAL_URL' } },
    { key: 'VITE_STRIPE_PUBLISHABLE_KEY', sync: false },
  ]);
  const api = services.find((s) => s.name === 'shop-api')!;
  assert.equal(api.startCommand, 'pnpm --filter api run start');
  assert.equal(api.healthCheckPath, '/health');
  assert.ok(!api.envVars!.some((e) => e.key === 'VITE_API_URL'));
  checkEnvFiles(dir, {
    'apps/api': { env: '.env', has: ['DATABASE_URL', 'JWT_SECRET', 'CORS_ORIGINS', 'PORT'] },
    'apps/web': { env: '.env.local', has: ['VITE_API_URL'] },
  });
  const webEnv = parseDotenv(readFileSync(join(dir, 'apps/web/.env.local'), 'utf8'));
  assert.deepEqual(Object.keys(webEnv), ['VITE_API_URL'], 'a static site gets no server secret');
  await checkIgnored(dir, ['apps/api/.env', 'apps/web/.env.local']);
});

test('yarn workspaces: the Expo app and the extension get no service; the API and its worker script share env; run from inside apps/api', async () => {
  const dir = await fixture('yarn-expo');
  const r = await cli(['--yes', '--providers', 'app,postgres'], join(dir, 'apps', 'api'), { DATABASE_URL: await database() });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /run from apps\/api/);
  assert.match(r.stdout, /- apps\/mobile +Expo app: ships to app stores, not to Render/);
  const services = checkBlueprint(dir, { 'trips-api': 'web', 'trips-api-worker': 'worker', 'trips-site': 'static' });
  assert.ok(!readFileSync(join(dir, 'render.yaml'), 'utf8').includes('mobile'), 'no service for the mobile app');
  const api = services.find((s) => s.name === 'trips-api')!;
  assert.equal(api.preDeployCommand, 'yarn workspace api prisma migrate deploy', "Prisma's deploy form, in the app that owns the schema");
  assert.equal(services.find((s) => s.name === 'trips-api-worker')!.startCommand, 'yarn workspace api run worker');
  const site = services.find((s) => s.name === 'trips-site')!;
  assert.equal(site.routes, undefined, 'Astro static output has a page per route: no SPA rewrite');
  checkEnvFiles(dir, { 'apps/api': { env: '.env', has: ['DATABASE_URL', 'PORT'] }, 'apps/site': { env: '.env.local', has: ['PUBLIC_API_URL'] } });
  assert.ok(!existsSync(join(dir, 'apps/mobile/.env')) && !existsSync(join(dir, 'apps/api/src/.env')));

  // A teammate's clone: prod-ready.json lists the apps, no env file yet; join writes the env files and nothing else.
  const committed = Object.fromEntries(['render.yaml', 'prod-ready.json', 'apps/api/.env.example'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  rmSync(join(dir, 'apps/api/.env'));
  rmSync(join(dir, 'apps/site/.env.local'));
  const joined = await cli(['join', '--yes'], dir, { DATABASE_URL: await database() });
  assert.equal(joined.code, 0, joined.stdout + joined.stderr);
  assert.match(joined.stdout, /Wrote apps\/api\/\.env, apps\/site\/\.env\.local\n/);
  for (const [f, text] of Object.entries(committed)) assert.equal(readFileSync(join(dir, f), 'utf8'), text, `${f} unchanged by join`);

  // --apps chooses; a mobile app is refused with the deployable ones named
  const only = await cli(['--yes', '--skip-verify', '--providers', 'app', '--apps', 'mobile'], dir);
  assert.equal(only.code, 2);
  assert.match(only.stderr + only.stdout, /--apps: mobile \(Expo app: ships to app stores, not to Render\)/);
  assert.match(only.stderr + only.stdout, /deployable apps: apps\/api, apps\/site/);
});

test('--apps deploys only the apps named; on a single app it is a usage error', async () => {
  const dir = await fixture('pnpm-vite-hono');
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app', '--apps', 'web'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const names = (parse(readFileSync(join(dir, 'render.yaml'), 'utf8')) as { services: Service[] }).services.map((s) => s.name);
  assert.deepEqual(names, ['shop-web']);
  assert.ok(!existsSync(join(dir, 'apps/api/.env')));
  const single = mkdtempSync(join(tmpdir(), 'cpr-single-'));
  made.push(single);
  cpSync(join(FIXTURES, 'npm-turbo', 'apps', 'worker', 'package.json'), join(single, 'package.json'));
  const bad = await cli(['--yes', '--skip-verify', '--apps', 'web'], single);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr + bad.stdout, /--apps: no workspace with a deployable app was found/);
});

test('the wizard in a monorepo: the packages that are not deployed are named, and the person picks the apps', async () => {
  const dir = await fixture('yarn-expo');
  const s = runPty(['--providers', 'app', '--skip-verify'], { cwd: dir });
  await s.waitForPrompt(/Which apps do you deploy\?/);
  const screen = s.screen();
  assert.match(screen, /Detected monorepo trips: yarn workspaces, 5 packages/);
  assert.match(screen, /Not deployed: apps\/mobile +Expo app/);
  assert.match(screen, /Not deployed: apps\/extension +browser extension/);
  assert.match(screen, /◼ apps\/api[\s\S]*◼ apps\/site/, 'every deployable app preselected');
  s.write(KEY.down);
  s.write(KEY.space); // apps/site off
  await s.waitFor(/◻ apps\/site/);
  s.write(KEY.enter);
  for (const key of ['NODE_ENV', 'PORT', 'APP_URL', 'CORS_ORIGINS']) {
    await s.waitForPrompt(new RegExp(`^◆  ${key}`));
    s.write(KEY.enter);
  }
  await s.waitFor(/Write \d+ files\?/);
  s.write(KEY.enter);
  assert.equal((await s.exit).code, 0, s.transcript());
  const names = (parse(readFileSync(join(dir, 'render.yaml'), 'utf8')) as { services: Service[] }).services.map((x) => x.name);
  assert.deepEqual(names, ['trips-api', 'trips-api-worker']);
  assert.ok(existsSync(join(dir, 'apps/api/.env')) && !existsSync(join(dir, 'apps/site/.env.local')));
});

test('--dry-run in a monorepo: every app env file is masked in the diff, even keys this tool does not know; nothing is written', async () => {
  const dir = await fixture('npm-turbo');
  writeFileSync(join(dir, 'apps/api/.env'), 'QUEUE_PASSWORD=queue-pass-Secret-123\n');
  const r = await cli(['--yes', '--skip-verify', '--dry-run', '--providers', 'app,postgres'], dir, { DATABASE_URL: 'postgres://u:db-pass-Secret-456@localhost:5432/d' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /update +apps\/api\/\.env \(mode 0600\)/);
  assert.match(r.stdout, /create +apps\/web\/\.env\.local \(mode 0600\)/);
  for (const secret of ['queue-pass-Secret-123', 'db-pass-Secret-456']) assert.ok(!(r.stdout + r.stderr).includes(secret), `${secret} never printed`);
  assert.equal(readFileSync(join(dir, 'apps/api/.env'), 'utf8'), 'QUEUE_PASSWORD=queue-pass-Secret-123\n');
  assert.ok(!existsSync(join(dir, 'render.yaml')));
});

test('an app env file tracked by git: exit 2 naming it, nothing written', async () => {
  const dir = await fixture('pnpm-vite-hono');
  writeFileSync(join(dir, 'apps/api/.env'), 'PORT=8787\n');
  assert.equal((await git(dir, 'add', '-f', 'apps/api/.env')).code, 0);
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app'], dir);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr + r.stdout, /apps\/api\/\.env is tracked by git: secrets are never written there/);
  assert.match(r.stderr + r.stdout, /git rm --cached apps\/api\/\.env/);
  assert.ok(!existsSync(join(dir, 'render.yaml')));
  assert.equal(readFileSync(join(dir, 'apps/api/.env'), 'utf8'), 'PORT=8787\n');
});
