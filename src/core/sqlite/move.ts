// The move from SQLite to PostgreSQL, as files: the schema switched, a PostgreSQL baseline migration, the
// SQLite history kept aside. Everything goes into the plan (apply() writes it after the confirmation);
// the data is copied after the baseline is applied (src/commands/sqlite-step.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRISMA_CONFIGS } from '../project.ts';
import { preparePrisma, readSchemaFiles, type PrepareInput, type PrismaPrep } from '../prisma/prepare.ts';
import { readSchema } from '../prisma/schema.ts';
import { loadSchemaWasm } from '../prisma/wasm.ts';
import { asideName, moveHistory, switchPrismaSchema } from './prisma.ts';
import { WHY_BASELINE, type SqliteFinding } from './detect.ts';

/** What the move changes, for the plan's lines, the next steps and --json. */
export interface MoveSummary {
  orm: 'prisma' | 'drizzle';
  /** What was switched, one line each (provider, url, each type's PostgreSQL form). */
  switched: string[];
  /** The new PostgreSQL baseline (a migration folder or file), when one was written. */
  baseline?: string;
  /** Where the SQLite migration history was moved (it cannot run on PostgreSQL). */
  aside?: string;
  /** What the user changes by hand (app code on a SQLite driver, a config the tool does not rewrite). */
  manual: string[];
  /** The SQLite database the data is copied from. */
  file?: string;
}


/**
 * A Prisma project's move: the switched schema, Prisma's `<ts>_init` for it (with the models the providers
 * add, when any), the old folder kept aside. All or nothing: when no baseline can be made, no file moves.
 */
export async function preparePrismaMove(input: PrepareInput & { finding: SqliteFinding }): Promise<{ prep: PrismaPrep; summary: MoveSummary }> {
  const { project } = input;
  const setup = project.migrations;
  const summary: MoveSummary = { orm: 'prisma', switched: [], manual: [], file: input.finding.file };
  const disk = readSchemaFiles(project.cwd, setup).files;
  const wasm = loadSchemaWasm();
  let switched;
  try {
    switched = switchPrismaSchema(wasm, disk, readSchema(wasm, disk));
  } catch (e) {
    return { prep: { files: [], added: [], notes: [], skipped: `the schema could not be moved to PostgreSQL: ${(e as Error).message}; nothing was changed for Prisma` }, summary };
  }
  summary.switched = switched.switched;
  const prep = await preparePrisma({ ...input, move: { files: switched.files } });
  if (prep.skipped) return { prep: { ...prep, files: [], added: [], skipped: `${prep.skipped.replace(/; nothing was changed for Prisma.*$/, '')}; the schema stays on SQLite (nothing was changed for Prisma)` }, summary };
  // the schema files as the project has them (prepare read the switched copy)
  for (const f of switched.files) {
    const before = disk.find((d) => d.path === f.path)?.content;
    const planned = prep.files.find((p) => p.path === f.path);
    if (planned) planned.before = before;
    else if (before !== f.content) prep.files.unshift({ path: f.path, before, after: f.content });
  }
  const aside = asideName(project.cwd, setup.dir);
  const history = moveHistory(project.cwd, setup.dir, aside, prep.files);
  if (history.length) {
    prep.files.push(...history);
    summary.aside = aside;
    prep.notes.push(WHY_BASELINE(setup.dir, aside));
  }
  summary.baseline = prep.added[0] && `${setup.dir}/${prep.added[0]}/migration.sql`;
  // Prisma 7 keeps the url in prisma.config.ts, which the tool does not rewrite (it is the app's TypeScript)
  const config = switched.info.urlInConfig ? readConfig(project.cwd) : undefined;
  if (config && /["'`](file:|[^"'`]*\.(db|sqlite3?)["'`])/.test(config.text))
    summary.manual.push(`${config.path}: its datasource url points at the SQLite file; make it env("DATABASE_URL")`);
  return { prep, summary };
}

function readConfig(cwd: string): { path: string; text: string } | undefined {
  for (const f of PRISMA_CONFIGS)
    try {
      return { path: f, text: readFileSync(join(cwd, f), 'utf8') };
    } catch {
      /* next */
    }
  return undefined;
}
