// render.yaml: a Render Blueprint in the strict form Render's JSON schema accepts (runtime, not env;
// quoted strings; one source per env var). Created from the template, or merged into the user's file.
import { isAlias, isMap, isSeq, parse as parseYaml, type Document, type YAMLMap } from 'yaml';
import { FileError } from '../errors.ts';
import type { Contribution, RenderEnvVar } from '../provider.ts';
import type { ProjectInfo } from '../project.ts';
import { YAML_OPTIONS, type Templates } from '../templates.ts';
import { mergeNamedList, parseYamlFile } from './yaml-merge.ts';

export interface RenderModel {
  services: Record<string, unknown>[];
  databases: Record<string, unknown>[];
}

export const RENDER_DEFAULTS = { region: 'oregon', webPlan: 'starter', healthCheckPath: '/healthz' } as const;

/** The Blueprint-wide region and plan the providers settled on, and a mapper putting an entry in that region. */
export function renderSettings(contributions: Contribution[]) {
  const settings = Object.assign({}, ...contributions.map((c) => c.render?.settings ?? {})) as { region?: string; plan?: string };
  const region = settings.region ?? RENDER_DEFAULTS.region;
  // One region for everything: Render's private network (database, Key Value) does not cross regions.
  const inRegion = (x: Record<string, unknown>) => ('region' in x ? { ...x, region } : x);
  return { region, plan: settings.plan ?? RENDER_DEFAULTS.webPlan, inRegion };
}

export function renderModel(project: ProjectInfo, contributions: Contribution[]): RenderModel {
  const envVars = contributions.flatMap((c) => c.render?.envVars ?? []);
  const { region, plan, inRegion } = renderSettings(contributions);
  const web = `${project.name}-web`;
  const base = {
    runtime: 'node',
    plan,
    region,
    buildCommand: project.commands.build,
  };
  const services: Record<string, unknown>[] = [
    {
      type: 'web',
      name: web,
      ...base,
      ...(project.scripts.migrate ? { preDeployCommand: project.commands.run(project.scripts.migrate) } : project.migrations.deploy ? { preDeployCommand: project.migrations.deploy } : {}),
      startCommand: project.commands.start,
      healthCheckPath: RENDER_DEFAULTS.healthCheckPath,
      envVars,
    },
  ];
  if (project.commands.worker)
    services.push({
      type: 'worker',
      name: `${project.name}-worker`,
      ...base,
      startCommand: project.commands.worker,
      // A generated value must be shared, not generated twice: the worker reads the web service's.
      envVars: envVars.map(
        (e): RenderEnvVar => ('generateValue' in e ? { key: e.key, fromService: { type: 'web', name: web, envVarKey: e.key } } : e),
      ),
    });
  for (const c of contributions) services.push(...(c.render?.services ?? []).map(inRegion));
  const databases = contributions.flatMap((c) => c.render?.databases ?? []).map(inRegion);
  return { services, databases };
}

/**
 * Add what an existing service lacks: env vars (by key) and a preDeployCommand when migrations now need
 * one; never change the user's entries.
 */
function mergeService(existing: YAMLMap, wanted: Record<string, unknown>, doc: Document): boolean {
  let changed = false;
  if (wanted.preDeployCommand && !existing.has('preDeployCommand')) {
    const keys = existing.items.map((p) => String((p.key as { value?: unknown })?.value ?? p.key));
    // Placed before startCommand, where the template puts it, so the service reads in deploy order.
    const at = keys.indexOf('startCommand');
    const pair = doc.createPair('preDeployCommand', wanted.preDeployCommand);
    if (at >= 0) existing.items.splice(at, 0, pair as (typeof existing.items)[number]);
    else existing.items.push(pair as (typeof existing.items)[number]);
    changed = true;
  }
  return mergeServiceEnv(existing, wanted, doc) || changed;
}

/** Add the env vars an existing service lacks (by key); never change the user's entries. */
function mergeServiceEnv(existing: YAMLMap, wanted: Record<string, unknown>, doc: Document): boolean {
  const want = wanted.envVars as RenderEnvVar[] | undefined;
  if (!want?.length) return false;
  let list = existing.get('envVars', true);
  if (list == null) {
    existing.set('envVars', []);
    list = existing.get('envVars', true);
  }
  if (!isSeq(list)) return false;
  const items = list.items.map((n) => (isAlias(n) ? n.resolve(doc) : n));
  const have = new Set(items.filter(isMap).map((m) => m.get('key')));
  const missing = want.filter((e) => !have.has(e.key));
  for (const e of missing) list.add(doc.createNode(e, { aliasDuplicateObjects: false }));
  return missing.length > 0;
}

export function renderRenderYaml(existing: string | undefined, model: RenderModel, t: Templates, name: string): string {
  if (existing === undefined) return t.renderYaml({ name, services: model.services, databases: model.databases });
  const doc = parseYamlFile('render.yaml', existing);
  const a = mergeNamedList(doc, 'services', model.services, mergeService);
  const b = mergeNamedList(doc, 'databases', model.databases);
  return a || b ? doc.toString(YAML_OPTIONS) : existing;
}

/** render.yaml's text for a model (created, or merged into the user's file), refused when its references do not resolve. */
export function blueprintText(existing: string | undefined, model: RenderModel, t: Templates, name: string): string {
  const text = renderRenderYaml(existing, model, t, name);
  const problems = renderReferenceProblems((parseYaml(text) as Parameters<typeof renderReferenceProblems>[0]) ?? {});
  if (problems.length) throw new FileError(`render.yaml would be inconsistent: ${problems[0]}`, 'fix the names in render.yaml by hand, then run again');
  return text;
}

/** Every fromDatabase / fromService must name something declared in the file (Render's schema cannot say). */
export function renderReferenceProblems(doc: { services?: Record<string, unknown>[]; databases?: Record<string, unknown>[] }): string[] {
  const problems: string[] = [];
  const services = doc.services ?? [];
  const dbNames = new Set((doc.databases ?? []).map((d) => d.name));
  const svc = new Map(services.map((s) => [`${s.name}`, `${s.type}`]));
  const names = services.map((s) => s.name);
  const dup = names.filter((n, i) => names.indexOf(n) !== i);
  if (dup.length) problems.push(`duplicate service names: ${[...new Set(dup)].join(', ')}`);
  for (const s of services)
    for (const e of (s.envVars as Record<string, any>[] | undefined) ?? []) {
      if (e.fromDatabase && !dbNames.has(e.fromDatabase.name))
        problems.push(`${s.name}: ${e.key} uses database "${e.fromDatabase.name}", which is not declared`);
      if (e.fromService) {
        const t = svc.get(e.fromService.name);
        const same = t === e.fromService.type || (t === 'redis' && e.fromService.type === 'keyvalue') || (t === 'keyvalue' && e.fromService.type === 'redis');
        if (!t || !same) problems.push(`${s.name}: ${e.key} uses ${e.fromService.type} "${e.fromService.name}", which is not declared`);
      }
    }
  return problems;
}
