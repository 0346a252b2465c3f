// Does this app run on SQLite? Read from what the app itself configures: its Prisma datasource (read
// by Prisma's own parser), its drizzle.config dialect, its SQLite drivers, `file:` URLs in its env
// files, and the database file they point at. Reading only; nothing is written here.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative } from 'node:path';
import { DRIZZLE_CONFIGS, type ProjectInfo } from '../project.ts';

/** The SQLite drivers an app reads its database through (the ORM sits on one of them). */
const SQLITE_DRIVERS = ['better-sqlite3', 'sqlite3', '@libsql/client', 'libsql', 'sqlite', 'bun:sqlite'];

export interface SqliteFinding {
  /** What says the app is on SQLite, one short line each (shown to the user as found). */
  evidence: string[];
  /** The ORM whose schema moves to PostgreSQL. */
  orm?: 'prisma' | 'drizzle';
  /** The database file, project-relative (or absolute when outside the project), when one is known. */
  file?: string;
  /** The file exists (a path from a config may point at a database never created). */
  fileExists: boolean;
  /** Its size in bytes, when it exists. */
  bytes?: number;
  /** Prisma: the schema file with the sqlite datasource; Drizzle: the config file. */
  config?: string;
  /** The env var the datasource / config reads its URL from, when it reads one. */
  envVar?: string;
}

/** `file:./dev.db`, `file:dev.db?mode=ro`, `sqlite:///x.db`, `./local.sqlite`: the path part, or undefined for a non-file URL. */
export function sqlitePath(url: string): string | undefined {
  const v = url.trim();
  if (/^(postgres(ql)?|mysql|mongodb(\+srv)?|redis|libsql|wss?|https?):/i.test(v)) return undefined;
  const m = /^(?:file:|sqlite:(?:\/\/)?)(.*)$/i.exec(v);
  const path = (m ? m[1]! : v).replace(/\?.*$/, '');
  if (m) return path.startsWith('//') ? path.replace(/^\/\/(localhost)?/, '') : path;
  return /\.(db|sqlite3?|db3)$/i.test(path) ? path : undefined;
}

function rel(cwd: string, base: string, path: string): string {
  const abs = isAbsolute(path) ? path : join(base, path);
  const r = relative(cwd, abs);
  return r.startsWith('..') || isAbsolute(r) ? normalize(abs) : r.split('\\').join('/');
}

export interface DetectInput {
  project: ProjectInfo;
  /** The app's env files' values (.env, .env.local) and the environment, the app's names. */
  env: Record<string, string>;
  /** Prisma's reading of the schema (provider, datasource file, its url), when the app has Prisma. */
  prisma?: { provider: string; datasourceFile: string; url?: { fromEnvVar: string | null; value: string | null } };
  /** `--from-sqlite FILE`: the database file named by the user (wins over what configs say). */
  file?: string;
}

/**
 * What says SQLite, or undefined when nothing does. Prisma's datasource and Drizzle's dialect decide the
 * ORM; drivers and `file:` URLs alone are evidence without an ORM to switch (the user is told).
 */
