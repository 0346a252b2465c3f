// The bin refuses a Node older than package.json's engines (>=22) in one line, before loading anything.
// The Node version is faked with a preload (this suite itself runs on 22+).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.ts';
import { tempProject } from '../helpers/project.ts';

const fake = (version: string) => {
  const dir = tempProject();
  const preload = join(dir, 'node-version.cjs');
  writeFileSync(preload, `Object.defineProperty(process.versions, 'node', { value: ${JSON.stringify(version)} });\n`);
  return { dir, node: ['--require', preload] };
};

test('on Node 20 the bin exits 1 with one line saying which Node to install', async () => {
  const { dir, node } = fake('20.19.0');
  const r = await runCli(['--version'], { cwd: dir, node });
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'create-prod-ready needs Node.js 22 or newer (this is 20.19.0): install the LTS from https://nodejs.org (or `nvm install --lts`), then run it again.\n');
});

test('Node 22.0.0, the oldest that package.json engines allows, starts', async () => {
  const engines = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')).engines.node;
  assert.equal(engines, '>=22');
  const { dir, node } = fake('22.0.0');
  const r = await runCli(['--version'], { cwd: dir, node });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+/);
});
