import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { audit, dotenvTracked, gitTracked, missingFromDotenv, modeGroups, modeMix, secretsInTrackedFiles } from '../../src/core/audits.ts';
import stripe from '../../providers/stripe/index.ts';
import clerk from '../../providers/clerk.ts';

/** The test/live key groups as the providers declare them (EnvVar.mode). */
const MODES = modeGroups([stripe, clerk]);
import { UserError } from '../../src/core/errors.ts';
import { tempProject } from '../helpers/project.ts';

// Git must not depend on this machine: no system or user config, and no repository above the temp
// folders (the audits run git with this process's environment too).
const home = tempProject();
Object.assign(process.env, { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CEILING_DIRECTORIES: realpathSync(tmpdir()) });

const IDENTITY = ['-c', 'user.name=Audit Test', '-c', 'user.email=audit@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false'];
const git = (cwd: string, ...args: string[]) => execFileSync('git', [...IDENTITY, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

function project(files: Record<string, string | Buffer>): string {
  const dir = tempProject();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** A repository with `files` written and `commit` (paths) committed; the rest stays untracked. */
function repo(files: Record<string, string | Buffer>, commit: string[]): string {
  const dir = project(files);
  git(dir, 'init', '-q');
  if (commit.length) {
    git(dir, 'add', '-f', '--', ...commit);
    git(dir, 'commit', '-q', '-m', 'initial');
  }
  return dir;
}

const STRIPE_SECRET = 'sk_test_51AuditSecretValueThatMustNeverLeak0000';
const DB_PASSWORD = 'correct-horse-battery';
const DB_URL = `postgres://app:${DB_PASSWORD}@db.example.com:5432/shop`;

// ---- missingFromDotenv -------------------------------------------------------------------------

test('missing: keys of .env.example absent or empty in .env, in the example order, each once', () => {
  const example = [
    '# App settings',
    'NODE_ENV=development',
    'export PORT=3000',
    '',
    '# Stripe secret key (sk_test_… / sk_live_…)',
    'STRIPE_SECRET_KEY=',
    'STRIPE_PUBLISHABLE_KEY=pk_test_placeholder # a fake value',
    'DATABASE_URL=postgres://app:app@localhost:5432/app',
    'PORT=3001',
  ].join('\n');
  const dotenv = { NODE_ENV: 'development', PORT: '', DATABASE_URL: 'postgres://x', EXTRA_ONLY_IN_DOTENV: '1' };
  assert.deepEqual(missingFromDotenv(example, dotenv), ['PORT', 'STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY']);
});

test('missing: commented-out lines are not keys, CRLF and a BOM are read like dotenv reads them', () => {
  const example = '\uFEFF# OLD_KEY=1\r\n  #DISABLED=yes\r\n# where: Dashboard → API keys\r\nREAL=\r\n';
  assert.deepEqual(missingFromDotenv(example, {}), ['REAL']);
  assert.deepEqual(missingFromDotenv(example, { REAL: 'set' }), []);
  assert.deepEqual(missingFromDotenv('', {}), []);
});

// ---- modeMix -----------------------------------------------------------------------------------

const CLERK_ALIASES = ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'VITE_CLERK_PUBLISHABLE_KEY', 'PUBLIC_CLERK_PUBLISHABLE_KEY'];
const k = (prefix: string) => `${prefix}AbCdEf0123456789ZyXw`;
const TEST_SETUP = {
  NODE_ENV: 'development',
  STRIPE_SECRET_KEY: k('sk_test_'),
  STRIPE_PUBLISHABLE_KEY: k('pk_test_'),
  STRIPE_WEBHOOK_SECRET: k('whsec_'),
  CLERK_SECRET_KEY: k('sk_test_'),
  CLERK_PUBLISHABLE_KEY: k('pk_test_'),
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: k('pk_test_'),
};

/** modeMix, checking that no line carries any of the values it was given. */
function mix(values: Record<string, string>): string[] {
  const lines = modeMix(values, MODES);
  for (const line of lines) for (const v of Object.values(values)) if (v.length > 12) assert.ok(!line.includes(v), `a value leaked into: ${line}`);
  return lines;
}

test('modeMix: a consistent test setup, and a consistent live one in production, give no warnings', () => {
  assert.deepEqual(mix(TEST_SETUP), []);
  assert.deepEqual(mix({ ...TEST_SETUP, NODE_ENV: 'test' }), []);
  const live = Object.fromEntries(Object.entries(TEST_SETUP).map(([key, v]) => [key, v.replace('_test_', '_live_')]));
  assert.deepEqual(mix({ ...live, NODE_ENV: 'production' }), []);
  assert.deepEqual(mix({}), []);
  // No recognisable mode: left to the providers' own format checks.
  assert.deepEqual(mix({ STRIPE_SECRET_KEY: 'garbage-value-here', STRIPE_PUBLISHABLE_KEY: k('pk_live_'), CLERK_SECRET_KEY: '' }), []);
});

test('modeMix: Stripe secret (or restricted) and publishable keys from different modes', () => {
  const a = mix({ STRIPE_SECRET_KEY: k('sk_test_'), STRIPE_PUBLISHABLE_KEY: k('pk_live_'), NODE_ENV: 'production' });
  assert.equal(a.length, 1);
  assert.match(a[0]!, /^Stripe keys mix test and live \(test: STRIPE_SECRET_KEY; live: STRIPE_PUBLISHABLE_KEY\)/);
  const b = mix({ STRIPE_SECRET_KEY: k('rk_live_'), STRIPE_PUBLISHABLE_KEY: k('pk_test_'), NODE_ENV: 'production' });
  assert.deepEqual(b.length, 1);
  assert.match(b[0]!, /test: STRIPE_PUBLISHABLE_KEY; live: STRIPE_SECRET_KEY/);
  assert.deepEqual(mix({ STRIPE_SECRET_KEY: k('rk_test_'), STRIPE_PUBLISHABLE_KEY: k('pk_test_') }), []);
});

test('modeMix: Clerk secret vs publishable key, and each framework alias', () => {
  const a = mix({ CLERK_SECRET_KEY: k('sk_live_'), CLERK_PUBLISHABLE_KEY: k('pk_test_'), NODE_ENV: 'production' });
  assert.equal(a.length, 1);
  assert.match(a[0]!, /^Clerk keys mix test and live \(test: CLERK_PUBLISHABLE_KEY; live: CLERK_SECRET_KEY\)/);
  for (const alias of CLERK_ALIASES) {
    const lines = mix({ CLERK_SECRET_KEY: k('sk_test_'), CLERK_PUBLISHABLE_KEY: k('pk_test_'), [alias]: k('pk_live_') });
    assert.equal(lines.length, 1, alias);
    assert.match(lines[0]!, new RegExp(`test: CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY; live: ${alias}\\)`));
  }
  // An alias alone still agrees or disagrees with the secret key.
  assert.equal(mix({ CLERK_SECRET_KEY: k('sk_test_'), VITE_CLERK_PUBLISHABLE_KEY: k('pk_live_') }).length, 1);
});

test('modeMix: across providers, Stripe live with Clerk test and the other way round', () => {
  const a = mix({ NODE_ENV: 'production', STRIPE_SECRET_KEY: k('sk_live_'), STRIPE_PUBLISHABLE_KEY: k('pk_live_'), CLERK_SECRET_KEY: k('sk_test_'), CLERK_PUBLISHABLE_KEY: k('pk_test_') });
  assert.equal(a.length, 1);
  assert.match(a[0]!, /^Stripe is live \(STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY\) but Clerk is test \(CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY\)/);
  const b = mix({ NODE_ENV: 'production', STRIPE_SECRET_KEY: k('rk_test_'), CLERK_SECRET_KEY: k('sk_live_') });
  assert.equal(b.length, 1);
  assert.match(b[0]!, /^Clerk is live \(CLERK_SECRET_KEY\) but Stripe is test \(STRIPE_SECRET_KEY\)/);
  // A provider that is already mixed inside gets its own line, not a second one across providers.
  const c = mix({ NODE_ENV: 'production', STRIPE_SECRET_KEY: k('sk_live_'), STRIPE_PUBLISHABLE_KEY: k('pk_test_'), CLERK_SECRET_KEY: k('sk_test_') });
  assert.equal(c.length, 1);
  assert.match(c[0]!, /^Stripe keys mix/);
});

test('modeMix: live keys while NODE_ENV is development or test; not in production or unset', () => {
  for (const env of ['development', 'test']) {
    const lines = mix({ NODE_ENV: env, STRIPE_SECRET_KEY: k('sk_live_'), STRIPE_PUBLISHABLE_KEY: k('pk_live_') });
    assert.deepEqual(lines.length, 1, env);
    assert.match(lines[0]!, new RegExp(`^NODE_ENV is ${env} but STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY are live keys`));
  }
  assert.match(mix({ NODE_ENV: 'development', CLERK_SECRET_KEY: k('sk_live_') })[0]!, /CLERK_SECRET_KEY is a live key/);
  assert.deepEqual(mix({ NODE_ENV: 'production', STRIPE_SECRET_KEY: k('sk_live_') }), []);
  assert.deepEqual(mix({ STRIPE_SECRET_KEY: k('sk_live_') }), []);
  // Everything at once: one line per problem, in a stable order.
  const all = mix({ NODE_ENV: 'development', STRIPE_SECRET_KEY: k('sk_live_'), STRIPE_PUBLISHABLE_KEY: k('pk_test_'), CLERK_SECRET_KEY: k('sk_live_'), CLERK_PUBLISHABLE_KEY: k('pk_live_'), PUBLIC_CLERK_PUBLISHABLE_KEY: k('pk_test_') });
  assert.deepEqual(all.map((l) => l.split(' ').slice(0, 2).join(' ')), ['Stripe keys', 'Clerk keys', 'NODE_ENV is']);
  assert.match(all[2]!, /STRIPE_SECRET_KEY, CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY are live keys/);
});

// ---- git ---------------------------------------------------------------------------------------

test('git: a .env committed by mistake is tracked; one kept out by .gitignore is not', async () => {
  const committed = repo({ '.env': `STRIPE_SECRET_KEY=${STRIPE_SECRET}\n`, 'package.json': '{}\n' }, ['.env', 'package.json']);
  assert.deepEqual(await gitTracked(committed), ['.env', 'package.json']);
  assert.equal(await dotenvTracked(committed), true);
  // .env itself is the dotenvTracked finding, not a leak.
  assert.deepEqual(await secretsInTrackedFiles(committed, [{ key: 'STRIPE_SECRET_KEY', value: STRIPE_SECRET }]), []);

  const ignored = repo({ '.env': `STRIPE_SECRET_KEY=${STRIPE_SECRET}\n`, '.gitignore': '.env\n' }, ['.gitignore']);
  assert.equal(await dotenvTracked(ignored), false);
  const empty = repo({ '.env': 'A=1\n' }, []);
  assert.deepEqual(await gitTracked(empty), []);
  assert.equal(await dotenvTracked(empty), false);
});

test('git: secrets pasted into tracked files are reported by file and key, never by value', async () => {
  const big = Buffer.alloc(2 * 1024 * 1024 + 1, 'a');
  big.write(STRIPE_SECRET, 1000);
  const dir = repo(
    {
      '.env': `STRIPE_SECRET_KEY=${STRIPE_SECRET}\nDATABASE_URL=${DB_URL}\n`,
      '.gitignore': '.env\n',
      'README.md': `# Shop\n\nSet STRIPE_SECRET_KEY=${STRIPE_SECRET} and PORT=3000.\n`,
      'src/config.ts': `export const db = process.env.DATABASE_URL ?? '${DB_URL}';\nexport const pw = '${DB_PASSWORD}';\n`,
      'src/only-password.ts': `const password = '${DB_PASSWORD}';\n`,
      'assets/logo.bin': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]), Buffer.from(STRIPE_SECRET)]),
      'fixtures/huge.txt': big,
      'src/clean.ts': 'export const port = 3000;\n',
      'notes.txt': `untracked: ${STRIPE_SECRET}\n`,
      'gone.txt': `${STRIPE_SECRET}\n`,
      'outside-target.txt': `${STRIPE_SECRET}\n`,
    },
    ['.gitignore', 'README.md', 'src/config.ts', 'src/only-password.ts', 'assets/logo.bin', 'fixtures/huge.txt', 'src/clean.ts', 'gone.txt'],
  );
  // Tracked but deleted from the work tree: unreadable, skipped. A tracked symlink is not followed.
  rmSync(join(dir, 'gone.txt'));
  symlinkSync('outside-target.txt', join(dir, 'link.txt'));
  git(dir, 'add', 'link.txt');

  const secrets = [
    { key: 'STRIPE_SECRET_KEY', value: STRIPE_SECRET },
    { key: 'DATABASE_URL', value: DB_URL },
    { key: 'PORT', value: '3000' }, // short: would match everywhere
    { key: 'EMPTY', value: '' },
  ];
  const leaks = await secretsInTrackedFiles(dir, secrets);
  assert.deepEqual(leaks, [
    { file: 'README.md', key: 'STRIPE_SECRET_KEY' },
    { file: 'src/config.ts', key: 'DATABASE_URL' },
    // The URL's password alone is the secret too.
    { file: 'src/only-password.ts', key: 'DATABASE_URL' },
  ]);
  const shown = JSON.stringify(leaks);
  for (const v of [STRIPE_SECRET, DB_URL, DB_PASSWORD]) assert.ok(!shown.includes(v));
});

