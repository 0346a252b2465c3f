// Where a process group listens. On Linux the kernel's socket tables (/proc/net/tcp, tcp6) are matched
// with the sockets the group's processes hold, so the answer names every address and port of the app
// itself. Elsewhere a connection test: the port answers on 127.0.0.1 but not on this machine's network
// address means a loopback-only listener.
import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { groupPids, hasProc } from './proc.ts';

export interface Listener {
  address: string;
  port: number;
}

function hexToIp(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  // IPv6: four 32-bit words, each little-endian
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) for (let i = 3; i >= 0; i--) bytes.push(parseInt(hex.slice(w * 8 + i * 2, w * 8 + i * 2 + 2), 16));
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}]`;
}

type TableListener = Listener & { inode: string };

/**
 * The listening TCP sockets of one of the kernel's tables, with their inodes (Linux). `enough` ends the
 * reading at the first socket it accepts: read in small pieces, the kernel generates only the lines asked
 * for, where a whole table costs several milliseconds of system time on some machines (every bucket of
 * the connection hash is walked), and a listener is among the first lines.
 */
function readTable(table: string, enough?: (l: TableListener) => boolean): TableListener[] {
  const out: TableListener[] = [];
  let fd: number;
  try {
    fd = openSync(table, 'r');
  } catch {
    return out;
  }
  try {
    const buf = Buffer.alloc(enough ? 256 : 65536);
    let rest = '';
    let first = true;
    for (let n: number; (n = readSync(fd, buf, 0, buf.length, null)) > 0 || rest; ) {
      const lines = (rest + buf.toString('latin1', 0, n)).split('\n');
      rest = n > 0 ? lines.pop()! : '';
      for (const line of lines) {
        if (first) {
          first = false; // the header
          continue;
        }
        const f = line.trim().split(/\s+/);
        if (f.length < 10 || f[3] !== '0A') continue;
        const [addr, port] = f[1]!.split(':');
        const l = { address: hexToIp(addr!), port: parseInt(port!, 16), inode: f[9]! };
        out.push(l);
        if (enough?.(l)) return out;
      }
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Every listening TCP socket in the kernel's tables (IPv6's, IPv4's), with its inode (Linux). */
function tableListeners(): TableListener[] {
  return ['/proc/net/tcp6', '/proc/net/tcp'].flatMap((t) => readTable(t));
}

/** Every TCP listener of the process group; undefined where the kernel tables cannot be read. */
export function groupListeners(pgid: number): Listener[] | undefined {
  if (!hasProc) return undefined;
  const inodes = new Set<string>();
  for (const pid of groupPids(pgid)) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds)
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        /* closed meanwhile */
      }
  }
  return tableListeners()
    .filter((l) => inodes.has(l.inode))
    .map(({ address, port }) => ({ address, port }));
}

/**
 * Who listens on `port`: the kernel's tables on Linux (cheap: two small files, no process scan), else a
 * connection test. The port was free before the app started, so a listener there is the app's.
 */
export async function portListeners(port: number): Promise<Listener[]> {
  if (!hasProc) return probe(port);
  const found: Listener[] = [];
  // IPv6's table first: a listener on [::] (Node's default) is the answer, and the reading stops there
  for (const table of ['/proc/net/tcp6', '/proc/net/tcp']) {
    for (const l of readTable(table, (l) => l.port === port && isWildcard(l.address))) if (l.port === port) found.push({ address: l.address, port });
    if (found.some((l) => isWildcard(l.address))) break;
  }
  return found;
}

export const isWildcard = (a: string) => a === '0.0.0.0' || a === '[::]';
export const isLoopback = (a: string) => a.startsWith('127.') || a === '[::1]';

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 500 });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.once('timeout', () => done(false));
  });
}

/** Without /proc: who answers on `port`, as far as connecting tells. */
async function probe(port: number): Promise<Listener[]> {
  if (!(await canConnect('127.0.0.1', port))) return [];
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  if (!external || (await canConnect(external, port))) return [{ address: '0.0.0.0', port }];
  return [{ address: '127.0.0.1', port }];
}

/**
 * Whether anything answers on `port` on 127.0.0.1 (a fraction of a millisecond): the cheap test a wait for
 * the port polls with, where reading the kernel's tables takes several milliseconds of system time on
 * some machines (time taken from the app that is starting). A listener on ::1 alone is found by the
 * tables, read every second while nothing answers.
 */
export function portAnswers(port: number): Promise<boolean> {
  return canConnect('127.0.0.1', port);
}

/** Whether this process could listen on `port` on all interfaces (false: EADDRINUSE, someone has it). */
function canBind(port: number, host = '::'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      // no IPv6 here: the IPv4 wildcard; any other error (EACCES…) is the app's to meet and report
      if (host === '::' && (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL')) resolve(canBind(port, '0.0.0.0'));
      else resolve(err.code !== 'EADDRINUSE');
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Something (anyone, on any address) already listening on the port, before the rehearsal starts its app. On
 * Linux binding the wildcard fails for a listener on any address; elsewhere (BSD sockets let a wildcard
 * bind beside a specific address) a connection to the loopback addresses is tried first.
 */
export async function portTaken(port: number): Promise<boolean> {
  if (process.platform !== 'linux') {
    const [v4, v6] = await Promise.all([canConnect('127.0.0.1', port), canConnect('::1', port)]);
    if (v4 || v6) return true;
  }
  return !(await canBind(port));
}