export function detectSqlite(input: DetectInput): SqliteFinding | undefined {
  const { project, env } = input;
  const cwd = project.cwd;
  const evidence: string[] = [];
  let orm: SqliteFinding['orm'];
  let file: string | undefined;
  let config: string | undefined;
  let envVar: string | undefined;

  if (input.prisma?.provider === 'sqlite') {
    orm = 'prisma';
    config = input.prisma.datasourceFile;
    evidence.push(`${config}: datasource provider = "sqlite"`);
    envVar = input.prisma.url?.fromEnvVar ?? undefined;
    const url = input.prisma.url?.value ?? (envVar && env[envVar]);
    const path = url && sqlitePath(url);
    // Prisma resolves a relative SQLite path from the schema file's folder
    if (path) file = rel(cwd, dirname(join(cwd, config)), path);
    if (url && path) evidence.push(`${envVar ? `${envVar} = ` : 'url = '}${url.replace(/\?.*$/, '')}`);
  }

  const drizzleFile = DRIZZLE_CONFIGS.find((f) => existsSync(join(cwd, f)));
  if (!orm && drizzleFile) {
    let text = '';
    try {
      text = readFileSync(join(cwd, drizzleFile), 'utf8');
    } catch {
      text = '';
    }
    const dialect = /\bdialect\s*["']?\s*:\s*["'`](\w+)["'`]/.exec(text)?.[1];
    const driver = /\bdriver\s*["']?\s*:\s*["'`]([\w-]+)["'`]/.exec(text)?.[1];
    if (dialect === 'sqlite' || dialect === 'turso' || (!dialect && driver && /^(better-sqlite|libsql|turso|d1)/.test(driver))) {
      orm = 'drizzle';
      config = drizzleFile;
      evidence.push(`${drizzleFile}: dialect "${dialect ?? driver}"`);
      const literal = /\burl\s*["']?\s*:\s*["'`]([^"'`]+)["'`]/.exec(text)?.[1];
      const fromEnv = /\burl\s*:\s*process\.env(?:\.(\w+)|\[["'](\w+)["']\])/.exec(text);
      envVar = fromEnv?.[1] ?? fromEnv?.[2];
      const url = literal ?? (envVar && env[envVar]);
      const path = url && sqlitePath(url);
      // drizzle-kit runs from the project root: a relative path is the root's
      if (path) {
        file = rel(cwd, cwd, path);
        evidence.push(`${envVar ? `${envVar} = ` : 'dbCredentials.url = '}${url}`);
      }
    }
  }

  const drivers = SQLITE_DRIVERS.filter((d) => project.dependencies.includes(d));
  if (drivers.length) evidence.push(`SQLite driver${drivers.length > 1 ? 's' : ''} in package.json: ${drivers.join(', ')}`);

  // file: URLs the app reads (DATABASE_URL=file:./dev.db) that no config above accounted for
  for (const [k, v] of Object.entries(env)) {
    if (!/(DATABASE|DB|SQLITE)/i.test(k) || k === envVar) continue;
    const path = sqlitePath(v);
    if (!path || !/^(file:|sqlite:)/i.test(v.trim())) continue;
    evidence.push(`${k} = ${v}`);
    file ??= rel(cwd, orm === 'prisma' && config ? dirname(join(cwd, config)) : cwd, path);
  }

  if (input.file) {
    file = rel(cwd, cwd, input.file);
    evidence.push(`--from-sqlite ${input.file}`);
  }
  if (!evidence.length) return undefined;

  const abs = file && (isAbsolute(file) ? file : join(cwd, file));
  const st = abs ? statSync(abs, { throwIfNoEntry: false }) : undefined;
  const fileExists = !!st?.isFile();
  return { evidence, orm, file, fileExists, bytes: fileExists ? st!.size : undefined, config, envVar };
}

/** One line for the user: what was found, where the database is. */
export function findingLine(f: SqliteFinding): string {
  const size = f.bytes === undefined ? '' : f.bytes < 1024 * 1024 ? ` (${Math.max(1, Math.round(f.bytes / 1024))} KB)` : ` (${(f.bytes / 1024 / 1024).toFixed(1)} MB)`;
  const where = f.file ? (f.fileExists ? `; database ${f.file}${size}` : `; ${f.file} does not exist yet`) : '';
  return `SQLite found: ${f.evidence.join('; ')}${where}`;
}

/** Why a move starts a new migration history (said to the user and in docs/sqlite.md). */
export const WHY_BASELINE = (dir: string, aside: string) =>
  `${dir}/ held SQLite's SQL (AUTOINCREMENT, its types and table rebuilds), which PostgreSQL cannot run: it is kept in ${aside}/ for reference, and a new PostgreSQL history starts with a baseline made from the schema`;
