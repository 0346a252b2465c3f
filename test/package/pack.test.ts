// The package as `npx create-prod-ready` gets it: `npm pack` (its prepack builds dist/) in a copy of the
// repository, then the tarball installed into an empty folder with npm, as a user's npx would, and run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from '../helpers/pty.ts';
import { tempProject } from '../helpers/project.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; files: string[] };
/** What a lifecycle script run at install time is called: none may reach the users of the package. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'];

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(cmd, args, { cwd, env, timeout: 90_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    child.stdin!.end('');
  });
}

const warnings = (s: string) => s.split('\n').filter((l) => /\bwarn/i.test(l));

test('npm pack builds the package; installed from the tarball in an empty folder it runs, alone, with no npm warning', { timeout: 120_000 }, async () => {
  // A copy of the sources without dist/: the tarball must hold what prepack builds, not a leftover build.
  const src = tempProject();
  for (const part of readdirSync(ROOT)) if (!['node_modules', 'dist', '.git', 'test'].includes(part)) cpSync(join(ROOT, part), join(src, part), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  const out = tempProject();
  // npm with its own empty cache and nothing from the runner's environment (no npm_config_* of `npm test`)
  const env = cleanEnv({ FORCE_COLOR: '0', npm_config_cache: join(out, '.npm-cache'), npm_config_update_notifier: 'false' });

  const pack = await run('npm', ['pack', '--json', '--pack-destination', out], src, env);
  assert.equal(pack.code, 0, pack.stderr);
  assert.deepEqual(warnings(pack.stderr), [], 'npm pack warned');
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const files = info!.files.map((f) => f.path);
  for (const f of ['bin/create-prod-ready.cjs', 'dist/boot.cjs', 'dist/cli.mjs', 'templates/render.yaml.hbs', 'package.json']) assert.ok(files.includes(f), `${f} is not in the tarball`);
  assert.ok(!files.some((f) => /^(src|test|scripts|node_modules)\//.test(f)), `sources in the tarball: ${files.filter((f) => /^(src|test|scripts)\//.test(f)).slice(0, 5).join(', ')}`);

  const app = join(out, 'app');
  mkdirSync(app);
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(out, info!.filename)], app, env);
  assert.equal(install.code, 0, install.stderr);
  assert.deepEqual(warnings(install.stdout + install.stderr), [], 'npm install warned');
  assert.match(install.stdout, /added 1 package\b/);
  const installed = readdirSync(join(app, 'node_modules')).filter((n) => !n.startsWith('.'));
  assert.deepEqual(installed, ['create-prod-ready'], 'exactly one package is installed');
  const manifest = JSON.parse(readFileSync(join(app, 'node_modules/create-prod-ready/package.json'), 'utf8')) as { scripts?: Record<string, string>; dependencies?: object };
  assert.deepEqual(Object.keys(manifest.scripts ?? {}).filter((s) => INSTALL_SCRIPTS.includes(s)), [], 'an install-time script in the published package.json');
  assert.equal(manifest.dependencies, undefined, 'the package has runtime dependencies');

  const npx = await run('npx', ['--no', '--', 'create-prod-ready', '--version'], app, env);
  assert.equal(npx.code, 0, npx.stderr);
  assert.equal(npx.stdout.trim(), pkg.version);
  assert.deepEqual(warnings(npx.stderr), [], 'npx warned');
});
