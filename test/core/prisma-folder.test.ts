// The folder schema form (prisma/schema/*.prisma, migrations next to the datasource) and a Prisma 7
// schema (its url in prisma.config.ts), extended and migrated, then applied by Prisma's own deploy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres } from '../harness/postgres.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASOURCE, prismaProject } from '../helpers/prisma.ts';
import { assertNoDrift, database, deployAndCheck, prepare, SLOW, write } from '../helpers/prisma-db.ts';
import { detectProject } from '../../src/core/project.ts';
import { withServers } from '../helpers/servers.ts';

const { pg } = withServers({ pg: () => startPostgres({ password: 'pw-prisma' }) });

test('the folder schema form: models in a new file of the folder, back-relations in the user model, migrations next to the datasource', SLOW, async () => {
  const dir = prismaProject(
    {
      'prisma/schema/schema.prisma': DATASOURCE(),
      'prisma/schema/user.prisma': 'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n',
    },
    { schema: 'prisma/schema' },
  );
  const project = detectProject(dir);
  assert.equal(project.migrations.schema, 'prisma/schema');
  assert.equal(project.migrations.dir, 'prisma/schema/migrations');
  const url = await database(pg);
  // a schema with a model but no migration yet (db push): a baseline from empty, then only the change
  const pushed = await prepare(dir, url, ['users', 'stored-objects']);
  assert.ok(pushed.notes.some((s) => /had no migration while the schema has models.*baseline/.test(s)), pushed.notes.join('\n'));
  const [init, change] = pushed.files.filter((f) => f.path.endsWith('migration.sql'));
  assert.match(init!.path, /^prisma\/schema\/migrations\/\d{14}_init\//);
  assert.match(init!.after, /CREATE TABLE "User"/);
  assert.doesNotMatch(change!.after, /CREATE TABLE "User"/);

  // with the app's history, from the migrations there
  mkdirSync(join(dir, 'prisma/schema/migrations/20250101000000_init'), { recursive: true });
  writeFileSync(
    join(dir, 'prisma/schema/migrations/20250101000000_init/migration.sql'),
    '-- CreateTable\nCREATE TABLE "User" (\n    "id" SERIAL NOT NULL,\n    "email" TEXT NOT NULL,\n\n    CONSTRAINT "User_pkey" PRIMARY KEY ("id")\n);\n\n-- CreateIndex\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n',
  );
  const prep = await prepare(dir, url, ['users', 'stored-objects']);
  assert.equal(prep.skipped, undefined, prep.skipped);
  const paths = prep.files.map((f) => f.path.replace(/\d{14}/, 'T'));
  assert.deepEqual(paths, ['prisma/schema/user.prisma', 'prisma/schema/prod-ready.prisma', 'prisma/schema/migrations/T_add_stored_objects/migration.sql', 'prisma/schema/migrations/migration_lock.toml']);
  assert.match(prep.files[0]!.after, /storedObjects\s+StoredObject\[\]/);
  assert.match(prep.files[2]!.after, /"owner_id" INTEGER/); // the foreign key takes the type of the app's Int id
  write(dir, prep);
  await deployAndCheck(dir, url, 'prisma/schema/migrations', 2);
  await assertNoDrift(dir, url);
});

test('a Prisma 7 schema (the url in prisma.config.ts, not in the datasource) is read, extended and migrated; its datasource is left without url', SLOW, async () => {
  const schema = 'datasource db {\n  provider = "postgresql"\n}\n\ngenerator client {\n  provider = "prisma-client"\n  output   = "../src/generated/prisma"\n}\n';
  const dir = prismaProject({ 'prisma/schema.prisma': schema });
  const url = await database(pg);
  const prep = await prepare(dir, url, ['users']);
  assert.equal(prep.skipped, undefined, prep.skipped);
  assert.equal(prep.envVar, undefined);
  assert.match(prep.files[0]!.after, /^datasource db \{\n  provider = "postgresql"\n\}\n/);
  assert.match(prep.files[1]!.after, /CREATE TABLE "users"/);
});
