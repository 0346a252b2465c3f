// Project detection: package manager (lockfile), framework (package.json), scripts and port.
// `detectProject` reads a handful of small files; `describeProject` is pure over their contents.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

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
  /** The package.json script that applies them, when there is one. */
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
  dependencies: string[];
  /** Commands for render.yaml, for the detected package manager. */
  commands: { install: string; build: string; start: string; worker?: string; run: (script: string) => string };
  /** A monorepo: the env keys each Render service's app reads, by service name; a push sends a service only those. */
  serviceKeys?: Record<string, string[]>;
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

interface PackageJson {
  name?: string;
  /** Prisma's settings in package.json (before prisma.config.ts): `{ "schema": "db/schema.prisma" }`. */
  prisma?: { schema?: string };
  type?: string;
  packageManager?: string;
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
  const typescript = existsSync(join(cwd, 'tsconfig.json'));
  const srcDir = statSync(join(cwd, 'src'), { throwIfNoEntry: false })?.isDirectory() ?? false;
  const drizzleConfig = DRIZZLE_CONFIGS.map((f) => join(cwd, f)).find((f) => existsSync(f));
  let drizzle: string | undefined;
  try {
    drizzle = drizzleConfig && readFileSync(drizzleConfig, 'utf8');
  } catch {
    drizzle = undefined;
  }
  return describeProject({ cwd, pkg, lockfiles, typescript, srcDir, drizzleConfig: drizzle, prisma: prismaFiles(cwd, pkg) });
}

const PRISMA_CONFIGS = ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.cts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs', '.config/prisma.ts'];
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
}): ProjectInfo {
  const { cwd, pkg, lockfiles } = input;
  const deps = { ...pkg?.dependencies, ...pkg?.devDependencies };
  const dependencies = Object.keys(deps).sort();
  const fw = FRAMEWORKS.find((f) => f.deps.some((d) => d in deps));
  const scripts = pkg?.scripts ?? {};

  const fromLock = LOCKFILES.find(([f]) => lockfiles.includes(f))?.[1];
  const fromField = pkg?.packageManager?.split('@')[0] as PackageManager | undefined;
  const packageManager: PackageManager =
    fromLock ?? (fromField && ['npm', 'pnpm', 'yarn', 'bun'].includes(fromField) ? fromField : 'npm');

  const worker = ['worker', 'start:worker', 'worker:start'].find((s) => scripts[s]);
  const prisma = 'prisma' in deps || '@prisma/client' in deps;
  // A Prisma app's "migrate" script is often `prisma migrate dev`, which must never run on deploy: only
  // a script that runs `prisma migrate deploy` alone is the app's deploy script.
  const migrate = prisma
    ? Object.keys(scripts).find((s) => PRISMA_DEPLOY.test(scripts[s]!))
    : ['db:migrate', 'migrate'].find((s) => scripts[s]);
  const port = portFromScripts(scripts) ?? fw?.port ?? 3000;
  const run = (script: string) => (packageManager === 'npm' ? `npm run ${script}` : `${packageManager} run ${script}`);
  const hasLock = lockfiles.length > 0;
  // render.yaml sets NODE_ENV=production, which makes npm and pnpm skip devDependencies: the build
  // (TypeScript, bundlers) and the pre-deploy migrations (node-pg-migrate, drizzle-kit) need them.
  const install = {
    npm: hasLock ? 'npm ci --include=dev' : 'npm install --include=dev',
    pnpm: 'corepack enable && pnpm install --frozen-lockfile --prod=false',
    yarn: 'corepack enable && yarn install --frozen-lockfile',
    bun: 'bun install --frozen-lockfile',
  }[packageManager];

  return {
    cwd,
    name: slug(pkg?.name?.replace(/^@[^/]+\//, '') || basename(cwd)) || 'app',
    hasPackageJson: pkg !== undefined,
    packageManager,
    framework: fw?.id ?? 'node',
    frameworkName: fw?.name ?? 'Node.js',
    typescript: input.typescript || 'typescript' in deps,
    moduleType: pkg?.type === 'module' ? 'module' : 'commonjs',
    srcDir: input.srcDir ?? false,
    port,
    scripts: { build: scripts.build, start: scripts.start, worker, migrate },
    migrations: migrationSetup(deps, migrate ? { name: migrate, command: scripts[migrate]! } : undefined, input.drizzleConfig, input.prisma, packageManager),
    dependencies,
    commands: {
      install,
      build: scripts.build ? `${install} && ${run('build')}` : install,
      start: scripts.start ? (packageManager === 'npm' ? 'npm start' : run('start')) : 'node index.js',
      worker: worker ? run(worker) : undefined,
      run,
    },
  };
}

const DRIZZLE_CONFIGS = ['drizzle.config.ts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.mts', 'drizzle.config.json'];

const PRISMA_DEPLOY = /^\s*(?:npx\s+|pnpm\s+(?:exec\s+)?|yarn\s+|bunx\s+|bun\s+x\s+)?prisma\s+migrate\s+deploy\b[^&|;]*$/;
/** Runs the project's own prisma bin, as each package manager does. */
export const PRISMA_EXEC: Record<PackageManager, string> = { npm: 'npx prisma', pnpm: 'pnpm exec prisma', yarn: 'yarn prisma', bun: 'bunx prisma' };

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
