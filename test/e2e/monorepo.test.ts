// Monorepos end to end: the built CLI run on the fixture monorepos (test/fixtures/monorepos) against a real
// PostgreSQL 15: pnpm + a Vite SPA, yarn + Expo and a browser extension, --apps, the app picker in a pty,
// --dry-run masking, and an env file tracked by git. (The npm + turbo fixture: monorepo-npm.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parse as parseDotenv } from 'dotenv';
import { startPostgres } from '../harness/postgres.ts';
import { withServers } from '../helpers/servers.ts';
import { answer, KEY, runPty } from '../helpers/pty.ts';
import { acceptSettings, answerPlan, fill } from '../helpers/wizard.ts';
import { checkBlueprint, checkEnvFiles, checkIgnored, cli, database as makeDatabase, fixture, FIXTURES, git, NPM_ENV, packageManagers, sh, tableCount, tempDir, type Service } from '../helpers/monorepo.ts';

const { pg } = withServers({ pg: () => startPostgres({ password: 'pg-Mono#secret' }) });
const database = () => makeDatabase(pg, 'mono');

test('pnpm workspaces: the Vite SPA is a static site with its rewrite and the API URL from the API service; the Hono API a web service', async () => {
  const dir = await fixture('pnpm-vite-hono');
  const r = await cli(['--yes', '--providers', 'app,postgres'], dir, { DATABASE_URL: await database() });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const services = checkBlueprint(dir, { 'shop-api': 'web', 'shop-web': 'static' });
  const web = services.find((s) => s.name === 'shop-web')!;
  assert.deepEqual(web.routes, [{ type: 'rewrite', source: '/*', destination: '/index.html' }]);
  assert.equal(web.staticPublishPath, 'apps/web/dist');
  assert.equal(web.buildCommand, 'corepack enable && pnpm install --frozen-lockfile --prod=false && pnpm --filter "web..." run build');
  assert.deepEqual(web.envVars, [
    { key: 'NODE_VERSION', value: process.versions.node.split('.')[0] },
    { key: 'VITE_API_URL', fromService: { type: 'web', name: 'shop-api', envVarKey: 'RENDER_EXTERNAL_URL' } },
    { key: 'VITE_STRIPE_PUBLISHABLE_KEY', sync: false },
  ]);
  const api = services.find((s) => s.name === 'shop-api')!;
  assert.equal(api.startCommand, 'pnpm --filter api run start');
  assert.equal(api.healthCheckPath, '/health');
  assert.ok(!api.envVars!.some((e) => e.key === 'VITE_API_URL'));
  checkEnvFiles(dir, {
    'apps/api': { env: '.env', has: ['DATABASE_URL', 'JWT_SECRET', 'CORS_ORIGINS', 'PORT'] },
    'apps/web': { env: '.env.local', has: ['VITE_API_URL'] },
  });
  const webEnv = parseDotenv(readFileSync(join(dir, 'apps/web/.env.local'), 'utf8'));
  assert.deepEqual(Object.keys(webEnv), ['VITE_API_URL'], 'a static site gets no server secret');
  await checkIgnored(dir, ['apps/api/.env', 'apps/web/.env.local']);
});

