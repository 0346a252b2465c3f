// Monorepos: which packages a repository's workspaces hold, and what each one is (a server, a static site,
// a worker, a library, a mobile app or a browser extension). `describeWorkspace` is pure over the files'
// contents; `detectWorkspace` reads them (a few small files per package) and finds the root upward, so a
// run inside apps/api knows it is in a workspace.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './errors.ts';
import { describeProject, slug, type PackageManager, type ProjectInfo } from './project.ts';

interface PackageJson {
  name?: string;
  private?: boolean;
  type?: string;
  packageManager?: string;
  workspaces?: string[] | { packages?: string[] };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: { node?: string };
}

export type AppKind = 'web' | 'static' | 'worker' | 'library' | 'mobile' | 'extension';

/** What is read from one workspace package (the edge fills it; everything else is derived). */
export interface PackageInput {
  /** Folder relative to the root, with forward slashes (apps/api). */
  dir: string;
  pkg: PackageJson;
  typescript: boolean;
  srcDir: boolean;
  drizzleConfig?: string;
  /** prisma/schema.prisma's text, when the package has one. */
  prismaSchema?: string;
  /** astro.config.*'s text, when the package has one. */
  astroConfig?: string;
  /** vite.config.*'s text (or '' when the file exists and is unreadable), when the package has one. */
  viteConfig?: string;
  /** svelte.config.*'s text, when the package has one. */
  svelteConfig?: string;
  /** A browser extension manifest (manifest.json with manifest_version) in the package, public/ or src/. */
  extensionManifest: boolean;
  /** Lockfiles in the package's own folder (a package installed on its own, not from the root's). */
  ownLockfiles: string[];
  /** The package's own Node pin (.nvmrc or .node-version in its folder). */
  nodePin?: string;
}

export interface WorkspacePackage {
  dir: string;
  /** package.json name (or the folder's name). */
  name: string;
  /** Slug for Render service names. */
  slug: string;
  kind: AppKind;
  /** Gets a Render service. */
  deployable: boolean;
  /** Why it is what it is, for the picker and the plan (e.g. "Vite SPA", "Expo app: not deployed on Render"). */
  why: string;
  project: ProjectInfo;
  /** Static sites: the published folder, relative to the package. */
  publishDir?: string;
  /** Static single-page app: every path is rewritten to /index.html. */
  spa?: boolean;
  /** Workspace packages it depends on, transitively, by dir (dependencies first). */
  deps: string[];
  /** Owns the database schema: prisma/schema.prisma, drizzle.config.* or a migrate script. */
  ownsSchema: boolean;
  /** Self-contained: its own lockfile and no workspace dependency, so Render can build it from its folder (rootDir). */
  selfContained: boolean;
}

export interface Workspace {
  /** Absolute path of the repository root. */
  root: string;
  packageManager: PackageManager;
  /** The root's lockfile, when there is one. */
  lockfile?: string;
  /** Task runner config at the root; `turbo` is used for builds only when it is installed (a root dependency). */
  runner?: 'turbo' | 'nx';
  turboInstalled: boolean;
  /** Root files every build depends on (package.json, the lockfile, pnpm-workspace.yaml, turbo.json). */
  rootFiles: string[];
  packages: WorkspacePackage[];
  /** The package the run started in, when it started inside one (dir). */
  current?: string;
  /** The root's own project description (name, install command). */
  rootProject: ProjectInfo;
}

const MOBILE = ['expo', 'react-native'];
const EXTENSION = ['wxt', 'plasmo', '@crxjs/vite-plugin', 'webextension-polyfill'];
/** Server frameworks: with one of these the package runs a server, whatever else it uses. */
const SERVER_DEPS = ['express', 'hono', 'fastify', 'koa', '@nestjs/core', '@hapi/hapi', 'next', '@remix-run/serve', '@react-router/serve', 'nuxt', '@sveltejs/kit'];
const SPA_DEPS = ['react', 'react-dom', 'vue', 'svelte', 'solid-js', 'preact', '@angular/core'];

/** The workspace globs of a root package.json (array or object form) or pnpm-workspace.yaml. */
export function workspacePatterns(rootPkg: PackageJson | undefined, pnpmWorkspace: string | undefined): string[] | undefined {
  if (pnpmWorkspace !== undefined) {
    try {
      const doc = parseYaml(pnpmWorkspace) as { packages?: unknown } | null;
      if (Array.isArray(doc?.packages)) return doc.packages.filter((p): p is string => typeof p === 'string');
    } catch {
      /* unreadable: fall back to package.json */
    }
  }
  const w = rootPkg?.workspaces;
  if (Array.isArray(w)) return w.filter((p) => typeof p === 'string');
  if (w && Array.isArray(w.packages)) return w.packages.filter((p) => typeof p === 'string');
  return undefined;
}

