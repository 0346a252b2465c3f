// Workspace detection and the per-app commands, on the fixture monorepos (test/fixtures/monorepos) and on
// small folders made here: what each package is, which root a run inside an app finds, how each package
// manager scopes a command to one workspace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCommand, execIn, runIn } from '../../src/core/files/monorepo-render.ts';
import { chooseApps, detectWorkspace, expandPatterns, findWorkspaceRoot, workspacePatterns } from '../../src/core/workspaces.ts';
import { UsageError } from '../../src/core/errors.ts';
import { tempProject } from '../helpers/project.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/monorepos/', import.meta.url));
const kinds = (dir: string) => Object.fromEntries(detectWorkspace(join(FIXTURES, dir))!.packages.map((p) => [p.dir, p.kind]));

test('workspace globs: package.json array and object forms, pnpm-workspace.yaml first', () => {
  assert.deepEqual(workspacePatterns({ workspaces: ['apps/*'] }, undefined), ['apps/*']);
  assert.deepEqual(workspacePatterns({ workspaces: { packages: ['apps/*', 'packages/*'] } }, undefined), ['apps/*', 'packages/*']);
  assert.deepEqual(workspacePatterns({ workspaces: ['x'] }, "packages:\n  - 'apps/*'\n"), ['apps/*']);
  assert.equal(workspacePatterns({ name: 'single' }, undefined), undefined);
});

test('globs expand to folders with a package.json: *, **, exact paths and ! exclusions', () => {
  const dir = tempProject();
  for (const p of ['apps/api', 'apps/web', 'apps/notes', 'packages/a/b', 'packages/c', 'tools/x/fixtures/y']) {
    mkdirSync(join(dir, p), { recursive: true });
    if (p !== 'apps/notes') writeFileSync(join(dir, p, 'package.json'), '{}');
  }
  assert.deepEqual(expandPatterns(dir, ['apps/*']), ['apps/api', 'apps/web']);
  assert.deepEqual(expandPatterns(dir, ['packages/**']), ['packages/a/b', 'packages/c']);
  assert.deepEqual(expandPatterns(dir, ['apps/*', '!apps/web', 'tools/x/fixtures/y']), ['apps/api', 'tools/x/fixtures/y']);
});

test('npm + turbo fixture: Next.js web, Express API, worker, shared packages; dependencies transitive and first', () => {
  const ws = detectWorkspace(join(FIXTURES, 'npm-turbo'))!;
  assert.equal(ws.packageManager, 'npm');
  assert.equal(ws.runner, 'turbo');
  assert.equal(ws.turboInstalled, true);
  assert.deepEqual(ws.rootFiles, ['package.json', 'package-lock.json', 'turbo.json']);
  assert.deepEqual(kinds('npm-turbo'), { 'apps/api': 'web', 'apps/web': 'web', 'apps/worker': 'worker', 'packages/db': 'library', 'packages/ui': 'library' });
  const by = (d: string) => ws.packages.find((p) => p.dir === d)!;
  assert.equal(by('apps/web').project.framework, 'nextjs');
  assert.equal(by('apps/api').project.framework, 'express');
  assert.deepEqual(by('apps/api').deps, ['packages/db']);
  assert.equal(by('packages/db').ownsSchema, true);
  assert.equal(by('apps/api').ownsSchema, false);
});

test('pnpm fixture: the Vite React app is a static SPA published from dist; the Hono API a server', () => {
  const ws = detectWorkspace(join(FIXTURES, 'pnpm-vite-hono'))!;
  assert.equal(ws.packageManager, 'pnpm');
  const web = ws.packages.find((p) => p.dir === 'apps/web')!;
  assert.deepEqual([web.kind, web.spa, web.publishDir], ['static', true, 'dist']);
  assert.equal(ws.packages.find((p) => p.dir === 'apps/api')!.project.framework, 'hono');
});

test('yarn fixture: Expo and a browser extension are not deployable; Astro static output is a static site, not an SPA', () => {
  assert.deepEqual(kinds('yarn-expo'), { 'apps/api': 'web', 'apps/extension': 'extension', 'apps/mobile': 'mobile', 'apps/site': 'static', 'packages/shared': 'library' });
  const ws = detectWorkspace(join(FIXTURES, 'yarn-expo'))!;
  assert.equal(ws.packageManager, 'yarn');
  const site = ws.packages.find((p) => p.dir === 'apps/site')!;
  assert.equal(site.spa, false);
  assert.equal(ws.packages.find((p) => p.dir === 'apps/api')!.ownsSchema, true, 'its db:migrate script');
  assert.deepEqual(chooseApps(ws, undefined).map((p) => p.dir), ['apps/api', 'apps/site']);
});

