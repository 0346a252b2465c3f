// `create-prod-ready rotate [KEY|provider|rotation …] [--finish]`: replaces credentials without ever losing
// a working one. Each rotation goes: make the new → check it live → write .env atomically → push it to the
// linked Render services → revoke the old. Every step is recorded in prod-ready.json (ids, never values),
// so a run that stops (a failure, Ctrl+C, a killed process) is finished by running `rotate` again: what an
// interrupted run made and never wrote is removed, and a rotation that got further resumes where it stopped.
import { createHash } from 'node:crypto';
import { configuredIds, CATALOG } from '../../providers/catalog.ts';
import { loadProviders } from '../../providers/index.ts';
import { apply } from '../core/apply.ts';
import { Cancelled, UsageError, UserError } from '../core/errors.ts';
import { addBeside, dotenvValues, mergeDotenv, parseDotenv, removeKeys } from '../core/files/dotenv.ts';
import { MEMORY_FILE, memoryFor, parseMemory, renderMemory, type Memory, type RotationState } from '../core/files/memory.ts';
import { redact } from '../core/mask.ts';
import { crashPoint } from '../core/crash.ts';
import { withProjectLock } from '../core/lock.ts';
import { detectProject, type ProjectInfo } from '../core/project.ts';
import type { Provider, Rotation, Values } from '../core/provider.ts';
import { check } from '../core/resolve.ts';
import { detectContract } from '../core/contract.ts';
import { isPlaceholder } from '../core/placeholder.ts';
import { mapNames, type NameMap } from '../core/env-names.ts';
import { envFileHere, gitView, readEnvFiles, type EnvFileName } from '../core/env-file.ts';
import { readManagedFiles, readProjectFile } from '../core/snapshot.ts';
import { mergedValues, monorepoEnvFiles } from './monorepo-step.ts';
import { ioFor, runVerify, secretValues } from '../core/verify.ts';
import { plainOut } from '../ui/plain.ts';
import { plainSay, wizardSay, type Say } from '../ui/say.ts';

export interface RotateFlags {
  cwd: string;
  interactive: boolean;
  dryRun: boolean;
  json: boolean;
  targets: string[];
  finish: boolean;
  version: string;
}

interface Ctx {
  flags: RotateFlags;
  project: ProjectInfo;
  providers: Provider[];
  say: Say;
  /** The file the secrets are in (.env, or .env.local for a framework that loads it), and each key's names in the app. */
  envFile: EnvFileName;
  names: NameMap;
  /** A monorepo: every app's env file (a new value goes to each file that holds the key); `envFile` is unused. */
  monoFiles?: string[];
}

interface Outcome {
  id: string;
  ok: boolean;
  /** What was done, one line per step. */
  done: string[];
  /** Left for later (an old credential kept until the app runs on the new one). */
  pending: string | null;
  error: string | null;
}


export function rotate(flags: RotateFlags): Promise<number> {
  // In a monorepo set up by this tool, the rotation works at the root across every app's env file.
  const mono = monorepoEnvFiles(flags.cwd);
  const f = mono ? { ...flags, cwd: mono.root } : flags;
  return withProjectLock(f.cwd, 'rotate', f.dryRun, () => rotateLocked(f, mono?.files.map((x) => x.file), mono?.serviceKeys));
}

