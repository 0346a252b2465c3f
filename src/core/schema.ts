// A zod schema from a function that says what is wrong with a value (or undefined when nothing is):
// the shape every provider's format check takes, so messages stay specific and one line long.
import { z } from 'zod';

export const checkedString = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((v, ctx) => {
    const p = problem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });
