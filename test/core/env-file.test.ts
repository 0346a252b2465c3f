// Which file holds the secrets (src/core/env-file.ts), and the .gitignore lines that keep it out of git.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envFileFor, loadsEnvLocal } from '../../src/core/env-file.ts';
import { mergeGitignore } from '../../src/core/files/gitignore.ts';
import { describeProject } from '../../src/core/project.ts';

const app = (deps: Record<string, string>) => describeProject({ cwd: '/x', pkg: { dependencies: deps }, lockfiles: [], typescript: false });

test('frameworks that load .env.local keep secrets there; a plain Node server (even beside Vite) in .env', () => {
  for (const deps of <Record<string, string>[]>[{ next: '15' }, { '@sveltejs/kit': '2' }, { astro: '5' }, { '@remix-run/node': '2' }, { '@react-router/dev': '7' }, { nuxt: '3' }, { vite: '6', react: '18' }])
    assert.ok(loadsEnvLocal(app(deps)), JSON.stringify(deps));
  for (const deps of <Record<string, string>[]>[{ express: '4', vite: '6' }, { hono: '4' }, { fastify: '5' }, { '@nestjs/core': '10' }, {}]) assert.ok(!loadsEnvLocal(app(deps)), JSON.stringify(deps));
});

test('the file written: .env.local in a repository, an untracked .env kept, a committed .env never', () => {
  const next = app({ next: '15' });
  assert.equal(envFileFor(next, { inRepo: true, localExists: false }), '.env.local');
  assert.equal(envFileFor(next, { inRepo: true, localExists: false, envExists: true, tracked: ['.env'] }), '.env.local', 'a committed .env of defaults');
  assert.equal(envFileFor(next, { inRepo: true, localExists: false, envExists: true, tracked: [] }), '.env', 'the project\'s own ignored .env');
  assert.equal(envFileFor(next, { inRepo: false, localExists: true }), '.env.local');
  assert.equal(envFileFor(next, { inRepo: false, localExists: false }), '.env', 'outside git');
  assert.equal(envFileFor(app({ express: '4' }), { inRepo: true, localExists: true }), '.env', 'dotenv reads .env');
});

test('.gitignore: .env*.local for .env.local (a committed .env stays committable); the full set for .env', () => {
  assert.equal(mergeGitignore('node_modules\n', { envFile: '.env.local' }), 'node_modules\n\n# Secrets: .env.local files stay out of git (create-prod-ready)\n.env*.local\n');
  for (const covered of ['.env*.local', '.env.local', '/.env*', '*.local']) assert.equal(mergeGitignore(`${covered}\n`, { envFile: '.env.local' }), `${covered}\n`);
  assert.match(mergeGitignore('node_modules\n'), /^\.env\n\.env\.\*\n!\.env\.example\n/m);
});
