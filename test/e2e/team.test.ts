// The second and third ways people use the tool: a teammate's first run in a fresh clone (prod-ready.json
// and .env.example committed, no .env), and `check` as a CI gate with its audits. The built CLI, a real
// PostgreSQL, the B2 stand-in, and real git.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { startPostgres } from '../harness/postgres.ts';
import { startStandins } from '../standins/all.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { linkTools, read, snapshot, tempProject, NEXT_APP } from '../helpers/project.ts';
import { memorySchemaErrors } from '../helpers/schemas.ts';
import { withServers } from '../helpers/servers.ts';

const { pg, all } = withServers({ pg: () => startPostgres({ password: 'pg-Team#secret' }), all: () => startStandins() });

const cli = (args: string[], cwd: string, env: Record<string, string> = {}) => runCli(args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...env }) });

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, env: cleanEnv({ GIT_CONFIG_NOSYSTEM: '1', HOME: dir }), stdio: 'pipe' }).toString();

const b2 = () => ({
  ...all.overrides,
  S3_ENDPOINT: all.values.S3_ENDPOINT!,
  S3_REGION: all.values.S3_REGION!,
  S3_BUCKET: all.values.S3_BUCKET!,
  S3_ACCESS_KEY_ID: all.values.S3_ACCESS_KEY_ID!,
  S3_SECRET_ACCESS_KEY: all.values.S3_SECRET_ACCESS_KEY!,
});

test('a teammate in a fresh clone (with --yes, then in a pty) is asked only for personal values, gets team settings from prod-ready.json, and only .env is written', async () => {
  // The first developer sets the project up.
  const first = tempProject({ 'package.json': NEXT_APP });
  linkTools(first);
  const setup = await cli(['--yes', '--providers', 'app,postgres,b2'], first, { ...b2(), DATABASE_URL: pg.url('postgres'), APP_URL: 'https://shop.example.com' });
  assert.equal(setup.code, 0, setup.stderr + setup.stdout);
  const memory = JSON.parse(read(first, 'prod-ready.json'));
  assert.deepEqual(memorySchemaErrors(read(first, 'prod-ready.json')), [], 'prod-ready.json follows its published schema');
  assert.deepEqual(memory.providers, ['app', 'postgres', 'b2']);
  assert.deepEqual(memory.settings, { S3_BUCKET: all.values.S3_BUCKET, S3_ENDPOINT: all.values.S3_ENDPOINT, S3_REGION: 'us-west-004' });
  for (const secret of [all.values.S3_SECRET_ACCESS_KEY!, 'pg-Team#secret']) assert.ok(!read(first, 'prod-ready.json').includes(secret));

  // The teammate's clone: every committed file, no .env, no node_modules.
  const clone = tempProject();
  for (const f of readdirSync(first)) if (f !== '.env' && f !== 'node_modules') cpSync(join(first, f), join(clone, f), { recursive: true });
  rmSync(join(clone, '.env'), { force: true });
  const committed = snapshot(clone);
  const r = await cli(['--yes'], clone, {
    ...all.overrides,
    DATABASE_URL: pg.url('postgres'),
    S3_ACCESS_KEY_ID: all.values.S3_ACCESS_KEY_ID!,
    S3_SECRET_ACCESS_KEY: all.values.S3_SECRET_ACCESS_KEY!,
  });
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /Joining: prod-ready\.json lists this project's providers and team settings/);
  assert.match(r.stdout, /Backblaze B2 \(S3\): bucket prod-ready-uploads/);
  const after = snapshot(clone);
  delete after['.env'];
  assert.deepEqual(after, committed, 'no committed file changed');
  const env = dotenv.parse(read(clone, '.env'));
  assert.equal(env.S3_BUCKET, all.values.S3_BUCKET, 'team setting from prod-ready.json');
  assert.equal(env.S3_ACCESS_KEY_ID, all.values.S3_ACCESS_KEY_ID);
  assert.equal(Buffer.from(env.JWT_SECRET!, 'base64url').length, 32, 'their own JWT_SECRET');
  assert.match(r.stdout, /Wrote \.env\n/);
  assert.match(r.stdout, /Migrations not applied: node-pg-migrate is not installed yet; run npm install, then npm run db:migrate/, 'a teammate\'s run never installs');

  // The same clone state, in a terminal: no picker, no question for a team setting, only .env written.
  const { answer, runPty } = await import('../helpers/pty.ts');
  const clone2 = tempProject();
  for (const f of readdirSync(first)) if (f !== '.env' && f !== 'node_modules') cpSync(join(first, f), join(clone2, f), { recursive: true });
  const s = runPty([], { cwd: clone2, env: cleanEnv({ ...all.overrides }) });
  await s.waitFor('Joining: prod-ready.json lists');
  const { fill } = await import('../helpers/wizard.ts');
  await fill(s, { DATABASE_URL: pg.url('postgres'), S3_ACCESS_KEY_ID: all.values.S3_ACCESS_KEY_ID!, S3_SECRET_ACCESS_KEY: all.values.S3_SECRET_ACCESS_KEY! });
  await answer(s, /Write 1 file\?/);
  assert.equal((await s.exit).code, 0, s.screen());
  const screen = s.transcript();
  assert.doesNotMatch(screen, /◆  (S3_BUCKET|S3_REGION|S3_ENDPOINT)|Which providers/, 'no picker, no team setting asked');
  assert.equal(dotenv.parse(read(clone2, '.env')).S3_BUCKET, all.values.S3_BUCKET);
  const after2 = snapshot(clone2);
  delete after2['.env'];
  assert.deepEqual(after2, committed, 'no committed file changed');
  assert.ok(!screen.includes(all.values.S3_SECRET_ACCESS_KEY!) && !screen.includes('pg-Team#secret'), 'no secret on screen');

  // `join` says the same explicitly; a second run changes nothing.
  const again = await cli(['join', '--yes'], clone, { ...all.overrides });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/);
});

