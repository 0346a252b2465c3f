// `rehearse` against fixture apps, with real child processes: npm ci, the apps' own builds and servers,
// psql against a real PostgreSQL. Each run uses its own port (PROD_READY_REHEARSE_PORT) and its own
// TMPDIR, so the test can prove that the temporary copy is gone afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { SOURCE_CLI, cleanEnv } from '../helpers/pty.ts';
import { alive, commitAll, fixtureApp, leftovers, processesUnder } from '../helpers/fixture-app.ts';
import { snapshot, tempProject } from '../helpers/project.ts';
import { freePort } from '../harness/processes.ts';
import { startPostgres, type PgServer } from '../harness/postgres.ts';

const exec = promisify(execFile);

interface Report {
  ok: boolean;
  services: {
    name: string;
    ok: boolean;
    failedStep?: string;
    steps: { step: string; ok: boolean; detail: string; output?: string[]; hint?: string }[];
    missing: { key: string }[];
    warnings: string[];
  }[];
  skipped: { name: string }[];
}

async function rehearse(dir: string, args: string[] = []): Promise<{ code: number; report: Report; stderr: string; tmp: string }> {
  const tmp = tempProject();
  const env = cleanEnv({ TMPDIR: tmp, PROD_READY_REHEARSE_PORT: String(await freePort()), FORCE_COLOR: '0', NO_COLOR: '1' });
  try {
    const r = await exec(process.execPath, [...SOURCE_CLI, 'rehearse', '--json', '--cwd', dir, ...args], { env, timeout: 90_000 });
    return { code: 0, report: JSON.parse(r.stdout), stderr: r.stderr, tmp };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, report: JSON.parse(e.stdout), stderr: e.stderr, tmp };
  }
}

const failed = (r: Report, name: string) => {
  const s = r.services.find((x) => x.name === name)!;
  return { service: s, step: s.steps.find((x) => !x.ok)! };
};

test('a sound web service and worker pass; the user folder is untouched and the copy removed', async () => {
  const dir = fixtureApp('rehearse/pass', { '.env': 'DATABASE_URL=postgres://app:app@localhost:5432/app\nAPI_KEY=key-from-dotenv\n' });
  const before = snapshot(dir);
  const { code, report, stderr, tmp } = await rehearse(dir);
  assert.equal(code, 0, stderr);
  assert.equal(report.ok, true);
  const web = report.services.find((s) => s.name === 'pass-web')!;
  assert.deepEqual(web.steps.map((s) => [s.step, s.ok]), [['build', true], ['port', true], ['health', true]]);
  assert.match(web.steps[1]!.detail, /listening on port \d+ on all interfaces \((0\.0\.0\.0|\[::\])/);
  assert.match(web.steps[2]!.detail, /GET \/healthz → 200/);
  const worker = report.services.find((s) => s.name === 'pass-worker')!;
  assert.deepEqual(worker.steps.map((s) => [s.step, s.ok]), [['build', true], ['stay-up', true]]);
  // human lines on stderr while --json owns stdout
  assert.match(stderr, /✔ health check: GET \/healthz → 200/);
  assert.match(stderr, /2 services rehearsed/);
  assert.deepEqual(snapshot(dir), before, 'nothing in the user folder changed');
  assert.ok(!existsSync(join(dir, 'node_modules')) && !existsSync(join(dir, 'dist')), 'the build ran in the copy');
  assert.deepEqual(leftovers(tmp), []);
});

test('an app listening on 127.0.0.1 fails at start, naming the address and the fix', async () => {
  const { code, report, tmp } = await rehearse(fixtureApp('rehearse/loopback'));
  assert.equal(code, 1);
  const { service, step } = failed(report, 'loopback-web');
  assert.equal(service.failedStep, 'port');
  assert.match(step.detail, /listens on 127\.0\.0\.1:\d+ only/);
  assert.match(step.hint!, /0\.0\.0\.0/);
  assert.ok(step.output!.some((l) => l.includes('listening on http://127.0.0.1:')), 'the app’s own log is shown');
  assert.deepEqual(leftovers(tmp), []);
});

test('an app on another port than PORT: the rehearsal names the port it found', async () => {
  const dir = fixtureApp('rehearse/loopback');
  // a hard-coded port (PORT + 1, to stay clear of other servers), on every interface
  writeFileSync(join(dir, 'server.js'), "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT) + 1);\n");
  commitAll(dir);
  const { code, report } = await rehearse(dir, ['--timeout', '3']);
  assert.equal(code, 1);
  const { step } = failed(report, 'loopback-web');
  assert.match(step.detail, /nothing listens on port (\d+) after 3\.0 s \(it listens on \[::\]:(\d+)\)/);
  const [, want, got] = /port (\d+) .*:(\d+)\)/.exec(step.detail)!;
  assert.equal(Number(got), Number(want) + 1);
  assert.match(step.hint!, /read the port from the PORT variable/);
});

