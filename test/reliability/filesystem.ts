// Filesystem trouble: a project folder the user may not write to, `.env` as a symbolic link (out of the
// project: refused; inside it: written through; dangling: refused), and `.env` files as people leave them
// (CRLF, a BOM, duplicate keys, lines that define nothing, an unclosed quote, a key without a value).
// Each case says what must hold; every run is a `--yes` run of the built CLI with the app settings only
// (no network), so the cases are about files alone.
import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, cpSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { hasSetpriv } from '../harness/postgres.ts';
import { NEXT_APP, tempProject } from '../helpers/project.ts';
import { ARGV_HOOK, argvLog, cli, hasStackTrace, suiteEnv, type CliRun } from './run.ts';
import { tempFiles, tree, treeDiff } from './tree.ts';
import type { SuiteResult } from './types.ts';

const JWT = 'fs-Jwt-Secret-0123456789abcdefghijklmnopqrstu';
const JWT_HALF = 'fs-half-edited-Jwt-9876543210zyxwvutsrqponml';
const ARGS = ['--yes', '--providers', 'app'];
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** How this process can run a command as `nobody`, or why it cannot (then the case is reported as not run). */
function dropToNobody(): { cmd: string; pre: string[] } | { missing: string } {
  if (hasSetpriv()) return { cmd: 'setpriv', pre: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'] };
  if (!commandWorks('runuser', ['--version'])) return { missing: 'neither setpriv nor runuser is installed' };
  if (!commandWorks('id', ['nobody'])) return { missing: 'there is no user "nobody"' };
  return { cmd: 'runuser', pre: ['-u', 'nobody', '--'] };
}

function commandWorks(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What a `nobody` run needs, in a folder that user can read: the built CLI as the package ships it (bin, dist,
 * templates, schemas, package.json), the argv hook and a log it may append to, and Node itself when its binary
 * sits where `nobody` cannot reach it (a checkout or a Node cache in a private folder). Then the run is about
 * the project folder's permissions and nothing else, wherever the checkout lies.
 */
function readableCopy(drop: { cmd: string; pre: string[] }): { dir: string; node: string; bin: string; hook: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-as-nobody-'));
  chmodSync(dir, 0o755);
  for (const part of ['bin', 'dist', 'templates', 'schemas', 'package.json']) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  const hook = join(dir, 'argv-hook.cjs');
  copyFileSync(ARGV_HOOK, hook);
  const log = join(dir, 'argv.jsonl');
  writeFileSync(log, '');
  chmodSync(log, 0o666);
  let node = process.execPath;
  if (!commandWorks(drop.cmd, [...drop.pre, node, '-e', '0'])) {
    node = join(dir, 'node');
    try {
      linkSync(process.execPath, node);
    } catch {
      copyFileSync(process.execPath, node);
      chmodSync(node, 0o755);
    }
  }
  return { dir, node, bin: join(dir, 'bin', 'create-prod-ready.cjs'), hook, log };
}

/** The CLI as an unprivileged user (root writes through chmod 0555), run from a copy that user can read. */
async function cliAsNobody(drop: { cmd: string; pre: string[] }, args: string[], cwd: string, what: string): Promise<CliRun> {
  const copy = readableCopy(drop);
  try {
    const env = suiteEnv({ CI: '1', NODE_OPTIONS: `--require ${copy.hook}`, PROD_READY_ARGV_LOG: copy.log });
    return await new Promise((resolve) => {
      const t0 = performance.now();
      const child = execFile(drop.cmd, [...drop.pre, copy.node, copy.bin, ...args], { cwd, env, timeout: 60_000 }, (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
        resolve({ what, code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr, ms: performance.now() - t0 });
      });
      child.stdin!.end('');
    });
  } finally {
    // what that run started joins the suite's argv log, for the secret scan
    if (argvLog()) appendFileSync(argvLog(), readFileSync(copy.log));
    rmSync(copy.dir, { recursive: true, force: true });
  }
}

/** Cases that could not run here, and why: reported as a figure, neither a failure nor a silent pass. */
const notRun: string[] = [];

interface Case {
  name: string;
  run: (r: SuiteResult, problem: (s: string) => void) => Promise<void>;
}

/** The one line that explains a refusal: `create-prod-ready: …` on stderr. */
const reason = (run: CliRun) => run.stderr.split('\n').find((l) => l.startsWith('create-prod-ready: ')) ?? '';
const output = (run: CliRun) => run.stdout + run.stderr;

function keepFiles(r: SuiteResult, dir: string): void {
  for (const [p, e] of tree(dir)) if (e.kind === 'file' && !p.endsWith('.env') && p !== '.env') r.files.push({ path: p, text: e.bytes.toString('utf8') });
}

const CASES: Case[] = [
  {
    name: 'read-only project folder',
    async run(r, problem) {
      const dir = tempProject({ 'package.json': NEXT_APP, '.env': 'NODE_ENV=development\nPORT=3000\n' });
      chmodSync(dir, 0o555);
      const before = tree(dir);
      // chmod does not stop root: then the CLI runs as nobody, for whom 0555 is read-only
      const drop = isRoot ? dropToNobody() : undefined;
      if (drop && 'missing' in drop) {
        chmodSync(dir, 0o700);
        return void notRun.push(`read-only project folder (root writes through chmod 0555 and ${drop.missing} to run as nobody)`);
      }
      const what = `${ARGS.join(' ')} in a chmod 0555 folder${drop ? ' (as nobody)' : ''}`;
      const run = drop ? await cliAsNobody(drop, ARGS, dir, what) : await cli(ARGS, { cwd: dir, what });
      r.transcripts.push(run);
      chmodSync(dir, 0o700);
      if (run.code !== 1) problem(`exit ${run.code}, not 1: ${output(run).slice(-300)}`);
      if (!/permission denied/i.test(reason(run))) problem(`no clear "permission denied" line: ${JSON.stringify(run.stderr.slice(0, 300))}`);
      const changed = treeDiff(before, tree(dir));
      if (changed.length) problem(`changed ${changed.join(', ')}`);
      if (hasStackTrace(output(run))) problem('a stack trace in the output');
    },
  },
  {
    name: '.env a symbolic link out of the project',
    async run(r, problem) {
      const outside = tempProject({ 'shared.env': 'NODE_ENV=development\nPORT=3000\n' });
      const dir = tempProject({ 'package.json': NEXT_APP });
      symlinkSync(join(outside, 'shared.env'), join(dir, '.env'));
      const [before, beforeOut] = [tree(dir), tree(outside)];
      const run = await cli(ARGS, { cwd: dir, what: `${ARGS.join(' ')} with .env linking out of the project` });
      r.transcripts.push(run);
      if (run.code !== 1) problem(`exit ${run.code}, not 1`);
      if (!/\.env is a symbolic link that leaves the project/.test(reason(run))) problem(`no clear refusal line: ${JSON.stringify(run.stderr.slice(0, 300))}`);
      const changed = [...treeDiff(before, tree(dir)), ...treeDiff(beforeOut, tree(outside)).map((p) => `outside: ${p}`)];
      if (changed.length) problem(`changed ${changed.join(', ')}`);
      if (hasStackTrace(output(run))) problem('a stack trace in the output');
    },
  },
  {
    name: '.env a dangling symbolic link',
    async run(r, problem) {
      const dir = tempProject({ 'package.json': NEXT_APP });
      symlinkSync('config/missing.env', join(dir, '.env'));
      const before = tree(dir);
      const run = await cli(ARGS, { cwd: dir, what: `${ARGS.join(' ')} with .env a dangling link` });
      r.transcripts.push(run);
      if (run.code !== 1) problem(`exit ${run.code}, not 1`);
      if (!/symbolic link/.test(reason(run))) problem(`no clear refusal line: ${JSON.stringify(run.stderr.slice(0, 300))}`);
      const changed = treeDiff(before, tree(dir));
      if (changed.length) problem(`changed ${changed.join(', ')}`);
      if (hasStackTrace(output(run))) problem('a stack trace in the output');
    },
  },
  {
    name: '.env a symbolic link inside the project',
    async run(r, problem) {
      const dir = tempProject({ 'package.json': NEXT_APP });
      mkdirSync(join(dir, 'config'));
      const original = `NODE_ENV=development\nPORT=3000\nJWT_SECRET=${JWT}\n`;
      writeFileSync(join(dir, 'config/app.env'), original);
      symlinkSync('config/app.env', join(dir, '.env'));
      const run = await cli(ARGS, { cwd: dir, what: `${ARGS.join(' ')} with .env linking inside the project` });
      r.transcripts.push(run);
      if (run.code !== 0) return problem(`exit ${run.code}, not 0: ${reason(run)}`);
      if (!lstatSync(join(dir, '.env')).isSymbolicLink() || readlinkSync(join(dir, '.env')) !== 'config/app.env') problem('.env is no longer the same symbolic link');
      const text = readFileSync(join(dir, 'config/app.env'), 'utf8');
      if (!text.startsWith(original)) problem('config/app.env lost what it held');
      const env = dotenv.parse(text);
      if (env.JWT_SECRET !== JWT || !env.APP_URL || !env.CORS_ORIGINS) problem(`config/app.env was not written through: ${Object.keys(env).join(', ')}`);
      const temps = tempFiles(tree(dir));
      if (temps.length) problem(`temp files left: ${temps.join(', ')}`);
      keepFiles(r, dir);
    },
  },
  {
    name: '.env with CRLF, a BOM, duplicate keys and lines that define nothing',
    async run(r, problem) {
      const lines = [
        '# app settings, edited by hand',
        'NODE_ENV=development',
        'PORT=3000 # the default',
        'APP_URL=http://localhost:3000',
        'this line is not an assignment',
        'export GREETING="hello # not a comment"',
        'PORT=3000',
        'CORS_ORIGINS=http://localhost:3000',
        '',
        `JWT_SECRET=${JWT}`,
        '=no-key',
        'APP_URL=http://localhost:3000',
      ];
      const original = `\uFEFF${lines.join('\r\n')}\r\n`;
      // the values this run changes: the effective (last) APP_URL and CORS_ORIGINS
      const expected = original.replace(/APP_URL=http:\/\/localhost:3000\r\n$/, 'APP_URL=http://localhost:4000\r\n').replace('CORS_ORIGINS=http://localhost:3000', 'CORS_ORIGINS=http://localhost:4000');
      const dir = tempProject({ 'package.json': NEXT_APP, '.env': original });
      const run = await cli(ARGS, {
        cwd: dir,
        env: { APP_URL: 'http://localhost:4000', CORS_ORIGINS: 'http://localhost:4000', PORT: '3000' },
        what: `${ARGS.join(' ')} over a CRLF + BOM .env with duplicates and invalid lines`,
      });
      r.transcripts.push(run);
      if (run.code !== 0) return problem(`exit ${run.code}, not 0: ${reason(run)}`);
      const after = readFileSync(join(dir, '.env'));
      if (!after.equals(Buffer.from(expected))) problem(`.env is not the original with only APP_URL and CORS_ORIGINS changed: ${JSON.stringify(after.toString())}`);
      const out = output(run);
      for (const key of ['PORT', 'APP_URL'])
        if (!out.split('\n').some((l) => l.includes('more than once') && l.includes(key))) problem(`the duplicate ${key} is not reported`);
      for (const n of [5, 11]) if (!out.split('\n').some((l) => /\.env line/.test(l) && new RegExp(`\\b${n}\\b`).test(l))) problem(`invalid line ${n} is not reported`);
      const want = { ...dotenv.parse(original), APP_URL: 'http://localhost:4000', CORS_ORIGINS: 'http://localhost:4000' };
      const got = dotenv.parse(after);
      if (JSON.stringify(got) !== JSON.stringify(want)) problem(`dotenv reads ${JSON.stringify(got)}`);
      keepFiles(r, dir);
    },
  },
  {
    name: 'half-edited .env: an unclosed quote, a key without a value',
    async run(r, problem) {
      const original = ['NODE_ENV=development', 'PORT=3000', 'APP_URL=http://localhost:3000', 'CORS_ORIGINS', `JWT_SECRET="${JWT_HALF}`, ''].join('\n');
      const dir = tempProject({ 'package.json': NEXT_APP, '.env': original });
      const before = tree(dir);
      const run = await cli(ARGS, { cwd: dir, what: `${ARGS.join(' ')} over a half-edited .env` });
      r.transcripts.push(run);
      // either written (every line kept, the problems reported) or refused (naming the key, nothing written)
      if (run.code !== 0) {
        if (run.code !== 2 || !/JWT_SECRET/.test(reason(run)) || !/\.env/.test(reason(run))) problem(`exit ${run.code} without a clear line naming JWT_SECRET in .env: ${JSON.stringify(reason(run))}`);
        const changed = treeDiff(before, tree(dir));
        if (changed.length) problem(`refused, yet changed ${changed.join(', ')}`);
      }
      const out = output(run).split('\n');
      if (!out.some((l) => /\.env line/.test(l) && /\b4\b/.test(l))) problem('the line with only a key (4) is not reported');
      if (!out.some((l) => /quote/i.test(l) && /\b5\b/.test(l))) problem(`the unclosed quote on line 5 is not reported: ${JSON.stringify(run.stdout.slice(0, 400))}`);
      if (hasStackTrace(output(run))) problem('a stack trace in the output');
      const after = readFileSync(join(dir, '.env'), 'utf8');
      if (!after.startsWith(original)) problem(`lines were lost or changed: ${JSON.stringify(after)}`);
      try {
        dotenv.parse(after);
      } catch (err) {
        problem(`dotenv cannot read the result: ${(err as Error).message}`);
      }
      if (run.code === 0) keepFiles(r, dir);
    },
  },
  {
    name: 'half-edited .env: an unclosed quote on a value that is then invalid',
    async run(r, problem) {
      const original = ['NODE_ENV=development', 'APP_URL="http://localhost:3000', `JWT_SECRET=${JWT}`, ''].join('\n');
      const dir = tempProject({ 'package.json': NEXT_APP, '.env': original });
      const before = tree(dir);
      const run = await cli(ARGS, { cwd: dir, what: `${ARGS.join(' ')} over a .env with an unclosed quote` });
      r.transcripts.push(run);
      if (run.code !== 2) problem(`exit ${run.code}, not 2 (invalid input)`);
      if (!/APP_URL/.test(reason(run)) || !/\.env/.test(reason(run))) problem(`the refusal does not name APP_URL and .env: ${JSON.stringify(reason(run))}`);
      if (!output(run).split('\n').some((l) => /quote/i.test(l) && /\b2\b/.test(l))) problem('the unclosed quote on line 2 is not reported');
      const changed = treeDiff(before, tree(dir));
      if (changed.length) problem(`changed ${changed.join(', ')}`);
      if (hasStackTrace(output(run))) problem('a stack trace in the output');
    },
  },
];

export default async function filesystem(): Promise<SuiteResult> {
  const r: SuiteResult = { name: 'filesystem', figures: [], transcripts: [], files: [], secrets: [JWT, JWT_HALF], failures: [] };
  const rows: string[] = [];
  let problems = 0;
  await Promise.all(
    CASES.map(async (c) => {
      const mine: string[] = [];
      try {
        await c.run(r, (s) => void mine.push(s));
      } catch (err) {
        mine.push(`the case itself failed: ${(err as Error).message.split('\n')[0]}`);
      }
      problems += mine.length;
      r.failures.push(...mine.map((m) => `${c.name}: ${m}`));
      const skipped = notRun.some((n) => n.startsWith(c.name));
      rows.push(`| ${c.name} | ${mine.length ? `✖ ${mine.length}` : skipped ? 'not run' : '✔'} |`);
    }),
  );
  r.table = ['| case | result |', '|---|---|', ...rows.sort()].join('\n');
  r.figures.push({ label: 'cases', value: CASES.length }, { label: 'cases not run here', value: notRun.length ? `${notRun.length}: ${notRun.join('; ')}` : 0 }, { label: 'problems', value: problems, zero: true });
  return r;
}
