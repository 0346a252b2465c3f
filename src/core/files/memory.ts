// prod-ready.json: the project's committed, non-secret memory. The providers chosen, the framework, the
// team-wide settings (EnvVar.shared: the Auth0 domain, the bucket and region, linked Render services),
// the ids of what was created at providers (the Stripe webhook endpoint), and the state of a rotation in
// progress (ids only). A teammate's run and a rotation start from it. Never a secret: only keys declared
// `shared` (never secret) and ids are written, and the schema (schemas/prod-ready.schema.json) says so.
import { FileError } from '../errors.ts';
import type { FrameworkId } from '../project.ts';
import type { Provider, ProviderId, Values } from '../provider.ts';

export const MEMORY_FILE = 'prod-ready.json';
export const MEMORY_SCHEMA_URL = 'https://unpkg.com/create-prod-ready/schemas/prod-ready.schema.json';

/** A rotation that has started and not finished (see src/commands/rotate.ts): ids and steps, never values. */
export interface RotationState {
  /** The last step recorded: started (the new credential may exist), written (.env has it), pushed (Render has it). */
  step: 'started' | 'written' | 'pushed';
  /** When it started (ISO 8601); also the tag of what it created (a B2 key name, Stripe metadata). */
  started: string;
  /** Ids of the old credential, to revoke once the new one is in use (e.g. a B2 key id, a webhook endpoint id). */
  old?: Record<string, string>;
  /** Ids of the new credential. */
  new?: Record<string, string>;
  /** A short SHA-256 of the values being replaced (not the values): shows whether .env still has them. */
  from?: string;
}

export interface Memory {
  $schema?: string;
  version: 1;
  framework: FrameworkId;
  providers: ProviderId[];
  /** Team-wide, non-secret settings by env key. */
  settings: Record<string, string>;
  /** Ids of what this tool created or linked at providers, e.g. "stripe.webhookEndpoint": "we_…". */
  resources: Record<string, string>;
  rotations?: Record<string, RotationState>;
  /** A monorepo's deployed apps: folder, kind, the env file written for it and its Render services. */
  apps?: MemoryApp[];
}

export interface MemoryApp {
  dir: string;
  name: string;
  kind: string;
  env: string;
  services: string[];
}

export function parseMemory(text: string | undefined): Memory | undefined {
  if (text === undefined) return undefined;
  let m: Partial<Memory>;
  try {
    m = JSON.parse(text) as Partial<Memory>;
  } catch (e) {
    throw new FileError(`${MEMORY_FILE} is not valid JSON (${(e as Error).message.split('\n')[0]})`, `fix it or delete it; it is rebuilt from your answers`);
  }
  if (!m || typeof m !== 'object' || m.version !== 1 || !Array.isArray(m.providers))
    throw new FileError(`${MEMORY_FILE} is not a create-prod-ready memory file (version 1 with a providers list)`, 'fix it or delete it; it is rebuilt from your answers');
  return { ...m, settings: m.settings ?? {}, resources: m.resources ?? {} } as Memory;
}

/** The memory after this run: the selected providers, their shared settings, earlier resources kept. */
export function memoryFor(providers: Provider[], values: Values, framework: FrameworkId, before: Memory | undefined, resources: Record<string, string> = {}): Memory {
  const settings: Record<string, string> = {};
  for (const p of providers) for (const e of p.env) if (e.shared && !e.secret && values[e.key]) settings[e.key] = values[e.key]!;
  const ids = new Set(providers.map((p) => p.id));
  // Providers chosen earlier and not this time stay listed: a run for one provider does not forget the others.
  const chosen = [...new Set([...(before?.providers ?? []), ...ids])];
  return {
    $schema: MEMORY_SCHEMA_URL,
    version: 1,
    framework,
    providers: chosen,
    settings: { ...before?.settings, ...settings },
    resources: { ...before?.resources, ...resources },
    ...(before?.rotations && Object.keys(before.rotations).length ? { rotations: before.rotations } : {}),
    ...(before?.apps?.length ? { apps: before.apps } : {}),
  };
}

/** Stable text: a fixed key order, sorted settings and resources, unknown top-level keys kept at the end. */
export function renderMemory(m: Memory, beforeText?: string): string {
  const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  const known = ['$schema', 'version', 'framework', 'providers', 'settings', 'resources', 'rotations', 'apps'];
  let extra: Record<string, unknown> = {};
  try {
    extra = Object.fromEntries(Object.entries(JSON.parse(beforeText ?? '{}') as Record<string, unknown>).filter(([k]) => !known.includes(k)));
  } catch {
    extra = {};
  }
  const out = { $schema: m.$schema ?? MEMORY_SCHEMA_URL, version: 1, framework: m.framework, providers: m.providers, settings: sorted(m.settings), resources: sorted(m.resources), ...(m.rotations && Object.keys(m.rotations).length ? { rotations: m.rotations } : {}), ...(m.apps?.length ? { apps: m.apps } : {}), ...extra };
  return `${JSON.stringify(out, null, 2)}\n`;
}
