// The one way tests run the CLI (or another command) without a terminal: stdin closed (or given), output
// captured, exit code or signal, the time it took. Interactive runs go through a pty (./pty.ts).
import { execFile } from 'node:child_process';
import { BIN, cleanEnv, SOURCE_CLI } from './pty.ts';

export interface Run {
  /** The exit code; null when the process ended on a signal (a timeout kills it). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr. */
  out: string;
  ms: number;
}

export interface RunOptions {
  cwd: string;
  /** The child's whole environment (default: cleanEnv with FORCE_COLOR=0; nothing of this shell leaks in). */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed (default: closed at once). */
  input?: string;
  /** Killed after this long (default 60 s): code null, signal SIGTERM. */
  timeoutMs?: number;
  maxBuffer?: number;
}

/** Runs `cmd args…` to its end; never rejects. */
export function run(cmd: string, args: readonly string[], o: RunOptions): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = execFile(cmd, [...args], { cwd: o.cwd, env: o.env ?? cleanEnv({ FORCE_COLOR: '0' }), timeout: o.timeoutMs ?? 60_000, maxBuffer: o.maxBuffer ?? 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr, out: `${stdout}${stderr}`, ms: performance.now() - t0 });
    });
    // A child may exit before reading stdin (git, a failing sh): writing to it then is EPIPE, not a test failure.
    child.stdin!.on('error', () => {});
    if (o.input === undefined) child.stdin!.end();
    else child.stdin!.end(o.input);
  });
}

/**
 * The CLI: the built bundle (BIN, what `npx create-prod-ready` runs) or, with `source`, its TypeScript
 * sources (no build between an edit and its test). `node`: flags for node before the script (a preload).
 */
export function runCli(args: readonly string[], o: RunOptions & { source?: boolean; node?: readonly string[] }): Promise<Run> {
  return run(process.execPath, [...(o.node ?? []), ...(o.source ? SOURCE_CLI : [BIN]), ...args], o);
}
