// Generated migrations, end to end: the built CLI writes them, wires package.json and render.yaml, and
// applies them with the project's own tool (the real node-pg-migrate, the real drizzle-kit) to a real
// PostgreSQL 15, after proving them in a throwaway database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import postgres from 'postgres';
import { createRoleAndDatabase, startPostgres } from '../harness/postgres.ts';
import { startStandins } from '../standins/all.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { run, runCli } from '../helpers/cli.ts';
import { linkTools, read, tempProject } from '../helpers/project.ts';
import { renderSchemaErrors } from '../helpers/schemas.ts';
import { withServers } from '../helpers/servers.ts';

let dbCount = 0;

const { pg, all } = withServers({ pg: () => startPostgres({ password: 'pg-Mig#secret' }), all: () => startStandins() });

const exec = (cmd: string, args: string[], cwd: string, env: Record<string, string>) => run(cmd, args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...env }), timeoutMs: 90_000 });
const cli = (args: string[], cwd: string, env: Record<string, string>) => runCli(args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...env }), timeoutMs: 90_000 });

/** A fresh database owned by a fresh role (as on a hosted Postgres), with or without CREATEDB. */
async function database(opts: { createdb?: boolean } = {}): Promise<{ url: string; name: string }> {
  const name = `shop_${++dbCount}`;
  await createRoleAndDatabase(pg, { user: name, password: `pw-${name}-Secret`, database: name, canCreate: true });
  if (opts.createdb ?? true) await pg.sql(`alter role "${name}" createdb`);
  return { url: pg.url(name, name, `pw-${name}-Secret`), name };
}

/** One value, as the superuser. */
async function query(db: string, statement: string): Promise<string> {
  const sql = postgres(pg.url(db), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql.unsafe(statement);
    return String(Object.values(rows[0] ?? {})[0] ?? '');
  } finally {
    await sql.end();
  }
}
const tables = (db: string) => query(db, "select string_agg(tablename, ',' order by tablename) from pg_tables where schemaname = 'public'");

/** A project whose node_modules holds the tools it will list in package.json (linked from this repo: no network). */
function project(pkg: object, extra: Record<string, string> = {}, tools = ['node-pg-migrate', 'pg']): string {
  const dir = tempProject({ 'package.json': `${JSON.stringify(pkg, null, 2)}\n`, ...extra });
  linkTools(dir, tools);
  return dir;
}
const NEXT = { name: 'shop', private: true, scripts: { dev: 'next dev', build: 'next build', start: 'next start' }, dependencies: { next: '15.0.0' } };

const hosted = (providers: string, url: string) => ({
  ...all.overrides,
  ...all.values,
  DATABASE_URL: url,
  APP_URL: 'http://localhost:3000',
  __args: providers,
});
const yes = (dir: string, env: ReturnType<typeof hosted>, more: string[] = []) => {
  const { __args, ...rest } = env;
  return cli(['--yes', '--providers', __args, ...more], dir, rest);
};

test('postgres + clerk + stripe + b2 --yes: migrations written, proved, applied by node-pg-migrate; db:migrate then has nothing to do', async () => {
  const { url, name } = await database();
  const dir = project(NEXT);
  const r = await yes(dir, hosted('app,postgres,clerk,stripe,b2', url));
  if (process.env.SHOW_OUTPUT) console.error(r.stdout, r.stderr);
  assert.equal(r.code, 0, r.stderr + r.stdout);

  assert.deepEqual(readdirSync(join(dir, 'migrations')), ['0001_create-users.sql', '0002_create-stripe-billing.sql', '0003_create-stored-objects.sql']);
  assert.match(r.stdout, /SQL to apply to shop_\d+@127\.0\.0\.1:\d+\/shop_\d+:/);
  assert.match(r.stdout, /CREATE TABLE stripe_webhook_events/);
  assert.match(r.stdout, /Proved in a throwaway database: up, down and up again/);
  assert.match(r.stdout, /Applied 0001_create-users, 0002_create-stripe-billing, 0003_create-stored-objects/);
  assert.ok(!r.stdout.includes(url) && !r.stdout.includes(`pw-${name}-Secret`), 'the password is never printed');

  assert.equal(await tables(name), 'pgmigrations,stored_objects,stripe_customers,stripe_subscriptions,stripe_webhook_events,users');
  assert.equal(await query(name, 'select count(*) from pgmigrations'), '3');
  assert.equal(await query('postgres', "select count(*) from pg_database where datname like 'prod_ready_proof_%'"), '0', 'the throwaway database is dropped');

  // package.json: only the inserted lines are new, in the file's own style
  const pkg = read(dir, 'package.json');
  assert.equal(JSON.parse(pkg).scripts['db:migrate'], 'node-pg-migrate up');
  assert.deepEqual(Object.keys(JSON.parse(pkg)), ['name', 'private', 'scripts', 'dependencies', 'devDependencies']);
  assert.deepEqual(JSON.parse(pkg).devDependencies, { 'node-pg-migrate': '^9.0.0', pg: '^8.16.0' });
  assert.match(pkg, /\n {4}"db:migrate": "node-pg-migrate up"\n/);

  // render.yaml runs them before each deploy, with devDependencies installed
  const doc = parse(read(dir, 'render.yaml'));
  assert.deepEqual(renderSchemaErrors(read(dir, 'render.yaml')), []);
  assert.equal(doc.services[0].preDeployCommand, 'npm run db:migrate');
  assert.match(doc.services[0].buildCommand, /^npm install --include=dev/);

  // the project's own command now reports nothing to do
  const again = await exec('npm', ['run', 'db:migrate'], dir, { DATABASE_URL: url });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /No migrations to run!/);

  // a re-run with nothing new adds nothing and applies nothing
  const before = readdirSync(join(dir, 'migrations'));
  const rerun = await yes(dir, hosted('app,postgres,clerk,stripe,b2', url));
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(readdirSync(join(dir, 'migrations')), before);
  assert.match(rerun.stdout, /The database is up to date: no migration to apply/);
  assert.equal(await query(name, 'select count(*) from pgmigrations'), '3');
});

