// The rehearsal's plan: which services and steps, and the environment Render would give each one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeUrls, nodeFits, planRehearsal, readBlueprint } from '../../src/core/rehearse/plan.ts';
import { UsageError } from '../../src/core/errors.ts';

const BLUEPRINT = `
services:
  - type: web
    name: app-web
    runtime: node
    plan: free
    rootDir: ./web/
    buildCommand: npm ci && npm run build
    preDeployCommand: npm run migrate
    startCommand: npm start
    healthCheckPath: /healthz
    envVars:
      - key: NODE_ENV
        value: production
      - key: WORKERS
        value: 4
      - key: DATABASE_URL
        fromDatabase: { name: app-db, property: connectionString }
      - key: PGHOST
        fromDatabase: { name: app-db, property: host }
      - key: PGPORT
        fromDatabase: { name: app-db, property: port }
      - key: PGPASSWORD
        fromDatabase: { name: app-db, property: password }
      - key: REDIS_URL
        fromService: { type: keyvalue, name: app-kv, property: connectionString }
      - key: SESSION_SECRET
        generateValue: true
      - key: STRIPE_SECRET_KEY
        sync: false
      - key: CLERK_SECRET_KEY
        sync: false
      - fromGroup: shared
  - type: worker
    name: app-worker
    runtime: node
    startCommand: node worker.js
    envVars:
      - key: PORT
        value: 8080
      - key: API_URL
        fromService: { type: web, name: app-web, envVarKey: RENDER_EXTERNAL_URL }
  - type: keyvalue
    name: app-kv
    ipAllowList: []
  - type: cron
    name: nightly
    runtime: node
    schedule: "0 3 * * *"
    startCommand: node nightly.js
  - type: web
    name: docs
    runtime: static
    buildCommand: npm run docs
    staticPublishPath: ./out
envVarGroups:
  - name: shared
    envVars:
      - key: LOG_LEVEL
        value: info
databases:
  - name: app-db
`;

const local = (dotenv: Record<string, string> = {}) => ({
  dotenv: (rootDir: string) => ({ ...dotenv, ...(rootDir === 'web' ? { FROM_ROOTDIR: '1' } : {}) }),
  compose: {},
  defaultPort: 10000,
});

test('every envVars form becomes the value Render would give, locally', () => {
  const dotenv = { DATABASE_URL: 'postgres://app:s%40cret@db.local:5433/app', REDIS_URL: 'redis://localhost:6380', STRIPE_SECRET_KEY: 'sk_test_1' };
  const { services, skipped } = planRehearsal(readBlueprint(BLUEPRINT), [], local(dotenv));
  const web = services.find((s) => s.name === 'app-web')!;
  assert.equal(web.rootDir, 'web');
  assert.equal(web.env.NODE_ENV, 'production');
  assert.equal(web.env.WORKERS, '4');
  assert.equal(web.env.DATABASE_URL, dotenv.DATABASE_URL);
  assert.equal(web.env.PGHOST, 'db.local');
  assert.equal(web.env.PGPORT, '5433');
  assert.equal(web.env.PGPASSWORD, 's@cret');
  assert.equal(web.env.REDIS_URL, 'redis://localhost:6380');
  assert.equal(Buffer.from(web.env.SESSION_SECRET!, 'base64').length, 32, 'a base64 256-bit value');
  assert.equal(web.env.STRIPE_SECRET_KEY, 'sk_test_1');
  assert.equal(web.env.LOG_LEVEL, 'info', 'from the env group');
  assert.equal(web.env.PORT, '10000');
  assert.equal(web.env.RENDER, 'true');
  assert.equal(web.env.RENDER_SERVICE_NAME, 'app-web');
  assert.deepEqual(web.missing, [{ key: 'CLERK_SECRET_KEY', why: 'sync: false, and not in .env/.env.local', prompted: true }]);
  assert.deepEqual(web.steps, ['build', 'pre-deploy', 'port', 'health']);
  assert.ok(web.warnings.some((w) => /preDeployCommand: Render runs it only on paid instance types/.test(w)));

  const worker = services.find((s) => s.name === 'app-worker')!;
  assert.equal(worker.port, 8080, 'a PORT in the Blueprint is the port Render expects');
  assert.equal(worker.env.API_URL, 'http://localhost:10000');
  assert.deepEqual(worker.steps, ['stay-up'], 'no build command: nothing to build');

  const docs = services.find((s) => s.name === 'docs')!;
  assert.deepEqual([docs.type, docs.steps], ['static', ['build', 'publish-dir']]);
  assert.deepEqual(skipped.map((s) => s.name), ['app-kv', 'nightly']);
});

