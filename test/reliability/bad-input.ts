// Bad input: every env var of every provider, fed what people actually paste. Each input starts from a
// VALID value of the key (the tests' and stand-ins' keys, the declarations' example and localDefault) and
// is mutated: wrong kind/prefix, truncated, whitespace around or inside, quotes, look-alike characters,
// very long, empty, control characters, URL and port mistakes, another provider's key, `export KEY=…`
// lines and JSON. Each goes through
//   check    `check(e, input)`, the format check every path shares (raw, untrimmed);
//   prompt   what the prompt's validate does (trim, empty allowed for an optional key, then check);
//   --yes    `resolveAll([provider], {KEY: input, ...valid others}, {}, project)`, in process;
// and a sample per (provider, mutation kind) through the BUILT CLI (`--yes --skip-verify`).
// A rejection must be a UserError with a specific one-line message naming the key (never zod's default
// wording, never the secret, never a blob or a control character); an acceptance must be a clean, valid
// value (no invisible or look-alike character, no pasted `KEY=`/JSON, no other service's credential).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProviders } from '../../providers/index.ts';
import { LOCAL_S3 } from '../../providers/b2/index.ts';
import { LOCAL_DATABASE_URL } from '../../providers/postgres/index.ts';
import { LOCAL_REDIS_URL } from '../../providers/redis.ts';
import { UserError } from '../../src/core/errors.ts';
import { detectProject, type ProjectInfo } from '../../src/core/project.ts';
import { PROVIDER_IDS, type EnvVar, type Provider } from '../../src/core/provider.ts';
import { check, resolveAll } from '../../src/core/resolve.ts';
import { isPlaceholder } from '../../src/core/placeholder.ts';
import { CLIENTS as AUTH0_CLIENTS } from '../standins/auth0.ts';
import { KEYS as CLERK_KEYS } from '../standins/clerk.ts';
import { OTHER_KEY as RENDER_OTHER_KEY, RENDER_KEY } from '../standins/render.ts';
import { KEYS as STRIPE_KEYS } from '../standins/stripe.ts';
import { cli, hasStackTrace, type CliRun } from './run.ts';
import type { SuiteResult, Transcript } from './types.ts';

// --- valid values, per key ------------------------------------------------------------------------------

const JWT = 'Zq3vJ1nWcR8tYk2LmP5sXa7dFh9GjB4eNu6Wy0Ti1Ko';
const JWT_PREVIOUS = 'Pr3vJ1nWcR8tYk2LmP5sXa7dFh9GjB4eNu6Wy0Ti9Zz';
const AUTH0_SECRET = 'a3f1c9e0b7d24f6a8c5e1b9d7f3a2c4e6b8d0f1a3c5e7b9d2f4a6c8e0b1d3f5a';
const B2_KEY_ID = '004a1b2c3d4e5f60000000001';
const B2_APP_KEY = 'K004Zr8TqW2mX5vL9nB3cY7kP1sD4fG';

/** From test/providers/*.test.ts and test/standins/*.ts; the first is the base every mutation starts from. */
const KNOWN_VALID: Record<string, string[]> = {
  NODE_ENV: ['production', 'development', 'test'],
  PORT: ['3000', '8080'],
  APP_URL: ['https://app.example.com', 'http://localhost:3000'],
  CORS_ORIGINS: ['https://app.example.com', 'https://app.example.com,http://localhost:3000'],
  JWT_SECRET: [JWT],
  JWT_SECRET_PREVIOUS: [JWT_PREVIOUS],
  DATABASE_URL: ['postgres://app_user:Pg5ecretPassw0rd@db.example.com:5432/appdb?sslmode=require', 'postgres://u:p@[::1]:6543/db?sslmode=verify-full&sslrootcert=/etc/ca.pem', LOCAL_DATABASE_URL],
  REDIS_URL: ['rediss://default:Rd5ecretPassw0rd@redis.example.com:6379', 'redis://127.0.0.1:6379/2', LOCAL_REDIS_URL],
  CLERK_SECRET_KEY: [CLERK_KEYS.devSecret, CLERK_KEYS.prodSecret],
  CLERK_PUBLISHABLE_KEY: [CLERK_KEYS.devPublishable, CLERK_KEYS.prodPublishable],
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: [CLERK_KEYS.devPublishable],
  VITE_CLERK_PUBLISHABLE_KEY: [CLERK_KEYS.devPublishable],
  PUBLIC_CLERK_PUBLISHABLE_KEY: [CLERK_KEYS.devPublishable],
  AUTH0_DOMAIN: ['acme.us.auth0.com'],
  AUTH0_CLIENT_ID: [AUTH0_CLIENTS.full.client_id],
  AUTH0_CLIENT_SECRET: [AUTH0_CLIENTS.full.client_secret],
  AUTH0_AUDIENCE: ['https://api.example.com'],
  AUTH0_SECRET: [AUTH0_SECRET],
  APP_BASE_URL: ['https://app.example.com'],
  STRIPE_SECRET_KEY: [STRIPE_KEYS.test, STRIPE_KEYS.live, STRIPE_KEYS.restricted],
  STRIPE_PUBLISHABLE_KEY: [STRIPE_KEYS.publishableTest, STRIPE_KEYS.publishableLive],
  STRIPE_WEBHOOK_SECRET: ['whsec_abcdefghijklmnopqrstuvwxyz012345'],
  STRIPE_WEBHOOK_PATH: ['/api/webhooks/stripe'],
  STRIPE_WEBHOOK_EVENTS: ['invoice.paid,checkout.session.completed'],
  S3_REGION: ['us-west-004', LOCAL_S3.region],
  S3_ENDPOINT: ['https://s3.us-west-004.backblazeb2.com', LOCAL_S3.endpoint],
  S3_BUCKET: ['acme-uploads', LOCAL_S3.bucket],
  S3_ACCESS_KEY_ID: [B2_KEY_ID, LOCAL_S3.accessKeyId],
  S3_SECRET_ACCESS_KEY: [B2_APP_KEY, LOCAL_S3.secretAccessKey],
  RENDER_API_KEY: [RENDER_KEY, RENDER_OTHER_KEY],
  RENDER_SERVICES: ['acme-web,srv-abc123def456ghi789'],
  RENDER_REGION: ['oregon', 'frankfurt'],
  RENDER_PLAN: ['starter', 'pro plus'],
};

