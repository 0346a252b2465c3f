// What a deploy must fit that only the app's own files say: the health route it serves (or one the tool
// can add as a new file) and the Postgres/Redis services its compose file already runs. Read once by
// init (`readAppShape`); the choices are pure over the file list and texts (`chooseHealth`).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameworkId, ProjectInfo } from './project.ts';
import { appComposeServices, type AppComposeService } from './files/compose.ts';

/** The kinds of health route the tool can add as a new file (templates/health-route/<kind>.hbs). */
export const HEALTH_ROUTE_KINDS = ['next-app', 'next-pages', 'sveltekit', 'astro'] as const;
export type HealthRouteKind = (typeof HEALTH_ROUTE_KINDS)[number];

export interface HealthChoice {
  /** render.yaml's healthCheckPath; undefined: none (Render then checks that the port is open). */
  path?: string;
  /** found: the app serves it; add: the tool adds `file`; none: no path. */
  how: 'found' | 'add' | 'none';
  /** Where the route was found, or the file the tool adds. */
  file?: string;
  kind?: HealthRouteKind;
  /** One line for the plan: which path and why. */
  why: string;
}

export interface AppShape {
  health: HealthChoice;
  /** The app's own compose file (compose.yaml, docker-compose.yml…) and its services. */
  compose: { file?: string; services: AppComposeService[] };
}

/** Paths a health check answers on, in the order they are preferred. */
export const HEALTH_PATHS = ['/health', '/healthz', '/api/health', '/api/healthz', '/status', '/api/status', '/ping', '/api/ping', '/readyz', '/livez', '/_health', '/up'];

const SKIP = new Set(['node_modules', '.git', 'dist', 'build', '.next', '.svelte-kit', '.output', '.nuxt', 'coverage', 'out', '.turbo', '.vercel', '.cache', 'public', 'static', 'vendor', 'tmp']);
const SOURCE = /\.(?:[cm]?[jt]sx?)$/;
const MIDDLEWARE = /^(?:src\/)?middleware\.[cm]?[jt]s$/;
const ROUTE_WORDS = /health|status|ping|ready|live|\/up\b|@Controller|setGlobalPrefix|\.use\(|\.route\(/;
export const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

/** The project's files (relative paths, at most a few thousand, build output and dependencies skipped). */
function listFiles(cwd: string): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    if (depth > 7 || out.length > 5000) return;
    let names: string[];
    try {
      names = readdirSync(join(cwd, rel));
    } catch {
      return;
    }
    for (const n of names) {
      if (SKIP.has(n) || (n.startsWith('.') && n !== '.well-known')) continue;
      const r = rel ? `${rel}/${n}` : n;
      let st;
      try {
        st = statSync(join(cwd, r));
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(r, depth + 1);
      else if (st.size < 512 * 1024) out.push(r);
    }
  };
  walk('', 0);
  return out;
}

export function readAppShape(project: ProjectInfo): AppShape {
  const files = listFiles(project.cwd);
  const read = (f: string) => {
    try {
      return readFileSync(join(project.cwd, f), 'utf8');
    } catch {
      return '';
    }
  };
  const sources = files
    .filter((f) => SOURCE.test(f) || /^next\.config\./.test(f))
    .slice(0, 1500)
    .map((path) => ({ path, text: read(path) }))
    .filter((s) => ROUTE_WORDS.test(s.text) || /^next\.config\./.test(s.path) || MIDDLEWARE.test(s.path));
  return {
    health: chooseHealth({ framework: project.framework, typescript: project.typescript, srcDir: project.srcDir, dependencies: project.dependencies, files, sources }),
    compose: readCompose(project.cwd),
  };
}

/** The compose file in `cwd` (compose.yaml, docker-compose.yml…) and its services: a monorepo's, at its root. */
export function readCompose(cwd: string): AppShape['compose'] {
  for (const file of COMPOSE_FILES) {
    let text: string;
    try {
      text = readFileSync(join(cwd, file), 'utf8');
    } catch {
      continue;
    }
    return { file, services: appComposeServices(text) };
  }
  return { services: [] };
}

const strip = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
/** Route groups `(marketing)` and the like are not part of the URL. */
const urlOf = (segments: string) => strip(`/${segments.split('/').filter((s) => !/^\(.*\)$/.test(s)).join('/')}`);

/** Health paths served by files whose location is their route (Next.js, SvelteKit, Astro, Remix, Nuxt). */
export function fileRoutes(files: string[]): { path: string; file: string }[] {
  const found: { path: string; file: string }[] = [];
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^(?:src\/)?app\/(.+)\/route\.[cm]?[jt]sx?$/, (m) => urlOf(m[1]!)], // Next.js app router
    [/^(?:src\/)?pages\/(api\/.+?)(?:\/index)?\.[jt]sx?$/, (m) => urlOf(m[1]!)], // Next.js pages router (API routes)
    [/^src\/routes\/(.+)\/\+server\.[jt]s$/, (m) => urlOf(m[1]!)], // SvelteKit endpoint
    [/^src\/routes\/(.+)\/\+page\.svelte$/, (m) => urlOf(m[1]!)], // SvelteKit page (200 with HTML)
    [/^src\/pages\/(.+?)(?:\/index)?\.(?:[jt]s|astro|md)$/, (m) => urlOf(m[1]!)], // Astro
    [/^app\/routes\/(.+?)(?:\/route)?\.[jt]sx?$/, (m) => urlOf(m[1]!.replace(/\./g, '/'))], // Remix flat routes
    [/^server\/(?:api|routes)\/(.+?)(?:\/index)?\.[jt]s$/, (m) => urlOf((m[0].includes('/api/') ? 'api/' : '') + m[1]!)], // Nuxt / Nitro
  ];
  for (const f of files)
    for (const [re, url] of rules) {
      const m = re.exec(f);
      if (m && !/[[\]$]/.test(m[1]!)) found.push({ path: url(m), file: f });
    }
  return found.filter((r) => HEALTH_PATHS.includes(r.path));
}

