// `rehearse` end to end with real child processes: a passing app, SIGINT without a terminal, usage errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SOURCE_CLI, cleanEnv } from '../helpers/pty.ts';
import { alive, fixtureApp, leftovers, processesUnder } from '../helpers/fixture-app.ts';
import { snapshot, tempProject } from '../helpers/project.ts';
import { rehearse } from '../helpers/rehearse-run.ts';
import { runCli } from '../helpers/cli.ts';
import { freePort } from '../harness/processes.ts';

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

test('usage errors exit 2: no render.yaml, unknown service, bad --timeout, the port already taken', async () => {
  const empty = tempProject();
  const env = cleanEnv({ NO_COLOR: '1' });
  const run = (args: string[], extra: Record<string, string> = {}) => runCli(['rehearse', ...args], { cwd: empty, env: { ...env, ...extra }, source: true });
  const help = await runCli(['--help'], { cwd: empty, env, source: true });
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
  r = await runCli(['check', '--keep', '--cwd', dir], { cwd: dir, env, source: true });
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
