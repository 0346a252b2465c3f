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
  // the machine's trust settings too: a child npm (a Node from the registry has no global npmrc with the
  // machine's cafile) must still reach the registry instead of retrying TLS errors for a minute
  for (const k of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR']) if (process.env[k]) env[k] = process.env[k]!;
  // init's install after adding dependencies (src/commands/install-step.ts) is left out, as a developer
  // offline would: test/e2e/install.test.ts runs it for real; other tests keep their fixtures' node_modules
  return { ...env, TERM: 'xterm-256color', FORCE_COLOR: '1', PROD_READY_NO_INSTALL: '1', ...extra };
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

/** `opts.program`: what node runs instead of the built CLI (e.g. `['--import', tsx, script]`), `args` after it. */
export function runPty(args: string[], opts: { cwd: string; env?: Record<string, string>; cols?: number; rows?: number; program?: string[] }): Session {
  const cols = opts.cols ?? 200;
  const rows = opts.rows ?? 50;
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 2000 });
  const pty = spawn(process.execPath, [...(opts.program ?? [BIN]), ...args], { name: 'xterm-256color', cols, rows, cwd: opts.cwd, env: opts.env ?? cleanEnv() });
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

/** The active prompt's first line (the last `◆  ` on screen) and its line number, or undefined. */
export function activePrompt(screen: string): { line: number; text: string } | undefined {
  const lines = screen.split('\n');
  // A prompt waiting for an answer is a `◆` line whose block ends with clack's `└` (a `◆` log line,
  // e.g. "◆  Wrote …", has none), with no other step between them.
  let end = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (l.startsWith('└')) end = i;
    else if (l.startsWith('◆  ')) {
      if (end > i) return { line: i, text: l.slice(3) };
      end = -1;
    } else if (/^[◇●▲■◒◐◓◑]  /.test(l)) end = -1;
  }
  return undefined;
}

/** The active prompt's block (its `◆` line to its `└`), or ''. */
export function activeBlock(screen: string): string {
  const p = activePrompt(screen);
  if (!p) return '';
  const lines = screen.split('\n').slice(p.line);
  return lines.slice(0, lines.findIndex((l) => l.startsWith('└')) + 1).join('\n');
}

// Keystrokes wait for the frame they answer. A key written while the program is between prompts (a
// spinner reads stdin for Ctrl+C; the previous prompt may not have taken the last key yet, so its old
// frame still looks active) is lost or answers the wrong question: a hang, or a flake under load.
// So every answer waits for its prompt's whole frame (down to its └), drawn below the last prompt
// answered here, and after the keys, until the program took them (that prompt is no longer active).

/** The line of the last prompt answered through these helpers, per session: a frame at or above it is old. */
const answered = new WeakMap<Session, number>();

/**
 * Waits for the frame a keystroke answers: the active prompt, wholly drawn, matching `prompt` (tested on its
 * block from `◆` to `└`: `/^◆  KEY /`, text in it, or a function), and new since the last prompt answered
 * here. Returns its line.
 */
export async function promptFrame(s: Session, prompt: string | RegExp | ((block: string) => boolean), timeoutMs?: number): Promise<number> {
  let line = -1;
  await s.waitFor((sc) => {
    const p = activePrompt(sc);
    if (!p || p.line <= (answered.get(s) ?? -1)) return false;
    const block = activeBlock(sc);
    if (!(typeof prompt === 'string' ? block.includes(prompt) : typeof prompt === 'function' ? prompt(block) : prompt.test(block))) return false;
    line = p.line;
    return true;
  }, timeoutMs);
  return line;
}

/** Sends `keys` to the prompt drawn at `line`, then waits until the program took them (that prompt is no longer the active one). */
export async function submit(s: Session, line: number, keys: string = KEY.enter, timeoutMs?: number): Promise<void> {
  s.write(keys);
  await s.waitFor((sc) => activePrompt(sc)?.line !== line, timeoutMs);
  // answered or cancelled (◇ ■); a prompt showing a validation error (▲) is still the one to answer
  const state = s.screen().split('\n')[line] ?? '';
  if (!state.startsWith('▲')) answered.set(s, Math.max(line, answered.get(s) ?? -1));
}

/** Answers a prompt as a person does once they see it: `text` typed (if any), then `key` (Enter; Esc cancels). */
export async function answer(s: Session, prompt: string | RegExp, text?: string, key: string = KEY.enter): Promise<void> {
  const line = await promptFrame(s, prompt);
  if (text !== undefined) await s.type(text);
  await submit(s, line, key);
}

/** In the active select, move to the option whose line matches `label`, then press Enter (and wait until it was taken). */
export async function choose(s: Session, prompt: string | RegExp, label: string | RegExp): Promise<void> {
  const has = (line: string) => (typeof label === 'string' ? line.includes(label) : label.test(line));
  const first = (block: string) => block.split('\n')[0] ?? '';
  // a select's frame is whole once its options are drawn
  const line = await promptFrame(s, (block) => (typeof prompt === 'string' ? first(block).includes(prompt) : prompt.test(first(block))) && /│\s+[●○] /.test(block));
  const options = () => activeBlock(s.screen()).split('\n').filter((l) => /│\s+[●○] /.test(l));
  const selected = () => options().find((l) => /│\s+● /.test(l)) ?? '';
  // the frame may be mid-redraw when read again: give the option a moment before calling it missing
  if (!options().some(has)) await s.waitFor(() => options().some(has), 5000).catch(() => undefined);
  if (!options().some(has)) throw new Error(`no option ${label} in:\n${activeBlock(s.screen())}`);
  // a frame being redrawn has no selected line for a moment: wait for a whole one each time
  await s.waitFor(() => selected() !== '', 5000);
  for (let i = 0; i <= 2 * options().length && !has(selected()); i++) {
    const before = selected();
    s.write(KEY.down);
    await s.waitFor(() => selected() !== '' && selected() !== before, 5000);
  }
  if (!has(selected())) throw new Error(`could not select ${label}:\n${activeBlock(s.screen())}`);
  await submit(s, line);
}

/**
 * Answers every prompt until the program exits, the way a new user who accepts every default would:
 * `typed(prompt)` returns text to type for a prompt (e.g. a key only the user knows), or undefined to
 * press Enter. Returns every prompt answered, in order: their count is the number of questions asked.
 */
export async function answerAll(s: Session, typed: (prompt: string) => string | undefined, timeoutMs = 60_000): Promise<string[]> {
  const asked: string[] = [];
  let last = -1;
  let exited = false;
  void s.exit.then(() => (exited = true));
  for (;;) {
    try {
      await s.waitFor((sc) => exited || (activePrompt(sc)?.line ?? -1) > last, timeoutMs);
    } catch (err) {
      if (exited) break;
      throw err;
    }
    if (exited && !((activePrompt(s.screen())?.line ?? -1) > last)) break;
    const p = activePrompt(s.screen())!;
    last = p.line;
    asked.push(p.text.trim());
    const text = typed(p.text);
    if (text !== undefined) await s.type(text);
    s.write(KEY.enter);
    if (exited) break;
  }
  return asked;
}
