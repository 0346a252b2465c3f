// A tiny, dependency-free RESP2 client for one thing: a read-only probe of a Redis URL.
// Connects (TCP, or TLS for rediss://), AUTHs when the URL carries a password, SELECTs the db in the path,
// PINGs, reads INFO server / INFO replication, then QUITs. Every failure is a RedisProbeError whose `code`
// tells the cause apart; messages never contain the URL or the password.
import { TLS_CERT_CODES } from './tls-codes.ts';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RedisProbeResult {
  /** redis_version from INFO server ("unknown" if INFO is not permitted). */
  version: string;
  /** redis_mode: standalone, cluster or sentinel ("unknown" if INFO is not permitted). */
  mode: string;
  /** master / slave (replica), from INFO replication. */
  role?: string;
  tls: boolean;
  /** An AUTH command was sent and accepted. */
  authenticated: boolean;
  /** The URL carries a password but the server has none configured (AUTH was refused as unnecessary). */
  passwordNotNeeded?: boolean;
}

export interface RedisProbeOptions {
  signal: AbortSignal;
  /** Overall limit for connecting and all commands. Default 10 000 ms. */
  timeoutMs?: number;
  /** Extra trusted CA certificate(s) (PEM) for rediss://; internal, for tests and private CAs. */
  ca?: string | Buffer | (string | Buffer)[];
}

/**
 * `code` is one of: BAD_URL, ENOTFOUND / EAI_AGAIN (DNS), ECONNREFUSED, ECONNRESET, TIMEOUT, ABORT_ERR,
 * NOAUTH (a password is required), WRONGPASS (wrong user or password), NOPERM, DENIED (protected mode),
 * BAD_DB (SELECT refused), NOT_REDIS (the reply is not RESP), CLOSED (closed without any reply),
 * TLS_HANDSHAKE (TLS failed, e.g. the server doesn't speak TLS), a Node TLS certificate code such as
 * DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN, UNABLE_TO_VERIFY_LEAF_SIGNATURE,
 * ERR_TLS_CERT_ALTNAME_INVALID, CERT_HAS_EXPIRED; or ERR for another server error.
 */
export class RedisProbeError extends Error {
  /** For TIMEOUT: what was being waited for. */
  phase?: 'connect' | 'tls' | 'reply';
  constructor(
    message: string,
    readonly code: string,
    /** The server's own error line (RESP `-…`), when there was one. */
    readonly serverMessage?: string,
  ) {
    super(message);
    this.name = code === 'ABORT_ERR' ? 'AbortError' : 'RedisProbeError';
  }
}

export interface ParsedRedisUrl {
  tls: boolean;
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
}