test('a health check path the app does not serve fails with the status it got', async () => {
  const { code, report } = await rehearse(fixtureApp('rehearse/no-health'), ['--timeout', '2']);
  assert.equal(code, 1);
  const { service, step } = failed(report, 'no-health-web');
  assert.equal(service.failedStep, 'health');
  assert.match(step.detail, /GET \/healthz answered 404 for 2\.0 s/);
  assert.match(step.hint!, /serve 200 on \/healthz/);
});

test('a sync: false value missing from .env: listed, and the crash shows the app’s own line; with the value it passes', async () => {
  const dir = fixtureApp('rehearse/missing-env');
  const { code, report, stderr } = await rehearse(dir);
  assert.equal(code, 1);
  const { service, step } = failed(report, 'missing-env-web');
  assert.deepEqual(service.missing.map((m) => m.key), ['STRIPE_SECRET_KEY']);
  assert.match(stderr, /STRIPE_SECRET_KEY has no value .*the deploy would start without it/);
  assert.equal(service.failedStep, 'port');
  assert.match(step.detail, /exited with code 1 before listening/);
  assert.ok(step.output!.includes('config error: STRIPE_SECRET_KEY is required (set it in the environment)'), step.output!.join('\n'));
  assert.match(stderr, /│ config error: STRIPE_SECRET_KEY is required/);

  writeFileSync(join(dir, '.env'), 'STRIPE_SECRET_KEY=sk_test_from_dotenv\n');
  const again = await rehearse(dir);
  assert.equal(again.code, 0, again.stderr);
});

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

test('a worker that exits early fails at start with its own output; --keep leaves the copy and logs; a pinned Node is compared', async () => {
  const dir = fixtureApp('rehearse/worker-exits');
  writeFileSync(join(dir, '.node-version'), '18.20.0\n');
  commitAll(dir);
  const { code, report, stderr } = await rehearse(dir, ['--keep']);
  assert.equal(code, 1);
  const { service, step } = failed(report, 'jobs-worker');
  assert.equal(service.failedStep, 'stay-up');
  assert.match(step.detail, /exited with code 0 after \d+\.\d s: a worker must keep running/);
  assert.ok(step.output!.includes('worker: done'));
  assert.ok(service.warnings.some((w) => new RegExp(`Node 18\\.20\\.0 wanted \\(\\.node-version\\), this machine runs ${process.version}: rehearsed on ${process.version} \\(Render uses 18`).test(w)), service.warnings.join('\n'));
  const kept = (report as unknown as { kept: string }).kept;
  assert.match(stderr, /kept the copy and the logs in /);
  assert.match(readFileSync(join(kept, 'logs', 'jobs-worker-start.log'), 'utf8'), /worker: done/);
  assert.ok(existsSync(join(kept, 'jobs-worker', 'worker.js')));
  rmSync(kept, { recursive: true, force: true });
});

