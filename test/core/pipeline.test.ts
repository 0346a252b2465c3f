import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detect, type InitFlags } from '../../src/core/pipeline/index.ts';
import { nextSteps, stepLine } from '../../src/core/pipeline/next-steps.ts';
import { readDotenvFiles, withProviders } from '../../src/core/pipeline/state.ts';
import { settle, shownSource } from '../../src/core/pipeline/values.ts';
import { resolveAll } from '../../src/core/resolve.ts';
import type { Plan } from '../../src/core/plan.ts';
import { describeProject } from '../../src/core/project.ts';

const flags = (cwd: string): InitFlags => ({ cwd, interactive: false, dryRun: true, skipVerify: true, json: false, version: 'test' });

function app(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-pipeline-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', dependencies: { next: '15' } }));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

for (const k of ['PORT', 'APP_URL', 'NODE_ENV', 'CORS_ORIGINS', 'JWT_SECRET']) delete process.env[k];

test('the env files: .env.local wins over .env, each value knows its file, problems are named per file', () => {
  const r = readDotenvFiles([
    ['.env', 'PORT=3000\nAPP_URL=http://localhost:3000\nPORT=3001\n'],
    ['.env.local', 'PORT=4000\n'],
  ]);
  assert.deepEqual(r.values, { PORT: '4000', APP_URL: 'http://localhost:3000' });
  assert.deepEqual(r.origin, { PORT: '.env.local', APP_URL: '.env' });
  assert.deepEqual(r.problems, ['.env defines PORT more than once; the last one wins and all are kept']);
});

test('the settings summary and the checks name the file a value was read from (.env.local, not ".env")', async () => {
  const dir = app({ '.env': 'APP_URL=http://localhost:4000\n', '.env.local': 'PORT=4000\nNODE_ENV=sideways\n' });
  try {
    const ctx = await withProviders(await detect(flags(dir)), ['app']);
    const s = settle(ctx, { values: {}, source: {}, foundAs: {} }, ctx.providers[0]!);
    assert.equal(shownSource(ctx, s.answers, 'PORT'), 'from .env.local');
    assert.equal(shownSource(ctx, s.answers, 'APP_URL'), 'from .env');
    assert.equal(shownSource(ctx, s.answers, 'JWT_SECRET'), undefined, 'generated: no source line');
    assert.match(s.invalid.join('\n'), /NODE_ENV.*\(in \.env\.local\): asked again/);
    // without a person: the same lookup, the same file named
    assert.throws(() => resolveAll(ctx.providers, {}, ctx.dotenv, ctx.project, {}, ctx.names, ctx.origin), /NODE_ENV.*\(from \.env\.local\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('next steps are built as values: one compose step for what this run did not start, first; check last', () => {
  const project = describeProject({ cwd: '/x', pkg: { dependencies: { express: '4' } }, lockfiles: ['pnpm-lock.yaml'], typescript: false });
  const plan: Plan = {
    changes: [],
    contributions: [],
    nextSteps: ['docker compose up -d postgres', 'stripe listen --forward-to localhost:3000/webhooks/stripe', 'docker compose up -d redis'],
    dependenciesAdded: true,
    deploy: { notes: [], warnings: [] },
  };
  const steps = nextSteps(project, plan, undefined, ['redis']);
  assert.deepEqual(steps, [
    { kind: 'compose', services: ['postgres'] },
    { kind: 'install', packageManager: 'pnpm' },
    { kind: 'provider', text: 'stripe listen --forward-to localhost:3000/webhooks/stripe' },
    { kind: 'check' },
  ]);
  assert.deepEqual(steps.map(stepLine), [
    'Start the local services: docker compose up -d postgres',
    'Install the new dependencies: pnpm install',
    'stripe listen --forward-to localhost:3000/webhooks/stripe',
    'Check everything again at any time: npx create-prod-ready check',
  ]);
});
