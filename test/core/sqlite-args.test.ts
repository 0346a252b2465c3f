// `--from-sqlite [FILE]`: a flag whose value is optional, on init only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine, HELP } from '../../src/args.ts';
import { UsageError } from '../../src/core/errors.ts';

const from = (...argv: string[]) => parseCommandLine(argv).flags.fromSqlite;

test('--from-sqlite alone, with a FILE, with =FILE, before another option; absent without it', () => {
  assert.equal(from('--yes'), undefined);
  assert.equal(from('--from-sqlite'), '');
  assert.equal(from('--from-sqlite', 'prisma/dev.db', '--yes'), 'prisma/dev.db');
  assert.equal(from('--from-sqlite=data/app.sqlite'), 'data/app.sqlite');
  assert.equal(from('--from-sqlite', '--yes'), '');
  assert.equal(parseCommandLine(['--from-sqlite', '--yes']).flags.interactive, false);
  // a command after the flag is the command, not a file
  assert.equal(parseCommandLine(['--from-sqlite', 'init']).command, 'init');
});

test('--from-sqlite is init\'s: with another command it is a usage error; the help documents it', () => {
  assert.throws(() => parseCommandLine(['check', '--from-sqlite']), (e: unknown) => e instanceof UsageError && /--from-sqlite is an option of init/.test(e.message));
  assert.match(HELP, /--from-sqlite \[FILE\] move the app from SQLite to PostgreSQL/);
  assert.match(HELP, /docs\/sqlite\.md/);
});
