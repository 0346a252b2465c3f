// `create-prod-ready rehearse [SERVICE…]`: deploy the Blueprint here, the way Render will, before pushing.
// Each service runs in its own clean copy (what git would commit, plus .env/.env.local) with Render's
// environment: build, pre-deploy against the local database, start, a listener on 0.0.0.0:PORT, the
// health check, a worker that stays up. Every process it starts is stopped at the end, on failure and
// on Ctrl+C; the copy is removed unless --keep.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { styleText } from 'node:util';
import { exec } from '../core/exec.ts';
import { Cancelled, UsageError } from '../core/errors.ts';
import { dotenvValues, parseDotenv } from '../core/files/dotenv.ts';
import { copyProject, gitListing } from '../core/rehearse/copy.ts';
import { groupListeners, isLoopback, isWildcard, portAnswers, portListeners, portTaken, type Listener } from '../core/rehearse/listen.ts';
import { composeUrls, nodeFits, planRehearsal, readBlueprint, type ServicePlan, type Skipped, type StepId } from '../core/rehearse/plan.ts';
import { killAllNow, run, stop, stopAll, type Proc } from '../core/rehearse/proc.ts';
import { plainOut } from '../ui/plain.ts';

export interface RehearseFlags {
  cwd: string;
  json: boolean;
  interactive: boolean;
  targets: string[];
  keep: boolean;
  /** Seconds to wait for the port and for the health check. */
  timeout: number;
}

export interface StepResult {
  step: StepId;
  ok: boolean;
  seconds: number;
  /** What happened, in one line. */
  detail: string;
  /** The last lines of the step's output, on failure. */
  output?: string[];
  hint?: string;
}

export interface ServiceResult {
  name: string;
  type: ServicePlan['type'];
  ok: boolean;
  /** The first step that failed. */
  failedStep?: StepId;
  steps: StepResult[];
  missing: ServicePlan['missing'];
  warnings: string[];
  dir?: string;
}

/** A step's failure: what the step line says, plus the output and the fix. */
class StepFailed extends Error {
  constructor(
    message: string,
    readonly output?: string[],
    readonly hint?: string,
  ) {
    super(message);
  }
}

