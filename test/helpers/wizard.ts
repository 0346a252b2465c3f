// Keystrokes for the wizard's recurring questions, shared by the pty tests.
import { activePrompt, answer, choose, promptFrame, submit, type Session } from './pty.ts';

/** At the settings confirmation: accept them (starting nothing). */
export async function acceptSettings(s: Session): Promise<void> {
  await choose(s, 'Use these settings?', /Yes(, start nothing| use them anyway|$)/);
}

/** At the settings confirmation: change one secret to a typed value ("Enter a value"). */
export async function changeSecret(s: Session, key: string, value: string): Promise<void> {
  await choose(s, 'Use these settings?', 'Change a value');
  await choose(s, 'Which value?', new RegExp(`[●○] ${key}\\b`));
  await enterSecret(s, key, value);
}

/** At the settings confirmation: change one plain value (cleared, then typed). */
export async function changeValue(s: Session, key: string, value: string): Promise<void> {
  await choose(s, 'Use these settings?', 'Change a value');
  await choose(s, 'Which value?', new RegExp(`[●○] ${key}\\b`));
  await answer(s, new RegExp(`^◆  ${key}`), value);
}

/** A secret prompt: through "Which KEY?" when it offers choices, then typed. */
export async function enterSecret(s: Session, key: string, value: string): Promise<void> {
  await promptFrame(s, new RegExp(`^◆  (Which ${key}\\?|${key} )`));
  if (/^◆  Which /m.test(s.screen().slice(s.screen().lastIndexOf('◆  ')))) await choose(s, `Which ${key}?`, 'Enter a value');
  await answer(s, new RegExp(`^◆  ${key} `), value);
}

/** The plan's question: "Yes", "Show the full diff first" or "No". */
export async function answerPlan(s: Session, question: string | RegExp, answer: 'Yes' | 'No' | 'Show the full diff first'): Promise<void> {
  await choose(s, question, new RegExp(`[●○] ${answer}\\b`));
}

/**
 * Gives the wizard these values, whichever way it asks: typed at the prompt of a value only the user
 * knows, or through "Change a value" at the settings confirmation for one it settled (a default, .env).
 * Every other question gets its default (Enter). Stops at the plan's question (`stop`), unanswered.
 */
export async function fill(s: Session, values: Record<string, string>, stop: RegExp = /(files?|changes? at providers)\?$/): Promise<void> {
  const pending = new Map(Object.entries(values));
  let last = -1;
  let changing: string | undefined;
  for (;;) {
    await s.waitFor((sc) => (activePrompt(sc)?.line ?? -1) > last, 30_000);
    const p = activePrompt(s.screen())!;
    last = p.line;
    const text = p.text.trim();
    if (stop.test(text)) return;
    if (text.startsWith('Use these settings?')) {
      if (!pending.size) {
        await acceptSettings(s);
        continue;
      }
      await choose(s, 'Use these settings?', 'Change a value');
      continue;
    }
    if (text.startsWith('Which value?')) {
      changing = [...pending.keys()][0]!;
      await choose(s, 'Which value?', new RegExp(`[●○] ${changing}\\b`));
      continue;
    }
    const which = text.match(/^Which ([A-Z0-9_]+)\?/);
    if (which) {
      await choose(s, text.slice(0, which[0].length), pending.has(which[1]!) ? 'Enter a value' : /[●○] (Keep|Use)/);
      continue;
    }
    const key = text.match(/^([A-Z][A-Z0-9_]+)\b/)?.[1];
    if (key && pending.has(key)) {
      await s.type(pending.get(key)!);
      pending.delete(key);
      if (changing === key) changing = undefined;
    }
    await submit(s, p.line);
  }
}
