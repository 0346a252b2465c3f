// `create-prod-ready [init]` and `join`: pick providers → collect values → check them live → plan →
// preview → confirm → changes at providers (actions) → write → migrate → next steps. Nothing changes,
// at a provider or on disk, before the confirmation; a cancel anywhere before it writes nothing.
// The stages are src/core/pipeline/; this file chooses where the run works and who answers its questions.
import { withProjectLock } from '../core/lock.ts';
import { UsageError } from '../core/errors.ts';
import { detectWorkspace, type Workspace } from '../core/workspaces.ts';
import { detect, runInit, type InitFlags } from '../core/pipeline/index.ts';

export type { InitFlags };

/** One run at a time per project: a second waits a little, then refuses. */
export function init(flags: InitFlags): Promise<number> {
  // In a monorepo (at its root or inside one of its apps) the run works at the root: one Blueprint, one lock.
  const found = detectWorkspace(flags.cwd);
  const ws = found?.packages.some((p) => p.deployable) ? found : undefined;
  if (flags.apps && !ws) throw new UsageError(`--apps: no workspace with a deployable app was found at ${flags.cwd}`, 'it chooses among the apps of a monorepo (npm/yarn/pnpm workspaces)');
  const f = ws ? { ...flags, cwd: ws.root } : flags;
  return withProjectLock(f.cwd, f.join ? 'join' : 'init', f.dryRun, () => initLocked(f, ws));
}

async function initLocked(flags: InitFlags, ws?: Workspace): Promise<number> {
  const ctx = await detect(flags, ws);
  // A person at the terminal gets the wizard; --yes, CI and pipes the same stages with fixed answers.
  const face = flags.interactive ? await (await import('../ui/face-wizard.ts')).wizardFace(ctx) : (await import('../ui/face-plain.ts')).plainFace(ctx);
  return runInit(ctx, face);
}