const WORKER_UP_MS = 10_000;
const TITLES: Record<StepId, string> = {
  build: 'build',
  'pre-deploy': 'pre-deploy',
  port: 'start',
  health: 'health check',
  'stay-up': 'start',
  'publish-dir': 'publish directory',
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    const onAbort = () => (clearTimeout(t), reject(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ─── output: a spinner per step on a terminal, plain lines otherwise ──────────────────────────────────

interface Reporter {
  info(s: string): void;
  warn(s: string): void;
  service(s: ServicePlan): void;
  step(title: string, task: (signal: AbortSignal, progress: (s: string) => void) => Promise<string>): Promise<string>;
  output(lines: string[], hint?: string): void;
  end(ok: boolean, s: string): void;
}

async function terminalReporter(master: AbortController): Promise<Reporter> {
  const { ui } = await import('../ui/prompter.ts');
  const { withSpinner } = await import('../ui/spinner.ts');
  ui.intro('create-prod-ready rehearse');
  return {
    info: ui.info,
    warn: ui.warn,
    service: (s) => ui.step(`${styleText('bold', s.name)} ${styleText('dim', `(${s.type}${s.rootDir ? `, rootDir ${s.rootDir}` : ''})`)}`),
    async step(title, task) {
      const started = performance.now();
      let detail = '';
      return withSpinner(
        title,
        async (signal, progress) => {
          const any = AbortSignal.any([signal, master.signal]);
          return (detail = await task(any, progress));
        },
        () => `${title}: ${detail} ${styleText('dim', `(${secs(performance.now() - started)})`)}`,
        (err) => `${title}: ${err instanceof StepFailed ? err.message : (err as Error).message} ${styleText('dim', `(${secs(performance.now() - started)})`)}`,
      );
    },
    output: (lines, hint) => {
      if (lines.length) ui.message(styleText('dim', lines.join('\n')));
      if (hint) ui.message(`${styleText('yellow', '→')} ${hint}`);
    },
    end: (ok, s) => (ok ? ui.outro(s) : ui.outro(styleText('red', s))),
  };
}

function plainReporter(stream: NodeJS.WriteStream, master: AbortController): Reporter {
  const out = plainOut(stream);
  return {
    info: (s) => out.line(s),
    warn: (s) => out.warn(s),
    service: (s) => out.line(`\n${s.name} (${s.type}${s.rootDir ? `, rootDir ${s.rootDir}` : ''})`),
    async step(title, task) {
      const started = performance.now();
      out.line(`… ${title}`);
      try {
        const detail = await task(master.signal, () => undefined);
        out.ok(`${title}: ${detail} (${secs(performance.now() - started)})`);
        return detail;
      } catch (err) {
        if (!(err instanceof Cancelled)) out.fail(`${title}: ${(err as Error).message} (${secs(performance.now() - started)})`);
        throw err;
      }
    },
    output: (lines, hint) => {
      for (const l of lines) out.line(`  │ ${l}`);
      if (hint) out.hint(`→ ${hint}`);
    },
    end: (ok, s) => (ok ? out.ok(s) : out.fail(s)),
  };
}

// ─── the environment the commands run in ───────────────────────────────────────────────────────────

/** What a shell needs from this machine (PATH, HOME, locale, proxies, npm's config), and nothing of the app's. */
function machineEnv(): Record<string, string> {
  const keep = /^(HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|TMP|TEMP|SYSTEMROOT|COMSPEC|PATHEXT|WINDIR|APPDATA|LOCALAPPDATA|XDG_\w+|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY|npm_config_(registry|cache|userconfig)|NPM_CONFIG_(REGISTRY|CACHE|USERCONFIG))$/;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && keep.test(k)) env[k] = v;
  // A node_modules/.bin on PATH (npx, npm run) would hide the app's own missing tools.
  const sep = process.platform === 'win32' ? ';' : ':';
  env.PATH = (process.env.PATH ?? '').split(sep).filter((d) => d && !/node_modules/.test(d)).join(sep);
  return env;
}

function readEnvFiles(dir: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const f of ['.env', '.env.local'])
    try {
      Object.assign(values, dotenvValues(parseDotenv(readFileSync(join(dir, f), 'utf8'))));
    } catch {
      /* none */
    }
  return values;
}

/** The Node version Render would pick for the service: NODE_VERSION, .node-version, .nvmrc, engines.node. */
function wantedNode(dir: string, fromEnv: string | undefined): { spec: string; source: string } | undefined {
  if (fromEnv) return { spec: fromEnv, source: 'NODE_VERSION' };
  for (const f of ['.node-version', '.nvmrc'])
    try {
      const spec = readFileSync(join(dir, f), 'utf8').trim();
      if (spec) return { spec, source: f };
    } catch {
      /* none */
    }
  try {
    const spec = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node;
    if (spec) return { spec, source: 'package.json engines.node' };
  } catch {
    /* none */
  }
  return undefined;
}

/** The version of the `node` the commands will run: this one when PATH leads here (no process started), else asked. */
async function nodeOnPath(path: string): Promise<string> {
  const sep = process.platform === 'win32' ? ';' : ':';
  for (const d of path.split(sep)) {
    const candidate = join(d, process.platform === 'win32' ? 'node.exe' : 'node');
    if (!existsSync(candidate)) continue;
    try {
      if (realpathSync(candidate) === realpathSync(process.execPath)) return process.version;
    } catch {
      /* unreadable: ask it */
    }
    break;
  }
  const r = await exec('node', ['--version'], { cwd: process.cwd(), env: { PATH: path }, extendEnv: false }).catch(() => undefined);
  return r?.stdout.trim() || process.version;
}

// ─── why a step failed, in the user's terms ────────────────────────────────────────────────────────

function buildHint(svc: ServicePlan, tail: string[], direct: Set<string>): string | undefined {
  const text = tail.join('\n');
  const prod = svc.env.NODE_ENV === 'production';
  const install = /\bnpm (ci|install|i)\b(?![^&;|]*--include[= ]dev)/.test(svc.buildCommand ?? '');
  if (/can only install packages when your package\.json and package-lock\.json/.test(text)) {
    // the packages package.json names (npm lists their own dependencies too)
    const absent = [...text.matchAll(/Missing: (\S+)@\S+ from lock file/g)].map((m) => m[1]!).filter((p) => direct.has(p));
    return `package-lock.json does not match package.json${absent.length ? ` (not in the lock: ${absent.join(', ')})` : ''}, and Render runs the same npm ci: run \`npm install\` and commit package-lock.json`;
  }
  if (/can only install with an existing package-lock\.json/.test(text)) return 'commit package-lock.json: `npm ci` needs it, on Render too';
  if (prod && install && /(command not found|not found|Cannot find module|ERR_MODULE_NOT_FOUND|is not recognized)/i.test(text))
    return 'NODE_ENV=production makes npm skip devDependencies, so build tools are missing: install them with `npm ci --include=dev` in buildCommand, or move them to dependencies';
  // a build that reads a value with none here (a framework inlining public values, a config validating env)
  const named = svc.missing.filter((m) => new RegExp(`\\b${m.key}\\b`).test(text));
  if (named.length) {
    const keys = named.map((m) => m.key).join(', ');
    return named.some((m) => m.prompted)
      ? `the build needs ${keys}, which has no value here (sync: false, not in .env): add it to .env, and enter it in Render's Dashboard before the first deploy, where the build fails the same way without it`
      : `the build needs ${keys}, which has no local value: ${missingHint(svc)}`;
  }
  return undefined;
}

/** The packages the app's package.json names. */
function dependencies(dir: string): Set<string> {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    return new Set(['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((k) => Object.keys(pkg[k] ?? {})));
  } catch {
    return new Set();
  }
}

function missingHint(svc: ServicePlan): string | undefined {
  const keys = (prompted: boolean) => svc.missing.filter((m) => m.prompted === prompted).map((m) => m.key).join(', ');
  const hints = [
    keys(true) && `it ran without ${keys(true)} (sync: false, not in .env), as Render would unless they are entered in the Dashboard: add them to .env`,
    keys(false) && `no local value for ${keys(false)}: set DATABASE_URL / REDIS_URL in .env`,
  ].filter(Boolean);
  return hints.length ? hints.join('; ') : undefined;
}

/**
 * Prisma's migrate over @prisma/adapter-pg (prisma.config.ts `engine: "js"`, no engine binary) stops on the
 * first PostgreSQL catalog column it reads (prisma/orm#27403): a bug of the adapter, the same on Render.
 */
const PRISMA_ADAPTER_TYPES = /Column type '([\w" ]+)' could not be deserialized from the database/;

/** Which database the migration ran against, and what to do about it; then any value it ran without. */
function preDeployHint(svc: ServicePlan, tail: string[]): string {
  const adapterBug = PRISMA_ADAPTER_TYPES.exec(tail.join('\n'));
  if (adapterBug)
    return `@prisma/adapter-pg cannot read PostgreSQL's catalog type '${adapterBug[1]}' that Prisma's migrate reads (prisma/orm#27403), so \`prisma migrate deploy\` fails the same way on Render: give the adapter in prisma.config.ts a pg pool that reports catalog types as text (docs/prisma.md), or drop \`engine: "js"\` and \`adapter\` there so migrate uses Prisma's schema engine binary`;
  const refs = Object.entries(svc.sources);
  const composed = refs.filter(([, from]) => from === 'docker-compose.yml').map(([k]) => k);
  const where = composed.length
    ? `${composed.join(', ')} pointed at docker-compose.yml's database (no value in .env): is it running (\`docker compose up -d\`)? Or set ${composed[0]} in .env`
    : refs.length
      ? `the migration ran against your local database (${[...new Set(refs.map(([k, from]) => (from === `.env ${k}` ? from : `${k} from ${from}`)))].join(', ')}): fix it there first`
      : 'the migration ran with the values above: fix it locally first';
  return [where, missingHint(svc)].filter(Boolean).join('; ');
}

// ─── the steps ─────────────────────────────────────────────────────────────────────────────────────

interface Context {
  svc: ServicePlan;
  /** The machine's PATH, HOME… and the service's Render environment. */
  env: Record<string, string>;
  dir: string;
  logs: string;
  timeoutMs: number;
  /** The start command's process, kept between the start and the health check. */
  app?: Proc;
}

async function waitExit(p: Proc, signal: AbortSignal): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void p.exited.then((r) => (signal.removeEventListener('abort', onAbort), resolve(r)));
  });
}

