// Ctrl+C during each step of a rehearsal, typed into a real pseudo-terminal: exit 130, every process the
// step started (the command and its own child) ended, checked by PID, and the temporary copy gone.
// Needs dist/ (npm run build).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY, cleanEnv, runPty } from '../helpers/pty.ts';
import { tempProject } from '../helpers/project.ts';
import { alive, commitAll, fixtureApp, leftovers, processesUnder } from '../helpers/fixture-app.ts';
import { freePort } from '../harness/processes.ts';

const web = (over: string) => `services:
  - type: web
    name: interrupt-web
    runtime: node
    plan: starter
${over}`;

const CASES: { step: string; yaml: string; waitFor: RegExp; cmd: RegExp }[] = [
  { step: 'build', yaml: web('    buildCommand: node hang.js build\n    startCommand: node serve.js\n'), waitFor: /build/, cmd: /hang\.js build/ },
  {
    step: 'pre-deploy',
    yaml: web('    buildCommand: node -e 0\n    preDeployCommand: node hang.js pre-deploy\n    startCommand: node serve.js\n'),
    waitFor: /pre-deploy/,
    cmd: /hang\.js pre-deploy/,
  },
  { step: 'start (waiting for the port)', yaml: web('    startCommand: node hang.js start\n'), waitFor: /waiting for port/, cmd: /hang\.js start/ },
  { step: 'health check', yaml: web('    startCommand: node serve.js\n    healthCheckPath: /healthz\n'), waitFor: /→ 503/, cmd: /serve\.js/ },
  {
    step: 'worker staying up',
    yaml: 'services:\n  - type: worker\n    name: interrupt-worker\n    runtime: node\n    plan: starter\n    startCommand: node hang.js worker\n',
    waitFor: /up for/,
    cmd: /hang\.js worker/,
  },
];

for (const c of CASES)
  test(`Ctrl+C during ${c.step}: exit 130, no process left, the copy removed`, async (t) => {
    const dir = fixtureApp('rehearse/interrupt');
    writeFileSync(join(dir, 'render.yaml'), c.yaml);
    commitAll(dir);
    const tmp = tempProject();
    const s = runPty(['rehearse', '--cwd', dir], { cwd: dir, env: cleanEnv({ TMPDIR: tmp, PROD_READY_REHEARSE_PORT: String(await freePort()) }) });
    t.after(() => {
      // a failed assertion must not leave the rehearsal (and what it started) behind
      try {
        s.pty.kill('SIGKILL');
      } catch {
        /* ended */
      }
      for (const pid of processesUnder(tmp).keys()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    });
    await s.waitFor(c.waitFor, 30_000);
    // the step's command and the child it started, seen by PID
    let seen = new Map<number, string>();
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      seen = processesUnder(tmp);
      const cmds = [...seen.values()];
      if (cmds.some((x) => c.cmd.test(x)) && cmds.some((x) => x.includes('setInterval'))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok([...seen.values()].some((x) => x.includes('setInterval')), `the step's processes run: ${[...seen.values()].join(' | ')}`);
    s.write(KEY.ctrlC);
    const { code } = await Promise.race([
      s.exit,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 20 s after Ctrl+C\n${s.screen()}`)), 20_000)),
    ]);
    assert.equal(code, 130, s.screen());
    assert.match(s.screen(), /cancelled/i);
    const left = [...seen].filter(([pid]) => alive(pid));
    assert.deepEqual(left, [], 'every process of the step has ended');
    assert.deepEqual([...processesUnder(tmp)], []);
    assert.deepEqual(leftovers(tmp), [], 'the temporary copy is removed');
  });

test('on a terminal: a spinner per step, then the verdict; exit 0 with nothing left behind', async () => {
  const dir = fixtureApp('rehearse/pass', { '.env': 'DATABASE_URL=postgres://app:app@localhost:5432/app\nAPI_KEY=key-from-dotenv\n' });
  const tmp = tempProject();
  const s = runPty(['rehearse', '--cwd', dir], { cwd: dir, env: cleanEnv({ TMPDIR: tmp, PROD_READY_REHEARSE_PORT: String(await freePort()) }) });
  const { code } = await s.exit;
  assert.equal(code, 0, s.screen());
  const screen = s.screen();
  for (const line of [/◇ {2}build: `npm ci && npm run build` \(\d+\.\d s\)/, /◇ {2}health check: GET \/healthz → 200/, /◇ {2}start: `npm run worker`, still running after 10 s/, /└ {2}2 services rehearsed/])
    assert.match(screen, line);
  assert.deepEqual([...processesUnder(tmp)], []);
  assert.deepEqual(leftovers(tmp), []);
});
