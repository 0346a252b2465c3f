// Running the built CLI for the reliability suite: a clean environment, the argv hook preloaded, the
// output kept for the secret scan, the time measured.
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '../helpers/pty.ts';
import { runCli } from '../helpers/cli.ts';
import type { Transcript } from './types.ts';

export const ARGV_HOOK = fileURLToPath(new URL('./argv-hook.cjs', import.meta.url));
/** Where the children's argv is recorded (set by scripts/reliability.ts). */
export const argvLog = () => process.env.PROD_READY_ARGV_LOG ?? '';

/** The environment for a child of the suite: nothing from this shell, the argv hook on. */
export function suiteEnv(extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({ FORCE_COLOR: '0', NODE_OPTIONS: `--require ${ARGV_HOOK}`, PROD_READY_ARGV_LOG: argvLog(), ...extra });
}

export interface CliRun extends Transcript {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

/** The built CLI (what `npx create-prod-ready` runs), non-interactive unless the caller sets up a pty. */
export async function cli(args: string[], opts: { cwd: string; env?: Record<string, string>; input?: string; timeoutMs?: number; what?: string }): Promise<CliRun> {
  const r = await runCli(args, { cwd: opts.cwd, env: suiteEnv({ CI: '1', ...opts.env }), input: opts.input, timeoutMs: opts.timeoutMs });
  return { what: opts.what ?? `create-prod-ready ${args.join(' ')}`, code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: r.ms };
}

/** A stack trace or an internal error in output meant for people. */
export const hasStackTrace = (s: string) => /\n\s+at .+\(.*:\d+:\d+\)|\n\s+at .+:\d+:\d+|internal error|Please report it/i.test(s);
