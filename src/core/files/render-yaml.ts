// render.yaml: a Render Blueprint in the strict form Render's JSON schema accepts (runtime, not env;
// quoted strings; one source per env var). Created from the template, or merged into the user's file.
import { isAlias, isMap, isScalar, isSeq, parse as parseYaml, type Document, type YAMLMap } from 'yaml';
import { FileError } from '../errors.ts';
import type { Contribution, RenderEnvVar } from '../provider.ts';
import type { ProjectInfo } from '../project.ts';
import { YAML_OPTIONS, type Templates } from '../templates.ts';
import { mergeNamedList, parseYamlFile } from './yaml-merge.ts';

export interface RenderModel {
  services: Record<string, unknown>[];
  databases: Record<string, unknown>[];
  /** Comments placed above a key of a service in a new file: why the file says what it says. */
  comments: { service: string; key: string; text: string }[];
  /** What the user must know about this Blueprint (plan rules, costs, expiry). */
  notes: string[];
}

export const RENDER_DEFAULTS = { region: 'oregon', webPlan: 'starter' } as const;

/** Render's plan facts the Blueprint follows (render-blueprint-notes.md; render.com/docs/free, /pricing). */
export const RENDER_PLAN_FACTS = {
  workerPlan: 'starter',
  workerCost: 'US$7 a month at Render\'s published prices (render.com/pricing)',
  freeWeb: 'Render runs no preDeployCommand on the free plan',
  freePostgres: 'a free Render Postgres database expires 30 days after it is created (then 14 days to upgrade before it is deleted)',
  freeKeyValue: 'a free Render Key Value instance keeps its data in memory only: a restart loses it',
} as const;

/** The Blueprint-wide region and plan the providers settled on, and a mapper placing an entry in that region (and plan). */
export function renderSettings(contributions: Contribution[]) {
  const settings = Object.assign({}, ...contributions.map((c) => c.render?.settings ?? {})) as { region?: string; plan?: string };
  const region = settings.region ?? RENDER_DEFAULTS.region;
  const plan = settings.plan ?? RENDER_DEFAULTS.webPlan;
  const free = plan === 'free';
  // One region for everything: Render's private network (database, Key Value) does not cross regions.
  // On the free plan the database and Key Value are free too (with what that costs in data, said in the notes).
  const placed = (x: Record<string, unknown>): Record<string, unknown> => ({
    ...x,
    ...('region' in x ? { region } : {}),
    ...(free && 'plan' in x && (x.type === 'keyvalue' || x.type === 'redis' || !('type' in x)) ? { plan: 'free' } : {}),
  });
  return { region, plan, free, placed };
}

/**
 * A web service's migrations on its plan: before each deploy (preDeployCommand) on a paid plan; on the free
 * plan, which runs no preDeployCommand, at the start of the start command, with a comment and a note saying why.
 */
export function fitMigrations(
  service: string,
  migrate: string | undefined,
  start: string,
  free: boolean,
  model: Pick<RenderModel, 'comments' | 'notes'>,
): { preDeployCommand?: string; startCommand: string } {
  if (!migrate) return { startCommand: start };
  if (!free) return { preDeployCommand: migrate, startCommand: start };
  model.comments.push({ service, key: 'startCommand', text: ` ${RENDER_PLAN_FACTS.freeWeb}: the migrations run at the start of the start command instead.\n On a paid plan, move "${migrate}" to preDeployCommand (a failed migration then never takes the live service down).` });
  model.notes.push(`${service}: ${RENDER_PLAN_FACTS.freeWeb}, so render.yaml runs the migrations (${migrate}) at the start of its startCommand`);
  return { startCommand: `${migrate} && ${start}` };
}

/** A worker's plan: Render has no free workers, so the free plan means starter for it (a note says what it costs). */
export function workerPlan(plan: string, service: string, notes: string[]): string {
  if (plan !== 'free') return plan;
  notes.push(`Render has no free plan for workers: ${service} is on ${RENDER_PLAN_FACTS.workerPlan}, ${RENDER_PLAN_FACTS.workerCost}`);
  return RENDER_PLAN_FACTS.workerPlan;
}

