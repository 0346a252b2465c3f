// A Drizzle app moved from SQLite to PostgreSQL: its `sqlite-core` tables rewritten as `pg-core` tables
// where every column maps safely, its drizzle.config switched to dialect "postgresql" reading
// DATABASE_URL, its SQLite migrations kept aside, and a precise list (file:line) of what only a person can
// change (the client on a SQLite driver, a SQLite-only default, a column this rewrite does not know).
// The rewrite works on the source text with a scanner that knows strings, template literals and comments:
// calls are located, their argument lists read whole, and only those spans are replaced.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '../migrate.ts';
import type { ProjectInfo } from '../project.ts';
import type { MigrationFile } from '../files/migrations.ts';
import type { SqliteFinding } from './detect.ts';
import type { MoveSummary } from './move.ts';
import { applyEdits, asideName, moveHistory, type Edit } from './prisma.ts';

/** The index just past the string, template literal or comment starting at i (or i when none starts there). */
function skip(text: string, i: number): number {
  const c = text[i];
  if (c === '/' && text[i + 1] === '/') {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl;
  }
  if (c === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2);
    return end < 0 ? text.length : end + 2;
  }
  if (c === '"' || c === "'") {
    let j = i + 1;
    while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (c === '`') {
    let j = i + 1;
    while (j < text.length && text[j] !== '`') {
      if (text[j] === '\\') j += 2;
      else if (text[j] === '$' && text[j + 1] === '{') j = close(text, j + 1) + 1;
      else j++;
    }
    return j + 1;
  }
  return i;
}

/** The index of the bracket closing the one at `open` ( ( { [ ). */
function close(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; ) {
    const s = skip(text, i);
    if (s !== i) {
      i = s;
      continue;
    }
    const c = text[i]!;
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i;
    }
    i++;
  }
  return text.length;
}

/** Positions of code (not in strings or comments) where `re` matches. */
function codeMatches(text: string, re: RegExp): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  let i = 0;
  let m: RegExpExecArray | null;
  while ((m = g.exec(text))) {
    // walk the code up to the match: a match inside a string or comment is passed over
    let inside = false;
    while (i < m.index) {
      const s = skip(text, i);
      if (s === i) i++;
      else if (s > m.index) {
        inside = true;
        g.lastIndex = s;
        i = s;
        break;
      } else i = s;
    }
    if (!inside) out.push(m);
  }
  return out;
}

const lineOf = (text: string, at: number) => text.slice(0, at).split('\n').length;

