// `rehearse` on the fixture apps of the "fit the app" issue (test/fixtures/apps), with their real frameworks:
// each app's package-lock.json is installed from the npm registry by the rehearsal's own build (`npm ci`),
// after `init --yes` against real PostgreSQL and Redis and the providers' stand-ins wrote its render.yaml and
// env files. Per app: it passes where the app is sound, and fails naming the cause where it is not.
//
// Heavy (two Next.js builds on 2 cores, hundreds of packages; two apps at a time): `.ci/run` runs it on one Node major and sets
// PROD_READY_CORPUS=skip on the others, where it is skipped with that reason. npm's cache (~/.npm) is shared
// between runs, so only the first one downloads.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startPostgres, type PgServer } from '../harness/postgres.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import { startStandins, type Standins } from '../standins/all.ts';
import { git } from '../helpers/app-fixtures.ts';
import { fitFixture, type Services } from '../helpers/fit-the-app.ts';
import { rehearse, type Report } from '../helpers/rehearse-run.ts';

const SKIP = process.env.PROD_READY_CORPUS === 'skip' ? 'PROD_READY_CORPUS=skip: .ci/run rehearses the corpus on one Node major only' : false;

let pg: PgServer;
let redis: RedisServer;
let standins: Standins;
let services: Services;
before(async () => {
  if (SKIP) return;
  [pg, redis, standins] = await Promise.all([startPostgres({ password: 'corpus-Pg#secret-3310' }), startRedis({ password: 'corpus-redis-secret-7741' }), startStandins()]);
  services = { pg, redis, overrides: standins.overrides };
});
after(async () => {
  await Promise.all([pg?.stop(), redis?.stop(), standins?.stop()]);
});

function commit(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message, '--allow-empty');
}

/** `npm install`, as the rehearsal tells the developer to run when init changed package.json: the lock catches up (only the lock: the rehearsal installs in its own copy). */
function npmInstall(dir: string): void {
  execFileSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund', '--prefer-offline', '--silent'], { cwd: dir, stdio: 'pipe' });
}

const summary = (r: Report) =>
  r.services.map((s) => `${s.name}: ${s.ok ? 'passed' : `failed at ${s.failedStep}`}\n${s.steps.map((x) => `  ${x.ok ? '✓' : '✗'} ${x.step}: ${x.detail} (${x.seconds} s)${x.output ? `\n    ${x.output.join('\n    ')}` : ''}${x.hint ? `\n    → ${x.hint}` : ''}`).join('\n')}`).join('\n');

interface Unsound {
  /** Turns the sound app into the unsound one before the first rehearsal (a change not committed yet), when the fixture itself is sound. */
  make?: (dir: string) => void;
  /** The services the unsound rehearsal needs (the one the cause is in); the passing one rehearses them all. */
  only?: string[];
  step: string;
  cause: RegExp;
  hint: RegExp;
  /** What the developer does about it (the named cause, nothing else); then the rehearsal passes. */
  fix: (dir: string) => void;
}
/** What each app's rehearsal ends in: every service passes, or the first failure is this step, for this cause. */
const EXPECT: Record<string, { pass: true } | Unsound> = {
  'hono-api': { pass: true },
  'vite-express': { pass: true },
  // A real SvelteKit trap: `$env/static/public` values are inlined by the build, so a key with no value
  // (sync: false in render.yaml, and not in the developer's .env) fails `vite build` itself, on Render too.
  'sveltekit-shop': {
    step: 'build',
    cause: /"PUBLIC_SHOP_NAME" is not exported by "virtual:env\/static\/public"/,
    hint: /the build needs PUBLIC_SHOP_NAME, which has no value here .*enter it in Render's Dashboard/,
    fix: (dir) => appendFileSync(join(dir, '.env.local'), 'PUBLIC_SHOP_NAME=Tiny Shop\n'),
  },
  'next-t3-saas': { pass: true },
  // Prisma without its engine binaries: Prisma Client over @prisma/adapter-pg (engineType = "client"), and
  // prisma.config.ts running migrate's schema engine as WebAssembly over the same adapter. Its config works
  // around prisma/orm#27403; the plain adapter, as Prisma's docs show it, fails `prisma migrate deploy` on
  // the catalog type `name`, on Render too: the rehearsal names it, then passes with the app's own config.
  'express-prisma-worker': {
    make: (dir) => {
      const config = join(dir, 'prisma.config.ts');
      const text = readFileSync(config, 'utf8');
      const plain = text.replace('new PrismaPg(migrationPool(process.env.DATABASE_URL), { disposeExternalPool: true })', 'new PrismaPg({ connectionString: process.env.DATABASE_URL })');
      assert.notEqual(plain, text);
      writeFileSync(config, plain);
    },
    only: ['invoicer-api-web'],
    step: 'pre-deploy',
    cause: /Column type 'name' could not be deserialized from the database/,
    hint: /prisma\/orm#27403.*fails the same way on Render/,
    fix: (dir) => writeFileSync(join(dir, 'prisma.config.ts'), readFileSync(join(import.meta.dirname, '..', 'fixtures', 'apps', 'express-prisma-worker', 'prisma.config.ts'))),
  },
  'next-nextauth': { pass: true },
};

