// `npm run bench`: start-up and concurrency figures, each paired against a baseline in the same run.
//  1. wall time of `create-prod-ready --help` vs `node -e 0` (median of N, interleaved)
//  2. time until the first prompt is drawn under a pty vs `node -e 0` under the same pty
//  3. runtime dependencies of the packed package (target 0) and its size
//  4. `check` with every provider behind a proxy adding latency: total vs the slowest single check
//  5. `rehearse` of a web service (npm ci, a psql migration, npm start + health check) vs the same three
//     commands run by hand in a fresh copy: the rehearsal's own overhead (scripts/bench-rehearse.ts)
//  6. questions a new user answers (app + Postgres + Redis + Stripe, every default accepted, Docker
//     present): the built CLI driven through a pty, a `docker` stand-in starting the real servers
//  7. env coverage over the fixture apps (test/fixtures/apps): of the provider keys each app reads, how many
//     got a value under the app's own name after `init --yes`, and whether render.yaml declares every key
//     the app requires (BENCH_FIT_BIN: another build's bin, to compare)
//  8. SQLite → PostgreSQL copy of a 100,000-row table (read, convert, COPY, read back and checksum both
//     sides) in rows per second vs `COPY … FROM STDIN` of a CSV of the same rows (scripts/bench-sqlite-copy.ts)
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createConnection, createServer, type Server } from 'node:net';
import { spawn } from '@lydell/node-pty';
import { answerAll, BIN, cleanEnv, KEY, runPty } from '../test/helpers/pty.ts';
import { startDockerStandin } from '../test/helpers/docker-standin.ts';
import { KEYS } from '../test/standins/stripe.ts';
import { tempProject } from '../test/helpers/project.ts';
import { startPostgres } from '../test/harness/postgres.ts';
import { startRedis } from '../test/harness/redis.ts';
import { envText, startStandins } from '../test/standins/all.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { FIXTURE_APPS } from '../test/helpers/app-fixtures.ts';
import { coverageFigure, fitFixture } from '../test/helpers/fit-the-app.ts';
import { join } from 'node:path';
import { benchSqliteCopy, copyBenchLine } from './bench-sqlite-copy.ts';
import { benchRehearse, rehearseBenchLines } from './bench-rehearse.ts';

const N = Number(process.env.BENCH_RUNS) || 31;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS) || 300;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function wall(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore', env: cleanEnv() });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return performance.now() - t0;
}

function ptyUntil(args: string[], cwd: string, marker: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, args, { cols: 100, rows: 40, cwd, env: cleanEnv() });
    let out = '';
    let done = false;
    const finish = (ms: number) => {
      if (done) return;
      done = true;
      resolve(ms);
      try { p.kill(); } catch { /* gone */ }
    };
    p.onData((d) => {
      out += d;
      if (marker && out.includes(marker)) finish(performance.now() - t0);
    });
    p.onExit(() => (marker ? (done ? undefined : reject(new Error(`exited before "${marker}"`))) : finish(performance.now() - t0)));
  });
}

async function pairs(label: string, a: () => number | Promise<number>, b: () => number | Promise<number>) {
  const xs: number[] = [];
  const ys: number[] = [];
  await a(); await b(); // warm the file cache
  for (let i = 0; i < N; i++) {
    xs.push(await a());
    ys.push(await b());
  }
  const [mx, my] = [median(xs), median(ys)];
  console.log(`${label.padEnd(34)} ${fmt(mx).padStart(10)} vs node -e 0 ${fmt(my).padStart(10)}   ratio ${(mx / my).toFixed(2)}`);
  return mx / my;
}

/** A TCP proxy that waits `ms` before connecting upstream: every new connection pays the latency. */
function slowProxy(port: number, ms: number): Promise<{ port: number; server: Server }> {
  const server = createServer((client) => {
    client.pause();
    setTimeout(() => {
      const up = createConnection(port, '127.0.0.1', () => { client.pipe(up); up.pipe(client); client.resume(); });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    }, ms);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ port: (server.address() as { port: number }).port, server })));
}