/** The app's own signing secrets: a passphrase may hold spaces and any script. */
const PASSPHRASES = ['JWT_SECRET', 'JWT_SECRET_PREVIOUS', 'AUTH0_SECRET'];
/** Keys whose values may hold a plain space inside (a plan name, service names, a list after ", ", a passphrase). */
const SPACE_OK = new Set(['RENDER_PLAN', 'RENDER_SERVICES', 'CORS_ORIGINS', ...PASSPHRASES]);
/** Keys that may legitimately carry non-ASCII text (an IDN host, a service name, a passphrase), never a look-alike mix. */
const TEXT_OK = new Set(['APP_URL', 'CORS_ORIGINS', 'APP_BASE_URL', 'DATABASE_URL', 'REDIS_URL', 'S3_ENDPOINT', 'AUTH0_DOMAIN', 'RENDER_SERVICES', ...PASSPHRASES]);
const MAX_VALUE = 8192;

/** Credentials recognisable by their shape: one of these accepted in a field of another kind is a mistake. */
const SHAPES: [string, RegExp][] = [
  ['an sk_/rk_ secret key', /^(sk|rk)_(test|live)_/],
  ['a pk_ publishable key', /^pk_(test|live)_/],
  ['a Stripe webhook secret', /^whsec_/],
  ['a Render API key', /^rnd_/],
  ['a connection URL', /^(postgres(ql)?|rediss?):\/\//i],
  ['a B2 applicationKey', /^K\d{3}[A-Za-z0-9+/]{27}$/],
  ['a B2 keyID', /^00[0-9a-f]{23}$/],
];
const shapeOf = (v: string) => SHAPES.find(([, re]) => re.test(v))?.[0];

// --- mutations ------------------------------------------------------------------------------------------

export const KINDS = ['wrong kind', 'truncated', 'whitespace', 'quotes', 'look-alike', 'long', 'empty', 'control', 'url', 'port', 'other provider', 'KEY= line', 'JSON'] as const;
type Kind = (typeof KINDS)[number];
interface Input {
  kind: Kind;
  /** Says what was done, never the value (it may be a secret). */
  label: string;
  value: string;
  /** A secret of another field pasted here: it must not be echoed either. */
  secret?: string;
}

const CYRILLIC: Record<string, string> = { a: 'а', e: 'е', o: 'о', c: 'с', p: 'р', x: 'х', y: 'у', i: 'і', s: 'ѕ', A: 'А', E: 'Е', O: 'О', C: 'С', P: 'Р', T: 'Т', H: 'Н', K: 'К', M: 'М', B: 'В', X: 'Х' };
const GREEK: Record<string, string> = { o: 'ο', v: 'ν', i: 'ι', A: 'Α', B: 'Β', E: 'Ε', K: 'Κ', O: 'Ο', T: 'Τ', Z: 'Ζ' };
const at = (v: string, i: number, s: string) => v.slice(0, i) + s + v.slice(i);
const mid = (v: string) => Math.max(1, Math.floor(v.length / 2));
const fullwidth = (ch: string) => (ch >= '!' && ch <= '~' ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch);

function replaceFrom(v: string, map: Record<string, string>, which: 'first' | 'middle' | 'last'): string | undefined {
  const idx = [...v].map((c, i) => (map[c] ? i : -1)).filter((i) => i >= 0);
  if (!idx.length) return undefined;
  const i = which === 'first' ? idx[0]! : which === 'last' ? idx[idx.length - 1]! : idx[Math.floor(idx.length / 2)]!;
  return v.slice(0, i) + map[v[i]!]! + v.slice(i + 1);
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const isUrlish = (e: EnvVar, v: string) => SCHEME.test(v) || e.key === 'AUTH0_DOMAIN';

/** The authority's end: where a path, a query or a port goes. */
function authorityEnd(v: string): number {
  const start = SCHEME.exec(v)?.[0].length ?? 0;
  const rest = v.slice(start);
  const end = rest.search(/[/?#]/);
  return start + (end < 0 ? rest.length : end);
}
function withPort(v: string, port: string): string {
  const end = authorityEnd(v);
  const authority = v.slice(0, end);
  const hostStart = authority.lastIndexOf('@') + 1 || (SCHEME.exec(v)?.[0].length ?? 0);
  const host = authority.slice(hostStart).replace(/:\d*$/, '');
  return `${authority.slice(0, hostStart)}${host}:${port}${v.slice(end)}`;
}

type Example = { from: string; key: string; value: string; secret: boolean };

function mutations(e: EnvVar, v: string, siblings: Example[], foreign: Example[]): Input[] {
  const out: Input[] = [];
  const add = (kind: Kind, label: string, value: string | undefined, secret?: string) => {
    if (value !== undefined && value !== v) out.push({ kind, label, value, secret });
  };

  // wrong kind: another prefix, another mode, another field of the same provider
  const pre = /^([a-z]{2})_(test|live)_/.exec(v);
  if (pre) {
    for (const k of ['sk', 'pk', 'rk']) if (k !== pre[1]) add('wrong kind', `${k}_ prefix instead of ${pre[1]}_`, `${k}${v.slice(2)}`);
    add('wrong kind', 'test/live swapped', v.replace(/_(test|live)_/, (_m, mode: string) => (mode === 'test' ? '_live_' : '_test_')));
    add('wrong kind', 'prefix upper-cased', v.replace(/^[a-z]{2}_(test|live)_/, (m) => m.toUpperCase()));
    add('wrong kind', 'mode dropped', v.replace(/_(test|live)_/, '_'));
    add('wrong kind', 'prod mode', v.replace(/_(test|live)_/, '_prod_'));
    add('wrong kind', 'org key', v.replace(/^[a-z]{2}_(test|live)_/, 'sk_org_'));
  }
  if (v.startsWith('whsec_')) for (const p of ['we_', 'whsec', 'WHSEC_', 'sk_test_']) add('wrong kind', `${p} instead of whsec_`, p + v.slice(6));
  if (v.startsWith('rnd_')) for (const p of ['RND_', 'srv-', 'usr-', 'rnd-', 'Bearer rnd_']) add('wrong kind', `${p} instead of rnd_`, p + v.slice(4));
  const scheme = SCHEME.exec(v)?.[1];
  if (scheme) for (const s of ['ftp', 'mysql', 'http', 'https', 'file', 'postgres', 'redis', 'rediss', 'javascript']) if (s !== scheme) add('wrong kind', `${s}:// scheme`, v.replace(SCHEME, `${s}://`));
  add('wrong kind', 'Bearer prefix', `Bearer ${v}`);
  add('wrong kind', 'first character dropped', v.slice(1));
  add('wrong kind', 'letter case flipped', v.replace(/[a-z]/i, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())));
  for (const s of siblings) add('wrong kind', `${s.key} pasted here`, s.value, s.secret ? s.value : undefined);

  // truncated
  add('truncated', 'last character cut', v.slice(0, -1));
  add('truncated', 'cut in half', v.slice(0, mid(v)));
  add('truncated', 'first 8 characters', v.slice(0, 8));
  add('truncated', 'first 3 characters', v.slice(0, 3));
  add('truncated', 'one character', v.slice(0, 1));
  add('truncated', 'head cut', v.slice(mid(v)));

  // whitespace around and inside
  for (const [label, pre_, post] of [
    ['space before', ' ', ''], ['space after', '', ' '], ['spaces around', '  ', '  '], ['tab before', '\t', ''], ['tab after', '', '\t'],
    ['newlines around', '\n', '\n'], ['trailing newline', '', '\n'], ['trailing CRLF', '', '\r\n'], ['leading CR', '\r', ''], ['mixed whitespace around', ' \n\t', '\n\t '],
  ] as const)
    add('whitespace', label, pre_ + v + post);
  for (const [label, s] of [['space inside', ' '], ['newline inside', '\n'], ['tab inside', '\t'], ['CRLF inside', '\r\n'], ['two spaces inside', '  ']] as const) add('whitespace', label, at(v, mid(v), s));
  add('whitespace', 'pasted twice, space between', `${v} ${v}`);
  add('whitespace', 'pasted twice, newline between', `${v}\n${v}`);

  // quotes
  for (const [label, a, b] of [
    ['double quotes', '"', '"'], ['single quotes', "'", "'"], ['backticks', '`', '`'], ['opening double quote', '"', ''], ['closing double quote', '', '"'],
    ['opening single quote', "'", ''], ['quotes and a newline', '"', '"\n'], ['smart double quotes', '“', '”'], ['smart single quotes', '‘', '’'],
    ['guillemets', '«', '»'], ['German quotes', '„', '“'], ['quotes with spaces', ' "', '" '],
  ] as const)
    add('quotes', label, a + v + b);

  // look-alikes and invisible characters
  for (const w of ['first', 'middle', 'last'] as const) add('look-alike', `Cyrillic letter (${w})`, replaceFrom(v, CYRILLIC, w));
  add('look-alike', 'Greek letter', replaceFrom(v, GREEK, 'middle'));
  for (const [label, s, where] of [
    ['zero-width space at start', '\u200b', 0], ['zero-width space inside', '\u200b', mid(v)], ['zero-width space at end', '\u200b', v.length],
    ['zero-width non-joiner inside', '\u200c', mid(v)], ['zero-width joiner inside', '\u200d', mid(v)], ['word joiner inside', '\u2060', mid(v)],
    ['BOM at start', '\ufeff', 0], ['soft hyphen inside', '\u00ad', mid(v)], ['non-breaking space inside', '\u00a0', mid(v)],
    ['non-breaking space at end', '\u00a0', v.length], ['non-breaking space at start', '\u00a0', 0], ['narrow no-break space at end', '\u202f', v.length],
    ['ideographic space at end', '\u3000', v.length], ['right-to-left mark at end', '\u200f', v.length], ['right-to-left override inside', '\u202e', mid(v)],
    ['combining accent inside', '\u0301', mid(v)], ['line separator at end', '\u2028', v.length],
  ] as const)
    add('look-alike', label, at(v, where, s));
  add('look-alike', 'fullwidth first character', fullwidth(v[0]!) + v.slice(1));
  add('look-alike', 'fullwidth character inside', v.slice(0, mid(v)) + fullwidth(v[mid(v)] ?? 'a') + v.slice(mid(v) + 1));
  add('look-alike', 'all fullwidth', [...v].map(fullwidth).join(''));
  add('look-alike', 'en dash for hyphen', v.includes('-') ? v.replace('-', '–') : undefined);
  add('look-alike', 'ellipsis for dots', v.includes('..') ? v.replace('..', '…') : v.includes('.') ? v.replace('.', '…') : `${v}…`);

  // very long
  add('long', '10 kB appended', v + 'A'.repeat(10_240));
  add('long', '10 kB alone', 'A'.repeat(10_240));
  add('long', 'repeated to 10 kB', v.repeat(Math.ceil(10_240 / v.length)));
  add('long', '10 kB of spaces before', ' '.repeat(10_240) + v);
  add('long', '10 kB of lines appended', v + `\n${'x'.repeat(79)}`.repeat(128));
  add('long', '1 MB appended', v + 'a'.repeat(1 << 20));
  add('long', '1 MB comma list', `${v},`.repeat(Math.ceil((1 << 20) / (v.length + 1))).slice(0, -1));

  // empty
  for (const [label, s] of [['empty', ''], ['one space', ' '], ['spaces', '   '], ['tab', '\t'], ['newline', '\n'], ['CRLF', '\r\n'], ['mixed whitespace', ' \t\n '], ['empty double quotes', '""'], ["empty single quotes", "''"], ['zero-width space only', '\u200b'], ['non-breaking space only', '\u00a0']] as const)
    add('empty', label, s);

  // control characters
  for (const [label, s] of [
    ['NUL inside', '\u0000'], ['BEL inside', '\u0007'], ['backspace inside', '\u0008'], ['ESC inside', '\u001b'], ['DEL inside', '\u007f'], ['vertical tab inside', '\u000b'],
    ['form feed inside', '\u000c'], ['C1 NEL inside', '\u0085'], ['C1 CSI inside', '\u009b'],
  ] as const)
    add('control', label, at(v, mid(v), s));
  add('control', 'NUL at end', `${v}\u0000`);
  add('control', 'ANSI colour around', `\u001b[31m${v}\u001b[0m`);
  add('control', 'typo then backspace', `${v}x\u0008`);
  add('control', 'bracketed-paste markers', `\u001b[200~${v}\u001b[201~`);

  // URLs
  if (isUrlish(e, v)) {
    const end = authorityEnd(v);
    const noScheme = v.replace(SCHEME, '');
    add('url', 'without scheme', noScheme);
    add('url', 'https:// added', scheme ? undefined : `https://${v}`);
    add('url', 'http:// added', scheme ? undefined : `http://${v}`);
    add('url', 'with a path', `${v.slice(0, end)}/some/path${v.slice(end)}`);
    add('url', 'with a query', `${v.slice(0, end)}${v.slice(end).includes('?') ? `${v.slice(end)}&x=1` : `${v.slice(end)}?x=1&y=2`}`);
    add('url', 'with a fragment', `${v}#section`);
    add('url', 'with a user name and password', scheme ? v.replace(SCHEME, (m) => `${m}someone:hunter2@`).replace(/(:\/\/someone:hunter2@)[^@/]*@/, '$1') : `someone:hunter2@${v}`);
    add('url', 'with an unescaped @ in the password', scheme ? v.replace(SCHEME, (m) => `${m}someone:p@ss@`).replace(/(:\/\/someone:p@ss@)[^@/]*@/, '$1') : `someone:p@ss@${v}`);
    add('url', 'empty host', scheme ? `${scheme}:///${v.slice(end).replace(/^\//, '')}` : undefined);
    add('url', 'scheme twice', `https://${v}`);
    add('url', 'backslashes', v.replace(/\//g, '\\'));
    add('url', 'unclosed IPv6 bracket', scheme ? `${scheme}://[::1${v.slice(end)}` : `[::1`);
    add('url', 'malformed %-escape', `${v.slice(0, end)}/%zz${v.slice(end).replace(/^\//, '')}`);
    add('url', 'trailing slashes', `${v}///`);
    add('url', 'two hosts', `${v.slice(0, end)},other.example.com${v.slice(end)}`);
    add('url', 'spaces in host', at(v, end - 2, ' '));
    add('url', 'trailing dot in host', `${v.slice(0, end)}.${v.slice(end)}`);
    for (const p of ['0', '65536', '-1', '99999', 'abc', '', '1e3', '８０']) add('port', `port "${p}"`, withPort(v, p));
  }
  if (e.key === 'PORT')
    for (const p of ['0', '65536', '-1', '99999', '3000.5', '0x1F90', '1e3', '+3000', '3_000', '３０００', '030000', '80 80', 'eighty']) add('port', `PORT "${p}"`, p);

  // another provider's key or secret (an example such as rnd_xxxx… is a placeholder: read as unset, not as a value)
  for (const f of foreign) if (!isPlaceholder(f.value)) add('other provider', `${f.key} of ${f.from}`, f.value, f.secret ? f.value : undefined);

  // pasted lines: export KEY=…, KEY=value, other shells
  const k = e.key;
  for (const [label, s] of [
    ['export KEY=value', `export ${k}=${v}`], ['KEY=value', `${k}=${v}`], ['KEY="value"', `${k}="${v}"`], ["export KEY='value'", `export ${k}='${v}'`],
    ['KEY = value', `${k} = ${v}`], ['KEY=value # comment', `${k}=${v} # comment`], ['KEY=value and another line', `${k}=${v}\nOTHER=1`],
    ['OTHER_KEY=value', `SOME_OTHER_KEY=${v}`], ['PowerShell $env:KEY', `$env:${k}="${v}"`], ['YAML KEY: value', `${k}: ${v}`], ['set KEY=value', `set ${k}=${v}`],
    ['KEY= line with a CR', `${k}=${v}\r`], ['key name only', `${k}=`],
  ] as const)
    add('KEY= line', label, s);

  // JSON
  for (const [label, s] of [
    ['{"KEY": value}', JSON.stringify({ [k]: v })], ['{"value": value}', JSON.stringify({ value: v })], ['JSON string', JSON.stringify(v)], ['JSON array', JSON.stringify([v])],
    ['pretty JSON object', JSON.stringify({ [k]: v }, null, 2)], ['JSON with the key lower-cased', JSON.stringify({ [k.toLowerCase()]: v })],
  ] as const)
    add('JSON', label, s);
  return out;
}

// --- judging one outcome --------------------------------------------------------------------------------

const GENERIC = /invalid input|invalid value|invalid string|invalid option|invalid enum|too small|too big|expected (a |an )?(string|number)|received (undefined|string|number)|must match pattern|unrecognized|^\s*\S+:\s*$/i;

/** Why a rejection message is not specific, or undefined. */
function vague(e: EnvVar, msg: string): string | undefined {
  if (!msg.trim()) return 'empty message';
  if (!msg.includes(e.key)) return 'does not name the key';
  if (GENERIC.test(msg.replaceAll(e.key, ''))) return 'generic wording';
  return undefined;
}

/** The part of a secret that must never be shown: a URL's password, a key's body after its prefix. */
function secretCore(v: string): string {
  try {
    if (SCHEME.test(v)) return decodeURIComponent(new URL(v).password);
  } catch {
    /* not a URL */
  }
  return v.replace(/^[a-z]{2,5}_((test|live)_)?/, '');
}

/** A message may show 11 characters of a secret at most (a prefix such as sk_test_, never the secret part). */
const ECHO = 12;
const echoes = (msg: string, secret: string) => {
  const core = secretCore(secret).toLowerCase();
  const m = msg.toLowerCase();
  for (let i = 0; i + ECHO <= core.length; i++) if (m.includes(core.slice(i, i + ECHO))) return true;
  return false;
};

/** Why a message is unfit to print for this input, or undefined. */
function unfit(e: EnvVar, msg: string, input: Input, base: string): string | undefined {
  if (msg.length > 300) return `${msg.length} characters long`;
  if (/[\n\r]/.test(msg)) return 'more than one line';
  if (/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(msg)) return 'carries a control or invisible character';
  if (input.secret && echoes(msg, input.secret)) return "echoes another field's secret pasted here";
  if (!e.secret) return undefined;
  const t = input.value.trim();
  if (t.length >= ECHO && msg.includes(t)) return 'echoes the secret input';
  if (echoes(msg, base)) return 'echoes part of the secret';
  return undefined;
}

function mixedScript(v: string): boolean {
  return v.split(/[^\p{L}\p{N}\p{M}]+/u).some((w) => /[A-Za-z]/.test(w) && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(w));
}

function isJson(v: string): boolean {
  try {
    JSON.parse(v);
    return true;
  } catch {
    return false;
  }
}

/** Why an accepted value should have been rejected (or cleaned), or undefined. */
function unacceptable(e: EnvVar, value: string, input: Input, ownShapes: Set<string | undefined>): string | undefined {
  if (value.length > MAX_VALUE) return `accepted ${value.length} characters`;
  if (/[\p{Cc}]/u.test(value.replace(/[\t\n\r]/g, ''))) return 'a control character';
  if (/[\t\n\r]/.test(value)) return 'a tab or a line break';
  if (/[\p{Cf}]/u.test(value)) return 'an invisible character';
  if (/[^\S ]/.test(value)) return 'a non-ASCII space';
  if (/^ | $/.test(value)) return 'a space around the value';
  if (value.includes(' ') && !SPACE_OK.has(e.key)) return 'a space inside';
  if (/[\uff00-\uffef]/.test(value)) return 'a fullwidth character';
  if (/[\u2018-\u201f\u00ab\u00bb\u2039\u203a]/.test(value)) return 'a typographic quote';
  if (/^["'`]|["'`]$/.test(value)) return 'quotes around it';
  if (mixedScript(value)) return 'a look-alike letter (Latin mixed with Cyrillic or Greek)';
  if (/[^\x00-\x7f]/.test(value) && !TEXT_OK.has(e.key)) return 'a non-ASCII character';
  if (/^(export\s+|set\s+|\$env:)?[A-Z][A-Z0-9]*_[A-Z0-9_]*\s*[=:]/.test(value) || value.includes(`${e.key}=`)) return 'a pasted KEY=value line';
  if (/^[{[]/.test(value) && isJson(value)) return 'pasted JSON';
  if (input.kind === 'other provider') {
    const shape = shapeOf(input.value.trim());
    if (shape && !ownShapes.has(shape)) return `another service's credential (${shape})`;
  }
  return undefined;
}

// --- the suite ------------------------------------------------------------------------------------------

interface Outcome {
  ok: boolean;
  value?: string;
  message?: string;
  crash?: string;
  ms: number;
}

/**
 * One check, timed in CPU time of this process (user + system), not wall time: a check is slow when it
 * burns CPU, not when another process (a CPU hog, a parallel test) takes the cores away from it.
 */
function run(fn: () => { ok: true; value: string } | { ok: false; message: string }): Outcome {
  const t0 = process.cpuUsage();
  const spent = () => {
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000;
  };
  try {
    const r = fn();
    return { ...r, ms: spent() };
  } catch (err) {
    const ms = spent();
    if (err instanceof UserError) return { ok: false, message: err.message, ms };
    return { ok: false, crash: `${(err as Error)?.name ?? typeof err}: ${String((err as Error)?.message ?? err).slice(0, 120)}`, ms };
  }
}

const pct = (n: number, d: number) => (d ? `${Math.round((100 * n) / d)}%` : '-');

export default async function badInput(): Promise<SuiteResult> {
  const providers = await loadProviders(PROVIDER_IDS);
  const root = mkdtempSync(join(tmpdir(), 'cpr-bad-input-'));
  const project: ProjectInfo = detectProject(root);
  const failures: string[] = [];
  const secrets = new Set<string>();
  const transcripts: Transcript[] = [];
  const fail = (line: string) => failures.push(line);

  // valid samples: the known ones, then the declaration's example and local default (public: committed
  // to .env.example and docker-compose.yml, so neither secret nor checked for echoes)
  const valid: Record<string, string[]> = {};
  const publicValues = new Set<string>(Object.values(LOCAL_S3));
  let validRejected = 0;
  for (const p of providers)
    for (const e of p.env) {
      const cands = [...(KNOWN_VALID[e.key] ?? [])];
      if (e.example) cands.push(e.example);
      const local = e.localDefault?.({}, project);
      if (local) cands.push(local);
      for (const v of [e.example, local]) if (v) publicValues.add(v);
      if (!cands.length && e.generate) cands.push(e.generate((n) => Buffer.alloc(n, 7)));
      const ok: string[] = [];
      for (const c of new Set(cands)) {
        const r = check(e, c);
        if (r.ok) ok.push(c);
        else if (KNOWN_VALID[e.key]?.includes(c)) {
          validRejected++;
          fail(`${e.key}: a known-valid sample is rejected: ${r.message}`);
        }
      }
      if (!ok.length) fail(`${e.key}: no valid sample to start from (add one to KNOWN_VALID)`);
      valid[e.key] = ok;
      if (e.secret) ok.filter((s) => !publicValues.has(s)).forEach((s) => secrets.add(s));
    }

  // secret-looking examples of each provider: secrets, and anything shaped like a credential
  const examplesOf = (p: Provider): Example[] =>
    p.env.flatMap((e) => (valid[e.key] ?? []).filter((v) => e.secret || shapeOf(v)).map((value) => ({ from: p.id, key: e.key, value, secret: e.secret && !publicValues.has(value) })));
  const allExamples = providers.flatMap(examplesOf);

  const stats = { inputs: 0, checks: 0, crashes: 0, vague: 0, unfit: 0, wrongAccept: 0, unstable: 0, slow: 0, acceptedCleaned: 0, acceptedAsIs: 0, rejected: 0, ignored: 0, indistinct: 0 };
  let slowest = { ms: 0, what: '' };
  const table = new Map<string, { rejected: number; cleaned: number; asIs: number }>();
  const cell = (p: string, k: Kind) => {
    const key = `${p}\u0000${k}`;
    if (!table.has(key)) table.set(key, { rejected: 0, cleaned: 0, asIs: 0 });
    return table.get(key)!;
  };
  /** Rejected by the --yes path: the CLI candidates, per (provider, kind). */
  const cliCandidates = new Map<string, { p: Provider; e: EnvVar; input: Input; env: Record<string, string> }[]>();
  const seenFailure = new Set<string>();
  const once = (sig: string, line: string) => {
    if (seenFailure.has(sig)) return;
    seenFailure.add(sig);
    fail(line);
  };

  for (const p of providers) {
    const others = providers.filter((o) => o.id !== p.id).flatMap(examplesOf);
    const baseEnv: Record<string, string> = {};
    for (const e of p.env) if (!e.derive && valid[e.key]?.[0] !== undefined) baseEnv[e.key] = valid[e.key]![0]!;
    // sanity: the provider's valid set resolves
    const sane = run(() => ({ ok: true, value: JSON.stringify(resolveAll([p], baseEnv, {}, project).values) }));
    if (!sane.ok) fail(`${p.id}: the valid values do not resolve: ${sane.message ?? sane.crash}`);

    for (const e of p.env) {
      const bases = valid[e.key] ?? [];
      if (!bases.length) continue;
      const ownShapes = new Set(bases.map(shapeOf));
      const siblings: Example[] = p.env
        .filter((o) => o.key !== e.key && valid[o.key]?.[0] !== undefined && valid[o.key]![0] !== bases[0])
        .map((o) => ({ from: p.id, key: o.key, value: valid[o.key]![0]!, secret: o.secret && !publicValues.has(valid[o.key]![0]!) }));
      // every mutation of the base; the other valid samples get the kinds that depend on their shape
      const inputs = mutations(e, bases[0]!, siblings, others);
      for (const b of bases.slice(1)) inputs.push(...mutations(e, b, [], []).filter((i) => i.kind === 'wrong kind' || i.kind === 'url' || i.kind === 'port' || i.kind === 'look-alike'));

      for (const input of inputs) {
        stats.inputs++;
        const raw = input.value;
        const trimmed = raw.trim();
        const what = `${e.key} ← ${input.kind}: ${input.label}`;
        const paths: [string, () => Outcome][] = [
          ['check', () => run(() => check(e, raw))],
          ['prompt', () => run(() => (!trimmed && e.optional ? { ok: true, value: '' } : check(e, trimmed)))],
        ];
        if (!e.derive) paths.push(['--yes', () => run(() => {
          const r = resolveAll([p], { ...baseEnv, [e.key]: raw }, {}, project);
          return { ok: true, value: r.values[e.key] ?? '' };
        })]);

        let yes: Outcome | undefined;
        for (const [path, go] of paths) {
          const o = go();
          stats.checks++;
          if (o.ms > slowest.ms) slowest = { ms: o.ms, what: `${path} ${what}` };
          if (o.ms > 1000) {
            stats.slow++;
            fail(`${path} ${what}: took ${Math.round(o.ms)} ms`);
          }
          if (o.crash) {
            stats.crashes++;
            once(`crash ${path} ${e.key} ${o.crash}`, `${path} ${what}: threw ${o.crash}`);
            continue;
          }
          if (!o.ok) {
            const why = vague(e, o.message!);
            if (why) {
              stats.vague++;
              once(`vague ${path} ${e.key} ${o.message!.slice(0, 80)}`, `${path} ${what}: message not specific (${why}): ${JSON.stringify(o.message!.slice(0, 120))}`);
            }
            const bad = unfit(e, o.message!, input, bases[0]!);
            if (bad) {
              stats.unfit++;
              once(`unfit ${path} ${e.key} ${bad} ${input.kind}`, `${path} ${what}: message unfit to print (${bad})${e.secret ? '' : `: ${JSON.stringify(o.message!.slice(0, 100))}`}`);
            }
          } else {
            const value = o.value!;
            const again = value === '' && e.optional ? { ok: true as const, value } : check(e, value);
            if (!again.ok || again.value !== value) {
              stats.unstable++;
              once(`unstable ${path} ${e.key} ${input.kind}`, `${path} ${what}: accepted as a value that does not pass its own check again`);
            }
            const why = unacceptable(e, value, input, ownShapes);
            if (why) {
              stats.wrongAccept++;
              once(`accept ${path} ${e.key} ${why}`, `${path} ${what}: accepted with ${why}`);
            } else if (path === 'check' && input.kind === 'other provider') stats.indistinct++;
          }
          if (path === '--yes') yes = o;
        }

        // the table and the CLI candidates follow the --yes path (check() for a derived key)
        const counted = yes ?? run(() => check(e, raw));
        const c = cell(p.id, input.kind);
        if (!counted.ok) {
          c.rejected++;
          stats.rejected++;
          if (yes && !yes.crash && !raw.includes('\u0000') && raw.length <= 20_000) {
            const key = `${p.id}\u0000${input.kind}`;
            if (!cliCandidates.has(key)) cliCandidates.set(key, []);
            cliCandidates.get(key)!.push({ p, e, input, env: { ...baseEnv, [e.key]: raw } });
          }
        } else if (counted.value === raw) {
          c.asIs++;
          stats.acceptedAsIs++;
        } else {
          c.cleaned++;
          stats.acceptedCleaned++;
        }
        if (e.derive) stats.ignored++;
      }
    }
  }

  // --- the built CLI: a sample per (provider, kind), spread over the keys, 4 at a time ----------------
  // Up to PER_CELL inputs per (provider, kind), spread over the keys and labels; run round by round (the
  // first input of every cell, then the second…), so a slow machine that hits the budget still covers every cell.
  const PER_CELL = 3;
  type Job = { cell: string; p: Provider; e: EnvVar; input: Input; env: Record<string, string> };
  const rounds: Job[][] = [];
  for (const [cell, list] of cliCandidates) {
    const byKey = new Map<string, typeof list>();
    for (const c of list) byKey.set(c.e.key, [...(byKey.get(c.e.key) ?? []), c]);
    const keys = [...byKey.keys()];
    const picked: Job[] = [];
    for (let i = 0; picked.length < PER_CELL && i < list.length; i++) {
      const pool = byKey.get(keys[i % keys.length]!)!;
      const pick = pool[(Math.floor(i / keys.length) * 7) % pool.length]!;
      if (!picked.some((j) => j.input === pick.input)) picked.push({ cell, ...pick });
    }
    picked.forEach((j, r) => (rounds[r] ??= []).push(j));
  }
  const jobs = rounds.flat();
  // The first round runs one job for every cell: the time budget may cut the later rounds, never these.
  const firstRound = rounds[0]?.length ?? 0;
  const covered = new Set<string>();
  const cliStats = { runs: 0, wrongExit: 0, noLine: 0, stack: 0, written: 0, ms: 0 };
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const job = jobs[i];
      if (!job) return;
      if (i >= firstRound && performance.now() - started > 60_000) return;
      const dir = mkdtempSync(join(root, 'run-'));
      const what = `bad input: --yes --providers ${job.p.id} with ${job.e.key} ← ${job.input.kind}: ${job.input.label}`;
      const r: CliRun = await cli(['--yes', '--skip-verify', '--providers', job.p.id], { cwd: dir, env: job.env, what, timeoutMs: 20_000 });
      cliStats.runs++;
      cliStats.ms += r.ms;
      covered.add(job.cell);
      transcripts.push(r);
      if (job.e.secret && job.input.value.trim().length >= 12 && ![...publicValues].some((v) => v.length >= 6 && job.input.value.includes(v))) secrets.add(job.input.value);
      const out = `${r.stdout}\n${r.stderr}`;
      if (r.code !== 2) {
        cliStats.wrongExit++;
        fail(`CLI ${what}: exit ${r.code ?? r.signal} (expected 2)`);
      }
      const lines = out.split('\n').filter((l) => l.includes(job.e.key));
      if (!lines.length || lines.some((l) => l.length > 400) || out.length > 4000) {
        cliStats.noLine++;
        fail(`CLI ${what}: no clear line naming ${job.e.key} (${lines.length} lines, output ${out.length} characters)`);
      }
      if (hasStackTrace(out)) {
        cliStats.stack++;
        fail(`CLI ${what}: a stack trace or internal error in the output`);
      }
      const left = readdirSync(dir);
      if (left.length) {
        cliStats.written++;
        fail(`CLI ${what}: wrote ${left.join(', ')}`);
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const uncovered = [...cliCandidates.keys()].filter((c) => !covered.has(c));
  for (const c of uncovered) fail(`CLI: no run for ${c.replace('\u0000', ' × ')}`);
  rmSync(root, { recursive: true, force: true });

  // --- the table: provider × kind → rejected / accepted (cleaned + as-is) --------------------------------
  const usedKinds = KINDS.filter((k) => providers.some((p) => table.has(`${p.id}\u0000${k}`)));
  const rows = [`| provider | ${usedKinds.join(' | ')} |`, `|---|${usedKinds.map(() => '---').join('|')}|`];
  for (const p of providers)
    rows.push(
      `| ${p.id} | ${usedKinds
        .map((k) => {
          const c = table.get(`${p.id}\u0000${k}`);
          return c ? `${c.rejected}/${c.cleaned + c.asIs}` : '-';
        })
        .join(' | ')} |`,
    );
  rows.push('', 'cells: rejected / accepted (in a cleaned or unchanged valid form), as the --yes path decides (check() for a derived key)');

  for (const s of allExamples) if (s.secret) secrets.add(s.value);

  return {
    name: 'bad input',
    figures: [
      { label: 'env vars covered', value: `${Object.values(valid).filter((v) => v.length).length} of ${providers.reduce((n, p) => n + p.env.length, 0)} (${providers.length} providers)` },
      { label: 'inputs tried (in-process)', value: stats.inputs },
      { label: 'checks run (check, prompt validation, --yes resolveAll)', value: stats.checks },
      { label: 'rejected (--yes)', value: `${stats.rejected} (${pct(stats.rejected, stats.inputs)})` },
      { label: 'accepted after cleaning (trimmed, normalised)', value: stats.acceptedCleaned },
      { label: 'accepted unchanged (a valid value, e.g. test↔live)', value: stats.acceptedAsIs },
      { label: 'inputs for derived keys (never read by --yes: check() and the prompt validation only)', value: stats.ignored },
      { label: "another provider's key accepted where it cannot be told apart (same shape / free-form secret)", value: stats.indistinct },
      { label: 'crashes (anything thrown but a UserError)', value: stats.crashes, zero: true },
      { label: 'rejected without a specific message', value: stats.vague, zero: true },
      { label: 'messages unfit to print (secret, blob, control character, several lines)', value: stats.unfit, zero: true },
      { label: 'accepted but should not be', value: stats.wrongAccept, zero: true },
      { label: 'accepted as a value that fails its own check', value: stats.unstable, zero: true },
      { label: 'known-valid samples rejected', value: validRejected, zero: true },
      { label: 'checks over 1 s of CPU time', value: stats.slow, zero: true },
      { label: 'slowest check (CPU time)', value: `${slowest.ms.toFixed(1)} ms (${slowest.what.split(':')[0]})` },
      { label: 'CLI runs (--yes --skip-verify, 4 at a time)', value: `${cliStats.runs} of ${jobs.length} sampled, ${(cliStats.ms / Math.max(1, cliStats.runs)).toFixed(0)} ms each` },
      { label: 'provider × kind cells with a rejected input but no CLI run', value: uncovered.length, zero: true },
      { label: 'CLI runs not exiting 2', value: cliStats.wrongExit, zero: true },
      { label: 'CLI runs without one clear line naming the key', value: cliStats.noLine, zero: true },
      { label: 'stack traces', value: cliStats.stack, zero: true },
      { label: 'files written by a rejected run', value: cliStats.written, zero: true },
    ],
    table: rows.join('\n'),
    transcripts,
    files: [],
    secrets: [...secrets],
    failures,
  };
}