/**
 * Health paths registered in code: Express/Hono/Fastify/Koa `app.get('/health', …)`, Fastify's
 * `route({ url: '/health' })`, NestJS controllers (with the global prefix). Registrations on a router
 * (mounted somewhere we cannot see) do not count: their URL depends on where it is mounted.
 */
export function codeRoutes(sources: { path: string; text: string }[]): { path: string; file: string }[] {
  const found: { path: string; file: string }[] = [];
  const byPath = new Map(sources.map((s) => [s.path, s.text]));
  const prefix = sources.map((s) => /\.setGlobalPrefix\(\s*['"`]\/?([^'"`]*)['"`]/.exec(s.text)?.[1]).find((p) => p !== undefined);
  for (const { path: file, text } of sources) {
    if (/(?:^|\/)(?:__tests__|tests?|e2e)\/|\.(?:test|spec)\.[cm]?[jt]sx?$/.test(file)) continue;
    // A server in this file: the names bound to it (`const app = express()`, `new Hono()`), and the
    // usual parameter names where the file imports a server framework (a Fastify plugin's `fastify`).
    const servers = new Set([...text.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:await\s+)?(?:express|fastify|Fastify|polka|connect)\s*\(|\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*new\s+(?:Hono|Koa|Elysia|OpenAPIHono)\b/g)].map((m) => m[1] ?? m[2]!));
    if (/from\s+['"](?:express|fastify|hono|koa|elysia|@hono\/[\w-]+)['"]|require\(\s*['"](?:express|fastify|hono|koa)['"]\s*\)/.test(text))
      for (const n of ['app', 'server', 'fastify', 'instance']) servers.add(n);
    for (const m of text.matchAll(/\b([A-Za-z_$][\w$]*)\s*\.\s*(?:get|all|head|route)\s*\(\s*(['"`])(\/[\w./-]*)\2/g))
      if (servers.has(m[1]!)) found.push({ path: strip(m[3]!), file });
    if (servers.size && /method\s*:\s*\[?\s*['"`](?:GET|HEAD)/i.test(text))
      for (const m of text.matchAll(/\.route\(\s*\{[^}]*?\burl\s*:\s*(['"`])(\/[\w./-]*)\1/g)) found.push({ path: strip(m[2]!), file });
    // Routers mounted on the server: `app.use(health)`, `app.use('/api', router)`, Hono's `app.route('/api', sub)`,
    // the router defined here or imported from a file of the project (one level deep).
    for (const m of text.matchAll(/\b([A-Za-z_$][\w$]*)\s*\.\s*(?:use|route)\s*\(\s*(?:(['"`])(\/[\w./-]*)\2\s*,\s*)?([A-Za-z_$][\w$]*)\s*\)/g)) {
      if (!servers.has(m[1]!)) continue;
      for (const path of mountedRoutes(m[4]!, file, text, byPath)) found.push({ path: strip(`${m[3] === '/' ? '' : (m[3] ?? '')}${path}`), file });
    }
    // A plain node:http server: `req.url === '/healthz'`, `pathname === '/health'`, `case '/health':` in its handler
    if (/\bcreateServer\s*\(/.test(text) && /['"](?:node:)?https?['"]/.test(text))
      for (const m of text.matchAll(/\b(?:url|pathname)\s*===?\s*(['"`])(\/[\w./-]*)\1|\bcase\s+(['"`])(\/[\w./-]*)\3\s*:/g)) found.push({ path: strip(m[2] ?? m[4]!), file });
    const controller = /@Controller\(\s*(?:(['"`])([^'"`]*)\1)?\s*\)/.exec(text);
    if (controller)
      for (const g of text.matchAll(/@Get\(\s*(?:(['"`])([^'"`]*)\1)?\s*\)/g))
        found.push({ path: urlOf([prefix, controller[2], g[2]].filter(Boolean).join('/')), file });
  }
  return found.filter((r) => HEALTH_PATHS.includes(r.path));
}

const ROUTER = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:(?:express|require\(\s*['"]express['"]\s*\))\s*\.\s*)?(?:Router\s*\(|new\s+(?:Hono|Router|OpenAPIHono)\b)/g;

/** The paths a router variable of a file registers (`health.get('/health', …)`). */
function routerPaths(text: string, name: string): string[] {
  const re = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\s*\\.\\s*(?:get|all|head)\\s*\\(\\s*(['"\`])(\\/[\\w./-]*)\\1`, 'g');
  return [...text.matchAll(re)].map((m) => m[2]!);
}

/** The routes of the router `ident` mounted in `file`: defined there, or imported from a project file. */
function mountedRoutes(ident: string, file: string, text: string, byPath: Map<string, string>): string[] {
  const local = [...text.matchAll(ROUTER)].map((m) => m[1]!);
  if (local.includes(ident)) return routerPaths(text, ident);
  for (const m of text.matchAll(/\bimport\s+(?:([A-Za-z_$][\w$]*)|\{([^}]*)\})\s+from\s+['"](\.[^'"]+)['"]|\b(?:const|let|var)\s+(?:([A-Za-z_$][\w$]*)|\{([^}]*)\})\s*=\s*require\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const byDefault = m[1] ?? m[4];
    const named = (m[2] ?? m[5] ?? '').split(',').map((x) => x.trim().split(/\s+as\s+|\s*:\s*/)).find((parts) => (parts[1] ?? parts[0]) === ident)?.[0];
    if (byDefault !== ident && !named) continue;
    const target = resolveImport(file, (m[3] ?? m[6])!, byPath);
    if (!target) return [];
    const routers = [...target.matchAll(ROUTER)].map((r) => r[1]!);
    const exported = named ?? /\bexport\s+default\s+([A-Za-z_$][\w$]*)|\bmodule\.exports\s*=\s*([A-Za-z_$][\w$]*)/.exec(target)?.slice(1).find(Boolean) ?? (routers.length === 1 ? routers[0] : undefined);
    return exported && routers.includes(exported) ? routerPaths(target, exported) : [];
  }
  return [];
}

/** The text of the project file an import specifier names (`./routes/health.js` → src/routes/health.ts). */
function resolveImport(from: string, spec: string, byPath: Map<string, string>): string | undefined {
  const parts = [...from.split('/').slice(0, -1), ...spec.split('/')];
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..') out.pop();
    else if (p !== '.' && p) out.push(p);
  }
  const base = out.join('/');
  const bare = base.replace(/\.[cm]?[jt]sx?$/, '');
  for (const c of [base, ...['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs', '/index.ts', '/index.js'].map((e) => bare + e)]) if (byPath.has(c)) return byPath.get(c);
  return undefined;
}

/**
 * The health check Render uses: a route the app serves; else one the tool adds where the framework makes
 * a route a new file (never an edit to the user's code); else none, and Render checks the port.
 */
export function chooseHealth(input: {
  framework: FrameworkId;
  typescript: boolean;
  srcDir: boolean;
  dependencies: string[];
  files: string[];
  sources: { path: string; text: string }[];
}): HealthChoice {
  const nextConfig = input.sources.find((s) => /^next\.config\./.test(s.path))?.text ?? '';
  const basePathValue = /\bbasePath\s*:\s*(['"`])(\/[^'"`]*)\1/.exec(nextConfig)?.[2];
  if (input.framework === 'nextjs' && /\bbasePath\s*:/.test(nextConfig) && !basePathValue)
    return { how: 'none', why: "next.config sets basePath from code, so the health URL is not known here: add healthCheckPath to render.yaml yourself (Render checks the port until then)" };
  const base = input.framework === 'nextjs' && basePathValue ? strip(basePathValue) : '';
  const found = [...fileRoutes(input.files), ...codeRoutes(input.sources)].sort((a, b) => HEALTH_PATHS.indexOf(a.path) - HEALTH_PATHS.indexOf(b.path));
  if (found[0]) return { path: base + found[0].path, how: 'found', file: found[0].file, why: `the app serves GET ${base + found[0].path} (${found[0].file})` };

  const ext = input.typescript ? 'ts' : 'js';
  const has = (dir: string) => input.files.some((f) => f.startsWith(dir));
  const deps = new Set(input.dependencies);
  // Next.js middleware that signs users in (Clerk's protect(), NextAuth's) may answer the new route with a
  // redirect or a 404 unless it lets the path through: said, since only the user may change it.
  const middleware = input.framework === 'nextjs' ? input.sources.find((s) => MIDDLEWARE.test(s.path)) : undefined;
  const guarded = (path: string) =>
    middleware && /\bprotect\s*\(|next-auth\/middleware|withAuth\s*\(/.test(middleware.text) && !middleware.text.includes(path)
      ? `; check that ${middleware.path} lets GET ${path} through without signing in`
      : '';
  const add = (path: string, file: string, kind: HealthRouteKind): HealthChoice => ({ path, how: 'add', file, kind, why: `no health route found: ${file} is added (a new file; none of your code changes), serving GET ${path}${guarded(path)}` });
  if (input.framework === 'nextjs') {
    const root = has('src/app/') || (!has('app/') && input.srcDir) ? 'src/' : '';
    if (has(`${root}app/`) || !has(`${root}pages/`)) return add(`${base}/api/health`, `${root}app/api/health/route.${ext}`, 'next-app');
    return add(`${base}/api/health`, `${root}pages/api/health.${ext}`, 'next-pages');
  }
  if (input.framework === 'sveltekit' && !deps.has('@sveltejs/adapter-static')) return add('/health', `src/routes/health/+server.${ext}`, 'sveltekit');
  if (input.framework === 'astro' && deps.has('@astrojs/node')) return add('/health', `src/pages/health.${ext}`, 'astro');
  return {
    how: 'none',
    why: 'no health route found, and adding one would mean editing your code: render.yaml has no healthCheckPath, so Render checks that the port is open. Add GET /health returning 200, then set healthCheckPath: /health for zero-downtime deploys',
  };
}
