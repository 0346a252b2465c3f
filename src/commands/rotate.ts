// `create-prod-ready rotate [KEY|provider|rotation …] [--finish]`: replaces credentials without ever losing
// a working one. This command picks the rotations (targets, a picker, or what an earlier run left
// unfinished) and owns the files they write; src/core/rotation.ts runs each one, step by step.
import { configuredIds, CATALOG } from '../../providers/catalog.ts';
import { loadProviders } from '../../providers/index.ts';
import { apply } from '../core/apply.ts';
import { Cancelled, UsageError, UserError } from '../core/errors.ts';
import { addBeside, dotenvValues, mergeDotenv, parseDotenv, removeKeys } from '../core/files/dotenv.ts';
import { MEMORY_FILE, memoryFor, parseMemory, renderMemory, type Memory } from '../core/files/memory.ts';
import { withProjectLock } from '../core/lock.ts';
import { detectProject, type ProjectInfo } from '../core/project.ts';
import type { Provider } from '../core/provider.ts';
import { pendingKey, rotateOne, type RotationOutcome, type RotationStore } from '../core/rotation.ts';
import { detectContract } from '../core/contract.ts';
import { isPlaceholder } from '../core/placeholder.ts';
import { mapNames, unionNames, withPushNames, type NameMap } from '../core/env-names.ts';
import { envFileHere, gitView, readEnvFiles, type EnvFileName } from '../core/env-file.ts';
import { readManagedFiles, readProjectFile } from '../core/snapshot.ts';
import { mergedValues, monorepoEnvFiles, type EnvFile } from './monorepo-step.ts';
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
  /**
   * A monorepo: every app's env file and the names its app reads (a new value goes to each file that holds the
   * key under one of them, under that app's names); `envFile` is unused and `names` covers every app.
   */
  monoFiles?: { path: string; names: NameMap }[];
}

interface Outcome extends RotationOutcome {
  id: string;
  ok: boolean;
  error: string | null;
}


export function rotate(flags: RotateFlags): Promise<number> {
  // In a monorepo set up by this tool, the rotation works at the root across every app's env file.
  const mono = monorepoEnvFiles(flags.cwd);
  const f = mono ? { ...flags, cwd: mono.root } : flags;
  return withProjectLock(f.cwd, 'rotate', f.dryRun, () => rotateLocked(f, mono?.files, mono?.serviceKeys));
}

