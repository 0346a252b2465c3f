// `rehearse` on what the tool itself writes (`init --yes` on a plain app), and a monorepo's rootDir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv } from '../helpers/pty.ts';
import { commitAll, fixtureApp } from '../helpers/fixture-app.ts';
import { failed, rehearse } from '../helpers/rehearse-run.ts';
import { runCli } from '../helpers/cli.ts';

test('rootDir: the commands run in that folder of the copy, with its own .env', async () => {
  const dir = fixtureApp('rehearse/monorepo');
  writeFileSync(join(dir, 'apps/api/.env'), 'API_TOKEN=token-from-the-app-folder\n');
  const { code, report, stderr } = await rehearse(dir);
  assert.equal(code, 0, stderr);
  assert.deepEqual(report.services[0]!.steps.map((s) => s.step), ['build', 'port', 'health']);
  assert.match(stderr, /copied the \d+ files git would commit, and apps\/api\/\.env/);
  assert.ok(!existsSync(join(dir, 'apps/api/node_modules')));
});


test('init --yes, then rehearse: the lock file out of date, no health route (the port is checked), a /healthz the app lacks, then a pass', { timeout: 300_000 }, async () => {
  const dir = fixtureApp('rehearse/no-health');
  rmSync(join(dir, 'render.yaml'));
  commitAll(dir);
  const init = await runCli(['--yes', '--skip-verify', '--providers', 'postgres', '--cwd', dir], {
    cwd: dir,
    env: cleanEnv({ DATABASE_URL: 'postgres://app:app@localhost:5432/app', NO_COLOR: '1' }),
    source: true,
  });
  assert.equal(init.code, 0, init.out);
  assert.match(init.stdout, /→ Rehearse the deploy here, the way Render runs it: npx create-prod-ready rehearse/);
  commitAll(dir);
  // init added a dependency to package.json: until `npm install` updates the lock, npm ci fails, on Render too
  let r = await rehearse(dir);
  assert.equal(r.code, 1);
  assert.equal(r.report.services[0]!.failedStep, 'build');
  assert.match(failed(r.report, r.report.services[0]!.name).step.hint!, /run `npm install` and commit package-lock\.json/);
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: dir });
  commitAll(dir);
  // the app serves no health route and init does not invent one (docs/deploy-fit.md): no healthCheckPath,
  // so Render (and the rehearsal) only wait for the port, and the rehearsal says so
  assert.match(init.stdout, /Health check: no health route found/);
  assert.ok(!/healthCheckPath/.test(readFileSync(join(dir, 'render.yaml'), 'utf8')));
  r = await rehearse(dir, ['--timeout', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.report.services[0]!.warnings.some((w: string) => /no healthCheckPath/.test(w)), JSON.stringify(r.report.services[0]));
  // a health check the app does not serve fails the rehearsal, as it would fail the deploy; served, it passes
  writeFileSync(join(dir, 'render.yaml'), readFileSync(join(dir, 'render.yaml'), 'utf8').replace(/(\n    startCommand: [^\n]*\n)/, '$1    healthCheckPath: /healthz\n'));
  commitAll(dir);
  r = await rehearse(dir, ['--timeout', '2']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.report.services[0]!.failedStep, 'health');
  assert.match(r.stderr, /GET \/healthz answered 404/);
  writeFileSync(join(dir, 'server.js'), readFileSync(join(dir, 'server.js'), 'utf8').replace("req.url === '/'", "req.url === '/' || req.url === '/healthz'"));
  commitAll(dir);
  r = await rehearse(dir);
  assert.equal(r.code, 0, r.stderr);
});

