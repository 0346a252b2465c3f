// Local services: a value left at its local default (DATABASE_URL → the docker-compose `postgres`) points
// at a service that may not run yet. Which ones nothing listens on, whether Docker can start them, and
// `docker compose up -d --wait <services>` once the person (or --start-services) agreed. The compose file
// itself is written by apply(), from the plan, before this runs.
import { connect } from 'node:net';
import type { Plan } from '../core/plan.ts';
import type { ProjectInfo } from '../core/project.ts';
import type { Provider } from '../core/provider.ts';
import { UserError } from '../core/errors.ts';

export interface LocalService {
  /** The docker-compose service (postgres, redis). */
  name: string;
  provider: Provider;
  /** The key holding the local default (DATABASE_URL). */
  key: string;
  host: string;
  port: number;
}

const COMPOSE_UP = 'docker compose up -d ';

/** The providers' "docker compose up -d X" next steps: what each starts, and the other steps. */
export function composeServices(steps: string[]): { services: string[]; rest: string[] } {
  return { services: steps.filter((s) => s.startsWith(COMPOSE_UP)).map((s) => s.slice(COMPOSE_UP.length)), rest: steps.filter((s) => !s.startsWith(COMPOSE_UP)) };
}

/**
 * The compose services the values point at (a provider's "docker compose up -d X" next step, which it
 * gives only while its value is the local default), with the host and port of that default.
 */
export function localServices(providers: Provider[], thePlan: Plan, values: Record<string, string>, project: ProjectInfo): LocalService[] {
  const found: LocalService[] = [];
  providers.forEach((provider, i) => {
    const names = composeServices(thePlan.contributions[i]?.nextSteps ?? []).services.flatMap((s) => s.split(' '));
    if (!names.length) return;
    const e = provider.env.find((v) => v.localDefault && values[v.key] !== undefined && values[v.key] === v.localDefault(values, project));
    if (!e) return;
    let url: URL;
    try {
      url = new URL(values[e.key]!);
    } catch {
      return;
    }
    const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
    if (!port) return;
    for (const name of names) found.push({ name, provider, key: e.key, host: url.hostname.replace(/^\[|\]$/g, ''), port });
  });
  return found;
}

const DEFAULT_PORTS: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'redis:': 6379 };

/** Does something accept TCP connections there? (A refused or silent port within 700 ms: no.) */
export function listening(host: string, port: number, timeoutMs = 700): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The local services nothing listens on. */
export async function notRunning(services: LocalService[]): Promise<LocalService[]> {
  const up = await Promise.all(services.map((s) => listening(s.host, s.port)));
  return services.filter((_, i) => !up[i]);
}

export const names = (services: LocalService[]) => [...new Set(services.map((s) => s.name))];
export const composeCommand = (services: LocalService[]) => `docker compose up -d --wait ${names(services).join(' ')}`;
/** "postgres (localhost:5432), redis (localhost:6379)" */
export const where = (services: LocalService[]) => services.map((s) => `${s.name} (${s.host}:${s.port})`).join(', ');

const lastLine = (s: unknown) =>
  String(s ?? '')
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? '';

/** Whether `docker` can start containers here: ok, or one line saying why not. */
export async function dockerState(cwd: string, signal?: AbortSignal): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { exec, CommandNotFound, CommandTimedOut } = await import('../core/exec.ts');
  try {
    const r = await exec('docker', ['version', '--format', '{{.Server.Version}}'], { cwd, signal, timeoutMs: 15_000 });
    if (r.code === 0) return { ok: true };
    const why = lastLine(r.stderr);
    return { ok: false, reason: `Docker's daemon is not running${why ? ` (${why})` : ''}` };
  } catch (err) {
    if (err instanceof CommandNotFound) return { ok: false, reason: 'Docker is not installed (no `docker` command on PATH)' };
    if (err instanceof CommandTimedOut) return { ok: false, reason: 'Docker does not answer (`docker version` took more than 15 s)' };
    throw err;
  }
}

/** `docker compose up -d --wait <services>` in the project; a failure is a UserError with docker's last line. */
export async function composeUp(cwd: string, services: LocalService[], signal?: AbortSignal): Promise<void> {
  const { exec, CommandNotFound, CommandTimedOut } = await import('../core/exec.ts');
  try {
    const r = await exec('docker', ['compose', 'up', '-d', '--wait', ...names(services)], { cwd, signal, timeoutMs: 300_000 });
    if (r.code !== 0) throw new UserError(`${composeCommand(services)} failed: ${lastLine(r.stderr) || lastLine(r.output) || `exit ${r.code}`}`);
  } catch (err) {
    if (err instanceof CommandNotFound || err instanceof CommandTimedOut) throw new UserError(`${composeCommand(services)} failed: ${err.message}`);
    throw err;
  }
}
