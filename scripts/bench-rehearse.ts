// Bench section: the rehearsal's own overhead. `rehearse` of the migrate-fail fixture (its migration fixed)
// against the real PostgreSQL (npm ci, a psql migration, npm start + the health check), against the same
// three commands run by hand in a fresh copy, interleaved, median of BENCH_REHEARSE_RUNS (default 5).
// Run alone: node --import tsx scripts/bench-rehearse.ts (after `npm run build`: it runs dist;
// BENCH_REHEARSE_BIN: another build's bin/create-prod-ready.cjs, to compare).
import { execFile, spawn } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PgServer } from '../test/harness/postgres.ts';
import { freePort } from '../test/harness/processes.ts';
import { commitAll, fixtureApp } from '../test/helpers/fixture-app.ts';
import { tempProject } from '../test/helpers/project.ts';
import { BIN, cleanEnv } from '../test/helpers/pty.ts';

export interface RehearseBench {
  runs: number;
  rehearsalMs: number;
  handMs: number;
  /** The rehearsal's time outside its steps (start-up, the copy, stopping, removing the copy). */
  outsideMs: number;
  ratio: number;
  /** The median of each run's own ratio (a rehearsal against the by-hand run just before it): steadier under a changing load. */
  pairedRatio: number;
}

/** GET / answered 2xx. */
const answers = (port: number) =>
  new Promise<boolean>((resolve) =>
    httpGet({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => (res.resume(), resolve((res.statusCode ?? 0) < 300))).on('error', () => resolve(false)),
  );
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchRehearse(pg: PgServer, runs = Number(process.env.BENCH_REHEARSE_RUNS) || 5): Promise<RehearseBench> {
  const app = fixtureApp('rehearse/migrate-fail', { '.env': `DATABASE_URL=${pg.url('postgres')}\n` });
  writeFileSync(join(app, 'migrations/002_orders.sql'), 'CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, user_id integer REFERENCES users(id));\n');
  commitAll(app);
  const port = await freePort();
  const sh = (command: string, cwd: string, env: NodeJS.ProcessEnv) =>
    new Promise<void>((resolve, reject) =>
      spawn('/bin/bash', ['-c', command], { cwd, env, stdio: 'ignore' }).on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`)))),
    );
  const byHand = async () => {
    const t0 = performance.now();
    const copy = join(tempProject(), 'app');
    cpSync(app, copy, { recursive: true, filter: (f) => !/[\\/](\.git|node_modules)$/.test(f) });
    const env = { ...cleanEnv(), PORT: String(port), DATABASE_URL: pg.url('postgres'), RENDER: 'true' };
    await sh('npm ci', copy, env);
    await sh('npm run migrate', copy, env);
    // its output read (and dropped) so that its end says when every process of the group has exited
    const server = spawn('/bin/bash', ['-c', 'npm start'], { cwd: copy, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    server.stdout.resume();
    server.stderr.resume();
    // as soon as it answers: polled every 10 ms (a baseline that waited longer would hide the
    // rehearsal's own waiting), with node:http as the rehearsal does (fetch's first call loads undici)
    while (!(await answers(port))) await new Promise((r) => setTimeout(r, 10));
    // stopped as the rehearsal stops it: SIGTERM to the group, done when the server itself has exited
    // (not only npm, which may exit first)
    process.kill(-server.pid!, 'SIGTERM');
    await new Promise((r) => server.on('close', r));
    rmSync(copy, { recursive: true, force: true });
    return performance.now() - t0;
  };
  const outside: number[] = [];
  const byRehearsal = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      execFile(process.execPath, [process.env.BENCH_REHEARSE_BIN || BIN, 'rehearse', '--json', '--cwd', app], { env: cleanEnv({ FORCE_COLOR: '0', PROD_READY_REHEARSE_PORT: String(port) }) }, (err, stdout) => {
        if (err) return reject(new Error(`rehearse failed: ${stdout}`));
        const ms = performance.now() - t0;
        const steps = (JSON.parse(stdout) as { services: { steps: { seconds: number }[] }[] }).services.flatMap((s) => s.steps);
        outside.push(ms - steps.reduce((a, s) => a + s.seconds * 1000, 0));
        resolve(ms);
      });
    });
  const hand: number[] = [], rehearsal: number[] = [];
  await byHand(); await byRehearsal(); // warm npm's cache and the file cache
  outside.length = 0;
  for (let i = 0; i < runs; i++) {
    hand.push(await byHand());
    rehearsal.push(await byRehearsal());
    if (process.env.BENCH_VERBOSE) console.log(`  run ${i + 1}: rehearse ${rehearsal.at(-1)!.toFixed(0)} ms, by hand ${hand.at(-1)!.toFixed(0)} ms, outside the steps ${outside.at(-1)!.toFixed(0)} ms`);
  }
  return { runs, rehearsalMs: median(rehearsal), handMs: median(hand), outsideMs: median(outside), ratio: median(rehearsal) / median(hand), pairedRatio: median(rehearsal.map((x, i) => x / hand[i]!)) };
}

export function rehearseBenchLines(r: RehearseBench): string {
  const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
  return [
    `${'rehearse (build, migrate, start)'.padEnd(34)} ${fmt(r.rehearsalMs).padStart(10)} vs by hand ${fmt(r.handMs).padStart(10)}   ratio ${r.ratio.toFixed(2)} (run by run ${r.pairedRatio.toFixed(2)})`,
    `${'  of which outside the steps'.padEnd(34)} ${fmt(r.outsideMs).padStart(10)} (start-up, copy, stop, clean-up; the copy and its removal are in the by-hand time too)`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { startPostgres } = await import('../test/harness/postgres.ts');
  const pg = await startPostgres();
  try {
    const r = await benchRehearse(pg);
    console.log(`node ${process.version} · median of ${r.runs} · load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(rehearseBenchLines(r));
    console.log(`target: ≤ 1.20 (${r.ratio <= 1.2 ? 'met' : 'missed'})`);
  } finally {
    await pg.stop();
  }
  process.exit(0);
}