test('SIGINT without a terminal (CI, a pipe): exit 130, the build’s processes ended, the copy removed', async () => {
  const dir = fixtureApp('rehearse/interrupt');
  const tmp = tempProject();
  const child = spawn(process.execPath, [...SOURCE_CLI, 'rehearse', '--cwd', dir], {
    env: cleanEnv({ TMPDIR: tmp, PROD_READY_REHEARSE_PORT: String(await freePort()), NO_COLOR: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let seen = new Map<number, string>();
  for (let i = 0; i < 300 && ![...seen.values()].some((c) => c.includes('setInterval')); i++) {
    await new Promise((r) => setTimeout(r, 50));
    seen = processesUnder(tmp);
  }
  assert.ok([...seen.values()].some((c) => /hang\.js build/.test(c)), out);
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.deepEqual([...seen.keys()].filter(alive), []);
  assert.deepEqual(leftovers(tmp), []);
});

test('rootDir: the commands run in that folder of the copy, with its own .env', async () => {
  const dir = fixtureApp('rehearse/monorepo');
  writeFileSync(join(dir, 'apps/api/.env'), 'API_TOKEN=token-from-the-app-folder\n');
  const { code, report, stderr } = await rehearse(dir);
  assert.equal(code, 0, stderr);
  assert.deepEqual(report.services[0]!.steps.map((s) => s.step), ['build', 'port', 'health']);
  assert.match(stderr, /copied the \d+ files git would commit, and apps\/api\/\.env/);
  assert.ok(!existsSync(join(dir, 'apps/api/node_modules')));
});

test('init --yes, then rehearse: the lock file out of date, then the missing /healthz, then a pass', async () => {
  const dir = fixtureApp('rehearse/no-health');
  rmSync(join(dir, 'render.yaml'));
  commitAll(dir);
  const init = await exec(process.execPath, [...SOURCE_CLI, '--yes', '--skip-verify', '--providers', 'postgres', '--cwd', dir], {
    env: cleanEnv({ DATABASE_URL: 'postgres://app:app@localhost:5432/app', NO_COLOR: '1' }),
  });
  assert.match(init.stdout, /→ Rehearse the deploy here, the way Render runs it: npx create-prod-ready rehearse/);
  commitAll(dir);
  // init added a dependency to package.json: until `npm install` updates the lock, npm ci fails, on Render too
  let r = await rehearse(dir);
  assert.equal(r.code, 1);
  assert.equal(r.report.services[0]!.failedStep, 'build');
  assert.match(failed(r.report, r.report.services[0]!.name).step.hint!, /run `npm install` and commit package-lock\.json/);
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent'], { cwd: dir });
  commitAll(dir);
  // the generated Blueprint checks /healthz, which this app does not serve
  r = await rehearse(dir, ['--timeout', '2']);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.report.services[0]!.failedStep, 'health');
  assert.match(r.stderr, /GET \/healthz answered 404/);
  writeFileSync(join(dir, 'server.js'), readFileSync(join(dir, 'server.js'), 'utf8').replace("req.url === '/'", "req.url === '/' || req.url === '/healthz'"));
  commitAll(dir);
  r = await rehearse(dir);
  assert.equal(r.code, 0, r.stderr);
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

test('usage errors exit 2: no render.yaml, unknown service, bad --timeout, the port already taken', async () => {
  const empty = tempProject();
  const env = cleanEnv({ NO_COLOR: '1' });
  const run = (args: string[], extra: Record<string, string> = {}) =>
    exec(process.execPath, [...SOURCE_CLI, 'rehearse', ...args], { env: { ...env, ...extra } }).then(
      () => ({ code: 0, stderr: '', stdout: '' }),
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
  const help = await exec(process.execPath, [...SOURCE_CLI, '--help'], { env });
  for (const s of ['rehearse [SERVICE ...]', '--keep', '--timeout S', 'PROD_READY_REHEARSE_PORT']) assert.ok(help.stdout.includes(s), `help mentions ${s}`);
  let r = await run(['--cwd', empty]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no render\.yaml here/);
  const dir = fixtureApp('rehearse/pass');
  r = await run(['nope', '--cwd', dir, '--json']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /render\.yaml has no service named nope\n {2}services: pass-web, pass-worker/);
  assert.deepEqual(JSON.parse(r.stdout), { ok: false, services: [], error: 'render.yaml has no service named nope' });
  r = await run(['--timeout', 'soon', '--cwd', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--timeout soon: expected a number of seconds/);
  r = await exec(process.execPath, [...SOURCE_CLI, 'check', '--keep', '--cwd', dir], { env }).then(() => ({ code: 0, stderr: '', stdout: '' }), (e: { code: number; stderr: string; stdout: string }) => e);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--keep is an option of rehearse/);
  r = await run(['--cwd', dir, '--finish']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--finish is an option of rotate/);

  const busy = createServer();
  await new Promise<void>((res) => busy.listen(0, '127.0.0.1', res));
  const port = (busy.address() as { port: number }).port;
  r = await run(['pass-web', '--cwd', dir], { PROD_READY_REHEARSE_PORT: String(port) });
  busy.close();
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`port ${port} is already in use`));
});

let pgServer: PgServer;
before(async () => {
  pgServer = await startPostgres();
});
after(async () => {
  await pgServer?.stop();
});

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
