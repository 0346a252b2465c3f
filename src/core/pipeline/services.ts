// Local services the defaults point at (DATABASE_URL → the compose `postgres`): which ones nothing listens
// on, and starting them (docker-compose.yml written through the plan first, then docker compose up).
import { Cancelled, UserError } from '../errors.ts';
import type { Provider } from '../provider.ts';
import type { Say } from '../../ui/say.ts';
import type { LocalService } from '../../commands/services.ts';
import { makePlan, writeCompose, type Run } from './plan.ts';
import { known } from './state.ts';

/** The services of `providers` (default: all) that the values point at and nothing listens on; none with --skip-verify. */
export async function servicesDown(run: Run, providers?: Provider[]): Promise<LocalService[]> {
  if (run.ctx.flags.skipVerify) return [];
  const svc = await import('../../commands/services.ts');
  const r = providers ? { ...run, ctx: { ...run.ctx, providers } } : run;
  return svc.notRunning(svc.localServices(r.ctx.providers, makePlan(r), known(run.ctx, run.answers), run.ctx.project));
}

/** Writes docker-compose.yml through the plan (the only writer), then `docker compose up -d --wait`; a failure is returned. */
export async function startServices(run: Run, services: LocalService[], say: Say): Promise<{ run: Run; written: string[]; error?: UserError }> {
  const svc = await import('../../commands/services.ts');
  const { run: next, written } = writeCompose(run);
  const names = svc.names(services);
  if (written.length) say.success(`Wrote ${written.join(', ')} (to start ${names.join(', ')})`);
  try {
    await say.step(`Starting ${names.join(', ')}: ${svc.composeCommand(services)}`, (signal) => svc.composeUp(run.ctx.flags.cwd, services, signal), () =>
      `Started ${names.join(', ')} with Docker (${svc.composeCommand(services)})`,
    );
  } catch (err) {
    if (!(err instanceof UserError) || err instanceof Cancelled) throw err;
    return { run: next, written, error: err };
  }
  return { run: { ...next, started: [...next.started, ...names] }, written };
}
