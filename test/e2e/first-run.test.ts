// A new user's first minutes, through a real pty: local services started through Docker (a `docker`
// stand-in that starts the harness's real PostgreSQL and redis-server on the ports docker-compose.yml
// publishes), no Docker at all, re-entry keeping what was typed, the plan summary and the diff on request,
// and how many questions a run with every default accepted asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { KEYS } from '../standins/stripe.ts';
import { startStandins } from '../standins/all.ts';
import { answer, answerAll, choose, cleanEnv, KEY, promptFrame, runPty, submit } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { exists, read, snapshot, tempProject, NEXT_APP } from '../helpers/project.ts';
import { composeSchemaErrors } from '../helpers/schemas.ts';
import { pathWithoutDocker, startDockerStandin } from '../helpers/docker-standin.ts';
import { answerPlan } from '../helpers/wizard.ts';
import { withServers } from '../helpers/servers.ts';

const { all } = withServers({ all: () => startStandins() });

/** The values only the user knows, typed; every other prompt gets Enter (its default). */
const userOnly = (p: string) => (p.startsWith('STRIPE_SECRET_KEY') ? KEYS.test : p.startsWith('STRIPE_PUBLISHABLE_KEY') ? KEYS.publishableTest : undefined);

test('new user with Docker: app + Postgres + Redis + Stripe, every default accepted: 5 questions, services started, every check real', async () => {
  const docker = await startDockerStandin();
  try {
    // no package.json: the generated migrations are written, not applied (no npm install in a test)
    const dir = tempProject();
    const s = runPty([], { cwd: dir, env: cleanEnv({ PATH: docker.path, ...docker.env, PROD_READY_STRIPE_URL: all.stripe.url }) });
    await promptFrame(s, 'Which providers should be production-ready?');
    s.write(KEY.down.repeat(5) + KEY.space); // + Stripe (app, Postgres, Redis are preselected)
    await s.waitFor(/◼ Stripe/);
    const asked = await answerAll(s, userOnly);
    assert.equal((await s.exit).code, 0, s.screen());
    assert.deepEqual(
      asked.map((q) => q.replace(/ \(.*$/, '').replace(/\d+/, 'N')),
      ['Which providers should be production-ready?', 'STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'Use these settings?', 'Write N files?'],
    );
    const screen = s.screen();
    // what was started is named, with the command, after the settings confirmation offered it
    assert.match(screen, /Not running: postgres \(localhost:5432\), redis \(localhost:6379\)\. Docker can start postgres and redis/);
    assert.match(screen, /Started postgres, redis with Docker \(docker compose up -d --wait postgres redis\)/);
    assert.deepEqual(docker.calls().filter((c) => c[0] === 'compose'), [['compose', 'up', '-d', '--wait', 'postgres', 'redis']]);
    // the real checks passed against what "Docker" started
    assert.match(screen, /PostgreSQL: app@app on PostgreSQL \d+/);
    assert.match(screen, /Redis \/ Key Value: Redis \d/);
    assert.match(screen, /Stripe: acct_\w+/);
    assert.deepEqual(composeSchemaErrors(read(dir, 'docker-compose.yml')), []);
    const env = dotenv.parse(read(dir, '.env'));
    assert.equal(env.DATABASE_URL, 'postgres://app:app@localhost:5432/app');
    assert.equal(env.REDIS_URL, 'redis://localhost:6379');
    assert.equal(env.STRIPE_PUBLISHABLE_KEY, KEYS.publishableTest);
    assert.ok(!s.transcript().includes(KEYS.test), 'the secret key is never shown');
    // the next steps do not tell the user to start what already runs
    assert.doesNotMatch(screen, /Start the local services/);
  } finally {
    await docker.stop();
  }
});

test('Docker installed but its daemon down: one clear line, nothing started, a hosted URL offered instead', async () => {
  const docker = await startDockerStandin({ daemon: 'down' });
  try {
    const dir = tempProject();
    const s = runPty(['--providers', 'postgres'], { cwd: dir, env: cleanEnv({ PATH: docker.path, ...docker.env }) });
    await s.waitFor(/Docker's daemon is not running \(Cannot connect to the Docker daemon.*\): postgres cannot be started here/);
    await choose(s, 'Use these settings?', 'Enter a hosted DATABASE_URL instead');
    await answer(s, /^◆  DATABASE_URL /, undefined, KEY.esc);
    assert.equal((await s.exit).code, 130);
    assert.deepEqual(docker.calls().filter((c) => c[0] === 'compose'), [], 'nothing started');
    assert.deepEqual(snapshot(dir), {});
  } finally {
    await docker.stop();
  }
});

test('no docker on PATH: one clear line, the offer of a hosted URL, and the URL entered is checked', async () => {
  const { startPostgres } = await import('../harness/postgres.ts');
  const pg = await startPostgres({ password: 'hosted-Pg-pass-1234' });
  try {
    const dir = tempProject();
    const s = runPty(['--providers', 'postgres'], { cwd: dir, env: cleanEnv({ PATH: pathWithoutDocker() }) });
    await s.waitFor(/Docker is not installed \(no `docker` command on PATH\): postgres cannot be started here/);
    assert.match(s.screen(), /Not running: postgres \(localhost:5432\)/);
    await choose(s, 'Use these settings?', 'Enter a hosted DATABASE_URL instead');
    await answer(s, /^◆  DATABASE_URL /, pg.url('postgres'));
    await choose(s, 'Use these settings?', /[●○] Yes$/);
    await s.waitFor(/PostgreSQL: postgres@postgres/);
    await answerPlan(s, /Write \d+ files\?/, 'Yes');
    assert.equal((await s.exit).code, 0);
    assert.equal(dotenv.parse(read(dir, '.env')).DATABASE_URL, pg.url('postgres'));
    assert.ok(!s.transcript().includes('hosted-Pg-pass-1234'));
  } finally {
    await pg.stop();
  }
});

test('re-entry after a failed check keeps what was typed: non-secrets as defaults, secrets kept unless changed; every prompt shows its default', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const s = runPty(['--providers', 'stripe'], { cwd: dir, env: cleanEnv({ PROD_READY_STRIPE_URL: all.stripe.url }) });
  await answer(s, /^◆  STRIPE_SECRET_KEY /, 'sk_test_' + 'Z'.repeat(40)); // well-formed, unknown to Stripe
  await answer(s, /^◆  STRIPE_PUBLISHABLE_KEY /, KEYS.publishableTest);
  // STRIPE_WEBHOOK_EVENTS: empty, and the summary says what empty means
  await s.waitFor(/STRIPE_WEBHOOK_EVENTS\s+\(empty: checkout\.session\.completed,/);
  await choose(s, 'Use these settings?', /[●○] Yes$/);
  await s.waitFor('What now?');
  await choose(s, 'What now?', 'Re-enter the values');
  // the secret typed is offered, masked, and kept unless changed
  await choose(s, 'Which STRIPE_SECRET_KEY?', 'Enter a value');
  await answer(s, /^◆  STRIPE_SECRET_KEY /, KEYS.test);
  // the publishable key typed before is the default: Enter keeps it
  let frame = await promptFrame(s, /^◆  STRIPE_PUBLISHABLE_KEY /);
  assert.match(s.screen().slice(s.screen().lastIndexOf('◆  ')), new RegExp(KEYS.publishableTest));
  await submit(s, frame);
  frame = await promptFrame(s, /^◆  STRIPE_WEBHOOK_PATH /);
  assert.match(s.screen().slice(s.screen().lastIndexOf('◆  ')), /\/api\/webhooks\/stripe/);
  await submit(s, frame);
  frame = await promptFrame(s, /^◆  STRIPE_WEBHOOK_EVENTS /);
  assert.match(s.screen().slice(s.screen().lastIndexOf('◆  ')), /checkout\.session\.completed,customer\.subscription\.created/, 'the default events are shown');
  await submit(s, frame);
  await s.waitFor(/Stripe: acct_\w+/);
  // the plan: a summary, then the full diff on request
  await s.waitForPrompt(/Write \d+ files\?/);
  const summary = s.screen();
  assert.match(summary, /create\s+\.env \(mode 0600\)\s+\+\d+ lines/);
  assert.match(summary, /STRIPE_SECRET_KEY=••••0001/);
  assert.match(summary, new RegExp(`STRIPE_PUBLISHABLE_KEY=${KEYS.publishableTest}`));
  assert.doesNotMatch(summary, /^│\s+\+STRIPE_SECRET_KEY/m, 'no diff before it is asked for');
  await answerPlan(s, /Write \d+ files\?/, 'Show the full diff first');
  await s.waitFor(/\+STRIPE_SECRET_KEY=••••0001/);
  // the question again, after the diff: answered once its whole frame is drawn (a bare Enter could land
  // before the new prompt listens, and the run would wait for input forever)
  await answerPlan(s, /Write \d+ files\?/, 'Yes');
  assert.equal((await s.exit).code, 0);
  const env = dotenv.parse(read(dir, '.env'));
  assert.equal(env.STRIPE_SECRET_KEY, KEYS.test);
  assert.equal(env.STRIPE_PUBLISHABLE_KEY, KEYS.publishableTest);
  assert.ok(!s.transcript().includes(KEYS.test));
});

test('--yes without --start-services names the fix instead of a compose command on a file that does not exist; with it, the services start', async () => {
  const docker = await startDockerStandin();
  try {
    const dir = tempProject();
    const env = cleanEnv({ PATH: docker.path, ...docker.env, FORCE_COLOR: '0' });
    const failed = await runCli(['--yes', '--providers', 'app,postgres'], { cwd: dir, env });
    assert.equal(failed.code, 1);
    assert.match(failed.stdout, /PostgreSQL: nothing listens on postgres \(localhost:5432\), the local docker-compose default — pass --start-services/);
    assert.doesNotMatch(failed.stdout, /Start the local one with `docker compose up -d postgres`/);
    assert.ok(!exists(dir, 'docker-compose.yml'));
    assert.deepEqual(docker.calls(), [], 'nothing started without --start-services');

    const ok = await runCli(['--yes', '--start-services', '--providers', 'app,postgres'], { cwd: dir, env });
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.stdout, /Started postgres with Docker \(docker compose up -d --wait postgres\)/);
    assert.match(ok.stdout, /PostgreSQL: app@app/);
    assert.deepEqual(docker.calls().filter((c) => c[0] === 'compose'), [['compose', 'up', '-d', '--wait', 'postgres']]);
    assert.deepEqual(composeSchemaErrors(read(dir, 'docker-compose.yml')), []);
  } finally {
    await docker.stop();
  }
});

test('--dry-run in the wizard names a local service that is not running, and never writes or starts it', async () => {
  const docker = await startDockerStandin();
  try {
    const dir = tempProject();
    const s = runPty(['--dry-run', '--providers', 'postgres'], { cwd: dir, env: cleanEnv({ PATH: docker.path, ...docker.env }) });
    await s.waitFor(/Not running: postgres \(localhost:5432\)\.\s+│/);
    await choose(s, 'Use these settings?', /[●○] Yes$/);
    await s.waitFor(/PostgreSQL: nothing listens on postgres \(localhost:5432\), the local docker-compose default/);
    await choose(s, 'What now?', 'Keep them unverified');
    await s.waitFor('Dry run: nothing was changed or written.');
    assert.equal((await s.exit).code, 0);
    assert.doesNotMatch(s.transcript(), /Start postgres with Docker|start postgres, redis with Docker/);
    assert.match(s.screen(), /\+DATABASE_URL=postgres:\/\/app:••••@localhost:5432\/app/, 'the dry run shows the full diff');
    assert.deepEqual(docker.calls(), [], 'Docker never called');
    assert.deepEqual(snapshot(dir), {});
  } finally {
    await docker.stop();
  }
});