const exitText = (e: { code: number | null; signal: string | null }) => (e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`);

async function command(ctx: Context, step: 'build' | 'pre-deploy', cmd: string, signal: AbortSignal): Promise<string> {
  const p = run(cmd, { cwd: ctx.dir, env: ctx.env, log: join(ctx.logs, `${ctx.svc.name}-${step}.log`) });
  const e = await waitExit(p, signal);
  await stop(p, 2000); // anything it left running in the background
  if (e.code !== 0) {
    const tail = p.tail();
    throw new StepFailed(`\`${cmd}\` ${exitText(e)}`, tail, step === 'build' ? buildHint(ctx.svc, tail, dependencies(ctx.dir)) : step === 'pre-deploy' ? preDeployHint(ctx.svc, tail) : undefined);
  }
  return `\`${cmd}\``;
}

function describe(ls: Listener[]): string {
  return ls.map((l) => `${l.address}:${l.port}`).join(', ');
}

async function listening(ctx: Context, signal: AbortSignal, progress: (s: string) => void): Promise<string> {
  const { svc } = ctx;
  const app = (ctx.app = run(svc.startCommand!, { cwd: ctx.dir, env: ctx.env, log: join(ctx.logs, `${svc.name}-start.log`) }));
  const started = performance.now();
  let loopbackSince: number | undefined;
  let others: Listener[] = [];
  let lookedAround = started;
  for (;;) {
    if (app.exit) throw new StepFailed(`\`${svc.startCommand}\` ${exitText(app.exit)} before listening on port ${svc.port}`, app.tail(), missingHint(svc));
    // a connection test first; the kernel's tables (which name the addresses) once something answers or
    // was seen on the port, and every second for a listener on another address or port
    const lookAround = performance.now() - lookedAround > 1000;
    const onPort = lookAround || loopbackSince !== undefined || (await portAnswers(svc.port)) ? await portListeners(svc.port) : [];
    // now and then (a scan of every process), the ports the app listens on instead
    if (!onPort.length && lookAround) {
      lookedAround = performance.now();
      others = (groupListeners(app.pid) ?? []).filter((l) => l.port !== svc.port);
    }
    if (onPort.some((l) => isWildcard(l.address)))
      return `\`${svc.startCommand}\`, listening on port ${svc.port} on all interfaces (${[...new Set(onPort.filter((l) => isWildcard(l.address)).map((l) => l.address))].join(', ')})`;
    if (onPort.length) {
      loopbackSince ??= performance.now();
      if (performance.now() - loopbackSince > 1000) {
        const where = describe(onPort);
        throw new StepFailed(
          `listens on ${where} only: Render cannot reach it ("No open ports detected")`,
          app.tail(),
          `listen on 0.0.0.0${onPort.some((l) => isLoopback(l.address)) ? ' instead of localhost' : ''}: pass no host (server.listen(process.env.PORT)) or host 0.0.0.0`,
        );
      }
    }
    if (performance.now() - started > ctx.timeoutMs)
      throw new StepFailed(
        `nothing listens on port ${svc.port} after ${secs(ctx.timeoutMs)}${others.length ? ` (it listens on ${describe(others)})` : ''}`,
        app.tail(),
        `read the port from the PORT variable (Render sets it to ${svc.port}) and listen on 0.0.0.0`,
      );
    progress(`start: \`${svc.startCommand}\`, waiting for port ${svc.port}${others.length ? ` (listening on ${describe(others)})` : ''}`);
    // often: a connection test costs little; slower once the tables are being read (a loopback listener)
    await sleep(!onPort.length && performance.now() - started < 2000 ? 10 : 50, signal);
  }
}

