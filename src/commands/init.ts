// `create-prod-ready [init]`: pick providers → collect values → check them live → plan → preview →
// confirm → write. Nothing touches the disk before the confirmation; a cancel anywhere writes nothing.
import { randomBytes } from 'node:crypto';
import { styleText } from 'node:util';
import { BASE_PROVIDERS, configuredIds, initialSelection } from '../../providers/catalog.ts';
import { loadProviders } from '../../providers/index.ts';
import { apply } from '../core/apply.ts';
import { Cancelled, UserError, VerifyError } from '../core/errors.ts';
import { dotenvProblems, dotenvValues, parseDotenv } from '../core/files/dotenv.ts';
import { maskSecret } from '../core/mask.ts';
import { plan, type FileChange, type Plan } from '../core/plan.ts';
import { detectProject, type ProjectInfo } from '../core/project.ts';
import type { Provider, ProviderId, Verified } from '../core/provider.ts';
import { check, fromOutside, resolveAll, type Source } from '../core/resolve.ts';
import { readManagedFiles } from '../core/snapshot.ts';
import { loadTemplates } from '../core/templates.ts';
import { runVerify, secretValues } from '../core/verify.ts';
import type { Ui } from '../ui/prompter.ts';
import { colors, plainOut, type Out } from '../ui/plain.ts';
import { renderDiffs, summaryLine } from '../ui/preview.ts';
import { introTitle, PICK_MESSAGE, pickOptions, projectSummary } from '../ui/first-frame.ts';

export interface InitFlags {
  cwd: string;
  providers?: ProviderId[];
  interactive: boolean;
  dryRun: boolean;
  skipVerify: boolean;
  json: boolean;
  version: string;
  /** Lines of the first frame already drawn by the boot file (replaced by clack's). */
  painted?: number;
}

interface Result {
  id: ProviderId;
  ok: boolean;
  skipped?: boolean;
  identity: string | null;
  mode: string | null;
  warnings: string[];
  error: string | null;
}

export function publicKeys(providers: Provider[]): Set<string> {
  return new Set(providers.flatMap((p) => p.env.filter((e) => !e.secret).map((e) => e.key)));
}

export async function init(flags: InitFlags): Promise<number> {
  const project = detectProject(flags.cwd);
  const files = readManagedFiles(flags.cwd);
  const doc = parseDotenv(files['.env'] ?? '');
  const dotenv = dotenvValues(doc);
  const problems = dotenvProblems(doc);
  return flags.interactive ? interactive(flags, project, files, dotenv, problems) : batch(flags, project, files, dotenv, problems);
}

function problemLines(problems: ReturnType<typeof dotenvProblems>): string[] {
  const out: string[] = [];
  if (problems.duplicates.length) out.push(`.env defines ${problems.duplicates.join(', ')} more than once; the last one wins and all are kept`);
  if (problems.invalidLines.length) out.push(`.env line${problems.invalidLines.length > 1 ? 's' : ''} ${problems.invalidLines.join(', ')} define nothing and are kept as they are`);
  return out;
}

// ─── non-interactive: --yes, CI, no TTY ──────────────────────────────────────────────────────────

async function batch(
  flags: InitFlags,
  project: ProjectInfo,
  files: ReturnType<typeof readManagedFiles>,
  dotenv: Record<string, string>,
  problems: ReturnType<typeof dotenvProblems>,
): Promise<number> {
  const out = plainOut(flags.json ? process.stderr : process.stdout);
  const ids = flags.providers ?? [...new Set([...BASE_PROVIDERS, ...configuredIds(dotenv, process.env)])];
  const providers = await loadProviders(ids);
  out.line(`create-prod-ready ${flags.version} · ${projectSummary(project)}`);
  for (const p of problemLines(problems)) out.warn(p);
  const { values, source } = resolveAll(providers, process.env, dotenv, project);

  const results = await verifyAll(providers, values, project, flags.skipVerify);
  for (const r of results) report(out, providers.find((p) => p.id === r.id)!, r);
  const ok = results.every((r) => r.ok);
  if (!ok) {
    out.fail('Nothing was written: fix the failing check (or pass --skip-verify to write unverified values).');
    if (flags.json) printJson(false, results, []);
    return 1;
  }

  const overwrite = new Set(Object.keys(values).filter((k) => source[k] === 'env' && k in dotenv && dotenv[k] !== values[k]));
  const thePlan = plan({ project, providers, values, overwrite, files, templates: await loadTemplates() });
  const changed = thePlan.changes.filter((c) => c.action !== 'keep');
  for (const c of thePlan.changes) out.line(`  ${summaryLine(c)}`);

  if (flags.dryRun) {
    if (changed.length) out.line(`\n${await renderDiffs(changed, secretValues(providers, values), publicKeys(providers), colors)}`);
    out.line(changed.length ? '\nDry run: nothing was written.' : 'Nothing to change.');
    if (flags.json) printJson(true, results, thePlan.changes);
    return 0;
  }
  if (!changed.length) {
    out.ok('Nothing to change.');
    if (flags.json) printJson(true, results, thePlan.changes);
    return 0;
  }
  const written = apply(flags.cwd, thePlan.changes);
  out.ok(`Wrote ${written.join(', ')}`);
  for (const s of nextSteps(thePlan)) out.line(`  → ${s}`);
  if (flags.json) printJson(true, results, thePlan.changes);
  return 0;
}

