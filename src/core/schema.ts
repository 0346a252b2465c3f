// A zod schema from a function that says what is wrong with a value (or undefined when nothing is):
// the shape every provider's format check takes, so messages stay specific and one line long.
import { z } from 'zod';

export const checkedString = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((v, ctx) => {
    const p = problem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });

/** The mistakes of a pasted key: empty, spaces or a line break around or inside it, quotes kept. */
export function pastedValueProblem(key: string, v: string): string | undefined {
  if (!v) return `${key} is empty`;
  if (/^\s|\s$/.test(v)) return `${key} has leading or trailing spaces or a line break: paste the value alone`;
  if (/\s/.test(v)) return `${key} contains a space or a line break: paste the value alone`;
  if (/^["'`]|["'`]$/.test(v)) return `${key} is wrapped in quotes: paste the value without them`;
  return undefined;
}
