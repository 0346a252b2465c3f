// One `init --yes` over a fixture app (test/fixtures/apps), as a developer runs it in their repository:
// the real CLI (bin → dist), real PostgreSQL and Redis, the hosted providers' stand-ins. Shared by
// test/e2e/fit-the-app.test.ts and `npm run bench` (the env coverage figure per fixture).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import { loadProviders } from '../../providers/index.ts';
import { detectContract, type EnvContract } from '../../src/core/contract.ts';
import { coverage } from '../../src/core/env-names.ts';
import { PROVIDER_IDS } from '../../src/core/provider.ts';
import type { PgServer } from '../harness/postgres.ts';
import type { RedisServer } from '../harness/redis.ts';
import { KEYS as CLERK } from '../standins/clerk.ts';
import { KEYS as STRIPE } from '../standins/stripe.ts';
import { fixtureApp, fixtureInfo } from './app-fixtures.ts';
import { linkTools } from './project.ts';
import { linkPrisma } from './prisma.ts';
import { BIN, cleanEnv } from './pty.ts';
import { run as runCommand } from './cli.ts';

/** A webhook signing secret as `stripe listen --print-secret` prints it. */
export const WHSEC = 'whsec_fixtureListenSecret0123456789abcdef';

export interface Services {
  pg: PgServer;
  redis: RedisServer;
  overrides: Record<string, string>;
}
/** The services of one run, with a database of its own (the app's migrations create the same tables). */
type RunServices = Services & { dbUrl: string };
let databases = 0;

/**
 * How a developer of each app gives the run its values: some in the environment, some already in their
 * git-ignored env file, under the app's own names or the tool's, and placeholders copied from .env.example.
 */
export interface FixtureRun {
  /** Values in the environment of the run. */
  env(s: RunServices): Record<string, string>;
  /** Files the developer already has (git-ignored: never committed). */
  files?(s: RunServices): Record<string, string>;
  /** Migration tools "installed" (linked from this repository's node_modules). */
  tools?: string[];
  /**
   * Prisma linked with its bin (prisma, @prisma/*, pg, dotenv: what the app's own prisma.config.ts imports), so
   * the run's `prisma migrate deploy` really runs, over the app's driver adapter (no engine binary to download).
   */
  prisma?: true;
}

export const RUNS: Record<string, FixtureRun> = {
  'next-t3-saas': {
    // Clerk's keys already in .env.local under the app's name; Stripe's given under the tool's names
    env: (s) => ({ DATABASE_URL: s.dbUrl, STRIPE_SECRET_KEY: STRIPE.test, STRIPE_PUBLISHABLE_KEY: STRIPE.publishableTest, STRIPE_WEBHOOK_SECRET: WHSEC }),
    files: () => ({
      '.env.local': `NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=${CLERK.devPublishable}\nCLERK_SECRET_KEY=${CLERK.devSecret}\nSTRIPE_WEBHOOK_SECRET=your_stripe_webhook_secret\n`,
    }),
    tools: ['drizzle-kit', 'drizzle-orm', 'pg'],
  },
  'next-nextauth': {
    // everything under the app's own names
    env: (s) => ({
      DATABASE_URL_POSTGRES: s.dbUrl,
      STRIPE_API_KEY: STRIPE.test,
      NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY: STRIPE.publishableTest,
      STRIPE_WEBHOOK_SECRET: WHSEC,
    }),
    prisma: true,
  },
  'express-prisma-worker': {
    env: (s) => ({ DATABASE_URL: s.dbUrl, REDIS_URL: s.redis.url }),
    // `cp .env.example .env`: JWT_SECRET=replace-me and an empty SENTRY_DSN are placeholders
    files: () => ({ '.env': readFileSync(join(import.meta.dirname, '..', 'fixtures', 'apps', 'express-prisma-worker', '.env.example'), 'utf8') }),
    // Prisma "installed" (linked), so the run does not install with the package manager it picks
    prisma: true,
  },
  'vite-express': {
    env: (s) => ({ DATABASE_URL: s.dbUrl, STRIPE_SECRET_KEY: STRIPE.test, VITE_STRIPE_PUBLISHABLE_KEY: STRIPE.publishableTest, STRIPE_WEBHOOK_SECRET: WHSEC }),
    tools: ['node-pg-migrate', 'pg'],
  },
  'sveltekit-shop': {
    env: (s) => ({ DATABASE_URL: s.dbUrl, STRIPE_SECRET_KEY: STRIPE.test, STRIPE_PUBLISHABLE_KEY: STRIPE.publishableTest, STRIPE_WEBHOOK_SECRET: WHSEC }),
    tools: ['node-pg-migrate', 'pg'],
  },
  'hono-api': {
    env: (s) => ({ POSTGRES_URL: s.dbUrl, REDIS_URL: s.redis.url, CLERK_SECRET_KEY: CLERK.devSecret, CLERK_PUBLISHABLE_KEY: CLERK.devPublishable }),
    tools: ['drizzle-kit', 'drizzle-orm', 'pg'],
  },
};

