import { checkedString } from '../../src/core/schema.ts';
import { VerifyError } from '../../src/core/errors.ts';
import { connectionUrl } from '../../src/core/urls.ts';

export const LOCAL_DATABASE_URL = 'postgres://app:app@localhost:5432/app';
const SHAPE = 'postgres://USER:PASSWORD@HOST:5432/DATABASE';
const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'no-verify', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSLMODES)[number];

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  sslmode: SslMode;
  /** true when the URL names an sslmode (else the default, prefer). */
  sslmodeGiven: boolean;
  sslrootcert?: string;
  /** Startup `options` (e.g. Neon's endpoint=…), passed through. */
  options?: string;
}

// --- format check ---------------------------------------------------------------------------------------

/** Why a DATABASE_URL is not usable, or undefined. The value itself is never echoed (it holds a password). */
export function postgresUrlProblem(value: string): string | undefined {
  const u = connectionUrl('DATABASE_URL', value, ['postgres', 'postgresql'], SHAPE);
  if (typeof u === 'string') return u;
  if (!u.username) return `DATABASE_URL has no user name: ${SHAPE}`;
  const db = u.pathname.replace(/^\//, '');
  if (!db) return `DATABASE_URL has no database name: add it after the host, as in ${SHAPE}`;
  if (db.includes('/')) return 'DATABASE_URL database name must not contain "/"';
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null && !(SSLMODES as readonly string[]).includes(sslmode))
    return `DATABASE_URL sslmode must be one of ${SSLMODES.join(', ')}${/^[a-z-]{1,16}$/.test(sslmode) ? ` (not "${sslmode}")` : ''}`;
  return undefined;
}

export const databaseUrlSchema = checkedString(postgresUrlProblem);

export function parsePostgresUrl(value: string): PgTarget {
  const p = postgresUrlProblem(value);
  if (p) throw new VerifyError(p, `DATABASE_URL looks like ${SHAPE}`, 'BAD_URL');
  const u = new URL(value);
  const q = u.searchParams;
  const given = q.get('sslmode') as SslMode | null;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    sslmode: given ?? 'prefer',
    sslmodeGiven: given !== null,
    sslrootcert: q.get('sslrootcert') || undefined,
    options: q.get('options') || undefined,
  };
}
export type Phase = 'connect' | 'ssl-request' | 'tls' | 'startup' | 'query';
