// The propose and act stages: the changes at providers the checks proposed, filtered by who runs (a
// teammate changes nothing at providers; an action that asks for itself needs a person), then run.
import { Cancelled, UserError } from '../errors.ts';
import { redact } from '../mask.ts';
import { ioFor, secretValues } from '../verify.ts';
import type { Run } from './plan.ts';
import { known } from './state.ts';
import { take } from './values.ts';

type Proposed = Run['actions'][number];

/**
 * The actions this run may take. A teammate's run changes nothing at providers (webhooks, CORS rules,
 * pushes are the team's): each is reported. An action that asks for itself (it may replace what
 * production uses) is a decision for a person: `decide` answers it; without one it is reported, never taken.
 */
export async function proposeActions(run: Run, warn: (s: string) => void, decide?: (question: string) => Promise<boolean>): Promise<Run> {
  if (run.ctx.joining) {
    for (const { provider, action } of run.actions) warn(`${provider.title}: not done when joining: ${action.title}`);
    return { ...run, actions: [] };
  }
  const kept: Proposed[] = [];
  for (const a of run.actions) {
    if (!a.action.ask) kept.push(a);
    else if (!decide) warn(`${a.provider.title}: not done without a person: ${a.action.title} (run the wizard in a terminal to decide)`);
    else if (await decide(a.action.ask)) kept.push(a);
  }
  return { ...run, actions: kept };
}

/** Runs one confirmed action; a failure is a one-line message (secrets redacted), never a throw. */
export async function runAction(run: Run, { provider, action }: Proposed, signal?: AbortSignal, progress?: (line: string) => void): Promise<{ run: Run; done: string } | string> {
  try {
    const deadline = AbortSignal.timeout(action.timeoutMs ?? 30_000);
    const io = { ...ioFor(provider, run.ctx.project, signal ? AbortSignal.any([signal, deadline]) : deadline), progress };
    const r = await action.run(io, known(run.ctx, run.answers));
    return { run: { ...run, answers: take(run.answers, r.values), resources: { ...run.resources, ...r.resources } }, done: r.done };
  } catch (err) {
    if (err instanceof Cancelled) throw err;
    const secrets = secretValues(run.ctx.providers, run.answers.values);
    const msg = err instanceof UserError ? err.message + (err.hint ? ` — ${err.hint}` : '') : `${action.title} failed: ${(err as Error).message?.split('\n')[0]}`;
    return redact(msg, secrets);
  }
}

/** A proposed action as the plan lists it: its title and the details under it. */
export const actionLines = ({ provider, action }: Proposed) => ({ title: `${provider.title}: ${action.title}`, details: action.details ?? [] });