export interface FitResult {
  name: string;
  dir: string;
  code: number;
  stdout: string;
  stderr: string;
  contract: EnvContract;
  /** .env then .env.local, as the framework merges them (dotenv's parser). */
  values: Record<string, string>;
  covered: string[];
  missing: string[];
  /** The values given to the run that are secrets (to prove none reaches a tracked file). */
  secrets: string[];
}

const all = await loadProviders(PROVIDER_IDS);

export function readEnvFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ['.env', '.env.local']) if (existsSync(join(dir, f))) Object.assign(out, dotenv.parse(readFileSync(join(dir, f), 'utf8')));
  return out;
}

/** Runs `init --yes` on a fresh copy of the fixture; `bin` is the CLI to run (another build, for a before/after). */
export async function fitFixture(name: string, s: Services, bin = BIN): Promise<FitResult> {
  const dir = fixtureApp(name);
  const run = RUNS[name]!;
  const db = `fit_${name.replace(/\W/g, '_')}_${++databases}_${process.pid}`;
  await s.pg.sql(`create database "${db}"`);
  const rs: RunServices = { ...s, dbUrl: s.pg.url(db) };
  for (const [f, text] of Object.entries(run.files?.(rs) ?? {})) writeFileSync(join(dir, f), text);
  if (run.tools) linkTools(dir, run.tools);
  if (run.prisma) linkPrisma(dir, ['dotenv']);
  const given = run.env(rs);
  const ran = await runCommand(process.execPath, [bin, '--yes', '--providers', fixtureInfo(name).providers], { cwd: dir, env: cleanEnv({ FORCE_COLOR: '0', ...s.overrides, ...given }), timeoutMs: 180_000 });
  const r = { code: ran.code ?? 1, stdout: ran.stdout, stderr: ran.stderr };
  // The contract as the app has it (read from the fixture, not from what the run wrote).
  const contract = detectContract(fixtureApp(name, { git: false }));
  const values = readEnvFiles(dir);
  const { covered, missing } = coverage(contract, all, values);
  const secretKeys = /SECRET|_KEY$|_URL$|PASSWORD/;
  // values the app's own .env.example documents (smtp://user:pass@localhost…) are not secrets of this run
  const documented = new Set(Object.values(dotenv.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'apps', name, '.env.example'), 'utf8'))));
  const secrets = Object.entries({ ...given, ...values })
    .filter(([, v]) => !documented.has(v))
    .filter(([k, v]) => secretKeys.test(k) && !/PUBLISHABLE|^(NEXT_PUBLIC|VITE|PUBLIC)_|APP_URL|NEXTAUTH_URL|ORIGIN/.test(k) && v.length >= 12 && !/^https?:\/\/localhost/.test(v))
    .map(([, v]) => v);
  return { name, dir, ...r, contract, values, covered, missing, secrets: [...new Set(secrets)] };
}

/** "8/8 (100%)". */
export const coverageFigure = (r: Pick<FitResult, 'covered' | 'missing'>): string => {
  const total = r.covered.length + r.missing.length;
  return `${r.covered.length}/${total} (${total ? Math.round((100 * r.covered.length) / total) : 100}%)`;
};