console.log(`create-prod-ready bench · node ${process.version} · median of ${N}`);
// Every child runs with a minimal environment (PATH, HOME, LANG, TERM): a machine-wide setting such as
// NODE_EXTRA_CA_CERTS adds ~100 ms to every node start here and would hide the difference measured.
console.log('children run with a minimal environment (PATH, HOME, LANG, TERM)\n');
const dir = tempProject();
const helpRatio = await pairs('--help (wall)', () => wall([BIN, '--help']), () => wall(['-e', '0']));
const promptRatio = await pairs('first prompt drawn (pty)', () => ptyUntil([BIN], dir, 'Which providers'), () => ptyUntil(['-e', '0'], dir, null));

const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0];
const pkg = JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { encoding: 'utf8' }));
const deps = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }).length;
console.log(`${'runtime dependencies (packed)'.padEnd(34)} ${String(deps).padStart(10)}   (${packed.entryCount} files, ${(packed.size / 1024).toFixed(0)} KiB packed)`);

// Concurrency: every provider's live check pays LATENCY_MS: on each new connection for Postgres and
// Redis (a delaying TCP proxy), on each request for the HTTP stand-ins.
const [pg, redis, hosted] = await Promise.all([startPostgres(), startRedis({ password: 'bench-pass' }), startStandins({ latencyMs: LATENCY_MS })]);
const [pgp, rp] = await Promise.all([slowProxy(pg.port, LATENCY_MS), slowProxy(redis.port, LATENCY_MS)]);
const proj = tempProject();
writeFileSync(
  join(proj, '.env'),
  envText({
    NODE_ENV: 'development',
    PORT: '3000',
    APP_URL: 'http://localhost:3000',
    CORS_ORIGINS: 'http://localhost:3000',
    JWT_SECRET: 'x'.repeat(43),
    DATABASE_URL: pg.url('postgres').replace(`:${pg.port}/`, `:${pgp.port}/`),
    REDIS_URL: `redis://:bench-pass@127.0.0.1:${rp.port}`,
    ...hosted.values,
  }),
);
const standinEnv = { FORCE_COLOR: '0', ...hosted.overrides };
// Async: the proxies live in this process, so a blocking spawnSync would stall them.
const timeCheck = (providers?: string) =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    execFile(process.execPath, [BIN, 'check', ...(providers ? ['--providers', providers] : [])], { cwd: proj, env: cleanEnv(standinEnv) }, (err, stdout, stderr) =>
      err ? reject(new Error(`check failed: ${stdout}${stderr}`)) : resolve(performance.now() - t0),
    );
  });
const runs = Number(process.env.BENCH_CHECK_RUNS) || Math.max(5, Math.floor(N / 3));
const all: number[] = [], slowest: number[] = [];
const ids = ['app', 'postgres', 'redis', 'clerk', 'auth0', 'stripe', 'b2', 'render'];
for (let i = 0; i < runs; i++) {
  all.push(await timeCheck());
  const singles: number[] = [];
  for (const id of ids) singles.push(await timeCheck(id));
  slowest.push(Math.max(...singles));
}
const concRatio = median(all) / median(slowest);
console.log(`${`check, ${ids.length} providers (+${LATENCY_MS} ms)`.padEnd(34)} ${fmt(median(all)).padStart(10)} vs slowest single ${fmt(median(slowest)).padStart(10)}   ratio ${concRatio.toFixed(2)}`);

// The rehearsal's overhead (scripts/bench-rehearse.ts; BENCH_REHEARSE_RUNS, BENCH_REHEARSE_BIN).
const rehearseBench = await benchRehearse(pg);
const rehearseRatio = rehearseBench.ratio;
console.log(rehearseBenchLines(rehearseBench));

pgp.server.close();
rp.server.close();

