// A secret is never written into a file git tracks (issue 11): a tracked .env stops a --yes run with exit 2
// and nothing written; the wizard offers `git rm --cached` and says that the history keeps what was committed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { startPostgres } from '../harness/postgres.ts';
import { startRedis } from '../harness/redis.ts';
import { fixtureApp, git, ignored, tracked } from '../helpers/app-fixtures.ts';
import { snapshot } from '../helpers/project.ts';
import { answer, cleanEnv, runPty } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { acceptSettings, answerPlan } from '../helpers/wizard.ts';
import { withServers } from '../helpers/servers.ts';

const { pg, redis } = withServers({ pg: () => startPostgres({ password: 'fit-git-Pg#secret' }), redis: () => startRedis({ password: 'fit-git-redis-secret' }) });


test('a tracked .env in a plain Node app: --yes exits 2 naming it and writes nothing', async () => {
  const dir = fixtureApp('express-prisma-worker');
  writeFileSync(join(dir, '.env'), 'NODE_ENV=development\nPORT=4000\n');
  git(dir, 'add', '-f', '.env');
  git(dir, 'commit', '-qm', 'oops: .env');
  const before = snapshot(dir);
  const r = await runCli(['--yes', '--providers', 'app,postgres,redis'], { cwd: dir, env: cleanEnv({ FORCE_COLOR: '0', DATABASE_URL: pg.url('postgres'), REDIS_URL: redis.url }) });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /\.env is tracked by git: no secret is written into it/);
  assert.match(r.stderr, /git rm --cached \.env/);
  assert.deepEqual(snapshot(dir), before, 'nothing written');
});

test('a tracked .env in the wizard: it offers git rm --cached, says the history keeps it, then writes', async () => {
  const dir = fixtureApp('express-prisma-worker');
  writeFileSync(join(dir, '.env'), 'NODE_ENV=development\nPORT=4000\nAPP_URL=http://localhost:4000\nCORS_ORIGIN=http://localhost:4000\n');
  git(dir, 'add', '-f', '.env');
  git(dir, 'commit', '-qm', 'oops: .env');
  const s = runPty(['--providers', 'app'], { cwd: dir });
  await s.waitFor('Use these settings?');
  assert.match(s.screen(), /CORS_ORIGIN \(CORS_ORIGINS\) +http:\/\/localhost:4000 +from \.env/);
  await acceptSettings(s);
  await s.waitFor(/\.env is tracked by git, and secrets go into it/);
  assert.match(s.screen(), /repository's history still has what was committed/);
  // 'y' answers a clack confirm by itself: an Enter after it would reach the next prompt when it is read late
  await answer(s, /\.env is tracked by git, and secrets go into it/, undefined, 'y');
  await answerPlan(s, /Write \d+ files\?/, 'Yes');
  const { code } = await s.exit;
  assert.equal(code, 0, s.transcript());
  assert.ok(!tracked(dir).includes('.env'), 'git no longer tracks .env');
  assert.ok(ignored(dir, '.env'), '.gitignore now ignores it');
  const env = dotenv.parse(readFileSync(join(dir, '.env'), 'utf8'));
  assert.equal(env.CORS_ORIGIN, 'http://localhost:4000', 'the app\'s name kept');
  assert.ok(!('CORS_ORIGINS' in env));
  assert.equal(env.JWT_SECRET?.length, 43);
});