test('yarn workspaces: the Expo app and the extension get no service; the API and its worker script share env; the API\'s migrations applied by its own script; run from inside apps/api', async () => {
  const dir = await fixture('yarn-expo');
  const PATH = await packageManagers();
  const install = await sh('yarn install --frozen-lockfile', dir, { ...NPM_ENV, PATH }); // the user's monorepo, installed
  assert.equal(install.code, 0, install.stdout + install.stderr);
  const url = await database();
  const r = await cli(['--yes', '--providers', 'app,postgres'], join(dir, 'apps', 'api'), { DATABASE_URL: url, PATH });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /run from apps\/api/);
  assert.match(r.stdout, /- apps\/mobile +Expo app: ships to app stores, not to Render/);
  const services = checkBlueprint(dir, { 'trips-api': 'web', 'trips-api-worker': 'worker', 'trips-site': 'static' });
  assert.ok(!readFileSync(join(dir, 'render.yaml'), 'utf8').includes('mobile'), 'no service for the mobile app');
  const api = services.find((s) => s.name === 'trips-api')!;
  assert.equal(api.preDeployCommand, 'yarn workspace api run db:migrate', "the app's own migrate script, in the app that owns the migrations");
  assert.equal(services.find((s) => s.name === 'trips-api-worker')!.startCommand, 'yarn workspace api run worker');
  assert.equal(await tableCount(url, 'trips'), 1, "the API's migration was applied with its own script, through yarn");
  const site = services.find((s) => s.name === 'trips-site')!;
  assert.equal(site.routes, undefined, 'Astro static output has a page per route: no SPA rewrite');
  checkEnvFiles(dir, { 'apps/api': { env: '.env', has: ['DATABASE_URL', 'PORT'] }, 'apps/site': { env: '.env.local', has: ['PUBLIC_API_URL'] } });
  assert.ok(!existsSync(join(dir, 'apps/mobile/.env')) && !existsSync(join(dir, 'apps/mobile/.env.local')) && !existsSync(join(dir, 'apps/api/src/.env')));

  // A teammate's clone: prod-ready.json lists the apps, no env file yet; join writes the env files and nothing else.
  const committed = Object.fromEntries(['render.yaml', 'prod-ready.json', 'apps/api/.env.example'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  rmSync(join(dir, 'apps/api/.env'));
  rmSync(join(dir, 'apps/site/.env.local'));
  const joined = await cli(['join', '--yes'], dir, { DATABASE_URL: await database(), PATH });
  assert.equal(joined.code, 0, joined.stdout + joined.stderr);
  assert.match(joined.stdout, /Wrote apps\/api\/\.env, apps\/site\/\.env\.local\n/);
  for (const [f, text] of Object.entries(committed)) assert.equal(readFileSync(join(dir, f), 'utf8'), text, `${f} unchanged by join`);

  // --apps chooses; a mobile app is refused with the deployable ones named
  const only = await cli(['--yes', '--skip-verify', '--providers', 'app', '--apps', 'mobile'], dir);
  assert.equal(only.code, 2);
  assert.match(only.stderr + only.stdout, /--apps: mobile \(Expo app: ships to app stores, not to Render\)/);
  assert.match(only.stderr + only.stdout, /deployable apps: apps\/api, apps\/site/);
});

test('--apps deploys only the apps named; on a single app it is a usage error', async () => {
  const dir = await fixture('pnpm-vite-hono');
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app', '--apps', 'web'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const names = (parse(readFileSync(join(dir, 'render.yaml'), 'utf8')) as { services: Service[] }).services.map((s) => s.name);
  assert.deepEqual(names, ['shop-web']);
  assert.ok(!existsSync(join(dir, 'apps/api/.env')));
  const single = tempDir('cpr-single-');
  cpSync(join(FIXTURES, 'npm-turbo', 'apps', 'worker', 'package.json'), join(single, 'package.json'));
  const bad = await cli(['--yes', '--skip-verify', '--apps', 'web'], single);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr + bad.stdout, /--apps: no workspace with a deployable app was found/);
});

test('an app that reads a key under its own name: written there, rotated there, and checked without mixing two apps\' APP_URL and PORT', async () => {
  const dir = await fixture('npm-turbo');
  // the worker verifies what the API signs, under its own name (an alias of JWT_SECRET)
  const worker = join(dir, 'apps/worker/src/worker.js');
  writeFileSync(worker, readFileSync(worker, 'utf8').replace('const url = process.env.DATABASE_URL;', 'const url = process.env.DATABASE_URL;\nconst signing = process.env.SESSION_SECRET;'));
  const r = await cli(['--yes', '--providers', 'app'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const env = (app: string) => parseDotenv(readFileSync(join(dir, app, '.env'), 'utf8'));
  const first = env('apps/api').JWT_SECRET!;
  assert.equal(env('apps/worker').SESSION_SECRET, first, 'one secret, under the name each app reads');
  assert.equal(env('apps/worker').JWT_SECRET, undefined);

  const rotated = await cli(['rotate', 'JWT_SECRET', '--yes'], join(dir, 'apps', 'worker'));
  assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
  const fresh = env('apps/api').JWT_SECRET!;
  assert.notEqual(fresh, first, 'a new secret');
  assert.equal(env('apps/worker').SESSION_SECRET, fresh, 'the worker got it under its name, not the old one kept beside a new JWT_SECRET');
  assert.equal(env('apps/worker').JWT_SECRET, undefined);
  assert.doesNotMatch(rotated.stdout + rotated.stderr, /uses port/, "APP_URL is the frontend's address, PORT the API's");

  const checked = await cli(['check'], dir);
  assert.match(checked.stdout, /✔ App settings/);
  assert.doesNotMatch(checked.stdout, /uses port|JWT_SECRET/, checked.stdout);
});

test('a package on SQLite in a monorepo is named with what says so; --from-sqlite, which moves a single app, exits 2 and writes nothing', async () => {
  const dir = await fixture('npm-turbo');
  const config = join(dir, 'packages/db/drizzle.config.js');
  writeFileSync(config, readFileSync(config, 'utf8').replace("dialect: 'postgresql'", "dialect: 'sqlite'"));
  const refused = await cli(['--yes', '--providers', 'app', '--from-sqlite'], dir);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /--from-sqlite moves a single app from SQLite, not a package of a monorepo/);
  assert.ok(!existsSync(join(dir, 'render.yaml')), 'nothing written');
  const r = await cli(['--yes', '--providers', 'app'], dir);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /packages\/db: SQLite found: drizzle\.config\.js: dialect "sqlite".*this package keeps reading SQLite: --from-sqlite moves a single app only/);
});

