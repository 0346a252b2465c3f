// The plan stage (pure: answers in, file changes out) and the few writes that go through it early: the
// compose file before its services start, the env files that keep what an action made after a failure.
import { apply } from '../apply.ts';
import { Cancelled, UsageError } from '../errors.ts';
import { untrack } from '../env-file.ts';
import { dotenvValues, parseDotenv } from '../files/dotenv.ts';
import { planMonorepo } from '../monorepo-plan.ts';
import { isPlaceholder } from '../placeholder.ts';
import { plan, type FileChange, type Plan, type PlanInput } from '../plan.ts';
import type { Action, Provider } from '../provider.ts';
import { readMigrationSql } from '../snapshot.ts';
import type { Templates } from '../templates.ts';
import type { Result } from './results.ts';
import type { PlannedMove } from '../../commands/sqlite-step.ts';
import { isEnvFile, known, type Answers, type Ctx } from './state.ts';

/** What a run holds between stages: the context, the answers, the checks' results and what they propose. */
export interface Run {
  readonly ctx: Ctx;
  readonly answers: Answers;
  readonly templates: Templates;
  readonly results: Result[];
  /** Changes at providers the checks proposed (a webhook endpoint, a CORS rule), in catalog order. */
  readonly actions: { provider: Provider; action: Action }[];
  /** Ids of what actions created at providers, for prod-ready.json. */
  readonly resources: Record<string, string>;
  /** Local services this run started (docker compose), left out of the next steps. */
  readonly started: string[];
  /** The move from SQLite, when it is taken (src/commands/sqlite-step.ts). */
  readonly sqliteMove?: PlannedMove;
}

/**
 * The env file values this run replaces: those it got from somewhere other than the file itself (the
 * environment, a prompt, an action, a derivation) that differ from what it holds. Every other value is kept.
 */
function overwrite(ctx: Ctx, a: Answers): Set<string> {
  // a monorepo: the values the apps' env files hold
  const target = ctx.mono ? ctx.dotenv : dotenvValues(parseDotenv(ctx.files[ctx.envFile] ?? ''));
  const out = new Set<string>();
  for (const [k, v] of Object.entries(a.values))
    for (const name of ctx.names.out(k)) {
      if (!(name in target) || target[name] === v) continue;
      // a value read from this very line stays as written (e.g. APP_URL with its trailing slash)
      if (a.source[k] === 'dotenv' && a.foundAs[k] === name && !isPlaceholder(target[name])) continue;
      out.add(name);
    }
  return out;
}

export function makePlan(run: Pick<Run, 'ctx' | 'answers' | 'templates' | 'resources'>): Plan {
  const { ctx, answers } = run;
  const p = (ctx.mono ? (i: PlanInput) => planMonorepo(i, ctx.mono!) : plan)({
    project: ctx.project,
    providers: ctx.providers,
    values: known(ctx, answers),
    overwrite: overwrite(ctx, answers),
    files: ctx.files,
    templates: run.templates,
    resources: run.resources,
    migrations: { ...ctx.migrations, sql: readMigrationSql() },
    envModule: ctx.project.hasPackageJson ? { existing: ctx.envModule } : undefined,
    contract: ctx.contract,
    names: ctx.names,
    envFile: ctx.envFile,
  });
  // A teammate writes the env files and nothing else: every other file is committed and theirs to change by choice.
  return ctx.joining ? { ...p, changes: p.changes.filter((c) => isEnvFile(ctx, c.path)) } : p;
}

export const changed = (p: Plan) => p.changes.filter((c) => c.action !== 'keep');

/**
 * When a later step fails after an action produced a value that exists nowhere else (a webhook secret
 * Stripe shows only once), the env file is still written (with .gitignore first) so that value is not lost.
 */
export function saveProduced(run: Run): string[] {
  if (!Object.values(run.answers.source).includes('action')) return [];
  const changes = makePlan(run).changes.filter((c) => c.path === '.gitignore' || isEnvFile(run.ctx, c.path));
  return apply(run.ctx.flags.cwd, changes);
}

/** docker-compose.yml now, before the plan's confirmation, because its services are to be started. */
export function writeCompose(run: Run): { run: Run; written: string[] } {
  const compose = makePlan(run).changes.filter((c) => c.path === 'docker-compose.yml' && c.action !== 'keep');
  const written = apply(run.ctx.flags.cwd, compose);
  // the plan shown later starts from the file as it now is
  const files = { ...run.ctx.files };
  for (const c of compose) if (c.after !== undefined) files['docker-compose.yml'] = c.after;
  return { run: { ...run, ctx: { ...run.ctx, files } }, written };
}

/**
 * A secret is never written into a file git tracks. Without a person (no `ask`): exit 2 naming the file,
 * nothing written. With one: offer `git rm --cached`, which stops tracking it (the history keeps it).
 */
export async function guardTracked(ctx: Ctx, changes: FileChange[], ask?: (message: string) => Promise<boolean>): Promise<Ctx> {
  // one app's env file, or a monorepo's apps' (the same rule for each)
  const files = trackedEnvFiles(ctx, changes);
  if (!files.length) return ctx;
  const [list, it, is] = [files.join(' '), files.length > 1 ? 'them' : 'it', files.length > 1 ? 'are' : 'is'];
  const hint = `git rm --cached ${list} stops tracking ${it} (${files.length > 1 ? 'their' : 'its'} history keeps what was committed: rotate those secrets); then run again`;
  if (!ask) throw new UsageError(`${files.join(', ')} ${is} tracked by git: no secret is written into ${it}. Nothing was written.`, hint);
  const yes = await ask(`${files.join(', ')} ${is} tracked by git, and secrets go into ${it}. Run \`git rm --cached ${list}\` (the file${files.length > 1 ? 's stay' : ' stays'}; the repository's history still has what was committed)?`);
  if (!yes) throw new Cancelled(`${files.join(', ')} ${is} tracked by git: nothing was written.`);
  await untrack(ctx.flags.cwd, files);
  return { ...ctx, git: { ...ctx.git, tracked: ctx.git.tracked.filter((f) => !files.includes(f)) } };
}

/** The env files this plan writes secrets into that git tracks (one app's, or a monorepo's apps'). */
export const trackedEnvFiles = (ctx: Ctx, changes: FileChange[]): string[] =>
  changes.filter((c) => c.action !== 'keep' && isEnvFile(ctx, c.path) && ctx.git.tracked.includes(c.path)).map((c) => c.path);

/** The files a run changed, as --json reports them: exactly those written, with what happened to each. */
export function filesChanged(thePlan: Plan, written: string[]): { path: string; action: string }[] {
  return written.map((path) => ({ path, action: thePlan.changes.find((c) => c.path === path)?.action ?? 'update' }));
}
