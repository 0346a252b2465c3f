// A spinner in clack's style that can be cancelled. clack's own spinner calls process.exit(0) on
// Ctrl+C (bombshell-dev/clack#573), which would report success; this one aborts the task instead,
// so the run ends through the normal path: Cancelled → "Nothing was written" → exit 130.
import { S_BAR, S_STEP_CANCEL, S_STEP_ERROR, S_STEP_SUBMIT, unicode } from '@clack/prompts';
import { styleText } from 'node:util';
import { Cancelled } from '../core/errors.ts';

const FRAMES = unicode ? ['◒', '◐', '◓', '◑'] : ['•', 'o', 'O', '0'];

export async function withSpinner<T>(
  message: string,
  task: (signal: AbortSignal, progress: (line: string) => void) => Promise<T>,
  done: (result: T) => string = () => message,
  failed: (err: unknown) => string = () => message,
): Promise<T> {
  const out = process.stdout;
  const input = process.stdin;
  const ac = new AbortController();
  const cancel = () => ac.abort(new Cancelled());
  const onData = (d: Buffer) => {
    const s = d.toString();
    if (s === '\x03' || s === '\x1b') cancel();
  };
  const raw = input.isTTY && !input.isRaw;
  if (input.isTTY) {
    if (raw) input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  }
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);

  let i = 0;
  const tty = out.isTTY;
  out.write(`${styleText('gray', S_BAR)}\n`);
  if (tty) out.write('\x1b[?25l');
  let text = message;
  const progress = (line: string) => {
    text = line;
    if (!tty) out.write(`${styleText('gray', S_BAR)}  ${line}\n`);
  };
  const draw = () => out.write(`\r\x1b[2K${styleText('magenta', FRAMES[i++ % FRAMES.length]!)}  ${text}${'.'.repeat(Math.floor(i / 4) % 4)}`);
  const timer = tty ? setInterval(draw, 80) : undefined;
  if (tty) draw();
  const finish = (symbol: string, text: string) => {
    if (timer) clearInterval(timer);
    out.write(`${tty ? '\r\x1b[2K' : ''}${symbol}  ${text}\n`);
    if (tty) out.write('\x1b[?25h');
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
    if (input.isTTY) {
      input.off('data', onData);
      if (raw) input.setRawMode(false);
      input.pause();
    }
  };
  try {
    const result = await Promise.race([
      task(ac.signal, progress),
      new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true })),
    ]);
    finish(styleText('green', S_STEP_SUBMIT), done(result));
    return result;
  } catch (err) {
    if (err instanceof Cancelled) finish(styleText('red', S_STEP_CANCEL), `${message} cancelled`);
    else finish(styleText('red', S_STEP_ERROR), failed(err));
    throw err;
  }
}

/** The line a spinner leaves when its task is done, for a result shown without one (a check run among others). */
export function doneLine(text: string): void {
  process.stdout.write(`${styleText('gray', S_BAR)}\n${styleText('green', S_STEP_SUBMIT)}  ${text}\n`);
}
