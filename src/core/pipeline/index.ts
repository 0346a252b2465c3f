// The init pipeline: detect → resolve → verify → propose actions → plan → confirm → act → apply →
// migrate → next steps. Each stage takes the run's values and returns new ones; `init` and `join`
// compose them here, `check` reuses detect's readers, the value lookup and verify. A person at the
// terminal and none (--yes, CI) differ only in the Face passed in: how the run talks and what it asks.
import { apply } from '../apply.ts';
import { Cancelled, UserError, type UsageError } from '../errors.ts';
import type { Plan } from '../plan.ts';
import type { ProviderId } from '../provider.ts';
import { loadTemplates } from '../templates.ts';
import type { MigrationReport } from '../../commands/migrate-step.ts';
import { installStep } from '../../commands/install-step.ts';
import type { Say } from '../../ui/say.ts';
import { actionLines, proposeActions, runAction } from './act.ts';
import { migrateAfterWrite, missingCommands, prismaStep, sqliteStage } from './migrate.ts';
import { nextSteps, type NextStep } from './next-steps.ts';
import { changed, filesChanged, guardTracked, makePlan, saveProduced, trackedEnvFiles, type Run } from './plan.ts';
import { generatedKeys, nameLines, publicKeys, withProviders, type Ctx } from './state.ts';

export { detect, type Ctx, type InitFlags } from './state.ts';
export type { Run } from './plan.ts';

/** What the plan stage shows before the confirmation. */
export interface Proposal {
  plan: Plan;
  /** The name mappings and the env file, the actions at providers, then the files. */
  names: string[];
  actions: { title: string; details: string[] }[];
  publicKeys: Set<string>;
  generated: Set<string>;
  /** The changed files' full diff, secrets masked (on demand: it loads the diff renderer). */
  diff: (colors: { add: (s: string) => string; del: (s: string) => string; meta: (s: string) => string }) => Promise<string>;
}

/** How a run talks and what it asks: the wizard's prompts, or fixed answers without a person. */
export interface Face {
  say: Say;
  header(ctx: Ctx): void;
  providers(ctx: Ctx): Promise<readonly ProviderId[]>;
  /** A monorepo's apps, once the providers are known (a person may change them). */
  apps(ctx: Ctx): Promise<Ctx>;
  /** The resolve stage's questions and the Docker start; a number ends the run with that exit code. */
  values(run: Run): Promise<Run | number>;
  /** The verify stage: every check run, failures settled (retried, skipped) or the exit code. */
  verify(run: Run): Promise<Run | number>;
  /** An action that asks for itself; absent: never taken without a person. */
  decide?(question: string): Promise<boolean>;
  /** Nothing to write and nothing to change at providers. */
  nothing(migrations: MigrationReport | undefined, plan: Plan, run: Run): number;
  showPlan(p: Proposal, run: Run): Promise<void>;
  /** A problem that stops the run before anything is written (exit 2). */
  refuse(message: string): UsageError;
  dryRun(p: Proposal, run: Run): Promise<number>;
  /** Stop tracking the env file (`git rm --cached`)? Absent: refused without a person. */
  untrack?(question: string): Promise<boolean>;
  /** The confirmation: write the files and make the changes at providers? */
  confirm(p: Proposal, run: Run): Promise<boolean>;
  /** Runs one action (a spinner, or a line when done); the task's string is its failure. */
  act<T extends { done: string } | string>(a: Run['actions'][number], task: (signal?: AbortSignal, progress?: (line: string) => void) => Promise<T>): Promise<T>;
  /** An action failed: `saved` are the env files written to keep what earlier actions made. */
  actionFailed(line: string, saved: string[], files: { path: string; action: string }[], run: Run): number;
  written(files: string[]): void;
  done(steps: NextStep[], run: Run, plan: Plan, migrations: MigrationReport | undefined): number;
}

function propose(run: Run, plan: Plan): Proposal {
  const pub = publicKeys(run.ctx.providers);
  const generated = generatedKeys(run.ctx.providers);
  return {
    plan,
    names: nameLines(run.ctx),
    actions: run.actions.map(actionLines),
    publicKeys: pub,
    generated,
    diff: async (colors) => {
      const { renderDiffs } = await import('../../ui/preview.ts');
      const { secretValues } = await import('../verify.ts');
      return renderDiffs(changed(plan), secretValues(run.ctx.providers, run.answers.values), pub, generated, colors);
    },
  };
}

/** `init` and `join`: the stages in order. */
export async function runInit(detected: Ctx, face: Face): Promise<number> {
  face.header(detected);
  const ctx = await face.apps(await withProviders(detected, await face.providers(detected)));
  const start: Run = { ctx, answers: { values: {}, source: {}, foundAs: {} }, templates: await loadTemplates(), results: [], actions: [], resources: {}, started: [] };
  const resolved = await face.values(start);
  if (typeof resolved === 'number') return resolved;
  const verified = await face.verify(resolved);
  if (typeof verified === 'number') return verified;
  let run = await prismaStep(await sqliteStage(await proposeActions(verified, face.say.warn, face.decide), face.say, detected.flags.interactive), face.say);
  const { dryRun } = run.ctx.flags;

  let plan = makePlan(run);
  const proposal = propose(run, plan);
  const missing = await missingCommands(run, plan);
  if (missing && !dryRun) throw face.refuse(missing.message);
  if (!changed(plan).length && !run.actions.length) return face.nothing(dryRun ? undefined : await migrateAfterWrite(run, plan, face.say, []), plan, run);
  await face.showPlan(proposal, run);
  if (missing) face.say.warn(missing.message);
  if (dryRun) {
    // without a person a real run stops at a tracked env file (with one, it asks to stop tracking it)
    if (!face.untrack) for (const f of trackedEnvFiles(run.ctx, plan.changes)) face.say.warn(`${f} is tracked by git: a real run stops here (git rm --cached ${f} first)`);
    return face.dryRun(proposal, run);
  }
  run = { ...run, ctx: await guardTracked(run.ctx, plan.changes, face.untrack) };
  if (!(await face.confirm(proposal, run))) throw new Cancelled('Nothing was written.');

  for (const a of run.actions) {
    let r: Awaited<ReturnType<typeof runAction>>;
    try {
      r = await face.act(a, (signal, progress) => runAction(run, a, signal, progress));
    } catch (err) {
      // stopped mid-way (Ctrl+C): what earlier actions made is still kept
      if (err instanceof UserError) err.written = saveProduced(run);
      throw err;
    }
    if (typeof r === 'string') {
      const saved = saveProduced(run);
      return face.actionFailed(`${a.provider.title}: ${r}`, saved, filesChanged(makePlan(run), saved), run);
    }
    run = r.run;
  }
  if (run.actions.length) plan = makePlan(run);
  const written = apply(run.ctx.flags.cwd, plan.changes);
  face.written(written);
  const install = await installStep({ plan, project: run.ctx.project, allowed: !run.ctx.joining, say: face.say });
  const migrations = await migrateAfterWrite(run, plan, face.say, written, install);
  return face.done(nextSteps(run.ctx.project, plan, migrations, run.started, run.ctx.mono, install), run, plan, migrations);
}
