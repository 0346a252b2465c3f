// A Prisma app with models but no migration history (it ran `prisma db push`, or is new to migrations):
// as Prisma's baselining workflow does, a baseline `<ts>_init` re-creates the schema as it was, and the
// tool's migration follows it. Applied through the project's own `prisma migrate deploy` to a real
// PostgreSQL 15: an empty database gets both; a database that already has the app's tables gets the
// baseline marked applied (as `prisma migrate resolve --applied` does), never run. A migration that fails
// is named by the server's own error and the statement.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PgServer } from '../harness/postgres.ts';
import { DATASOURCE, prismaCli, prismaProject } from '../helpers/prisma.ts';
import { assertNoDrift, database, prepare, rows, SLOW, write } from '../helpers/prisma-db.ts';
import { detectProject } from '../../src/core/project.ts';
import { applyMigrations, existingBaseline, pendingMigrations, prove, type Migrator } from '../../src/core/migrate.ts';
import { ioFor } from '../../src/core/verify.ts';
import postgresProvider from '../../providers/postgres/index.ts';

let pg: PgServer;
before(async () => {
  pg = await startPostgres({ password: 'pw-prisma' });
});
after(async () => {
  await pg?.stop();
});

const MODELS = `
model User {
  id               String    @id @default(cuid())
  email            String?   @unique
  name             String?
  stripeCustomerId String?   @unique
  accounts         Account[]
  sessions         Session[]
}

model Account {
  id                String  @id @default(cuid())
  userId            String
  provider          String
  providerAccountId String
  user              User    @relation(fields: [userId], references: [id], onDelete: Cascade)

  @@unique([provider, providerAccountId])
}

model Session {
  id           String   @id @default(cuid())
  sessionToken String   @unique
  userId       String
  expires      DateTime
  user         User     @relation(fields: [userId], references: [id], onDelete: Cascade)
}
`;

function migrator(dir: string, url: string): Migrator {
  const project = detectProject(dir);
  return { project, setup: project.migrations, url, io: ioFor(postgresProvider, project, AbortSignal.timeout(300_000)), db: postgresProvider.database! };
}

/** A pushed app, prepared: the baseline and the tool's migration written as apply() would. */
async function pushedApp(url: string): Promise<{ dir: string; baseline: string; change: string }> {
  const dir = prismaProject({ 'prisma/schema.prisma': DATASOURCE() + MODELS });
  const prep = await prepare(dir, url, ['users', 'stripe-billing']);
  assert.equal(prep.skipped, undefined, prep.skipped);
  assert.deepEqual(
    prep.files.map((f) => f.path),
    [
      'prisma/schema.prisma',
      'prisma/migrations/20261206120000_init/migration.sql',
      'prisma/migrations/20261206120001_add_stripe_subscriptions_stripe_webhook_events/migration.sql',
      'prisma/migrations/migration_lock.toml',
    ],
  );
  assert.deepEqual(prep.added, ['20261206120000_init', '20261206120001_add_stripe_subscriptions_stripe_webhook_events']);
  assert.ok(prep.notes.some((n) => /baseline 20261206120000_init re-creates them from empty/.test(n)), prep.notes.join('\n'));
  // the baseline: the schema as it was, from empty; the change: only the new tables, related to "User"
  const [baseline, change] = [prep.files[1]!.after, prep.files[2]!.after];
  for (const t of ['User', 'Account', 'Session']) assert.match(baseline, new RegExp(`CREATE TABLE "${t}"`));
  assert.doesNotMatch(baseline, /stripe_subscriptions/);
  assert.doesNotMatch(change, /CREATE TABLE "(User|Account|Session)"/);
  assert.match(change, /REFERENCES "User"\("id"\)/);
  write(dir, prep);
  return { dir, baseline, change };
}

async function upToDate(dir: string, url: string): Promise<void> {
  const status = await prismaCli(dir, ['migrate', 'status'], url);
  assert.equal(status.code, 0, status.out);
  assert.match(status.out, /Database schema is up to date!/);
}