// Questions: every prompt the wizard draws is answered (Enter = its default; the two Stripe keys typed).
// Target: the picker + one per value only the user knows (2) + the settings confirmation + the plan = 5.
const docker = await startDockerStandin();
const fresh = tempProject();
const session = runPty([], { cwd: fresh, env: cleanEnv({ PATH: docker.path, ...docker.env, PROD_READY_STRIPE_URL: hosted.overrides.PROD_READY_STRIPE_URL! }) });
await session.waitFor('Which providers should be production-ready?');
session.write(KEY.down.repeat(5) + KEY.space); // + Stripe
await session.waitFor(/◼ Stripe/);
const asked = await answerAll(session, (p) => (p.startsWith('STRIPE_SECRET_KEY') ? KEYS.test : p.startsWith('STRIPE_PUBLISHABLE_KEY') ? KEYS.publishableTest : undefined));
const { code: askedExit } = await session.exit;
const started = docker.calls().filter((c) => c[0] === 'compose').map((c) => c.join(' '));
await docker.stop();
console.log(`${'questions, new user (app+pg+redis+stripe)'.padEnd(34)} ${String(asked.length).padStart(10)}   exit ${askedExit}; ${asked.map((q) => q.replace(/ \(.*$/, '')).join(' · ')}; started: ${started.join(', ') || 'nothing'}`);
await hosted.stop();

// Env coverage: the same runs as test/e2e/fit-the-app.test.ts, without latency.
const fitStandins = await startStandins();
const fitBin = process.env.BENCH_FIT_BIN || BIN;
console.log(`\nenv coverage after init --yes (provider keys the app reads with a value under its name; required keys declared in render.yaml)${fitBin === BIN ? '' : ` · ${fitBin}`}`);
let fitAll = true;
for (const name of FIXTURE_APPS) {
  const r = await fitFixture(name, { pg, redis, overrides: fitStandins.overrides }, fitBin);
  const yamlPath = join(r.dir, 'render.yaml');
  const web = existsSync(yamlPath) ? ((parseYaml(readFileSync(yamlPath, 'utf8')) as { services?: { type: string; envVars?: { key: string }[] }[] }).services ?? []).find((x) => x.type === 'web') : undefined;
  const declared = new Set((web?.envVars ?? []).map((e) => e.key));
  const required = Object.entries(r.contract.keys).filter(([k, v]) => v.required && k !== 'PORT').map(([k]) => k);
  const undeclared = required.filter((k) => !declared.has(k));
  fitAll &&= r.code === 0 && !r.missing.length && !undeclared.length;
  console.log(
    `  ${name.padEnd(24)} exit ${r.code}   coverage ${coverageFigure(r).padStart(11)}   required declared ${required.length - undeclared.length}/${required.length}${r.missing.length ? `   no value: ${r.missing.join(', ')}` : ''}${undeclared.length ? `   undeclared: ${undeclared.join(', ')}` : ''}`,
  );
}
await fitStandins.stop();

const copyBench = await benchSqliteCopy(pg);
console.log(`\n${copyBenchLine(copyBench)}`);
await Promise.all([pg.stop(), redis.stop()]);
const copyTarget = copyBench ? (copyBench.ratio <= 3 ? 'met' : 'missed') : 'skipped: Node < 22.13';

console.log(`\ntargets: --help ≤ 1.10 (${helpRatio <= 1.1 ? 'met' : 'missed'}), first prompt ≤ 1.10 (${promptRatio <= 1.1 ? 'met' : 'missed'}), 0 runtime deps (${deps === 0 ? 'met' : 'missed'}), concurrent checks ≤ 1.10 (${concRatio <= 1.1 ? 'met' : 'missed'}), rehearse ≤ 1.20 (${rehearseRatio <= 1.2 ? 'met' : 'missed'}), questions ≤ 5 (${asked.length <= 5 && askedExit === 0 ? 'met' : 'missed'}), env coverage 100% with every required key declared (${fitAll ? 'met' : 'missed'}), sqlite copy ≤ 3× COPY (${copyTarget})`);
process.exit(0);