export async function verifyAll(providers: Provider[], values: Record<string, string>, project: ProjectInfo, skip: boolean): Promise<Result[]> {
  return Promise.all(
    providers.map(async (p): Promise<Result> => {
      if (skip) return { id: p.id, ok: true, skipped: true, identity: null, mode: null, warnings: [], error: null };
      try {
        const v = await runVerify(p, values, project);
        return { id: p.id, ok: true, identity: v.identity, mode: v.mode ?? null, warnings: v.warnings, error: null };
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        return { id: p.id, ok: false, identity: null, mode: null, warnings: [], error: err.message + (err.hint ? ` — ${err.hint}` : '') };
      }
    }),
  );
}

export function report(out: Out, p: Provider, r: Result): void {
  if (r.skipped) out.line(`- ${p.title}: not checked (--skip-verify)`);
  else if (r.ok) out.ok(`${p.title}: ${r.identity}`);
  else out.fail(`${p.title}: ${r.error}`);
  for (const w of r.warnings) out.warn(`${p.title}: ${w}`);
}

export function printJson(ok: boolean, providers: Result[], files: FileChange[]): void {
  process.stdout.write(
    `${JSON.stringify({ ok, providers, files: files.map((f) => ({ path: f.path, action: f.action })) }, null, 2)}\n`,
  );
}

function nextSteps(thePlan: Plan): string[] {
  // One `docker compose up -d a b` for every local service that the values point at.
  const compose = thePlan.nextSteps.filter((s) => s.startsWith('docker compose up -d ')).map((s) => s.slice(21));
  const steps = thePlan.nextSteps.filter((s) => !s.startsWith('docker compose up -d '));
  if (compose.length) steps.unshift(`Start the local services: docker compose up -d ${compose.join(' ')}`);
  const render = thePlan.changes.find((c) => c.path === 'render.yaml');
  if (render && render.action !== 'keep') {
    const prompted = thePlan.contributions.flatMap((c) => c.render?.envVars ?? []).filter((e) => 'sync' in e).map((e) => e.key);
    steps.push(
      `Deploy on Render: commit render.yaml, then Dashboard → New → Blueprint${prompted.length ? `, and enter ${[...new Set(prompted)].join(', ')} when asked` : ''}`,
    );
    steps.push('Serve 200 on GET /healthz: render.yaml uses it as the health check for zero-downtime deploys');
  }
  steps.push('Check everything again at any time: npx create-prod-ready check');
  return steps;
}

// ─── interactive: the wizard ─────────────────────────────────────────────────────────────────────

async function interactive(
  flags: InitFlags,
  project: ProjectInfo,
  files: ReturnType<typeof readManagedFiles>,
  dotenv: Record<string, string>,
  problems: ReturnType<typeof dotenvProblems>,
): Promise<number> {
  const { ui } = await import('../ui/prompter.ts');
  const { withSpinner } = await import('../ui/spinner.ts');
  if (flags.painted) process.stdout.write(`\x1b[${flags.painted}A\x1b[J`); // clack redraws the boot file's frame
  ui.intro(introTitle(flags.version));
  ui.info(`Detected ${projectSummary(project)}`);
  for (const p of problemLines(problems)) ui.warn(p);

  let ids = flags.providers;
  if (!ids) {
    ids = await ui.multiselect<ProviderId>({ message: PICK_MESSAGE, options: pickOptions(), initial: initialSelection(dotenv, process.env) });
  }
  const providers = await loadProviders(ids);

  const values: Record<string, string> = {};
  const overwrite = new Set<string>();
  const source: Record<string, Source> = {};
  const results: Result[] = [];
  for (const p of providers) {
    await collect(ui, p, project, dotenv, values, overwrite, source, false);
    for (;;) {
      if (flags.skipVerify) {
        results.push({ id: p.id, ok: true, skipped: true, identity: null, mode: null, warnings: [], error: null });
        break;
      }
      try {
        const v: Verified = await withSpinner(`Checking ${p.title}`, (signal) => runVerify(p, values, project, signal), (r) => `${p.title}: ${r.identity}`);
        for (const w of v.warnings) ui.warn(w);
        for (const d of v.details ?? []) ui.message(styleText('dim', d));
        results.push({ id: p.id, ok: true, identity: v.identity, mode: v.mode ?? null, warnings: v.warnings, error: null });
        break;
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
        ui.error(`${err.message}${err.hint ? `\n${styleText('dim', err.hint)}` : ''}`);
        const next = await ui.select({
          message: `What now?`,
          options: [
            { value: 'retry', label: 'Re-enter the values' },
            { value: 'skip', label: 'Keep them unverified', hint: 'written as entered' },
            { value: 'abort', label: 'Abort', hint: 'nothing is written' },
          ],
        });
        if (next === 'abort') throw new VerifyError(`${p.title} check failed. Nothing was written.`);
        if (next === 'skip') {
          results.push({ id: p.id, ok: false, skipped: true, identity: null, mode: null, warnings: [], error: err.message });
          break;
        }
        await collect(ui, p, project, dotenv, values, overwrite, source, true);
      }
    }
  }

  const templates = await loadTemplates();
  const thePlan = plan({ project, providers, values, overwrite, files, templates });
  const changed = thePlan.changes.filter((c) => c.action !== 'keep');
  if (!changed.length) {
    ui.outro('Nothing to change: every file is already up to date.');
    return 0;
  }
  const styled = {
    add: (s: string) => styleText('green', s),
    del: (s: string) => styleText('red', s),
    meta: (s: string) => styleText('cyan', s),
  };
  ui.note(thePlan.changes.map(summaryLine).join('\n'), 'Plan');
  ui.message(await renderDiffs(changed, secretValues(providers, values), publicKeys(providers), styled));
  if (flags.dryRun) {
    ui.outro('Dry run: nothing was written.');
    return 0;
  }
  const go = await ui.confirm({ message: `Write ${changed.length} file${changed.length > 1 ? 's' : ''}?` });
  if (!go) throw new Cancelled('Nothing was written.');
  const written = apply(flags.cwd, thePlan.changes);
  ui.success(`Wrote ${written.join(', ')}`);
  ui.note(nextSteps(thePlan).map((s, i) => `${i + 1}. ${s}`).join('\n'), 'Next steps');
  ui.outro(results.some((r) => !r.ok) ? 'Done, with unverified values: run `npx create-prod-ready check` when they are ready.' : 'Production-ready.');
  return 0;
}

