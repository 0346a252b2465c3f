// The built CLI, spawned as scripts and CI run it: no TTY, values from the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { parse } from 'yaml';
import { startPostgres } from '../harness/postgres.ts';
import { startRedis } from '../harness/redis.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { exists, read, snapshot, tempProject, NEXT_APP } from '../helpers/project.ts';
import { composeSchemaErrors, renderSchemaErrors } from '../helpers/schemas.ts';
import { renderReferenceProblems } from '../../src/core/files/render-yaml.ts';
import { withServers } from '../helpers/servers.ts';

const { pg, redis } = withServers({ pg: () => startPostgres({ password: 'pg-Sup3r#secret' }), redis: () => startRedis({ password: 'redis-S3cret-pass' }) });

const run = (args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }) => runCli(args, { cwd: opts.cwd, env: cleanEnv({ FORCE_COLOR: '0', ...opts.env }), input: opts.input });

const goodEnv = () => ({ DATABASE_URL: pg.url('postgres'), REDIS_URL: redis.url });

test('--help and --version answer at once and exit 0', async () => {
  const dir = tempProject();
  const help = await run(['--help'], { cwd: dir });
  assert.equal(help.code, 0);
  for (const s of ['--providers', '--yes', '--dry-run', '--skip-verify', '--json', 'check', 'PROD_READY_<ID>_URL', 'Exit codes', '130'])
    assert.ok(help.stdout.includes(s), `help mentions ${s}`);
  const v = await run(['--version'], { cwd: dir });
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('usage errors exit 2 with one line naming what is valid', async () => {
  const dir = tempProject();
  const r = await run(['--providers', 'postgres,nope'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown provider: nope/);
  assert.match(r.stderr, /valid ids: app, postgres, redis/);
  const f = await run(['--database-url', 'x'], { cwd: dir });
  assert.equal(f.code, 2);
  assert.match(f.stderr, /Unknown option '--database-url'/);
  const c = await run(['frobnicate'], { cwd: dir });
  assert.equal(c.code, 2);
  assert.deepEqual(snapshot(dir), {}, 'nothing written');
});

test('--yes in an empty folder, values from the environment: five valid files, then check passes', async () => {
  const dir = tempProject();
  const r = await run(['--yes'], { cwd: dir, env: goodEnv() });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /PostgreSQL: postgres@postgres on PostgreSQL \d+/);
  assert.match(r.stdout, /Redis 7/);
  for (const f of ['.gitignore', '.env', '.env.example', 'render.yaml', 'docker-compose.yml']) assert.ok(exists(dir, f), f);
  assert.deepEqual(renderSchemaErrors(read(dir, 'render.yaml')), []);
  assert.deepEqual(renderReferenceProblems(parse(read(dir, 'render.yaml'))), []);
  assert.deepEqual(composeSchemaErrors(read(dir, 'docker-compose.yml')), []);
  const env = dotenv.parse(read(dir, '.env'));
  assert.equal(env.DATABASE_URL, goodEnv().DATABASE_URL);
  assert.equal(env.REDIS_URL, redis.url);
  assert.equal(Buffer.from(env.JWT_SECRET!, 'base64url').length, 32);
  assert.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600);
  for (const out of [r.stdout, r.stderr]) {
    assert.ok(!out.includes('pg-Sup3r#secret') && !out.includes('redis-S3cret-pass') && !out.includes(env.JWT_SECRET!), 'no secret printed');
  }
  for (const f of ['.env.example', 'render.yaml', 'docker-compose.yml'])
    assert.ok(!read(dir, f).includes('pg-Sup3r#secret') && !read(dir, f).includes(env.JWT_SECRET!), `${f} holds no secret`);

  // same answers again: nothing changes, byte for byte
  const before = snapshot(dir);
  const again = await run(['--yes'], { cwd: dir });
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /Nothing to change/);
  assert.deepEqual(snapshot(dir), before);

  const check = await run(['check'], { cwd: dir });
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /All checks passed/);

  const json = await run(['check', '--json'], { cwd: dir });
  assert.equal(json.code, 0);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.ok, true);
  assert.deepEqual(doc.providers.map((p: any) => p.id), ['app', 'postgres', 'redis']);
  for (const p of doc.providers) {
    assert.deepEqual(Object.keys(p).sort(), ['error', 'id', 'identity', 'mode', 'ok', 'warnings']);
    assert.equal(typeof p.identity, 'string');
  }
});

