// The monorepo planner, pure: the fixture workspaces as read from disk, answers in, file changes out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadProviders } from '../../providers/index.ts';
import { planMonorepo } from '../../src/core/monorepo-plan.ts';
import { readMonorepoState } from '../../src/core/snapshot.ts';
import { loadTemplates } from '../../src/core/templates.ts';
import { chooseApps, detectWorkspace } from '../../src/core/workspaces.ts';
import { monorepoProject } from '../../src/commands/monorepo-step.ts';
import { renderSchemaErrors } from '../helpers/schemas.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/monorepos/', import.meta.url));
const templates = await loadTemplates();
const providers = await loadProviders(['app', 'postgres']);
const values = {
  NODE_ENV: 'development',
  PORT: '3000',
  APP_URL: 'http://localhost:3000',
  CORS_ORIGINS: 'http://localhost:3000',
  JWT_SECRET: 'k'.repeat(43),
  DATABASE_URL: 'postgres://app:one-answer@localhost:5432/app',
};

function planFor(fixture: string, opts: { apps?: string[]; files?: Record<string, string>; memory?: string } = {}) {
  const ws = detectWorkspace(join(FIXTURES, fixture))!;
  const mono = readMonorepoState(ws, chooseApps(ws, opts.apps), 0);
  Object.assign(mono.files, opts.files ?? {});
  const p = planMonorepo(
    { project: monorepoProject(ws), providers, values, overwrite: new Set(), files: opts.memory ? { 'prod-ready.json': opts.memory } : {}, templates },
    mono,
  );
  return { p, files: Object.fromEntries(p.changes.map((c) => [c.path, c.after])) };
}

test('one answer per shared key: an app file holding another DATABASE_URL gets the run\'s; its own keys and comments stay', () => {
  const { p, files } = planFor('npm-turbo', { files: { 'apps/worker/.env': '# mine\nDATABASE_URL=postgres://old@localhost/x\nQUEUE=jobs\n' } });
  const worker = dotenv.parse(files['apps/worker/.env']!);
  assert.equal(worker.DATABASE_URL, values.DATABASE_URL);
  assert.equal(worker.QUEUE, 'jobs');
  assert.match(files['apps/worker/.env']!, /^# mine\n/);
  assert.equal(p.changes.find((c) => c.path === 'apps/worker/.env')!.action, 'update');
  assert.equal(p.changes.find((c) => c.path === 'apps/worker/.env')!.mode, 0o600);
});

test('no root .env, no root .env.example, no env module, no root package.json change; .gitignore reaches the apps', () => {
  const { files } = planFor('npm-turbo');
  for (const f of ['.env', '.env.example', 'package.json', 'src/env.ts', 'env.js']) assert.equal(files[f], undefined, f);
  assert.match(files['.gitignore']!, /^\.env$/m);
});

test('a root-anchored /.env in .gitignore does not count: apps/api/.env would be tracked', async () => {
  const { mergeGitignore } = await import('../../src/core/files/gitignore.ts');
  const anchored = '/.env\n/.env.*\n!.env.example\n';
  assert.equal(mergeGitignore(anchored), anchored, 'a single app: anchored is enough');
  assert.match(mergeGitignore(anchored, { nested: true }), /^\.env$/m);
  assert.match(mergeGitignore(anchored, { nested: true }), /^\.env\.\*$/m);
});

test('a static SPA gets no secret: only its public keys, in .env.local; the Blueprint validates', () => {
  const { files } = planFor('pnpm-vite-hono');
  assert.deepEqual(dotenv.parse(files['apps/web/.env.local']!), { VITE_API_URL: 'http://localhost:3000' });
  const example = dotenv.parse(files['apps/web/.env.example']!);
  assert.deepEqual(Object.keys(example).sort(), ['VITE_API_URL', 'VITE_STRIPE_PUBLISHABLE_KEY']);
  assert.deepEqual(renderSchemaErrors(files['render.yaml']!), []);
  const web = (parse(files['render.yaml']!) as { services: Record<string, unknown>[] }).services.find((s) => s.name === 'shop-web')!;
  assert.ok(!JSON.stringify(web).includes('JWT_SECRET') && !JSON.stringify(web).includes('DATABASE_URL'));
});

test('prod-ready.json keeps the apps of earlier runs that this run did not choose', () => {
  const memory = JSON.stringify({ version: 1, framework: 'hono', providers: ['app'], settings: {}, resources: {}, apps: [{ dir: 'apps/api', name: 'api', kind: 'web', env: 'apps/api/.env', services: ['shop-api'] }] });
  const { files } = planFor('pnpm-vite-hono', { apps: ['web'], memory });
  const apps = (JSON.parse(files['prod-ready.json']!) as { apps: { dir: string }[] }).apps.map((a) => a.dir);
  assert.deepEqual(apps, ['apps/api', 'apps/web']);
});

test('without the API among the chosen apps, the SPA\'s API URL is asked for in Render (sync: false)', () => {
  const { files } = planFor('pnpm-vite-hono', { apps: ['web'] });
  const web = (parse(files['render.yaml']!) as { services: { envVars: unknown[] }[] }).services[0]!;
  assert.deepEqual(web.envVars, [{ key: 'VITE_API_URL', sync: false }, { key: 'VITE_STRIPE_PUBLISHABLE_KEY', sync: false }]);
});
