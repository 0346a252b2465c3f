// Interruption: SIGINT (Ctrl+C through a real pty, and a real `kill -INT`) at every prompt of the wizard and
// during every live check held open, SIGKILL at every point of the write step, and two runs at once.
//
// The prompts are found by walking the flow, not listed here: a walk answers every prompt it meets (Enter
// for defaults, "Enter a value" and a value for secrets) and stops at the final confirmation; then one run
// per prompt answers the ones before it and interrupts there. A prompt added to the wizard is covered
// without a change here. Every interrupted run must exit 130, leave the project byte for byte as it was and
// print no stack trace.
import { createServer, type Server } from 'node:net';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import dotenv from 'dotenv';
import { freePort, startPostgres, type PgServer } from '../harness/postgres.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import { KEY, runPty, type Session } from '../helpers/pty.ts';
import { NEXT_APP, tempProject } from '../helpers/project.ts';
import { lockPath } from '../../src/core/lock.ts';
import { cli, hasStackTrace, suiteEnv } from './run.ts';
import { pool, sameEntry, sleep, TEMP_FILE, tempFiles, tree, treeDiff, type Tree } from './tree.ts';
import type { Figure, SuiteResult, Transcript } from './types.ts';

const PG_PASSWORD = 'intr-Pg#pass-4821';
const REDIS_PASSWORD = 'intr-redis-pass-7356';
const OLD_PASSWORD = 'Old-db-Pass-90417';
const HOLE_PASSWORD = 'hole-Pass-55210';
/** pty sessions at once (node starts are CPU-bound; CI machines have 2 cores). */
const CONCURRENCY = 3;
const HOWS = ['Ctrl+C', 'kill -INT'] as const;
type How = (typeof HOWS)[number];
/** The final confirmation (src/ui/face-wizard.ts): the walk never answers it (that would write). */
const FINAL = /^(?:Write \d+ files?|Make \d+ changes? at providers.*)\?$/;
const SPINNER = /^[◒◐◓◑]  (.+?)\.*$/;
const LOCK_WAIT_MS = 2000;
/** How long a run may take to exit after Ctrl+C before it counts as hung (generous: a busy machine is slow, a hang is forever). */
const EXIT_WAIT_MS = 30_000;

/** One way through the wizard. */
export interface Flow {
  name: string;
  /** A fresh project folder for one run. */
  project: () => string;
  /** What to type at a secret's prompt, by key, in order (the last one repeats). */
  values: Record<string, string[]>;
}

interface Walk {
  flow: string;
  how: How;
  /** Prompts met, in order (the interrupted one last). */
  prompts: string[];
  /** Keys whose value was typed. */
  typed: string[];
  /** Titles of the spinners seen. */
  spinners: string[];
  /** Where the run was interrupted (`id`: the label, with "#2"… when the flow asks it again). */
  at?: { label: string; id: string; kind: 'prompt' | 'spinner'; index: number };
  /** The run ended by itself (a flow without a final confirmation). */
  ended: boolean;
  code: number | null;
  signal: number | null;
  changed: string[];
  stack: boolean;
  /** The walk itself went wrong (no answer known for a prompt, a hang…). */
  problem?: string;
  transcript: Transcript;
}

