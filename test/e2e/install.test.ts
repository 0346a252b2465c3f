// init adds dependencies to package.json (here zod, for the env module; node-pg-migrate and pg for
// migrations go the same way): the run installs them once with the app's package manager, so the lockfile matches and `npm ci` (Render's
// build) works straight after. Real npm against the registry (through the npm cache); offline, one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { runPty } from '../helpers/pty.ts';
import { answerPlan, fill } from '../helpers/wizard.ts';
import { read, tempProject } from '../helpers/project.ts';

const PKG = `${JSON.stringify({ name: 'shop-api', version: '1.0.0', private: true, type: 'module', scripts: { start: 'node server.js' } }, null, 2)}\n`;
const LOCK = `${JSON.stringify({ name: 'shop-api', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'shop-api', version: '1.0.0' } } }, null, 2)}\n`;
const app = () => tempProject({ 'package.json': PKG, 'package-lock.json': LOCK, 'server.js': "import http from 'node:http';\nhttp.createServer((q, s) => s.end('ok')).listen(process.env.PORT);\n" });
const ARGS = ['--yes', '--skip-verify', '--providers', 'postgres'];
const VALUES = { DATABASE_URL: 'postgres://app:app@localhost:5432/app', NO_COLOR: '1' };
const npm = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, env: cleanEnv(env), stdio: 'pipe', timeout: 240_000 }).toString();

test('init --yes adds zod to an app with package-lock.json, installs once, and npm ci then succeeds', { timeout: 300_000 }, async () => {
  const dir = app();
  const r = await runCli(ARGS, { cwd: dir, env: cleanEnv({ ...VALUES, PROD_READY_NO_INSTALL: '' }), timeoutMs: 280_000 });
  assert.equal(r.code, 0, r.out);
  const pkg = JSON.parse(read(dir, 'package.json'));
  assert.equal(pkg.dependencies.zod, '^4.0.0', read(dir, 'package.json'));
  assert.match(r.stdout, /Installing the new dependencies \(npm install\), so package-lock\.json matches package\.json/);
  assert.match(r.stdout, /✔ Installed the new dependencies: package-lock\.json is up to date/);
  assert.ok(!/Install the new dependencies: npm install/.test(r.stdout), 'no longer a next step');
  const lock = JSON.parse(read(dir, 'package-lock.json'));
  assert.equal(lock.packages[''].dependencies.zod, '^4.0.0');
  assert.match(lock.packages['node_modules/zod'].version, /^4\./);
  // what Render's build runs: the lockfile must match package.json exactly
  rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
  npm(['ci', '--include=dev'], dir);
  assert.ok(existsSync(join(dir, 'node_modules', 'zod', 'package.json')));
  // a second run adds nothing, so it installs nothing
  const again = await runCli(ARGS, { cwd: dir, env: cleanEnv({ ...VALUES, PROD_READY_NO_INSTALL: '' }), timeoutMs: 120_000 });
  assert.equal(again.code, 0, again.out);
  assert.ok(!/Installing the new dependencies/.test(again.stdout), again.stdout);
});

test('offline: the install fails in one line naming the command to run, the files stay written, and the run exits 0', { timeout: 200_000 }, async () => {
  const dir = app();
  const cache = mkdtempSync(join(tmpdir(), 'cpr-npm-cache-'));
  try {
    const offline = { npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: cache, npm_config_fetch_retries: '0', npm_config_fetch_timeout: '5000' };
    const r = await runCli(ARGS, { cwd: dir, env: cleanEnv({ ...VALUES, ...offline, PROD_READY_NO_INSTALL: '' }), timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.out);
    const lines = r.out.split('\n').filter((l) => /npm install did not finish/.test(l));
    assert.equal(lines.length, 1, r.out);
    assert.match(lines[0]!, /npm install did not finish \(.+\): run npm install so package-lock\.json matches package\.json/);
    assert.match(r.stdout, /→ Install the new dependencies: npm install/);
    assert.ok(JSON.parse(read(dir, 'package.json')).dependencies.zod, 'package.json written');
    assert.equal(read(dir, 'package-lock.json'), LOCK, 'the lockfile as it was');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('PROD_READY_NO_INSTALL=1 leaves the install to you and says so; without a lockfile nothing is out of date, so nothing runs', async () => {
  const dir = app();
  const r = await runCli(ARGS, { cwd: dir, env: cleanEnv({ ...VALUES, PROD_READY_NO_INSTALL: '1' }) });
  assert.equal(r.code, 0, r.out);
  assert.match(r.stdout, /New dependencies not installed \(PROD_READY_NO_INSTALL is set\): run npm install so package-lock\.json matches package\.json/);
  assert.equal(read(dir, 'package-lock.json'), LOCK);
  const bare = tempProject({ 'package.json': PKG });
  const b = await runCli(ARGS, { cwd: bare, env: cleanEnv({ ...VALUES, PROD_READY_NO_INSTALL: '' }) });
  assert.equal(b.code, 0, b.out);
  assert.ok(!/Installing the new dependencies/.test(b.stdout), b.stdout);
  assert.match(b.stdout, /→ Install the new dependencies: npm install/);
  assert.ok(!existsSync(join(bare, 'package-lock.json')) && !existsSync(join(bare, 'node_modules')));
});

test('the wizard installs them too, under a spinner, and the next steps no longer say npm install', { timeout: 200_000 }, async () => {
  const dir = app();
  const s = runPty(['--providers', 'app'], { cwd: dir, env: cleanEnv({ PROD_READY_NO_INSTALL: '' }) });
  await fill(s, {});
  await answerPlan(s, /Write \d+ files\?/, 'Yes');
  assert.equal((await s.exit).code, 0, s.transcript());
  assert.match(s.transcript(), /Installing the new dependencies \(npm install\), so package-lock\.json matches package\.json/);
  assert.match(s.transcript(), /Installed the new dependencies: package-lock\.json is up to date/);
  assert.doesNotMatch(s.transcript(), /Install the new dependencies: npm install/);
  assert.match(JSON.parse(read(dir, 'package-lock.json')).packages['node_modules/zod'].version, /^4\./);
});
