// `rehearse`: build and pre-deploy failures: the devDependencies trap, a static site's publish folder, a
// migration failing against a real PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { commitAll, fixtureApp } from '../helpers/fixture-app.ts';
import { failed, rehearse } from '../helpers/rehearse-run.ts';
import { startPostgres } from '../harness/postgres.ts';
import { withServers } from '../helpers/servers.ts';

test('the devDependencies trap: NODE_ENV=production + npm ci breaks a build that works in the user’s folder', async () => {
  const dir = fixtureApp('rehearse/dev-dep');
  // the developer's own folder builds fine: their node_modules has the dev tool
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: dir, env: { ...process.env, NODE_ENV: '' } });
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir });
  const { code, report } = await rehearse(dir);
  assert.equal(code, 1);
  const { service, step } = failed(report, 'dev-dep-web');
  assert.equal(service.failedStep, 'build');
  assert.ok(step.output!.some((l) => /tiny-build: (command )?not found/.test(l)), step.output!.join('\n'));
  assert.match(step.hint!, /npm ci --include=dev/);

  // the fix the hint names
  writeFileSync(join(dir, 'render.yaml'), readFileSync(join(dir, 'render.yaml'), 'utf8').replace('buildCommand: npm ci &&', 'buildCommand: npm ci --include=dev &&'));
  commitAll(dir);
  const again = await rehearse(dir);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.report.services[0]!.steps[0]!.detail, /npm ci --include=dev/);
});

test('a static site: built, and its staticPublishPath must hold the output', async () => {
  const dir = fixtureApp('rehearse/static');
  let r = await rehearse(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.report.services[0]!.steps.map((s) => [s.step, s.ok]), [['build', true], ['publish-dir', true]]);
  writeFileSync(join(dir, 'render.yaml'), readFileSync(join(dir, 'render.yaml'), 'utf8').replace('./out', './dist'));
  commitAll(dir);
  r = await rehearse(dir);
  assert.equal(r.code, 1);
  assert.equal(r.report.services[0]!.failedStep, 'publish-dir');
  assert.match(r.report.services[0]!.steps[1]!.detail, /staticPublishPath \.\/dist is missing or empty after the build/);
});

const { pgServer } = withServers({ pgServer: () => startPostgres() });

test('a pre-deploy migration that fails against the local PostgreSQL stops the deploy, with psql’s error', async () => {
  const dir = fixtureApp('rehearse/migrate-fail', { '.env': `DATABASE_URL=${pgServer.url()}\n` });
  const { code, report } = await rehearse(dir);
  assert.equal(code, 1);
  const { service, step } = failed(report, 'migrate-fail-web');
  assert.equal(service.failedStep, 'pre-deploy');
  assert.deepEqual(service.steps.map((s) => s.step), ['build', 'pre-deploy'], 'the app is not started after a failed pre-deploy');
  assert.ok(step.output!.some((l) => l.includes('relation "customers" does not exist')), step.output!.join('\n'));
  const sql = postgres(pgServer.url(), { onnotice: () => undefined });
  try {
    // the first migration ran for real against the database .env points at
    const rows = await sql`select to_regclass('public.users')::text as users, to_regclass('public.orders')::text as orders`;
    assert.deepEqual({ ...rows[0] }, { users: 'users', orders: null });
  } finally {
    await sql.end();
  }

  // fixed migration: the whole deploy passes
  writeFileSync(join(dir, 'migrations/002_orders.sql'), 'CREATE TABLE orders (id serial PRIMARY KEY, user_id integer REFERENCES users(id));\n');
  commitAll(dir);
  const again = await rehearse(dir);
  assert.equal(again.code, 0, again.stderr);
});
