// Prisma projects: models added with Prisma's own formatter and a migration written by Prisma's own
// schema engine, applied by Prisma's own CLI (`migrate deploy`) to a real PostgreSQL 15, whose `migrate
// status` must say the database is up to date. Here: a fresh schema with only a datasource, schemas
// Prisma rejects or that are not PostgreSQL's, and detection. (The Prisma tests are split in files so
// each stays within the test runner's per-file time on a busy machine.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres } from '../harness/postgres.ts';
import { DATASOURCE, prismaProject } from '../helpers/prisma.ts';
import { assertNoDrift, database, deployAndCheck, prepare, rows, SLOW, write } from '../helpers/prisma-db.ts';
import { detectProject } from '../../src/core/project.ts';
import { readSchema, missingModels } from '../../src/core/prisma/schema.ts';
import { loadSchemaWasm } from '../../src/core/prisma/wasm.ts';
import { withServers } from '../helpers/servers.ts';

const { pg } = withServers({ pg: () => startPostgres({ password: 'pw-prisma' }) });

test('a fresh schema with only a datasource gets every model and one migration that Prisma applies and reports up to date', SLOW, async () => {
  const dir = prismaProject({ 'prisma/schema.prisma': DATASOURCE() });
  const url = await database(pg);
  const prep = await prepare(dir, url);
  assert.equal(prep.skipped, undefined);
  assert.deepEqual(prep.files.map((f) => f.path.replace(/\d{14}/, 'T')), [
    'prisma/schema.prisma',
    'prisma/migrations/T_add_users_stripe_customers_stripe_subscriptions_stripe_webhook_events_stored_objects/migration.sql',
    'prisma/migrations/migration_lock.toml',
  ]);
  assert.match(prep.added[0]!, /^20261206120000_add_users_/);
  // the schema Prisma reads back: the template's tables, columns and constraint names
  const schema = prep.files[0]!.after;
  const info = readSchema(loadSchemaWasm(), [{ path: 'prisma/schema.prisma', content: schema }]);
  assert.deepEqual(info.models.map((m) => m.dbName).sort(), ['stored_objects', 'stripe_customers', 'stripe_subscriptions', 'stripe_webhook_events', 'users']);
  assert.match(schema, /@@unique\(\[authProvider, authSubject\], map: "users_auth_provider_subject_key"\)/);
  assert.match(prep.files[2]!.after, /provider = "postgresql"/);
  write(dir, prep);

  await deployAndCheck(dir, url, 'prisma/migrations', 1);
  const cols = await rows<{ c: string }>(url, "select table_name || '.' || column_name as c from information_schema.columns where table_schema = 'public' and table_name <> '_prisma_migrations' order by 1");
  for (const c of ['users.auth_provider', 'users.auth_subject', 'stripe_customers.stripe_customer_id', 'stripe_subscriptions.cancel_at_period_end', 'stripe_webhook_events.stripe_event_id', 'stored_objects.object_key'])
    assert.ok(cols.some((r) => r.c === c), `${c} exists`);
  const constraints = await rows<{ n: string }>(url, "select indexname as n from pg_indexes where schemaname = 'public'");
  for (const k of ['users_auth_provider_subject_key', 'stripe_customers_stripe_customer_id_key', 'stripe_customers_user_id_key', 'stripe_subscriptions_stripe_subscription_id_key', 'stored_objects_bucket_object_key_key'])
    assert.ok(constraints.some((r) => r.n === k), `${k} exists`);
  await assertNoDrift(dir, url);

  // a second run finds every model there: nothing is generated
  const again = await prepare(dir, url);
  assert.deepEqual(again.files, []);
  assert.deepEqual(again.added, []);
});

test('a mysql datasource: a warning that names what to change, and nothing generated', SLOW, async () => {
  const dir = prismaProject({ 'prisma/schema.prisma': DATASOURCE('mysql') });
  const prep = await prepare(dir, undefined);
  assert.deepEqual(prep.files, []);
  assert.match(prep.skipped!, /prisma\/schema\.prisma uses provider = "mysql".*change it to provider = "postgresql"/);
});

