// The pipeline with a person at the terminal: the wizard. Questions first, and only the ones that need a
// person: a value only the user knows is asked for; every other value (the environment, the env files,
// prod-ready.json, a local default, a generated secret) is settled and shown in one "Settings" summary,
// confirmed once, with a way to change any one. Local services the defaults point at are started there
// too, when the person agrees. Then the live checks (all at once, then each failure settled in turn), then the plan.
import { styleText } from 'node:util';
import { initialSelection } from '../../providers/catalog.ts';
import { UsageError, VerifyError } from '../core/errors.ts';
import { maskSecret } from '../core/mask.ts';
import type { EnvVar, Provider, ProviderId, Verified } from '../core/provider.ts';
import { check } from '../core/resolve.ts';
import { runVerify } from '../core/verify.ts';
import { chooseApps } from '../core/workspaces.ts';
import type { Face, Run } from '../core/pipeline/index.ts';
import { stepLine } from '../core/pipeline/next-steps.ts';
import { allLastFirst, skipped } from '../core/pipeline/results.ts';
import { servicesDown, startServices } from '../core/pipeline/services.ts';
import { enterApps, joiningLine, known, nameLabel, type Ctx } from '../core/pipeline/state.ts';
import { askable, derive, refresh, setValue, settle, shownSource } from '../core/pipeline/values.ts';
import { record, withResult } from '../core/pipeline/verify.ts';
import type { LocalService } from '../commands/services.ts';
import { workspaceLines } from '../commands/monorepo-step.ts';
import { introTitle, PICK_MESSAGE, pickOptions, projectSummary } from './first-frame.ts';
import { planSummary } from './preview.ts';
import type { Ui } from './prompter.ts';
import { wizardSay } from './say.ts';

const styled = {
  add: (s: string) => styleText('green', s),
  del: (s: string) => styleText('red', s),
  meta: (s: string) => styleText('cyan', s),
};

/** "Stripe, Render and PostgreSQL". */
const titles = (t: string[]) => (t.length > 1 ? `${t.slice(0, -1).join(', ')} and ${t.at(-1)}` : (t[0] ?? ''));

