// Drive the built CLI through a real pseudo-terminal, as a person would: keystrokes in, and the
// screen out as a terminal emulator (xterm.js, headless) renders it.
import { spawn, type IPty } from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/create-prod-ready.cjs', import.meta.url));

export const KEY = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  space: ' ',
  ctrlC: '\x03',
  esc: '\x1b',
  backspace: '\x7f',
};

/** Environment for a child that must not inherit values from the test runner's shell. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT']) if (process.env[k]) env[k] = process.env[k]!;
  return { ...env, TERM: 'xterm-256color', FORCE_COLOR: '1', ...extra };
}

export interface Session {
  pty: IPty;
  /** The terminal emulator the screen is read from (colors and all: scripts/record.ts draws its frames). */
  term: xterm.Terminal;
  /** The visible screen, as text. */
  screen(): string;
  /** Everything the program wrote, ANSI stripped. */
  transcript(): string;
  write(keys: string): void;
  type(text: string): Promise<void>;
  waitFor(what: string | RegExp | ((screen: string) => boolean), timeoutMs?: number): Promise<void>;
  /** Wait until the active prompt (the last ◆ on screen) matches: older prompts in the scrollback do not count. */
  waitForPrompt(what: string | RegExp, timeoutMs?: number): Promise<void>;
  exit: Promise<{ code: number; signal?: number }>;
  startedAt: number;
}

const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]/g, '');

export function runPty(args: string[], opts: { cwd: string; env?: Record<string, string>; cols?: number; rows?: number }): Session {
  const cols = opts.cols ?? 200;
  const rows = opts.rows ?? 50;
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 2000 });
  const pty = spawn(process.execPath, [BIN, ...args], { name: 'xterm-256color', cols, rows, cwd: opts.cwd, env: opts.env ?? cleanEnv() });
  let raw = '';
  const waiters = new Set<() => void>();
  pty.onData((d) => {
    raw += d;
    term.write(d, () => waiters.forEach((w) => w()));
  });
  const exit = new Promise<{ code: number; signal?: number }>((resolve) =>
    pty.onExit(({ exitCode, signal }) => {
      // let xterm finish parsing the last chunk
      setTimeout(() => resolve({ code: exitCode, signal }), 50);
    }),
  );
  const screen = () => {
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n').replace(/\n+$/, '');
  };
  const session: Session = {
    pty,
    term,
    screen,
    transcript: () => strip(raw),
    write: (k) => pty.write(k),
    async type(text) {
      for (const ch of text) {
        pty.write(ch);
        await new Promise((r) => setTimeout(r, 2));
      }
    },
    waitFor(what, timeoutMs = 15_000) {
      const matches = () => {
        const s = screen();
        return typeof what === 'string' ? s.includes(what) : typeof what === 'function' ? what(s) : what.test(s);
      };
      return new Promise((resolve, reject) => {
        if (matches()) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}\n--- screen ---\n${screen()}`));
        }, timeoutMs);
        const check = () => {
          if (matches()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        void exit.then(() => setTimeout(() => {
          if (waiters.has(check)) {
            clearTimeout(timer);
            waiters.delete(check);
            if (matches()) resolve();
            else reject(new Error(`program exited while waiting for ${what}\n--- screen ---\n${screen()}`));
          }
        }, 100));
      });
    },
    waitForPrompt(what, timeoutMs) {
      const active = (sc: string) => sc.slice(Math.max(0, sc.lastIndexOf('◆  ')));
      return session.waitFor((sc) => (typeof what === 'string' ? active(sc).includes(what) : what.test(active(sc))), timeoutMs);
    },
    exit,
    startedAt: performance.now(),
  };
  return session;
}

/** The CLI from its sources (see cli-from-source.ts): arguments for execFile(process.execPath, …). */
export const SOURCE_CLI = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./cli-from-source.ts', import.meta.url))];