async function rotateLocked(flags: RotateFlags, monoFiles: string[] | undefined, serviceKeys?: Record<string, string[]>): Promise<number> {
  const project = { ...detectProject(flags.cwd), ...(serviceKeys ? { serviceKeys } : {}) };
  const files = readManagedFiles(flags.cwd);
  if (monoFiles ? !readTexts(flags.cwd, monoFiles).length : files['.env'] === undefined && files['.env.local'] === undefined)
    throw new UsageError(`no ${monoFiles ? monoFiles.join(' or ') : '.env'} in this folder: there is nothing to rotate`, 'run create-prod-ready first (or create-prod-ready join in a teammate\'s clone)');
  const memory = parseMemory(files[MEMORY_FILE]);
  const dotenv = monoFiles ? textValues(readTexts(flags.cwd, monoFiles)) : readEnvFiles(files);
  const ids = CATALOG.map((c) => c.id).filter((id) => memory?.providers.includes(id) || configuredIds(dotenv, {}).includes(id));
  const providers = await loadProviders(ids);
  const git = await gitView(flags.cwd);
  const envFile = envFileHere(project, files, git);
  const names = mapNames(providers, monoFiles ? undefined : detectContract(flags.cwd));
  const all = providers.flatMap((p) => (p.rotations ?? []).map((r) => ({ p, r })));
  const pendingIds = Object.keys(memory?.rotations ?? {});

  // A revoke that waits for a person is never confirmed without one: plain output answers no.
  const ctx: Ctx = { flags, project, providers, envFile, names, monoFiles, say: flags.interactive ? await wizardSay(false) : plainSay(plainOut(flags.json ? process.stderr : process.stdout), false) };
  if (flags.interactive) (await import('../ui/prompter.ts')).ui.intro(`create-prod-ready rotate`);

  let chosen: typeof all;
  if (flags.targets.length) {
    chosen = [];
    for (const t of flags.targets) {
      const hit = all.filter(({ p, r }) => r.id === t || p.id === t || r.keys.includes(t));
      if (!hit.length)
        throw new UsageError(`nothing to rotate named ${t}`, `rotatable here: ${all.map(({ r }) => `${r.id} (${r.keys.join(', ')})`).join(', ') || 'nothing (no provider with a rotatable credential is configured)'}`);
      for (const h of hit) if (!chosen.includes(h)) chosen.push(h);
    }
  } else if (flags.interactive) {
    const { ui } = await import('../ui/prompter.ts');
    const picked = await ui.multiselect<string>({
      message: 'What do you want to rotate?',
      options: all.map(({ r }) => ({ value: r.id, label: r.title, hint: `${r.keys.join(', ')}${pendingIds.includes(r.id) ? ' · unfinished' : ''}${r.kind === 'guided' ? ' · guided' : ''}` })),
      initial: pendingIds,
    });
    chosen = all.filter(({ r }) => picked.includes(r.id));
  } else {
    // Without prompts and without targets: finish what an earlier run left unfinished, nothing more.
    chosen = all.filter(({ r }) => pendingIds.includes(r.id));
    if (!chosen.length)
      throw new UsageError('name what to rotate', `e.g. create-prod-ready rotate JWT_SECRET --yes; rotatable here: ${all.map(({ r }) => r.id).join(', ') || 'nothing'}`);
  }
  if (flags.finish) chosen = chosen.filter(({ r }) => memory?.rotations?.[r.id]?.step === 'pushed');

  const outcomes: Outcome[] = [];
  for (const { p, r } of chosen) {
    const o: Outcome = { id: r.id, ok: true, done: [], pending: null, error: null };
    outcomes.push(o);
    try {
      await rotateOne(ctx, p, r, o);
    } catch (err) {
      if (err instanceof Cancelled || err instanceof UsageError || !(err instanceof UserError)) throw err;
      o.ok = false;
      o.error = err.message + (err.hint ? ` — ${err.hint}` : '');
      ctx.say.warn(`${r.title}: ${o.error}`);
      break; // one at a time: the next rotation waits until this one is settled
    }
  }
  const ok = outcomes.every((o) => o.ok);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ok, dryRun: flags.dryRun, rotations: outcomes }, null, 2)}\n`);
  if (flags.interactive) {
    const { ui } = await import('../ui/prompter.ts');
    if (!outcomes.length) ui.outro('Nothing to rotate.');
    else ui.outro(ok ? (outcomes.some((o) => o.pending) ? 'Rotated; an old credential is kept until you finish (see above).' : 'Rotated.') : 'Stopped: .env holds a working credential (see above).');
  }
  return ok ? 0 : 1;
}

/** The current .env values and prod-ready.json, read fresh before each write (nothing else is held across steps). */
function current(ctx: Ctx): { texts: { path: string; text: string }[]; values: Record<string, string>; memory: Memory } {
  const files = readManagedFiles(ctx.flags.cwd);
  const texts = ctx.monoFiles ? readTexts(ctx.flags.cwd, ctx.monoFiles) : [{ path: ctx.envFile, text: files[ctx.envFile] ?? '' }];
  // the providers read their own keys: a value under the app's name is theirs too
  const raw = ctx.monoFiles ? textValues(texts) : readEnvFiles(files);
  const values = { ...raw };
  for (const e of ctx.providers.flatMap((p) => p.env)) {
    const name = ctx.names.in(e.key).find((n) => !isPlaceholder(raw[n]));
    if (name) values[e.key] = raw[name]!;
  }
  const memory = parseMemory(files[MEMORY_FILE]) ?? memoryFor(ctx.providers, values, ctx.project.framework, undefined);
  return { texts, values, memory };
}

/** The env files that exist, with their text. */
function readTexts(cwd: string, paths: string[]): { path: string; text: string }[] {
  return paths.flatMap((path) => {
    const text = readProjectFile(cwd, path);
    return text === undefined ? [] : [{ path, text }];
  });
}

const textValues = (texts: { path: string; text: string }[]) => mergedValues(texts.map((t) => ({ file: t.path, example: '', text: t.text })));

const pendingKey = (key: string) => `PROD_READY_PENDING_${key}`;

/**
 * One atomic write of .env (new values; `remove`d keys dropped) and prod-ready.json (the rotation's state),
 * .env first.
 */
function save(
  ctx: Ctx,
  p: Provider,
  id: string,
  state: RotationState | null,
  fresh: Record<string, string> = {},
  resources: Record<string, string> = {},
  remove: string[] = [],
  beside: Record<string, string> = {},
): void {
  const { texts, memory } = current(ctx);
  const rotations = { ...memory.rotations };
  if (state) rotations[id] = state;
  else delete rotations[id];
  const nextMemory = renderMemory({ ...memory, resources: { ...memory.resources, ...resources }, rotations }, readManagedFiles(ctx.flags.cwd)[MEMORY_FILE]);
  const changes = [];
  const touched = [...Object.keys(fresh), ...remove, ...Object.keys(beside)];
  // A monorepo: every file that holds one of the keys gets the new values (one answer per key across the
  // apps); none holds them: the first file does. A single app: its secrets file.
  const holding = texts.filter((t) => touched.some((k) => k in dotenvValues(parseDotenv(t.text))));
  const targets = !ctx.monoFiles ? texts : holding.length ? holding : texts.slice(0, 1);
  for (const { path, text } of touched.length ? targets : []) {
    // written under the names the app reads
    const vars = Object.entries(fresh).flatMap(([key, value]) => ctx.names.out(key).map((name) => ({ key: name, value })));
    let env = mergeDotenv(text, [{ title: p.title, vars }], new Set(vars.map((v) => v.key)));
    if (remove.length) env = removeKeys(env, new Set(remove.flatMap((k) => [k, ...ctx.names.out(k)])));
    // pending values go right below the key they replace, so removing them leaves .env as it was
    env = addBeside(env, Object.entries(beside).map(([key, value]) => ({ after: ctx.names.out(key)[0]!, key: pendingKey(key), value })));
    changes.push({ path, action: 'update' as const, after: env, mode: 0o600 });
  }
  changes.push({ path: MEMORY_FILE, action: 'update' as const, after: nextMemory });
  apply(ctx.flags.cwd, changes);
}

async function rotateOne(ctx: Ctx, p: Provider, r: Rotation, o: Outcome): Promise<void> {
  const { flags, project, say } = ctx;
  const io = (signal: AbortSignal) => ioFor(p, project, signal);
  const now = current(ctx);
  let values = now.values;
  const memory = now.memory;
  let state = memory.rotations?.[r.id];
  // Rotation-only credentials (never written; asked only once a step needs them), and the ids
  // prod-ready.json remembers (e.g. which webhook endpoint STRIPE_WEBHOOK_SECRET belongs to), with the
  // .env values for every call to the provider.
  let extra: Record<string, string> | undefined;
  const withExtra = async (v: Values) => {
    extra ??= await asked(ctx, p, r, values);
    return { ...memory.resources, ...v, ...extra };
  };
  // .env already has a value other than the one the rotation started from: the run stopped between
  // writing .env and recording it, so the rotation is past "written", not to be cleaned up.
  if (state?.step === 'started' && state.from && state.from !== fingerprint(r, values)) {
    state = { ...state, step: 'written' };
    save(ctx, p, r.id, state);
  }
  const produced: string[] = [];
  const askedSecrets = () => (r.asks ?? []).filter((a) => a.secret !== false && extra?.[a.key]).map((a) => extra![a.key]!);
  const secrets = () => [...secretValues(ctx.providers, values), ...askedSecrets(), ...produced];
  const step = async <T>(title: string, task: (signal: AbortSignal) => Promise<T>, done: (x: T) => string): Promise<T> => {
    try {
      const x = await say.step(title, task, done);
      o.done.push(done(x));
      return x;
    } catch (err) {
      if (err instanceof Cancelled || err instanceof UsageError) throw err;
      const msg = err instanceof UserError ? err.message : (err as Error).message?.split('\n')[0] ?? String(err);
      throw new UserError(redact(msg, secrets()), err instanceof UserError && err.hint ? redact(err.hint, secrets()) : undefined);
    }
  };

  if (flags.dryRun) {
    const steps = [
      state ? `resume from "${state.step}"` : '',
      r.kind === 'guided' ? `you make a new ${r.title} in the dashboard and paste it` : `create a new ${r.title} at ${p.title}`,
      'check it live',
      `write ${rotatedKeys(r, values).join(', ')} to .env`,
      'push to the linked Render services',
      r.kind === 'guided' ? 'remind you to revoke the old one' : r.revoke ? `revoke the old one${r.confirmRevoke ? ' once you confirm the app runs on the new one' : ''}` : '',
    ].filter(Boolean);
    say.note(steps.map((s, i) => `${i + 1}. ${s}`).join('\n'), `${r.title} (dry run: nothing is changed)`);
    o.done.push(...steps);
    return;
  }

  // An interrupted in-place rotation with a pending value: whichever works is kept.
  const pendingKeys = r.prepare ? r.keys.map(pendingKey) : [];
  /** Which of the two works, the pending value or the old one? The one that does is what .env keeps. */
  const settlePending = async (started: string): Promise<RotationState | undefined> => {
    const now = current(ctx).values;
    const pending = Object.fromEntries(r.keys.filter((k) => now[pendingKey(k)]).map((k) => [k, now[pendingKey(k)]!]));
    const changed = Object.keys(pending).length > 0 && (await runVerify(p, { ...now, ...pending }, project).then(() => true, () => false));
    const settled: RotationState | undefined = changed ? { step: 'written', started } : undefined;
    save(ctx, p, r.id, settled ?? null, changed ? pending : {}, {}, pendingKeys);
    values = current(ctx).values;
    return settled;
  };
  if (r.prepare && state?.step === 'started') {
    state = await settlePending(state.started);
    const line = state ? `the interrupted rotation had changed the ${r.title}: .env now has the new one` : `the interrupted rotation had not changed the ${r.title}: started over`;
    say.info(line);
    o.done.push(line);
  }
  // An interrupted run that never wrote .env: remove what it made (found by its tag), then start over.
  if (state?.step === 'started') {
    const tag = state.started;
    if (r.cleanup) await step(`Removing what the interrupted rotation of ${r.title} made`, async (s) => r.cleanup!(await withExtra(values), io(s), tag), (lines) => (lines.length ? lines.join('; ') : 'nothing was left behind'));
    save(ctx, p, r.id, null);
    state = undefined;
  }

  let old = state?.old;
  if (!state) {
    const tag = new Date().toISOString();
    // Guided: the new value is pasted before anything is recorded (nothing exists at the provider yet).
    const pastedValues = r.kind === 'guided' ? await pasted(ctx, p, r, values) : undefined;
    const prepared = r.prepare?.(values);
    if (r.kind === 'auto') await withExtra(values); // a missing rotation-only credential stops the run before anything is recorded
    save(ctx, p, r.id, { step: 'started', started: tag, from: fingerprint(r, values) }, {}, {}, [], prepared);
    crashPoint('started');
    let fresh: { values: Record<string, string>; old?: Record<string, string>; new?: Record<string, string>; resources?: Record<string, string> };
    if (pastedValues) fresh = { values: pastedValues };
    else
      try {
        fresh = await step(`Creating a new ${r.title}`, async (s) => r.create!(await withExtra(values), io(s), tag, prepared), () => `created a new ${r.title}`);
      } catch (err) {
        // The change may or may not have reached the provider: keep whichever value works.
        if (r.prepare && !(err instanceof Cancelled)) {
          const settled = await settlePending(tag);
          if (settled) throw new UserError(`${(err as Error).message}; the new ${r.title} was set all the same and .env has it`, `run create-prod-ready rotate ${r.id} again to push and finish`);
          throw new UserError(`${(err as Error).message}; the ${r.title} was not changed and .env still has the old one`);
        }
        throw err;
      }
    produced.push(...secretValues([p], fresh.values));
    crashPoint('created');
    const written = { ...fresh.values, ...r.alongside?.(values, fresh.values) };
    const next: RotationState = { step: 'written', started: tag, from: fingerprint(r, values), ...(fresh.old ? { old: fresh.old } : {}), ...(fresh.new ? { new: fresh.new } : {}) };
    // In place (the old one already stopped working): .env gets the new value before anything else can fail.
    if (r.inPlace) save(ctx, p, r.id, next, written, fresh.resources, pendingKeys);
    try {
      const v = await step(`Checking the new ${r.title}`, (s) => runVerify(p, { ...values, ...fresh.values }, project, s), (x) => `the new ${r.title} works: ${x.identity}`);
      for (const w of v.warnings) say.warn(`${r.title}: ${w}`);
      // A pasted key must be of the same kind as the one it replaces (a live key never silently replaces a test key).
      if (r.kind === 'guided') {
        const before = await runVerify(p, values, project).catch(() => undefined);
        if (before?.mode && v.mode && before.mode !== v.mode)
          throw new UserError(`the new ${r.title} is ${v.mode}, the current one is ${before.mode}: paste one of the same mode`, 'nothing was changed');
      }
    } catch (err) {
      if (err instanceof Cancelled || r.inPlace) throw err;
      // The new one is useless: remove it; .env and the old credential were never touched. If it cannot
      // be removed, the state stays "started" so the next run's cleanup finds it by its tag.
      const removed = !(fresh.new && r.revoke) || (await r.revoke(await withExtra({ ...values, ...fresh.values }), io(AbortSignal.timeout(30_000)), fresh.new).then(() => true, () => false));
      if (removed) save(ctx, p, r.id, null);
      throw new UserError(`the new ${r.title} failed its check (${(err as Error).message}); .env still has the old one, which was not changed`);
    }
    if (!r.inPlace) save(ctx, p, r.id, next, written, fresh.resources);
    o.done.push(`.env: ${Object.keys(written).join(', ')} written`);
    crashPoint('written');
    state = next;
    old = fresh.old;
    values = current(ctx).values;
  }

  if (state.step === 'written') {
    const rotated = rotatedKeys(r, values);
    // The provider that pushes to the host (Render), by its capability; its rule is the wizard's push:
    // never its own key, never what render.yaml wires itself.
    const host = ctx.providers.find((x) => x.push);
    const keys = host ? rotated.filter((k) => host.push!.keys(values).includes(k)) : rotated;
    const notPushed = (why: string) => {
      say.info(`Not pushed to Render (${r.title}): ${why}`);
      o.done.push(`not pushed: ${why}`);
    };
    if (!keys.length) notPushed(`${rotated.join(', ')} ${rotated.length > 1 ? 'are' : 'is'} never pushed to Render (kept in .env, or set by render.yaml itself)`);
    else if (host && host.push!.linked(values)) {
      try {
        await step(`Pushing the new values to the linked ${host.title} services`, (s) => host.push!.toLinked(values, keys, ioFor(host, project, s)), (lines) => (lines.length ? lines.join('; ') : 'no linked service'));
      } catch (err) {
        if (err instanceof Cancelled) throw err;
        throw new UserError(`${(err as Error).message}; .env has the new ${r.title} (checked)${r.inPlace ? '' : ' and the old one still works'}`, `run create-prod-ready rotate ${r.id} again to push and finish`);
      }
    } else notPushed('no Render service linked (RENDER_SERVICES)');
    state = { ...state, step: 'pushed' };
    save(ctx, p, r.id, state);
    crashPoint('pushed');
  }

  // Revoke the old credential.
  if (r.kind === 'guided' || !r.revoke || !old) {
    if (r.revokeHint) {
      say.info(`${r.title}: ${r.revokeHint}`);
      o.done.push(r.revokeHint);
    }
    save(ctx, p, r.id, null);
    return;
  }
  if (r.confirmRevoke && !flags.finish) {
    // without prompts the answer is no: revoking waits for a person, or for --finish
    if (!(await say.confirm(r.confirmRevoke))) {
      o.pending = `the old ${r.title} is kept until the app runs on the new one: then run create-prod-ready rotate --finish`;
      say.warn(`${r.title}: ${o.pending}`);
      return;
    }
  }
  const oldIds = old;
  try {
    await step(`Revoking the old ${r.title}`, async (s) => r.revoke!(await withExtra(values), io(s), oldIds), (line) => line);
  } catch (err) {
    if (err instanceof Cancelled) throw err;
    throw new UserError(`${(err as Error).message}; the new ${r.title} is in .env and pushed, the old one still exists`, 'run create-prod-ready rotate --finish to revoke it');
  }
  save(ctx, p, r.id, null);
  crashPoint('revoked');
}

/** The .env keys a rotation writes: its own, and those that go with them (JWT_SECRET_PREVIOUS). */
const rotatedKeys = (r: Rotation, values: Values) => [...r.keys, ...Object.keys(r.alongside?.(values, {}) ?? {})];

/** A short SHA-256 of the values a rotation replaces: tells "still the old value" from "already the new one" without storing either. */
function fingerprint(r: Rotation, values: Values): string {
  return createHash('sha256').update(r.keys.map((k) => values[k] ?? '').join('\0')).digest('hex').slice(0, 16);
}

/** The rotation-only credentials (Rotation.asks): a masked prompt, or the environment without prompts. */
async function asked(ctx: Ctx, p: Provider, r: Rotation, values: Values): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const fromEnv = (r.asks ?? []).every((a) => process.env[a.key]?.trim());
  if (!fromEnv && r.asks?.length && r.asksNeeded) {
    // An error (the provider unreachable) counts as "needed": asking is never wrong, skipping may be.
    const needed = await r.asksNeeded(values, ioFor(p, ctx.project, AbortSignal.timeout(15_000))).catch(() => true);
    if (!needed) return out;
  }
  for (const a of r.asks ?? []) {
    const fromEnv = process.env[a.key]?.trim();
    if (fromEnv) out[a.key] = fromEnv;
    else if (ctx.say.password) out[a.key] = await ctx.say.password(`${a.key}: ${a.description} (used for this rotation only, never written)`, a.where, (v) => (v.trim() ? undefined : `${a.key} is needed to rotate ${r.title}`));
    else throw new UsageError(`rotating ${r.title} needs ${a.key} in the environment (${a.description}; used for this rotation only, never written)`, a.where);
  }
  return out;
}

/** A guided rotation: the person makes the new value in the dashboard; it comes from a prompt or, without prompts, the environment. */
async function pasted(ctx: Ctx, p: Provider, r: Rotation, values: Values): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  ctx.say.note((r.guide ?? []).map((s, i) => `${i + 1}. ${s}`).join('\n'), `New ${r.title}`);
  for (const key of r.keys) {
    const e = p.env.find((x) => x.key === key)!;
    const validate = (v: string) => {
      const c = check(e, v);
      if (!c.ok) return c.message;
      return c.value === values[key] ? `that is the current ${key}: make a new one first` : undefined;
    };
    let value: string;
    if (ctx.say.password) value = await ctx.say.password(`New ${key}`, e.where, validate);
    else {
      value = process.env[key]?.trim() ?? '';
      if (!value) throw new UsageError(`rotating ${r.title} without prompts needs the new value in the environment: ${key}=… create-prod-ready rotate ${r.id} --yes`);
      const problem = validate(value);
      if (problem) throw new UsageError(problem);
    }
    const c = check(e, value);
    out[key] = c.ok ? c.value : value;
  }
  return out;
}

