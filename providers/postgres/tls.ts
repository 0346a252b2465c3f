import type { Socket } from 'node:net';
import type { Phase, PgTarget, SslMode } from './url.ts';

// --- TLS negotiation ------------------------------------------------------------------------------------

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]); // length 8, code 80877103

class NegotiationError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A connected socket for postgres.js: plain, or TLS after a successful SSLRequest. */
export async function openSocket(
  t: PgTarget,
  mode: SslMode,
  ca: string | undefined,
  signal: AbortSignal,
  state: { phase: Phase; tls: boolean; protocol?: string; sockets: Socket[] },
): Promise<Socket> {
  const net = await import('node:net');
  const raw = new net.Socket();
  state.sockets.push(raw);
  state.phase = 'connect';
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => (raw.destroy(), reject(new NegotiationError('aborted', 'ABORTED')));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    raw.once('error', (e) => (signal.removeEventListener('abort', onAbort), reject(e)));
    raw.once('connect', () => (signal.removeEventListener('abort', onAbort), raw.removeAllListeners('error'), resolve()));
    raw.connect(t.port, t.host);
  });
  if (mode === 'disable') {
    state.phase = 'startup';
    return raw;
  }

  state.phase = 'ssl-request';
  const answer = await new Promise<number>((resolve, reject) => {
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      raw.removeListener('data', onData);
      raw.removeListener('error', onError);
      raw.removeListener('close', onClose);
    };
    const onAbort = () => (cleanup(), raw.destroy(), reject(new NegotiationError('aborted', 'ABORTED')));
    const onError = (e: Error) => (cleanup(), reject(e));
    const onClose = () => (cleanup(), reject(new NegotiationError('the server closed the connection after the SSL request', 'CLOSED_ON_SSL_REQUEST')));
    const onData = (d: Buffer) => {
      cleanup();
      raw.pause();
      // More than the one answer byte before the handshake would be injected plaintext (CVE-2021-23222).
      if (d.length !== 1) return reject(new NegotiationError('unexpected data in answer to the SSL request', 'NOT_POSTGRES'));
      resolve(d[0]!);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    raw.on('data', onData);
    raw.once('error', onError);
    raw.once('close', onClose);
    raw.write(SSL_REQUEST);
  });

  if (answer === 0x4e /* N */) {
    if (mode === 'prefer' || mode === 'allow') {
      state.phase = 'startup';
      raw.resume();
      return raw;
    }
    raw.destroy();
    throw new NegotiationError('the server does not support SSL', 'SSL_NOT_SUPPORTED');
  }
  if (answer !== 0x53 /* S */) {
    raw.destroy();
    throw new NegotiationError(`unexpected answer to the SSL request (0x${answer.toString(16)})`, 'NOT_POSTGRES');
  }

  state.phase = 'tls';
  const tls = await import('node:tls');
  const verify = mode === 'verify-ca' || mode === 'verify-full';
  const secure = tls.connect({
    socket: raw,
    // `host` is what the certificate is checked against: with only `socket` given, Node checks 'localhost'.
    host: t.host,
    servername: net.isIP(t.host) ? undefined : t.host,
    rejectUnauthorized: verify,
    ...(verify && ca ? { ca } : {}),
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  });
  state.sockets.push(secure);
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      secure.removeListener('error', onError);
    };
    const onAbort = () => (cleanup(), secure.destroy(), reject(new NegotiationError('aborted', 'ABORTED')));
    const onError = (e: Error) => (cleanup(), secure.destroy(), reject(e));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    secure.once('error', onError);
    secure.once('secureConnect', () => (cleanup(), resolve()));
  });
  state.tls = true;
  state.protocol = secure.getProtocol() ?? undefined;
  state.phase = 'startup';
  return secure;
}
