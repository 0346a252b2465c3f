// The suite of test/e2e/fit-the-app*.test.ts. The tool fits the app it runs in (issue 11, the env contract): over six fixture apps of common real shapes,
// `init --yes` with real PostgreSQL and Redis and the providers' stand-ins writes every provider value under
// the name the app reads (coverage 100%), keeps secrets out of what git tracks or would commit, generates an
// env module only where the app has no env schema and in the zod major the app has (type-checked against
// that zod), declares every key the app requires in a render.yaml that Render's schema accepts, and writes
// env files that dotenv reads back.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { parse } from 'yaml';
import { startPostgres, type PgServer } from '../harness/postgres.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import { startStandins, type Standins } from '../standins/all.ts';
import { renderSchemaErrors } from '../helpers/schemas.ts';
import { git, ignored, tracked } from '../helpers/app-fixtures.ts';
import { coverageFigure, fitFixture, readEnvFiles, type FitResult, type Services } from '../helpers/fit-the-app.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { run, runCli } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** The fixture apps by the file their framework loads: one test file each. */
export const LOCAL_APPS = ['next-t3-saas', 'next-nextauth', 'sveltekit-shop'] as const;
export const SERVER_APPS = ['express-prisma-worker', 'vite-express', 'hono-api'] as const;

let pg: PgServer;
let redis: RedisServer;
let standins: Standins;
let services: Services;

