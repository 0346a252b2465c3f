// Monorepos end to end, the npm workspaces + turbo fixture: the built CLI run with --yes against a real
// PostgreSQL 15 (the shared Drizzle package's migrations applied from packages/db), then check and rotate
// across the apps. (Each service's commands run from a clean copy: monorepo-deploy.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import postgres from 'postgres';
import { startPostgres } from '../harness/postgres.ts';
import { withServers } from '../helpers/servers.ts';
import { checkBlueprint, checkEnvFiles, checkIgnored, cli, database as makeDatabase, fixture, NPM_ENV, sh, tableCount } from '../helpers/monorepo.ts';

const { pg } = withServers({ pg: () => startPostgres({ password: 'pg-MonoNpm#secret' }) });
const database = () => makeDatabase(pg, 'mono_npm');

test('npm workspaces + turbo: one Blueprint, env per app, the shared Drizzle package migrations applied by drizzle-kit from packages/db; check and rotate across the apps', async () => {
  const dir = await fixture('npm-turbo');
  const install = await sh('npm ci', dir, NPM_ENV); // the user's monorepo, installed
  assert.equal(install.code, 0, install.stderr);
  const url = await database();
  const r = await cli(['--yes', '--providers', 'app,postgres'], dir, { DATABASE_URL: url, APP_URL: 'http://localhost:3000' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /create-prod-ready [^ ]+ · monorepo acme: npm workspaces \+ turbo, 5 packages\n/);
  assert.match(r.stdout, /- packages\/db +shared package/);

  const services = checkBlueprint(dir, { 'acme-api': 'web', 'acme-web': 'web', 'acme-worker': 'worker' });
  const api = services.find((s) => s.name === 'acme-api')!;
  const web = services.find((s) => s.name === 'acme-web')!;
  const worker = services.find((s) => s.name === 'acme-worker')!;
  assert.equal(api.buildCommand, 'npm ci --include=dev && npx turbo run build --filter=@acme/api');
  assert.equal(api.startCommand, 'npm run start -w apps/api');
  assert.equal(api.preDeployCommand, 'npm run db:migrate -w packages/db', 'migrations run in the package that owns them, on the API only');
  assert.equal(web.preDeployCommand, undefined);
  assert.equal(worker.preDeployCommand, undefined);
  assert.equal(api.healthCheckPath, '/healthz');
  assert.equal(web.healthCheckPath, '/api/health');
  assert.deepEqual(web.buildFilter!.paths, ['apps/web/**', 'packages/ui/**', 'package.json', 'package-lock.json', 'turbo.json']);
  assert.deepEqual(api.buildFilter!.paths, ['apps/api/**', 'packages/db/**', 'package.json', 'package-lock.json', 'turbo.json']);
  const node = process.versions.node.split('.')[0]!;
  for (const s of services) assert.deepEqual(s.envVars![0], { key: 'NODE_VERSION', value: node }, `${s.name}: NODE_VERSION pinned`);
  assert.deepEqual(web.envVars, [{ key: 'NODE_VERSION', value: node }, { key: 'NEXT_PUBLIC_API_URL', fromService: { type: 'web', name: 'acme-api', envVarKey: 'RENDER_EXTERNAL_URL' } }]);
  assert.ok(worker.envVars!.some((e) => e.key === 'DATABASE_URL' && (e.fromDatabase as { name: string }).name === 'acme-db'), "the worker shares the API's database");

  checkEnvFiles(dir, {
    'apps/api': { env: '.env', has: ['DATABASE_URL', 'JWT_SECRET', 'APP_URL', 'CORS_ORIGINS', 'PORT'] },
    'apps/web': { env: '.env.local', has: ['NEXT_PUBLIC_API_URL'] },
    'apps/worker': { env: '.env', has: ['DATABASE_URL'] },
    'packages/db': { env: '.env', has: ['DATABASE_URL'] },
  });
  const apiEnv = parseDotenv(readFileSync(join(dir, 'apps/api/.env'), 'utf8'));
  const webEnv = parseDotenv(readFileSync(join(dir, 'apps/web/.env.local'), 'utf8'));
  const workerEnv = parseDotenv(readFileSync(join(dir, 'apps/worker/.env'), 'utf8'));
  assert.equal(apiEnv.DATABASE_URL, url, 'one answer for DATABASE_URL…');
  assert.equal(workerEnv.DATABASE_URL, url, '…in every app that reads it');
  assert.equal(apiEnv.PORT, '3001', 'the web app listens on 3000 (next start -p 3000): the API gets the next port');
  assert.equal(webEnv.NEXT_PUBLIC_API_URL, 'http://localhost:3001');
  assert.ok(!existsSync(join(dir, '.env')), 'no root .env');
  assert.ok(!readFileSync(join(dir, 'package.json'), 'utf8').includes('zod'), 'nothing added to the root package.json');
  await checkIgnored(dir, ['apps/api/.env', 'apps/web/.env.local', 'apps/worker/.env', 'packages/db/.env']);
  assert.equal(await tableCount(url, 'jobs'), 1, "the schema package's migration was applied with its own script (drizzle-kit migrate)");

  // A second run changes nothing.
  const again = await cli(['--yes', '--providers', 'app,postgres'], dir, { DATABASE_URL: url, APP_URL: 'http://localhost:3000' });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Nothing to change/);

  // check, from inside one app, audits every app's env file; rotate writes the new password to every file holding it
  const checked = await cli(['check'], join(dir, 'apps', 'worker'));
  assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  assert.match(checked.stdout, /All checks passed/);
  const rotated = await cli(['rotate', 'DATABASE_URL', '--yes'], join(dir, 'apps', 'api'));
  assert.equal(rotated.code, 0, rotated.stdout + rotated.stderr);
  const urlIn = (f: string) => parseDotenv(readFileSync(join(dir, f), 'utf8')).DATABASE_URL;
  const fresh = urlIn('apps/api/.env')!;
  assert.notEqual(fresh, url, 'a new password');
  assert.equal(urlIn('apps/worker/.env'), fresh, 'the worker got it too');
  assert.equal(urlIn('packages/db/.env'), fresh, 'and the schema package');
  assert.equal(urlIn('apps/web/.env.local'), undefined, 'an app that does not read it does not get it');
  const probe = postgres(fresh, { max: 1, onnotice: () => {} });
  try {
    assert.equal((await probe`select 1 as one`)[0]!.one, 1, 'the new URL connects');
  } finally {
    await probe.end();
  }
  const stale = await cli(['check'], dir);
  assert.equal(stale.code, 0, stale.stdout + stale.stderr);

});
