// Reads the files the wizard manages, as they are now. Reading only; `apply` writes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileError } from './errors.ts';
import { MANAGED_FILES, type ManagedFile } from './plan.ts';
import type { MigrationSetup } from './project.ts';
import type { MigrationSql, MigrationState } from './files/migrations.ts';
import { MIGRATION_NAMES } from './provider.ts';
import { templatesDir } from './templates.ts';
import { readAppShape } from './app-shape.ts';
import { detectContract, type EnvContract } from './contract.ts';
import { envFileFor } from './env-file.ts';
import type { AppReads } from './files/monorepo-render.ts';
import { envTargets, schemaOwnerOf, type MonorepoState } from './monorepo-plan.ts';
import type { Workspace, WorkspacePackage } from './workspaces.ts';

export function readManagedFiles(cwd: string): Partial<Record<ManagedFile, string>> {
  const out: Partial<Record<ManagedFile, string>> = {};
  for (const f of MANAGED_FILES) {
    try {
      out[f] = readFileSync(join(cwd, f), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code === 'EISDIR') throw new FileError(`${f} is a directory`);
      throw new FileError(`cannot read ${f}: ${code === 'EACCES' ? 'permission denied' : code}`);
    }
  }
  return out;
}

/** A project file's text, or undefined when it does not exist. */
export function readProjectFile(cwd: string, path: string): string | undefined {
  try {
    return readFileSync(join(cwd, path), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code}`);
  }
}

/** What planning needs to number and wire migrations: the folder's file names, drizzle's journal, package.json. */
export function readMigrationState(cwd: string, setup: MigrationSetup): MigrationState {
  const read = (path: string) => readProjectFile(cwd, path);
  let existing: string[] = [];
  try {
    existing = readdirSync(join(cwd, setup.dir));
  } catch {
    existing = [];
  }
  return { existing, journal: setup.tool === 'drizzle' ? read(`${setup.dir}/meta/_journal.json`) : undefined, packageJson: read('package.json') };
}

/** The SQL templates of the migrations (templates/migrations/<name>.sql). */
export function readMigrationSql(): MigrationSql {
  const dir = join(templatesDir(), 'migrations');
  return Object.fromEntries(MIGRATION_NAMES.map((n) => [n, readFileSync(join(dir, `${n}.sql`), 'utf8')])) as MigrationSql;
}

/**
 * What a monorepo run plans from: the chosen apps with the env names they (and the workspace packages
 * they use) read, the env files to write and their current text, the schema owner's migrations.
 */
export function readMonorepoState(ws: Workspace, chosen: WorkspacePackage[], now: number, git: { inRepo: boolean; tracked: readonly string[] } = { inRepo: true, tracked: [] }): MonorepoState {
  // Each package's env contract, read once (the app-fit reading: schemas, examples, reads, Prisma's env()).
  const cache = new Map<string, EnvContract>();
  const own = (p: WorkspacePackage) => cache.get(p.dir) ?? cache.set(p.dir, detectContract(join(ws.root, p.dir))).get(p.dir)!;
  // An app reads what the workspace packages it uses read (packages/db's DATABASE_URL).
  const withDeps = (p: WorkspacePackage): AppReads => {
    const parts = [own(p), ...p.deps.map((d) => own(ws.packages.find((q) => q.dir === d)!))];
    const keys: EnvContract['keys'] = {};
    for (const c of parts) for (const [k, v] of Object.entries(c.keys)) keys[k] ??= v;
    const contract = { ...parts[0]!, keys: Object.fromEntries(Object.entries(keys).sort(([a], [b]) => a.localeCompare(b))), datasource: [...new Set(parts.flatMap((c) => c.datasource))] };
    return { reads: Object.keys(contract.keys), contract };
  };
  // Its health route: one it serves, or one the tool can add as a new file (app-shape.ts, as for a single app)
  const apps = chosen.map((app) => ({ app, sources: { ...withDeps(app), ...(app.kind === 'web' ? { health: readAppShape(app.project).health } : {}) } }));
  const schemaOwner = schemaOwnerOf(ws, chosen);
  // The env file each app's framework loads (env-file.ts: .env.local for frontends, .env for Node servers)
  const envFile = (p: WorkspacePackage) =>
    envFileFor(p.project, {
      inRepo: git.inRepo,
      localExists: existsSync(join(ws.root, p.dir, '.env.local')),
      envExists: existsSync(join(ws.root, p.dir, '.env')),
      tracked: git.tracked.filter((f) => f.startsWith(`${p.dir}/`)).map((f) => f.slice(p.dir.length + 1)),
    });
  const targets = envTargets(apps, schemaOwner, schemaOwner && withDeps(schemaOwner), envFile);
  const files: Record<string, string | undefined> = {};
  for (const t of targets) for (const f of [t.file, t.example]) files[f] = readProjectFile(ws.root, f);
  const migrations = schemaOwner && { state: readMigrationState(join(ws.root, schemaOwner.dir), schemaOwner.project.migrations), sql: readMigrationSql(), now };
  return { ws, apps, targets, schemaOwner, files, migrations };
}
