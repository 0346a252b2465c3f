// Handlebars environment: templates own layout and comments, data owns values. Strict (a missing
// field throws), no HTML escaping, and YAML fragments only through {{toYaml}}: never spliced strings.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { HEALTH_ROUTE_KINDS, type HealthRouteKind } from './app-shape.ts';

/** Strict YAML for every reader (Render's parser, Compose v1's YAML 1.1, v2): strings double-quoted
 * (so `yes`, `5432:5432` or `"17"` never turn into booleans or numbers), keys plain, no aliases. */
export const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' } as const;

export type Render = (data: object) => string;
export interface Templates {
  renderYaml: Render;
  compose: Render;
  envExample: Render;
  /** The app's env module (src/core/files/env-module.ts): TypeScript, and JavaScript (ESM or CommonJS). */
  envModuleTs: Render;
  envModuleJs: Render;
  /** A health route added as a new file (app-shape.ts chooseHealth), by framework. */
  healthRoute: Record<HealthRouteKind, Render>;
}

export function templatesDir(): string {
  // dist/cli.mjs and src/core/templates.ts sit at different depths: walk up to the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'templates', 'render.yaml.hbs'))) return join(dir, 'templates');
    dir = dirname(dir);
  }
  throw new Error('templates/ not found next to the package');
}

export async function loadTemplates(): Promise<Templates> {
  const { default: Handlebars } = (await import('handlebars/dist/cjs/handlebars.js' as string)) as { default: typeof import('handlebars') };
  const hb = Handlebars.create();
  hb.registerHelper('toYaml', (value: unknown, options: { hash?: { indent?: number } }) => {
    const text = stringify(value, YAML_OPTIONS).trimEnd();
    const pad = ' '.repeat(options.hash?.indent ?? 0);
    return text
      .split('\n')
      .map((l) => (l ? pad + l : l))
      .join('\n');
  });
  const dir = templatesDir();
  const compile = (name: string): Render =>
    hb.compile(readFileSync(join(dir, name), 'utf8'), { noEscape: true, strict: true }) as Render;
  return {
    renderYaml: compile('render.yaml.hbs'),
    compose: compile('docker-compose.yml.hbs'),
    envExample: compile('env.example.hbs'),
    envModuleTs: compile('env-module.ts.hbs'),
    envModuleJs: compile('env-module.js.hbs'),
    healthRoute: Object.fromEntries(HEALTH_ROUTE_KINDS.map((k) => [k, compile(`health-route/${k}.hbs`)])) as Record<HealthRouteKind, Render>,
  };
}