test('git: an app in a subfolder of a repository sees its own files, relative to it', async () => {
  const dir = repo({ 'apps/web/.env': 'A=1\n', 'apps/web/README.md': `key: ${STRIPE_SECRET}\n`, 'README.md': `${STRIPE_SECRET}\n` }, ['apps/web/.env', 'apps/web/README.md', 'README.md']);
  const web = join(dir, 'apps', 'web');
  assert.deepEqual(await gitTracked(web), ['.env', 'README.md']);
  assert.equal(await dotenvTracked(web), true);
  assert.deepEqual(await secretsInTrackedFiles(web, [{ key: 'STRIPE_SECRET_KEY', value: STRIPE_SECRET }]), [{ file: 'README.md', key: 'STRIPE_SECRET_KEY' }]);
});

test('git: a folder outside any repository, a missing folder and a missing git give null, never a throw', async () => {
  const plain = project({ '.env': `STRIPE_SECRET_KEY=${STRIPE_SECRET}\n`, 'README.md': STRIPE_SECRET });
  assert.equal(await gitTracked(plain), null);
  assert.equal(await dotenvTracked(plain), null);
  assert.deepEqual(await secretsInTrackedFiles(plain, [{ key: 'STRIPE_SECRET_KEY', value: STRIPE_SECRET }]), []);
  assert.equal(await gitTracked(join(plain, 'no-such-folder')), null);

  const real = repo({ a: 'a' }, ['a']);
  const path = process.env.PATH;
  process.env.PATH = project({}); // a folder without git
  try {
    assert.equal(await gitTracked(real), null);
  } finally {
    process.env.PATH = path;
  }
});

