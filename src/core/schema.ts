// A zod schema from a function that says what is wrong with a value (or undefined when nothing is):
// the shape every provider's format check takes, so messages stay specific and one line long.
import { z } from 'zod';

/** Longer than any setting here needs (and than an environment variable comfortably carries). */
export const MAX_VALUE_LENGTH = 8192;

export const checkedString = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((v, ctx) => {
    const p = v.length > MAX_VALUE_LENGTH ? `the value is ${v.length} characters long, more than any setting needs: paste the value alone` : (problem(v) ?? strayPasteProblem(v));
    if (p) ctx.addIssue({ code: 'custom', message: printable(p, v) });
  });

/** One character, named for a message (never more of the value than that character's code point). */
function describeChar(c: string): string {
  const u = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  if (/[\t\n\r]/.test(c)) return `a tab or a line break (${u})`;
  if (/\p{Cc}/u.test(c)) return `a control character (${u})`;
  if (/[\p{Cf}\p{Zl}\p{Zp}]/u.test(c)) return `an invisible character (${u}, e.g. a zero-width space)`;
  if (/\s/.test(c)) return `a non-breaking or other special space (${u})`;
  if (/[\u2018-\u201f\u00ab\u00bb\u2039\u203a]/.test(c)) return `a typographic quote (${u})`;
  if (/[\uff00-\uffef]/.test(c)) return `a fullwidth character (${u})`;
  if (/[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(c)) return `a Cyrillic or Greek letter that looks like a Latin one (${u})`;
  return `a character that is not plain ASCII (${u})`;
}

/**
 * What a copy from a web page, a chat, a PDF or a shell brings along, in a value its own check accepted:
 * invisible and control characters, special spaces, typographic quotes, fullwidth forms, a Cyrillic or Greek
 * look-alike among Latin letters, a whole `KEY=value` line, JSON.
 */
function strayPasteProblem(v: string): string | undefined {
  const odd = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u2018-\u201f\u00ab\u00bb\u2039\u203a\uff00-\uffef]|[^\S ]/u.exec(v);
  if (odd) return `the value contains ${describeChar(odd[0])}: copy or type it again`;
  const mixed = v.split(/[^\p{L}\p{N}\p{M}]+/u).find((w) => /[A-Za-z]/.test(w) && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(w));
  if (mixed) return `the value contains ${describeChar(/[\p{Script=Cyrillic}\p{Script=Greek}]/u.exec(mixed)![0])} among Latin letters: type that part again`;
  if (/^["'`]|["'`]$/.test(v)) return 'the value is wrapped in quotes: paste it without them';
  if (/^(export\s+|set\s+|\$env:)?[A-Z][A-Z0-9]*_[A-Z0-9_]*\s*(=|:\s)/.test(v)) return 'the value is a whole KEY=value line: paste only the value';
  if (/^\s*[{[]/.test(v)) {
    try {
      JSON.parse(v);
      return 'the value is JSON: paste only the value itself';
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

/**
 * A problem line safe to print, whatever the value: control and invisible characters shown as \uXXXX,
 * any echo of a credential-like part of the value (a key pasted into the wrong field) masked, at most 300 characters.
 */
function printable(message: string, v: string): string {
  let out = message.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  // credential-like: 16+ characters with digits, mixed case or 32+ long; compared lower-cased, _ as -, as messages may rewrite them
  const loose = (s: string) => s.toLowerCase().replace(/_/g, '-');
  const secretLike = (v.match(/[A-Za-z0-9+_-]{16,}/g) ?? []).filter((t) => /\d/.test(t) && ((/[a-z]/.test(t) && /[A-Z]/.test(t)) || t.length >= 32)).map(loose);
  if (secretLike.length) out = out.replace(/[A-Za-z0-9+_-]{12,}/g, (m) => (!/^[A-Z][A-Z0-9_]*$/.test(m) && secretLike.some((t) => t.includes(loose(m))) ? '••••' : m));
  return out.length > 300 ? `${out.slice(0, 299)}…` : out;
}

/** The mistakes of a pasted key: empty, spaces or a line break around or inside it, quotes kept, a character no key has. */
export function pastedValueProblem(key: string, v: string): string | undefined {
  if (!v) return `${key} is empty`;
  if (/^\s|\s$/.test(v)) return `${key} has leading or trailing spaces or a line break: paste the value alone`;
  if (/\s/.test(v)) return `${key} contains a space or a line break: paste the value alone`;
  if (/^["'`\u2018-\u201f\u00ab\u00bb]|["'`\u2018-\u201f\u00ab\u00bb]$/.test(v)) return `${key} is wrapped in quotes: paste the value without them`;
  const odd = /[^\x21-\x7e]/.exec(v);
  if (odd) return `${key} contains ${describeChar(odd[0])}: copy or type it again`;
  return undefined;
}

/** Credentials recognisable by their shape, for the fields they never belong in. */
const CREDENTIALS: [RegExp, string][] = [
  [/^(sk|rk)_(test|live)_/, 'a Stripe or Clerk secret key (sk_…/rk_…)'],
  [/^pk_(test|live)_/, 'a Stripe or Clerk publishable key (pk_…)'],
  [/^whsec_/, 'a Stripe webhook signing secret (whsec_…)'],
  [/^rnd_[A-Za-z0-9]{16,}$/, 'a Render API key (rnd_…)'],
  [/^(postgres(ql)?|rediss?):\/\//i, 'a database connection URL'],
  [/^K\d{3}[A-Za-z0-9+/]{27}$/, 'a Backblaze B2 applicationKey'],
  [/^00[0-9a-f]{23}$/, 'a Backblaze B2 keyID'],
];

/** Another service's credential pasted into this (free-form) field: named by its kind, never echoed. */
export function foreignCredentialProblem(key: string, v: string): string | undefined {
  const kind = CREDENTIALS.find(([re]) => re.test(v))?.[1];
  return kind && `${key} is ${kind}, pasted into the wrong field`;
}

/**
 * A secret the app itself signs or encrypts with (JWT_SECRET, AUTH0_SECRET): at least 32 characters, pasted
 * alone, not another service's credential. A passphrase may hold spaces and any script.
 */
export function signingSecretProblem(key: string, v: string): string | undefined {
  if (!v) return `${key} is empty`;
  if (/^\s|\s$/.test(v)) return `${key} has leading or trailing spaces or a line break: paste the value alone`;
  if (/^["'`]|["'`]$/.test(v)) return `${key} is wrapped in quotes: paste the value without them`;
  if (v.length < 32) return `${key} must be at least 32 characters (e.g. openssl rand -hex 32)`;
  return foreignCredentialProblem(key, v);
}

/**
 * The two checks of a secret the app signs or encrypts with (JWT_SECRET, AUTH0_SECRET): the wizard's, and
 * the generated env module's (EnvVar.app), which must accept whatever the wizard accepts.
 */
export const signingSecret = (key: string) => ({ schema: checkedString((v) => signingSecretProblem(key, v)), app: 'z.string().min(32)' });
