// One rotation (`create-prod-ready rotate`), one function per step: recover what an interrupted run left →
// make the new credential (auto: the provider's API; guided: pasted; in-place: the provider changes the same
// one) → check it live → write .env → push to the linked services → revoke the old one. Each step records
// its state through the store (prod-ready.json, ids and fingerprints only) before the next one starts, so a
// run that stops anywhere is finished by running it again, and .env always holds a working credential.
// The command (src/commands/rotate.ts) picks the rotations and owns the files; nothing here knows a provider.
import { createHash } from 'node:crypto';
import { Cancelled, UsageError, UserError } from './errors.ts';
import type { Memory, RotationState } from './files/memory.ts';
import { crashPoint } from './crash.ts';
import { redact } from './mask.ts';
import type { ProjectInfo } from './project.ts';
import type { Created, Io, Provider, Rotation, Values } from './provider.ts';
import { check } from './resolve.ts';
import { ioFor, runVerify, secretValues } from './verify.ts';
import type { Say } from '../ui/say.ts';

/** One write of a rotation: the new values, keys removed, pending values beside the keys they replace, resources. */
export interface Change {
  fresh?: Record<string, string>;
  resources?: Record<string, string>;
  remove?: string[];
  beside?: Record<string, string>;
}

/** Where a rotation's values and state live (.env and prod-ready.json), read fresh at every call. */
export interface RotationStore {
  read(): { values: Record<string, string>; memory: Memory };
  /** One atomic write: .env (`change`) first, then the rotation's state (null: nothing left to do). */
  save(state: RotationState | null, change?: Change): void;
}

export interface RotationOutcome {
  /** What was done, one line per step. */
  done: string[];
  /** Left for later (an old credential kept until the app runs on the new one). */
  pending: string | null;
}

export interface RotationContext {
  p: Provider;
  r: Rotation;
  /** Every configured provider: their secrets are redacted from errors, and the one with `push` pushes. */
  providers: Provider[];
  project: ProjectInfo;
  say: Say;
  store: RotationStore;
  /** `rotate --finish`: revoke without asking again. */
  finish: boolean;
}

/** A rotation under way: its context, the values as they stand, and the secrets that must never be shown. */
interface Run extends RotationContext {
  o: RotationOutcome;
  values: Record<string, string>;
  /** prod-ready.json's resources (e.g. which webhook endpoint STRIPE_WEBHOOK_SECRET belongs to), as the run started. */
  resources: Record<string, string>;
  /** The rotation-only credentials (`asks`), once a step needed them. */
  extra?: Record<string, string>;
  produced: string[];
}

export const pendingKey = (key: string) => `PROD_READY_PENDING_${key}`;

/** Runs one rotation from wherever prod-ready.json says it stopped; `dryRun` only lists the steps. */
export async function rotateOne(c: RotationContext, o: RotationOutcome, dryRun: boolean): Promise<void> {
  const { values, memory } = c.store.read();
  const run: Run = { ...c, o, values, resources: memory.resources ?? {}, produced: [] };
  let state = memory.rotations?.[c.r.id];
  if (dryRun) return describe(run, state);
  state = await recover(run, state);
  let old = state?.old;
  if (!state) {
    const made = await makeNew(run);
    await checkNew(run, made);
    state = writeNew(run, made);
    old = made.created.old;
  }
  if (state.step === 'written') state = await pushNew(run, state);
  await revokeOld(run, old);
}

/** --dry-run: the steps this rotation would take, changing nothing. */
function describe(run: Run, state: RotationState | undefined): void {
  const { p, r } = run;
  const steps = [
    state ? `resume from "${state.step}"` : '',
    r.kind === 'guided' ? `you make a new ${r.title} in the dashboard and paste it` : `create a new ${r.title} at ${p.title}`,
    'check it live',
    `write ${rotatedKeys(r, run.values).join(', ')} to .env`,
    'push to the linked Render services',
    r.kind === 'guided' ? 'remind you to revoke the old one' : r.kind === 'auto' && r.revoke ? `revoke the old one${r.confirmRevoke ? ' once you confirm the app runs on the new one' : ''}` : '',
  ].filter(Boolean);
  run.say.note(steps.map((s, i) => `${i + 1}. ${s}`).join('\n'), `${r.title} (dry run: nothing is changed)`);
  run.o.done.push(...steps);
}

/**
 * What an interrupted run left: .env already changed (past "written"); a pending in-place value (whichever
 * works is kept); or something made and never written (removed by its tag, then started over).
 */