test('a wrong Postgres password: one clear line, exit 1, no file written', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const before = snapshot(dir);
  const r = await run(['--yes'], { cwd: dir, env: { ...goodEnv(), DATABASE_URL: pg.url('postgres', 'postgres', 'wrong-password') } });
  assert.equal(r.code, 1);
  const line = r.stdout.split('\n').find((l) => l.includes('PostgreSQL:'))!;
  assert.match(line, /rejected user "postgres": wrong password or no such user \(28P01\)/);
  assert.ok(!r.stdout.includes('wrong-password') && !r.stderr.includes('wrong-password'));
  assert.ok(!/\n\s+at /.test(r.stdout + r.stderr), 'no stack trace');
  assert.deepEqual(snapshot(dir), before);
});

test('--json prints one document with providers and files', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const r = await run(['--json', '--dry-run'], { cwd: dir, env: goodEnv() });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.deepEqual(doc.files.map((f: any) => f.path), ['.gitignore', '.env', '.env.example', 'render.yaml', 'docker-compose.yml', 'prod-ready.json', 'env.mjs', 'package.json', 'app/api/health/route.js']);
  assert.ok(doc.files.every((f: any) => f.action === (f.path === 'package.json' ? 'update' : 'create')));
  assert.deepEqual(snapshot(dir), { 'package.json': `644:${NEXT_APP}` }, '--dry-run writes nothing');
});

test('without a TTY the wizard never prompts: it behaves as --yes and never hangs', async () => {
  const dir = tempProject();
  const r = await run(['--skip-verify'], { cwd: dir, env: { CI: '1' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /not checked \(--skip-verify\)/);
  assert.equal(dotenv.parse(read(dir, '.env')).DATABASE_URL, 'postgres://app:app@localhost:5432/app', 'local default matches docker-compose');
  const compose = parse(read(dir, 'docker-compose.yml'));
  assert.equal(compose.services.postgres.environment.POSTGRES_PASSWORD, 'app');
});

test('invalid values from the environment exit 2 naming each', async () => {
  const dir = tempProject();
  const r = await run(['--yes', '--skip-verify'], { cwd: dir, env: { APP_URL: 'http://example.com', PORT: '99999' } });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /PORT must be between 1 and 65535/);
  assert.match(r.stderr, /APP_URL: plain http is only accepted for localhost/);
  assert.deepEqual(snapshot(dir), {});
});

test('an existing .env keeps its comments, order, unknown keys, and values', async () => {
  const original = '# team notes\nOPENAI_API_KEY=sk-keepme\nNODE_ENV=test # ci\nweird line\n';
  const dir = tempProject({ '.env': original });
  const r = await run(['--yes', '--skip-verify'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /line 4 define/);
  const after = read(dir, '.env');
  assert.ok(after.startsWith(original));
  assert.equal(dotenv.parse(after).NODE_ENV, 'test');
});

test('a provider already in .env is included by --yes, and its missing required keys exit 2, all named', async () => {
  const dir = tempProject({ '.env': 'STRIPE_WEBHOOK_SECRET=whsec_abc\n' });
  const r = await run(['--yes', '--skip-verify'], { cwd: dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing required values: STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY/);
  assert.deepEqual(Object.keys(snapshot(dir)), ['.env'], 'nothing written');
});

test('a --cwd that does not exist is a usage error', async () => {
  const dir = tempProject();
  const r = await run(['--cwd', join(dir, 'missing')], { cwd: dir });
  assert.equal(r.code, 2);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'package.json'), NEXT_APP);
  const ok = await run(['--cwd', join(dir, 'sub'), '--yes', '--skip-verify'], { cwd: dir });
  assert.equal(ok.code, 0);
  assert.ok(exists(join(dir, 'sub'), 'render.yaml'));
});

test('--dry-run shows the masked plan: generated secrets show nothing of themselves, URLs only their password masked', async () => {
  const dir = tempProject();
  const r = await run(['--dry-run', '--skip-verify'], { cwd: dir, env: { DATABASE_URL: 'postgres://app:Very-Secret-Pw@db.example.com:5432/app?sslmode=require' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\+JWT_SECRET=•••••••• \(generated\)/);
  assert.match(r.stdout, /\+DATABASE_URL=postgres:\/\/app:••••@db\.example\.com:5432\/app\?sslmode=require/);
  assert.ok(!r.stdout.includes('Very-Secret-Pw'));
  assert.match(r.stdout, /Dry run: nothing was changed or written/);
  assert.deepEqual(snapshot(dir), {});
});