export async function wizardFace(ctx: Ctx): Promise<Face> {
  const { flags } = ctx;
  const { ui } = await import('./prompter.ts');
  const { doneLine, withSpinner } = await import('./spinner.ts');
  const say = await wizardSay(true);
  /** Starts what the person chose; a failure is said, and the run goes on (the check then fails). */
  const start = async (run: Run, services: LocalService[]) => {
    const s = await startServices(run, services, say);
    if (s.error) ui.error(s.error.message);
    return s.run;
  };
  /** The live checks of every provider at once, under one spinner naming those still running. */
  const checkAll = async (run: Run): Promise<({ verified: Verified } | { error: VerifyError })[]> => {
    const { providers } = run.ctx;
    const values = known(run.ctx, run.answers);
    const running = new Set(providers.map((p) => p.title));
    const t0 = performance.now();
    return withSpinner(
      `Checking ${titles([...running])}`,
      (signal, progress) =>
        allLastFirst(providers, (p) =>
          runVerify(p, values, run.ctx.project, signal)
            .then(
              (verified) => ({ verified }),
              (error: unknown) => {
                if (error instanceof VerifyError) return { error };
                throw error;
              },
            )
            .finally(() => {
              running.delete(p.title);
              if (running.size) progress(`Checking ${titles([...running])}`);
            }),
        ),
      (rs) => {
        const only = rs.length === 1 ? rs[0]! : undefined;
        if (only && 'verified' in only) return `${providers[0]!.title}: ${only.verified.identity}`;
        const ms = performance.now() - t0;
        return `Checked ${titles(providers.map((p) => p.title))} in ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`}`;
      },
    );
  };
  /** A passed check: its warnings and details said, its result and actions recorded. */
  const shown = (run: Run, p: Provider, v: Verified): Run => {
    for (const w of v.warnings) ui.warn(w);
    for (const d of v.details ?? []) ui.message(styleText('dim', d));
    return record(run, p, v);
  };
  /** A failed check, settled with the person: start a local service, re-enter, keep unverified, or abort. */
  const settleFailure = async (first: Run, p: Provider, firstError: VerifyError): Promise<Run> => {
    let run = first;
    let err: VerifyError | undefined = firstError;
    for (;;) {
      if (!err) {
        try {
          const v = await withSpinner(`Checking ${p.title}`, (signal) => runVerify(p, known(run.ctx, run.answers), run.ctx.project, signal), (r) => `${p.title}: ${r.identity}`);
          return shown(run, p, v);
        } catch (e) {
          if (!(e instanceof VerifyError)) throw e;
          err = e;
        }
      }
      const svc = await import('../commands/services.ts');
      // A local default nothing listens on: say so, and offer Docker or a hosted URL instead.
      const down = await servicesDown(run, [p]);
      const docker = down.length && !flags.dryRun ? await svc.dockerState(flags.cwd) : undefined;
      if (down.length) ui.error(`${p.title}: nothing listens on ${svc.where(down)}, the local docker-compose default`);
      else ui.error(`${err.message}${err.hint ? `\n${styleText('dim', err.hint)}` : ''}`);
      if (docker && !docker.ok) ui.warn(`${docker.reason}: ${svc.names(down).join(', ')} cannot be started here`);
      const options: { value: 'start' | 'retry' | 'hosted' | 'skip' | 'abort'; label: string; hint?: string }[] = [];
      if (docker?.ok) options.push({ value: 'start', label: `Start ${svc.names(down).join(', ')} with Docker`, hint: svc.composeCommand(down) });
      if (down.length) options.push({ value: 'hosted', label: 'Enter a hosted URL instead' });
      else options.push({ value: 'retry', label: 'Re-enter the values' });
      options.push({ value: 'skip', label: 'Keep them unverified', hint: 'written as entered' }, { value: 'abort', label: 'Abort', hint: 'nothing is written' });
      const next = await ui.select({ message: `What now?`, options });
      if (next === 'abort') throw new VerifyError(`${p.title} check failed. Nothing was written.`);
      if (next === 'skip') return withResult(run, skipped(p, err.message));
      if (next === 'start') run = await start(run, down);
      else if (next === 'hosted') run = await enterHosted(ui, run, down);
      else for (const e of p.env.filter(askable)) run = await askValue(ui, run, e);
      run = { ...run, answers: refresh(run.ctx, run.answers) };
      err = undefined;
    }
  };
  return {
    say,
    header(c) {
      if (flags.painted) process.stdout.write(`\x1b[${flags.painted}A\x1b[J`); // clack redraws the boot file's frame
      ui.intro(introTitle(flags.version));
      ui.info(`Detected ${c.workspace ? workspaceLines(c.workspace, [])[0] : projectSummary(c.project)}`);
      for (const p of c.problems) ui.warn(p);
      if (c.joining) ui.info(joiningLine(c));
    },
    providers: async (c): Promise<readonly ProviderId[]> =>
      flags.providers ??
      (c.joining ? c.memory!.providers : await ui.multiselect<ProviderId>({ message: PICK_MESSAGE, options: pickOptions(), initial: initialSelection(c.dotenv, process.env, c.memory?.providers) })),
    async apps(c) {
      const ws = c.workspace;
      if (!ws || flags.apps || c.joining) return c;
      for (const l of workspaceLines(ws, c.mono!.apps.map((a) => a.app)).slice(1).filter((l) => /^\s+-/.test(l))) ui.info(l.trim().replace(/^- /, 'Not deployed: '));
      const dirs = await ui.multiselect<string>({
        message: 'Which apps do you deploy?',
        options: ws.packages.filter((p) => p.deployable).map((p) => ({ value: p.dir, label: p.dir, hint: p.why })),
        initial: c.mono!.apps.map((a) => a.app.dir),
      });
      return enterApps(c, chooseApps(ws, dirs));
    },
    async values(first) {
      let run = first;
      const asked = new Set<string>();
      for (const p of run.ctx.providers) {
        const s = settle(run.ctx, run.answers, p);
        run = { ...run, answers: s.answers };
        for (const line of s.invalid) ui.warn(line);
        for (const e of s.ask) {
          run = await askValue(ui, run, e);
          asked.add(e.key);
        }
      }
      run = { ...run, answers: derive(run.ctx, run.answers) };
      const settled = await confirmSettings(ui, run, asked);
      return settled.start.length ? start(settled.run, settled.start) : settled.run;
    },
    async verify(first) {
      let run = first;
      const { providers } = run.ctx;
      if (flags.skipVerify || !providers.length) {
        for (const p of providers) run = withResult(run, skipped(p));
        return run;
      }
      // Every check at once (the wait is the slowest one's, not their sum), then each shown in order; a
      // failure is settled with the person, and its re-check runs alone.
      const firsts = await checkAll(run);
      for (const [i, p] of providers.entries()) {
        const f = firsts[i]!;
        if ('verified' in f) {
          if (providers.length > 1) doneLine(`${p.title}: ${f.verified.identity}`);
          run = shown(run, p, f.verified);
        } else run = await settleFailure(run, p, f.error);
      }
      return run;
    },
    decide: (message) => ui.confirm({ message, initial: true }),
    nothing(migrations) {
      ui.outro(migrations?.applied.length ? 'Every file was already up to date; the migrations are applied.' : 'Nothing to change: every file is already up to date.');
      return 0;
    },
    async showPlan(p) {
      ui.note(
        [
          ...p.names,
          ...p.actions.flatMap((a) => [a.title, ...a.details.map((d) => `    ${d}`)]),
          ...(await planSummary(p.plan.changes, p.publicKeys, p.generated)),
          ...p.plan.deploy.notes.map((n) => styleText('dim', `· ${n}`)),
        ].join('\n'),
        'Plan',
      );
      for (const w of p.plan.deploy.warnings) ui.warn(w);
    },
    refuse: (message) => new UsageError(message),
    async dryRun(p) {
      if (p.plan.changes.some((c) => c.action !== 'keep')) ui.message(await p.diff(styled));
      ui.outro('Dry run: nothing was changed or written.');
      return 0;
    },
    untrack: (message) => ui.confirm({ message, initial: false }),
    async confirm(p, run) {
      const changed = p.plan.changes.filter((c) => c.action !== 'keep').length;
      const n = run.actions.length;
      const what = [n ? `make ${n} change${n > 1 ? 's' : ''} at providers` : '', changed ? `write ${changed} file${changed > 1 ? 's' : ''}` : ''].filter(Boolean);
      const question = `${what.join(' and ').replace(/^./, (c) => c.toUpperCase())}?`;
      // The summary is enough for most runs; the full diff (secrets masked) is one answer away.
      let go: 'yes' | 'diff' | 'no' = changed
        ? await ui.select({
            message: question,
            options: [
              { value: 'yes', label: 'Yes' },
              { value: 'diff', label: 'Show the full diff first' },
              { value: 'no', label: 'No', hint: 'nothing is written' },
            ],
          })
        : (await ui.confirm({ message: question })) ? 'yes' : 'no';
      if (go === 'diff') {
        ui.message(await p.diff(styled));
        go = (await ui.confirm({ message: question })) ? 'yes' : 'no';
      }
      return go === 'yes';
    },
    act: ({ action }, task) => withSpinner(action.title, (signal, progress) => task(signal, progress), (x) => (typeof x === 'string' ? `${action.title}: failed` : x.done)),
    actionFailed(line, saved) {
      const e = new VerifyError(line);
      e.written = saved;
      throw e;
    },
    written: (files) => files.length && ui.success(`Wrote ${files.join(', ')}`),
    done(steps, run) {
      ui.note(steps.map((s, i) => `${i + 1}. ${stepLine(s)}`).join('\n'), 'Next steps');
      ui.outro(run.results.some((r) => !r.ok) ? 'Done, with unverified values: run `npx create-prod-ready check` when they are ready.' : 'Production-ready.');
      return 0;
    },
  };
}

/** How a value is shown in the settings summary and the edit list. */
function shownValue(run: Run, e: EnvVar): string {
  const v = run.answers.values[e.key] ?? '';
  if (v === '') return e.emptyMeans ? `(empty: ${e.emptyMeans.length > 60 ? `${e.emptyMeans.slice(0, 57)}…` : e.emptyMeans})` : '(empty)';
  if (!e.secret) return v;
  return run.answers.source[e.key] === 'generated' ? '•••••••• generated' : maskSecret(v);
}

/**
 * The one settings confirmation: every value that was not asked, grouped by provider, and the local
 * services the defaults point at that are not running. Returns the services to start (the person agreed).
 */
async function confirmSettings(ui: Ui, first: Run, asked: Set<string>): Promise<{ run: Run; start: LocalService[] }> {
  const svc = await import('../commands/services.ts');
  let run = first;
  const { flags } = run.ctx;
  for (;;) {
    const { values } = run.answers;
    const groups = run.ctx.providers.map((p) => ({ p, keys: p.env.filter((e) => !e.derive && !asked.has(e.key) && values[e.key] !== undefined) })).filter((g) => g.keys.length);
    const down = await servicesDown(run);
    if (!groups.length && !down.length) return { run, start: [] };
    // --dry-run writes and starts nothing: the services are only named
    const docker = down.length && !flags.dryRun ? await svc.dockerState(flags.cwd) : undefined;
    const width = Math.max(...groups.flatMap((g) => g.keys.map((e) => nameLabel(run.ctx, e.key).length)));
    const lines = groups.flatMap(({ p, keys }) => [
      p.title,
      ...keys.map((e) => {
        const from = shownSource(run.ctx, run.answers, e.key);
        return `  ${nameLabel(run.ctx, e.key).padEnd(width)}  ${shownValue(run, e)}${from ? `  ${styleText('dim', from)}` : ''}`;
      }),
    ]);
    if (down.length)
      lines.push(
        '',
        docker?.ok
          ? `Not running: ${svc.where(down)}. Docker can start ${svc.names(down).join(' and ')}: docker-compose.yml is written, then ${svc.composeCommand(down)}.`
          : `Not running: ${svc.where(down)}.`,
      );
    ui.note(lines.join('\n'), 'Settings');
    if (docker && !docker.ok) ui.warn(`${docker.reason}: ${svc.names(down).join(', ')} cannot be started here. Enter a hosted URL instead, or start them yourself.`);
    type Pick = 'use' | 'start' | 'hosted' | 'change';
    const options: { value: Pick; label: string; hint?: string }[] = [];
    if (docker?.ok) {
      options.push({ value: 'start', label: `Yes, and start ${svc.names(down).join(', ')} with Docker`, hint: svc.composeCommand(down) });
      options.push({ value: 'use', label: 'Yes, start nothing' });
    } else if (down.length && docker) {
      options.push({ value: 'hosted', label: `Enter a hosted ${[...new Set(down.map((s) => s.key))].join(', ')} instead` });
      options.push({ value: 'use', label: 'Yes, use them anyway', hint: 'their checks fail until the services run' });
    } else options.push({ value: 'use', label: 'Yes' });
    options.push({ value: 'change', label: 'Change a value' });
    const pick = await ui.select<Pick>({ message: 'Use these settings?', options });
    if (pick === 'start') return { run, start: down };
    if (pick === 'use') return { run, start: [] };
    if (pick === 'hosted') run = await enterHosted(ui, run, down);
    else {
      const editable = run.ctx.providers.flatMap((p) => p.env.filter(askable));
      const key = await ui.select({ message: 'Which value?', options: editable.map((e) => ({ value: e.key, label: nameLabel(run.ctx, e.key), hint: shownValue(run, e) })) });
      const e = editable.find((x) => x.key === key)!;
      run = await askValue(ui, run, e);
      asked.delete(e.key);
    }
    run = { ...run, answers: refresh(run.ctx, run.answers) };
  }
}

/** A hosted URL for each key whose local service does not run (the local default is not offered again). */
async function enterHosted(ui: Ui, first: Run, down: LocalService[]): Promise<Run> {
  let run = first;
  for (const key of new Set(down.map((s) => s.key))) {
    const e = down.find((s) => s.key === key)!.provider.env.find((x) => x.key === key)!;
    run = await askValue(ui, run, e, true);
  }
  return run;
}

/**
 * Ask for one value. What the run already holds (typed earlier, from the env file, a default) is the
 * default of a plain prompt; a secret offers to keep it (masked), the local default, or a new value.
 * `direct`: straight to a new value (a hosted URL instead of the local default).
 */
async function askValue(ui: Ui, run: Run, e: EnvVar, direct = false): Promise<Run> {
  const { values, source } = run.answers;
  const cur = values[e.key] || undefined;
  const label = nameLabel(run.ctx, e.key);
  const local = e.localDefault?.(values, run.ctx.project);
  const validate = (v: string) => {
    if (!v && e.optional) return undefined;
    const c = check(e, v);
    return c.ok ? undefined : c.message;
  };
  let value: string;
  if (!e.secret) {
    const def = direct ? undefined : (cur ?? local);
    value = await ui.text({ message: label, hint: e.where, default: def, placeholder: !def && e.emptyMeans ? `${e.emptyMeans} (the default when empty)` : undefined, validate });
  } else {
    type Pick = 'current' | 'local' | 'new' | 'clear';
    const options: { value: Pick; label: string; hint?: string }[] = [];
    if (!direct) {
      if (cur && cur !== local) options.push({ value: 'current', label: source[e.key] === 'prompt' ? 'Keep the value entered' : 'Keep the current value', hint: maskSecret(cur) });
      if (local) options.push({ value: 'local', label: 'Use the local docker-compose default', hint: maskSecret(local) });
    }
    let pick: Pick = 'new';
    if (options.length) {
      options.push({ value: 'new', label: 'Enter a value', hint: e.where });
      if (cur && e.optional) options.push({ value: 'clear', label: 'Clear it', hint: 'left empty' });
      pick = await ui.select({ message: `Which ${label}?`, options });
    }
    value = pick === 'current' ? cur! : pick === 'local' ? local! : pick === 'clear' ? '' : await ui.password({ message: label, hint: e.where, validate });
  }
  return { ...run, answers: setValue(run.answers, e, value, 'prompt') };
}
