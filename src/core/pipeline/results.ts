// The verify stage: every provider's live check, and how its result is reported (human lines, --json).
// Shared by init, join and check.
import { UserError } from '../errors.ts';
import type { FileChange } from '../plan.ts';
import type { ProjectInfo } from '../project.ts';
import type { Provider, ProviderId, Verified } from '../provider.ts';
import { runVerify } from '../verify.ts';
import type { Out } from '../../ui/plain.ts';
import type { MigrationReport } from '../../commands/migrate-step.ts';

export interface Result {
  id: ProviderId;
  ok: boolean;
  skipped?: boolean;
  identity: string | null;
  mode: string | null;
  warnings: string[];
  error: string | null;
}

/** A passed check as reported (human and --json); `more` adds warnings (check's "not done yet" lines). */
export const passed = (p: Provider, v: Verified, more: string[] = []): Result => ({
  id: p.id,
  ok: true,
  identity: v.identity,
  mode: v.mode ?? null,
  warnings: [...v.warnings, ...more],
  error: null,
});

export const skipped = (p: Provider, error: string | null = null): Result => ({ id: p.id, ok: !error, skipped: true, identity: null, mode: null, warnings: [], error });

export const failed = (id: ProviderId, error: string): Result => ({ id, ok: false, identity: null, mode: null, warnings: [], error });

/** One provider's check, a user error as a failed result (message and hint on one line). */
export async function verifyOne(p: Provider, values: Record<string, string>, project: ProjectInfo, signal?: AbortSignal): Promise<{ result: Result; verified?: Verified }> {
  try {
    const verified = await runVerify(p, values, project, signal);
    return { result: passed(p, verified), verified };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { result: failed(p.id, err.message + (err.hint ? ` — ${err.hint}` : '')) };
  }
}

/** Every provider checked at once; `skip` (--skip-verify) checks none. Results keep the providers' order. */
export async function verifyAll(
  providers: Provider[],
  values: Record<string, string>,
  project: ProjectInfo,
  skip: boolean,
): Promise<{ result: Result; verified?: Verified }[]> {
  return allLastFirst(providers, (p) => (skip ? Promise.resolve({ result: skipped(p) }) : verifyOne(p, values, project)));
}

/**
 * Every provider's task at once, started last-first: the catalog ends with the providers whose clients are
 * heaviest to load (the AWS and Stripe SDKs take 50-185 ms of CPU), so their loading overlaps the others'
 * network waits instead of delaying them. Results keep the catalog order.
 */
export function allLastFirst<T>(providers: readonly Provider[], task: (p: Provider) => Promise<T>): Promise<T[]> {
  const started = new Map([...providers].reverse().map((p) => [p, task(p)] as const));
  return Promise.all(providers.map((p) => started.get(p)!));
}

export function report(out: Out, p: Provider, r: Result): void {
  if (r.skipped) out.line(`- ${p.title}: not checked (--skip-verify)`);
  else if (r.ok) out.ok(`${p.title}: ${r.identity}`);
  else out.fail(`${p.title}: ${r.error}`);
  for (const w of r.warnings) out.warn(`${p.title}: ${w}`);
}

export function printJson(ok: boolean, providers: Result[], files: Pick<FileChange, 'path' | 'action'>[] | { path: string; action: string }[], migrations?: MigrationReport, audit?: object, sqlite?: object): void {
  process.stdout.write(
    `${JSON.stringify({ ok, providers, files: files.map((f) => ({ path: f.path, action: f.action })), ...(migrations ? { migrations } : {}), ...(audit ? { audit } : {}), ...(sqlite ? { sqlite } : {}) }, null, 2)}\n`,
  );
}
