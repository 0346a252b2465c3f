// Project detection: package manager (packageManager field, lockfiles), framework (package.json),
// scripts, port, and what a deploy must fit: the production form of the migrations, the Node major.
// `detectProject` reads a handful of small files; `describeProject` is pure over their contents.
// The deeper reading (health routes, the app's compose services) is in app-shape.ts, for init only,
// so the boot file's first frame stays fast.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AppShape } from './app-shape.ts';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

/**
 * The project's migration tool. node-pg-migrate is the default (SQL files, up and down); a project on
 * Drizzle (a drizzle.config file) keeps Drizzle's migrations folder and journal; Prisma and any other
 * tool found in a migrate script are recognised so nothing is generated in a format they would not read.
 */
export interface MigrationSetup {
  tool: 'node-pg-migrate' | 'drizzle' | 'prisma' | 'other';
  /** Project-relative folder of the migration files. */
  dir: string;
  /** The package.json script that applies them, when there is one (never one that runs a development command). */
  script?: string;
  /** Prisma: the schema, a file or a folder of .prisma files (project-relative). */
  schema?: string;
  /** The command that applies migrations on deploy when no script does (Prisma: `npx prisma migrate deploy`). */
  deploy?: string;
}
export type FrameworkId =
  | 'nextjs'
  | 'react-router'
  | 'remix'
  | 'nestjs'
  | 'sveltekit'
  | 'astro'
  | 'hono'
  | 'fastify'
  | 'express'
  | 'node';

export interface ProjectInfo {
  cwd: string;
  /** Slug used for Render service and database names. */
  name: string;
  hasPackageJson: boolean;
  packageManager: PackageManager;
  /** The package manager's lockfile, when the project has one (package-lock.json, pnpm-lock.yaml…). */
  lockfile?: string;
  framework: FrameworkId;
  frameworkName: string;
  typescript: boolean;
  /** package.json "type": how Node reads the project's .js files. */
  moduleType: 'module' | 'commonjs';
  /** The project keeps its sources in src/. */
  srcDir: boolean;
  port: number;
  scripts: { build?: string; start?: string; worker?: string; migrate?: string };
  /** How the project migrates its database (see migrationSetup). */
  migrations: MigrationSetup;
  /**
   * What production runs to apply migrations (render.yaml's preDeployCommand): the app's own deploy
   * script, else the tool's deploy command; never a development command (migrate dev, reset, db push).
   */
  migrateDeploy?: { command: string; why: string };
  /** Why this package manager, when there was a choice to make (several lockfiles, a packageManager field). */
  packageManagerWhy?: string;
  /** The Node.js version Render runs (NODE_VERSION): the app's .nvmrc pin, else the local major, never newer than engines.node allows. */
  nodeVersion?: string;
  /** What detection found that the user should know (two lockfiles, a development-only migrate script…). */
  warnings: string[];
  /** Health routes and the app's own compose services: read by init only (app-shape.ts readAppShape). */
  shape?: AppShape;
  dependencies: string[];
  /** Commands for render.yaml, for the detected package manager. */
  commands: { install: string; build: string; start: string; worker?: string; run: (script: string) => string; exec: (bin: string) => string };
  /** A monorepo: the env keys each Render service's app reads, by service name; a push sends a service only those. */
  serviceKeys?: Record<string, string[]>;
  /**
   * Each provider key's names in the app (every app's, in a monorepo) where one differs from the key:
   * STRIPE_SECRET_KEY → [STRIPE_API_KEY]. A push to the host sends values under these names (env-names.ts).
   */
  envNames?: Record<string, string[]>;
}