test('the wizard in a monorepo: the packages that are not deployed are named, and the person picks the apps', async () => {
  const dir = await fixture('yarn-expo');
  const s = runPty(['--providers', 'app', '--skip-verify'], { cwd: dir });
  await s.waitForPrompt(/Which apps do you deploy\?/);
  const screen = s.screen();
  assert.match(screen, /Detected monorepo trips: yarn workspaces, 5 packages/);
  assert.match(screen, /Not deployed: apps\/mobile +Expo app/);
  assert.match(screen, /Not deployed: apps\/extension +browser extension/);
  assert.match(screen, /◼ apps\/api[\s\S]*◼ apps\/site/, 'every deployable app preselected');
  s.write(KEY.down);
  s.write(KEY.space); // apps/site off
  await s.waitFor(/◻ apps\/site/);
  await answer(s, /Which apps do you deploy\?/);
  // the apps' settings are confirmed at once (main's first-run flow), then the plan
  await s.waitForPrompt(/Use these settings\?/);
  assert.match(s.screen(), /APP_URL +http:\/\/localhost:\d+/);
  await fill(s, {});
  await answerPlan(s, /Write \d+ files\?/, 'Yes');
  assert.equal((await s.exit).code, 0, s.transcript());
  const names = (parse(readFileSync(join(dir, 'render.yaml'), 'utf8')) as { services: Service[] }).services.map((x) => x.name);
  assert.deepEqual(names, ['trips-api', 'trips-api-worker']);
  assert.ok(existsSync(join(dir, 'apps/api/.env')) && !existsSync(join(dir, 'apps/site/.env.local')));
});

test('--dry-run in a monorepo: every app env file is masked in the diff, even keys this tool does not know; nothing is written', async () => {
  const dir = await fixture('npm-turbo');
  writeFileSync(join(dir, 'apps/api/.env'), 'QUEUE_PASSWORD=queue-pass-Secret-123\n');
  const r = await cli(['--yes', '--skip-verify', '--dry-run', '--providers', 'app,postgres'], dir, { DATABASE_URL: 'postgres://u:db-pass-Secret-456@localhost:5432/d' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /update +apps\/api\/\.env \(mode 0600\)/);
  assert.match(r.stdout, /create +apps\/web\/\.env\.local \(mode 0600\)/);
  for (const secret of ['queue-pass-Secret-123', 'db-pass-Secret-456']) assert.ok(!(r.stdout + r.stderr).includes(secret), `${secret} never printed`);
  assert.equal(readFileSync(join(dir, 'apps/api/.env'), 'utf8'), 'QUEUE_PASSWORD=queue-pass-Secret-123\n');
  assert.ok(!existsSync(join(dir, 'render.yaml')));
});

test('an app env file tracked by git, the same rule as for one app: --yes exits 2 naming it, nothing written; the wizard offers git rm --cached, then writes', async () => {
  const dir = await fixture('pnpm-vite-hono');
  writeFileSync(join(dir, 'apps/api/.env'), 'PORT=8787\n');
  assert.equal((await git(dir, 'add', '-f', 'apps/api/.env')).code, 0);
  assert.equal((await git(dir, 'commit', '-qm', 'oops: apps/api/.env')).code, 0);
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app'], dir);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /apps\/api\/\.env is tracked by git: no secret is written into it\. Nothing was written\./);
  assert.match(r.stderr, /git rm --cached apps\/api\/\.env stops tracking it/);
  assert.ok(!existsSync(join(dir, 'render.yaml')));
  assert.equal(readFileSync(join(dir, 'apps/api/.env'), 'utf8'), 'PORT=8787\n');

  const s = runPty(['--providers', 'app', '--skip-verify'], { cwd: dir });
  await answer(s, /Which apps do you deploy\?/);
  await acceptSettings(s);
  await s.waitFor(/apps\/api\/\.env is tracked by git, and secrets go into it/);
  assert.match(s.screen(), /repository's history still has what was committed/);
  await answer(s, /apps\/api\/\.env is tracked by git, and secrets go into it/, undefined, 'y');
  await answerPlan(s, /Write \d+ files\?/, 'Yes');
  assert.equal((await s.exit).code, 0, s.transcript());
  const tracked = await git(dir, 'ls-files', 'apps/api');
  assert.ok(!tracked.stdout.includes('apps/api/.env\n'), 'git no longer tracks apps/api/.env');
  assert.equal((await git(dir, 'check-ignore', '-q', 'apps/api/.env')).code, 0, '.gitignore now ignores it');
  const env = parseDotenv(readFileSync(join(dir, 'apps/api/.env'), 'utf8'));
  assert.equal(env.PORT, '8787', 'its own value kept');
  assert.equal(env.JWT_SECRET?.length, 43);
});