test('generated values are fresh on every rehearsal', () => {
  const a = planRehearsal(readBlueprint(BLUEPRINT), ['app-web'], local()).services[0]!.env.SESSION_SECRET;
  const b = planRehearsal(readBlueprint(BLUEPRINT), ['app-web'], local()).services[0]!.env.SESSION_SECRET;
  assert.notEqual(a, b);
});

test('without a local database or Key Value URL the references are listed as missing; docker-compose fills them', () => {
  const web = planRehearsal(readBlueprint(BLUEPRINT), ['app-web'], local()).services[0]!;
  assert.deepEqual(web.missing.map((m) => m.key), ['DATABASE_URL', 'PGHOST', 'PGPORT', 'PGPASSWORD', 'STRIPE_SECRET_KEY', 'CLERK_SECRET_KEY', 'REDIS_URL']);
  const compose = composeUrls(`
services:
  postgres:
    image: postgres:17-alpine
    environment: { POSTGRES_USER: app, POSTGRES_PASSWORD: app, POSTGRES_DB: app }
    ports: ['5433:5432']
  redis:
    image: redis:7-alpine
    ports: ["127.0.0.1:6390:6379"]
`);
  assert.deepEqual(compose, { DATABASE_URL: 'postgres://app:app@localhost:5433/app', REDIS_URL: 'redis://localhost:6390' });
  const withCompose = planRehearsal(readBlueprint(BLUEPRINT), ['app-web'], { ...local(), compose }).services[0]!;
  assert.equal(withCompose.env.DATABASE_URL, 'postgres://app:app@localhost:5433/app');
  assert.equal(withCompose.env.REDIS_URL, 'redis://localhost:6390');
  assert.deepEqual(withCompose.sources, { DATABASE_URL: 'docker-compose.yml', PGHOST: 'docker-compose.yml', PGPORT: 'docker-compose.yml', PGPASSWORD: 'docker-compose.yml', REDIS_URL: 'docker-compose.yml' });
});

test('an app reading its database under its own name (POSTGRES_URL) gets the local one from that name in .env, before docker-compose', () => {
  const bp = readBlueprint(`
databases:
  - name: api-db
services:
  - type: web
    name: api
    runtime: node
    startCommand: npm start
    envVars:
      - key: POSTGRES_URL
        fromDatabase: { name: api-db, property: connectionString }
      - key: PGHOST
        fromDatabase: { name: api-db, property: host }
      - key: CACHE_URL
        fromService: { type: keyvalue, name: api-kv, property: connectionString }
`);
  const compose = { DATABASE_URL: 'postgres://app:app@localhost:5432/app', REDIS_URL: 'redis://localhost:6379' };
  const dotenv = { POSTGRES_URL: 'postgres://me:pw@127.0.0.1:5544/notes', CACHE_URL: 'redis://:pw@127.0.0.1:6380' };
  const api = planRehearsal(bp, [], { dotenv: () => dotenv, compose, defaultPort: 10000 }).services[0]!;
  assert.equal(api.env.POSTGRES_URL, dotenv.POSTGRES_URL);
  assert.equal(api.env.PGHOST, '127.0.0.1', 'another property of the same database, from the same URL');
  assert.equal(api.env.CACHE_URL, dotenv.CACHE_URL);
  assert.deepEqual(api.sources, { POSTGRES_URL: '.env POSTGRES_URL', PGHOST: '.env POSTGRES_URL', CACHE_URL: '.env CACHE_URL' });
  // nothing under the app's names: docker-compose's, and said so
  const bare = planRehearsal(bp, [], { dotenv: () => ({}), compose, defaultPort: 10000 }).services[0]!;
  assert.equal(bare.env.POSTGRES_URL, compose.DATABASE_URL);
  assert.equal(bare.sources.POSTGRES_URL, 'docker-compose.yml');
});

test('unknown services and unreadable Blueprints are usage errors', () => {
  assert.throws(() => planRehearsal(readBlueprint(BLUEPRINT), ['app-web', 'nope'], local()), (e: unknown) => e instanceof UsageError && /no service named nope/.test(e.message) && /app-web, app-worker/.test(e.hint!));
  assert.throws(() => readBlueprint('services: [unclosed'), UsageError);
  assert.throws(() => readBlueprint('databases: []'), /no services/);
});

test('Node versions: a major, a range, an exact version', () => {
  assert.deepEqual(nodeFits('22', 'v22.3.0'), { wanted: '22', fits: true });
  assert.deepEqual(nodeFits('22.16.0', 'v20.20.2'), { wanted: '22', fits: false });
  assert.deepEqual(nodeFits('>=20', 'v24.1.0'), { wanted: '>=20', fits: true });
  assert.deepEqual(nodeFits('^24', 'v22.1.0'), { wanted: '^24', fits: false });
  assert.equal(nodeFits('lts/*', 'v22.1.0'), undefined);
});
