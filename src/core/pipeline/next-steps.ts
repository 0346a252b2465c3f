// The next-steps stage: what is left for the person after the run, as structured steps; rendered to
// lines only at the edge (the wizard's numbered note, the plain output's arrows).
import { parse as parseYaml } from 'yaml';
import type { Plan } from '../plan.ts';
import type { ProjectInfo } from '../project.ts';
import type { MonorepoState } from '../monorepo-plan.ts';
import type { MigrationReport } from '../../commands/migrate-step.ts';
import type { InstallReport } from '../../commands/install-step.ts';
import { composeServices } from '../../commands/services.ts';

export type NextStep =
  | { kind: 'compose'; services: string[] }
  | { kind: 'install'; packageManager: string }
  | { kind: 'provider'; text: string }
  | { kind: 'rehearse' }
  | { kind: 'deploy'; prompted: string[] }
  | { kind: 'commit-health'; file: string; path?: string }
  | { kind: 'health'; why: string }
  | { kind: 'migrate'; dir: string; note: string; owner?: string }
  | { kind: 'check' };

export function nextSteps(project: ProjectInfo, thePlan: Plan, migrations?: MigrationReport, started: string[] = [], mono?: MonorepoState, install?: InstallReport): NextStep[] {
  // One `docker compose up -d a b` for every local service that the values point at (and this run did not start).
  const { services, rest } = composeServices(thePlan.nextSteps);
  const compose = services.filter((s) => !started.includes(s));
  const steps: NextStep[] = rest.map((text) => ({ kind: 'provider', text }));
  // unless this run already installed them (install-step.ts, or the migration step)
  if (thePlan.dependenciesAdded && !install?.installed && !migrations?.installed) steps.unshift({ kind: 'install', packageManager: project.packageManager });
  if (compose.length) steps.unshift({ kind: 'compose', services: compose });
  const render = thePlan.changes.find((c) => c.path === 'render.yaml');
  if (render && render.action !== 'keep') {
    // a monorepo's services also prompt for the keys only their app reads
    const services = mono ? ((parseYaml(render.after) as { services?: { envVars?: Record<string, unknown>[] }[] }).services ?? []) : [];
    const prompted = mono
      ? services.flatMap((s) => s.envVars ?? []).filter((e) => e.sync === false).map((e) => String(e.key))
      : thePlan.contributions.flatMap((c) => c.render?.envVars ?? []).filter((e) => 'sync' in e).map((e) => e.key);
    steps.push({ kind: 'rehearse' }, { kind: 'deploy', prompted: [...new Set(prompted)] });
    // a monorepo's health checks are routes found in each app's sources (none: Render checks the port)
    const health = mono ? undefined : project.shape?.health;
    if (health?.how === 'add' && thePlan.changes.some((c) => c.path === health.file && c.action === 'create')) steps.push({ kind: 'commit-health', file: health.file!, path: health.path });
    else if (health && !health.path) steps.push({ kind: 'health', why: health.why });
  }
  const owner = mono?.schemaOwner ? mono.schemaOwner.dir : undefined;
  if (migrations?.note && thePlan.migrations?.script && !thePlan.migrations.skipped)
    steps.push({ kind: 'migrate', dir: thePlan.migrations.setup.dir, note: migrations.note.replace(/^not applied: /, ''), owner });
  steps.push({ kind: 'check' });
  return steps;
}

export function stepLine(s: NextStep): string {
  switch (s.kind) {
    case 'compose':
      return `Start the local services: docker compose up -d ${s.services.join(' ')}`;
    case 'install':
      return `Install the new dependencies: ${s.packageManager} install`;
    case 'provider':
      return s.text;
    case 'rehearse':
      return 'Rehearse the deploy here, the way Render runs it: npx create-prod-ready rehearse';
    case 'deploy':
      return `Deploy on Render: commit render.yaml, then Dashboard → New → Blueprint${s.prompted.length ? `, and enter ${s.prompted.join(', ')} when asked` : ''}`;
    case 'commit-health':
      return `Commit ${s.file}: render.yaml's health check (GET ${s.path}) is served by it`;
    case 'health':
      return `Health check: ${s.why}`;
    case 'migrate':
      return `Apply the migrations: ${s.owner ? `${s.owner}/` : ''}${s.dir}/ (${s.note}${s.owner ? ` in ${s.owner}` : ''})`;
    case 'check':
      return 'Check everything again at any time: npx create-prod-ready check';
  }
}