/**
 * The status of a GET, redirects not followed. node:http rather than fetch: fetch loads undici on its
 * first call (around 100 ms on a busy machine), which every rehearsal would pay.
 */
function httpStatus(url: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { signal, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => reject(signal.aborted ? signal.reason : new Error('connection failed')));
  });
}

async function healthy(ctx: Context, signal: AbortSignal, progress: (s: string) => void): Promise<string> {
  const { svc } = ctx;
  const url = `http://127.0.0.1:${svc.port}${svc.healthCheckPath!.startsWith('/') ? '' : '/'}${svc.healthCheckPath}`;
  const started = performance.now();
  let last = '';
  for (;;) {
    const app = ctx.app!;
    if (app.exit) throw new StepFailed(`the app ${exitText(app.exit)} during the health check`, app.tail(), missingHint(svc));
    try {
      const status = await httpStatus(url, AbortSignal.any([signal, AbortSignal.timeout(5000)]));
      if (status >= 200 && status < 400) return `GET ${svc.healthCheckPath} → ${status}`;
      last = `${status}`;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      last = (err as Error).name === 'TimeoutError' ? 'no answer in 5 s' : 'connection failed';
    }
    if (performance.now() - started > ctx.timeoutMs)
      throw new StepFailed(
        `GET ${svc.healthCheckPath} answered ${last} for ${secs(ctx.timeoutMs)}`,
        app.tail(),
        last === '404'
          ? `serve 200 on ${svc.healthCheckPath}, or set healthCheckPath in render.yaml to a route the app has: Render cancels the deploy after 15 minutes of failed checks`
          : `Render needs a 2xx or 3xx answer on ${svc.healthCheckPath}`,
      );
    progress(`health check: GET ${svc.healthCheckPath} → ${last} (${secs(performance.now() - started)})`);
    // often ready a moment after it listens: asked again soon at first, then every 250 ms
    await sleep(performance.now() - started < 2000 ? 50 : 250, signal);
  }
}