/** `{ mode: 'json', length: 12 }` → its simple properties (quoted strings, numbers, booleans). */
function options(text: string): Record<string, string> | undefined {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  const out: Record<string, string> = {};
  const body = t.slice(1, -1);
  for (const part of args(body)) {
    const m = /^(\w+)\s*:\s*(['"`][^'"`]*['"`]|-?\d+(?:\.\d+)?|true|false|\[[^\]]*\])$/s.exec(part);
    if (!m) return undefined;
    out[m[1]!] = m[2]!.startsWith('[') ? m[2]! : m[2]!.replace(/^['"`]|['"`]$/g, '');
  }
  return out;
}

/** Splits an argument list's text at top-level commas. */
function args(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; ) {
    const s = skip(text, i);
    if (s !== i) {
      i = s;
      continue;
    }
    const c = text[i]!;
    if (c === '(' || c === '{' || c === '[') {
      i = close(text, i) + 1;
      continue;
    }
    if (c === ',') {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  if (text.slice(start).trim()) out.push(text.slice(start).trim());
  return out;
}

/** sqlite-core names that exist in pg-core under another name, or the same. */
const RENAMED: Record<string, string> = {
  sqliteTable: 'pgTable',
  sqliteView: 'pgView',
  AnySQLiteColumn: 'AnyPgColumn',
  SQLiteColumn: 'PgColumn',
  SQLiteTable: 'PgTable',
  index: 'index',
  uniqueIndex: 'uniqueIndex',
  primaryKey: 'primaryKey',
  foreignKey: 'foreignKey',
  unique: 'unique',
  check: 'check',
  customType: 'customType',
  numeric: 'numeric',
};
const COLUMNS = ['integer', 'text', 'real', 'blob', 'int'];

export interface DrizzleRewrite {
  after: string;
  /** What was switched, one line each. */
  switched: string[];
  /** What a person must change, `file:line: what`; non-empty means the file was left as it is. */
  manual: string[];
  /** The config's dbCredentials now read the URL from this name. */
  urlEnv?: string;
}

/** The Drizzle move: its files for the plan, the new history's journal, and the name the URL is read from. */
export interface DrizzleMove extends MoveSummary {
  files: MigrationFile[];
  journal?: string;
  urlEnv?: string;
}

/** One schema file's sqlite-core tables as pg-core tables, or the list of what stops that. */
export function rewriteDrizzleSchema(path: string, text: string): DrizzleRewrite {
  const switched: string[] = [];
  const manual: string[] = [];
  const edits: Edit[] = [];
  const imp = codeMatches(text, /import\s+(type\s+)?\{([^}]*)\}\s+from\s+(['"])drizzle-orm\/sqlite-core\3;?/);
  if (!imp.length) return { after: text, switched, manual };
  // local name → sqlite-core name
  const local = new Map<string, string>();
  for (const m of imp)
    for (const spec of m[2]!.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [orig, alias] = spec.replace(/^type\s+/, '').split(/\s+as\s+/).map((s) => s.trim());
      local.set(alias ?? orig!, orig!);
    }
  const needed = new Set<string>();
  let byteaHelper = false;
  const renames: [string, string][] = [];
  for (const [name, orig] of local) {
    if (!(orig in RENAMED) && !COLUMNS.includes(orig)) {
      const at = lineOf(text, imp[0]!.index);
      manual.push(`${path}:${at}: ${orig} from drizzle-orm/sqlite-core has no pg-core counterpart this rewrite knows`);
      continue;
    }
    if (orig in RENAMED) {
      needed.add(RENAMED[orig]!);
      if (name !== RENAMED[orig]) renames.push([name, RENAMED[orig]!]);
      continue;
    }
    // column builders: each call read whole, with the chain after it
    for (const m of codeMatches(text, new RegExp(`(?<![\\w$.])${name}\\s*\\(`))) {
      const open = m.index + m[0].length - 1;
      const end = close(text, open);
      const a = args(text.slice(open + 1, end));
      const colName = a[0] && /^['"`]/.test(a[0]) ? a[0] : undefined;
      const opts = options(a[colName ? 1 : 0] ?? '{}') ?? (a.length > (colName ? 1 : 0) ? undefined : {});
      const at = `${path}:${lineOf(text, m.index)}`;
      if (!opts) {
        manual.push(`${at}: ${text.slice(m.index, end + 1)}: options this rewrite cannot read`);
        continue;
      }
      const chainEnd = chain(text, end + 1);
      const rest = text.slice(end + 1, chainEnd);
      const nameArg = colName ?? '';
      const withOpts = (o: string) => (nameArg ? `${nameArg}, ${o}` : o);
      let repl: string | undefined;
      let restAfter = rest;
      const mode = opts.mode;
      if (orig === 'integer' || orig === 'int') {
        if (/\.primaryKey\(\s*\{\s*autoIncrement\s*:\s*true\s*\}\s*\)/.test(rest) || (mode === undefined || mode === 'number') && /\.primaryKey\(\s*\)/.test(rest) && !/\.references\(/.test(rest)) {
          repl = `serial(${nameArg})`;
          restAfter = rest.replace(/\.primaryKey\(\s*\{\s*autoIncrement\s*:\s*true\s*\}\s*\)/, '.primaryKey()');
          needed.add('serial');
          switched.push(`${at}: integer primary key (autoincrement) → serial`);
        } else if (mode === 'boolean') {
          repl = `boolean(${nameArg})`;
          needed.add('boolean');
          switched.push(`${at}: integer { mode: 'boolean' } → boolean`);
        } else if (mode === 'timestamp' || mode === 'timestamp_ms') {
          repl = `timestamp(${withOpts("{ withTimezone: true }")})`;
          needed.add('timestamp');
          const d = /\.default\(\s*sql`([^`]*)`\s*\)/.exec(rest);
          if (d) {
            if (/unixepoch|strftime|current_timestamp|datetime\(\s*'now'/i.test(d[1]!)) {
              restAfter = rest.replace(d[0], '.defaultNow()');
              switched.push(`${at}: default sql\`${d[1]}\` → .defaultNow()`);
            } else manual.push(`${at}: default sql\`${d[1]}\` is SQLite SQL: write its PostgreSQL form`);
          }
          switched.push(`${at}: integer { mode: '${mode}' } → timestamp with time zone`);
        } else if (mode === undefined || mode === 'number') {
          repl = `integer(${nameArg})`;
          needed.add('integer');
        } else manual.push(`${at}: integer { mode: '${mode}' }: no pg-core column this rewrite knows`);
      } else if (orig === 'text') {
        if (mode === 'json') {
          repl = `jsonb(${nameArg})`;
          needed.add('jsonb');
          switched.push(`${at}: text { mode: 'json' } → jsonb`);
        } else if (opts.length) {
          repl = `varchar(${withOpts(`{ length: ${opts.length}${opts.enum ? `, enum: ${opts.enum}` : ''} }`)})`;
          needed.add('varchar');
          switched.push(`${at}: text { length: ${opts.length} } → varchar(${opts.length})`);
        } else if (opts.enum || mode === undefined || mode === 'text') {
          repl = `text(${opts.enum ? withOpts(`{ enum: ${opts.enum} }`) : nameArg})`;
          needed.add('text');
        } else manual.push(`${at}: text { mode: '${mode}' }: no pg-core column this rewrite knows`);
      } else if (orig === 'real') {
        repl = `doublePrecision(${nameArg})`;
        needed.add('doublePrecision');
        switched.push(`${at}: real (SQLite's 8-byte float) → double precision`);
      } else if (orig === 'blob') {
        if (mode === 'json') {
          repl = `jsonb(${nameArg})`;
          needed.add('jsonb');
          switched.push(`${at}: blob { mode: 'json' } → jsonb`);
        } else if (mode === 'bigint') {
          repl = `bigint(${withOpts("{ mode: 'bigint' }")})`;
          needed.add('bigint');
          switched.push(`${at}: blob { mode: 'bigint' } → bigint`);
        } else if (mode === undefined || mode === 'buffer') {
          repl = `bytea(${nameArg})`;
          byteaHelper = true;
          switched.push(`${at}: blob → bytea`);
        } else manual.push(`${at}: blob { mode: '${mode}' }: no pg-core column this rewrite knows`);
      }
      // a SQLite-only default left in the chain
      for (const d of rest.matchAll(/\.default\(\s*sql`([^`]*)`\s*\)/g))
        if (restAfter.includes(d[0]) && /unixepoch|strftime|julianday|datetime\(|randomblob|hex\(/i.test(d[1]!)) manual.push(`${at}: default sql\`${d[1]}\` is SQLite SQL: write its PostgreSQL form`);
      if (repl !== undefined) edits.push({ start: m.index, end: chainEnd, text: repl + restAfter });
    }
  }
  const byLine = (l: string) => Number(/:(\d+):/.exec(l)?.[1] ?? 0);
  if (manual.length) return { after: text, switched: [], manual: manual.sort((x, y) => byLine(x) - byLine(y)) };
  // the columns first, then the renamed names wherever they are used (in the rewritten text), then the import
  let out = applyEdits(text, edits);
  const importAt = () => codeMatches(out, /import\s+(type\s+)?\{([^}]*)\}\s+from\s+(['"])drizzle-orm\/sqlite-core\3;?/);
  for (const [from, to] of renames) {
    const imports = importAt();
    const uses = codeMatches(out, new RegExp(`(?<![\\w$.])${from}(?![\\w$])`)).filter((m) => !imports.some((i) => m.index >= i.index && m.index < i.index + i[0].length));
    out = applyEdits(out, uses.map((m) => ({ start: m.index, end: m.index + from.length, text: to })));
  }
  // the import: pg-core's names, in place of sqlite-core's
  if (byteaHelper) needed.add('customType');
  const names = [...needed].sort();
  const imports = importAt();
  const first = imports[0]!;
  const importText = `import { ${names.map((n) => (['AnyPgColumn', 'PgColumn', 'PgTable'].includes(n) ? `type ${n}` : n)).join(', ')} } from 'drizzle-orm/pg-core';${
    byteaHelper ? "\n\n/** PostgreSQL's bytea for SQLite's blob (drizzle-orm's pg-core has no bytea builder). */\nconst bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });" : ''
  }`;
  const after = applyEdits(out, [{ start: first.index, end: first.index + first[0].length, text: importText }, ...imports.slice(1).map((m) => ({ start: m.index, end: m.index + m[0].length, text: '' }))]);
  return { after, switched: [`${path}: drizzle-orm/sqlite-core → drizzle-orm/pg-core (sqliteTable → pgTable)`, ...switched.sort((x, y) => byLine(x) - byLine(y))], manual };
}

/** The end of a method chain `.a(…).b(…)` starting at i (whitespace and newlines between links allowed). */
function chain(text: string, i: number): number {
  let j = i;
  for (;;) {
    const m = /^\s*\.\s*[\w$]+\s*(<)?/.exec(text.slice(j));
    if (!m) return j;
    let k = j + m[0].length;
    if (m[1]) {
      // a type argument list: $type<{ … }>()
      let depth = 1;
      while (k < text.length && depth) {
        if (text[k] === '<') depth++;
        else if (text[k] === '>') depth--;
        k++;
      }
    }
    const rest = /^\s*\(/.exec(text.slice(k));
    if (!rest) return j;
    j = close(text, k + rest[0].length - 1) + 1;
  }
}

/** The name a switched drizzle.config reads its PostgreSQL URL from. */
const URL_ENV = 'DATABASE_URL';

/** drizzle.config switched: dialect "postgresql", the URL from DATABASE_URL, no SQLite driver. */
export function rewriteDrizzleConfig(path: string, text: string): DrizzleRewrite {
  const switched: string[] = [];
  const manual: string[] = [];
  let after = text;
  const dialect = codeMatches(text, /(\bdialect\s*["']?\s*:\s*)(["'`])(sqlite|turso)\2/);
  if (!dialect.length) return { after, switched, manual: [`${path}: its dialect was not found as written text`] };
  const driver = /\bdriver\s*:\s*(["'`])([\w-]+)\1/.exec(text);
  if (driver && driver[2] !== 'better-sqlite') manual.push(`${path}: driver "${driver[2]}" is a hosted SQLite (Turso, D1): move its data with that service's export, then point dbCredentials at DATABASE_URL`);
  if (manual.length) return { after: text, switched, manual };
  after = after.replace(dialect[0]![0], `${dialect[0]![1]}'postgresql'`);
  switched.push(`${path}: dialect "${dialect[0]![3]}" → "postgresql"`);
  if (driver) {
    after = after.replace(new RegExp(`\\s*${driver[0].replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},?`), '');
    switched.push(`${path}: driver "${driver[2]}" removed (PostgreSQL needs none)`);
  }
  const creds = codeMatches(after, /\bdbCredentials\s*:\s*\{/)[0];
  if (creds) {
    const open = creds.index + creds[0].length - 1;
    const end = close(after, open);
    const old = after.slice(open, end + 1);
    after = `${after.slice(0, open)}{ url: process.env.${URL_ENV}! }${after.slice(end + 1)}`;
    switched.push(`${path}: dbCredentials ${old.replace(/\s+/g, ' ')} → { url: process.env.${URL_ENV}! }`);
  }
  return { after, switched, manual, ...(creds ? { urlEnv: URL_ENV } : {}) };
}

/** The files the config's `schema` names (a path, a list, or a folder). */
function schemaFiles(cwd: string, config: string): string[] {
  const m = /\bschema\s*:\s*(\[[^\]]*\]|["'`][^"'`]+["'`])/.exec(config);
  const paths = m ? [...m[1]!.matchAll(/["'`]([^"'`]+)["'`]/g)].map((x) => x[1]!.replace(/^\.\//, '')) : [];
  const out: string[] = [];
  for (const p of paths) {
    if (/[*?]/.test(p)) {
      const dir = p.slice(0, p.search(/[*?]/)).replace(/\/[^/]*$/, '');
      out.push(...walk(cwd, dir).filter((f) => /\.[cm]?[jt]s$/.test(f)));
    } else if (statSync(join(cwd, p), { throwIfNoEntry: false })?.isDirectory()) out.push(...walk(cwd, p).filter((f) => /\.[cm]?[jt]s$/.test(f)));
    else if (existsSync(join(cwd, p))) out.push(p);
  }
  return [...new Set(out)];
}

function walk(cwd: string, dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(join(cwd, dir));
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    if (n === 'node_modules' || n.startsWith('.')) continue;
    const p = dir ? `${dir}/${n}` : n;
    if (statSync(join(cwd, p)).isDirectory()) out.push(...walk(cwd, p));
    else out.push(p);
  }
  return out;
}

const SQLITE_CLIENTS = /from\s+["'](drizzle-orm\/(better-sqlite3|libsql|bun-sqlite|d1|sql-js|expo-sqlite|op-sqlite)|better-sqlite3|@libsql\/client|sqlite3)["']/;

/** The app's source files (outside the schema) that open SQLite: a person moves them to a PostgreSQL driver. */
function sqliteClients(cwd: string, skipFiles: string[]): string[] {
  const out: string[] = [];
  for (const dir of ['src', 'app', 'lib', 'server', 'db', '']) {
    const files = dir ? walk(cwd, dir) : readdirSync(cwd).filter((f) => statSync(join(cwd, f)).isFile());
    for (const f of files) {
      if (!/\.[cm]?[jt]sx?$/.test(f) || skipFiles.includes(f) || /^drizzle\.config\./.test(f) || out.some((o) => o.startsWith(`${f}:`))) continue;
      const text = readFileSync(join(cwd, f), 'utf8');
      for (const m of codeMatches(text, new RegExp(SQLITE_CLIENTS.source)))
        out.push(`${f}:${lineOf(text, m.index)}: imports ${m[1]}: use drizzle-orm/node-postgres with pg (or drizzle-orm/postgres-js), connected to process.env.DATABASE_URL; PostgreSQL queries are async (no .all()/.get()/.run() of better-sqlite3)`);
    }
  }
  return out;
}

/** The Drizzle move as files for the plan, and what to say. All or nothing: a file that cannot be rewritten stops the move. */
export async function prepareDrizzleMove(project: ProjectInfo, finding: SqliteFinding, signal: AbortSignal): Promise<DrizzleMove> {
  const cwd = project.cwd;
  const summary: DrizzleMove = { orm: 'drizzle', switched: [], manual: [], file: finding.file, files: [] };
  const configPath = finding.config!;
  const configText = readFileSync(join(cwd, configPath), 'utf8');
  const config = rewriteDrizzleConfig(configPath, configText);
  const schemas = schemaFiles(cwd, configText);
  if (!schemas.length) summary.manual.push(`${configPath}: its schema files were not found`);
  const rewrites = schemas.map((p) => ({ path: p, before: readFileSync(join(cwd, p), 'utf8') })).map((f) => ({ ...f, r: rewriteDrizzleSchema(f.path, f.before) }));
  summary.manual.push(...config.manual, ...rewrites.flatMap((f) => f.r.manual));
  if (summary.manual.length) {
    summary.manual.unshift('the Drizzle schema was not moved (nothing written for it): change these, or let the rewrite do it once they are gone');
    return summary;
  }
  summary.switched.push(...config.switched, ...rewrites.flatMap((f) => f.r.switched));
  summary.files.push({ path: configPath, before: configText, after: config.after });
  summary.urlEnv = config.urlEnv;
  for (const f of rewrites) if (f.r.after !== f.before) summary.files.push({ path: f.path, before: f.before, after: f.r.after });
  const dir = project.migrations.dir;
  const baseline = await drizzleBaseline(project, summary.files, signal);
  const made = typeof baseline === 'string' ? [] : baseline.files;
  if (typeof baseline === 'string') summary.manual.push(baseline);
  else {
    for (const f of made) f.before = existsSync(join(cwd, f.path)) ? readFileSync(join(cwd, f.path), 'utf8') : undefined;
    summary.files.push(...made);
    summary.journal = baseline.journal;
    summary.baseline = made.find((f) => f.path.endsWith('.sql'))?.path;
  }
  const aside = asideName(cwd, dir);
  const history = moveHistory(cwd, dir, aside, made);
  if (history.length) {
    summary.files.push(...history);
    summary.aside = aside;
  }
  summary.manual.push(...sqliteClients(cwd, schemas));
  return summary;
}

/**
 * The PostgreSQL baseline, written by the project's own drizzle-kit (`generate`) in a temporary copy of
 * the app with the switched schema and config (its node_modules linked): the files it wrote under the
 * migrations folder, or why there are none (drizzle-kit not installed, or it failed).
 */
async function drizzleBaseline(project: ProjectInfo, files: MigrationFile[], signal: AbortSignal): Promise<{ files: MigrationFile[]; journal?: string } | string> {
  const cwd = project.cwd;
  const bin = join(cwd, 'node_modules', 'drizzle-kit', 'bin.cjs');
  if (!existsSync(bin)) return `drizzle-kit is not installed here: after ${project.packageManager} install, run npx drizzle-kit generate to write the PostgreSQL baseline into ${project.migrations.dir}/`;
  const dir = project.migrations.dir;
  const tmp = mkdtempSync(join(realpathSync(tmpdir()), 'prod-ready-drizzle-'));
  try {
    for (const f of walk(cwd, '')) if (!f.startsWith(`${dir}/`) && !f.startsWith('.git/')) cpSync(join(cwd, f), join(tmp, f));
    for (const f of files.filter((x) => !x.delete && !x.path.startsWith(`${dir}/`))) {
      mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
      writeFileSync(join(tmp, f.path), f.after);
    }
    symlinkSync(join(cwd, 'node_modules'), join(tmp, 'node_modules'));
    const r = await run(process.execPath, [bin, 'generate', '--name', 'init'], tmp, { DATABASE_URL: 'postgres://localhost/unused' }, signal, 120_000);
    const out = walk(tmp, dir);
    if (r.code !== 0 || !out.some((f) => f.endsWith('.sql'))) return `drizzle-kit generate failed: ${r.output.trim().split('\n').filter(Boolean).at(-1) ?? 'no output'}`;
    const made = out.map((p) => ({ path: p, after: readFileSync(join(tmp, p), 'utf8') }));
    return { files: made, journal: made.find((f) => f.path === `${dir}/meta/_journal.json`)?.after };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
