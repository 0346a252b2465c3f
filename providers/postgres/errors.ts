import { VerifyError } from '../../src/core/errors.ts';
import { isLoopbackHost } from '../../src/core/urls.ts';
import { TLS_CERT_CODES } from '../../src/net/tls-codes.ts';
import type { Phase, PgTarget, SslMode } from './url.ts';

// --- errors ---------------------------------------------------------------------------------------------

/** The error for an aborted check: a timeout (ours, or the caller's AbortSignal.timeout) or the caller's abort reason. */
export function abortToError(signal: AbortSignal, where: string, timeoutMs: number | undefined, phase: Phase): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return timeoutError(where, timeoutMs, phase);
  if (reason instanceof Error) return reason;
  return new DOMException('The PostgreSQL check was aborted', 'AbortError');
}

function timeoutError(where: string, timeoutMs: number | undefined, phase: Phase): VerifyError {
  const s = timeoutMs === undefined ? 'the time allowed' : `${Math.round(timeoutMs / 100) / 10} s`;
  const what: Record<Phase, string> = {
    connect: `no connection to ${where} within ${s}`,
    'ssl-request': `${where} accepted the connection but did not answer within ${s} (is it a PostgreSQL server?)`,
    tls: `the TLS handshake with ${where} did not finish within ${s}`,
    startup: `${where} did not complete the login within ${s}`,
    query: `${where} did not answer the query within ${s}`,
  };
  return new VerifyError(
    `Timed out: ${what[phase]}`,
    phase === 'connect' ? 'check the host and port, and that a firewall or IP allow list lets you in' : 'check that the host and port are a PostgreSQL server',
    'TIMEOUT',
  );
}

export function toVerifyError(e: unknown, t: PgTarget, where: string, mode: SslMode, phase: Phase, timeoutMs: number): VerifyError {
  const err = e as { code?: string; message?: string; severity?: string; name?: string };
  const code = err.code ?? '';
  const redact = (s: string) => (t.password ? s.split(t.password).join('****') : s).replace(/\s+/g, ' ').trim();
  const serverMsg = redact(err.message ?? String(e)).slice(0, 200);
  const local = isLoopbackHost(t.host);
  const isLocalDefault = local && t.port === 5432;

  if (err.name === 'PostgresError' || (/^[0-9A-Z]{5}$/.test(code) && err.severity)) {
    switch (code) {
      case '28P01':
        return new VerifyError(
          `${where} rejected user "${t.user}": wrong password or no such user (28P01)`,
          'check the user name and password in DATABASE_URL (copy the connection string again from the dashboard)',
          code,
        );
      case '3D000':
        return new VerifyError(
          `database "${t.database}" does not exist on ${where} (3D000)`,
          `check the database name after the last "/" in DATABASE_URL${local ? `, or create it: createdb ${t.database}` : ''}`,
          code,
        );
      case '28000':
        if (/no encryption/i.test(err.message ?? '') || (!/SSL (on|encryption)/i.test(err.message ?? '') && mode === 'disable'))
          return new VerifyError(
            `${where} requires an encrypted connection: no pg_hba.conf entry for a plaintext connection from user "${t.user}" (28000)`,
            'add ?sslmode=require to DATABASE_URL',
            code,
          );
        return new VerifyError(
          `${where} refused user "${t.user}" for database "${t.database}": ${serverMsg} (28000)`,
          'if the server requires SSL add ?sslmode=require to DATABASE_URL; otherwise allow your IP address in the database\'s access settings (pg_hba.conf / IP allow list)',
          code,
        );
      case '53300':
        return new VerifyError(
          `${where} has too many connections (53300)`,
          'close idle clients, lower your pool size, or use the pooled connection string',
          code,
        );
      case '57P03':
        return new VerifyError(`${where} is not accepting connections yet (starting up or in recovery) (57P03)`, 'wait a moment and try again', code);
      default:
        return new VerifyError(`PostgreSQL error: ${serverMsg} (${code})`, undefined, code || 'POSTGRES');
    }
  }

  switch (code) {
    case 'ECONNREFUSED':
      return new VerifyError(
        `connection refused by ${where}: nothing is listening there`,
        isLocalDefault ? 'is PostgreSQL running? Start the local one with `docker compose up -d postgres`' : 'is PostgreSQL running, and are the host and port right?',
        code,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return new VerifyError(
        `cannot resolve host ${t.host} (${code === 'EAI_AGAIN' ? 'EAI_AGAIN' : 'ENOTFOUND'})`,
        code === 'EAI_AGAIN' ? 'DNS did not answer: check your network, then try again' : 'check the host name in DATABASE_URL (a typo, or a database that was deleted?)',
        code === 'EAI_AGAIN' ? 'EAI_AGAIN' : 'ENOTFOUND',
      );
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
      return timeoutError(where, timeoutMs, code === 'ETIMEDOUT' ? 'connect' : phase);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new VerifyError(`${where} is unreachable from here (${code})`, 'check your network and the host in DATABASE_URL', code);
    case 'SSL_NOT_SUPPORTED':
      return new VerifyError(
        `${where} does not support SSL, but sslmode=${t.sslmode} requires it`,
        'enable SSL on the server, or (for a local database only) use sslmode=disable or prefer',
        code,
      );
    case 'CLOSED_ON_SSL_REQUEST':
    case 'NOT_POSTGRES':
      return new VerifyError(`${where} does not speak the PostgreSQL protocol (${code})`, 'check the host and port in DATABASE_URL', 'NOT_POSTGRES');
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new VerifyError(
        `the server's certificate is not valid for host ${t.host} (sslmode=verify-full checks the host name)`,
        'use the host name the certificate was issued for, or sslmode=verify-ca to check only the chain',
        code,
      );
    case 'CERT_HAS_EXPIRED':
      return new VerifyError(`the server's certificate has expired (sslmode=${mode})`, 'renew the certificate, or use sslmode=require to encrypt without verifying it', code);
    case 'CONNECTION_CLOSED':
    case 'CONNECTION_ENDED':
    case 'CONNECTION_DESTROYED':
    case 'ECONNRESET':
    case 'EPIPE':
      return new VerifyError(
        `${where} closed the connection ${phase === 'tls' ? 'during the TLS handshake' : 'during login'} (${code})`,
        phase === 'tls' ? 'check sslmode and that the server speaks TLS' : 'check the host and port, and the server log',
        code,
      );
  }
  if (TLS_CERT_CODES.has(code)) {
    const selfSigned = code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN';
    return new VerifyError(
      `the server's certificate is ${selfSigned ? 'self-signed' : 'not trusted'} and sslmode=${mode} verifies it (${code})`,
      'sslmode=require encrypts without verifying the certificate; or give the CA certificate with sslrootcert=/path/to/ca.pem',
      code,
    );
  }
  if (phase === 'tls' || /ssl|tls/i.test(code))
    return new VerifyError(`TLS with ${where} failed: ${serverMsg}${code ? ` (${code})` : ''}`, 'check sslmode in DATABASE_URL', code || 'TLS');
  return new VerifyError(`cannot connect to ${where}: ${serverMsg}${code ? ` (${code})` : ''}`, undefined, code || 'ERROR');
}