async function recover(run: Run, state: RotationState | undefined): Promise<RotationState | undefined> {
  const { r } = run;
  // .env already has a value other than the one the rotation started from: the run stopped between
  // writing .env and recording it, so the rotation is past "written", not to be cleaned up.
  if (state?.step === 'started' && state.from && state.from !== fingerprint(r, run.values)) {
    state = { ...state, step: 'written' };
    run.store.save(state);
  }
  if (r.kind === 'in-place' && r.prepare && state?.step === 'started') {
    state = await settlePending(run, state.started);
    const line = state ? `the interrupted rotation had changed the ${r.title}: .env now has the new one` : `the interrupted rotation had not changed the ${r.title}: started over`;
    run.say.info(line);
    run.o.done.push(line);
  }
  if (state?.step === 'started') {
    const tag = state.started;
    if (r.kind === 'auto' && r.cleanup) {
      const cleanup = r.cleanup;
      await step(run, `Removing what the interrupted rotation of ${r.title} made`, async (s) => cleanup(await withExtra(run, run.values), io(run, s), tag), (lines) => (lines.length ? lines.join('; ') : 'nothing was left behind'));
    }
    run.store.save(null);
    state = undefined;
  }
  return state;
}

/** The keys an in-place rotation with `prepare` holds as PROD_READY_PENDING_<KEY> while it runs. */
const pendingKeys = (r: Rotation) => (r.kind === 'in-place' && r.prepare ? r.keys.map(pendingKey) : []);

/** Which of the two works, the pending value or the old one? The one that does is what .env keeps. */
async function settlePending(run: Run, started: string): Promise<RotationState | undefined> {
  const { p, r } = run;
  const now = run.store.read().values;
  const pending = Object.fromEntries(r.keys.filter((k) => now[pendingKey(k)]).map((k) => [k, now[pendingKey(k)]!]));
  const changed = Object.keys(pending).length > 0 && (await runVerify(p, { ...now, ...pending }, run.project).then(() => true, () => false));
  const settled: RotationState | undefined = changed ? { step: 'written', started } : undefined;
  run.store.save(settled ?? null, { fresh: changed ? pending : {}, remove: pendingKeys(r) });
  run.values = run.store.read().values;
  return settled;
}

interface Made {
  created: Created;
  /** What .env gets: the new values and what goes with them. */
  written: Record<string, string>;
  next: RotationState;
}

/** Records "started", then makes the new credential: by the provider's API (auto, in-place) or pasted (guided). */
async function makeNew(run: Run): Promise<Made> {
  const { p, r, values } = run;
  const tag = new Date().toISOString();
  // Guided: the new value is pasted before anything is recorded (nothing exists at the provider yet).
  const pastedValues = r.kind === 'guided' ? await paste(run) : undefined;
  const prepared = r.kind === 'in-place' ? r.prepare?.(values) : undefined;
  if (r.kind !== 'guided') await withExtra(run, values); // a missing rotation-only credential stops the run before anything is recorded
  run.store.save({ step: 'started', started: tag, from: fingerprint(r, values) }, { beside: prepared });
  crashPoint('started');
  let created: Created;
  if (pastedValues) created = { values: pastedValues };
  else
    try {
      const make = r.kind === 'auto' ? (v: Values, x: Io) => r.create(v, x, tag) : r.kind === 'in-place' ? (v: Values, x: Io) => r.rotate(v, x, prepared) : undefined;
      created = await step(run, `Creating a new ${r.title}`, async (s) => make!(await withExtra(run, values), io(run, s)), () => `created a new ${r.title}`);
    } catch (err) {
      // The change may or may not have reached the provider: keep whichever value works.
      if (prepared && !(err instanceof Cancelled)) {
        const settled = await settlePending(run, tag);
        if (settled) throw new UserError(`${(err as Error).message}; the new ${r.title} was set all the same and .env has it`, `run create-prod-ready rotate ${r.id} again to push and finish`);
        throw new UserError(`${(err as Error).message}; the ${r.title} was not changed and .env still has the old one`);
      }
      throw err;
    }
  run.produced.push(...secretValues([p], created.values));
  crashPoint('created');
  const written = { ...created.values, ...r.alongside?.(values, created.values) };
  const next: RotationState = { step: 'written', started: tag, from: fingerprint(r, values), ...(created.old ? { old: created.old } : {}), ...(created.new ? { new: created.new } : {}) };
  // In place (the old one already stopped working): .env gets the new value before anything else can fail.
  if (r.kind === 'in-place') run.store.save(next, { fresh: written, resources: created.resources, remove: pendingKeys(r) });
  return { created, written, next };
}

