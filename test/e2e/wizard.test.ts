// The wizard driven through a real pseudo-terminal: keystrokes in, screen out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import dotenv from 'dotenv';
import { startPostgres } from '../harness/postgres.ts';
import { startRedis } from '../harness/redis.ts';
import { answer, cleanEnv, KEY, runPty } from '../helpers/pty.ts';
import { acceptSettings, answerPlan, changeSecret, enterSecret } from '../helpers/wizard.ts';
import { exists, read, snapshot, tempProject, NEXT_APP } from '../helpers/project.ts';
import { composeSchemaErrors, renderSchemaErrors } from '../helpers/schemas.ts';
import { withServers } from '../helpers/servers.ts';

const PG_PASSWORD = 'wizard-Pg#pass-1234';
const REDIS_PASSWORD = 'wizard-redis-pass-5678';
const { pg, redis } = withServers({ pg: () => startPostgres({ password: PG_PASSWORD }), redis: () => startRedis({ password: REDIS_PASSWORD }) });
let blackhole: Server;
let blackholePort = 0;
before(async () => {
  // accepts connections and never answers: a live check that hangs
  blackhole = createServer(() => {});
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  blackholePort = (blackhole.address() as { port: number }).port;
});
after(() => {
  blackhole?.close();
});

test('happy path: a person walks through the wizard and gets five valid files', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const s = runPty([], { cwd: dir });
  await s.waitFor('Which providers should be production-ready?');
  assert.match(s.screen(), /Detected Next\.js · npm · port 3000 · scripts: build, start, worker/);
  assert.match(s.screen(), /◼ App settings/);
  await answer(s, 'Which providers should be production-ready?');
  // every default shown once; the two URLs changed to the running servers, then accepted
  await s.waitFor(/NODE_ENV\s+development/);
  assert.match(s.screen(), /APP_URL\s+http:\/\/localhost:3000/);
  await changeSecret(s, 'DATABASE_URL', pg.url('postgres'));
  await changeSecret(s, 'REDIS_URL', redis.url);
  await acceptSettings(s);
  await s.waitFor(/App settings: http:\/\/localhost:3000 \(development\)/);
  await s.waitFor(/PostgreSQL: postgres@postgres on PostgreSQL \d+/);
  await s.waitFor(/Key Value: Redis 7/);
  await s.waitFor('Write 9 files?');
  const screen = s.screen();
  assert.match(screen, /create\s+\.env \(mode 0600\)\s+\+\d+ lines/);
  assert.match(screen, /DATABASE_URL=postgres:\/\/postgres:••••@127\.0\.0\.1/);
  await answerPlan(s, 'Write 9 files?', 'Yes');
  await s.waitFor('Next steps');
  const { code } = await s.exit;
  assert.equal(code, 0);
  for (const secret of [PG_PASSWORD, REDIS_PASSWORD]) assert.ok(!s.transcript().includes(secret), 'secret never shown');
  const env = dotenv.parse(read(dir, '.env'));
  assert.equal(env.DATABASE_URL, pg.url('postgres'));
  assert.equal(env.REDIS_URL, redis.url);
  assert.ok(!s.transcript().includes(env.JWT_SECRET!), 'JWT_SECRET never printed');
  assert.deepEqual(renderSchemaErrors(read(dir, 'render.yaml')), []);
  assert.deepEqual(composeSchemaErrors(read(dir, 'docker-compose.yml')), []);
  assert.match(read(dir, "render.yaml"), /type: "worker"/);

  // a re-run keeps everything: one confirmation per provider, then "nothing to change"
  const again = runPty([], { cwd: dir });
  await answer(again, 'Which providers should be production-ready?');
  await again.waitFor(/DATABASE_URL\s+postgres:\/\/postgres:••••@127\.0\.0\.1.*from \.env/);
  await acceptSettings(again);
  await again.waitFor('Nothing to change');
  assert.equal((await again.exit).code, 0);
});

test('Ctrl+C at the first prompt: exit 130, nothing written', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const before = snapshot(dir);
  const s = runPty([], { cwd: dir });
  await answer(s, 'Which providers should be production-ready?', undefined, KEY.ctrlC);
  assert.equal((await s.exit).code, 130);
  assert.match(s.screen(), /Cancelled/);
  assert.deepEqual(snapshot(dir), before);
});

test('Esc at a later prompt: exit 130, nothing written', async () => {
  const dir = tempProject();
  const s = runPty([], { cwd: dir });
  await answer(s, 'Which providers should be production-ready?');
  await answer(s, 'Use these settings?', undefined, KEY.esc);
  assert.equal((await s.exit).code, 130);
  assert.deepEqual(snapshot(dir), {});
});

test('Ctrl+C during a live check that hangs: exit 130 at once, nothing written', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const before = snapshot(dir);
  const s = runPty(['--providers', 'postgres'], { cwd: dir });
  await changeSecret(s, 'DATABASE_URL', `postgres://app:x@127.0.0.1:${blackholePort}/app`);
  await acceptSettings(s);
  await s.waitFor('Checking PostgreSQL');
  await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  s.write(KEY.ctrlC);
  const { code } = await s.exit;
  assert.equal(code, 130);
  assert.ok(performance.now() - t0 < 3000, 'exits promptly');
  assert.match(s.screen(), /Cancelled/);
  assert.deepEqual(snapshot(dir), before);
});

test('a failing check offers re-enter; the corrected value passes', async () => {
  const dir = tempProject({ 'package.json': NEXT_APP });
  const s = runPty(['--providers', 'postgres'], { cwd: dir, env: cleanEnv() });
  await changeSecret(s, 'DATABASE_URL', pg.url('postgres', 'postgres', 'not-the-password'));
  await acceptSettings(s);
  await s.waitFor(/rejected user "postgres": wrong password or no such user \(28P01\)/);
  await s.waitFor('What now?');
  assert.ok(!s.transcript().includes('not-the-password'));
  await answer(s, 'What now?'); // Re-enter the values
  await enterSecret(s, 'DATABASE_URL', pg.url('postgres'));
  await s.waitFor(/PostgreSQL: postgres@postgres/);
  await answerPlan(s, 'Write 9 files?', 'No');
  assert.equal((await s.exit).code, 130);
  assert.ok(!exists(dir, '.env'), 'declining the plan writes nothing');
});
