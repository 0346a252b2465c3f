// A throwaway redis-server for tests: a child process (no daemon) bound to 127.0.0.1 on a free port, with
// persistence off. `tls` serves TLS only (`--port 0 --tls-port P`) with a self-signed certificate
// (CN=localhost, SAN localhost + 127.0.0.1) that is returned as `ca` so a client can trust it explicitly.
// Every server still running when the process exits is killed and its directory removed; with setpriv
// (util-linux) it also dies with this process when that is SIGKILLed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, hasSetpriv, selfSignedCert } from './postgres.ts';
import { track, untrack, type Tracked } from './processes.ts';

export interface RedisServer {
  port: number;
  host: '127.0.0.1';
  /** redis://[:password@]127.0.0.1:port, or rediss:// with `tls`. */
  url: string;
  password?: string;
  /** PEM of the self-signed certificate, with `tls`. */
  ca?: string;
  stop(): Promise<void>;
}

export interface StartRedisOptions {
  password?: string;
  tls?: boolean;
  /** A fixed port (e.g. the 6379 a docker-compose file publishes) instead of a free one. */
  port?: number;
}

export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-redis-'));
  const args = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--protected-mode', 'no'];
  if (opts.password !== undefined) args.push('--requirepass', opts.password);
  let ca: string | undefined;
  if (opts.tls) {
    const { cert, key } = await selfSignedCert();
    ca = cert;
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key, { mode: 0o600 });
    args.push(
      '--tls-cert-file', join(dir, 'cert.pem'),
      '--tls-key-file', join(dir, 'key.pem'),
      '--tls-ca-cert-file', join(dir, 'cert.pem'),
      '--tls-auth-clients', 'no',
    );
  }

  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const portArgs = opts.tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
    // With setpriv the server also dies when this process is SIGKILLed (parent-death signal).
    const [cmd, argv] = hasSetpriv() ? ['setpriv', ['--pdeathsig', 'SIGKILL', '--', 'redis-server', ...args, ...portArgs]] : ['redis-server', [...args, ...portArgs]];
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.on('error', () => undefined);
    const entry: Tracked = { child, dir };
    track(entry);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const ready = await waitReady(child, port, () => output);
    if (!ready) {
      if (child.exitCode === null) child.kill('SIGKILL');
      untrack(entry);
      if (attempt >= 2) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`redis-server did not start:\n${output}`);
      }
      continue;
    }
    // Drop the pipes so the child's logging can never block on a full pipe.
    child.stdout?.removeAllListeners('data').resume();
    child.stderr?.removeAllListeners('data').resume();
    const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : '';
    return {
      port,
      host: '127.0.0.1',
      url: `${opts.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
      password: opts.password,
      ca,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGKILL');
          await exited;
        }
        untrack(entry);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** Ready when the log says so and the port accepts a TCP connection; false when the child exits first. */
async function waitReady(child: ChildProcess, port: number, output: () => string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (/Ready to accept connections/.test(output()) && (await canConnect(port))) return true;
    await new Promise((r) => setTimeout(r, 15));
  }
  return false;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