export function describeWorkspace(input: {
  root: string;
  rootPkg: PackageJson | undefined;
  lockfiles: string[];
  turboJson: boolean;
  nxJson: boolean;
  pnpmWorkspace: boolean;
  packages: PackageInput[];
  current?: string;
  /** The local Node.js version and the root's pin (.nvmrc, .node-version): each app's NODE_VERSION on Render. */
  nodeVersion?: string;
  nodePin?: string;
}): Workspace {
  const node = { nodeVersion: input.nodeVersion, nodePin: input.nodePin, engines: input.rootPkg?.engines };
  const rootProject = describeProject({ cwd: input.root, pkg: input.rootPkg, lockfiles: input.lockfiles, typescript: false, nodeVersion: node.nodeVersion, nodePin: node.nodePin });
  const byName = new Map(input.packages.map((p) => [p.pkg.name ?? basename(p.dir), p] as const));
  const localDeps = (p: PackageInput) =>
    Object.keys({ ...p.pkg.dependencies, ...p.pkg.devDependencies }).filter((d) => byName.has(d) && byName.get(d) !== p);
  // Transitive workspace dependencies, dependencies before dependents (so their builds run first).
  const closure = (p: PackageInput): string[] => {
    const out: string[] = [];
    const seen = new Set<PackageInput>([p]);
    const visit = (q: PackageInput) => {
      for (const d of localDeps(q)) {
        const dep = byName.get(d)!;
        if (seen.has(dep)) continue;
        seen.add(dep);
        visit(dep);
        out.push(dep.dir);
      }
    };
    visit(p);
    return out;
  };
  const rootDeps = { ...input.rootPkg?.dependencies, ...input.rootPkg?.devDependencies };
  const lockfile = input.lockfiles.find((f) => f === rootLockfileFor(rootProject.packageManager)) ?? input.lockfiles[0];
  const runner = input.turboJson ? 'turbo' : input.nxJson ? 'nx' : undefined;
  const rootFiles = ['package.json', lockfile, input.pnpmWorkspace ? 'pnpm-workspace.yaml' : undefined, input.turboJson ? 'turbo.json' : undefined, input.nxJson ? 'nx.json' : undefined].filter(
    (f): f is string => !!f,
  );
  const packages = input.packages.map((p) => describePackage(input.root, p, closure(p), rootProject.packageManager, node));
  return { root: input.root, packageManager: rootProject.packageManager, lockfile, runner, turboInstalled: 'turbo' in rootDeps, rootFiles, packages, current: input.current, rootProject };
}

function rootLockfileFor(pm: PackageManager): string {
  return { npm: 'package-lock.json', pnpm: 'pnpm-lock.yaml', yarn: 'yarn.lock', bun: 'bun.lock' }[pm];
}

