// The app's env contract: the names the app reads, read before anything is asked. Sources of names, in
// order: env schemas (t3-env `createEnv`, zod objects parsed against process.env), `.env.example` /
// `.env.sample` / `.env.template`, reads in the sources (`process.env.X`, `process.env['X']`,
// destructuring, `import.meta.env.X`, SvelteKit's `$env/...` imports), Prisma's `env("…")` and
// drizzle.config.*. `describeContract` is pure over file texts; `detectContract` reads a bounded set of
// small files (the edge), skipping dependencies, build output and tests.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ContractKey {
  /** The app fails without it: a non-optional schema entry, or a read with no fallback. */
  required: boolean;
  /** Where it was seen (project-relative paths, first few). */
  seen: string[];
}

export interface EnvContract {
  /** Every env name the app reads, by name. */
  keys: Record<string, ContractKey>;
  /** The app's own env schema, when it has one (then no env module is generated). */
  schema?: { kind: 't3-env' | 'zod'; path: string; keys: string[] };
  /** The zod major the app depends on (package.json), when it has zod. */
  zodMajor?: 3 | 4;
  /** The prefix the framework exposes to the browser (NEXT_PUBLIC_, VITE_, PUBLIC_, NUXT_PUBLIC_). */
  publicPrefix?: string;
  /** The names the Prisma datasource or the drizzle config read the database URL from. */
  datasource: string[];
}

export interface ContractFile {
  path: string;
  text: string;
}

/** Names that are the platform's or the tooling's, never the app's configuration. */
const IGNORED = new Set([
  'CI', 'HOME', 'PATH', 'PWD', 'TZ', 'HOSTNAME', 'SHELL', 'USER', 'TERM', 'LANG', 'TMPDIR', 'DEBUG',
  'NEXT_RUNTIME', 'NEXT_PHASE', 'NEXT_TELEMETRY_DISABLED', 'SKIP_ENV_VALIDATION', 'npm_package_version', 'npm_lifecycle_event',
  'VERCEL', 'VERCEL_URL', 'VERCEL_ENV', 'RENDER', 'RENDER_EXTERNAL_URL', 'RENDER_SERVICE_NAME', 'RENDER_GIT_COMMIT', 'RENDER_EXTERNAL_HOSTNAME', 'IS_PULL_REQUEST',
  // Vite's built-ins on import.meta.env
  'MODE', 'DEV', 'PROD', 'SSR', 'BASE_URL',
]);
const NAME = '[A-Z][A-Z0-9_]*';
const isName = (s: string) => new RegExp(`^${NAME}$`).test(s) && !IGNORED.has(s) && !s.startsWith('npm_');

/** The browser prefix of the frameworks in these dependencies. */
export function publicPrefixFor(deps: Record<string, string>): string | undefined {
  if ('next' in deps) return 'NEXT_PUBLIC_';
  if ('nuxt' in deps) return 'NUXT_PUBLIC_';
  if ('@sveltejs/kit' in deps || 'astro' in deps) return 'PUBLIC_';
  if ('vite' in deps || '@remix-run/dev' in deps || '@react-router/dev' in deps) return 'VITE_';
  return undefined;
}

/** The zod major of a package.json range ("^3.23.8", "~4.1", "npm:zod@^3.25", "latest"), when it says one. */
export function zodMajorOf(range: string | undefined): 3 | 4 | undefined {
  if (!range) return undefined;
  const m = /(?:^|[\s^~>=<@v])(\d+)(?:\.|$|\s|x)/.exec(range.replace(/^npm:zod@/, ''));
  const major = m ? Number(m[1]) : range.trim() === 'latest' || range.trim() === '*' ? 4 : undefined;
  return major === 3 ? 3 : major !== undefined && major >= 4 ? 4 : undefined;
}

/** The text of the balanced `{…}` (or `(…)`/`[…]`) that opens at `open`, without the delimiters; strings and comments skipped. */
export function balanced(text: string, open: number): string | undefined {
  const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const q = c;
      for (i++; i < text.length && text[i] !== q; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]!);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (!stack.length) return text.slice(open + 1, i);
    }
  }
  return undefined;
}