test('a re-run with a newly selected provider adds only its numbered migration; existing files are never rewritten', async () => {
  const { url, name } = await database();
  const dir = project(NEXT);
  assert.equal((await yes(dir, hosted('app,postgres,clerk', url))).code, 0);
  assert.deepEqual(readdirSync(join(dir, 'migrations')), ['0001_create-users.sql']);
  // the user reviewed and edited the applied migration: it is theirs now
  const edited = `${read(dir, 'migrations/0001_create-users.sql')}\n-- reviewed by Ann\n`;
  writeFileSync(join(dir, 'migrations/0001_create-users.sql'), edited);

  const r = await yes(dir, hosted('app,postgres,clerk,stripe', url));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(readdirSync(join(dir, 'migrations')), ['0001_create-users.sql', '0002_create-stripe-billing.sql']);
  assert.equal(read(dir, 'migrations/0001_create-users.sql'), edited);
  assert.match(r.stdout, /Applied 0002_create-stripe-billing\n/);
  assert.equal(await tables(name), 'pgmigrations,stripe_customers,stripe_subscriptions,stripe_webhook_events,users');
});

test('after a project that numbers by timestamp, new migrations sort last; without CREATEDB the proof is skipped and said', async () => {
  const { url, name } = await database({ createdb: false });
  // the user's own render.yaml, without a pre-deploy step: one is added, nothing else of theirs changes
  const renderYaml = 'services:\n  - type: web\n    name: shop-web\n    runtime: node\n    buildCommand: npm ci\n    startCommand: npm start\n';
  const dir = project({ ...NEXT, scripts: { ...NEXT.scripts, migrate: 'node-pg-migrate up -m db/migrations' } }, { 'render.yaml': renderYaml });
  mkdirSync(join(dir, 'db/migrations'), { recursive: true });
  writeFileSync(join(dir, 'db/migrations/1731000000000_create-notes.sql'), '-- Up Migration\nCREATE TABLE notes (id int PRIMARY KEY);\n\n-- Down Migration\nDROP TABLE notes;\n');
  const r = await yes(dir, hosted('app,postgres,b2', url));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const files = readdirSync(join(dir, 'db/migrations'));
  assert.equal(files.length, 3);
  assert.ok(files.slice(1).every((f) => Number(f.split('_')[0]) > 1731000000000), files.join());
  assert.match(r.stdout, new RegExp(`Proof skipped: user "${name}" may not create databases`));
  assert.match(r.stdout, /Applied 1731000000000_create-notes, \d+_create-users, \d+_create-stored-objects/);
  assert.equal(JSON.parse(read(dir, 'package.json')).scripts['db:migrate'], undefined, 'its own migrate script is used');
  assert.match(read(dir, 'render.yaml'), /^services:\n  - type: web\n    name: shop-web\n    runtime: node\n    buildCommand: npm ci\n    preDeployCommand: "npm run migrate"\n    startCommand: npm start\n/);
  assert.equal(await tables(name), 'notes,pgmigrations,stored_objects,users');
});

