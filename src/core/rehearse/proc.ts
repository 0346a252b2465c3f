// The rehearsal's child processes: each command runs in a shell in its own process group (a new
// session), with its output kept in a log file and its last lines in memory; stopping one stops its
// whole tree (SIGTERM to the group, SIGKILL after a grace period), and `stopAll` ends every group
// still alive, on success, failure and Ctrl+C alike. Not src/core/exec.ts: that one runs a command to its end
// without a shell; these are the Blueprint's shell command lines, and a server that must keep running.
// node:child_process rather than execa: a shell line needs none of execa's argument handling, and loading
// execa (~25 ms) would be paid by every rehearsal before its first step.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';

export interface Proc {
  pid: number;
  command: string;
  /** Resolves when the shell (the group's leader) exits. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** The exit, once it happened. */
  exit?: { code: number | null; signal: string | null };
  /** The output to show: the first lines of its first error (tools often print usage after it), then its last lines. */
  tail(n?: number): string[];
  log: string;
  startedAt: number;
}

const live = new Set<Proc>();
const STACK = /^\s+at \S/;
const ERROR = /\b(error|ERR!|fatal|failed|exception)\b/i;
/** A line as it last showed on a terminal: a spinner's redraws (carriage return, cursor to column 1) keep only the last frame. */
const clean = (l: string) =>
  l
    .replace(/^[^]*(\r(?!$)|\x1b\[1?G)/, '')
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '') // control characters (rollup's NUL before a virtual module's id)
    .replace(/\s+$/, '');
const isWindows = process.platform === 'win32';

/** Linux's /proc: process groups and sockets can be read there. */
export const hasProc = existsSync('/proc/self/stat') && existsSync('/proc/net/tcp');

/** The live (not zombie) processes of a process group, from /proc (Linux). */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * Whether any process of the group is still alive (a finished leader can leave children behind). A zombie
 * (dead, waiting for its parent to collect it) does not count: signal 0 would still reach it.
 */
function groupAlive(pid: number): boolean {
  try {
    process.kill(isWindows ? pid : -pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return hasProc && !isWindows ? groupPids(pid).length > 0 : true;
}

export function run(command: string, opts: { cwd: string; env: Record<string, string>; log: string }): Proc {
  const shell = existsSync('/bin/bash') ? '/bin/bash' : true;
  // its own process group (detached), nothing on stdin; stdout and stderr read alike, in arrival order
  const child = spawn(command, { cwd: opts.cwd, env: opts.env, shell, detached: !isWindows, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const file = createWriteStream(opts.log);
  const lines: string[] = [];
  /** The first error-looking line and the few after it, kept whatever follows. */
  let firstError: string[] | undefined;
  let total = 0;
  let partial = '';
  const onData = (d: Buffer) => {
    file.write(d);
    const text = partial + d.toString('utf8');
    const parts = text.split(/\r?\n/).map(clean);
    partial = parts.pop() ?? '';
    for (const l of parts) {
      if (!l.replace(/^npm (error|ERR!|warn)\s*$/, '').trim()) continue; // blank, or a tool's empty prefix
      total++;
      lines.push(l);
      if (firstError && firstError.length < 6 && total <= errorAt + 5) firstError.push(l);
      if (!firstError && ERROR.test(l)) (firstError = [l]), (errorAt = total);
    }
    if (lines.length > 400) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let errorAt = 0;
  const proc: Proc = {
    pid: child.pid ?? -1,
    command,
    log: opts.log,
    startedAt: performance.now(),
    exited: undefined as never,
    tail(n = 12) {
      const all = [...lines, ...(partial.trim() ? [clean(partial)] : [])];
      // a stack trace's frames after its first say little here: one stands for the rest
      const last = all.filter((l, i) => !(STACK.test(l) && STACK.test(all[i - 1] ?? ''))).slice(-n);
      // the first error scrolled out of the last lines: show it first
      if (firstError && total + (partial.trim() ? 1 : 0) - errorAt >= n && !last.includes(firstError[0]!)) return [...firstError.filter((l) => l.trim()), '…', ...last];
      return last;
    },
  };
  // 'close': the shell exited and its output was read to the end (as execa resolved); a spawn error
  // (no shell, a missing cwd) ends it with no code
  proc.exited = new Promise((resolve) => {
    const done = (code: number | null, signal: string | null) => {
      if (proc.exit) return;
      proc.exit = { code, signal };
      file.end();
      resolve(proc.exit);
    };
    child.on('close', (code, signal) => done(code, signal));
    child.on('error', () => done(null, null));
  });
  live.add(proc);
  return proc;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits for `p`, at most `ms` (the timer does not outlive it). */
const within = (p: Promise<unknown>, ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    void p.then(() => (clearTimeout(t), resolve()));
  });

/** Stops the process tree: SIGTERM to the group, then SIGKILL when anything is left after `graceMs`. */
export async function stop(proc: Proc, graceMs = 5000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(isWindows ? proc.pid : -proc.pid, s);
    } catch {
      /* already gone */
    }
  };
  // still running: no need to scan /proc to know it (a scan costs milliseconds)
  if (proc.pid > 0 && (!proc.exit || groupAlive(proc.pid))) {
    signal('SIGTERM');
    const until = performance.now() + graceMs;
    // the end of its output (every process that held it has exited) is waited for as an event, polled
    // for anything of the group that is left
    let alive = true;
    while ((alive = groupAlive(proc.pid)) && performance.now() < until) await (proc.exit ? sleep(5) : within(proc.exited, 20));
    if (alive) {
      signal('SIGKILL');
      for (let i = 0; i < 40 && groupAlive(proc.pid); i++) await sleep(25);
    }
  }
  // the shell's exit is collected (and its output flushed)
  await within(proc.exited, 1000);
  live.delete(proc);
}

export async function stopAll(graceMs?: number): Promise<void> {
  await Promise.all([...live].map((p) => stop(p, graceMs)));
}

/** Synchronous last resort when the process is exiting: SIGKILL every group still alive. */
export function killAllNow(): void {
  for (const p of live)
    try {
      process.kill(isWindows ? p.pid : -p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
}
