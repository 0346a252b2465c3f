// `create-prod-ready check`: live-check every provider configured in .env, all at once.
// Exit 0 when every check passes, 1 otherwise. `--json` for CI.
import { CATALOG, configuredIds } from '../../providers/catalog.ts';
import { loadProviders } from '../../providers/index.ts';
import { UsageError } from '../core/errors.ts';
import { dotenvProblems, dotenvValues, parseDotenv } from '../core/files/dotenv.ts';
import { detectProject, type ProjectInfo } from '../core/project.ts';
import { outside } from '../core/resolve.ts';
import { readManagedFiles } from '../core/snapshot.ts';
import { plainOut, type Out } from '../ui/plain.ts';
import { failed, passed, printJson, report, verifyAll, type Result } from '../core/pipeline/results.ts';
import { audit, missingFromDotenv, modeGroups, type AuditResult } from '../core/audits.ts';
import { mergedValues, monorepoEnvFiles, type EnvFile } from './monorepo-step.ts';
import type { Provider, ProviderId } from '../core/provider.ts';
import { detectContract, EXAMPLE_FILES } from '../core/contract.ts';
import { isPlaceholder } from '../core/placeholder.ts';
import { mapNames, unionNames, withPushNames } from '../core/env-names.ts';
import { ENV_FILES, envFileHere, gitView, readEnvFiles } from '../core/env-file.ts';
import { MEMORY_FILE, parseMemory } from '../core/files/memory.ts';

