// The app's env module: a small file generated into the user's project that checks process.env with zod
// when the app starts, against exactly the keys this tool manages for the selected providers. Each key's
// check is its declaration's `app` expression (EnvVar.app), so one declaration still drives everything.
// Pure: providers and project in, path and text out.
import type { FrameworkId, ProjectInfo } from '../project.ts';
import type { EnvVar, Provider, Values } from '../provider.ts';
import type { Templates } from '../templates.ts';
import { SAME_NAMES, type NameMap } from '../env-names.ts';

/** The check of a key whose declaration has no `app` expression. */
export const DEFAULT_APP_CHECK = 'z.string().min(1)';

/** Frameworks whose sources are bundled (ESM syntax whatever package.json "type" says). */
const BUNDLED: readonly FrameworkId[] = ['nextjs', 'remix', 'react-router', 'sveltekit', 'astro'];

const STARTUP: Record<FrameworkId, string> = {
  nextjs: 'Next.js: from instrumentation.ts',
  'react-router': 'React Router: from app/entry.server',
  remix: 'Remix: from app/entry.server',
  sveltekit: 'SvelteKit: from src/hooks.server',
  astro: 'Astro: from src/middleware',
  nestjs: 'NestJS: at the top of main',
  hono: 'at the top of the server entry file',
  fastify: 'at the top of the server entry file',
  express: 'at the top of the server entry file',
  node: 'at the top of the server entry file',
};

export type EnvModuleFormat = 'ts' | 'esm' | 'cjs';

/**
 * Where the module goes and in which form. TypeScript projects get env.ts. JavaScript follows how the
 * project's own .js files are read: "type": "module" gives ESM in env.js; otherwise a bundled framework
 * (Next.js, Remix, React Router, SvelteKit, Astro: sources written as ESM whatever "type" says) gets ESM in
 * env.mjs, which Node and every bundler read as ESM, and a plain Node server gets CommonJS in env.js, which
 * its require() loads on any Node version. In src/ when the project has one, else at the root.
 */
export function envModuleTarget(project: ProjectInfo): { path: string; format: EnvModuleFormat } {
  const dir = project.srcDir ? 'src/' : '';
  if (project.typescript) return { path: `${dir}env.ts`, format: 'ts' };
  if (project.moduleType === 'module') return { path: `${dir}env.js`, format: 'esm' };
  if (BUNDLED.includes(project.framework)) return { path: `${dir}env.mjs`, format: 'esm' };
  return { path: `${dir}env.js`, format: 'cjs' };
}

/** The zod source that checks a key in the app, `.optional()` included; undefined when the app never reads it. */
export function appCheck(e: Pick<EnvVar, 'app' | 'optional'>): string | undefined {
  if (e.app === false) return undefined;
  const expr = e.app ?? DEFAULT_APP_CHECK;
  return e.optional && !/\.optional\(\)$/.test(expr) ? `${expr}.optional()` : expr;
}

/** Every key set to a placeholder: what a derived key's source values look like once they are all given. */
const EVERY_VALUE: Values = new Proxy({}, { get: (_target, key) => (typeof key === 'string' ? 'x' : undefined) });

/**
 * A derived key is this project's only when its derive yields a value once every source is set (Clerk's
 * publishable-key alias exists for the framework that reads it, e.g. NEXT_PUBLIC_… for Next.js, and no other).
 */
export const belongsTo = (e: EnvVar, project: ProjectInfo) => !e.derive || e.derive(EVERY_VALUE, project) !== undefined;

export interface EnvModuleGroup {
  title: string;
  vars: { key: string; expr: string }[];
}

/**
 * The same check for zod 3: the `app` expressions are zod 4 source, and the only zod-4-only forms they use
 * are `z.url({ protocol, error })` and a union's `{ error }`; zod 3 spells them `z.string().url()` with a
 * refinement, and `errorMap`. Everything else (`z.string().regex`, `refine`, `z.enum`, `z.coerce`) is the same.
 */
export function toZod3(expr: string): string {
  return expr
    .replace(/z\.url\(\{\s*protocol:\s*(\/(?:\\.|[^/])+\/[a-z]*)(?:,\s*error:\s*('(?:\\.|[^'])*'))?\s*\}\)/g, (_m, re: string, msg?: string) => {
      const test = `(v) => { try { return ${re}.test(new URL(v).protocol.slice(0, -1)); } catch { return false; } }`;
      return `z.string().url(${msg ?? ''}).refine(${test}${msg ? `, ${msg}` : ''})`;
    })
    .replace(/\{\s*error:\s*('(?:\\.|[^'])*')\s*\}\)$/, (_m, msg: string) => `{ errorMap: () => ({ message: ${msg} }) })`);
}

/** The keys of the module, grouped by provider in the given (catalog) order, each with its check, under the app's names. */
export function envModuleGroups(providers: Provider[], project: ProjectInfo, names: NameMap = SAME_NAMES, zodMajor: 3 | 4 = 4): EnvModuleGroup[] {
  const seen = new Set<string>();
  return providers
    .map((p) => ({
      title: p.title,
      vars: p.env.flatMap((e) => {
        const expr = appCheck(e);
        if (expr === undefined || !belongsTo(e, project)) return [];
        return names
          .out(e.key)
          .filter((n) => !seen.has(n) && !!seen.add(n))
          .map((key) => ({ key, expr: zodMajor === 3 ? toZod3(expr) : expr }));
      }),
    }))
    .filter((g) => g.vars.length);
}

export function renderEnvModule(
  providers: Provider[],
  project: ProjectInfo,
  templates: Templates,
  opts: { names?: NameMap; zodMajor?: 3 | 4 } = {},
): { path: string; text: string } {
  const { path, format } = envModuleTarget(project);
  const groups = envModuleGroups(providers, project, opts.names, opts.zodMajor);
  const keys = groups.flatMap((g) => g.vars.map((v) => v.key));
  const numbers = groups.flatMap((g) => g.vars.filter((v) => /^z\.coerce\.number\(/.test(v.expr)).map((v) => v.key));
  const data = {
    path,
    name: project.name,
    groups,
    keys,
    // the header explains JWT_SECRET_PREVIOUS (a rotation's overlap window) when the module checks it
    rotation: keys.includes('JWT_SECRET_PREVIOUS'),
    numbers: numbers.length ? `${numbers.join(', ')} ${numbers.length === 1 ? 'stays a string' : 'stay strings'}` : '',
    usage: STARTUP[project.framework],
    esm: format === 'esm',
  };
  const text = format === 'ts' ? templates.envModuleTs(data) : templates.envModuleJs(data);
  return { path, text };
}