export function parseRedisUrl(url: string): ParsedRedisUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisProbeError('the Redis URL is not a valid URL', 'BAD_URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new RedisProbeError(`the URL scheme must be redis:// or rediss://, not ${u.protocol}//`, 'BAD_URL');
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new RedisProbeError('the Redis URL has no host', 'BAD_URL');
  const port = u.port ? Number(u.port) : 6379;
  const path = u.pathname.replace(/^\/+|\/+$/g, '');
  if (path !== '' && !/^\d+$/.test(path)) throw new RedisProbeError(`the database index in the URL path must be a number, e.g. /0`, 'BAD_URL');
  const username = u.username ? safeDecode(u.username) : undefined;
  const password = u.password ? safeDecode(u.password) : undefined;
  return { tls: u.protocol === 'rediss:', host, port, username, password, db: path === '' ? 0 : Number(path) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// --- RESP2 ----------------------------------------------------------------------------------------------

export type Reply = string | number | null | Reply[] | ServerError;
export class ServerError {
  constructor(readonly message: string) {}
  get prefix(): string {
    return this.message.split(' ', 1)[0] ?? '';
  }
}

class NotResp extends Error {}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(a, 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/**
 * Parses one reply from `buf` at `pos`. Returns [reply, nextPos], or undefined when more bytes are needed.
 * Throws NotResp when the bytes can't be RESP.
 */
export function parseReply(buf: Buffer, pos = 0): [Reply, number] | undefined {
  if (pos >= buf.length) return undefined;
  const type = String.fromCharCode(buf[pos]!);
  if (!'+-:$*'.includes(type)) throw new NotResp(`unexpected byte 0x${buf[pos]!.toString(16)}`);
  const eol = buf.indexOf('\r\n', pos);
  if (eol === -1) {
    if (buf.length - pos > 64 * 1024) throw new NotResp('line too long');
    return undefined;
  }
  const line = buf.toString('utf8', pos + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new ServerError(line), next];
    case ':': {
      if (!/^-?\d+$/.test(line)) throw new NotResp('bad integer');
      return [Number(line), next];
    }
    case '$': {
      if (!/^-?\d+$/.test(line)) throw new NotResp('bad bulk length');
      const n = Number(line);
      if (n === -1) return [null, next];
      if (n < -1 || n > 512 * 1024 * 1024) throw new NotResp('bad bulk length');
      if (buf.length < next + n + 2) return undefined;
      return [buf.toString('utf8', next, next + n), next + n + 2];
    }
    default: {
      if (!/^-?\d+$/.test(line)) throw new NotResp('bad array length');
      const n = Number(line);
      if (n === -1) return [null, next];
      const items: Reply[] = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (!r) return undefined;
        items.push(r[0]);
        p = r[1];
      }
      return [items, p];
    }
  }
}

/** `key:value` lines of an INFO reply. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

// --- the probe ------------------------------------------------------------------------------------------

export function redisProbe(url: string, opts: RedisProbeOptions): Promise<RedisProbeResult> {
  let target: ParsedRedisUrl;
  try {
    target = parseRedisUrl(url);
  } catch (e) {
    return Promise.reject(e);
  }
  const { signal } = opts;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  if (signal.aborted) return Promise.reject(abortError(signal));

  return new Promise<RedisProbeResult>((resolve, reject) => {
    const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    let socket: Socket;
    let settled = false;
    let connected = false;
    let tcpConnected = false;
    let gotReply = false;
    let buffer: Buffer = Buffer.alloc(0);
    const waiting: { resolve: (r: Reply) => void }[] = [];

    const finish = (err: Error | undefined, result?: RedisProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(result!);
      }
    };

    const onAbort = () => finish(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      const phase = connected ? 'reply' : tcpConnected ? 'tls' : 'connect';
      const message =
        phase === 'reply'
          ? `${where} accepted the connection but did not answer within ${timeoutMs} ms`
          : phase === 'tls'
            ? `${where} accepted the connection but no TLS handshake completed within ${timeoutMs} ms: the server may not speak TLS (try redis://)`
            : `timed out after ${timeoutMs} ms connecting to ${where}`;
      finish(Object.assign(new RedisProbeError(message, 'TIMEOUT'), { phase }));
    }, timeoutMs);

    const host = target.host;
    try {
      if (target.tls) {
        socket = tlsConnect({
          host,
          port: target.port,
          servername: isIP(host) ? undefined : host,
          ca: opts.ca,
          rejectUnauthorized: true,
        });
        socket.once('connect', () => (tcpConnected = true));
        socket.once('secureConnect', () => onConnected());
      } else {
        socket = netConnect({ host, port: target.port });
        socket.once('connect', () => ((tcpConnected = true), onConnected()));
      }
    } catch (e) {
      // e.g. an unusable `ca`: nothing is connected yet.
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      reject(new RedisProbeError(`cannot connect to ${where}: ${clip((e as Error).message)}`, (e as NodeJS.ErrnoException).code ?? 'ERR'));
      return;
    }
    socket.setNoDelay(true);

    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (connected && !gotReply && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) finish(closedWithoutReply(where, target.tls));
      else finish(mapSocketError(e, where, target.tls, connected));
    });
    socket.on('close', () => {
      if (settled) return;
      if (!connected) finish(new RedisProbeError(`the connection to ${where} closed during the ${target.tls ? 'TLS handshake' : 'connect'}`, target.tls ? 'TLS_HANDSHAKE' : 'ECONNRESET'));
      else if (!gotReply) finish(closedWithoutReply(where, target.tls));
      else finish(new RedisProbeError(`${where} closed the connection unexpectedly`, 'ECONNRESET'));
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      try {
        for (;;) {
          const r = parseReply(buffer, 0);
          if (!r) break;
          buffer = buffer.subarray(r[1]);
          gotReply = true;
          const w = waiting.shift();
          if (w) w.resolve(r[0]);
        }
      } catch (e) {
        if (e instanceof NotResp) finish(new RedisProbeError(`${where} answered, but not in the Redis protocol: not a Redis server`, 'NOT_REDIS'));
        else finish(e as Error);
      }
    });

    const command = (args: string[]): Promise<Reply> =>
      new Promise<Reply>((res) => {
        waiting.push({ resolve: res });
        socket.write(encodeCommand(args));
      });

    const onConnected = () => {
      connected = true;
      run().then(
        (result) => {
          if (settled) return;
          finish(undefined, result);
          // Say goodbye politely, then make sure the socket goes away even if the server doesn't answer.
          try {
            socket.end(encodeCommand(['QUIT']));
          } catch {
            /* already closed */
          }
          setTimeout(() => socket.destroy(), 1000).unref();
        },
        (e: Error) => finish(e),
      );
    };

    const run = async (): Promise<RedisProbeResult> => {
      let authenticated = false;
      let passwordNotNeeded = false;
      if (target.password !== undefined) {
        const args = target.username ? ['AUTH', target.username, target.password] : ['AUTH', target.password];
        const r = await command(args);
        if (r instanceof ServerError) {
          if (/without any password configured|no password is set/i.test(r.message)) passwordNotNeeded = true;
          else throw serverError(r, where, target.password);
        } else authenticated = true;
      }
      if (target.db !== 0) {
        const r = await command(['SELECT', String(target.db)]);
        if (r instanceof ServerError) {
          if (r.prefix === 'NOAUTH' || r.prefix === 'WRONGPASS' || r.prefix === 'DENIED') throw serverError(r, where, target.password);
          const e = serverError(r, where, target.password);
          throw new RedisProbeError(`${where} refused database ${target.db}: ${clip(e.serverMessage ?? '')}`, 'BAD_DB', e.serverMessage);
        }
      }
      const pong = await command(['PING']);
      if (pong instanceof ServerError) throw serverError(pong, where, target.password);
      if (pong !== 'PONG') throw new RedisProbeError(`${where} answered PING with something other than PONG: not a Redis server`, 'NOT_REDIS');

      let version = 'unknown';
      let mode = 'unknown';
      let role: string | undefined;
      const info = await command(['INFO', 'server']);
      if (typeof info === 'string') {
        const kv = parseInfo(info);
        version = kv.redis_version ?? version;
        mode = kv.redis_mode ?? mode;
      } else if (info instanceof ServerError && info.prefix !== 'NOPERM') {
        throw serverError(info, where, target.password);
      }
      const repl = await command(['INFO', 'replication']);
      if (typeof repl === 'string') role = parseInfo(repl).role;
      return { version, mode, role, tls: target.tls, authenticated, ...(passwordNotNeeded ? { passwordNotNeeded } : {}) };
    };
  });
}