async function rotateLocked(flags: RotateFlags, mono: EnvFile[] | undefined, serviceKeys?: Record<string, string[]>): Promise<number> {
  const project = { ...detectProject(flags.cwd), ...(serviceKeys ? { serviceKeys } : {}) };
  const files = readManagedFiles(flags.cwd);
  // a monorepo's env files were read just now by monorepoEnvFiles: their texts are used, not read again
  if (mono ? mono.every((m) => m.text === undefined) : files['.env'] === undefined && files['.env.local'] === undefined)
    throw new UsageError(`no ${mono ? mono.map((m) => m.file).join(' or ') : '.env'} in this folder: there is nothing to rotate`, 'run create-prod-ready first (or create-prod-ready join in a teammate\'s clone)');
  const memory = parseMemory(files[MEMORY_FILE]);
  const dotenv = mono ? mergedValues(mono) : readEnvFiles(files);
  const ids = CATALOG.map((c) => c.id).filter((id) => memory?.providers.includes(id) || configuredIds(dotenv, {}).includes(id));
  const providers = await loadProviders(ids);
  const git = await gitView(flags.cwd);
  const envFile = envFileHere(project, files, git);
  // each app's names (a monorepo: per app file; a value is read under any of them)
  const maps = mono ? mono.map((m) => mapNames(providers, m.contract)) : [mapNames(providers, detectContract(flags.cwd))];
  const names = unionNames(maps);
  const monoFiles = mono?.map((m, i) => ({ path: m.file, names: maps[i]! }));
  const all = providers.flatMap((p) => (p.rotations ?? []).map((r) => ({ p, r })));
  const pendingIds = Object.keys(memory?.rotations ?? {});

  // A revoke that waits for a person is never confirmed without one: plain output answers no.
  // a push sends the new value under the app's names
  const ctx: Ctx = { flags, project: withPushNames(project, providers, maps), providers, envFile, names, monoFiles, say: flags.interactive ? await wizardSay(false) : plainSay(plainOut(flags.json ? process.stderr : process.stdout), false) };
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
      await rotateOne({ p, r, providers, project: ctx.project, say: ctx.say, store: storeFor(ctx, p, r.id), finish: flags.finish }, o, flags.dryRun);
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
function current(ctx: Ctx): { texts: { path: string; text: string }[]; values: Record<string, string>; memory: Memory; memoryText: string | undefined } {
  const files = readManagedFiles(ctx.flags.cwd);
  const texts = ctx.monoFiles ? readTexts(ctx.flags.cwd, ctx.monoFiles.map((f) => f.path)) : [{ path: ctx.envFile, text: files[ctx.envFile] ?? '' }];
  // the providers read their own keys: a value under the app's name is theirs too
  const raw = ctx.monoFiles ? mergedValues(texts.map((t) => ({ file: t.path, example: '', text: t.text }))) : readEnvFiles(files);
  const values = { ...raw };
  for (const e of ctx.providers.flatMap((p) => p.env)) {
    const name = ctx.names.in(e.key).find((n) => !isPlaceholder(raw[n]));
    if (name) values[e.key] = raw[name]!;
  }
  const memory = parseMemory(files[MEMORY_FILE]) ?? memoryFor(ctx.providers, values, ctx.project.framework, undefined);
  return { texts, values, memory, memoryText: files[MEMORY_FILE] };
}

/** The env files that exist, with their text. */
function readTexts(cwd: string, paths: string[]): { path: string; text: string }[] {
  return paths.flatMap((path) => {
    const text = readProjectFile(cwd, path);
    return text === undefined ? [] : [{ path, text }];
  });
}

/**
 * The rotation's store: .env (or every app's env file in a monorepo) and prod-ready.json, read fresh before
 * each write; one atomic write of both, .env first.
 */
function storeFor(ctx: Ctx, p: Provider, id: string): RotationStore {
  return {
    read: () => {
      const { values, memory } = current(ctx);
      return { values, memory };
    },
    save: (state, { fresh = {}, resources = {}, remove = [], beside = {} } = {}) => {
      const { texts, memory, memoryText } = current(ctx);
      const rotations = { ...memory.rotations };
      if (state) rotations[id] = state;
      else delete rotations[id];
      const nextMemory = renderMemory({ ...memory, resources: { ...memory.resources, ...resources }, rotations }, memoryText);
      const changes = [];
      const touched = [...Object.keys(fresh), ...remove, ...Object.keys(beside)];
      // A monorepo: every file that holds one of the keys (under a name its app reads) gets the new values (one
      // answer per key across the apps); none holds them: the first file does. A single app: its secrets file.
      const namesIn = (path: string) => ctx.monoFiles?.find((f) => f.path === path)?.names ?? ctx.names;
      const holding = texts.filter((t) => touched.some((k) => namesIn(t.path).in(k).some((n) => n in dotenvValues(parseDotenv(t.text)))));
      const targets = !ctx.monoFiles ? texts : holding.length ? holding : texts.slice(0, 1);
      for (const { path, text } of touched.length ? targets : []) {
        // written under the names this file's app reads
        const names = namesIn(path);
        const vars = Object.entries(fresh).flatMap(([key, value]) => names.out(key).map((name) => ({ key: name, value })));
        let env = mergeDotenv(text, [{ title: p.title, vars }], new Set(vars.map((v) => v.key)));
        if (remove.length) env = removeKeys(env, new Set(remove.flatMap((k) => [k, ...names.out(k)])));
        // pending values go right below the key they replace, so removing them leaves .env as it was
        env = addBeside(env, Object.entries(beside).map(([key, value]) => ({ after: names.out(key)[0]!, key: pendingKey(key), value })));
        changes.push({ path, action: 'update' as const, after: env, mode: 0o600 });
      }
      changes.push({ path: MEMORY_FILE, action: 'update' as const, after: nextMemory });
      apply(ctx.flags.cwd, changes);
    },
  };
}
