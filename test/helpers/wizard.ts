// Keystrokes for the wizard's recurring questions, shared by the pty tests.
import { choose, KEY, type Session } from './pty.ts';

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
  await s.waitForPrompt(new RegExp(`^◆  ${key}`));
  await s.type(value);
  s.write(KEY.enter);
}

/** A secret prompt: through "Which KEY?" when it offers choices, then typed. */
export async function enterSecret(s: Session, key: string, value: string): Promise<void> {
  await s.waitForPrompt(new RegExp(`^◆  (Which ${key}\\?|${key} )`));
  if (/^◆  Which /m.test(s.screen().slice(s.screen().lastIndexOf('◆  ')))) await choose(s, `Which ${key}?`, 'Enter a value');
  await s.waitForPrompt(new RegExp(`^◆  ${key} `));
  await s.type(value);
  s.write(KEY.enter);
}

/** The plan's question: "Yes", "Show the full diff first" or "No". */
export async function answerPlan(s: Session, question: string | RegExp, answer: 'Yes' | 'No' | 'Show the full diff first'): Promise<void> {
  await choose(s, question, new RegExp(`[●○] ${answer}\\b`));
}
