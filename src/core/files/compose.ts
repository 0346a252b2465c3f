// docker-compose.yml: the local services (Postgres, Redis, …) that match the wizard's local defaults.
import type { Contribution } from '../provider.ts';
import type { ProjectInfo } from '../project.ts';
import { YAML_OPTIONS, type Templates } from '../templates.ts';
import { mergeMapKeys, parseYamlFile } from './yaml-merge.ts';

export interface ComposeModel {
  services: Record<string, Record<string, unknown>>;
  volumes: Record<string, Record<string, never>>;
}

export function composeModel(contributions: Contribution[]): ComposeModel {
  const services: ComposeModel['services'] = {};
  const volumes: ComposeModel['volumes'] = {};
  for (const c of contributions) {
    Object.assign(services, c.compose?.services);
    for (const v of c.compose?.volumes ?? []) volumes[v] = {};
  }
  return { services, volumes };
}

/** undefined when there is nothing to run locally and no file yet. */
export function renderCompose(existing: string | undefined, model: ComposeModel, t: Templates, name: string): string | undefined {
  if (existing === undefined) {
    if (!Object.keys(model.services).length) return undefined;
    return t.compose({ name, services: model.services, volumes: Object.keys(model.volumes).length ? model.volumes : undefined });
  }
  const doc = parseYamlFile('docker-compose.yml', existing);
  const a = mergeMapKeys(doc, 'services', model.services);
  const b = mergeMapKeys(doc, 'volumes', model.volumes);
  return a || b ? doc.toString(YAML_OPTIONS) : existing;
}

/** A service of the app's own compose file, with what a local default needs to reach it. */
export interface AppComposeService {
  name: string;
  image?: string;
  /** Recognised by its image. */
  kind?: 'postgres' | 'redis';
  /** Host ports it publishes (`5432:5432` → 5432). */
  hostPorts: number[];
  /** For a recognised service that publishes its port: the URL that reaches it from the host. */
  url?: string;
}

const POSTGRES_IMAGE = /(?:^|\/)(?:postgres|postgresql|postgis|timescaledb(?:-ha)?|pgvector|supabase\/postgres|cloudnative-pg\/postgresql)(?::|@|$)/;
const REDIS_IMAGE = /(?:^|\/)(?:redis|redis-stack(?:-server)?|valkey|keydb|dragonfly)(?::|@|$)/;
const CONTAINER_PORT = { postgres: 5432, redis: 6379 } as const;

/** `${VAR:-default}` → default; a plain `${VAR}` cannot be known here. */
const interpolated = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  const s = String(v);
  const m = /^\$\{[A-Za-z_]\w*(?::?-([^}]*))?\}$/.exec(s);
  return m ? m[1] : s.includes('${') ? undefined : s;
};

/** Published ports as [host, container] (short syntax with an optional IP, ranges' first port, long syntax). */
function publishedPorts(ports: unknown): [number, number][] {
  const out: [number, number][] = [];
  for (const p of Array.isArray(ports) ? ports : []) {
    if (p && typeof p === 'object') {
      const o = p as { published?: unknown; target?: unknown };
      const host = Number(interpolated(o.published));
      if (host) out.push([host, Number(o.target)]);
      continue;
    }
    const parts = String(p).replace(/\/(?:tcp|udp)$/, '').split(':');
    if (parts.length < 2) continue; // a container port only: published on a random host port
    const host = Number(interpolated(parts.at(-2))?.split('-')[0]);
    const container = Number(parts.at(-1)!.split('-')[0]);
    if (host) out.push([host, container]);
  }
  return out;
}

/** The services of the app's compose file; Postgres and Redis recognised by image, with the URL of each. */
export function appComposeServices(text: string): AppComposeService[] {
  let doc: { services?: Record<string, Record<string, unknown> | null> } | undefined;
  try {
    doc = parseYamlFile('compose file', text).toJS() as typeof doc;
  } catch {
    return []; // unreadable: nothing is reused, and nothing is merged into it either (plan says why)
  }
  return Object.entries(doc?.services ?? {}).map(([name, s]) => {
    const image = typeof s?.image === 'string' ? s.image : undefined;
    const kind = image && POSTGRES_IMAGE.test(image) ? 'postgres' : image && REDIS_IMAGE.test(image) ? 'redis' : undefined;
    const ports = publishedPorts(s?.ports);
    const svc: AppComposeService = { name, image, kind, hostPorts: ports.map(([h]) => h) };
    const host = kind && ports.find(([, c]) => c === CONTAINER_PORT[kind])?.[0];
    if (kind && host) svc.url = localUrl(kind, host, environment(s?.environment), s?.command);
    return svc;
  });
}

function environment(env: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(env))
    for (const e of env) {
      const [k, ...v] = String(e).split('=');
      if (k) out[k] = v.join('=');
    }
  else if (env && typeof env === 'object') for (const [k, v] of Object.entries(env)) out[k] = v === null ? '' : String(v);
  for (const k of Object.keys(out)) {
    const v = interpolated(out[k]);
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The URL a local default uses to reach a compose service from the host, with the image's credentials. */
function localUrl(kind: 'postgres' | 'redis', port: number, env: Record<string, string>, command: unknown): string {
  const enc = encodeURIComponent;
  if (kind === 'postgres') {
    const user = env.POSTGRES_USER || env.POSTGRESQL_USERNAME || env.POSTGRESQL_USER || 'postgres';
    const password = env.POSTGRES_PASSWORD ?? env.POSTGRESQL_PASSWORD ?? '';
    const db = env.POSTGRES_DB || env.POSTGRESQL_DATABASE || (env.POSTGRES_USER ? user : 'postgres');
    return `postgres://${enc(user)}${password ? `:${enc(password)}` : ''}@localhost:${port}/${enc(db)}`;
  }
  const cmd = Array.isArray(command) ? command.join(' ') : String(command ?? '');
  const password = /--requirepass\s+(\S+)/.exec(cmd)?.[1]?.replace(/^["']|["']$/g, '') ?? env.REDIS_PASSWORD ?? env.VALKEY_PASSWORD;
  return `redis://${password && !password.includes('$') ? `:${enc(password)}@` : ''}localhost:${port}`;
}

/**
 * Where the local default of Postgres or Redis points: the app's own compose service when it has one
 * (its port and credentials), else the service this tool adds, on the usual host port unless the app's
 * compose already publishes that port (then the next free one: never a port published twice).
 */
export function localService(project: ProjectInfo, kind: 'postgres' | 'redis', url: (port: number) => string): { url: string; service: string; reuse: boolean; hostPort: number } {
  const services = project.shape?.compose.services ?? [];
  const own = services.find((s) => s.kind === kind && s.url);
  if (own) return { url: own.url!, service: own.name, reuse: true, hostPort: own.hostPorts[0]! };
  const taken = new Set(services.flatMap((s) => s.hostPorts));
  let hostPort: number = CONTAINER_PORT[kind];
  while (taken.has(hostPort)) hostPort++;
  const names = new Set(services.map((s) => s.name));
  return { url: url(hostPort), service: names.has(kind) ? `${kind}-local` : kind, reuse: false, hostPort };
}

/** Host ports published by more than one service of a compose file (`docker compose up` would fail). */
export function hostPortClashes(text: string): number[] {
  const ports = appComposeServices(text).flatMap((s) => [...new Set(s.hostPorts)]);
  return [...new Set(ports.filter((p, i) => ports.indexOf(p) !== i))];
}