test('a broken migration: the database is left as it was, and the message names the migration, the statement and the server error', async () => {
  const { url, name } = await database();
  const dir = project(NEXT);
  mkdirSync(join(dir, 'migrations'));
  // a hand-written migration that runs first and fails half-way (its first statement succeeds)
  writeFileSync(
    join(dir, 'migrations/0001_create-orders.sql'),
    '-- Up Migration\nCREATE TABLE orders (id int PRIMARY KEY);\n\nCREATE INDEX orders_total_idx ON orders (total);\n\n-- Down Migration\nDROP TABLE orders;\n',
  );
  const r = await yes(dir, hosted('app,postgres,stripe', url));
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /migration failed in the throwaway database: 0001_create-orders: column "total" does not exist \(42703\) in: CREATE INDEX orders_total_idx ON orders \(total\);/);
  assert.match(r.stderr, /no migration was applied/);
  assert.match(r.stderr, /Wrote \.gitignore, \.env, .*migrations\/0002_create-users\.sql/);
  assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
  assert.equal(await tables(name), '', 'nothing was created in the user database');
  assert.equal(await query('postgres', "select count(*) from pg_database where datname like 'prod_ready_proof_%'"), '0');

  // Without CREATEDB the proof is skipped, and the failure on the user's database rolls back entirely.
  await pg.sql(`alter role "${name}" nocreatedb`);
  const r2 = await yes(dir, hosted('app,postgres,stripe', url));
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /migration failed: 0001_create-orders: column "total" does not exist/);
  assert.equal(await tables(name), 'pgmigrations', 'not even the first statement is left (only the tool\'s own, empty, bookkeeping table)');
  assert.equal(await query(name, 'select count(*) from pgmigrations'), '0');
});

test('a Drizzle project: migrations in its folder and journal, applied by the real drizzle-kit migrate', async () => {
  const { url, name } = await database();
  const config = "import { defineConfig } from 'drizzle-kit';\nexport default defineConfig({\n  dialect: 'postgresql',\n  schema: './src/db/schema.ts',\n  out: './drizzle',\n  dbCredentials: { url: process.env.DATABASE_URL! },\n});\n";
  const dir = project({ ...NEXT, devDependencies: { 'drizzle-kit': '^0.31.0' }, dependencies: { ...NEXT.dependencies, 'drizzle-orm': '^0.45.0', pg: '^8.16.0' } }, { 'drizzle.config.ts': config }, ['drizzle-kit', 'drizzle-orm', 'pg']);
  const r = await yes(dir, hosted('app,postgres,clerk,stripe', url));
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.deepEqual(readdirSync(join(dir, 'drizzle')).sort(), ['0000_create-users.sql', '0001_create-stripe-billing.sql', 'meta']);
  const journal = JSON.parse(read(dir, 'drizzle/meta/_journal.json'));
  assert.deepEqual(journal.entries.map((e: { tag: string }) => e.tag), ['0000_create-users', '0001_create-stripe-billing']);
  assert.match(read(dir, 'drizzle/0000_create-users.sql'), /--> statement-breakpoint/);
  assert.equal(JSON.parse(read(dir, 'package.json')).scripts['db:migrate'], 'drizzle-kit migrate');
  assert.equal(await tables(name), 'stripe_customers,stripe_subscriptions,stripe_webhook_events,users');
  assert.equal(await query(name, 'select count(*) from drizzle.__drizzle_migrations'), '2');
  const again = await yes(dir, hosted('app,postgres,clerk,stripe', url));
  assert.match(again.stdout, /The database is up to date/);
});

test('the wizard (pty): the SQL is shown, applied on confirmation; Ctrl+C at the question applies nothing', async () => {
  const { answer, runPty, KEY } = await import('../helpers/pty.ts');
  const { url, name } = await database();
  const dir = project(NEXT, {
    '.env': `NODE_ENV=development\nPORT=3000\nAPP_URL=http://localhost:3000\nCORS_ORIGINS=http://localhost:3000\nDATABASE_URL=${url}\nCLERK_SECRET_KEY=${all.values.CLERK_SECRET_KEY}\nCLERK_PUBLISHABLE_KEY=${all.values.CLERK_PUBLISHABLE_KEY}\n`,
  });
  const env = cleanEnv({ PROD_READY_CLERK_URL: all.clerk.url });
  const wizard = async (writes: boolean) => {
    const s = runPty(['--providers', 'app,postgres,clerk'], { cwd: dir, env });
    const { acceptSettings } = await import('../helpers/wizard.ts');
    await acceptSettings(s); // every value from .env, shown once
    if (writes) {
      await answer(s, /Write \d+ files\?/); // Yes
    }
    await s.waitFor(/SQL to apply to shop_\d+@127\.0\.0\.1:\d+\/shop_\d+/);
    await s.waitFor('CREATE TABLE users (');
    await s.waitForPrompt(/Apply 1 migration to shop_\d+@.* with npm run db:migrate\?/);
    return s;
  };

  const first = await wizard(true);
  await answer(first, /Apply 1 migration to/, undefined, KEY.ctrlC);
  assert.equal((await first.exit).code, 130);
  assert.match(first.transcript(), /Cancelled\. Wrote .*migrations\/0001_create-users\.sql(, app\/api\/health\/route\.js)?; no migration was applied\./);
  assert.equal(await tables(name), '');

  // the files are written already: the re-run goes straight to the migrations still pending
  const second = await wizard(false);
  await answer(second, /Apply 1 migration to/);
  await second.waitFor('Proved in a throwaway database');
  await second.waitFor('Applied 0001_create-users');
  await second.waitFor('the migrations are applied');
  assert.equal((await second.exit).code, 0);
  assert.ok(!second.transcript().includes(`pw-${name}-Secret`));
  assert.equal(await tables(name), 'pgmigrations,users');
});
