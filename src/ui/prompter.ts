// The one place that talks to @clack/prompts. Cancellation becomes an exception here (Ctrl+C or Esc
// at any prompt → Cancelled → exit 130 with nothing written), so no caller can mistake it for an answer.
import * as p from '@clack/prompts';
import { styleText } from 'node:util';
import { Cancelled } from '../core/errors.ts';

function answer<T>(v: T | symbol): Exclude<T, symbol> {
  if (p.isCancel(v)) throw new Cancelled();
  return v as Exclude<T, symbol>;
}

let answered = false;

/**
 * Keys typed before a question was drawn were meant for the one before: `y` or `n` answers a confirm by itself,
 * so the Enter a person types after it arrives once that prompt has closed, and would pick the next question's
 * default (Yes to "Write 8 files?"). Dropped before every question after the first answer; Ctrl+C among them
 * still cancels.
 */
async function dropTypeAhead(): Promise<void> {
  const input = process.stdin;
  if (!answered || !input.isTTY) return;
  let interrupted = false;
  const drop = (chunk: Buffer | string) => {
    if (String(chunk).includes('\x03')) interrupted = true;
  };
  input.setRawMode(true);
  input.on('data', drop);
  input.resume();
  await new Promise((resolve) => setTimeout(resolve, 15));
  input.off('data', drop);
  input.pause();
  input.setRawMode(false);
  if (interrupted) throw new Cancelled();
}

/**
 * A real SIGINT (`kill -INT`, or Ctrl+C while the terminal is not in raw mode) cancels the active prompt
 * as Ctrl+C does, instead of killing the process with the terminal left in raw mode and no exit 130.
 */
async function interruptible<T>(prompt: (signal: AbortSignal) => Promise<T>): Promise<T> {
  await dropTypeAhead();
  const ac = new AbortController();
  const onSignal = () => ac.abort();
  process.on('SIGINT', onSignal);
  try {
    return await prompt(ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    answered = true;
  }
}

type Validate = (value: string) => string | undefined;

export const ui = {
  intro: (title: string) => p.intro(title),
  outro: (message: string) => p.outro(message),
  note: (message: string, title?: string) => p.note(message, title),
  info: (message: string) => p.log.info(message),
  success: (message: string) => p.log.success(message),
  warn: (message: string) => p.log.warn(message),
  error: (message: string) => p.log.error(message),
  step: (message: string) => p.log.step(message),
  message: (message: string) => p.log.message(message),
  cancel: (message: string) => p.cancel(message),

  /** `default` is what Enter on an empty field gives; `placeholder` (default: `default`) is what the empty field shows. */
  async text(o: { message: string; hint?: string; default?: string; placeholder?: string; validate?: Validate }): Promise<string> {
    const v = await interruptible((signal) => p.text({
      signal,
      message: o.hint ? `${o.message} ${styleText('dim', `(${o.hint})`)}` : o.message,
      placeholder: o.placeholder || o.default,
      defaultValue: o.default,
      validate: o.validate ? (s) => o.validate!(((s ?? '') || o.default || '').trim()) : undefined,
    }));
    return answer(v).trim();
  },

  async password(o: { message: string; hint?: string; validate?: Validate }): Promise<string> {
    const v = await interruptible((signal) => p.password({
      signal,
      message: o.hint ? `${o.message} ${styleText('dim', `(${o.hint})`)}` : o.message,
      validate: o.validate ? (s) => o.validate!((s ?? '').trim()) : undefined,
    }));
    return answer(v).trim();
  },

  async select<T extends string>(o: { message: string; options: { value: T; label: string; hint?: string }[]; initial?: T }): Promise<T> {
    const v = await interruptible((signal) => p.select<T>({ signal, message: o.message, options: o.options as never, initialValue: o.initial }));
    return answer(v);
  },

  async multiselect<T extends string>(o: { message: string; options: { value: T; label: string; hint?: string }[]; initial: T[] }): Promise<T[]> {
    const v = await interruptible((signal) => p.multiselect<T>({ signal, message: o.message, options: o.options as never, initialValues: o.initial, required: true }));
    return answer(v);
  },

  async confirm(o: { message: string; initial?: boolean }): Promise<boolean> {
    return answer(await interruptible((signal) => p.confirm({ signal, message: o.message, initialValue: o.initial ?? true })));
  },
};

export type Ui = typeof ui;