export async function checkCommand(flags: { cwd: string; json: boolean; providers?: ProviderId[]; version: string }): Promise<number> {
  const started = performance.now();
  const out = plainOut(flags.json ? process.stderr : process.stdout);
  // In a monorepo set up by this tool, every app's env file is checked (from the root, found upward).
  const mono = monorepoEnvFiles(flags.cwd);
  const cwd = mono?.root ?? flags.cwd;
  let project = mono ? { ...detectProject(cwd), cwd, serviceKeys: mono.serviceKeys } : detectProject(flags.cwd);
  const files = readManagedFiles(cwd);
  // a single app: .env then .env.local (which wins), as the frameworks that load it read them
  const envFiles: EnvFile[] = (
    mono?.files ?? ENV_FILES.map((file) => ({ file, example: '.env.example', text: files[file], exampleText: files['.env.example'] }))
  ).filter((f) => f.text !== undefined);
  if (!envFiles.length)
    throw new UsageError(mono ? `no env file in the apps yet (${mono.files.map((f) => f.file).join(', ')}): run \`npx create-prod-ready\` first` : 'no .env here: run `npx create-prod-ready` first', `looked in ${cwd}`);
  for (const f of envFiles) {
    const { duplicates, invalidLines, unclosedQuotes } = dotenvProblems(parseDotenv(f.text!));
    const name = f.file;
    if (duplicates.length) out.warn(`${name} defines ${duplicates.join(', ')} more than once (the last one wins)`);
    if (invalidLines.length) out.warn(`${name} line${invalidLines.length > 1 ? 's' : ''} ${invalidLines.join(', ')} define${invalidLines.length > 1 ? '' : 's'} nothing`);
    for (const q of unclosedQuotes) out.warn(`${name} line ${q.line} (${q.key}) opens a quote that is not closed at the end of the value: the quote is read as part of the value`);
  }
  const dotenv: Record<string, string> = mono ? mergedValues(envFiles) : readEnvFiles(files);
  // the secrets file (a single app: .env, or .env.local beside a committed .env); in a monorepo, the apps' files
  const envFile = mono ? envFiles.map((f) => f.file).join(', ') : envFileHere(project, files, await gitView(cwd));
  // the app's own env names (a single app; in a monorepo each app's keys are in its .env.example)
  const contract = mono ? undefined : detectContract(cwd);

  const remembered = (parseMemory(files[MEMORY_FILE])?.providers ?? []) as ProviderId[];
  const ids = flags.providers ?? CATALOG.map((c) => c.id).filter((id) => configuredIds(dotenv, {}).includes(id) || remembered.includes(id));
  if (!ids.length) throw new UsageError('.env configures none of the providers this tool knows', `keys it looks for: ${CATALOG.flatMap((c) => c.keys).join(', ')}`);
  const providers = await loadProviders(ids);
  // each app's names (a monorepo: a value is read under any app's name for it)
  const maps = mono ? mono.files.map((f) => mapNames(providers, f.contract)) : [mapNames(providers, contract)];
  const names = unionNames(maps);
  project = withPushNames(project, providers, maps); // Render is compared under the names the apps read

  // Format problems are failures of that provider; the others are still checked.
  const values: Record<string, string> = {};
  const formatErrors = new Map<ProviderId, string>();
  for (const p of providers)
    for (const e of p.env) {
      const o = outside(e, process.env, dotenv, {}, names);
      if (!o) {
        if (!e.optional && !formatErrors.has(p.id)) formatErrors.set(p.id, `${names.out(e.key).join(' or ')} is missing from ${envFile}`);
        values[e.key] = '';
      } else if (o.ok) values[e.key] = o.value;
      else if (!formatErrors.has(p.id)) formatErrors.set(p.id, o.message);
    }
  const checkable = providers.filter((p) => !formatErrors.has(p.id));
  // The audit (git, tracked files) runs while the providers are checked.
  const secrets = providers.flatMap((p) =>
    p.env
      // local defaults (postgres://app:app@localhost…) are documented values, not leaks
      .filter((e) => e.secret)
      .flatMap((e) => names.out(e.key).map((key) => ({ key, value: dotenv[key] ?? '', local: e.localDefault?.(dotenv, project) })))
      .filter((s) => s.value && s.value !== s.local)
      .map(({ key, value }) => ({ key, value })),
  );
  const audited = audit(cwd, {
    example: mono ? undefined : files['.env.example'],
    dotenv,
    secrets,
    values: { ...dotenv, ...values },
    modes: modeGroups(providers),
    envFiles: mono ? envFiles.map((f) => f.file) : [envFile],
  });
  audited.catch(() => undefined);
  // Changes the wizard would make at a provider (a webhook endpoint, a CORS rule) are reported, not made.
  const verified = await verifyAll(checkable, { ...dotenv, ...values }, project, false);
  const results = providers.map((p) => {
    const i = checkable.indexOf(p);
    if (i < 0) return failed(p.id, formatErrors.get(p.id)!);
    const { result, verified: v } = verified[i]!;
    return v ? passed(p, v, (v.actions ?? []).map((a) => `not done yet: ${a.title} (the wizard does it)`)) : result;
  });
  out.line(`create-prod-ready ${flags.version} check · ${providers.length} provider${providers.length > 1 ? 's' : ''}`);
  for (const r of results) report(out, providers.find((p) => p.id === r.id)!, r);
  const pending = await pendingPrisma(project, providers, results, { ...dotenv, ...values }, out);
  const optional = new Set(providers.flatMap((p) => p.env.filter((e) => e.optional).map((e) => e.key)));
  const a = await audited;
  // keys this tool declares optional (JWT_SECRET_PREVIOUS, STRIPE_WEBHOOK_PATH…) may be left empty, and so
  // may keys the app reads with a fallback; the app's required keys that are empty fail
  // (a monorepo's apps: each app's file is checked against its own .env.example below)
  const appKeys = (mono ? [] : names.unknown).filter((u) => isPlaceholder(dotenv[u.key]) && isPlaceholder(process.env[u.key]));
  const appKeysEmpty = appKeys.filter((u) => u.required).map((u) => u.key);
  // optional: read with a fallback in the sources (a key only listed in .env.example stays a failure when empty)
  const appOptional = new Set(appKeys.filter((u) => !u.required && contract?.keys[u.key]!.seen.some((f) => !EXAMPLE_FILES.includes(f))).map((u) => u.key));
  a.missing = a.missing.filter((k) => !optional.has(k) && !appOptional.has(k) && !appKeysEmpty.includes(k));
  for (const k of appOptional) out.warn(`${k} (read by the app, optional) is empty`);
  const findings = auditLines(a, envFile);
  if (appKeysEmpty.length) findings.push(`the app requires ${appKeysEmpty.join(', ')} (read in ${contract?.keys[appKeysEmpty[0]!]!.seen[0]}${appKeysEmpty.length > 1 ? '…' : ''}), empty in ${envFile} and the environment`);
  // a monorepo: each app's file against its own example
  if (mono)
    for (const f of envFiles) {
      const lacking = f.exampleText === undefined ? [] : missingFromDotenv(f.exampleText, dotenvValues(parseDotenv(f.text!))).filter((k) => !optional.has(k));
      if (lacking.length) findings.unshift(`${f.file} lacks ${lacking.join(', ')}, listed in ${f.example} (run npx create-prod-ready to fill them in)`);
    }
  for (const f of findings) out.fail(f);
  const ok = results.every((r) => r.ok) && !findings.length;
  out.line(`${ok ? 'All checks passed' : 'Some checks failed'} in ${Math.round(performance.now() - started)} ms.`);
  if (flags.json) printJson(ok, results, [], undefined, { ...a, appKeysEmpty, findings, ...(pending ? { pendingMigrations: pending } : {}) });
  return ok ? 0 : 1;
}

