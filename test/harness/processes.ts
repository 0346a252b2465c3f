// Servers that tests start (PostgreSQL, Redis, stand-ins) are tracked here: whatever still runs when the
// test process exits, or is interrupted, is killed and its directory removed.
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Tracked {
  dir: string;
  child?: ChildProcess;
  /** How to end the child at exit: postgres wants SIGQUIT (immediate shutdown of its backends). */
  killSignal?: NodeJS.Signals;
}

const tracked = new Set<Tracked>();
let hooked = false;

export const running = (c: ChildProcess | undefined): c is ChildProcess => !!c && c.exitCode === null && c.signalCode === null;

function cleanupAllSync(): void {
  for (const t of tracked) {
    if (running(t.child)) t.child.kill(t.killSignal ?? 'SIGKILL');
    try {
      rmSync(t.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch {
      // a child still writing; the parent-death signal ends it, the directory stays in tmp
    }
  }
  tracked.clear();
}

export function track(t: Tracked): Tracked {
  if (!hooked) {
    hooked = true;
    process.on('exit', cleanupAllSync);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = () => {
        cleanupAllSync();
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      };
      process.on(sig, onSignal);
    }
  }
  tracked.add(t);
  return t;
}

export function untrack(t: Tracked): void {
  tracked.delete(t);
}

/** A port nothing listens on right now (bound on 127.0.0.1, then released): for servers, or for "connection refused". */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Start a test server on 127.0.0.1 (never another interface) on a free port; resolves with the port. */
export function listenOnLoopback(server: import('node:net').Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as import('node:net').AddressInfo).port));
  });
}
