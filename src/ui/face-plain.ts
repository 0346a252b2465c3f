// The pipeline without a person (--yes, CI, no TTY): plain lines, every question has its fixed answer,
// every value comes from the environment or the env files, and a failed check stops the run (exit 1).
import { BASE_PROVIDERS, configuredIds } from '../../providers/catalog.ts';
import { UsageError } from '../core/errors.ts';
import type { Face, Run } from '../core/pipeline/index.ts';
import { stepLine } from '../core/pipeline/next-steps.ts';
import { report, printJson, verifyAll, type Result } from '../core/pipeline/results.ts';
import { servicesDown, startServices } from '../core/pipeline/services.ts';
import { joiningLine, known, type Ctx } from '../core/pipeline/state.ts';
import { resolveBatch } from '../core/pipeline/values.ts';
import type { LocalService } from '../commands/services.ts';
import { workspaceLines } from '../commands/monorepo-step.ts';
import { projectSummary } from './first-frame.ts';
import { colors, plainOut } from './plain.ts';
import { planSummary } from './preview.ts';
import { plainSay } from './say.ts';

export function plainFace(ctx: Ctx): Face {
  const { flags } = ctx;
  const out = plainOut(flags.json ? process.stderr : process.stdout);
  const json: typeof printJson = (...a) => flags.json && printJson(...a);
  // local services the defaults point at and nothing listens on (found once the values are known)
  let down: LocalService[] = [];
  const stop = (line: string) => {
    out.fail(line);
    json(false, [], []);
    return 1;
  };
  const say = plainSay(out, true);
  return {
    say,
    header(c) {
      const lines = c.workspace ? workspaceLines(c.workspace, c.mono!.apps.map((a) => a.app)) : [];
      out.line(`create-prod-ready ${flags.version} · ${lines.shift() ?? projectSummary(c.project)}`);
      for (const l of lines) out.line(l);
      if (c.joining) out.line(joiningLine(c));
      for (const p of c.problems) out.warn(p);
    },
    providers: async (c) => flags.providers ?? [...new Set([...(c.memory?.providers ?? BASE_PROVIDERS), ...configuredIds(c.dotenv, process.env)])],
    apps: async (c) => c,
    async values(start) {
      const run = { ...start, answers: resolveBatch(start.ctx) };
      down = await servicesDown(run);
      // started with --start-services, else named when their check fails
      if (!down.length || !flags.startServices || flags.dryRun) return run;
      const svc = await import('../commands/services.ts');
      const docker = await svc.dockerState(flags.cwd);
      if (!docker.ok) return stop(`${docker.reason}: cannot start ${svc.names(down).join(', ')}. Nothing was written.`);
      const s = await startServices(run, down, say);
      if (s.error) return stop(`${s.error.message}. ${s.written.length ? `Wrote only ${s.written.join(', ')}.` : 'Nothing was written.'}`);
      return s.run;
    },
    async verify(start) {
      const { providers } = start.ctx;
      const checked = await verifyAll(providers, known(start.ctx, start.answers), start.ctx.project, flags.skipVerify);
      // A failed check of a local default nothing listens on says what would start it, not a command on a file that is not written yet.
      const svc = await import('../commands/services.ts');
      const stillDown = down.length ? await svc.notRunning(down) : [];
      const explained = (r: Result): Result => {
        const d = stillDown.filter((s) => s.provider.id === r.id);
        if (r.ok || !d.length) return r;
        const how = flags.dryRun ? 'start it, or set' : `pass --start-services to write docker-compose.yml and run ${svc.composeCommand(d)}, or set`;
        return { ...r, error: `nothing listens on ${svc.where(d)}, the local docker-compose default — ${how} ${d[0]!.key} to a hosted ${d[0]!.key.endsWith('URL') ? 'URL' : 'value'}` };
      };
      const run: Run = {
        ...start,
        results: checked.map((c) => explained(c.result)),
        actions: checked.flatMap((c, i) => (c.verified?.actions ?? []).map((action) => ({ provider: providers[i]!, action }))),
      };
      for (const r of run.results) report(out, providers.find((p) => p.id === r.id)!, r);
      if (run.results.every((r) => r.ok)) return run;
      out.fail('Nothing was written: fix the failing check (or pass --skip-verify to write unverified values).');
      json(false, run.results, []);
      return 1;
    },
    nothing(migrations, plan, run) {
      out.ok('Nothing to change.');
      json(true, run.results, plan.changes, migrations, undefined, run.sqliteMove?.report);
      return 0;
    },
    async showPlan(p) {
      for (const l of p.names) out.line(`  ${l}`);
      for (const a of p.actions) {
        out.line(`  at ${a.title}`);
        for (const d of a.details) out.line(`      ${d}`);
      }
      for (const l of await planSummary(p.plan.changes, p.publicKeys, p.generated)) out.line(`  ${l}`);
      for (const n of p.plan.deploy.notes) out.line(`  · ${n}`);
      for (const w of p.plan.deploy.warnings) out.warn(w);
    },
    refuse: (message) => new UsageError(`${message} Nothing was written.`),
    async dryRun(p, run) {
      if (p.plan.changes.some((c) => c.action !== 'keep')) out.line(`\n${await p.diff(colors)}`);
      out.line('\nDry run: nothing was changed or written.');
      json(true, run.results, p.plan.changes, undefined, undefined, run.sqliteMove?.report);
      return 0;
    },
    confirm: async () => true,
    async act(a, task) {
      const r = await task();
      if (typeof r !== 'string') out.ok(`${a.provider.title}: ${r.done}`);
      return r;
    },
    actionFailed(line, saved, files, run) {
      out.fail(line);
      out.fail(saved.length ? `Wrote only ${saved.join(', ')}, to keep what was already created at providers.` : 'Nothing was written.');
      json(false, run.results, files);
      return 1;
    },
    written: (files) => out.ok(files.length ? `Wrote ${files.join(', ')}` : 'No file needed a change.'),
    done(steps, run, plan, migrations) {
      for (const s of steps) out.line(`  → ${stepLine(s)}`);
      json(true, run.results, plan.changes, migrations, undefined, run.sqliteMove?.report);
      return 0;
    },
  };
}