/** Rehearsals are long here: a build installs hundreds of packages, and Next.js compiles on 2 busy cores. */
const rehearseLong = (dir: string, only: string[] = []) => rehearse(dir, ['--timeout', '90', ...only], 480_000);

/**
 * Two apps at a time: much of a rehearsal is waiting (npm ci on the registry, Prisma's schema engine holding
 * its connection 10 s after each migrate, the worker's 10 s, the health check), which the other app's build
 * fills. Ordered so the two Next.js builds do not run together: each starts beside a lighter app.
 */
const ORDER = ['next-t3-saas', 'express-prisma-worker', 'next-nextauth', 'sveltekit-shop', 'hono-api', 'vite-express'];
assert.deepEqual([...ORDER].sort(), Object.keys(EXPECT).sort());

describe('the fixture apps, rehearsed', { concurrency: 2 }, () => {
for (const name of ORDER)
  test(`${name}: init --yes, npm ci of its real dependencies, then rehearse`, { skip: SKIP, timeout: 600_000 }, async () => {
    const fit = await fitFixture(name, services);
    assert.equal(fit.code, 0, `init --yes on ${name}\n${fit.stdout}\n${fit.stderr}`);
    const dir = fit.dir;
    // the tools the fit run linked in stand for an install; the rehearsal installs from the lock instead
    rmSync(join(dir, 'node_modules'), { recursive: true, force: true });
    const lockBefore = readFileSync(join(dir, 'package-lock.json'), 'utf8');
    commit(dir, 'create-prod-ready');
    const blueprint = parse(readFileSync(join(dir, 'render.yaml'), 'utf8')) as { services: { type: string; buildCommand?: string }[] };
    assert.match(blueprint.services.find((s) => s.type === 'web')!.buildCommand ?? '', /^npm ci --include=dev && /, 'installs from the lock, devDependencies included');

    const want = EXPECT[name]!;
    const first = 'pass' in want ? [] : (want.only ?? []);
    if ('make' in want) want.make?.(dir);
    let r = await rehearseLong(dir, first);
    // init added a package to package.json (zod, a migration tool) without touching the lock: npm ci refuses,
    // on Render too; the rehearsal names the packages and says to run npm install, then the deploy is rehearsed again
    const lockHint = r.report.services.map((s) => s.steps.find((x) => !x.ok)).find((x) => x?.step === 'build' && /npm install/.test(x.hint ?? ''));
    if (lockHint) {
      assert.equal(r.code, 1);
      assert.match(lockHint.hint!, /not in the lock: [\w@/.-]+/, 'names the packages init added');
      console.log(`\n${name}: after init, ${lockHint.hint}`);
      npmInstall(dir);
      assert.notEqual(readFileSync(join(dir, 'package-lock.json'), 'utf8'), lockBefore);
      commit(dir, 'npm install');
      r = await rehearseLong(dir, first);
    }
    if (!('pass' in want)) {
      assert.equal(r.code, 1, `${name} fails:\n${summary(r.report)}`);
      const bad = r.report.services.find((s) => !s.ok)!;
      assert.equal(bad.failedStep, want.step, summary(r.report));
      const step = bad.steps.find((x) => !x.ok)!;
      assert.match(`${step.detail}\n${(step.output ?? []).join('\n')}`, want.cause, summary(r.report));
      assert.match(step.hint ?? '', want.hint, summary(r.report));
      console.log(`\n${name} (unsound):\n${summary(r.report)}`);
      want.fix(dir);
      r = await rehearseLong(dir);
    }
    assert.equal(r.code, 0, `${name} passes:\n${summary(r.report)}\n${r.stderr}`);
    assert.ok(r.report.services.every((s) => s.ok));
    console.log(`\n${name}:\n${summary(r.report)}`);
  });
});