/**
 * The provider's own live check of the new values. A new credential that fails it is removed (auto), and
 * .env and the old credential were never touched; in place, .env already has it and the error says so.
 */
async function checkNew(run: Run, { created }: Made): Promise<void> {
  const { p, r, values, project, say } = run;
  try {
    const v = await step(run, `Checking the new ${r.title}`, (s) => runVerify(p, { ...values, ...created.values }, project, s), (x) => `the new ${r.title} works: ${x.identity}`);
    for (const w of v.warnings) say.warn(`${r.title}: ${w}`);
    // A pasted key must be of the same kind as the one it replaces (a live key never silently replaces a test key).
    if (r.kind === 'guided') {
      const before = await runVerify(p, values, project).catch(() => undefined);
      if (before?.mode && v.mode && before.mode !== v.mode)
        throw new UserError(`the new ${r.title} is ${v.mode}, the current one is ${before.mode}: paste one of the same mode`, 'nothing was changed');
    }
  } catch (err) {
    if (err instanceof Cancelled || r.kind === 'in-place') throw err;
    // The new one is useless: remove it. If it cannot be removed, the state stays "started" so the next
    // run's cleanup finds it by its tag.
    const removed =
      !(created.new && r.kind === 'auto' && r.revoke) ||
      (await r.revoke(await withExtra(run, { ...values, ...created.values }), io(run, AbortSignal.timeout(30_000)), created.new).then(() => true, () => false));
    if (removed) run.store.save(null);
    throw new UserError(`the new ${r.title} failed its check (${(err as Error).message}); .env still has the old one, which was not changed`);
  }
}

/** .env gets the checked values (in place it already has them) and the state "written". */
function writeNew(run: Run, { created, written, next }: Made): RotationState {
  if (run.r.kind !== 'in-place') run.store.save(next, { fresh: written, resources: created.resources });
  run.o.done.push(`.env: ${Object.keys(written).join(', ')} written`);
  crashPoint('written');
  run.values = run.store.read().values;
  return next;
}

/** Sends the new values to the linked services of the provider that pushes (Render), by its capability. */
async function pushNew(run: Run, state: RotationState): Promise<RotationState> {
  const { r, values, say } = run;
  const rotated = rotatedKeys(r, values);
  // Its rule is the wizard's push: never its own key, never what render.yaml wires itself.
  const host = run.providers.find((x) => x.push);
  const push = host?.push;
  const keys = push ? rotated.filter((k) => push.keys(values).includes(k)) : rotated;
  const notPushed = (why: string) => {
    say.info(`Not pushed to Render (${r.title}): ${why}`);
    run.o.done.push(`not pushed: ${why}`);
  };
  if (!keys.length) notPushed(`${rotated.join(', ')} ${rotated.length > 1 ? 'are' : 'is'} never pushed to Render (kept in .env, or set by render.yaml itself)`);
  else if (host && push?.linked(values)) {
    try {
      await step(run, `Pushing the new values to the linked ${host.title} services`, (s) => push.toLinked(values, keys, ioFor(host, run.project, s)), (lines) => (lines.length ? lines.join('; ') : 'no linked service'));
    } catch (err) {
      if (err instanceof Cancelled) throw err;
      throw new UserError(`${(err as Error).message}; .env has the new ${r.title} (checked)${r.kind === 'in-place' ? '' : ' and the old one still works'}`, `run create-prod-ready rotate ${r.id} again to push and finish`);
    }
  } else notPushed('no Render service linked (RENDER_SERVICES)');
  const pushed: RotationState = { ...state, step: 'pushed' };
  run.store.save(pushed);
  crashPoint('pushed');
  return pushed;
}

/**
 * Revokes the old credential (auto, with `revoke` and the old ids); otherwise says what happens to it. A
 * revoke that waits for a person (`confirmRevoke`) is kept for `rotate --finish` when the answer is no.
 */
async function revokeOld(run: Run, old: Record<string, string> | undefined): Promise<void> {
  const { r, say, o } = run;
  if (r.kind !== 'auto' || !r.revoke || !old) {
    if (r.revokeHint) {
      say.info(`${r.title}: ${r.revokeHint}`);
      o.done.push(r.revokeHint);
    }
    run.store.save(null);
    return;
  }
  if (r.confirmRevoke && !run.finish) {
    // without prompts the answer is no: revoking waits for a person, or for --finish
    if (!(await say.confirm(r.confirmRevoke))) {
      o.pending = `the old ${r.title} is kept until the app runs on the new one: then run create-prod-ready rotate --finish`;
      say.warn(`${r.title}: ${o.pending}`);
      return;
    }
  }
  const revoke = r.revoke;
  try {
    await step(run, `Revoking the old ${r.title}`, async (s) => revoke(await withExtra(run, run.values), io(run, s), old), (line) => line);
  } catch (err) {
    if (err instanceof Cancelled) throw err;
    throw new UserError(`${(err as Error).message}; the new ${r.title} is in .env and pushed, the old one still exists`, 'run create-prod-ready rotate --finish to revoke it');
  }
  run.store.save(null);
  crashPoint('revoked');
}

