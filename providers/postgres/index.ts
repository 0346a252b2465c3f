// PostgreSQL: DATABASE_URL. `verify` connects with postgres.js (porsager), loaded lazily so that startup
// never pays for it, and runs one read-only query: server version, user, database, whether the user may
// CREATE in its schema, and whether the connection is encrypted.
//
// TLS is negotiated here, not by the driver: a socket factory sends the SSLRequest itself and hands the
// driver a ready (TLS or plain) socket. That gives libpq's sslmode semantics, precise errors ("server does
// not support SSL", which certificate check failed) and an exact tls/plaintext answer.
//
// sslmode, as libpq (psql, most managed-Postgres docs) defines it:
//   disable          plaintext
//   allow, prefer    (and no sslmode) TLS if the server offers it, else plaintext
//   require          TLS, certificate NOT verified (verify-ca when sslrootcert is given, as libpq does)
//   no-verify        TLS, certificate not verified (a node-postgres spelling)
//   verify-ca        TLS, chain verified against sslrootcert (or the system CAs), host name not checked
//   verify-full      TLS, chain and host name verified
// node-postgres (`pg`) differs: since pg 8 / pg-connection-string 2.6 it treats sslmode=require (and
// prefer, verify-ca) as verify-full, so the self-signed or private-CA chains of Render, Heroku-style and
// some other managed databases fail there with DEPTH_ZERO_SELF_SIGNED_CERT / SELF_SIGNED_CERT_IN_CHAIN
// even though psql connects fine. `verify` follows libpq (what users of managed Postgres expect) and
// warns when the project depends on `pg` and the URL says sslmode=require.//
// Files: url.ts (the URL and its format check), verify.ts (the live check and connections), tls.ts (the
// SSLRequest and TLS negotiation), errors.ts (one line per failure), rotate.ts (the password rotation).
import type { ProjectInfo } from '../../src/core/project.ts';
import { defineProvider, type Sql } from '../../src/core/provider.ts';
import { localService } from '../../src/core/files/compose.ts';
import { passwordRotation } from './rotate.ts';
import { LOCAL_DATABASE_URL, databaseUrlSchema, parsePostgresUrl } from './url.ts';
import { verifyPostgresUrl, withPostgres } from './verify.ts';

// What the rest of the project and the tests use of this provider.
export type { Sql };
export { databaseUrlSchema, LOCAL_DATABASE_URL, parsePostgresUrl, postgresUrlProblem, type PgTarget } from './url.ts';
export { verifyPostgresUrl, withPostgres } from './verify.ts';
export { scramVerifier } from './rotate.ts';

// --- the provider ---------------------------------------------------------------------------------------

function snake(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'app';
  return /^[a-z]/.test(s) ? s.slice(0, 63) : `app_${s}`.slice(0, 63);
}

/** The local database: the app's own compose Postgres, else ours (app:app@localhost, on a free host port). */
const localPostgres = (project: ProjectInfo) => localService(project, 'postgres', (port) => LOCAL_DATABASE_URL.replace(':5432/', `:${port}/`));

export default defineProvider({
  id: 'postgres',
  title: 'PostgreSQL',
  hint: 'DATABASE_URL',
  docsUrl: 'https://render.com/docs/postgresql-creating-connecting',
  env: [
    {
      key: 'DATABASE_URL',
      aliases: ['POSTGRES_URL', 'DATABASE_URL_POSTGRES', 'POSTGRES_PRISMA_URL', 'POSTGRES_DATABASE_URL', 'PG_URL', 'DB_URL', 'DIRECT_URL', 'DIRECT_DATABASE_URL', 'POSTGRES_URL_NON_POOLING'],
      datasource: true,
      description: 'PostgreSQL connection string: postgres://USER:PASSWORD@HOST:5432/DATABASE (add ?sslmode=require for hosted databases).',
      where: 'Render dashboard → your database → Connections → External Database URL (Neon / Supabase: the project\'s connection string)',
      secret: true,
      schema: databaseUrlSchema,
      app: "z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })",
      localDefault: (_known, project) => localPostgres(project).url,
      example: LOCAL_DATABASE_URL,
    },
  ],
  verify: (values, io) => verifyPostgresUrl(values.DATABASE_URL ?? '', io),
  // the app's database: migrations are generated for it and run against it
  database: { urlKey: 'DATABASE_URL', connect: withPostgres, describe: parsePostgresUrl },
  rotations: [passwordRotation],
  contribute(values, ctx) {
    const name = ctx.project.name;
    const dbName = snake(name);
    const local = localPostgres(ctx.project);
    return {
      render: {
        databases: [
          {
            name: `${name}-db`,
            databaseName: dbName,
            user: dbName,
            plan: 'basic-256mb',
            region: 'oregon',
            postgresMajorVersion: '17',
            ipAllowList: [],
          },
        ],
        envVars: [{ key: 'DATABASE_URL', fromDatabase: { name: `${name}-db`, property: 'connectionString' } }],
      },
      // The app's own Postgres service is reused (its port and credentials); ours is added only without one.
      compose: local.reuse
        ? undefined
        : {
            services: {
              [local.service]: {
                image: 'postgres:17-alpine',
                environment: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'app', POSTGRES_DB: 'app' },
                ports: [`${local.hostPort}:5432`],
                healthcheck: { test: ['CMD-SHELL', 'pg_isready -U app -d app'], interval: '5s', timeout: '5s', retries: 10 },
                volumes: ['postgres-data:/var/lib/postgresql/data'],
                restart: 'unless-stopped',
              },
            },
            volumes: ['postgres-data'],
          },
      nextSteps: values.DATABASE_URL === local.url ? [`docker compose up -d ${local.service}`] : [],
    };
  },
});
