// The resolve stage: every key's value from the environment, the env files, prod-ready.json, a generated
// secret or a local default (one lookup, core/resolve.ts), what is left to ask a person, and the values
// that follow others (defaults made from PORT, derived keys, what an action produced).
import { check, made, outside, resolveAll, sourceLabel, type Source } from '../resolve.ts';
import type { EnvVar, Provider } from '../provider.ts';
import { known, type Answers, type Ctx } from './state.ts';

/** Keys a person may give: not generated, not derived, not produced by an action. */
export const askable = (e: EnvVar) => !e.generate && !e.derive && e.prompt !== false;

/** Without a person: every value from somewhere, or exit 2 naming what is missing (core/resolve.ts). */
export const resolveBatch = (ctx: Ctx): Answers => resolveAll(ctx.providers, process.env, ctx.dotenv, ctx.project, ctx.memory?.settings, ctx.names, ctx.origin);

export function setValue(a: Answers, e: EnvVar, value: string, source: Source): Answers {
  const c = check(e, value);
  return { ...a, values: { ...a.values, [e.key]: c.ok ? c.value : value }, source: { ...a.source, [e.key]: source } };
}

/**
 * With a person: everything of one provider the run has without asking. Returns the answers, what is left
 * to ask (the values only the user knows), and a line for each outside value that fails its check.
 */
export function settle(ctx: Ctx, answers: Answers, p: Provider): { answers: Answers; ask: EnvVar[]; invalid: string[] } {
  let a = answers;
  const ask: EnvVar[] = [];
  const invalid: string[] = [];
  for (const e of p.env) {
    if (e.derive) continue;
    const o = outside(e, process.env, ctx.dotenv, ctx.memory?.settings, ctx.names);
    if (o?.ok) {
      a = { values: { ...a.values, [e.key]: o.value }, source: { ...a.source, [e.key]: o.source }, foundAs: { ...a.foundAs, [e.key]: o.name } };
      continue;
    }
    if (o && askable(e)) {
      invalid.push(`${o.message} (in ${sourceLabel(o.source, ctx.origin[o.name])}): asked again`);
      ask.push(e);
      continue;
    }
    if (e.generate) {
      a = setValue(a, e, made(e, a.values, ctx.project)!.value, 'generated');
      continue;
    }
    if (e.prompt === false) continue;
    const def = made(e, a.values, ctx.project)?.value;
    if (def !== undefined && check(e, def).ok) a = setValue(a, e, def, 'default');
    else if (e.optional && e.emptyMeans !== undefined) a = { ...a, values: { ...a.values, [e.key]: '' }, source: { ...a.source, [e.key]: 'default' } };
    else ask.push(e);
  }
  return { answers: a, ask, invalid };
}

/** Defaults follow what they are made from (APP_URL from PORT) after a value changes; derived values too. */
export function refresh(ctx: Ctx, answers: Answers): Answers {
  let a = answers;
  for (const e of ctx.providers.flatMap((p) => p.env)) {
    if (a.source[e.key] !== 'default' || !e.localDefault) continue;
    const d = e.localDefault(a.values, ctx.project);
    if (d !== undefined && check(e, d).ok) a = setValue(a, e, d, 'default');
  }
  return derive(ctx, a);
}

export function derive(ctx: Ctx, answers: Answers): Answers {
  let a = answers;
  for (const e of ctx.providers.flatMap((p) => p.env)) {
    if (!e.derive) continue;
    const d = e.derive(known(ctx, a), ctx.project);
    if (d !== undefined) a = { ...a, values: { ...a.values, [e.key]: d }, source: { ...a.source, [e.key]: 'default' } };
  }
  return a;
}

/** Values an action produced (e.g. a webhook secret) replace what the env file had. */
export function take(answers: Answers, produced: Record<string, string> | undefined): Answers {
  const entries = Object.entries(produced ?? {});
  return {
    ...answers,
    values: { ...answers.values, ...Object.fromEntries(entries) },
    source: { ...answers.source, ...Object.fromEntries(entries.map(([k]) => [k, 'action' as Source])) },
  };
}

const SHOWN_SOURCE: Partial<Record<Source, string>> = { env: 'from the environment', memory: 'from prod-ready.json', default: 'default', prompt: 'entered' };

/** Where a value came from, as the settings summary says it: an env file by its name (.env.local, apps/web/.env). */
export function shownSource(ctx: Ctx, a: Answers, key: string): string | undefined {
  const source = a.source[key];
  if (source === 'dotenv') return `from ${sourceLabel(source, ctx.origin[a.foundAs[key]!])}`;
  return source && SHOWN_SOURCE[source];
}