test('git: a repository git cannot read is an error that says so, not "not a repository"', async () => {
  const dir = repo({ a: 'a' }, ['a']);
  writeFileSync(join(dir, '.git', 'index'), 'not an index');
  await assert.rejects(gitTracked(dir), (e: unknown) => e instanceof UserError && /^git could not list the tracked files in .+: /.test(e.message));
});

test('git: repository variables inherited from a hook do not redirect the audit', async () => {
  const other = repo({ '.env': 'A=1\n' }, ['.env']);
  const mine = repo({ 'x.txt': 'x' }, ['x.txt']);
  process.env.GIT_DIR = join(other, '.git');
  try {
    assert.deepEqual(await gitTracked(mine), ['x.txt']);
  } finally {
    delete process.env.GIT_DIR;
  }
});

// ---- audit -------------------------------------------------------------------------------------

test('audit: everything at once', async () => {
  const dotenvText = `NODE_ENV=development\nSTRIPE_SECRET_KEY=${STRIPE_SECRET}\nSTRIPE_PUBLISHABLE_KEY=${k('pk_live_')}\nCLERK_SECRET_KEY=\n`;
  const dir = repo({ '.env': dotenvText, 'docs/setup.md': `use ${STRIPE_SECRET}\n` }, ['.env', 'docs/setup.md']);
  const dotenv = { NODE_ENV: 'development', STRIPE_SECRET_KEY: STRIPE_SECRET, STRIPE_PUBLISHABLE_KEY: k('pk_live_'), CLERK_SECRET_KEY: '' };
  const r = await audit(dir, {
    example: 'NODE_ENV=development\nSTRIPE_SECRET_KEY=\nCLERK_SECRET_KEY=\n# CLERK_PUBLISHABLE_KEY=\n',
    dotenv,
    secrets: [{ key: 'STRIPE_SECRET_KEY', value: STRIPE_SECRET }],
    values: dotenv,
    modes: MODES,
  });
  assert.deepEqual(r.missing, ['CLERK_SECRET_KEY']);
  assert.equal(r.modeMix.length, 2);
  assert.match(r.modeMix[0]!, /^Stripe keys mix/);
  assert.match(r.modeMix[1]!, /^NODE_ENV is development but STRIPE_PUBLISHABLE_KEY is a live key/);
  assert.equal(r.dotenvTracked, true);
  assert.deepEqual(r.trackedEnvFiles, ['.env']);
  assert.deepEqual(r.leaks, [{ file: 'docs/setup.md', key: 'STRIPE_SECRET_KEY' }]);
  assert.ok(!JSON.stringify(r).includes(STRIPE_SECRET));

  const outside = await audit(project({}), { dotenv: {}, secrets: [{ key: 'STRIPE_SECRET_KEY', value: STRIPE_SECRET }], values: {} });
  assert.deepEqual(outside, { missing: [], modeMix: [], dotenvTracked: null, trackedEnvFiles: [], leaks: [] });
});
