import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apply } from '../../src/core/apply.ts';
import { FileError } from '../../src/core/errors.ts';
import type { FileChange } from '../../src/core/plan.ts';
import { snapshot, tempProject } from '../helpers/project.ts';

const change = (path: FileChange['path'], after: string, action: FileChange['action'] = 'create', mode?: number): FileChange => ({ path, action, after, mode });

test('writes every changed file, .env with mode 0600, and leaves no temp file behind', () => {
  const dir = tempProject({ '.gitignore': 'node_modules\n' });
  const written = apply(dir, [change('.gitignore', 'node_modules\n.env\n', 'update'), change('.env', 'A=1\n', 'create', 0o600), change('render.yaml', 'x', 'keep')]);
  assert.deepEqual(written, ['.gitignore', '.env']);
  assert.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules\n.env\n');
  assert.deepEqual(readdirSync(dir).sort(), ['.env', '.gitignore']);
});

test('an existing file keeps its mode; an existing .env is tightened to 0600', () => {
  const dir = tempProject();
  writeFileSync(join(dir, 'render.yaml'), 'old', { mode: 0o640 });
  writeFileSync(join(dir, '.env'), 'A=0\n', { mode: 0o644 });
  apply(dir, [change('render.yaml', 'new', 'update'), change('.env', 'A=1\n', 'update', 0o600)]);
  assert.equal(statSync(join(dir, 'render.yaml')).mode & 0o777, 0o640);
  assert.equal(statSync(join(dir, '.env')).mode & 0o777, 0o600);
});

test('a symbolic link that leaves the project is refused and nothing is written', () => {
  const outside = tempProject({ 'shared.env': 'SECRET=1\n' });
  const dir = tempProject();
  symlinkSync(join(outside, 'shared.env'), join(dir, '.env'));
  const before = { ...snapshot(outside) };
  assert.throws(() => apply(dir, [change('.gitignore', '.env\n'), change('.env', 'SECRET=2\n', 'update', 0o600)]), (e: unknown) => e instanceof FileError && /symbolic link that leaves the project/.test(e.message));
  assert.deepEqual(snapshot(outside), before);
  assert.deepEqual(readdirSync(dir), ['.env'], 'not even .gitignore was written');
});

test('a symbolic link inside the project is written through, the link kept', () => {
  const dir = tempProject();
  mkdirSync(join(dir, 'config'));
  writeFileSync(join(dir, 'config', 'env'), 'A=0\n');
  symlinkSync('config/env', join(dir, '.env'));
  apply(dir, [change('.env', 'A=1\n', 'update', 0o600)]);
  assert.equal(readFileSync(join(dir, 'config', 'env'), 'utf8'), 'A=1\n');
  assert.ok(statSync(join(dir, '.env')).isFile());
});