test('a schema Prisma cannot read is named in one line, and nothing is generated', SLOW, async () => {
  const dir = prismaProject({ 'prisma/schema.prisma': DATASOURCE() + 'model Broken {\n  id Int @id\n  other Missing\n}\n' });
  const prep = await prepare(dir, undefined);
  assert.deepEqual(prep.files, []);
  assert.match(prep.skipped!, /^Prisma cannot read prisma\/schema\.prisma: .*Missing.*\(prisma\/schema\.prisma:\d+\)/);
  assert.doesNotMatch(prep.skipped!, /\x1b\[|\n/);
});

test('the datasource env var and Stripe columns on the user model are read by Prisma\'s parser', () => {
  const wasm = loadSchemaWasm();
  const info = readSchema(wasm, [
    { path: 'schema.prisma', content: DATASOURCE('postgresql', 'POSTGRES_PRISMA_URL') + 'model Account {\n  id String @id\n  stripeCustomerId String? @map("stripe_customer_id")\n  @@map("users")\n}\n' },
  ]);
  assert.equal(info.envVar, 'POSTGRES_PRISMA_URL');
  const { blocks, tables, kept } = missingModels(info.models, ['users', 'stripe-billing']);
  // the user model carries the Stripe customer id: no customers table, subscriptions belong to the user
  assert.deepEqual(tables, ['stripe_subscriptions', 'stripe_webhook_events']);
  assert.deepEqual(kept, ['Account (users)', "Account's Stripe customer id"]);
  assert.match(blocks[0]!, /customerId String @map\("customer_id"\)\n  customer Account @relation\(fields: \[customerId\], references: \[id\], onDelete: Cascade\)/);
});

test('detection: the deploy form only, through the package manager, and where the schema and migrations are', SLOW, async () => {
  const { describeProject } = await import('../../src/core/project.ts');
  const { renderModel } = await import('../../src/core/files/render-yaml.ts');
  const base = { cwd: '/app', lockfiles: ['package-lock.json'], typescript: false };
  const deps = { dependencies: { '@prisma/client': '6.19.3' }, devDependencies: { prisma: '6.19.3' } };
  // `db:migrate: prisma migrate dev` is for a developer's machine: never the deploy command
  const dev = describeProject({ ...base, pkg: { name: 'a', scripts: { 'db:migrate': 'prisma migrate dev', build: 'prisma generate && tsc' }, ...deps } });
  assert.equal(dev.scripts.migrate, undefined);
  assert.equal(dev.migrations.deploy, 'npx prisma migrate deploy');
  assert.equal(renderModel(dev, []).services[0]!.preDeployCommand, 'npx prisma migrate deploy');
  // the app's own deploy script is used as it is
  const own = describeProject({ ...base, pkg: { name: 'a', scripts: { 'db:migrate': 'prisma migrate dev', 'migrate:deploy': 'prisma migrate deploy' }, ...deps } });
  assert.equal(own.scripts.migrate, 'migrate:deploy');
  assert.equal(renderModel(own, []).services[0]!.preDeployCommand, 'npm run migrate:deploy');
  // pnpm runs the project's own prisma bin; a script that does more than deploy is not the deploy script
  const pnpm = describeProject({ ...base, lockfiles: ['pnpm-lock.yaml'], pkg: { name: 'a', scripts: { start: 'prisma migrate deploy && node server.js' }, ...deps } });
  assert.equal(pnpm.scripts.migrate, undefined);
  assert.equal(pnpm.migrations.deploy, 'pnpm exec prisma migrate deploy');
  // package.json "prisma.schema" and a migrations folder next to the datasource
  const located = describeProject({ ...base, pkg: { name: 'a', prisma: { schema: './db/schema.prisma' }, ...deps }, prisma: { schema: 'db/schema.prisma', migrations: 'db/migrations' } });
  assert.equal(located.migrations.schema, 'db/schema.prisma');
  assert.equal(located.migrations.dir, 'db/migrations');
});

test('detection reads prisma.config.ts and package.json as Prisma does', () => {
  const a = prismaProject({ 'db/schema.prisma': DATASOURCE() }, { schema: 'db/schema.prisma' });
  assert.deepEqual([detectProject(a).migrations.schema, detectProject(a).migrations.dir], ['db/schema.prisma', 'db/migrations']);
  const b = prismaProject({ 'prisma.config.ts': '', 'x/schema.prisma': DATASOURCE() }, { pkg: { name: 'b', prisma: { schema: 'x/schema.prisma' }, devDependencies: { prisma: '6.19.3' } } });
  assert.deepEqual([detectProject(b).migrations.schema, detectProject(b).migrations.dir], ['x/schema.prisma', 'x/migrations']);
});