async function staysUp(ctx: Context, signal: AbortSignal, progress: (s: string) => void): Promise<string> {
  const { svc } = ctx;
  const app = (ctx.app = run(svc.startCommand!, { cwd: ctx.dir, env: ctx.env, log: join(ctx.logs, `${svc.name}-start.log`) }));
  const started = performance.now();
  while (performance.now() - started < WORKER_UP_MS) {
    if (app.exit)
      throw new StepFailed(`\`${svc.startCommand}\` ${exitText(app.exit)} after ${secs(performance.now() - started)}: a worker must keep running (Render restarts it again and again)`, app.tail(), missingHint(svc));
    progress(`start: \`${svc.startCommand}\`, up for ${Math.floor((performance.now() - started) / 1000)} of ${WORKER_UP_MS / 1000} s`);
    await sleep(100, signal);
  }
  return `\`${svc.startCommand}\`, still running after ${WORKER_UP_MS / 1000} s`;
}

function publishDir(ctx: Context): string {
  const p = ctx.svc.staticPublishPath ?? 'public';
  const full = join(ctx.dir, p);
  if (!existsSync(full) || !readdirSync(full).length) throw new StepFailed(`staticPublishPath ${p} is missing or empty after the build`, undefined, 'set staticPublishPath to the folder the build writes');
  return `${p} has ${readdirSync(full).length} entries`;
}