const labelOf = (msg: string) => msg.replace(/\s+\(.*$/, '').trim();
/** A prompt's id in a walk: its label, numbered from its second time on. */
const idOf = (prompts: string[], i: number) => {
  const n = prompts.slice(0, i).filter((l) => l === prompts[i]).length;
  return n ? `${prompts[i]} #${n + 1}` : prompts[i]!;
};
const activeSection = (sc: string) => sc.slice(Math.max(0, sc.lastIndexOf('◆  ')));
const selectedOption = (sc: string) => /[●] .*/.exec(activeSection(sc).split('\n').slice(1).join('\n'))?.[0] ?? '';
const lastLine = (sc: string) => sc.split('\n').filter((l) => l.trim()).at(-1)?.trim() ?? '';
const count = (hay: string, needle: string) => hay.split(needle).length - 1;

/** Answers one prompt as a person accepting the defaults would; secrets get "Enter a value" and the flow's value. */
async function answer(s: Session, msg: string, values: Record<string, string[]>, typed: (key: string) => void): Promise<void> {
  if (/^Which [A-Z][A-Z0-9_]*\?/.test(msg)) {
    for (let n = 0; n < 8 && !selectedOption(s.screen()).includes('Enter a value'); n++) {
      const was = selectedOption(s.screen());
      s.write(KEY.down);
      await s.waitFor((sc) => selectedOption(sc) !== was, 20_000);
    }
    s.write(KEY.enter);
    return;
  }
  const key = /^([A-Z][A-Z0-9_]*)\b/.exec(msg)?.[1];
  if (key && values[key]) {
    const list = values[key]!;
    const v = list.length > 1 ? list.shift()! : list[0]!;
    await s.type(v);
    s.write(KEY.enter);
    typed(key);
    return;
  }
  s.write(KEY.enter); // a default, a multiselect's preselection, Yes, the first choice
}

/**
 * Walks `flow` in a pty: answers prompts until prompt number `stopAt` (or the final confirmation, or the
 * spinner after `holdKey`'s value), then interrupts with `how`.
 */
export async function walk(flow: Flow, opts: { how: How; stopAt?: number; holdKey?: string }): Promise<Walk> {
  const dir = flow.project();
  const before = tree(dir);
  const s = runPty([], { cwd: dir, env: suiteEnv() });
  let raw = '';
  s.pty.onData((d) => (raw += d));
  let exited = false;
  void s.exit.then(() => (exited = true));
  const what = `wizard (${flow.name}), ${opts.how} at ${opts.holdKey ? `the check after ${opts.holdKey}` : opts.stopAt === undefined ? 'the final confirmation' : `prompt ${opts.stopAt + 1}`}`;
  const w: Walk = { flow: flow.name, how: opts.how, prompts: [], typed: [], spinners: [], ended: false, code: null, signal: null, changed: [], stack: false, transcript: { what, stdout: '', stderr: '' } };
  const values = Object.fromEntries(Object.entries(flow.values).map(([k, v]) => [k, [...v]]));
  const interrupt = () => (opts.how === 'Ctrl+C' ? s.write(KEY.ctrlC) : process.kill(s.pty.pid, 'SIGINT'));
  let lastIdx = -1;
  let hold = false;
  try {
    for (let i = 0; ; i++) {
      let found: { idx: number; msg: string } | undefined;
      let spinning: string | undefined;
      const look = (sc: string) => {
        if (hold) {
          const m = SPINNER.exec(lastLine(sc));
          if (m) return !!(spinning = m[1]);
        }
        const idx = sc.lastIndexOf('◆  ');
        if (idx <= lastIdx) return false;
        // the whole frame, not a chunk of it: clack closes every prompt with └
        if (!/\n└/.test(sc.slice(idx))) return false;
        const msg = sc.slice(idx + 3).split('\n')[0]!.trim();
        // The boot file paints the picker before the wizard is loaded: only clack's own frame (drawn
        // again over it) takes keys and signals.
        const painted = i === 0 && raw.startsWith('\x1b[?25l') ? 2 : 1;
        if (count(s.transcript(), `◆  ${msg}`) < painted) return false;
        found = { idx, msg };
        return true;
      };
      try {
        await s.waitFor(look, 60_000);
      } catch (err) {
        if (exited) {
          w.ended = true;
          break;
        }
        throw err;
      }
      if (spinning) {
        await sleep(300);
        if (!SPINNER.test(lastLine(s.screen()))) throw new Error(`the check "${spinning}" did not stay open`);
        w.at = { label: spinning, id: spinning, kind: 'spinner', index: i };
        interrupt();
        break;
      }
      lastIdx = found!.idx;
      const label = labelOf(found!.msg);
      w.prompts.push(label);
      const final = FINAL.test(found!.msg);
      if (i === opts.stopAt || (final && !opts.holdKey)) {
        w.at = { label, id: idOf(w.prompts, i), kind: 'prompt', index: i };
        interrupt();
        break;
      }
      if (final) throw new Error(`reached "${label}" without a check held open`);
      await answer(s, found!.msg, values, (k) => {
        w.typed.push(k);
        if (k === opts.holdKey) hold = true;
      });
    }
    // How long an exit may take is not what is tested (a loaded machine takes longer): only that it comes.
    const exit = await Promise.race([s.exit, sleep(EXIT_WAIT_MS).then(() => undefined)]);
    if (!exit) throw new Error(`still running ${EXIT_WAIT_MS / 1000} s after ${opts.how}`);
    w.code = exit.signal ? null : exit.code;
    w.signal = exit.signal || null;
  } catch (err) {
    w.problem = (err as Error).message.split('\n')[0];
    if (!exited) {
      try {
        process.kill(s.pty.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const exit = await s.exit;
    w.code = exit.signal ? null : exit.code;
    w.signal = exit.signal || null;
  }
  w.transcript.stdout = s.transcript();
  w.spinners = [...new Set(w.transcript.stdout.split(/[\r\n]/).map((l) => SPINNER.exec(l.trim())?.[1]).filter((t): t is string => !!t))];
  w.changed = treeDiff(before, tree(dir));
  w.stack = hasStackTrace(w.transcript.stdout);
  return w;
}

/** A TCP server that accepts and never answers: a live check against it stays open. */
async function blackhole(): Promise<Server & { port: number }> {
  const srv = createServer(() => {});
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return Object.assign(srv, { port: (srv.address() as { port: number }).port });
}

function copyOf(base: string): () => string {
  return () => {
    const d = tempProject();
    cpSync(base, d, { recursive: true });
    return d;
  };
}

// ─── SIGINT at every prompt and during every check ───────────────────────────────────────────────

async function interruptions(pg: PgServer, redis: RedisServer, r: SuiteResult): Promise<Figure[]> {
  const hole = await blackhole();
  const refused = await freePort();
  const good = { DATABASE_URL: pg.url('postgres'), REDIS_URL: redis.url };
  // a re-run over a project set up before: the "Keep the current … values?" confirmations
  const configured = tempProject({ 'package.json': NEXT_APP });
  const setup = await cli(['--yes'], { cwd: configured, env: good, what: 'setup for the re-run flow: --yes' });
  r.transcripts.push(setup);
  if (setup.code !== 0) r.failures.push(`interruption: the re-run flow's setup run exited ${setup.code}`);
  const flows: Flow[] = [
    { name: 'first run', project: () => tempProject({ 'package.json': NEXT_APP }), values: { DATABASE_URL: [good.DATABASE_URL], REDIS_URL: [good.REDIS_URL] } },
    {
      name: 'a failed check',
      project: () => tempProject({ 'package.json': NEXT_APP }),
      values: { DATABASE_URL: [`postgres://postgres:${HOLE_PASSWORD}@127.0.0.1:${refused}/postgres`, good.DATABASE_URL], REDIS_URL: [good.REDIS_URL] },
    },
    { name: 're-run', project: copyOf(configured), values: { DATABASE_URL: [good.DATABASE_URL], REDIS_URL: [good.REDIS_URL] } },
  ];

  // 1. walk each flow to its end: the prompts it asks, the checks it runs
  const walks: Walk[] = [];
  const discovery = await pool(flows.map((f) => () => walk(f, { how: 'Ctrl+C' })), CONCURRENCY);
  walks.push(...discovery);

  // 2. one run per (prompt, signal); a prompt already covered by an earlier flow is not repeated
  const covered = new Set<string>();
  const tasks: (() => Promise<Walk>)[] = [];
  flows.forEach((f, n) => {
    const d = discovery[n]!;
    d.prompts.forEach((label, i) => {
      const id = idOf(d.prompts, i);
      if (covered.has(id)) return;
      covered.add(id);
      for (const how of HOWS) {
        const isDiscovery = i === d.prompts.length - 1 && d.at?.label === label && how === 'Ctrl+C';
        if (!isDiscovery) tasks.push(() => walk(f, { how, stopAt: i }));
      }
    });
  });
  // 3. one run per (check that waits on the network, signal): the value typed before it points at a
  // server that accepts and never answers
  const first = discovery[0]!;
  for (const key of [...new Set(first.typed)]) {
    const u = new URL(flows[0]!.values[key]!.at(-1)!);
    u.host = `127.0.0.1:${hole.port}`;
    if (u.username) u.password = HOLE_PASSWORD;
    const held: Flow = { ...flows[0]!, name: `first run, ${key} check held open`, values: { ...flows[0]!.values, [key]: [u.toString()] } };
    for (const how of HOWS) tasks.push(() => walk(held, { how, holdKey: key }));
  }
  walks.push(...(await pool(tasks, CONCURRENCY)));
  hole.close();

  // the figures
  const points = walks.filter((w) => w.at || w.problem);
  let badExit = 0;
  let changed = 0;
  let stacks = 0;
  let broken = 0;
  const rows = new Map<string, Record<string, string>>();
  const order = (w: Walk) => flows.findIndex((f) => w.flow.startsWith(f.name)) * 1000 + (w.at?.kind === 'spinner' ? 500 : 0) + (w.at?.index ?? 0);
  walks.sort((a, b) => order(a) - order(b));
  for (const w of walks) {
    r.transcripts.push(w.transcript);
    const where = `${w.flow}: ${w.how} at ${w.at ? `${w.at.kind} "${w.at.id}"` : "an unfinished walk"}`;
    if (w.ended && !w.at) {
      // a flow that ends by itself (nothing to change): it must succeed and write nothing
      if (w.code !== 0) r.failures.push(`${w.flow}: the walk ended with exit ${w.code}`), broken++;
    } else if (w.code !== 130) {
      badExit++;
      r.failures.push(`${where}: exit ${w.code ?? `by signal ${w.signal}`}, not 130${w.problem ? ` (${w.problem})` : ''}`);
    }
    if (w.problem) broken++, r.failures.push(`${where}: ${w.problem}`);
    if (w.changed.length) changed += w.changed.length, r.failures.push(`${where}: changed ${w.changed.join(', ')}`);
    if (w.stack) stacks++, r.failures.push(`${where}: a stack trace in the output`);
    if (w.at) {
      const key = `${w.flow} | ${w.at.kind} | ${w.at.id}`;
      const row = rows.get(key) ?? {};
      row[w.how] = w.code === 130 && !w.changed.length && !w.stack ? '130, nothing written' : `✖ ${w.code ?? `signal ${w.signal}`}${w.changed.length ? `, ${w.changed.length} changed` : ''}`;
      rows.set(key, row);
    }
  }
  const table = [
    '| flow | at | where | Ctrl+C | kill -INT |',
    '|---|---|---|---|---|',
    ...[...rows].map(([k, row]) => `| ${k} | ${row['Ctrl+C'] ?? '–'} | ${row['kill -INT'] ?? '–'} |`),
  ].join('\n');
  r.table = table;
  const prompts = new Set([...rows.keys()].filter((k) => k.includes('| prompt |'))).size;
  const spinners = new Set([...rows.keys()].filter((k) => k.includes('| spinner |'))).size;
  const notHeld = [...new Set(walks.flatMap((w) => w.spinners))].filter((t) => ![...rows.keys()].some((k) => k.endsWith(`| ${t}`)));
  return [
    { label: `interruption points tried (${prompts} prompts, ${spinners} checks held open; each by Ctrl+C and by kill -INT)`, value: points.length },
    ...(notHeld.length ? [{ label: `checks with no network wait (finish at once, nothing to interrupt): ${notHeld.join(', ')}`, value: notHeld.length }] : []),
    { label: 'exit code ≠ 130', value: badExit, zero: true },
    { label: 'files changed', value: changed, zero: true },
    { label: 'stack traces', value: stacks, zero: true },
    { label: 'walks that went wrong (prompt not answerable, hang)', value: broken, zero: true },
  ];
}

// ─── SIGKILL at every point of the write step ────────────────────────────────────────────────────

async function crashes(pg: PgServer, redis: RedisServer, r: SuiteResult): Promise<Figure[]> {
  // the old version of every file: another provider set and other values
  const base = tempProject({ 'package.json': NEXT_APP });
  const old = await cli(['--yes', '--skip-verify', '--providers', 'app,postgres'], {
    cwd: base,
    env: { DATABASE_URL: `postgres://old:${OLD_PASSWORD}@127.0.0.1:5432/old` },
    what: 'the old version: --yes --skip-verify --providers app,postgres',
  });
  r.transcripts.push(old);
  const oldTree = tree(base);
  const args = ['--yes', '--providers', 'app,postgres,redis'];
  const env = { DATABASE_URL: pg.url('postgres'), REDIS_URL: redis.url, PORT: '4000', APP_URL: 'http://localhost:4000', CORS_ORIGINS: 'http://localhost:4000' };
  const twin = copyOf(base)();
  const full = await cli(args, { cwd: twin, env, what: 'the new version, uninterrupted (twin folder)' });
  r.transcripts.push(full);
  const newTree = tree(twin);
  const written = /Wrote (.+)/.exec(full.stdout)?.[1]?.split(', ') ?? [];
  if (old.code !== 0 || full.code !== 0 || !written.length) r.failures.push(`write step: setup runs exited ${old.code} and ${full.code}, wrote ${written.length} files`);
  for (const f of written) if (!oldTree.has(f)) r.failures.push(`write step: ${f} had no old version (the kill points would not test a replacement)`);
  for (const [p, e] of newTree) if (e.kind === 'file' && p !== '.env') r.files.push({ path: p, text: e.bytes.toString('utf8') });
  r.secrets.push(...Object.values(dotenv.parse(readFileSync(join(twin, '.env')))).filter((v) => /JWT|SECRET/.test(v) || v.length >= 32));
  const envOf = (t: Tree) => {
    const e = t.get('.env');
    return e?.kind === 'file' ? dotenv.parse(e.bytes) : undefined;
  };
  const oldEnv = envOf(oldTree);
  const newEnv = envOf(newTree);

  const points = ['staged', ...written.map((_, i) => `renamed-${i + 1}`)];
  let partial = 0;
  let leftAfter = 0;
  let notFinished = 0;
  let tempsAtKill = 0;
  await pool(
    points.map((point, n) => async () => {
      const dir = copyOf(base)();
      const killed = await cli(args, { cwd: dir, env: { ...env, PROD_READY_CRASH_AFTER: point }, what: `--yes killed (SIGKILL) after ${point}` });
      r.transcripts.push(killed);
      if (killed.signal !== 'SIGKILL') r.failures.push(`write step, ${point}: the run was not killed there (exit ${killed.code})`), notFinished++;
      const t = tree(dir);
      tempsAtKill += tempFiles(t).length;
      let fresh = 0;
      for (const p of new Set([...oldTree.keys(), ...newTree.keys(), ...t.keys()])) {
        if (TEMP_FILE.test(p)) continue;
        const cur = t.get(p);
        const isOld = sameEntry(cur, oldTree.get(p));
        const isNew = sameEntry(cur, newTree.get(p));
        if (!isOld && !isNew) partial++, r.failures.push(`write step, ${point}: ${p} is neither its old nor its new version`);
        else if (isNew && !isOld) fresh++;
      }
      if (fresh !== n) r.failures.push(`write step, ${point}: ${fresh} files are new, expected ${n}`);
      try {
        const now = dotenv.parse(readFileSync(join(dir, '.env')));
        if (!isDeepStrictEqual(now, oldEnv) && !isDeepStrictEqual(now, newEnv)) partial++, r.failures.push(`write step, ${point}: .env parses to neither the old nor the new values`);
      } catch (err) {
        partial++, r.failures.push(`write step, ${point}: .env cannot be read (${(err as Error).message})`);
      }
      // the next run finishes the job (taking over the killed run's lock) and removes its temp files
      const next = await cli(args, { cwd: dir, env, what: `--yes after the kill at ${point}` });
      r.transcripts.push(next);
      const after = tree(dir);
      leftAfter += tempFiles(after).length;
      if (tempFiles(after).length) r.failures.push(`write step, ${point}: the next run left ${tempFiles(after).join(', ')}`);
      const diff = treeDiff(newTree, after).filter((p) => !/\.tmp \(added\)$/.test(p));
      if (next.code !== 0 || diff.length) notFinished++, r.failures.push(`write step, ${point}: the next run exited ${next.code}${diff.length ? `; differs from an uninterrupted run: ${diff.join(', ')}` : ''}`);
      if (hasStackTrace(next.stdout + next.stderr)) r.failures.push(`write step, ${point}: a stack trace in the next run's output`), notFinished++;
    }),
    CONCURRENCY,
  );
  return [
    { label: `kill points (staged, renamed-1…renamed-${written.length}; ${written.length} files written: ${written.join(', ')})`, value: points.length },
    { label: 'partial files (neither old nor new, or .env not parsing to either)', value: partial, zero: true },
    { label: `temp files left by the kills (${tempsAtKill}) still there after the next run`, value: leftAfter, zero: true },
    { label: 'next runs that did not complete to the uninterrupted result', value: notFinished, zero: true },
  ];
}

// ─── two runs at once ────────────────────────────────────────────────────────────────────────────

async function holdLock(dir: string): Promise<Session> {
  const s = runPty([], { cwd: dir, env: suiteEnv() });
  // the lock is taken before the first prompt: once clack draws it (over the boot file's frame), it is held
  await s.waitFor(() => count(s.transcript(), '◆  Which providers should be production-ready?') >= 2, 60_000);
  return s;
}

async function locking(pg: PgServer, redis: RedisServer, r: SuiteResult): Promise<Figure[]> {
  const env = { DATABASE_URL: pg.url('postgres'), REDIS_URL: redis.url };
  let problems = 0;
  const fail = (s: string) => (problems++, r.failures.push(`two runs: ${s}`));

  // a run waiting at a prompt holds the lock; a --yes run waits, then refuses and writes nothing
  const dir = tempProject({ 'package.json': NEXT_APP });
  const holder = await holdLock(dir);
  const before = tree(dir);
  const second = await cli(['--yes'], { cwd: dir, env: { ...env, PROD_READY_LOCK_WAIT_MS: String(LOCK_WAIT_MS) }, what: '--yes while another run holds the lock' });
  r.transcripts.push(second);
  const line = (second.stdout + second.stderr).split('\n').find((l) => l.includes('another create-prod-ready run') && l.includes('nothing was done'));
  if (second.code !== 1) fail(`the second run exited ${second.code}, not 1`);
  if (!line) fail(`no clear "another create-prod-ready run … nothing was done" line: ${JSON.stringify(second.stderr.slice(0, 300))}`);
  // Events, not durations (a loaded machine starts node slower): it said it waits, it waited at least
  // PROD_READY_LOCK_WAIT_MS, and then it refused instead of hanging.
  const waited = (second.stdout + second.stderr).includes('waiting for another create-prod-ready run');
  if (!waited) fail('no "waiting for another create-prod-ready run" line before the refusal');
  if (second.ms < LOCK_WAIT_MS - 50) fail(`refused after ${Math.round(second.ms)} ms, before waiting ${LOCK_WAIT_MS} ms`);
  if (second.ms > LOCK_WAIT_MS + EXIT_WAIT_MS) fail(`refused after ${Math.round(second.ms)} ms: it hung`);
  const changed = treeDiff(before, tree(dir));
  if (changed.length) fail(`the refused run changed ${changed.join(', ')}`);
  if (hasStackTrace(second.stdout + second.stderr)) fail('a stack trace in the refused run');
  holder.write(KEY.ctrlC);
  const held = await Promise.race([holder.exit, sleep(EXIT_WAIT_MS).then(() => undefined)]);
  r.transcripts.push({ what: 'the run holding the lock, cancelled', stdout: holder.transcript(), stderr: '' });
  if (held?.code !== 130) fail(`the holder exited ${held ? held.code : 'not at all'} after Ctrl+C`);
  const third = await cli(['--yes'], { cwd: dir, env: { ...env, PROD_READY_LOCK_WAIT_MS: String(LOCK_WAIT_MS) }, what: '--yes after the holder was cancelled' });
  r.transcripts.push(third);
  if (third.code !== 0) fail(`the run after the holder was cancelled exited ${third.code}: ${third.stderr.split('\n')[0]}`);

  // a holder killed with SIGKILL leaves its lock file; the next run takes it over at once
  const dir2 = tempProject({ 'package.json': NEXT_APP });
  const victim = await holdLock(dir2);
  process.kill(victim.pty.pid, 'SIGKILL');
  await victim.exit;
  r.transcripts.push({ what: 'the run holding the lock, SIGKILLed', stdout: victim.transcript(), stderr: '' });
  const stale = existsSync(lockPath(dir2));
  if (!stale) fail('the SIGKILLed holder left no lock file (nothing stale to take over)');
  const after = await cli(['--yes'], { cwd: dir2, env: { ...env, PROD_READY_LOCK_WAIT_MS: String(LOCK_WAIT_MS) }, what: '--yes after the holder was SIGKILLed' });
  r.transcripts.push(after);
  // Blocked means it waited on the dead holder's lock (its own "waiting for …" line), whatever the time.
  const blocked = after.code !== 0 || (after.stdout + after.stderr).includes('waiting for another create-prod-ready run');
  if (blocked) fail(`a stale lock blocked the next run: exit ${after.code} after ${Math.round(after.ms)} ms`);
  return [
    { label: `second run refused (exit 1, "another create-prod-ready run" line) after ${(second.ms / 1000).toFixed(1)} s (PROD_READY_LOCK_WAIT_MS=${LOCK_WAIT_MS})`, value: second.code === 1 && line ? 'yes' : 'no' },
    { label: `stale lock (holder SIGKILLed${stale ? ', lock file left' : ''}): next run done in ${(after.ms / 1000).toFixed(1)} s`, value: blocked ? 'blocked' : 'not blocked' },
    { label: 'two-run problems (not refused, too slow, wrote something, blocked by a stale lock, not done after the holder left)', value: problems, zero: true },
  ];
}

export default async function interruption(): Promise<SuiteResult> {
  const r: SuiteResult = { name: 'interruption', figures: [], transcripts: [], files: [], secrets: [PG_PASSWORD, REDIS_PASSWORD, OLD_PASSWORD, HOLE_PASSWORD], failures: [] };
  const [pg, redis] = await Promise.all([startPostgres({ password: PG_PASSWORD }), startRedis({ password: REDIS_PASSWORD })]);
  try {
    r.figures.push(...(await interruptions(pg, redis, r)));
    r.figures.push(...(await crashes(pg, redis, r)));
    r.figures.push(...(await locking(pg, redis, r)));
  } finally {
    await Promise.all([pg.stop(), redis.stop()]);
  }
  return r;
}
