// Which name each provider value has in this app. Pure: the selected providers and the app's contract
// (src/core/contract.ts) in, a map out. A value is written under the names the app reads (its key or any of
// its declared aliases, or the name the Prisma datasource reads); when the app reads none of them, under the
// provider's own key. Every name stays accepted as input, the app's first.
import type { EnvContract } from './contract.ts';
import { isPlaceholder } from './placeholder.ts';
import type { EnvVar, Provider } from './provider.ts';

/** The browser forms of a key: NEXT_PUBLIC_X, VITE_X, PUBLIC_X, NUXT_PUBLIC_X. */
export const publicForms = (key: string): string[] => ['NEXT_PUBLIC_', 'VITE_', 'PUBLIC_', 'NUXT_PUBLIC_'].map((p) => `${p}${key}`);

export interface NameMap {
  /** The names a provider key is written under (at least one). */
  out(key: string): string[];
  /** The names a value is read from, in order: the app's, the key, then the other aliases. */
  in(key: string): string[];
  /** Keys the app reads that no selected provider knows, with whether the app requires them. */
  unknown: { key: string; required: boolean }[];
  /** Provider keys written under another name: "STRIPE_SECRET_KEY → STRIPE_API_KEY". */
  renamed: { key: string; names: string[] }[];
}

/** Every name a declaration may have in an app: its key, its aliases, and the datasource names for the database URL. */
export function allNames(e: Pick<EnvVar, 'key' | 'aliases' | 'datasource'>, contract?: Pick<EnvContract, 'datasource'>): string[] {
  return [...new Set([e.key, ...(e.aliases ?? []), ...(e.datasource ? (contract?.datasource ?? []) : [])])];
}

/** The identity map: every key under its own name (no contract read, e.g. a project without sources). */
export const SAME_NAMES: NameMap = { out: (k) => [k], in: (k) => [k], unknown: [], renamed: [] };

export function mapNames(providers: readonly Provider[], contract: EnvContract | undefined): NameMap {
  if (!contract) return SAME_NAMES;
  const reads = (n: string) => n in contract.keys;
  const outs = new Map<string, string[]>();
  const ins = new Map<string, string[]>();
  const known = new Set<string>();
  // A name the app reads belongs to the first declaration that lists it (catalog order), so two
  // providers never write the same name.
  const claimed = new Set<string>();
  for (const p of providers)
    for (const e of p.env) {
      const names = allNames(e, contract);
      for (const n of names) known.add(n);
      const app = names.filter((n) => reads(n) && !claimed.has(n));
      for (const n of app) claimed.add(n);
      const out = app.length ? app : [e.key];
      outs.set(e.key, out);
      ins.set(e.key, [...new Set([...out, ...names])]);
    }
  const renamed = [...outs].filter(([k, names]) => names.length !== 1 || names[0] !== k).map(([key, names]) => ({ key, names }));
  const unknown = Object.entries(contract.keys)
    .filter(([k]) => !known.has(k))
    .map(([key, v]) => ({ key, required: v.required }));
  return { out: (k) => outs.get(k) ?? [k], in: (k) => ins.get(k) ?? [k], unknown, renamed };
}

/**
 * Several apps' maps as one (a monorepo's, for reading and checking across its env files): a key is read from
 * and written under every app's names for it. Each app's own file still uses its own map.
 */
export function unionNames(maps: readonly NameMap[]): NameMap {
  if (maps.length === 1) return maps[0]!;
  const all = (f: (m: NameMap) => string[]) => [...new Set(maps.flatMap(f))];
  const unknown = new Map(maps.flatMap((m) => m.unknown.map((u) => [u.key, u] as const)));
  const renamed = new Map(maps.flatMap((m) => m.renamed.map((r) => [r.key, r.key] as const)));
  return {
    out: (k) => all((m) => m.out(k)),
    in: (k) => [...new Set([...all((m) => m.out(k)), ...all((m) => m.in(k))])], // the names the apps read first
    unknown: [...unknown.values()],
    renamed: [...renamed.keys()].map((key) => ({ key, names: all((m) => m.out(key)) })),
  };
}

/** The renamed provider keys of these name maps (one per app), every app's names together; none renamed: undefined. */
export function envNamesOf(providers: readonly Provider[], maps: readonly NameMap[]): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const p of providers)
    for (const e of p.env) {
      const names = [...new Set(maps.flatMap((m) => m.out(e.key)))];
      if (names.length !== 1 || names[0] !== e.key) out[e.key] = names;
    }
  return Object.keys(out).length ? out : undefined;
}

/** The project with the names a push to the host uses (ProjectInfo.envNames), from these name maps (one per app). */
export function withPushNames<P extends { envNames?: Record<string, string[]> }>(project: P, providers: readonly Provider[], maps: readonly NameMap[]): P {
  const { envNames: _, ...rest } = project;
  const envNames = envNamesOf(providers, maps);
  return (envNames ? { ...rest, envNames } : rest) as P;
}

/**
 * The values under the names the app reads (`envNamesOf`): a renamed key's value goes under each of its
 * names, and wins over an older copy already under that name; every other value stays as it is.
 */
export function underAppNames(values: Record<string, string>, envNames: Record<string, string[]> | undefined): Record<string, string> {
  if (!envNames) return values;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (!(k in envNames)) out[k] = v;
  for (const [k, v] of Object.entries(values)) if (k in envNames) for (const n of envNames[k]!) out[n] = v;
  return out;
}

/** One line per renamed key, for the plan: "STRIPE_SECRET_KEY → STRIPE_API_KEY (the app's name)". */
export function mappingLines(names: NameMap): string[] {
  return names.renamed.map((r) => `${r.key} → ${r.names.join(', ')} (the app's name${r.names.length > 1 ? 's' : ''})`);
}

/**
 * Env coverage: of the names the app reads that a provider knows (any provider of `all`), how many hold a
 * value (not a placeholder) under that very name in `values` (what the written env files hold).
 */
export function coverage(contract: EnvContract, all: readonly Provider[], values: Record<string, string>): { covered: string[]; missing: string[] } {
  const related = new Set(all.flatMap((p) => p.env.flatMap((e) => allNames(e, contract))));
  const keys = Object.keys(contract.keys).filter((k) => related.has(k));
  return { covered: keys.filter((k) => !isPlaceholder(values[k])), missing: keys.filter((k) => isPlaceholder(values[k])) };
}