/** What the free plan costs the data: a database that expires, a Key Value that forgets on restart. */
export function freeDataNotes(model: Pick<RenderModel, 'services' | 'databases'>): string[] {
  const notes: string[] = [];
  const kv = model.services.filter((x) => x.type === 'keyvalue' || x.type === 'redis');
  if (model.databases.length) notes.push(`${model.databases.map((d) => d.name).join(', ')}: ${RENDER_PLAN_FACTS.freePostgres}`);
  if (kv.length) notes.push(`${kv.map((x) => x.name).join(', ')}: ${RENDER_PLAN_FACTS.freeKeyValue}`);
  return notes;
}

export function renderModel(project: ProjectInfo, contributions: Contribution[]): RenderModel {
  const envVars = contributions.flatMap((c) => c.render?.envVars ?? []);
  const { region, plan, free, placed } = renderSettings(contributions);
  const model: RenderModel = { services: [], databases: [], comments: [], notes: [] };
  const web = `${project.name}-web`;
  const base = { runtime: 'node', plan, region, buildCommand: project.commands.build };
  // Render runs the Node.js the app was built for: the local major, never newer than engines.node allows.
  const node: RenderEnvVar[] = project.nodeVersion ? [{ key: 'NODE_VERSION', value: project.nodeVersion }] : [];
  const health = project.shape?.health.path;
  const commands = fitMigrations(web, project.migrateDeploy?.command, project.commands.start, free, model);
  model.services.push({
    type: 'web',
    name: web,
    ...base,
    ...(commands.preDeployCommand ? { preDeployCommand: commands.preDeployCommand } : {}),
    startCommand: commands.startCommand,
    ...(health ? { healthCheckPath: health } : {}),
    envVars: [...node, ...envVars],
  });
  if (project.commands.worker) {
    const worker = `${project.name}-worker`;
    model.services.push({
      type: 'worker',
      name: worker,
      ...base,
      plan: workerPlan(plan, worker, model.notes),
      startCommand: project.commands.worker,
      // A generated value must be shared, not generated twice: the worker reads the web service's.
      envVars: [
        ...node,
        ...envVars.map((e): RenderEnvVar => ('generateValue' in e ? { key: e.key, fromService: { type: 'web', name: web, envVarKey: e.key } } : e)),
      ],
    });
  }
  model.services.push(...contributions.flatMap((c) => c.render?.services ?? []).map(placed));
  model.databases = contributions.flatMap((c) => c.render?.databases ?? []).map(placed);
  if (free) model.notes.push(...freeDataNotes(model));
  return model;
}

/** Render's plan rules, checked on the final file (ours or the user's): what Render would refuse or not run. */
export function renderPlanProblems(doc: { services?: Record<string, unknown>[] }): string[] {
  const problems: string[] = [];
  for (const s of doc.services ?? []) {
    if (s.plan !== 'free') continue;
    if (s.type === 'web' && s.preDeployCommand) problems.push(`${s.name} is on the free plan and has a preDeployCommand, which Render does not run there: move it to the start of startCommand, or choose a paid plan`);
    if (s.type === 'worker' || s.type === 'pserv' || s.type === 'cron') problems.push(`${s.name} is a ${s.type} on the free plan, which Render does not offer: use ${RENDER_PLAN_FACTS.workerPlan} (${RENDER_PLAN_FACTS.workerCost})`);
  }
  return problems;
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
  if (existing === undefined) return withComments(t.renderYaml({ name, services: model.services, databases: model.databases }), model.comments);
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

/** The model's comments placed above their keys in a new file (the rest of the text is kept as it is). */
function withComments(text: string, comments: RenderModel['comments']): string {
  if (!comments.length) return text;
  const doc = parseYamlFile('render.yaml', text);
  const services = doc.get('services', true);
  for (const c of comments) {
    const svc = isSeq(services) ? services.items.find((m) => isMap(m) && m.get('name') === c.service) : undefined;
    const pair = isMap(svc) ? svc.items.find((p) => isScalar(p.key) && p.key.value === c.key) : undefined;
    if (pair && isScalar(pair.key)) pair.key.commentBefore = c.text;
  }
  return doc.toString(YAML_OPTIONS);
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
