// A Prisma schema moved from SQLite to PostgreSQL: the datasource's provider (and a literal `file:` url)
// switched, attributes PostgreSQL rejects removed where Prisma's own linter points at them (its spans),
// the result formatted and validated by Prisma's formatter; then the PostgreSQL baseline `<ts>_init`
// written by Prisma's engine (prepare.ts), and the SQLite history kept aside in `<dir>_sqlite/`, because
// SQLite's SQL cannot be replayed on PostgreSQL. Pure over file contents, except reading the old folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatAndValidate, readSchema, schemaErrorMessage, withDatasourceUrl, type DmmfModel, type SchemaFile, type SchemaInfo } from '../prisma/schema.ts';
import type { SchemaWasm } from '../prisma/wasm.ts';
import type { MigrationFile } from '../files/migrations.ts';

/** Comments (`//`, `///`) blanked to spaces, same length: offsets in the result are offsets in the text. */
function blankComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const nl = text.indexOf('\n', i);
      const end = nl < 0 ? text.length : nl;
      out += ' '.repeat(end - i);
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** A replacement of text[start, end). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}
/** The edits applied last to first, so that each one's offsets still hold (they must not overlap). */
export const applyEdits = (text: string, edits: Edit[]) => [...edits].sort((a, b) => b.start - a.start).reduce((t, e) => t.slice(0, e.start) + e.text + t.slice(e.end), text);