/** The tests over these fixture apps (split in files so each stays well inside the runner's per-file timeout). */
export function fitTheAppSuite(apps: readonly string[]): void {
before(async () => {
  [pg, redis, standins] = await Promise.all([startPostgres({ password: 'fit-Pg#secret-4821' }), startRedis({ password: 'fit-redis-secret-9913' }), startStandins()]);
  services = { pg, redis, overrides: standins.overrides };
});
after(async () => {
  await Promise.all([pg?.stop(), redis?.stop(), standins?.stop()]);
});

/** What each app has: its env schema (then no module is generated) or the zod the module must compile against. */
const EXPECT: Record<string, { module: 'schema' | { path: string; zod: 3 | 4; js?: true }; envFile: '.env' | '.env.local' }> = {
  'next-t3-saas': { module: 'schema', envFile: '.env.local' },
  'next-nextauth': { module: { path: 'src/env.ts', zod: 3 }, envFile: '.env.local' },
  'express-prisma-worker': { module: { path: 'src/env.ts', zod: 4 }, envFile: '.env' },
  'vite-express': { module: { path: 'src/env.js', zod: 4, js: true }, envFile: '.env' },
  'sveltekit-shop': { module: { path: 'src/env.ts', zod: 4 }, envFile: '.env.local' },
  'hono-api': { module: 'schema', envFile: '.env' },
};

const RENDER_SETS = new Set(['PORT']);

/**
 * What each app's deploy must be, from the app itself: the health route it serves (`found`: in its sources),
 * or a route the run adds as a new file (`added`: the file), or none (Render checks the port); and the
 * production form of its migrations (never `migrate dev`, `migrate reset` or `db push`).
 */
const DEPLOY: Record<string, { health?: { path: string; found: string } | { path: string; added: RegExp }; preDeploy?: string }> = {
  'express-prisma-worker': { health: { path: '/health', found: 'src/routes/health.ts' }, preDeploy: 'npm run migrate:deploy' },
  'hono-api': { health: { path: '/healthz', found: 'src/index.ts' }, preDeploy: 'npm run db:migrate' },
  'next-nextauth': { health: { path: '/api/health', added: /^(src\/)?app\/api\/health\/route\.(ts|js)$/ }, preDeploy: 'npm run db:deploy' },
  'next-t3-saas': { health: { path: '/api/health', added: /^(src\/)?app\/api\/health\/route\.(ts|js)$/ }, preDeploy: 'npm run db:migrate' },
  // no migrations of their own: the tables the providers need come as node-pg-migrate files, `db:migrate` added
  'sveltekit-shop': { health: { path: '/health', added: /^src\/routes\/health\/\+server\.(ts|js)$/ }, preDeploy: 'npm run db:migrate' },
  'vite-express': { preDeploy: 'npm run db:migrate' },
};
const DEV_FORMS = /migrate (dev|reset)|db push|drizzle-kit (push|generate)/;
const table: string[] = [];
/** Each fixture's run, for the tests that look further at one. */
const results = new Map<string, FitResult>();

/** A command in the app's folder (this process's environment, plus `env`). */
const exec = (cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  run(cmd, args, { cwd, env: { ...(process.env as Record<string, string>), ...env }, timeoutMs: 120_000 });

/** The generated module type-checked with tsc against the app's zod major (zod 3: this repo's `zod3` alias). */
async function typecheck(dir: string, path: string, zod: 3 | 4): Promise<void> {
  const zodDir = join(ROOT, 'node_modules', zod === 3 ? 'zod3' : 'zod');
  const tsconfig = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      baseUrl: '.',
      paths: { zod: [zodDir] },
    },
    files: [path],
  };
  writeFileSync(join(dir, 'tsconfig.fit.json'), JSON.stringify(tsconfig));
  const r = await exec(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.fit.json'], dir);
  assert.equal(r.code, 0, `${path} type-checks against zod ${zod}:\n${r.out}`);
}

/** The generated JavaScript module run by node with the written env files' values (zod linked as the install would). */
async function runJs(dir: string, path: string, values: Record<string, string>): Promise<void> {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  if (!existsSync(join(dir, 'node_modules', 'zod'))) symlinkSync(join(ROOT, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'));
  const r = await exec(process.execPath, ['--input-type=module', '-e', `const { env } = await import(${JSON.stringify(`./${path}`)}); console.log(Object.keys(env).length)`], dir, values);
  assert.equal(r.code, 0, `${path} runs with the written values:\n${r.out}`);
}

// All at once: each run waits on PostgreSQL, the stand-ins and child processes more than on the CPU.
describe('the fixture apps', { concurrency: apps.length }, () => {
for (const name of apps)
  test(`${name}: init --yes fits the app (names, secrets, env module, render.yaml)`, async () => {
    const r: FitResult = await fitFixture(name, services);
    results.set(name, r);
    const expect = EXPECT[name]!;
    assert.equal(r.code, 0, `${name} exits 0\n${r.stdout}\n${r.stderr}`);
    // a Prisma app with models and no migrations (db push): a baseline, then the tool's migration, both deployed
    if (name === 'next-nextauth') assert.match(r.stdout, /Applied \d{14}_init, \d{14}_add_stripe_subscriptions_stripe_webhook_events/);
    // its own committed migration, applied by its own `npm run migrate:deploy` (Prisma over its driver adapter)
    if (name === 'express-prisma-worker') assert.match(r.stdout, /Applied 20250114093000_init\b/);
    table.push(`${name.padEnd(24)} ${coverageFigure(r)}`);

    // every provider-related key the app reads holds a value under that very name
    assert.deepEqual(r.missing, [], `${name}: keys the app reads without a value: ${r.missing.join(', ')}`);
    assert.ok(r.covered.length >= 4, `${name}: the app reads provider keys (${r.covered.join(', ')})`);

    // values in the file the framework loads and git ignores; both env files read back by dotenv
    assert.ok(existsSync(join(r.dir, expect.envFile)), `${name}: ${expect.envFile} written`);
    assert.match(r.stdout, new RegExp(`Wrote [^\\n]*${expect.envFile.replace('.', '\\.')}\\b`));
    assert.ok(ignored(r.dir, expect.envFile), `${name}: git ignores ${expect.envFile}`);

    // no secret in a file git tracks, or would commit on the next `git add -A`
    const committable = [...tracked(r.dir), ...git(r.dir, 'ls-files', '--others', '--exclude-standard').split('\n').filter(Boolean)];
    assert.ok(r.secrets.length >= 2, `${name}: secrets to look for`);
    for (const f of committable) {
      if (f.startsWith('node_modules/')) continue;
      const text = readFileSync(join(r.dir, f), 'utf8');
      for (const s of r.secrets) assert.ok(!text.includes(s), `${name}: ${f} (committable) holds a secret (${s.slice(0, 6)}…)`);
    }

    // the env module: none beside the app's schema; otherwise in the app's zod, compiled (or run) against it
    if (expect.module === 'schema') {
      assert.ok(!existsSync(join(r.dir, 'src', 'env.gen.ts')));
      assert.equal(readFileSync(join(r.dir, 'src', 'env.ts'), 'utf8'), readFileSync(join(import.meta.dirname, '..', 'fixtures', 'apps', name, 'src', 'env.ts'), 'utf8'), 'the app\'s schema is left alone');
      assert.doesNotMatch(r.stdout, /create\s+src\/env\.ts/);
    } else {
      const m = expect.module;
      assert.match(r.stdout, new RegExp(`create\\s+${m.path.replace('.', '\\.')}`));
      const text = readFileSync(join(r.dir, m.path), 'utf8');
      if (m.zod === 3) assert.doesNotMatch(text, /z\.url\(/, 'no zod 4 API in a zod 3 app');
      if (m.js) await runJs(r.dir, m.path, readEnvFiles(r.dir));
      else await typecheck(r.dir, m.path, m.zod);
      // it checks the app's names, not the tool's
      for (const k of r.covered.filter((k) => !/^(NEXT_PUBLIC|VITE|PUBLIC)_/.test(k) && k !== 'NODE_ENV' && k !== 'PORT')) assert.match(text, new RegExp(`\\b${k}:`), `${name}: the module checks ${k}`);
    }

    // render.yaml: Render's schema accepts it; every key the app requires is declared on the web service
    const yaml = readFileSync(join(r.dir, 'render.yaml'), 'utf8');
    assert.deepEqual(renderSchemaErrors(yaml), []);
    const web = (parse(yaml) as { services: { type: string; envVars: { key: string }[] }[] }).services.find((s) => s.type === 'web')!;
    const declared = new Set(web.envVars.map((e) => e.key));
    const required = Object.entries(r.contract.keys).filter(([k, v]) => v.required && !RENDER_SETS.has(k)).map(([k]) => k);
    assert.deepEqual(required.filter((k) => !declared.has(k)), [], `${name}: required keys missing from render.yaml`);
    for (const k of r.covered) if (!RENDER_SETS.has(k) && k !== 'NODE_ENV') assert.ok(declared.has(k), `${name}: render.yaml declares ${k} (the app's name)`);

    // the deploy fits the app: a health path it serves, migrations in their deploy form, no host port twice
    const svc = web as unknown as { healthCheckPath?: string; preDeployCommand?: string; startCommand: string };
    const want = DEPLOY[name]!;
    assert.equal(svc.healthCheckPath, want.health?.path, `${name}: healthCheckPath`);
    if (want.health && 'found' in want.health) assert.match(readFileSync(join(r.dir, want.health.found), 'utf8'), new RegExp(`["'\`]${want.health.path}["'\`]`), `${name}: the app serves ${want.health.path}`);
    if (want.health && 'added' in want.health) {
      const added = want.health.added;
      const made = git(r.dir, 'ls-files', '--others', '--exclude-standard').split('\n').filter((f) => added.test(f));
      assert.equal(made.length, 1, `${name}: a new route file serves ${want.health.path}`);
      assert.match(readFileSync(join(r.dir, made[0]!), 'utf8'), /export (async )?(function|const) GET/);
    }
    assert.equal(svc.preDeployCommand, want.preDeploy, `${name}: preDeployCommand`);
    const pkgScripts = (JSON.parse(readFileSync(join(r.dir, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
    for (const cmd of [svc.preDeployCommand, svc.startCommand].filter((c): c is string => !!c)) {
      assert.doesNotMatch(cmd, DEV_FORMS, `${name}: ${cmd}`);
      for (const m of cmd.matchAll(/npm run ([\w:.-]+)/g)) assert.doesNotMatch(pkgScripts[m[1]!] ?? '', DEV_FORMS, `${name}: npm run ${m[1]} is a dev form`);
    }
    if (existsSync(join(r.dir, 'docker-compose.yml'))) {
      const compose = parse(readFileSync(join(r.dir, 'docker-compose.yml'), 'utf8')) as { services?: Record<string, { ports?: (string | number)[] }> };
      const hostPorts = Object.values(compose.services ?? {}).flatMap((c) => (c.ports ?? []).map((p) => String(p).split(':').slice(-2, -1)[0] ?? String(p)));
      assert.equal(new Set(hostPorts).size, hostPorts.length, `${name}: a host port published twice: ${hostPorts.join(', ')}`);
    }

    // .env.example lists every key the app reads, and no value of a secret
    const example = dotenv.parse(readFileSync(join(r.dir, '.env.example'), 'utf8'));
    for (const k of Object.keys(r.contract.keys)) assert.ok(k in example, `${name}: .env.example lists ${k}`);
    for (const s of r.secrets) assert.ok(!Object.values(example).includes(s));

    // a second run changes nothing (one app per env file kind: enough, and every run is a CLI start)
    if (name !== 'next-t3-saas' && name !== 'express-prisma-worker') return;
    const again = await runCli(['--yes', '--skip-verify', '--providers', JSON.parse(readFileSync(join(r.dir, 'prod-ready.json'), 'utf8')).providers.join(',')], { cwd: r.dir, env: cleanEnv({ FORCE_COLOR: '0', ...standins.overrides }) });
    assert.equal(again.code, 0, again.stdout);
    assert.deepEqual(readEnvFiles(r.dir), r.values, `${name}: a re-run keeps every value`);
  });
});

if (apps.includes('next-t3-saas'))
test('the Next.js app\'s committed .env keeps its defaults; check reads .env.local and names the app\'s own keys', async () => {
  const r = results.get('next-t3-saas') ?? (await fitFixture('next-t3-saas', services));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const committed = readFileSync(join(r.dir, '.env'), 'utf8');
  assert.equal(committed, readFileSync(join(import.meta.dirname, '..', 'fixtures', 'apps', 'next-t3-saas', '_env'), 'utf8'), '.env untouched');
  const local = dotenv.parse(readFileSync(join(r.dir, '.env.local'), 'utf8'));
  assert.equal(local.STRIPE_WEBHOOK_SECRET, 'whsec_fixtureListenSecret0123456789abcdef', 'the placeholder is replaced');
  assert.ok(!('STRIPE_PUBLISHABLE_KEY' in local) && !!local.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY, 'written under the app\'s name only');
  assert.match(r.stdout, /STRIPE_PUBLISHABLE_KEY → NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY \(the app's name\)/);
  assert.match(r.stdout, /src\/env\.ts \(t3-env\) does not check [^\n]*CORS_ORIGINS/);

  const check = await runCli(['check', '--json'], { cwd: r.dir, env: cleanEnv({ FORCE_COLOR: '0', ...standins.overrides }) });
  const doc = JSON.parse(check.stdout);
  assert.ok(doc.providers.every((p: { ok: boolean }) => p.ok), check.stdout);
  // BILLING_PLAN_ENV and the sign-in URLs are in the committed .env: nothing the app reads is empty
  assert.deepEqual(doc.audit.appKeysEmpty, []);
});

after(() => {
  if (table.length) console.log(`\nenv coverage (provider keys the app reads that hold a value under its name):\n${table.join('\n')}`);
});
}
