// `rotate` for the credentials this tool makes itself: JWT_SECRET (generated here) and the PostgreSQL
// password (ALTER ROLE with a SCRAM verifier, on a real PostgreSQL 15), through the built CLI.
//
// Fault matrix (each row ends with a working credential in .env, then a re-run that completes):
//   rotation           | fault                                   | after the fault                          | re-run
//   JWT_SECRET         | killed after "started"                  | .env unchanged                           | rotates
//   JWT_SECRET         | killed after "created"                  | .env unchanged (nothing was written)     | rotates
//   postgres.password  | killed after "started" (pending only)   | old DATABASE_URL works                   | "had not changed", rotates
//   postgres.password  | killed after "created" (ALTER done)     | PROD_READY_PENDING_DATABASE_URL works    | promotes it, finishes
//   postgres.password  | killed after "written"                  | new DATABASE_URL works                   | finishes
//   postgres.password  | server down during ALTER                | old DATABASE_URL (unchanged) — no change | (server back) rotates
//   postgres.password  | a Render-managed host                   | refused before anything, with the guide  | —
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import postgres from 'postgres';
import { createRoleAndDatabase, startPostgres } from '../harness/postgres.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import { read, tempProject } from '../helpers/project.ts';
import { withServers } from '../helpers/servers.ts';

let n = 0;
const { pg } = withServers({ pg: () => startPostgres({ password: 'pg-Rot#secret' }) });

