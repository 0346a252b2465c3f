// How a multi-step command talks, the same way whether a person is at the terminal or not: the wizard's
// clack lines, spinners and questions, or plain lines (--yes, CI) where every question has a fixed answer.
import type { Out } from './plain.ts';

export interface Say {
  info(s: string): void;
  warn(s: string): void;
  /** A step done (a file written, a service started). */
  success(s: string): void;
  note(text: string, title: string): void;
  /** Without prompts: the fixed answer given to plainSay. */
  confirm(question: string): Promise<boolean>;
  step<T>(title: string, task: (signal: AbortSignal) => Promise<T>, done: (r: T) => string): Promise<T>;
  /** A masked prompt; absent without prompts (the value must then come from the environment). */
  password?(message: string, hint: string | undefined, validate: (v: string) => string | undefined): Promise<string>;
}

/** Plain lines; `answer` is what every confirmation gets (--yes confirms the plan; a rotation's revoke waits for a person). */
export function plainSay(out: Out, answer: boolean): Say {
  return {
    info: (s) => out.line(s),
    warn: (s) => out.warn(s),
    success: (s) => out.ok(s),
    note: (text, title) => out.line(`${title}:\n${text.replace(/^/gm, '    ')}`),
    confirm: async () => answer,
    async step(title, task, done) {
      out.line(`${title}…`);
      const r = await task(new AbortController().signal);
      out.ok(done(r));
      return r;
    },
  };
}

/** The wizard: clack lines, a cancellable spinner per step, questions with `initial` as the default answer. */
export async function wizardSay(initial: boolean): Promise<Say> {
  const { ui } = await import('./prompter.ts');
  const { withSpinner } = await import('./spinner.ts');
  return {
    info: ui.info,
    warn: ui.warn,
    success: ui.success,
    note: (text, title) => ui.note(text, title),
    confirm: (message) => ui.confirm({ message, initial }),
    step: (title, task, done) => withSpinner(title, (signal) => task(signal), done),
    password: (message, hint, validate) => ui.password({ message, hint, validate }),
  };
}