function serverError(raw: ServerError, where: string, secret?: string): RedisProbeError {
  // Some servers echo arguments back ("unknown command 'AUTH', with args beginning with: …"): never the password.
  const r = secret ? new ServerError(raw.message.split(secret).join('****')) : raw;
  const msg = clip(r.message);
  switch (r.prefix) {
    case 'NOAUTH':
      return new RedisProbeError(`${where} requires a password (NOAUTH)`, 'NOAUTH', r.message);
    case 'WRONGPASS':
      return new RedisProbeError(`${where} rejected the user name or password (WRONGPASS)`, 'WRONGPASS', r.message);
    case 'NOPERM':
      return new RedisProbeError(`${where}: the user lacks a permission: ${msg}`, 'NOPERM', r.message);
    case 'DENIED':
      return new RedisProbeError(`${where} refuses connections from this address (protected mode)`, 'DENIED', r.message);
    default:
      if (/invalid password/i.test(r.message)) return new RedisProbeError(`${where} rejected the password (${msg})`, 'WRONGPASS', r.message);
      if (/invalid username-password|user is disabled/i.test(r.message))
        return new RedisProbeError(`${where} rejected the user name or password`, 'WRONGPASS', r.message);
      return new RedisProbeError(`${where} answered with an error: ${msg}`, r.prefix && /^[A-Z]+$/.test(r.prefix) ? r.prefix : 'ERR', r.message);
  }
}

function mapSocketError(e: NodeJS.ErrnoException, where: string, tls: boolean, connected: boolean): RedisProbeError {
  const code = e.code ?? 'ERR';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_NONAME') {
    const host = where.replace(/:\d+$/, '');
    return new RedisProbeError(`cannot resolve host ${host} (${code})`, code === 'EAI_AGAIN' ? 'EAI_AGAIN' : 'ENOTFOUND');
  }
  if (code === 'ECONNREFUSED') return new RedisProbeError(`nothing is listening on ${where} (connection refused)`, 'ECONNREFUSED');
  if (TLS_CERT_CODES.has(code)) {
    const what =
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN'
        ? 'a self-signed certificate'
        : code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'a certificate for a different host name'
          : code === 'CERT_HAS_EXPIRED'
            ? 'an expired certificate'
            : 'a certificate that is not trusted';
    return new RedisProbeError(`${where} presented ${what} (${code})`, code);
  }
  if (tls && !connected) {
    // e.g. EPROTO "wrong version number" (a plaintext server), ECONNRESET during the handshake.
    return new RedisProbeError(`TLS handshake with ${where} failed: the server may not speak TLS (${code})`, 'TLS_HANDSHAKE');
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') return new RedisProbeError(`${where} reset the connection`, 'ECONNRESET');
  return new RedisProbeError(`cannot connect to ${where}: ${clip(e.message)}`, code);
}

function closedWithoutReply(where: string, tls: boolean): RedisProbeError {
  return new RedisProbeError(
    `${where} closed the connection without answering: not a Redis server${tls ? '' : ', or it only accepts TLS (try rediss://)'}`,
    'CLOSED',
  );
}

function abortError(signal: AbortSignal): RedisProbeError {
  const err = new RedisProbeError('the Redis check was aborted', 'ABORT_ERR');
  (err as { cause?: unknown }).cause = signal.reason;
  return err;
}

function clip(s: string, n = 160): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n)}…` : one;
}
