// .env reading and merging that keeps the user's file: comments, order, unknown keys, duplicates,
// line endings and BOM survive; only the keys we set are touched. Parsing follows the `dotenv`
// package's own LINE expression (lib/main.js), so what we read is what the app will read.
import { FileError } from '../errors.ts';

// dotenv 17/18 LINE regex, with the `d` flag for match offsets.
const LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

export interface DotenvEntry {
  key: string;
  value: string;
  /** Offsets in the normalised (\n) text: the whole match, and key-to-end-of-value (what a rewrite replaces). */
  start: number;
  end: number;
  keyStart: number;
  valueEnd: number;
}

export interface DotenvDoc {
  /** Text with \r\n normalised to \n and without BOM. */
  text: string;
  eol: '\n' | '\r\n';
  bom: boolean;
  entries: DotenvEntry[];
}

export function parseDotenv(source: string): DotenvDoc {
  const bom = source.startsWith('\uFEFF');
  const raw = bom ? source.slice(1) : source;
  const eol = raw.includes('\r\n') ? '\r\n' : '\n';
  const text = raw.replace(/\r\n?/g, '\n');
  const entries: DotenvEntry[] = [];
  for (const m of text.matchAll(LINE)) {
    const key = m[1]!;
    let value = (m[2] ?? '').trim();
    const q = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/m, '$2');
    if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    const [start, end] = m.indices![0]!;
    const [keyStart, keyEnd] = m.indices![1]!;
    const sep = /^(?:\s*=|:\s)/.exec(text.slice(keyEnd))?.[0].length ?? 0;
    const valueEnd = m.indices![2]?.[1] ?? keyEnd + sep;
    entries.push({ key, value, start, end, keyStart, valueEnd });
  }
  return { text, eol, bom, entries };
}

/** Effective values: the last definition of a key wins, as in dotenv. */
export function dotenvValues(doc: DotenvDoc): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of doc.entries) out[e.key] = e.value;
  return out;
}

/**
 * Keys defined more than once, non-blank, non-comment lines that define nothing, and values that open a
 * quote not closed at their end (a half-edited line: dotenv then reads the quote as part of the value).
 */