const cli = (args: string[], cwd: string, env: Record<string, string> = {}) => runCli(args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', CI: '1', ...env }) });

async function works(url: string | undefined): Promise<boolean> {
  if (!url) return false;
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const APP = 'NODE_ENV=development\nPORT=3000\nAPP_URL=http://localhost:3000\nCORS_ORIGINS=http://localhost:3000\n';
const env = (dir: string) => dotenv.parse(read(dir, '.env'));
const memory = (dir: string) => JSON.parse(read(dir, 'prod-ready.json'));

async function pgProject(): Promise<{ dir: string; url: string; password: string }> {
  const name = `rot_${++n}`;
  const password = `Old-${name}-Passw0rd`;
  await createRoleAndDatabase(pg, { user: name, password, database: name, canCreate: true });
  const url = pg.url(name, name, password);
  return { dir: tempProject({ '.env': `${APP}JWT_SECRET=${'j'.repeat(43)}\n# the database\nDATABASE_URL=${url}\n` }), url, password };
}

test('JWT_SECRET: a new secret, the old kept as JWT_SECRET_PREVIOUS; the next rotation drops the oldest', async () => {
  const dir = tempProject({ '.env': `${APP}JWT_SECRET=${'a'.repeat(43)}\n` });
  const r = await cli(['rotate', 'JWT_SECRET', '--yes'], dir);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const first = env(dir);
  assert.equal(first.JWT_SECRET_PREVIOUS, 'a'.repeat(43));
  assert.equal(Buffer.from(first.JWT_SECRET!, 'base64url').length, 32);
  assert.ok(!r.stdout.includes(first.JWT_SECRET!) && !r.stdout.includes('a'.repeat(43)), 'no secret printed');
  assert.equal(memory(dir).rotations, undefined, 'nothing left unfinished');
  assert.ok(!read(dir, 'prod-ready.json').includes(first.JWT_SECRET!));

  assert.equal((await cli(['rotate', 'app.jwt', '--yes'], dir)).code, 0);
  const second = env(dir);
  assert.equal(second.JWT_SECRET_PREVIOUS, first.JWT_SECRET);
  assert.ok(!Object.values(second).includes('a'.repeat(43)), 'the oldest is dropped');
  assert.match(read(dir, '.env'), /^NODE_ENV=development\nPORT=3000\n/, 'the rest of .env is kept in place');
});

test('JWT_SECRET killed after "started" and after "created": .env unchanged, a re-run rotates', async () => {
  for (const point of ['started', 'created']) {
    const dir = tempProject({ '.env': `${APP}JWT_SECRET=${'b'.repeat(43)}\n` });
    const killed = await cli(['rotate', 'JWT_SECRET', '--yes'], dir, { PROD_READY_CRASH_AFTER: point });
    assert.notEqual(killed.code, 0);
    assert.equal(env(dir).JWT_SECRET, 'b'.repeat(43), point);
    assert.equal(memory(dir).rotations['app.jwt'].step, 'started');
    const again = await cli(['rotate', '--yes'], dir); // no target: finishes what is unfinished
    assert.equal(again.code, 0, again.stderr);
    assert.equal(env(dir).JWT_SECRET_PREVIOUS, 'b'.repeat(43));
    assert.equal(memory(dir).rotations, undefined);
  }
});

test('--dry-run and --json: the steps are listed and nothing changes', async () => {
  const dir = tempProject({ '.env': `${APP}JWT_SECRET=${'c'.repeat(43)}\n` });
  const before = read(dir, '.env');
  const r = await cli(['rotate', 'JWT_SECRET', '--dry-run', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.ok, true);
  assert.equal(doc.rotations[0].id, 'app.jwt');
  assert.match(doc.rotations[0].done.join('\n'), /write JWT_SECRET, JWT_SECRET_PREVIOUS to \.env/);
  assert.equal(read(dir, '.env'), before);
  const none = await cli(['rotate', 'STRIPE_SECRET_KEY', '--yes'], dir);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /nothing to rotate named STRIPE_SECRET_KEY\n {2}rotatable here: app\.jwt \(JWT_SECRET\)/);
});

test('PostgreSQL password: ALTER ROLE with a SCRAM verifier; the new URL works, the old does not, nothing printed', async () => {
  const { dir, url, password } = await pgProject();
  const r = await cli(['rotate', 'DATABASE_URL', '--yes'], dir);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const next = env(dir).DATABASE_URL!;
  assert.notEqual(next, url);
  assert.equal(await works(next), true);
  assert.equal(await works(url), false);
  const newPassword = new URL(next).password;
  for (const out of [r.stdout, r.stderr, read(dir, 'prod-ready.json')]) assert.ok(!out.includes(password) && !out.includes(newPassword), 'no password printed or recorded');
  assert.match(r.stdout, /the new PostgreSQL password works/);
  assert.ok(!read(dir, '.env').includes('PROD_READY_PENDING'), 'no pending slot left');
  assert.match(read(dir, '.env'), /# the database\nDATABASE_URL=/, 'the line stays where it was');
  const stored = await postgres(pg.url())`select rolpassword from pg_authid where rolname = ${new URL(url).username}`;
  assert.match(stored[0]!.rolpassword, /^SCRAM-SHA-256\$4096:/);
});

test('PostgreSQL password killed at every step: a working credential in .env each time, and a re-run finishes', async () => {
  for (const point of ['started', 'created', 'written']) {
    const { dir, url } = await pgProject();
    const killed = await cli(['rotate', 'postgres.password', '--yes'], dir, { PROD_READY_CRASH_AFTER: point });
    assert.notEqual(killed.code, 0, point);
    const e = env(dir);
    const working = [(await works(e.DATABASE_URL)) && 'DATABASE_URL', (await works(e.PROD_READY_PENDING_DATABASE_URL)) && 'pending'].filter(Boolean);
    assert.deepEqual(working, { started: ['DATABASE_URL'], created: ['pending'], written: ['DATABASE_URL'] }[point], point);
    const again = await cli(['rotate', '--yes'], dir);
    assert.equal(again.code, 0, `${point}: ${again.stderr}${again.stdout}`);
    if (point === 'started') assert.match(again.stdout, /had not changed the PostgreSQL password: started over/);
    if (point === 'created') assert.match(again.stdout, /had changed the PostgreSQL password: \.env now has the new one/);
    const final = env(dir);
    assert.equal(await works(final.DATABASE_URL), true, point);
    assert.equal(final.PROD_READY_PENDING_DATABASE_URL, undefined);
    assert.equal(memory(dir).rotations, undefined);
    if (point !== 'started') assert.equal(await works(url), false, 'the old password is gone');
  }
});

test('PostgreSQL password: the server down at the change leaves .env as it was; a Render-managed host is guided, not altered', async () => {
  const { dir, url } = await pgProject();
  const down = new URL(url);
  down.port = '1'; // nothing listens there
  const text = read(dir, '.env').replace(url, down.toString());
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${dir}/.env`, text);
  const r = await cli(['rotate', 'DATABASE_URL', '--yes'], dir, { PROD_READY_TIMEOUT_MS: '3000' });
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /the PostgreSQL password was not changed and \.env still has the old one/);
  assert.equal(read(dir, '.env'), text);
  assert.equal(memory(dir).rotations, undefined);

  const render = tempProject({ '.env': `${APP}DATABASE_URL=postgres://shop:pw-Secret-1234@dpg-abc123-a.oregon-postgres.render.com/shop\n` });
  const before = read(render, '.env');
  const g = await cli(['rotate', 'DATABASE_URL', '--yes'], render);
  assert.equal(g.code, 1);
  assert.match(g.stdout + g.stderr, /dpg-abc123-a\.oregon-postgres\.render\.com is a Render-managed database/);
  assert.match(g.stdout + g.stderr, /Info → Credentials → create a new user/);
  assert.equal(read(render, '.env'), before);
});

test('the picker (pty): rotate without arguments lists what can be rotated; Space and Enter rotate it; Ctrl+C writes nothing', async () => {
  const { answer, runPty, KEY } = await import('../helpers/pty.ts');
  const { dir } = await pgProject();
  const before = read(dir, '.env');
  const cancelled = runPty(['rotate'], { cwd: dir, env: cleanEnv() });
  await cancelled.waitForPrompt(/What do you want to rotate\?/);
  assert.match(cancelled.screen(), /JWT_SECRET[\s\S]*PostgreSQL password/);
  await answer(cancelled, /What do you want to rotate\?/, undefined, KEY.ctrlC);
  assert.equal((await cancelled.exit).code, 130);
  assert.equal(read(dir, '.env'), before);

  const s = runPty(['rotate'], { cwd: dir, env: cleanEnv() });
  await answer(s, /What do you want to rotate\?/, ' '); // the first: JWT_SECRET
  await s.waitFor('Rotated.');
  assert.equal((await s.exit).code, 0);
  const e = env(dir);
  assert.equal(e.JWT_SECRET_PREVIOUS, 'j'.repeat(43));
  assert.ok(!s.transcript().includes(e.JWT_SECRET!) && !s.transcript().includes('j'.repeat(43)));
});
