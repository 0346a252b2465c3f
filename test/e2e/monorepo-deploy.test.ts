// Monorepos, the deploy proven before Render: on each fixture monorepo, `--yes` writes the Blueprint, then
// every service's build, pre-deploy and start commands run for real from the root of a clean copy (the
// committed files only, as Render checks them out, with NODE_ENV=production as Render sets it), with the
// package manager the fixture uses (npm, pnpm 9, yarn 1: pnpm and yarn from the npm registry), and the
// services answer on their health paths. PostgreSQL 15 runs for real.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startPostgres } from '../harness/postgres.ts';
import { withServers } from '../helpers/servers.ts';
import { buildAll, checkBlueprint, cleanCopy, cli, database as makeDatabase, fixture, NPM_ENV, packageManagers, sh, startService, tableCount, stop, waitHttp, type Service } from '../helpers/monorepo.ts';

const { pg } = withServers({ pg: () => startPostgres({ password: 'pg-MonoDeploy#secret' }) });
const database = () => makeDatabase(pg, 'mono_deploy');


/** Start the services, wait for each web one's health path (or a worker's first line), then stop them all. */
async function serve(clean: string, runs: { s: Service; env: Record<string, string>; ready?: RegExp }[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const procs = await Promise.all(
    runs.map(async (r) => {
      const port = await freePort();
      return { ...r, port, p: startService(r.s.startCommand!, clean, { NODE_ENV: 'production', PORT: String(port), ...r.env }) };
    }),
  );
  try {
    for (const r of procs) {
      if (r.s.type === 'web') {
        const res = await waitHttp(`http://127.0.0.1:${r.port}${r.s.healthCheckPath ?? '/'}`, r.p);
        assert.equal(res.status, 200, `${r.s.name}: ${r.p.output()}`);
        out[r.s.name] = await res.text();
      } else {
        const deadline = Date.now() + 20_000;
        while (!r.ready!.test(r.p.output()) && Date.now() < deadline) await new Promise((x) => setTimeout(x, 100));
        assert.match(r.p.output(), r.ready!);
        assert.equal(r.p.child.exitCode, null, `${r.s.name} keeps running`);
        out[r.s.name] = r.p.output();
      }
    }
  } finally {
    for (const r of procs) stop(r.p.child);
  }
  return out;
}

test('npm workspaces + turbo: each service builds with turbo, the Drizzle package migrates before the API deploys, and all three run', async () => {
  const dir = await fixture('npm-turbo');
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app,postgres'], dir, { DATABASE_URL: 'postgres://u:p@localhost:5432/d', APP_URL: 'http://localhost:3000' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const services = checkBlueprint(dir, { 'acme-api': 'web', 'acme-web': 'web', 'acme-worker': 'worker' });
  const [api, web, worker] = ['acme-api', 'acme-web', 'acme-worker'].map((n) => services.find((s) => s.name === n)!) as [Service, Service, Service];
  const clean = await cleanCopy(dir);
  await buildAll(clean, services, {});
  assert.ok(existsSync(join(clean, 'apps/web/.next/BUILD_ID')) && existsSync(join(clean, 'packages/ui/dist/index.js')), 'turbo built the web app and the package it uses');
  const prodDb = await database();
  const pre = await sh(api.preDeployCommand!, clean, { ...NPM_ENV, NODE_ENV: 'production', DATABASE_URL: prodDb });
  assert.equal(pre.code, 0, pre.stdout + pre.stderr);
  assert.equal(await tableCount(prodDb, 'jobs'), 1, "the pre-deploy command (drizzle-kit migrate in packages/db) applied the schema package's migration");
  const out = await serve(clean, [
    { s: api, env: { DATABASE_URL: prodDb, JWT_SECRET: 'x'.repeat(43), APP_URL: 'https://acme.example', CORS_ORIGINS: 'https://acme.example' } },
    { s: web, env: {} },
    { s: worker, env: { DATABASE_URL: prodDb }, ready: /worker started \(production\); schema from packages\/db\/drizzle/ },
  ]);
  assert.deepEqual(JSON.parse(out['acme-api']!), { ok: true, database: true, jwt: true, migrations: 'packages/db/drizzle', origins: ['https://acme.example'] });
});

test('pnpm workspaces: pnpm installs from the root, the SPA builds with its public API URL inlined, the Hono API serves its health path', async () => {
  const PATH = await packageManagers();
  const dir = await fixture('pnpm-vite-hono');
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app,postgres'], dir, { DATABASE_URL: 'postgres://u:p@localhost:5432/d' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const services = checkBlueprint(dir, { 'shop-api': 'web', 'shop-web': 'static' });
  const [api, web] = ['shop-api', 'shop-web'].map((n) => services.find((s) => s.name === n)!) as [Service, Service];
  assert.match(api.buildCommand!, /^corepack enable && pnpm install --frozen-lockfile --prod=false && pnpm --filter "api\.\.\." run build$/);
  const clean = await cleanCopy(dir);
  // Render gives the static site VITE_API_URL from the API service (fromService RENDER_EXTERNAL_URL) at build time
  await buildAll(clean, services, { PATH }, { 'shop-web': { VITE_API_URL: 'https://shop-api.onrender.com' } });
  assert.ok(existsSync(join(clean, web.staticPublishPath!, 'index.html')), `${web.staticPublishPath}/index.html published`);
  assert.match(readFileSync(join(clean, web.staticPublishPath!, 'assets/index.js'), 'utf8'), /"https:\/\/shop-api\.onrender\.com"/);
  const out = await serve(clean, [{ s: api, env: { PATH, DATABASE_URL: 'postgres://u:p@localhost:5432/d', JWT_SECRET: 'x'.repeat(43), CORS_ORIGINS: 'https://shop.example' } }]);
  assert.deepEqual(JSON.parse(out['shop-api']!), { ok: true });
});

test('yarn workspaces: yarn installs from the root with devDependencies, the API migrates in its own package, the API, its worker and the Astro site run; the mobile app gets nothing', async () => {
  const PATH = await packageManagers();
  const dir = await fixture('yarn-expo');
  const r = await cli(['--yes', '--skip-verify', '--providers', 'app,postgres'], dir, { DATABASE_URL: 'postgres://u:p@localhost:5432/d' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const services = checkBlueprint(dir, { 'trips-api': 'web', 'trips-api-worker': 'worker', 'trips-site': 'static' });
  const [api, worker, site] = ['trips-api', 'trips-api-worker', 'trips-site'].map((n) => services.find((s) => s.name === n)!) as [Service, Service, Service];
  assert.equal(api.buildCommand, 'corepack enable && yarn install --frozen-lockfile --production=false && yarn workspace api run build');
  assert.equal(api.healthCheckPath, '/healthz', "the plain node:http server's health path");
  const clean = await cleanCopy(dir);
  await buildAll(clean, services, { PATH }, { 'trips-site': { PUBLIC_API_URL: 'https://trips-api.onrender.com' } });
  assert.ok(existsSync(join(clean, site.staticPublishPath!, 'index.html')), `${site.staticPublishPath}/index.html published`);
  assert.ok(!existsSync(join(clean, 'apps/mobile/dist')), 'the mobile app is not built');
  const prodDb = await database();
  // node-pg-migrate is a devDependency of the API: the pre-deploy runs only because the build installed them
  const pre = await sh(api.preDeployCommand!, clean, { ...NPM_ENV, PATH, NODE_ENV: 'production', DATABASE_URL: prodDb });
  assert.equal(pre.code, 0, pre.stdout + pre.stderr);
  assert.equal(await tableCount(prodDb, 'trips'), 1, 'the pre-deploy command applied the API package\'s migration');
  const out = await serve(clean, [
    { s: api, env: { PATH, DATABASE_URL: prodDb } },
    { s: worker, env: { PATH, DATABASE_URL: prodDb }, ready: /jobs started \(production\)/ },
  ]);
  assert.deepEqual(JSON.parse(out['trips-api']!), { ok: true, database: true, currency: 'EUR' });
});