/** The top-level `KEY: expression` entries of an object literal's body. */
export function objectEntries(body: string): { key: string; expr: string }[] {
  const out: { key: string; expr: string }[] = [];
  let depth = 0;
  let start = 0;
  const parts: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < body.length && body[i] !== c; i++) if (body[i] === '\\') i++;
      continue;
    }
    if (c === '/' && body[i + 1] === '/') {
      while (i < body.length && body[i] !== '\n') i++;
      continue;
    }
    if ('{(['.includes(c)) depth++;
    else if ('})]'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  for (const p of parts) {
    const m = new RegExp(`^\\s*(?:\\/\\/[^\\n]*\\n\\s*|\\/\\*[\\s\\S]*?\\*\\/\\s*)*["']?(${NAME})["']?\\s*:\\s*([\\s\\S]+)$`).exec(p);
    if (m) out.push({ key: m[1]!, expr: m[2]!.trim() });
  }
  return out;
}

/** A schema entry that may be absent: `.optional()`, `.default(…)`, `.nullish()`, or a union with undefined. */
const optionalExpr = (expr: string) => /\.(optional|default|nullish|catch)\(|z\.optional\(|undefined/.test(expr);

interface Found {
  key: string;
  required: boolean;
  path: string;
}

/** Entries of `createEnv({ server, client, shared, experimental__runtimeEnv })` (t3-env). */
function t3Env(f: ContractFile): Found[] | undefined {
  const at = f.text.search(/createEnv\s*\(\s*\{/);
  if (at < 0) return undefined;
  const body = balanced(f.text, f.text.indexOf('{', at));
  if (body === undefined) return undefined;
  const found: Found[] = [];
  for (const section of ['server', 'client', 'shared']) {
    const m = new RegExp(`(?:^|[\\s,{])${section}\\s*:\\s*\\{`).exec(body);
    if (!m) continue;
    const inner = balanced(body, m.index + m[0].length - 1);
    for (const e of objectEntries(inner ?? '')) found.push({ key: e.key, required: !optionalExpr(e.expr), path: f.path });
  }
  return found;
}

/** A `z.object({…})` in a file that parses the environment with it (env.ts, config/env.mjs, or `.parse(process.env)`). */
function zodEnv(f: ContractFile): Found[] | undefined {
  const envFile = /(^|\/)(env|environment|config\/env)\.[cm]?[jt]s$/.test(f.path);
  if (!envFile && !/\.(safe)?[pP]arse(Async)?\(\s*process\.env\s*\)/.test(f.text)) return undefined;
  if (!/\bz\.object\s*\(/.test(f.text) || !/from\s+['"]zod(\/v[34])?['"]|require\(\s*['"]zod['"]\s*\)/.test(f.text)) return undefined;
  const found: Found[] = [];
  for (const m of f.text.matchAll(/\bz\.object\s*\(\s*\{/g)) {
    const body = balanced(f.text, m.index + m[0].length - 1);
    for (const e of objectEntries(body ?? '')) if (isName(e.key)) found.push({ key: e.key, required: !optionalExpr(e.expr), path: f.path });
  }
  return found.length ? found : undefined;
}

/**
 * The text without comments (a documented `process.env.KEY` is not a read); strings, template literals and
 * regex-looking slashes inside them are kept. Line breaks stay, so positions of lines do not move.
 */
export function stripComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      const start = i;
      for (i++; i < text.length && text[i] !== c && !(c !== '`' && text[i] === '\n'); i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
      continue;
    }
    if (c === '/' && text[i + 1] === '/' && text[i - 1] !== '\\' && text[i - 1] !== ':') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const body = text.slice(i, end < 0 ? text.length : end + 2);
      out += body.replace(/[^\n]/g, '');
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** Reads in code: process.env.X / ['X'] / destructuring, import.meta.env.X, SvelteKit's $env modules. */
function reads(f: ContractFile): Found[] {
  const t = stripComments(f.text);
  const found: Found[] = [];
  const add = (key: string, required: boolean) => isName(key) && found.push({ key, required, path: f.path });
  // a fallback right after the read (?? || ?:), or a test of it, makes it optional
  const after = (i: number) => t.slice(i, i + 24);
  const fallback = (i: number) => /^\s*(\?\?|\|\||\?(?!\.)|!==?|===?|&&|\)\s*\?)/.test(after(i));
  const tested = (i: number) => /(if\s*\(\s*!?|!!\s*)$/.test(t.slice(Math.max(0, i - 8), i));
  for (const re of [new RegExp(`process\\.env\\.(${NAME})`, 'g'), new RegExp(`process\\.env\\[\\s*['"\`](${NAME})['"\`]\\s*\\]`, 'g'), new RegExp(`import\\.meta\\.env\\.(${NAME})`, 'g')])
    for (const m of t.matchAll(re)) add(m[1]!, !fallback(m.index + m[0].length) && !tested(m.index));
  for (const m of t.matchAll(/(?:const|let|var)\s*\{([^}]*)\}\s*=\s*(?:process\.env|import\.meta\.env)\b/g))
    for (const part of m[1]!.split(',')) {
      const d = new RegExp(`^\\s*(${NAME})\\s*(?::\\s*\\w+\\s*)?(=)?`).exec(part);
      if (d) add(d[1]!, !d[2]);
    }
  // SvelteKit: import { A, B } from '$env/static/private'; env.X with '$env/dynamic/…'
  for (const m of t.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]\$env\/static\/(?:private|public)['"]/g))
    for (const part of m[1]!.split(',')) {
      const n = part.trim().split(/\s+as\s+/)[0]!;
      add(n, true);
    }
  if (/['"]\$env\/dynamic\/(?:private|public)['"]/.test(t)) for (const m of t.matchAll(new RegExp(`\\benv\\.(${NAME})`, 'g'))) add(m[1]!, !fallback(m.index + m[0].length));
  return found;
}

/** Prisma: every `env("X")` (url, directUrl, shadowDatabaseUrl); the datasource's url names the database. */
function prisma(f: ContractFile): { found: Found[]; datasource: string[] } {
  const found: Found[] = [];
  const datasource: string[] = [];
  for (const m of f.text.matchAll(new RegExp(`(\\w+)\\s*=\\s*env\\(\\s*["'](${NAME})["']\\s*\\)`, 'g'))) {
    found.push({ key: m[2]!, required: true, path: f.path });
    if (m[1] === 'url') datasource.push(m[2]!);
  }
  return { found, datasource };
}

/**
 * prisma.config.* (Prisma 7 keeps the URLs there, not in the schema): every `env('X')` of prisma/config is
 * required; the names `datasource.url` reads (`env('X')`, `process.env.X`, or several joined by `??`/`||`)
 * name the database.
 */
function prismaConfig(f: ContractFile): { found: Found[]; datasource: string[] } {
  const found = [...f.text.matchAll(new RegExp(`\\benv\\(\\s*["'](${NAME})["']\\s*\\)`, 'g'))].map((m) => ({ key: m[1]!, required: true, path: f.path }));
  const one = `(?:env\\(\\s*["']${NAME}["']\\s*\\)|process\\.env(?:\\.${NAME}|\\[\\s*["']${NAME}["']\\s*\\]))`;
  const url = new RegExp(`\\burl\\s*:\\s*(${one}(?:\\s*(?:\\?\\?|\\|\\|)\\s*${one})*)`).exec(f.text);
  const datasource = url ? [...url[1]!.matchAll(new RegExp(`(?:env\\(\\s*["']|process\\.env(?:\\.|\\[\\s*["']))(${NAME})`, 'g'))].map((m) => m[1]!) : [];
  return { found, datasource };
}

const PRISMA_CONFIG = /(^|\/)(prisma\.config|\.config\/prisma)\.[cm]?[jt]s$/;

/** drizzle.config.*: the env name of `url` / `connectionString` in dbCredentials. */
function drizzleDatasource(f: ContractFile): string[] {
  return [...f.text.matchAll(new RegExp(`(?:url|connectionString)\\s*:\\s*process\\.env(?:\\.|\\[\\s*['"])(${NAME})`, 'g'))].map((m) => m[1]!);
}

/** Keys of a `.env.example`-style file: documented names (required unknown: not required by this alone). */
function exampleKeys(f: ContractFile): Found[] {
  const found: Found[] = [];
  for (const line of f.text.split(/\r?\n/)) {
    const m = new RegExp(`^\\s*(?:export\\s+)?(${NAME})\\s*=`).exec(line);
    if (m && isName(m[1]!)) found.push({ key: m[1]!, required: false, path: f.path });
  }
  return found;
}

/** The line the generated env module carries (templates/env-module.*.hbs). */
export const GENERATED_MARK = 'Generated by create-prod-ready';

export const EXAMPLE_FILES = ['.env.example', '.env.sample', '.env.template', '.env.dist', '.env.defaults'];

/** Pure: the contract of an app from its package.json dependencies and the texts of its files. */
export function describeContract(input: { deps: Record<string, string>; files: ContractFile[] }): EnvContract {
  const keys: Record<string, ContractKey> = {};
  const datasource: string[] = [];
  let schema: EnvContract['schema'];
  const take = (list: Found[]) => {
    for (const f of list) {
      const k = (keys[f.key] ??= { required: false, seen: [] });
      k.required ||= f.required;
      if (!k.seen.includes(f.path) && k.seen.length < 5) k.seen.push(f.path);
    }
  };
  // Schemas first: when the app has one, it decides what is required; a read elsewhere of a key the schema
  // makes optional does not make it required.
  const schemaKeys = new Set<string>();
  for (const f of input.files) {
    // the module this tool generates is not the app's own schema (it is regenerated, not left alone)
    if (EXAMPLE_FILES.includes(f.path) || f.path.endsWith('.prisma') || f.text.includes(GENERATED_MARK)) continue;
    const t3 = t3Env(f);
    const z = t3 ? undefined : zodEnv(f);
    const list = t3 ?? z;
    if (!list?.length) continue;
    schema ??= { kind: t3 ? 't3-env' : 'zod', path: f.path, keys: [] };
    if (schema.path === f.path) schema.keys.push(...list.map((x) => x.key));
    take(list);
    for (const x of list) schemaKeys.add(x.key);
  }
  for (const f of input.files) {
    if (EXAMPLE_FILES.includes(f.path)) take(exampleKeys(f));
    else if (f.path.endsWith('.prisma')) {
      const p = prisma(f);
      take(p.found);
      datasource.push(...p.datasource);
    } else {
      if (/(^|\/)drizzle\.config\.[cm]?[jt]s$/.test(f.path)) datasource.push(...drizzleDatasource(f));
      if (PRISMA_CONFIG.test(f.path)) {
        const p = prismaConfig(f);
        take(p.found);
        datasource.push(...p.datasource);
      }
      take(reads(f).map((x) => (schemaKeys.has(x.key) ? { ...x, required: false } : x)));
    }
  }
  const sorted = Object.fromEntries(Object.entries(keys).sort(([a], [b]) => a.localeCompare(b)));
  return {
    keys: sorted,
    schema,
    zodMajor: zodMajorOf(input.deps.zod),
    publicPrefix: publicPrefixFor(input.deps),
    datasource: [...new Set(datasource)],
  };
}

// ─── the edge: a bounded walk ─────────────────────────────────────────────────────────────────────

const SKIP_DIRS = new Set([
  'node_modules', '.git', '.next', '.nuxt', '.output', '.svelte-kit', '.vercel', '.turbo', '.cache', '.astro', '.wrangler',
  'dist', 'build', 'out', 'coverage', 'public', 'static', 'vendor', 'tmp',
  'test', 'tests', '__tests__', '__mocks__', 'e2e', 'cypress', 'playwright', 'fixtures', 'migrations', 'drizzle',
]);
const SOURCE = /\.(?:[cm]?[jt]sx?|svelte|vue|astro)$/;
const NOT_SOURCE = /\.(?:test|spec|stories|d)\.[cm]?[jt]sx?$|\.min\.js$/;
/** Enough for a large app; a monorepo beyond it is read in part (the first files by path). */
export const LIMITS = { files: 3000, bytes: 256 * 1024, totalBytes: 24 * 1024 * 1024, depth: 8 };

/** The project files the contract is read from: at most LIMITS.files of at most LIMITS.bytes each, LIMITS.totalBytes in all. */
export function contractFiles(cwd: string): ContractFile[] {
  const out: ContractFile[] = [];
  let total = 0;
  const read = (rel: string) => {
    try {
      const st = statSync(join(cwd, rel));
      if (!st.isFile() || st.size > LIMITS.bytes || total + st.size > LIMITS.totalBytes) return;
      const text = readFileSync(join(cwd, rel), 'utf8');
      total += st.size;
      if (!text.includes('\0')) out.push({ path: rel, text });
    } catch {
      // unreadable: not part of the contract
    }
  };
  for (const f of EXAMPLE_FILES) read(f);
  for (const f of ['prisma/schema.prisma', 'schema.prisma']) read(f);
  const walk = (dir: string, depth: number) => {
    if (depth > LIMITS.depth || out.length >= LIMITS.files) return;
    let entries;
    try {
      entries = readdirSync(join(cwd, dir), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (out.length >= LIMITS.files) return;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(rel, depth + 1);
      } else if (e.isFile() && ((SOURCE.test(e.name) && !NOT_SOURCE.test(e.name)) || (dir.startsWith('prisma') && e.name.endsWith('.prisma') && rel !== 'prisma/schema.prisma'))) read(rel);
    }
  };
  walk('', 0);
  return out;
}

export function detectContract(cwd: string): EnvContract {
  let deps: Record<string, string> = {};
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    deps = { ...pkg.devDependencies, ...pkg.dependencies };
  } catch {
    deps = {};
  }
  return describeContract({ deps, files: contractFiles(cwd) });
}