/** Ask for one provider's values. Existing values are kept unless the user chooses to change them. */
async function collect(
  ui: Ui,
  p: Provider,
  project: ProjectInfo,
  dotenv: Record<string, string>,
  values: Record<string, string>,
  overwrite: Set<string>,
  source: Record<string, Source>,
  askAll: boolean,
): Promise<void> {
  const asked = p.env.filter((e) => !e.generate);
  const current: Record<string, { value: string; source: Source }> = {};
  for (const e of p.env) {
    const o = fromOutside(e, process.env, dotenv);
    if (o && check(e, o.value).ok) current[e.key] = o;
  }
  const complete = asked.every((e) => current[e.key] || e.optional) && asked.some((e) => current[e.key]);
  if (complete && !askAll) {
    const shown = asked
      .filter((e) => current[e.key])
      .map((e) => `${e.key}=${e.secret ? maskSecret(current[e.key]!.value) : current[e.key]!.value}  ${styleText('dim', `(${current[e.key]!.source === 'env' ? 'environment' : '.env'})`)}`)
      .join('\n');
    ui.note(shown, `${p.title}: current values`);
    askAll = !(await ui.confirm({ message: `Keep the current ${p.title} values?` }));
  }

  for (const e of p.env) {
    const cur = current[e.key];
    if (e.generate) {
      values[e.key] = cur?.value ?? e.generate((n) => randomBytes(n));
      source[e.key] = cur?.source ?? 'generated';
      continue;
    }
    if (cur && !askAll) {
      const c = check(e, cur.value);
      values[e.key] = c.ok ? c.value : cur.value;
      source[e.key] = cur.source;
      continue;
    }
    const def = cur?.value ?? e.localDefault?.(values, project);
    const validate = (v: string) => {
      if (!v && e.optional) return undefined;
      const c = check(e, v);
      return c.ok ? undefined : c.message;
    };
    let value: string;
    if (!e.secret) {
      value = await ui.text({ message: e.key, hint: e.where, default: def, validate });
    } else {
      const local = e.localDefault?.(values, project);
      const options: { value: 'current' | 'local' | 'new'; label: string; hint?: string }[] = [];
      if (cur) options.push({ value: 'current', label: `Keep the current value`, hint: maskSecret(cur.value) });
      if (local && local !== cur?.value) options.push({ value: 'local', label: 'Use the local docker-compose default', hint: maskSecret(local) });
      let pick: 'current' | 'local' | 'new' = 'new';
      if (options.length) {
        options.push({ value: 'new', label: 'Enter a value', hint: e.where });
        pick = await ui.select({ message: `Which ${e.key}?`, options });
      }
      value =
        pick === 'current'
          ? cur!.value
          : pick === 'local'
            ? local!
            : await ui.password({ message: e.key, hint: e.where, validate });
    }
    const c = check(e, value);
    values[e.key] = c.ok ? c.value : value;
    source[e.key] = 'prompt';
    if (e.key in dotenv && dotenv[e.key] !== values[e.key]) overwrite.add(e.key);
    else overwrite.delete(e.key);
  }
}