async function runStep(ctx: Context, step: StepId, signal: AbortSignal, progress: (s: string) => void): Promise<string> {
  switch (step) {
    case 'build':
      return command(ctx, 'build', ctx.svc.buildCommand!, signal);
    case 'pre-deploy':
      return command(ctx, 'pre-deploy', ctx.svc.preDeployCommand!, signal);
    case 'port':
      return listening(ctx, signal, progress);
    case 'health':
      return healthy(ctx, signal, progress);
    case 'stay-up':
      return staysUp(ctx, signal, progress);
    case 'publish-dir':
      return publishDir(ctx);
  }
}

// ─── the command ───────────────────────────────────────────────────────────────────────────────────

export async function rehearse(flags: RehearseFlags): Promise<number> {
  const blueprintFile = join(flags.cwd, 'render.yaml');
  if (!existsSync(blueprintFile)) throw new UsageError('no render.yaml here: nothing to rehearse', `run \`npx create-prod-ready\` to write one, or --cwd the folder that has it (looked in ${flags.cwd})`);
  // what git would commit, asked now: its two commands run while the Blueprint is read and the port checked
  const listing = gitListing(flags.cwd);
  const defaultPort = Number(process.env.PROD_READY_REHEARSE_PORT) || 10000;
  // the usual port is checked meanwhile too (a Blueprint's own PORT once it is read)
  const defaultTaken = portTaken(defaultPort);
  let composeText: string | undefined;
  for (const f of ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml'])
    if (composeText === undefined && existsSync(join(flags.cwd, f))) composeText = readFileSync(join(flags.cwd, f), 'utf8');
  const { services, skipped } = planRehearsal(readBlueprint(readFileSync(blueprintFile, 'utf8')), flags.targets, {
    dotenv: (rootDir) => ({ ...readEnvFiles(flags.cwd), ...(rootDir ? readEnvFiles(join(flags.cwd, rootDir)) : {}) }),
    compose: composeUrls(composeText),
    defaultPort,
  });
  for (const s of services) if (s.rootDir && !existsSync(join(flags.cwd, s.rootDir))) throw new UsageError(`${s.name}: rootDir ${s.rootDir} does not exist`, 'fix rootDir in render.yaml');
  for (const port of new Set(services.filter((s) => s.steps.includes('port')).map((s) => s.port)))
    if (await (port === defaultPort ? defaultTaken : portTaken(port)))
      throw new UsageError(`port ${port} is already in use on this machine: the rehearsal needs it for the app`, 'stop what listens there, or set PROD_READY_REHEARSE_PORT to rehearse on another port');

  // Until the result is known, an early end (a bug that leaves nothing to wait on) must not read as success.
  process.exitCode = 1;
  const master = new AbortController();
  const onSignal = () => master.abort(new Cancelled('Cancelled. The rehearsal stopped every process it started.'));
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  const root = mkdtempSync(join(tmpdir(), 'cpr-rehearse-'));
  const onExit = () => {
    killAllNow();
    if (!flags.keep) rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  const logs = join(root, 'logs');
  mkdirSync(logs);
  const r = flags.interactive && !flags.json ? await terminalReporter(master) : plainReporter(flags.json ? process.stderr : process.stdout, master);
  const results: ServiceResult[] = [];
  try {
    for (const s of skipped) r.info(`${s.name}: not rehearsed, ${s.why}`);
    const installedNode = nodeOnPath(machineEnv().PATH!);
    for (const svc of services) {
      if (master.signal.aborted) throw master.signal.reason;
      r.service(svc);
      const base = join(root, svc.name);
      const copied = await copyProject(flags.cwd, base, svc.rootDir ? ['', svc.rootDir] : [''], listing);
      const dir = svc.rootDir ? join(base, svc.rootDir) : base;
      r.info(
        copied.git
          ? `copied the ${copied.files} files git would commit${copied.envFiles.length ? `, and ${copied.envFiles.join(', ')}` : ''}${copied.uncommitted ? ` (${copied.uncommitted} not committed yet: Render sees them only once pushed)` : ''}`
          : 'copied the folder without node_modules (not a git repository: Render deploys what you push)',
      );
      const warnings = [...svc.warnings];
      const wanted = svc.type !== 'static' || svc.buildCommand ? wantedNode(dir, svc.nodeVersion) : undefined;
      const have = await installedNode;
      const fit = wanted && nodeFits(wanted.spec, have);
      if (fit && !fit.fits) warnings.push(`Node ${wanted!.spec} wanted (${wanted!.source}), this machine runs ${have}: rehearsed on ${have} (Render uses ${fit.wanted}; nothing is downloaded)`);
      for (const m of svc.missing)
        warnings.push(`${m.key} has no value (${m.why}): ${m.prompted ? 'on Render the deploy would start without it unless you enter it in the Dashboard' : 'the rehearsal runs without it (Render fills it in)'}`);
      const local = readEnvFiles(dir);
      const onlyLocal = Object.keys(local).filter((k) => !(k in svc.env) && !svc.missing.some((m) => m.key === k));
      if (onlyLocal.length)
        warnings.push(`.env has ${onlyLocal.slice(0, 8).join(', ')}${onlyLocal.length > 8 ? ` and ${onlyLocal.length - 8} more` : ''}, which render.yaml does not give ${svc.name}: an app that reads them finds them here, not on Render`);
      for (const w of warnings) r.warn(w);
      const result: ServiceResult = { name: svc.name, type: svc.type, ok: true, steps: [], missing: svc.missing, warnings, ...(flags.keep ? { dir } : {}) };
      results.push(result);
      const ctx: Context = { svc, env: { ...machineEnv(), ...svc.env }, dir, logs, timeoutMs: flags.timeout * 1000 };
      try {
        for (const step of svc.steps) {
          const started = performance.now();
          try {
            const detail = await r.step(TITLES[step], (signal, progress) => runStep(ctx, step, signal, progress));
            result.steps.push({ step, ok: true, seconds: +((performance.now() - started) / 1000).toFixed(2), detail });
          } catch (err) {
            if (err instanceof Cancelled && !master.signal.aborted) onSignal();
            if (!(err instanceof StepFailed)) throw err;
            result.ok = false;
            result.failedStep = step;
            result.steps.push({ step, ok: false, seconds: +((performance.now() - started) / 1000).toFixed(2), detail: err.message, output: err.output, hint: err.hint });
            r.output(err.output ?? [], err.hint);
            break;
          }
        }
      } finally {
        await stopAll(master.signal.aborted ? 1000 : 5000);
      }
    }
    const failed = results.filter((x) => !x.ok);
    if (flags.json)
      process.stdout.write(`${JSON.stringify({ ok: !failed.length, port: defaultPort, services: results, skipped: skipped as Skipped[], kept: flags.keep ? root : undefined }, null, 2)}\n`);
    if (flags.keep) r.info(`kept the copy and the logs in ${root}`);
    r.end(
      !failed.length,
      failed.length
        ? `${failed.map((f) => `${f.name} failed at ${TITLES[f.failedStep!]}`).join('; ')}: fix it before pushing`
        : `${results.length} service${results.length === 1 ? '' : 's'} rehearsed: the deploy works here the way Render runs it`,
    );
    return failed.length ? 1 : 0;
  } catch (err) {
    if (master.signal.aborted || err instanceof Cancelled) throw master.signal.reason ?? err;
    throw err;
  } finally {
    // A second Ctrl+C while the processes are being stopped: no more grace (SIGKILL), and still the cleanup.
    const hurry = () => killAllNow();
    for (const s of signals) process.off(s, onSignal).on(s, hurry);
    await stopAll(master.signal.aborted ? 1000 : 5000);
    process.off('exit', onExit);
    if (!flags.keep) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    for (const s of signals) process.off(s, hurry);
  }
}
