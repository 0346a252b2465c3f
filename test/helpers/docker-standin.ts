// The `docker` stand-in (test/standins/docker.mjs) put on a child's PATH, and the test-side server it
// calls for `docker compose up`: it starts the real PostgreSQL and redis-server of the harness on the
// ports the project's docker-compose.yml publishes, with the user, password and database the file sets,
// so the wizard's real checks then pass against what "Docker" started.
import { mkdtempSync, readFileSync, writeFileSync, chmodSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRoleAndDatabase, startPostgres, type PgServer } from '../harness/postgres.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';

const SCRIPT = fileURLToPath(new URL('../standins/docker.mjs', import.meta.url));

export interface DockerStandin {
  /** PATH for the child: the stand-in first, then the test's PATH without any other `docker`. */
  path: string;
  /** Extra environment for the child (where to record argv, how to reach the control server). */
  env: Record<string, string>;
  /** Every call's argv, in order. */
  calls(): string[][];
  /** What compose "started": service name → the real server. */
  started: Map<string, PgServer | RedisServer>;
  stop(): Promise<void>;
}

/** The test's PATH without directories that hold a `docker` (a real one here must not answer). */
export function pathWithoutDocker(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => d && !existsSync(join(d, 'docker')))
    .join(delimiter);
}

export async function startDockerStandin(opts: { daemon?: 'up' | 'down' } = {}): Promise<DockerStandin> {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-docker-'));
  const bin = join(dir, 'bin');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(bin);
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\nexec "${process.execPath}" "${SCRIPT}" "$@"\n`);
  chmodSync(join(bin, 'docker'), 0o755);
  const started = new Map<string, PgServer | RedisServer>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      try {
        const { services } = JSON.parse(body) as { services: { name: string; port: number; image?: string; environment: Record<string, string> }[] };
        for (const s of services) {
          if (started.has(s.name)) continue;
          if (s.image?.startsWith('postgres')) {
            const pg = await startPostgres({ port: s.port });
            started.set(s.name, pg);
            const env = s.environment;
            await createRoleAndDatabase(pg, { user: env.POSTGRES_USER ?? 'postgres', password: env.POSTGRES_PASSWORD ?? '', database: env.POSTGRES_DB ?? 'postgres', canCreate: true });
          } else if (s.image?.startsWith('redis')) {
            started.set(s.name, await startRedis({ port: s.port }));
          } else throw new Error(`the stand-in cannot start ${s.name} (${s.image})`);
        }
        res.end('ok');
      } catch (err) {
        res.statusCode = 500;
        res.end(String((err as Error).message).split('\n')[0]);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    path: [bin, pathWithoutDocker()].join(delimiter),
    env: { DOCKER_STANDIN_DIR: dir, DOCKER_STANDIN_CONTROL: `http://127.0.0.1:${port}/`, ...(opts.daemon === 'down' ? { DOCKER_STANDIN_DAEMON: 'down' } : {}) },
    calls: () =>
      existsSync(join(dir, 'argv.log'))
        ? readFileSync(join(dir, 'argv.log'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { argv: string[] }).argv)
        : [],
    started,
    async stop() {
      server.close();
      await Promise.all([...started.values()].map((s) => s.stop()));
      started.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