test('inside one app of a monorepo, the root is found upward and the app is known; a plain app is no workspace', () => {
  const api = join(FIXTURES, 'npm-turbo', 'apps', 'api', 'src');
  assert.equal(findWorkspaceRoot(api), join(FIXTURES, 'npm-turbo'));
  assert.equal(detectWorkspace(api)!.current, 'apps/api');
  assert.equal(detectWorkspace(tempProject({ 'package.json': '{"name":"solo"}' })), undefined);
});

test('--apps takes names, slugs or folders; a mobile app or an unknown name is a usage error naming the deployable ones', () => {
  const ws = detectWorkspace(join(FIXTURES, 'yarn-expo'))!;
  assert.deepEqual(chooseApps(ws, ['site', 'apps/api/']).map((p) => p.dir), ['apps/site', 'apps/api']);
  assert.throws(() => chooseApps(ws, ['mobile', 'nope']), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /mobile \(Expo app: ships to app stores, not to Render\), nope \(no such workspace package\)/);
    assert.equal(e.hint, 'deployable apps: apps/api, apps/site');
    return true;
  });
});

test('commands scoped to one workspace, per package manager; builds run the workspace dependencies first', () => {
  const npm = detectWorkspace(join(FIXTURES, 'npm-turbo'))!;
  const p = (ws: typeof npm, d: string) => ws.packages.find((q) => q.dir === d)!;
  assert.equal(runIn(npm, p(npm, 'apps/api'), 'start'), 'npm run start -w apps/api');
  assert.equal(buildCommand(npm, p(npm, 'apps/web')), 'npx turbo run build --filter=@acme/web');
  assert.equal(buildCommand(npm, p(npm, 'apps/worker')), undefined, 'nothing to build');
  // without turbo installed, the dependencies' builds are chained before the app's own
  const noTurbo = { ...npm, turboInstalled: false };
  assert.equal(buildCommand(noTurbo, p(npm, 'apps/web')), 'npm run build -w packages/ui && npm run build -w apps/web');
  const pnpm = detectWorkspace(join(FIXTURES, 'pnpm-vite-hono'))!;
  assert.equal(runIn(pnpm, p(pnpm, 'apps/api'), 'start'), 'pnpm --filter api run start');
  assert.equal(buildCommand(pnpm, p(pnpm, 'apps/web')), 'pnpm --filter "web..." run build');
  const yarn = detectWorkspace(join(FIXTURES, 'yarn-expo'))!;
  assert.equal(runIn(yarn, p(yarn, 'apps/api'), 'worker'), 'yarn workspace api run worker');
  assert.equal(execIn(yarn, p(yarn, 'apps/api'), 'prisma migrate deploy'), 'yarn workspace api prisma migrate deploy');
  assert.equal(execIn(npm, p(npm, 'packages/db'), 'drizzle-kit migrate'), 'npm exec -w packages/db -- drizzle-kit migrate');
});

test('SvelteKit with adapter-static is a static site (an SPA with a fallback page); with adapter-node a server', () => {
  const dir = tempProject({ 'package.json': JSON.stringify({ name: 'root', workspaces: ['apps/*'] }) });
  const app = (name: string, adapter: string, config: string) => {
    mkdirSync(join(dir, 'apps', name), { recursive: true });
    writeFileSync(join(dir, 'apps', name, 'package.json'), JSON.stringify({ name, scripts: { build: 'vite build', start: 'node build' }, devDependencies: { '@sveltejs/kit': '2', [adapter]: '3', vite: '6' } }));
    writeFileSync(join(dir, 'apps', name, 'svelte.config.js'), config);
  };
  app('spa', '@sveltejs/adapter-static', "export default { kit: { adapter: adapter({ pages: 'out', fallback: '200.html' }) } };");
  app('site', '@sveltejs/adapter-static', 'export default { kit: { adapter: adapter() } };');
  app('server', '@sveltejs/adapter-node', 'export default { kit: { adapter: adapter() } };');
  const ws = detectWorkspace(dir)!;
  const by = (d: string) => ws.packages.find((p) => p.dir === d)!;
  assert.deepEqual([by('apps/spa').kind, by('apps/spa').publishDir, by('apps/spa').spa], ['static', 'out', true]);
  assert.deepEqual([by('apps/site').kind, by('apps/site').publishDir, by('apps/site').spa], ['static', 'build', false]);
  assert.equal(by('apps/server').kind, 'web');
});
