// Shared by the monorepo end-to-end tests: fixture copies in git repositories, the built CLI, a database
// per run on the real PostgreSQL, and the checks every fixture's Blueprint and env files must pass.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import postgres from 'postgres';
import { parse as parseDotenv } from 'dotenv';
import { createRoleAndDatabase, type PgServer } from '../harness/postgres.ts';
import { cleanEnv } from './pty.ts';
import { run, runCli } from './cli.ts';
import { memorySchemaErrors, renderSchemaErrors } from './schemas.ts';
import { renderReferenceProblems } from '../../src/core/files/render-yaml.ts';
import { detectContract } from '../../src/core/contract.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/monorepos/', import.meta.url));
const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export const cli = (args: string[], cwd: string, env: Record<string, string> = {}) => runCli(args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...env }), timeoutMs: 180_000 });
export const sh = (command: string, cwd: string, env: Record<string, string> = {}) => run('sh', ['-c', command], { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...env }), timeoutMs: 300_000 });
export const git = (cwd: string, ...args: string[]) => run('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd });
/** npm from the registry's cache first (the fixture's few registry packages are in it), no telemetry. */
export const NPM_ENV = { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };

let pmPath: Promise<string> | undefined;
/**
 * pnpm and yarn (classic) from the npm registry (the npm cache first), installed once per test process into a
 * temporary prefix: a PATH with them first. Render's Node has Corepack, which the build commands turn on with
 * `corepack enable`; here pnpm and yarn are already on PATH, and a real `corepack enable` would write shims
 * into this machine's Node installation, so a `corepack` that does nothing stands in for it.
 */
export function packageManagers(): Promise<string> {
  pmPath ??= (async () => {
    const prefix = tempDir('cpr-pm-');
    const r = await sh(`npm install --prefix "${prefix}" --no-save pnpm@9.15.0 yarn@1.22.22`, prefix, NPM_ENV);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const bin = join(prefix, 'node_modules', '.bin');
    writeFileSync(join(bin, 'corepack'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    return `${bin}:${process.env.PATH}`;
  })();
  return pmPath;
}

/** The committed files of `dir` only (no node_modules, no env file), as Render checks them out: a fresh folder. */
export async function cleanCopy(dir: string): Promise<string> {
  assert.equal((await git(dir, 'add', '-A')).code, 0);
  assert.equal((await git(dir, 'commit', '-qm', 'init')).code, 0);
  const clean = tempDir('cpr-mono-clean-');
  assert.equal((await sh(`git -C "${dir}" archive HEAD | tar -x -C "${clean}"`, clean)).code, 0);
  assert.ok(!existsSync(join(clean, 'node_modules')));
  return clean;
}

/** Each service's build command run from the root of `clean` as Render runs it (NODE_ENV=production); `env` per service. */
export async function buildAll(clean: string, services: Service[], env: Record<string, string>, perService: Record<string, Record<string, string>> = {}): Promise<void> {
  for (const s of services) {
    const b = await sh(s.buildCommand!, clean, { ...NPM_ENV, NODE_ENV: 'production', ...env, ...perService[s.name] });
    assert.equal(b.code, 0, `${s.name} build (${s.buildCommand}): ${b.stdout}${b.stderr}`);
  }
}

/** How many tables of this name the database has (0 or 1): a migration was applied, or not. */
export async function tableCount(url: string, name: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select count(*)::int as n from pg_tables where tablename = ${name}`;
    return row!.n as number;
  } finally {
    await sql.end();
  }
}

let dbs = 0;
/** A fresh database owned by a fresh role, as on a hosted Postgres. */
export async function database(pg: PgServer, prefix: string): Promise<string> {
  const name = `${prefix}_${++dbs}`;
  await createRoleAndDatabase(pg, { user: name, password: `pw-${name}-Secret`, database: name, canCreate: true });
  return pg.url(name, name, `pw-${name}-Secret`);
}

/** A temporary folder removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A copy of a fixture in a fresh git repository (the tool reads .gitignore and tracked files). */
export async function fixture(name: string): Promise<string> {
  const dir = tempDir(`cpr-mono-${name}-`);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  await git(dir, 'init', '-q');
  return dir;
}

export interface Service {
  type: string;
  name: string;
  runtime: string;
  buildCommand?: string;
  startCommand?: string;
  preDeployCommand?: string;
  healthCheckPath?: string;
  staticPublishPath?: string;
  rootDir?: string;
  routes?: { type: string; source: string; destination: string }[];
  buildFilter?: { paths: string[] };
  envVars?: Record<string, unknown>[];
}

/** What every fixture must satisfy after `init --yes`. */
export function checkBlueprint(dir: string, expected: Record<string, string>): Service[] {
  const text = readFileSync(join(dir, 'render.yaml'), 'utf8');
  assert.deepEqual(renderSchemaErrors(text), [], "render.yaml validates against Render's schema");
  const doc = parse(text) as { services: Service[]; databases?: Record<string, unknown>[] };
  assert.deepEqual(renderReferenceProblems(doc as never), [], 'every fromService / fromDatabase names something declared');
  const apps = doc.services.filter((s) => s.type !== 'keyvalue');
  assert.deepEqual(Object.fromEntries(apps.map((s) => [s.name, s.runtime === 'static' ? 'static' : s.type])), expected, 'one service per deployable app');
  for (const s of apps) {
    for (const p of s.buildFilter?.paths ?? []) assert.ok(existsSync(join(dir, p.replace(/\/\*\*$/, ''))), `${s.name}: buildFilter path ${p} exists`);
    assert.ok(s.buildFilter || s.rootDir, `${s.name}: rebuilt only for its own changes`);
  }
  const memory = readFileSync(join(dir, 'prod-ready.json'), 'utf8');
  assert.deepEqual(memorySchemaErrors(memory), []);
  return apps;
}

/** Each app's env file holds the keys it reads that the run has a value for, and its .env.example lists every key it reads. */
export function checkEnvFiles(dir: string, files: Record<string, { env: string; has: string[] }>): void {
  const memory = JSON.parse(readFileSync(join(dir, 'prod-ready.json'), 'utf8')) as { apps: { dir: string; env: string }[] };
  for (const [app, want] of Object.entries(files)) {
    const envPath = join(dir, app, want.env);
    assert.ok(existsSync(envPath), `${app}/${want.env} written`);
    assert.equal(statSync(envPath).mode & 0o777, 0o600);
    const env = parseDotenv(readFileSync(envPath, 'utf8'));
    for (const k of want.has) assert.ok(env[k], `${app}/${want.env} has ${k}`);
    const example = parseDotenv(readFileSync(join(dir, app, '.env.example'), 'utf8'));
    for (const k of Object.keys(detectContract(join(dir, app)).keys)) assert.ok(k in example, `${app}/.env.example lists ${k}`);
    for (const v of Object.values(example)) assert.doesNotMatch(v, /pw-|Secret|[A-Za-z0-9_-]{40}/, 'no secret in a committed example');
    if (memory.apps.some((a) => a.dir === app)) assert.equal(memory.apps.find((a) => a.dir === app)!.env, `${app}/${want.env}`);
  }
}

/** No env file is tracked: git ignores every one written. */
export async function checkIgnored(dir: string, paths: string[]): Promise<void> {
  for (const p of paths) assert.equal((await git(dir, 'check-ignore', '-q', p)).code, 0, `${p} is ignored by git`);
}

export function startService(command: string, cwd: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn('sh', ['-c', command], { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...NPM_ENV, ...env }), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}
export const stop = (c: ChildProcess) => {
  try {
    process.kill(-c.pid!, 'SIGTERM'); // the whole group: sh, npm and node
  } catch {
    /* already gone */
  }
};

export async function waitHttp(url: string, proc: { output: () => string }, timeoutMs = 30_000): Promise<Response> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch {
      if (Date.now() > end) throw new Error(`${url} did not answer: ${proc.output()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
