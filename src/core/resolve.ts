// Where values come from, highest first: the process environment (same names as the .env keys),
// the existing .env, then a prompt (interactive) or the local default (non-interactive).
// Generated values (JWT_SECRET) are made only when missing.
import { randomBytes } from 'node:crypto';
import { UsageError } from './errors.ts';
import type { ProjectInfo } from './project.ts';
import type { EnvVar, Provider } from './provider.ts';
import { isPlaceholder } from './placeholder.ts';
import { SAME_NAMES, type NameMap } from './env-names.ts';

export type Source = 'env' | 'dotenv' | 'memory' | 'default' | 'generated' | 'prompt' | 'action';

export interface Resolved {
  values: Record<string, string>;
  source: Record<string, Source>;
  /** The name a value from the environment or .env was found under (the app's, or another of its names). */
  foundAs: Record<string, string>;
}

/** The zod check of one value: the cleaned value, or the one-line reason it is rejected. */
export function check(e: EnvVar, raw: string): { ok: true; value: string } | { ok: false; message: string } {
  const r = e.schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const msg = r.error.issues[0]?.message ?? 'invalid value';
  return { ok: false, message: msg.startsWith(e.key) ? msg : `${e.key}: ${msg}` };
}

/**
 * A value from outside the run: the environment, then .env, then (for a team-wide setting) prod-ready.json.
 * Each is looked up under every name the key has in this app (`names`: the app's first), and a placeholder
 * (`your_…`, `changeme`, `sk_test_...`) counts as unset.
 */
export function fromOutside(
  e: EnvVar,
  env: NodeJS.ProcessEnv,
  dotenv: Record<string, string>,
  memory: Record<string, string> = {},
  names: NameMap = SAME_NAMES,
): { value: string; source: Source; name: string } | undefined {
  const all = names.in(e.key);
  for (const name of all) {
    const fromEnv = env[name];
    if (fromEnv !== undefined && !isPlaceholder(fromEnv)) return { value: fromEnv.trim(), source: 'env', name };
  }
  for (const name of all) {
    const fromFile = dotenv[name];
    if (fromFile !== undefined && !isPlaceholder(fromFile)) return { value: fromFile, source: 'dotenv', name };
  }
  const shared = e.shared && !e.secret ? memory[e.key] : undefined;
  if (shared) return { value: shared, source: 'memory', name: e.key };
  return undefined;
}

export const SOURCE_LABEL: Record<Source, string> = {
  env: 'the environment',
  dotenv: '.env',
  memory: 'prod-ready.json',
  default: 'the default',
  generated: 'generated',
  prompt: 'entered',
  action: 'made at the provider',
};

/** Where a value came from, naming the env file it was read from (`.env.local`, `apps/web/.env`) when known. */
export const sourceLabel = (source: Source, file?: string) => (source === 'dotenv' && file ? file : SOURCE_LABEL[source]);

/** An outside value (fromOutside) with its zod check: the cleaned value, or why it is rejected. */
export function outside(...args: Parameters<typeof fromOutside>): (({ ok: true; value: string } | { ok: false; message: string }) & { source: Source; name: string }) | undefined {
  const o = fromOutside(...args);
  return o && { ...check(args[0], o.value), source: o.source, name: o.name };
}

/** A value the run makes itself when none is given: a generated secret, else the local default. */
export function made(e: EnvVar, values: Record<string, string>, project: ProjectInfo): { value: string; source: Source } | undefined {
  if (e.generate) return { value: e.generate((n) => randomBytes(n)), source: 'generated' };
  const value = e.localDefault?.(values, project);
  return value === undefined ? undefined : { value, source: 'default' };
}

/** Non-interactive resolution: every required value must come from somewhere, or exit 2 naming all that are missing. */
export function resolveAll(
  providers: Provider[],
  env: NodeJS.ProcessEnv,
  dotenv: Record<string, string>,
  project: ProjectInfo,
  memory: Record<string, string> = {},
  names: NameMap = SAME_NAMES,
  origin: Record<string, string> = {},
): Resolved {
  const values: Record<string, string> = {};
  const source: Record<string, Source> = {};
  const foundAs: Record<string, string> = {};
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const p of providers)
    for (const e of p.env) {
      if (e.derive) {
        const d = e.derive({ ...dotenv, ...values }, project);
        if (d !== undefined) {
          values[e.key] = d;
          source[e.key] = 'default';
        }
        continue;
      }
      const o = outside(e, env, dotenv, memory, names);
      if (o) {
        source[e.key] = o.source;
        foundAs[e.key] = o.name;
        if (o.ok) values[e.key] = o.value;
        else invalid.push(`${o.message} (from ${sourceLabel(o.source, origin[o.name])})`);
        continue;
      }
      const m = made(e, values, project);
      if (!m) {
        if (e.optional) values[e.key] = '';
        else {
          const app = names.out(e.key).filter((n) => n !== e.key);
          missing.push(app.length ? `${app.join(', ')} (${e.key})` : e.key);
        }
        continue;
      }
      source[e.key] = m.source;
      const c = check(e, m.value);
      if (c.ok) values[e.key] = c.value;
      else invalid.push(`${c.message} (from ${SOURCE_LABEL[m.source]})`);
    }
  if (missing.length)
    throw new UsageError(
      `missing required value${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
      'set them in the environment or in .env, or run without --yes in a terminal to be asked',
    );
  if (invalid.length) throw new UsageError(invalid.length > 1 ? `invalid values:\n  ${invalid.join('\n  ')}` : invalid[0]!);
  return { values, source, foundAs };
}