/**
 * A Prisma project: migrations in its folder that the checked database has not run (read from Prisma's
 * own _prisma_migrations). Reported, not failed: applying them is `join`'s (or the deploy's) job.
 */
async function pendingPrisma(project: ProjectInfo, providers: Provider[], results: Result[], values: Record<string, string>, out: Out): Promise<string[] | undefined> {
  const postgres = providers.find((p) => p.database);
  const url = postgres && values[postgres.database!.urlKey];
  if (project.migrations.tool !== 'prisma' || !postgres || !url || !results.find((r) => r.id === postgres.id)?.ok) return undefined;
  const { pendingMigrations, upCommand } = await import('../core/migrate.ts');
  const { ioFor } = await import('../core/verify.ts');
  const setup = project.migrations;
  try {
    const pending = await pendingMigrations({ project, setup, url, io: ioFor(postgres, project, AbortSignal.timeout(15_000)), db: postgres.database! });
    const apply = setup.script ? project.commands.run(setup.script) : setup.deploy ?? upCommand({ project, setup }).join(' ');
    if (pending.length)
      out.warn(`PostgreSQL: ${pending.length} Prisma migration${pending.length > 1 ? 's' : ''} not applied to DATABASE_URL yet: ${pending.map((p) => p.name).join(', ')} (apply with npx create-prod-ready join, or ${apply})`);
    else out.ok(`PostgreSQL: every Prisma migration in ${setup.dir}/ is applied`);
    return pending.map((p) => p.name);
  } catch (e) {
    out.warn(`PostgreSQL: could not read which Prisma migrations ran: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

/** One line per audit finding; every finding fails `check` (it is a CI gate). Values are never shown. */
function auditLines(a: AuditResult, envFile: string): string[] {
  const lines: string[] = [];
  if (a.missing.length) lines.push(`${envFile} lacks ${a.missing.join(', ')}, listed in .env.example (run npx create-prod-ready to fill them in)`);
  lines.push(...a.modeMix);
  for (const f of a.trackedEnvFiles)
    lines.push(`${f} is tracked by git: its secrets are in the repository history (git rm --cached ${f}, then rotate every secret in it: npx create-prod-ready rotate)`);
  const byFile = new Map<string, string[]>();
  for (const l of a.leaks) byFile.set(l.file, [...(byFile.get(l.file) ?? []), l.key]);
  for (const [file, keys] of byFile) lines.push(`${file} (tracked by git) contains the value of ${keys.join(', ')} from .env: remove it, then rotate ${keys.length > 1 ? 'them' : 'it'}`);
  return lines;
}