test('check audits: .env.example keys missing, .env tracked by git, a value from .env in a tracked file — each a failing line, values never shown', async () => {
  const url = pg.url('postgres');
  const dir = tempProject({
    '.env': `NODE_ENV=development\nPORT=3000\nAPP_URL=http://localhost:3000\nCORS_ORIGINS=http://localhost:3000\nJWT_SECRET=${'s'.repeat(43)}\nDATABASE_URL=${url}\nNOTE="half-edited\n`,
    '.env.example': 'NODE_ENV=\nPORT=\nAPP_URL=\nCORS_ORIGINS=\nJWT_SECRET=\nJWT_SECRET_PREVIOUS=\nDATABASE_URL=\nSENTRY_DSN=\n',
    'README.md': `Connect with ${url}\n`,
  });
  const clean = await cli(['check', '--json'], dir);
  assert.equal(clean.code, 1, 'SENTRY_DSN is missing');
  const doc = JSON.parse(clean.stdout);
  assert.deepEqual(doc.audit.missing, ['SENTRY_DSN'], 'JWT_SECRET_PREVIOUS is optional');
  assert.match(clean.stderr, /\.env line 7 \(NOTE\) opens a quote that is not closed/);
  assert.equal(doc.audit.dotenvTracked, null, 'not a git repository');

  writeFileSync(join(dir, '.env.example'), 'NODE_ENV=\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '.env', 'README.md', '.env.example');
  git(dir, 'commit', '-qm', 'oops');
  const r = await cli(['check'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✖ \.env is tracked by git: its secrets are in the repository history/);
  assert.match(r.stdout, /✖ README\.md \(tracked by git\) contains the value of DATABASE_URL, JWT_SECRET from \.env|✖ README\.md \(tracked by git\) contains the value of DATABASE_URL from \.env/);
  assert.ok(!r.stdout.includes('pg-Team#secret') && !r.stdout.includes('s'.repeat(43)), 'no value printed');

  git(dir, 'rm', '-q', '--cached', '.env');
  writeFileSync(join(dir, 'README.md'), 'Connect with DATABASE_URL from .env\n');
  git(dir, 'commit', '-qam', 'fix');
  const fixed = await cli(['check'], dir);
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
});