/** The datasource block's `provider` and `url` value spans (comments skipped). */
function datasourceSpans(text: string): { provider?: Edit; url?: Edit & { value: string } } {
  const plain = blankComments(text);
  const block = /^[ \t]*datasource[ \t]+\w+[ \t]*\{/m.exec(plain);
  if (!block) return {};
  const start = block.index + block[0].length;
  const end = plain.indexOf('}', start);
  const body = plain.slice(start, end < 0 ? undefined : end);
  // a string, or env("NAME") (value: `env:NAME`)
  const span = (key: string) => {
    const m = new RegExp(`^([ \\t]*${key}[ \\t]*=[ \\t]*)("[^"\\n]*"|env\\([ \\t]*"[^"\\n]*"[ \\t]*\\))`, 'm').exec(body);
    if (!m) return undefined;
    const value = m[2]!.startsWith('env') ? `env:${/"([^"]*)"/.exec(m[2]!)![1]}` : (JSON.parse(m[2]!) as string);
    return { start: start + m.index + m[1]!.length, end: start + m.index + m[1]!.length + m[2]!.length, value };
  };
  const p = span('provider');
  const u = span('url');
  return { provider: p && { start: p.start, end: p.end, text: '"postgresql"' }, url: u && { ...u, text: 'env("DATABASE_URL")' } };
}

/** Byte offsets (Prisma's spans) to string offsets. */
const charOffset = (text: string, byte: number) => Buffer.from(text).subarray(0, byte).toString('utf8').length;

interface SwitchedSchema {
  /** Every schema file, switched (formatted by Prisma); unchanged ones as they were. */
  files: SchemaFile[];
  /** What changed and how each SQLite type lands in PostgreSQL, one line each. */
  switched: string[];
  info: SchemaInfo;
}

/** The schema switched to PostgreSQL, or a one-line error naming what Prisma rejects. */
export function switchPrismaSchema(wasm: SchemaWasm, files: SchemaFile[], info: SchemaInfo): SwitchedSchema {
  const switched: string[] = [];
  let out = files.map((f) => {
    if (f.path !== info.datasourceFile) return f;
    const spans = datasourceSpans(f.content);
    if (!spans.provider) throw new Error(`${f.path}: the datasource block's provider was not found`);
    const edits: Edit[] = [spans.provider];
    switched.push(`${f.path}: provider = "sqlite" → "postgresql"`);
    // A literal SQLite url cannot stay (the PostgreSQL URL is a secret and lives in DATABASE_URL), nor
    // another env var that held the file's URL: the tool writes DATABASE_URL
    const url = spans.url;
    if (url && !url.value.startsWith('env:') && sqliteLike(url.value)) {
      edits.push(url);
      switched.push(`${f.path}: url = "${url.value}" → env("DATABASE_URL")`);
    } else if (url?.value.startsWith('env:') && url.value !== 'env:DATABASE_URL') {
      edits.push(url);
      switched.push(`${f.path}: url = env("${url.value.slice(4)}") → env("DATABASE_URL") (the PostgreSQL URL is written as DATABASE_URL)`);
    }
    return { ...f, content: applyEdits(f.content, edits) };
  });
  // What PostgreSQL rejects, located by Prisma's linter: native types of SQLite's (@db.*) are removed
  const lintable = info.urlInConfig ? withDatasourceUrl(out) : out;
  const diagnostics = JSON.parse(wasm.lint(JSON.stringify(lintable.map((f) => [f.path, f.content])))) as { file_name: string; start: number; end: number; text: string; is_warning: boolean }[];
  const removed: string[] = [];
  for (const d of diagnostics.filter((x) => !x.is_warning)) {
    const file = out.find((f) => f.path === d.file_name);
    if (!file || !/native type/i.test(d.text)) throw new Error(`Prisma rejects the schema on PostgreSQL: ${d.text} (${d.file_name})`);
    const lintText = lintable.find((f) => f.path === d.file_name)!.content;
    const start = charOffset(lintText, d.start);
    const end = charOffset(lintText, d.end);
    // the withDatasourceUrl copy adds a line before any model: shift back by what it added
    const shift = lintText.length - file.content.length;
    const attr = lintText.slice(start, end);
    if (!attr.startsWith('@db.')) throw new Error(`Prisma rejects the schema on PostgreSQL: ${d.text} (${d.file_name})`);
    removed.push(attr);
    file.content = file.content.slice(0, start - shift).replace(/[ \t]+$/, '') + file.content.slice(end - shift);
  }
  if (removed.length) switched.push(`removed attributes PostgreSQL does not have: ${[...new Set(removed)].join(', ')}`);
  try {
    out = formatAndValidate(wasm, out, info.urlInConfig);
  } catch (e) {
    throw new Error(schemaErrorMessage(e));
  }
  const after = readSchema(wasm, out);
  switched.push(...typeLines(after.models));
  return { files: out, switched, info: after };
}

const sqliteLike = (url: string) => /^(file:|sqlite:)/i.test(url) || /\.(db|sqlite3?)$/i.test(url);

/** How each SQLite type lands in PostgreSQL (Prisma's defaults for PostgreSQL), with the fields that have it. */
function typeLines(models: DmmfModel[]): string[] {
  type F = DmmfModel['fields'][number] & { default?: { name?: string } | unknown; isList?: boolean };
  const groups = new Map<string, string[]>();
  const add = (k: string, where: string) => groups.set(k, [...(groups.get(k) ?? []), where]);
  for (const m of models)
    for (const f of m.fields as F[]) {
      if (f.kind !== 'scalar' || f.nativeType) continue;
      const auto = (f.default as { name?: string } | undefined)?.name === 'autoincrement';
      const where = `${m.name}.${f.name}`;
      if (auto) add(f.type === 'BigInt' ? 'autoincrement BigInt: INTEGER PRIMARY KEY AUTOINCREMENT → bigserial (a sequence, set to max+1 after the copy)' : 'autoincrement Int: INTEGER PRIMARY KEY AUTOINCREMENT → serial (a sequence, set to max+1 after the copy)', where);
      else if (f.type === 'DateTime') add('DateTime: SQLite kept milliseconds since 1970 (or text) → timestamp(3)', where);
      else if (f.type === 'Boolean') add('Boolean: 0/1 → boolean', where);
      else if (f.type === 'Json') add('Json: text → jsonb', where);
      else if (f.type === 'BigInt') add('BigInt: integer → bigint', where);
      else if (f.type === 'Decimal') add('Decimal: text → decimal(65,30)', where);
      else if (f.type === 'Int') add('Int: SQLite integers are 64-bit → integer (32-bit: larger values fail the copy; use BigInt)', where);
    }
  return [...groups].map(([k, fields]) => `${k}: ${fields.length > 6 ? `${fields.slice(0, 6).join(', ')} and ${fields.length - 6} more` : fields.join(', ')}`);
}

/** Every file under `dir` (project-relative), recursively. */
function filesUnder(cwd: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(join(cwd, d));
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const p = `${d}/${n}`;
      if (statSync(join(cwd, p)).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** `prisma/migrations` → `prisma/migrations_sqlite` (a free name: `_sqlite2`… when taken). */
export function asideName(cwd: string, dir: string): string {
  for (let i = 1; ; i++) {
    const name = `${dir}_sqlite${i > 1 ? i : ''}`;
    if (!filesUnder(cwd, name).length && !statSync(join(cwd, name), { throwIfNoEntry: false })) return name;
  }
}

/**
 * The SQLite history moved aside: each file under `dir` created under `aside`, and removed from `dir`
 * unless the new history writes a file of the same path (migration_lock.toml: then it is an update).
 */
export function moveHistory(cwd: string, dir: string, aside: string, newFiles: { path: string }[]): MigrationFile[] {
  const out: MigrationFile[] = [];
  for (const p of filesUnder(cwd, dir)) {
    const text = readFileSync(join(cwd, p), 'utf8');
    out.push({ path: `${aside}/${relative(dir, p).split('\\').join('/')}`, after: text });
    if (!newFiles.some((f) => f.path === p)) out.push({ path: p, before: text, after: '', delete: true });
  }
  return out;
}
