// `rehearse`: the start-up failures Render reports as "No open ports", a failing health check, a crash on a
// missing variable, a worker that exits. Real child processes, fixture apps under test/fixtures/rehearse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitAll, fixtureApp, leftovers } from '../helpers/fixture-app.ts';
import { failed, rehearse } from '../helpers/rehearse-run.ts';

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