/** One visible step; its line goes to the outcome, and any error becomes one line with every secret redacted. */
async function step<T>(run: Run, title: string, task: (signal: AbortSignal) => Promise<T>, done: (x: T) => string): Promise<T> {
  try {
    const x = await run.say.step(title, task, done);
    run.o.done.push(done(x));
    return x;
  } catch (err) {
    if (err instanceof Cancelled || err instanceof UsageError) throw err;
    const secrets = [...secretValues(run.providers, run.values), ...askedSecrets(run), ...run.produced];
    const msg = err instanceof UserError ? err.message : (err as Error).message?.split('\n')[0] ?? String(err);
    throw new UserError(redact(msg, secrets), err instanceof UserError && err.hint ? redact(err.hint, secrets) : undefined);
  }
}

const io = (run: Run, signal: AbortSignal): Io => ioFor(run.p, run.project, signal);

const askedSecrets = ({ r, extra }: Run) => (r.kind === 'guided' ? [] : (r.asks ?? []).filter((a) => a.secret !== false && extra?.[a.key]).map((a) => extra![a.key]!));

/** The values for a call to the provider: prod-ready.json's ids, .env's values and the rotation-only credentials (asked once). */
async function withExtra(run: Run, v: Values): Promise<Values> {
  run.extra ??= await ask(run);
  return { ...run.resources, ...v, ...run.extra };
}

/** The .env keys a rotation writes: its own, and those that go with them (JWT_SECRET_PREVIOUS). */
const rotatedKeys = (r: Rotation, values: Values) => [...r.keys, ...Object.keys(r.alongside?.(values, {}) ?? {})];

/** A short SHA-256 of the values a rotation replaces: tells "still the old value" from "already the new one" without storing either. */
function fingerprint(r: Rotation, values: Values): string {
  return createHash('sha256').update(r.keys.map((k) => values[k] ?? '').join('\0')).digest('hex').slice(0, 16);
}

/** The rotation-only credentials (`asks`): a masked prompt, or the environment without prompts. */
async function ask(run: Run): Promise<Record<string, string>> {
  const { p, r, say } = run;
  const out: Record<string, string> = {};
  if (r.kind === 'guided' || !r.asks?.length) return out;
  const fromEnv = r.asks.every((a) => process.env[a.key]?.trim());
  if (!fromEnv && r.asksNeeded) {
    // An error (the provider unreachable) counts as "needed": asking is never wrong, skipping may be.
    const needed = await r.asksNeeded(run.values, ioFor(p, run.project, AbortSignal.timeout(15_000))).catch(() => true);
    if (!needed) return out;
  }
  for (const a of r.asks) {
    const fromEnv = process.env[a.key]?.trim();
    if (fromEnv) out[a.key] = fromEnv;
    else if (say.password) out[a.key] = await say.password(`${a.key}: ${a.description} (used for this rotation only, never written)`, a.where, (v) => (v.trim() ? undefined : `${a.key} is needed to rotate ${r.title}`));
    else throw new UsageError(`rotating ${r.title} needs ${a.key} in the environment (${a.description}; used for this rotation only, never written)`, a.where);
  }
  return out;
}

/** A guided rotation: the person makes the new value in the dashboard; it comes from a prompt or, without prompts, the environment. */
async function paste(run: Run): Promise<Record<string, string>> {
  const { p, r, say, values } = run;
  if (r.kind !== 'guided') return {};
  const out: Record<string, string> = {};
  say.note(r.guide.map((s, i) => `${i + 1}. ${s}`).join('\n'), `New ${r.title}`);
  for (const key of r.keys) {
    const e = p.env.find((x) => x.key === key)!;
    const validate = (v: string) => {
      const c = check(e, v);
      if (!c.ok) return c.message;
      return c.value === values[key] ? `that is the current ${key}: make a new one first` : undefined;
    };
    let value: string;
    if (say.password) value = await say.password(`New ${key}`, e.where, validate);
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