export function dotenvProblems(doc: DotenvDoc): { duplicates: string[]; invalidLines: number[]; unclosedQuotes: { key: string; line: number }[] } {
  const unclosedQuotes: { key: string; line: number }[] = [];
  for (const e of doc.entries) {
    const raw = doc.text.slice(e.keyStart, e.valueEnd);
    const value = raw.slice(raw.search(/[=:]/) + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'" || q === '`') && (value.length < 2 || !value.endsWith(q)))
      unclosedQuotes.push({ key: e.key, line: doc.text.slice(0, e.keyStart).split('\n').length });
  }
  const seen = new Map<string, number>();
  for (const e of doc.entries) seen.set(e.key, (seen.get(e.key) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  const covered = new Array<boolean>(doc.text.length + 1).fill(false);
  for (const e of doc.entries) for (let i = e.start; i < e.end; i++) covered[i] = true;
  const invalidLines: number[] = [];
  let offset = 0;
  doc.text.split('\n').forEach((line, i) => {
    const t = line.trim();
    const lineCovered = covered.slice(offset, offset + line.length).some(Boolean);
    if (t && !t.startsWith('#') && !lineCovered) invalidLines.push(i + 1);
    offset += line.length + 1;
  });
  return { duplicates, invalidLines, unclosedQuotes };
}

const KEY = /^[A-Z_][A-Z0-9_]*$/;
const BARE = /^[A-Za-z0-9_\-./:@,+=%]*$/;

/**
 * Encode a value so that dotenv (and dotenvx and Docker Compose) read back exactly this string.
 * Single quotes are literal everywhere, so anything with `$`, `#`, spaces or backslashes goes there;
 * values with newlines use double quotes with \n escapes. A value none of them can carry is refused.
 */
export function encodeValue(key: string, value: string): string {
  if (BARE.test(value) && !value.startsWith('#')) return value;
  if (!value.includes("'") && !/[\r\n]/.test(value) && !value.endsWith('\\')) return `'${value}'`;
  if (!/[\\"$`]/.test(value)) return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  throw new FileError(
    `${key}: this value cannot be written to .env so that every reader gets it back unchanged`,
    "it mixes a single quote or a newline with one of \\ \" $ `; choose a value without that mix",
  );
}

export function formatLine(key: string, value: string): string {
  if (!KEY.test(key)) throw new FileError(`${key}: not a valid environment variable name (A-Z, 0-9 and _)`);
  return `${key}=${encodeValue(key, value)}`;
}

export interface EnvGroup {
  /** Comment line(s) written above a group of new keys. */
  title: string;
  vars: { key: string; value: string }[];
}

/**
 * Merge values into an existing .env text.
 * - `ensure` semantics for keys not in `overwrite`: existing keys keep their value.
 * - keys in `overwrite` are replaced in place (the effective, last definition).
 * - missing keys are appended, grouped under their title.
 */
export function mergeDotenv(source: string, groups: EnvGroup[], overwrite: ReadonlySet<string> = new Set()): string {
  const doc = parseDotenv(source);
  const current = dotenvValues(doc);
  let text = doc.text;

  // Replace values in place, from the end so offsets stay valid.
  const lastByKey = new Map<string, DotenvEntry>();
  for (const e of doc.entries) lastByKey.set(e.key, e);
  const replacements: { start: number; end: number; line: string }[] = [];
  for (const g of groups)
    for (const v of g.vars) {
      const e = lastByKey.get(v.key);
      // An empty `KEY=` (e.g. .env copied from .env.example) counts as missing and is filled in place.
      if (e && (overwrite.has(v.key) || (current[v.key] === '' && v.value !== '')) && current[v.key] !== v.value)
        replacements.push({ start: e.keyStart, end: e.valueEnd, line: formatLine(v.key, v.value) });
    }
  replacements.sort((a, b) => b.start - a.start);
  for (const r of replacements) {
    const rest = text.slice(r.end);
    text = text.slice(0, r.start) + r.line + (rest.startsWith('#') ? ' ' : '') + rest;
  }

  const blocks: string[] = [];
  for (const g of groups) {
    const missing = g.vars.filter((v) => !(v.key in current));
    if (!missing.length) continue;
    blocks.push([`# ${g.title}`, ...missing.map((v) => formatLine(v.key, v.value))].join('\n'));
  }
  if (blocks.length) {
    if (text.length && !text.endsWith('\n')) text += '\n';
    if (text.trim().length) text += '\n';
    text += blocks.join('\n\n') + '\n';
  }
  const out = doc.eol === '\r\n' ? text.replace(/\n/g, '\r\n') : text;
  return (doc.bom ? '\uFEFF' : '') + out;
}

/** The .env text without every line defining one of `keys` (a rotation's pending slot, once settled). */
export function removeKeys(source: string, keys: ReadonlySet<string>): string {
  const doc = parseDotenv(source);
  let out = doc.text;
  for (const e of [...doc.entries].reverse()) {
    if (!keys.has(e.key)) continue;
    const lineStart = out.lastIndexOf('\n', e.start - 1) + 1;
    const nl = out.indexOf('\n', e.end);
    out = out.slice(0, lineStart) + out.slice(nl < 0 ? out.length : nl + 1);
  }
  return (doc.bom ? '\uFEFF' : '') + (doc.eol === '\r\n' ? out.replace(/\n/g, '\r\n') : out);
}

/** Adds `KEY=value` lines right below the line of `after` (a rotation's pending value beside the one it replaces). */
export function addBeside(source: string, lines: { after: string; key: string; value: string }[]): string {
  const doc = parseDotenv(source);
  let out = doc.text.length && !doc.text.endsWith('\n') ? `${doc.text}\n` : doc.text;
  for (const l of lines) {
    const e = parseDotenv(out).entries.filter((x) => x.key === l.after).at(-1);
    // after the end of that entry's line, or at the end of the file
    const at = e ? out.indexOf('\n', e.end) + 1 : out.length;
    out = `${out.slice(0, at)}${formatLine(l.key, l.value)}\n${out.slice(at)}`;
  }
  return (doc.bom ? '\uFEFF' : '') + (doc.eol === '\r\n' ? out.replace(/\n/g, '\r\n') : out);
}
