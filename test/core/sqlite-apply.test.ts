// apply() moving a folder (a SQLite migration history kept aside): the new copies are written first, the
// old files removed last, the folders they leave empty removed, a file already gone is no error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apply } from '../../src/core/apply.ts';
import { tempProject } from '../helpers/project.ts';

test('a moved history: created at the new path, deleted at the old one, its empty folders gone, other files kept', () => {
  const dir = tempProject();
  mkdirSync(join(dir, 'prisma/migrations/20250101000000_init'), { recursive: true });
  writeFileSync(join(dir, 'prisma/migrations/20250101000000_init/migration.sql'), 'CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\n');
  writeFileSync(join(dir, 'prisma/migrations/migration_lock.toml'), 'provider = "sqlite"\n');
  writeFileSync(join(dir, 'prisma/schema.prisma'), 'x');
  const written = apply(dir, [
    { path: 'prisma/migrations/20250101000000_init/migration.sql', action: 'delete', before: 'CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\n', after: '' },
    { path: 'prisma/migrations_sqlite/20250101000000_init/migration.sql', action: 'create', after: 'CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);\n' },
    { path: 'prisma/migrations/migration_lock.toml', action: 'update', before: 'provider = "sqlite"\n', after: 'provider = "postgresql"\n' },
    { path: 'prisma/migrations_sqlite/migration_lock.toml', action: 'create', after: 'provider = "sqlite"\n' },
    { path: 'prisma/migrations/gone.sql', action: 'delete', before: 'x', after: '' },
  ]);
  // deletions last, after every write
  assert.deepEqual(written, ['prisma/migrations_sqlite/20250101000000_init/migration.sql', 'prisma/migrations/migration_lock.toml', 'prisma/migrations_sqlite/migration_lock.toml', 'prisma/migrations/20250101000000_init/migration.sql']);
  assert.equal(existsSync(join(dir, 'prisma/migrations/20250101000000_init')), false, 'the emptied folder is removed');
  assert.equal(readFileSync(join(dir, 'prisma/migrations/migration_lock.toml'), 'utf8'), 'provider = "postgresql"\n');
  assert.match(readFileSync(join(dir, 'prisma/migrations_sqlite/20250101000000_init/migration.sql'), 'utf8'), /AUTOINCREMENT/);
  assert.ok(existsSync(join(dir, 'prisma/schema.prisma')));
});

test('a delete never reaches outside the project', () => {
  const dir = tempProject();
  const outside = tempProject({ 'keep.txt': 'x' });
  assert.throws(() => apply(dir, [{ path: `../${outside.split('/').pop()}/keep.txt`, action: 'delete', after: '' }]));
  assert.ok(existsSync(join(outside, 'keep.txt')));
});