function describePackage(
  root: string,
  p: PackageInput,
  deps: string[],
  packageManager: PackageManager,
  node: { nodeVersion?: string; nodePin?: string; engines?: { node?: string } },
): WorkspacePackage {
  // Node on Render: the package's own pin, else the root's; its engines.node, else the root's
  const engines = p.pkg.engines?.node ? p.pkg.engines : node.engines;
  const project = describeProject({
    cwd: join(root, p.dir),
    // the root's package manager installs every workspace package, unless the package has its own lockfile
    pkg: { ...p.pkg, ...(p.ownLockfiles.length ? {} : { packageManager }), ...(engines ? { engines } : {}) },
    nodeVersion: node.nodeVersion,
    nodePin: p.nodePin ?? node.nodePin,
    lockfiles: p.ownLockfiles,
    typescript: p.typescript,
    srcDir: p.srcDir,
    drizzleConfig: p.drizzleConfig,
  });
  const all = { ...p.pkg.dependencies, ...p.pkg.devDependencies };
  const has = (names: string[]) => names.some((n) => n in all);
  const scripts = p.pkg.scripts ?? {};
  const name = p.pkg.name ?? basename(p.dir);
  const base = {
    dir: p.dir,
    name,
    slug: slug(name.replace(/^@[^/]+\//, '')) || slug(basename(p.dir)) || 'app',
    project,
    deps,
    ownsSchema: p.prismaSchema !== undefined || p.drizzleConfig !== undefined || project.scripts.migrate !== undefined,
    selfContained: p.ownLockfiles.length > 0 && deps.length === 0,
  };
  const kind = (k: AppKind, why: string, more: Partial<WorkspacePackage> = {}): WorkspacePackage => ({
    ...base,
    kind: k,
    deployable: k === 'web' || k === 'static' || k === 'worker',
    why,
    ...more,
  });

  if (has(MOBILE)) return kind('mobile', `${'expo' in all ? 'Expo' : 'React Native'} app: ships to app stores, not to Render`);
  if (p.extensionManifest || has(EXTENSION)) return kind('extension', 'browser extension: published to the browser stores, not to Render');

  const server = has(SERVER_DEPS);
  if ('astro' in all) {
    const serverOutput = /\boutput\s*:\s*['"](server|hybrid)['"]/.test(p.astroConfig ?? '') || /@astrojs\/(node|vercel|netlify|cloudflare)/.test(p.astroConfig ?? '') || '@astrojs/node' in all;
    if (!serverOutput && scripts.build)
      return kind('static', 'Astro, static output', { publishDir: outDir(p.astroConfig) ?? 'dist', spa: false });
  }
  // SvelteKit with adapter-static prerenders to build/ (an SPA when it sets a fallback page)
  if ('@sveltejs/adapter-static' in all && !('@sveltejs/adapter-node' in all) && scripts.build) {
    const pages = /\bpages\s*:\s*['"]\.?\/?([^'"]+?)\/?['"]/.exec(p.svelteConfig ?? '')?.[1];
    const spa = /\bfallback\s*:\s*['"]/.test(p.svelteConfig ?? '');
    return kind('static', `SvelteKit, static adapter${spa ? ' (single-page app)' : ''}`, { publishDir: pages ?? 'build', spa });
  }
  if ('vite' in all && !server && scripts.build && !isServerStart(scripts.start)) {
    const spa = has(SPA_DEPS);
    return kind('static', spa ? 'Vite single-page app' : 'Vite static site', { publishDir: outDir(p.viteConfig) ?? 'dist', spa });
  }
  const workerScript = project.scripts.worker;
  if (scripts.start) {
    const workerOnly = !server && /(^|[-_/])(worker|workers|jobs|queue|queues)$/.test(p.dir);
    if (workerOnly) return kind('worker', 'background worker (no HTTP server)');
    return kind('web', `${project.frameworkName} server${workerScript ? `, plus a worker ("${workerScript}" script)` : ''}`);
  }
  if (workerScript) return kind('worker', `background worker ("${workerScript}" script)`);
  return kind('library', 'shared package (no start script)');
}

/** `vite preview` or `astro preview` serves a built static site: still a static site on Render. */
function isServerStart(start: string | undefined): boolean {
  return !!start && !/^\s*(vite|astro)\s+preview\b/.test(start) && !/\bserve\b\s+(-s\s+)?dist\b/.test(start);
}

function outDir(config: string | undefined): string | undefined {
  return /\boutDir\s*:\s*['"]\.?\/?([^'"]+?)\/?['"]/.exec(config ?? '')?.[1];
}

// ─── the edge: reading the repository ────────────────────────────────────────────────────────────

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};
const readJson = (path: string): PackageJson | undefined => {
  const t = read(path);
  if (t === undefined) return undefined;
  try {
    return JSON.parse(t) as PackageJson;
  } catch {
    return undefined;
  }
};
const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
const firstOf = (dir: string, names: string[]) => names.map((n) => join(dir, n)).find((f) => existsSync(f));

const LOCKFILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lock', 'bun.lockb', 'package-lock.json'];
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', '.next', '.turbo', 'coverage']);

/** The workspace root at or above `cwd` whose workspaces include `cwd` (or are `cwd`'s own), if any. */
export function findWorkspaceRoot(cwd: string): string | undefined {
  let dir = cwd;
  for (let i = 0; i < 8; i++) {
    const patterns = workspacePatterns(readJson(join(dir, 'package.json')), read(join(dir, 'pnpm-workspace.yaml')));
    if (patterns?.length) {
      if (dir === cwd) return dir;
      const rel = relative(dir, cwd).split(sep).join('/');
      if (expandPatterns(dir, patterns).some((p) => rel === p || rel.startsWith(`${p}/`))) return dir;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** Package folders (relative, forward slashes) matching the globs: `*` one folder, `**` any depth, `!` excludes. */
export function expandPatterns(root: string, patterns: string[]): string[] {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => globRegex(p.slice(1)));
  const found = new Set<string>();
  const walk = (rel: string, segs: string[]) => {
    if (!segs.length) {
      if (rel && existsSync(join(root, rel, 'package.json'))) found.add(rel);
      return;
    }
    const [head, ...rest] = segs as [string, ...string[]];
    if (head === '**') {
      walk(rel, rest);
      if (rel.split('/').length > 6) return;
      for (const d of subdirs(join(root, rel))) walk(rel ? `${rel}/${d}` : d, segs);
      return;
    }
    if (!/[*?[{]/.test(head)) {
      const next = rel ? `${rel}/${head}` : head;
      if (isDir(join(root, next))) walk(next, rest);
      return;
    }
    const re = globRegex(head);
    for (const d of subdirs(join(root, rel))) if (re.test(d)) walk(rel ? `${rel}/${d}` : d, rest);
  };
  for (const p of include) walk('', p.replace(/^\.\//, '').replace(/\/+$/, '').split('/').filter(Boolean));
  return [...found].filter((d) => !exclude.some((re) => re.test(d))).sort();
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function globRegex(glob: string): RegExp {
  const re = glob
    .replace(/^\.\//, '')
    .replace(/\/+$/, '')
    .split('/')
    .map((s) => (s === '**' ? '.*' : s.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
    .join('/');
  return new RegExp(`^${re.replace(/\/\.\*\//g, '(?:/.*/|/)').replace(/^\.\*\//, '(?:.*/)?')}$`);
}

/** The workspace `cwd` is in (at its root or inside one of its packages), or undefined for a single app. */
export function detectWorkspace(cwd: string): Workspace | undefined {
  const root = findWorkspaceRoot(cwd);
  if (!root) return undefined;
  const rootPkg = readJson(join(root, 'package.json'));
  const pnpmWorkspace = read(join(root, 'pnpm-workspace.yaml'));
  const dirs = expandPatterns(root, workspacePatterns(rootPkg, pnpmWorkspace) ?? []);
  if (!dirs.length) return undefined;
  const packages: PackageInput[] = [];
  for (const dir of dirs) {
    const abs = join(root, dir);
    const pkg = readJson(join(abs, 'package.json'));
    if (!pkg) continue;
    const config = (names: string[]) => {
      const f = firstOf(abs, names);
      return f === undefined ? undefined : (read(f) ?? '');
    };
    const manifest = ['manifest.json', 'public/manifest.json', 'src/manifest.json'].some((f) => /"manifest_version"\s*:/.test(read(join(abs, f)) ?? ''));
    packages.push({
      dir,
      pkg,
      typescript: existsSync(join(abs, 'tsconfig.json')),
      srcDir: isDir(join(abs, 'src')),
      drizzleConfig: config(['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.mts', 'drizzle.config.json']),
      prismaSchema: config(['prisma/schema.prisma', 'schema.prisma']),
      astroConfig: config(['astro.config.mjs', 'astro.config.ts', 'astro.config.js', 'astro.config.mts']),
      viteConfig: config(['vite.config.ts', 'vite.config.js', 'vite.config.mjs', 'vite.config.mts']),
      svelteConfig: config(['svelte.config.js', 'svelte.config.mjs', 'svelte.config.ts']),
      extensionManifest: manifest,
      ownLockfiles: LOCKFILES.filter((f) => existsSync(join(abs, f))),
      nodePin: nodePinIn(abs),
    });
  }
  const rel = relative(root, cwd).split(sep).join('/');
  const current = packages.find((p) => rel === p.dir || rel.startsWith(`${p.dir}/`))?.dir;
  return describeWorkspace({
    root,
    rootPkg,
    lockfiles: LOCKFILES.filter((f) => existsSync(join(root, f))),
    turboJson: existsSync(join(root, 'turbo.json')),
    nxJson: existsSync(join(root, 'nx.json')),
    pnpmWorkspace: pnpmWorkspace !== undefined,
    packages,
    current,
    nodeVersion: process.versions.node,
    nodePin: nodePinIn(root),
  });
}

/** The text of .nvmrc or .node-version in `dir`, when it has one. */
const nodePinIn = (dir: string): string | undefined => ['.nvmrc', '.node-version'].map((f) => read(join(dir, f))?.trim()).find((t) => t);

/**
 * The apps a run deploys: `--apps` (names, slugs or folders, comma-separated), else every deployable one.
 * A name that matches nothing, or a package that cannot be deployed, is an error naming the valid ones.
 */
export function chooseApps(ws: Workspace, list: string[] | undefined): WorkspacePackage[] {
  const deployable = ws.packages.filter((p) => p.deployable);
  if (!list) return deployable;
  const out: WorkspacePackage[] = [];
  const bad: string[] = [];
  for (const item of list) {
    const want = item.replace(/^\.\//, '').replace(/\/+$/, '');
    const p = ws.packages.find((q) => q.dir === want || q.name === want || q.slug === want || basename(q.dir) === want);
    if (!p) bad.push(`${item} (no such workspace package)`);
    else if (!p.deployable) bad.push(`${item} (${p.why})`);
    else if (!out.includes(p)) out.push(p);
  }
  if (bad.length) throw new UsageError(`--apps: ${bad.join(', ')}`, `deployable apps: ${deployable.map((p) => p.dir).join(', ') || 'none'}`);
  return out;
}