const FRAMEWORKS: { id: FrameworkId; name: string; deps: string[]; port: number }[] = [
  { id: 'nextjs', name: 'Next.js', deps: ['next'], port: 3000 },
  { id: 'react-router', name: 'React Router', deps: ['@react-router/dev', '@react-router/node', '@react-router/serve'], port: 3000 },
  { id: 'remix', name: 'Remix', deps: ['@remix-run/node', '@remix-run/react', '@remix-run/dev', '@remix-run/serve'], port: 3000 },
  { id: 'nestjs', name: 'NestJS', deps: ['@nestjs/core'], port: 3000 },
  { id: 'sveltekit', name: 'SvelteKit', deps: ['@sveltejs/kit'], port: 3000 },
  { id: 'astro', name: 'Astro', deps: ['astro'], port: 4321 },
  { id: 'hono', name: 'Hono', deps: ['hono'], port: 3000 },
  { id: 'fastify', name: 'Fastify', deps: ['fastify'], port: 3000 },
  { id: 'express', name: 'Express', deps: ['express'], port: 3000 },
];

const LOCKFILES: [string, PackageManager][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
];

export interface PackageJson {
  name?: string;
  /** Prisma's settings in package.json (before prisma.config.ts): `{ "schema": "db/schema.prisma" }`. */
  prisma?: { schema?: string };
  type?: string;
  packageManager?: string;
  engines?: { node?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function detectProject(cwd: string): ProjectInfo {
  let pkg: PackageJson | undefined;
  const pkgPath = join(cwd, 'package.json');
  if (existsSync(pkgPath)) {
    try {
      pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as PackageJson;
    } catch {
      pkg = undefined; // an unreadable package.json is treated as none; nothing here writes to it
    }
  }
  const lockfiles = LOCKFILES.filter(([f]) => existsSync(join(cwd, f))).map(([f]) => f);
  // Several lockfiles: when each was last written decides (see choosePackageManager).
  const lockfileTimes = lockfiles.length > 1 ? Object.fromEntries(lockfiles.map((f) => [f, statSync(join(cwd, f)).mtimeMs])) : undefined;
  const typescript = existsSync(join(cwd, 'tsconfig.json'));
  const srcDir = statSync(join(cwd, 'src'), { throwIfNoEntry: false })?.isDirectory() ?? false;
  const drizzleConfig = DRIZZLE_CONFIGS.map((f) => join(cwd, f)).find((f) => existsSync(f));
  let drizzle: string | undefined;
  try {
    drizzle = drizzleConfig && readFileSync(drizzleConfig, 'utf8');
  } catch {
    drizzle = undefined;
  }
  const nodeFile = ['.nvmrc', '.node-version'].map((f) => join(cwd, f)).find((f) => existsSync(f));
  let nodePin: string | undefined;
  try {
    nodePin = nodeFile && readFileSync(nodeFile, 'utf8').trim();
  } catch {
    nodePin = undefined;
  }
  return describeProject({
    cwd,
    pkg,
    lockfiles,
    lockfileTimes,
    typescript,
    srcDir,
    drizzleConfig: drizzle,
    prisma: prismaFiles(cwd, pkg),
    nodeVersion: process.versions.node,
    nodePin,
    exists: (rel) => existsSync(join(cwd, rel)),
  });
}

/** Where Prisma looks for its config file, in its order. */
export const PRISMA_CONFIGS = ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.cts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs', '.config/prisma.ts'];
const rel = (p: string) => p.replace(/^\.\//, '').replace(/\/$/, '');

/**
 * Where a Prisma project keeps its schema and migrations, as Prisma looks for them: package.json's
 * "prisma.schema", prisma.config.ts's `schema` (and `migrations.path`), then prisma/schema.prisma, the
 * prisma/schema/ folder, ./schema.prisma. Migrations sit next to the file with the datasource block.
 */
function prismaFiles(cwd: string, pkg: PackageJson | undefined): { schema: string; migrations: string } | undefined {
  const deps = { ...pkg?.dependencies, ...pkg?.devDependencies };
  if (!('prisma' in deps) && !('@prisma/client' in deps)) return undefined;
  const configFile = PRISMA_CONFIGS.find((f) => existsSync(join(cwd, f)));
  let config = '';
  try {
    config = configFile ? readFileSync(join(cwd, configFile), 'utf8') : '';
  } catch {
    config = '';
  }
  // the config is TypeScript the tool does not run: its two string settings are read as written
  const fromConfig = /\bschema\s*:\s*["'`]([^"'`]+)["'`]/.exec(config)?.[1];
  const migrationsPath = /\bmigrations\s*:\s*\{[^}]*\bpath\s*:\s*["'`]([^"'`]+)["'`]/.exec(config)?.[1];
  const isDir = (p: string) => statSync(join(cwd, p), { throwIfNoEntry: false })?.isDirectory() ?? false;
  const schema = rel(
    pkg?.prisma?.schema ?? fromConfig ?? ['prisma/schema.prisma', 'prisma/schema', 'schema.prisma'].find((p) => existsSync(join(cwd, p))) ?? 'prisma/schema.prisma',
  );
  if (migrationsPath) return { schema, migrations: rel(migrationsPath) };
  let datasourceDir = isDir(schema) ? schema : schema.includes('/') ? schema.slice(0, schema.lastIndexOf('/')) : '.';
  if (isDir(schema))
    for (const f of readdirSync(join(cwd, schema), { recursive: true }) as string[]) {
      if (!f.endsWith('.prisma')) continue;
      try {
        // locating the file, not reading the schema: Prisma's own parser reads it later
        if (/^\s*datasource\s+\w+\s*\{/m.test(readFileSync(join(cwd, schema, f), 'utf8'))) {
          datasourceDir = join(schema, f).split('\\').join('/').replace(/\/[^/]+$/, '');
          break;
        }
      } catch {
        /* unreadable: Prisma will say so */
      }
    }
  return { schema, migrations: datasourceDir === '.' ? 'migrations' : `${datasourceDir}/migrations` };
}

export function describeProject(input: {
  cwd: string;
  pkg?: PackageJson;
  lockfiles: string[];
  typescript: boolean;
  /** The project has a src/ folder. */
  srcDir?: boolean;
  /** The text of drizzle.config.*, when the project has one. */
  drizzleConfig?: string;
  /** A Prisma project's schema and migrations folder, as found (see prismaFiles). */
  prisma?: { schema: string; migrations: string };
  /** Last-modified times (ms) of the lockfiles, when there are several. */
  lockfileTimes?: Record<string, number>;
  /** The local Node.js version (process.versions.node). */
  nodeVersion?: string;
  /** The app's own Node pin: the text of .nvmrc or .node-version. */
  nodePin?: string;
  /** Does this project-relative path exist (a migrations folder)? */
  exists?: (rel: string) => boolean;
}): ProjectInfo {
  const { cwd, pkg, lockfiles } = input;
  const warnings: string[] = [];
  const deps = { ...pkg?.dependencies, ...pkg?.devDependencies };
  const dependencies = Object.keys(deps).sort();
  const fw = FRAMEWORKS.find((f) => f.deps.some((d) => d in deps));
  const scripts = pkg?.scripts ?? {};

  const pm = choosePackageManager(pkg?.packageManager, lockfiles, input.lockfileTimes);
  const packageManager = pm.manager;
  if (pm.warning) warnings.push(pm.warning);

  const worker = ['worker', 'start:worker', 'worker:start'].find((s) => scripts[s]);
  const found = migrateScripts(scripts);
  const prisma = 'prisma' in deps || '@prisma/client' in deps;
  // A Prisma app's "migrate" script is often `prisma migrate dev`, which must never run on deploy: only
  // a script that runs `prisma migrate deploy` alone is the app's deploy script.
  const migrate = prisma ? Object.keys(scripts).find((s) => PRISMA_DEPLOY.test(scripts[s]!)) : found.safe;
  const port = portFromScripts(scripts) ?? fw?.port ?? 3000;
  const run = (script: string) => (packageManager === 'npm' ? `npm run ${script}` : `${packageManager} run ${script}`);
  const exec = (bin: string) => `${EXEC[packageManager]} ${bin}`;
  const hasLock = pm.lockfile !== undefined;
  // render.yaml sets NODE_ENV=production, which makes npm and pnpm skip devDependencies: the build
  // (TypeScript, bundlers) and the pre-deploy migrations (node-pg-migrate, drizzle-kit) need them.
  const install = {
    npm: hasLock ? 'npm ci --include=dev' : 'npm install --include=dev',
    pnpm: 'corepack enable && pnpm install --frozen-lockfile --prod=false',
    // yarn 1 skips devDependencies under NODE_ENV=production too; yarn 2+ installs them always and has --immutable
    yarn: /^yarn@(?:[2-9]|\d{2,})\./.test(pkg?.packageManager ?? '') ? 'corepack enable && yarn install --immutable' : 'corepack enable && yarn install --frozen-lockfile --production=false',
    bun: 'bun install --frozen-lockfile',
  }[packageManager];

  // The tool is read from any migrate script; only a script that is safe in production applies migrations.
  const migrations = {
    ...migrationSetup(deps, migrate ? { name: migrate, command: scripts[migrate]! } : prisma ? undefined : found.any, input.drizzleConfig, input.prisma, packageManager),
    script: migrate,
  };
  return {
    cwd,
    name: slug(pkg?.name?.replace(/^@[^/]+\//, '') || basename(cwd)) || 'app',
    hasPackageJson: pkg !== undefined,
    packageManager,
    lockfile: pm.lockfile,
    framework: fw?.id ?? 'node',
    frameworkName: fw?.name ?? 'Node.js',
    typescript: input.typescript || 'typescript' in deps,
    moduleType: pkg?.type === 'module' ? 'module' : 'commonjs',
    srcDir: input.srcDir ?? false,
    port,
    scripts: { build: scripts.build, start: scripts.start, worker, migrate },
    migrations,
    migrateDeploy: deployForm(migrations, deps, scripts, { run, exec }, input.exists ?? (() => false), warnings),
    packageManagerWhy: pm.why,
    nodeVersion: nodeVersion(input.nodeVersion, pkg?.engines?.node, input.nodePin, warnings),
    warnings,
    dependencies,
    commands: {
      install,
      build: scripts.build ? `${install} && ${run('build')}` : install,
      start: scripts.start ? (packageManager === 'npm' ? 'npm start' : run('start')) : 'node index.js',
      worker: worker ? run(worker) : undefined,
      run,
      exec,
    },
  };
}

export const DRIZZLE_CONFIGS = ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.mts', 'drizzle.config.json'];

const PRISMA_DEPLOY = /^\s*(?:npx\s+|pnpm\s+(?:exec\s+)?|yarn\s+|bunx\s+|bun\s+x\s+)?prisma\s+migrate\s+deploy\b[^&|;]*$/;
/** Runs the project's own prisma bin, as each package manager does. */
/** How each package manager runs a project's own binary (node_modules/.bin). */
const EXEC: Record<PackageManager, string> = { npm: 'npx', pnpm: 'pnpm exec', yarn: 'yarn', bun: 'bunx' };
export const PRISMA_EXEC = Object.fromEntries(Object.entries(EXEC).map(([pm, e]) => [pm, `${e} prisma`])) as Record<PackageManager, string>;

export function migrationSetup(
  deps: Record<string, string>,
  script: { name: string; command: string } | undefined,
  drizzleConfig?: string,
  prisma?: { schema: string; migrations: string },
  packageManager: PackageManager = 'npm',
): MigrationSetup {
  const cmd = script?.command ?? '';
  if ('prisma' in deps || '@prisma/client' in deps || /\bprisma\b/.test(cmd))
    return {
      tool: 'prisma',
      dir: prisma?.migrations ?? 'prisma/migrations',
      schema: prisma?.schema ?? 'prisma/schema.prisma',
      script: script?.name,
      // the deploy form only: never migrate dev, migrate reset or db push on a deploy
      deploy: script ? undefined : `${PRISMA_EXEC[packageManager]} migrate deploy`,
    };
  if (drizzleConfig !== undefined || /\bdrizzle-kit\b/.test(cmd)) {
    const out = /\bout\s*["']?\s*:\s*["'`]\.?\/?([^"'`]+?)\/?["'`]/.exec(drizzleConfig ?? '')?.[1];
    return { tool: 'drizzle', dir: out ?? 'drizzle', script: script?.name };
  }
  if (script && !/\bnode-pg-migrate\b/.test(cmd)) return { tool: 'other', dir: 'migrations', script: script.name };
  const dir = /(?:-m|--migrations-dir|--migrationsDir)[ =]["']?([^\s"']+)/.exec(cmd)?.[1]?.replace(/^\.\//, '').replace(/\/$/, '');
  return { tool: 'node-pg-migrate', dir: dir ?? 'migrations', script: script?.name };
}

/** Scripts that apply migrations, most specific first: a deploy form wins over a general one. */
const MIGRATE_SCRIPTS = ['migrate:deploy', 'db:migrate:deploy', 'db:deploy', 'migrate:prod', 'db:migrate:prod', 'db:migrate', 'migrate'];

/**
 * Commands for development only: they create migrations from a schema diff, reset or drop the database,
 * push a schema without migrations, or roll back. Production never runs them.
 */
const DEV_ONLY =
  /\b(?:migrate\s+(?:dev|reset|diff)|db\s+push|drizzle-kit\s+(?:push|generate|drop)|node-pg-migrate\s+(?:create|down|redo)|(?:migrate|migration|schema|db):(?:rollback|make|reset|fresh|undo|revert|generate|create|sync|drop|push|migrate:undo)\b)|--force-reset\b|--accept-data-loss\b/;
const RUNNERS = /\b(?:npm|pnpm|yarn|bun)\s+(?:run(?:-script)?\s+)?([\w:.-]+)|\brun-[sp]\s+([\w:. -]+)|\bnpm-run-all\b((?:\s+[\w:.-]+)+)/g;

/**
 * The development command a script runs, directly or through the scripts it runs (`npm run db:push`),
 * or undefined when it runs none. The command text decides, not the script's name.
 */
export function devOnlyCommand(name: string, scripts: Record<string, string>, seen: Set<string> = new Set()): string | undefined {
  const command = scripts[name];
  if (command === undefined || seen.has(name)) return undefined;
  seen.add(name);
  for (const m of command.matchAll(RUNNERS))
    for (const ref of (m[1] ?? m[2] ?? m[3] ?? '').trim().split(/\s+/))
      if (ref && ref !== name && ref in scripts) {
        const runs = devOnlyCommand(ref, scripts, seen);
        if (runs) return runs;
      }
  return DEV_ONLY.test(command) ? command : undefined;
}

/** The app's migrate scripts: the first that is safe in production, and the first of any kind (for the tool). */
export function migrateScripts(scripts: Record<string, string>): { safe?: string; any?: { name: string; command: string }; unsafe: { name: string; runs: string }[] } {
  const present = MIGRATE_SCRIPTS.filter((n) => scripts[n] !== undefined);
  const unsafe = present.flatMap((n) => {
    const runs = devOnlyCommand(n, scripts);
    return runs ? [{ name: n, runs }] : [];
  });
  const safe = present.find((n) => !unsafe.some((u) => u.name === n));
  const first = safe ?? present[0];
  return { safe, any: first ? { name: first, command: scripts[first]! } : undefined, unsafe };
}

/**
 * What production runs to apply migrations: the app's deploy script, else the tool's deploy command
 * (Prisma's `migrate deploy`, `drizzle-kit migrate`, `node-pg-migrate up`) when the app has migrations
 * for it. A development-only migrate script is never used, and the user hears why.
 */
function deployForm(
  setup: MigrationSetup,
  deps: Record<string, string>,
  scripts: Record<string, string>,
  cmd: { run: (s: string) => string; exec: (bin: string) => string },
  exists: (rel: string) => boolean,
  warnings: string[],
): { command: string; why: string } | undefined {
  const { unsafe } = migrateScripts(scripts);
  let form: { command: string; why: string } | undefined;
  if (setup.script) form = { command: cmd.run(setup.script), why: `the app's "${setup.script}" script` };
  else if (setup.tool === 'prisma') form = { command: setup.deploy ?? cmd.exec('prisma migrate deploy'), why: `Prisma's production command: it applies ${setup.dir}/ and never resets or diffs` };
  else if (setup.tool === 'drizzle' && exists(`${setup.dir}/meta/_journal.json`)) form = { command: cmd.exec('drizzle-kit migrate'), why: `drizzle-kit's production command: it applies ${setup.dir}/ as journaled` };
  else if (setup.tool === 'node-pg-migrate' && 'node-pg-migrate' in deps && exists(setup.dir))
    form = { command: cmd.exec(`node-pg-migrate up${setup.dir === 'migrations' ? '' : ` -m ${setup.dir}`}`), why: `node-pg-migrate's up: it applies ${setup.dir}/ in order` };
  for (const u of unsafe)
    warnings.push(
      `the "${u.name}" script runs \`${u.runs}\`, a development command (it can create, reset or drop schema): production ${form ? `runs \`${form.command}\` instead` : 'runs no migrations; add a "migrate:deploy" script'}`,
    );
  return form;
}

/**
 * The package manager: package.json's `packageManager` field wins (Corepack reads it too), then the
 * lockfile that matches it. Without the field, one lockfile decides; with several, the one written last
 * (the manager the team ran most recently), and when they were written within the same minute (a fresh
 * clone gives every file the same time), package-lock.json, since npm comes with Node.
 */
export function choosePackageManager(
  field: string | undefined,
  lockfiles: string[],
  times: Record<string, number> = {},
): { manager: PackageManager; lockfile?: string; why?: string; warning?: string } {
  const managerOf = (f: string) => LOCKFILES.find(([l]) => l === f)![1];
  const named = field?.split('@')[0];
  if (named && (['npm', 'pnpm', 'yarn', 'bun'] as string[]).includes(named)) {
    const manager = named as PackageManager;
    const lockfile = lockfiles.find((f) => managerOf(f) === manager);
    const others = lockfiles.filter((f) => managerOf(f) !== manager);
    const why = `package.json's packageManager is ${field}`;
    return {
      manager,
      lockfile,
      why,
      warning: others.length ? `${why}: using ${manager}${lockfile ? ` and ${lockfile}` : ''}; ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} ignored (delete ${others.length > 1 ? 'them' : 'it'} if no one uses ${others.map(managerOf).join('/')})` : undefined,
    };
  }
  if (lockfiles.length <= 1) return { manager: lockfiles[0] ? managerOf(lockfiles[0]) : 'npm', lockfile: lockfiles[0] };
  const newest = [...lockfiles].sort((a, b) => (times[b] ?? 0) - (times[a] ?? 0));
  const spread = (times[newest[0]!] ?? 0) - (times[newest.at(-1)!] ?? 0);
  const lockfile = spread > 60_000 ? newest[0]! : lockfiles.includes('package-lock.json') ? 'package-lock.json' : newest[0]!;
  const manager = managerOf(lockfile);
  const why =
    spread > 60_000
      ? `${lockfile} is the lockfile written last`
      : lockfile === 'package-lock.json'
        ? 'the lockfiles were written at the same time, and npm comes with Node'
        : `${lockfile} is the lockfile written last`;
  return {
    manager,
    lockfile,
    why,
    warning: `${lockfiles.join(' and ')} are both here and package.json has no packageManager field: using ${manager} (${why}). Set "packageManager" in package.json, or delete the other lockfile, to decide`,
  };
}

/**
 * The Node.js version for Render (NODE_VERSION): the app's own pin (.nvmrc, .node-version) when it has one,
 * else the local major; never newer than package.json's engines.node allows (the newest major it allows
 * that is not newer than the local one).
 */
export function nodeVersion(local: string | undefined, engines: string | undefined, pin: string | undefined, warnings: string[]): string | undefined {
  const pinned = /^v?(\d+(?:\.\d+){0,2})$/.exec(pin ?? '')?.[1];
  if (pinned) return pinned;
  const mine = Number(/^v?(\d+)/.exec(local ?? '')?.[1]);
  if (!mine) return undefined;
  if (!engines?.trim()) return String(mine);
  for (let m = mine; m >= 16; m--) if (allowsMajor(engines, m)) return String(m);
  // Only newer majors are allowed: the oldest of them, said out loud (the local Node is older).
  for (let m = mine + 1; m <= mine + 10; m++)
    if (allowsMajor(engines, m)) {
      warnings.push(`package.json's engines.node (${engines}) does not allow your local Node ${mine}: Render will run Node ${m}`);
      return String(m);
    }
  return String(mine);
}

/** Does a semver range (engines.node) allow some version of this major? Ranges joined by || are alternatives. */
export function allowsMajor(range: string, major: number): boolean {
  return range.split('||').some((alt) => {
    const text = alt.trim().replace(/\s+-\s+/, ' - ');
    if (!text || text === '*' || text === 'x') return true;
    let lo = -Infinity;
    let hi = Infinity; // the allowed interval of versions, as numbers major*1e6 + minor*1e3 + patch
    const num = (v: string) => {
      const [a, b, c] = v.replace(/^v/, '').split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
      return { major: a ?? NaN, minor: b, patch: c };
    };
    const at = (x: { major: number; minor?: number; patch?: number }) => x.major * 1e6 + (Number.isNaN(x.minor ?? NaN) ? 0 : x.minor!) * 1e3 + (Number.isNaN(x.patch ?? NaN) ? 0 : x.patch!);
    const next = (x: { major: number; minor?: number }) => (x.minor === undefined || Number.isNaN(x.minor) ? (x.major + 1) * 1e6 : x.major * 1e6 + (x.minor + 1) * 1e3);
    const hyphen = /^(\S+) - (\S+)$/.exec(text);
    const parts = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : text.split(/\s+/);
    for (const part of parts) {
      const m = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(part);
      if (!m) return false;
      const v = num(m[2]!);
      if (Number.isNaN(v.major)) return true; // a form this reading does not know: do not refuse on it
      const op = m[1] ?? '';
      if (op === '>=') lo = Math.max(lo, at(v));
      else if (op === '>') lo = Math.max(lo, Number.isNaN(v.minor ?? NaN) ? (v.major + 1) * 1e6 : at(v) + 1);
      else if (op === '<') hi = Math.min(hi, at(v) - 1);
      else if (op === '<=') hi = Math.min(hi, Number.isNaN(v.minor ?? NaN) ? (v.major + 1) * 1e6 - 1 : at(v));
      else if (op === '^') (lo = Math.max(lo, at(v))), (hi = Math.min(hi, (v.major + 1) * 1e6 - 1));
      else if (op === '~') (lo = Math.max(lo, at(v))), (hi = Math.min(hi, next(v) - 1));
      else (lo = Math.max(lo, at(v))), (hi = Math.min(hi, Number.isNaN(v.minor ?? NaN) ? (v.major + 1) * 1e6 - 1 : Number.isNaN(v.patch ?? NaN) ? next(v) - 1 : at(v)));
    }
    return lo <= hi && lo < (major + 1) * 1e6 && hi >= major * 1e6;
  });
}

function portFromScripts(scripts: Record<string, string>): number | undefined {
  for (const name of ['start', 'dev', 'preview']) {
    const s = scripts[name];
    const m = s && /(?:--port[ =]|-p\s+|\bPORT=)(\d{2,5})\b/.exec(s);
    if (m) {
      const n = Number(m[1]);
      if (n > 0 && n < 65536) return n;
    }
  }
  return undefined;
}

export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}
