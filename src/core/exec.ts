// Every child process this tool starts (the package manager, a migration tool, docker compose) goes through
// here, on execa: no shell (an argument with spaces stays one argument, on Windows too, where execa resolves
// npm.cmd itself through cross-spawn; Node 24's DEP0190 warns about arguments passed with shell: true),
// abort and timeout end the command itself (SIGTERM, then SIGKILL after 5 s), and the output is captured
// interleaved. Secrets go in the environment, never in argv. execa is bundled and loaded only here, when a
// command runs (never on the boot path).
import type { Options } from 'execa';

export interface ExecResult {
  /** The exit code; 1 when the command ended on a signal. */
  code: number;
  /** stdout and stderr interleaved, as a person would have seen them. */
  output: string;
  stdout: string;
  stderr: string;
}

/** The command was not found (ENOENT): not installed, or not on PATH. */
export class CommandNotFound extends Error {
  constructor(readonly command: string) {
    super(`${command} was not found on PATH`);
    this.name = 'CommandNotFound';
  }
}

/** The command ran longer than its timeout and was stopped. */
export class CommandTimedOut extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`${command} took longer than ${timeoutMs / 1000} s and was stopped`);
    this.name = 'CommandTimedOut';
  }
}

export interface ExecOptions {
  cwd: string;
  /** Added to this process's environment (the place for secrets: never argv). */
  env?: Record<string, string | undefined>;
  /** false: `env` is the whole environment (git without the GIT_DIR a hook exported). */
  extendEnv?: boolean;
  /** Most bytes of output kept (default 100 MB). */
  maxBuffer?: number;
  /** Ends the command; the promise then rejects with the signal's reason (e.g. Cancelled). */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Runs `cmd args…` to its end and resolves with its exit code and output, whatever the code. Rejects with
 * the signal's reason when `signal` aborts, CommandTimedOut after `timeoutMs`, CommandNotFound when `cmd`
 * does not exist.
 */
export async function exec(cmd: string, args: readonly string[], o: ExecOptions): Promise<ExecResult> {
  const { execa } = await import('execa');
  const options: Options = {
    cwd: o.cwd,
    env: { ...o.env, npm_config_update_notifier: 'false', NO_COLOR: '1', FORCE_COLOR: '0' },
    extendEnv: o.extendEnv ?? true,
    ...(o.maxBuffer ? { maxBuffer: o.maxBuffer } : {}),
    stdin: 'ignore',
    all: true,
    reject: false,
    stripFinalNewline: false,
    windowsHide: true,
    ...(o.signal ? { cancelSignal: o.signal } : {}),
    ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}),
  };
  const r = await execa(cmd, [...args], options);
  if (o.signal?.aborted) throw o.signal.reason;
  if (r.timedOut) throw new CommandTimedOut([cmd, ...args.slice(0, 2)].join(' '), o.timeoutMs ?? 0);
  if (r.code === 'ENOENT' || (r.failed && r.exitCode === undefined && (r.cause as { code?: string } | undefined)?.code === 'ENOENT')) throw new CommandNotFound(cmd);
  if (r.failed && r.exitCode === undefined && !r.signal) throw (r.cause as Error | undefined) ?? new Error(r.shortMessage ?? `${cmd} could not be started`);
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return { code: r.exitCode ?? 1, output: text(r.all), stdout: text(r.stdout), stderr: text(r.stderr) };
}
