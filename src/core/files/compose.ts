// docker-compose.yml: the local services (Postgres, Redis, …) that match the wizard's local defaults.
import type { Contribution } from '../provider.ts';
import { YAML_OPTIONS, type Templates } from '../templates.ts';
import { mergeMapKeys, parseYamlFile } from './yaml-merge.ts';

export interface ComposeModel {
  services: Record<string, Record<string, unknown>>;
  volumes: Record<string, Record<string, never>>;
}

export function composeModel(contributions: Contribution[]): ComposeModel {
  const services: ComposeModel['services'] = {};
  const volumes: ComposeModel['volumes'] = {};
  for (const c of contributions) {
    Object.assign(services, c.compose?.services);
    for (const v of c.compose?.volumes ?? []) volumes[v] = {};
  }
  return { services, volumes };
}

/** undefined when there is nothing to run locally and no file yet. */
export function renderCompose(existing: string | undefined, model: ComposeModel, t: Templates, name: string): string | undefined {
  if (existing === undefined) {
    if (!Object.keys(model.services).length) return undefined;
    return t.compose({ name, services: model.services, volumes: Object.keys(model.volumes).length ? model.volumes : undefined });
  }
  const doc = parseYamlFile('docker-compose.yml', existing);
  const a = mergeMapKeys(doc, 'services', model.services);
  const b = mergeMapKeys(doc, 'volumes', model.volumes);
  return a || b ? doc.toString(YAML_OPTIONS) : existing;
}