test('no history, an empty database: the proof replays both from empty, and both are applied by prisma migrate deploy', SLOW, async () => {
  const url = await database(pg);
  const { dir } = await pushedApp(url);
  const m = migrator(dir, url);
  const pending = await pendingMigrations(m);
  assert.equal(pending.length, 2);
  assert.equal(await prove(m, pending), undefined);
  assert.equal(await existingBaseline(m), undefined, 'an empty database has none of the baseline tables');
  assert.deepEqual(await applyMigrations(m), {});
  const applied = await rows<{ migration_name: string; applied_steps_count: number }>(url, 'select migration_name, applied_steps_count from _prisma_migrations order by migration_name');
  assert.deepEqual(applied.map((r) => [r.migration_name, r.applied_steps_count]), [
    ['20261206120000_init', 1],
    ['20261206120001_add_stripe_subscriptions_stripe_webhook_events', 1],
  ]);
  await upToDate(dir, url);
  await assertNoDrift(dir, url);
  assert.deepEqual(await pendingMigrations(m), []);
});

test("no history, a database the app pushed: the baseline is marked applied (never run), the tool's migration is applied", SLOW, async () => {
  const url = await database(pg);
  const { dir, baseline } = await pushedApp(url);
  // what `prisma db push` left: the app's tables and a row of its own, no _prisma_migrations
  await pg.sql(baseline, new URL(url).pathname.slice(1));
  await pg.sql(`insert into "User" (id, email) values ('u1', 'a@example.com')`, new URL(url).pathname.slice(1));
  const m = migrator(dir, url);
  assert.equal((await pendingMigrations(m)).length, 2);
  assert.equal(await existingBaseline(m), '20261206120000_init');
  assert.equal(await prove(m, await pendingMigrations(m)), undefined, 'the throwaway database replays the whole history from empty');
  assert.deepEqual(await applyMigrations(m), { baselined: '20261206120000_init' });
  const applied = await rows<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
    url,
    'select migration_name, checksum, finished_at, applied_steps_count from _prisma_migrations order by migration_name',
  );
  assert.deepEqual(applied.map((r) => r.migration_name), ['20261206120000_init', '20261206120001_add_stripe_subscriptions_stripe_webhook_events']);
  const sum = createHash('sha256').update(readFileSync(join(dir, 'prisma/migrations/20261206120000_init/migration.sql'))).digest('hex');
  assert.equal(applied[0]!.checksum, sum);
  assert.ok(applied[0]!.finished_at);
  assert.equal(applied[0]!.applied_steps_count, 0, 'marked applied, not run (as migrate resolve --applied)');
  assert.equal(applied[1]!.applied_steps_count, 1);
  // the app's data is untouched
  assert.deepEqual((await rows<{ id: string }>(url, 'select id from "User"')).map((r) => r.id), ['u1']);
  await upToDate(dir, url);
  assert.equal(await existingBaseline(m), undefined, 'a database with a history gets nothing marked');
  assert.deepEqual(await pendingMigrations(m), []);
});

test("a migration that fails names the server's own error and the statement, not a piece of Prisma's SQL", SLOW, async () => {
  const url = await database(pg);
  const { dir, change } = await pushedApp(url);
  // broken: the tool's migration without the baseline before it ("User" never exists)
  writeFileSync(join(dir, 'prisma/migrations/20261206120000_init/migration.sql'), '-- the baseline, emptied\nSELECT 1;\n');
  const m = migrator(dir, url);
  await assert.rejects(prove(m, await pendingMigrations(m)), (e: Error) => {
    assert.match(e.message, /migration failed in the throwaway database: 20261206120001_add_stripe_subscriptions_stripe_webhook_events: relation "User" does not exist \(42P01\) in: ALTER TABLE "stripe_subscriptions" ADD CONSTRAINT/);
    assert.doesNotMatch(e.message, /syntax error|in: --/);
    return true;
  });
  // the same on the database itself: nothing left half-applied by the locator
  await assert.rejects(applyMigrations(m), /relation "User" does not exist \(42P01\)/);
  assert.match(change, /-- AddForeignKey/);
});
