import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { resolveAll } from '../../src/core/resolve.ts';
import { describeProject } from '../../src/core/project.ts';
import { defineProvider } from '../../src/core/provider.ts';
import { UsageError } from '../../src/core/errors.ts';

const project = describeProject({ cwd: '/x', pkg: { dependencies: { next: '15' } }, lockfiles: [], typescript: true });
const fake = defineProvider({
  id: 'clerk',
  title: 'Fake',
  hint: '',
  docsUrl: 'https://example.com',
  env: [
    { key: 'KEY', description: 'a key', secret: true, schema: z.string().startsWith('k_', 'KEY must start with k_') },
    { key: 'PUBLIC_ALIAS', description: 'same value', secret: false, schema: z.string(), optional: true, derive: (k, p) => (p.framework === 'nextjs' ? k.KEY : undefined) },
    { key: 'MODE', description: 'mode', secret: false, schema: z.string(), localDefault: () => 'dev' },
    { key: 'TOKEN', description: 'generated', secret: true, schema: z.string(), generate: () => 'generated-token' },
    { key: 'EXTRA', description: 'optional', secret: false, schema: z.string(), optional: true },
  ],
  verify: async () => ({ identity: 'x', warnings: [] }),
  contribute: () => ({}),
});

test('environment beats .env, .env beats defaults; generated only when missing; derived always recomputed', () => {
  const r = resolveAll([fake], { KEY: 'k_env' }, { KEY: 'k_file', PUBLIC_ALIAS: 'stale', TOKEN: 'kept-token' }, project);
  assert.deepEqual(r.values, { KEY: 'k_env', PUBLIC_ALIAS: 'k_env', MODE: 'dev', TOKEN: 'kept-token', EXTRA: '' });
  assert.deepEqual(r.source, { KEY: 'env', PUBLIC_ALIAS: 'default', MODE: 'default', TOKEN: 'dotenv' });
  assert.equal(resolveAll([fake], {}, { KEY: 'k_file' }, project).values.TOKEN, 'generated-token');
});

test('every missing required key is named at once; invalid values say where they came from', () => {
  assert.throws(() => resolveAll([fake], {}, {}, project), (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /missing required value: KEY/.test(e.message));
  assert.throws(() => resolveAll([fake], { KEY: 'nope' }, {}, project), /KEY must start with k_ \(from the environment\)/);
  assert.throws(() => resolveAll([fake], {}, { KEY: 'nope' }, project), /\(from \.env\)/);
});
