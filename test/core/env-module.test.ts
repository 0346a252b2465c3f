// The env module generated into the user's project (src/core/files/env-module.ts): each key's `app` check
// accepts every value the wizard accepts (the examples of test/providers/*.test.ts, local defaults,
// examples, generated and derived values, then thousands of mutations of them), and the generated file
// is run for real: TypeScript through tsx and tsc, JavaScript as ESM and CommonJS under plain node.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { run as runCommand } from '../helpers/cli.ts';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z, type ZodType } from 'zod';
import { loadProviders } from '../../providers/index.ts';
import { DEFAULT_WEBHOOK_EVENTS } from '../../providers/stripe/index.ts';
import { LOCAL_S3 } from '../../providers/b2/index.ts';
import { appCheck, DEFAULT_APP_CHECK, envModuleGroups, envModuleTarget, renderEnvModule } from '../../src/core/files/env-module.ts';
import { describeProject, detectProject, type ProjectInfo } from '../../src/core/project.ts';
import { PROVIDER_IDS, type EnvVar, type ProviderId } from '../../src/core/provider.ts';
import { check, resolveAll } from '../../src/core/resolve.ts';
import { loadTemplates } from '../../src/core/templates.ts';
import { tempProject } from '../helpers/project.ts';
import { KEYS as CLERK } from '../standins/clerk.ts';
import { CLIENTS } from '../standins/auth0.ts';
import { KEYS as STRIPE } from '../standins/stripe.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const templates = await loadTemplates();
const providers = await loadProviders(PROVIDER_IDS);
const allVars = providers.flatMap((p) => p.env);
const byKey = new Map(allVars.map((e) => [e.key, e]));

const project = (deps: Record<string, string>, opts: { typescript?: boolean; type?: string; srcDir?: boolean } = {}): ProjectInfo =>
  describeProject({
    cwd: '/x',
    pkg: { name: '@acme/shop', ...(opts.type ? { type: opts.type } : {}), dependencies: deps },
    lockfiles: [],
    typescript: opts.typescript ?? false,
    srcDir: opts.srcDir ?? true,
  });
const NEXT_TS = project({ next: '15' }, { typescript: true });
const PROJECTS = [NEXT_TS, project({ express: '5' }), project({ astro: '5' }, { type: 'module' }), project({ '@react-router/dev': '7' })];

/** A B2 keyID and applicationKey shaped like the stand-in's (test/standins/b2.ts) and B2's own. */
const B2_KEY_ID = '0045f0f5c1e0b6a0000000001';
const B2_APP_KEY = 'K004abcdefghijklmnopqrstuvwxyz0';
/** Values that fill a sample `known` for localDefault and derive. */
const RENDER_API_KEY = 'rnd_aBcDeFgHiJkLmNoPqRsTuVwX';

/** Valid values per key, as test/providers/*.test.ts use them (raw input, before the wizard's clean-up). */
const VALID: Record<string, string[]> = {
  NODE_ENV: ['development', 'test', 'production'],
  PORT: ['3000', '8080', '4321', '1', '65535'],
  APP_URL: ['http://localhost:3000', 'https://shop.example.com', 'https://acme-shop.com', 'https://shop-1.example.com', 'http://127.0.0.1:4010/', 'http://[::1]:3000'],
  CORS_ORIGINS: ['http://localhost:3000', 'https://shop.example.com, http://localhost:3000', 'https://shop.example.com/'],
  JWT_SECRET: ['k'.repeat(43), 'x'.repeat(32)],
  JWT_SECRET_PREVIOUS: ['p'.repeat(43), 'y'.repeat(32)],
  DATABASE_URL: [
    'postgres://app:app@localhost:5432/app',
    'postgresql://user:p%40ss@db.example.com/mydb?sslmode=require',
    'postgres://u:p@[::1]:6543/db?sslmode=verify-full&sslrootcert=/etc/ca.pem',
    'postgres://u@host/db',
    'postgresql://neondb_owner:x@ep-cool-1.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require',
    'postgres://app:s3cr#t$(x)@localhost:5432/app'.replace('#', '%23'),
  ],
  REDIS_URL: [
    'redis://localhost:6379',
    'redis://localhost',
    'redis://:p%40ss@red-abc123:6379',
    'rediss://red-abc123:secret@oregon-keyvalue.render.com:6379',
    'rediss://default:AbC123@eu1-fine-cat-12345.upstash.io:6379',
    'redis://127.0.0.1:6379/2',
    'redis://[::1]:6379/0',
    'redis://:r3dis-pass@localhost:6379',
  ],
  CLERK_SECRET_KEY: [CLERK.devSecret, CLERK.prodSecret, CLERK.otherDevSecret],
  CLERK_PUBLISHABLE_KEY: [CLERK.devPublishable, CLERK.prodPublishable, CLERK.otherDevPublishable],
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: [CLERK.devPublishable, CLERK.prodPublishable],
  VITE_CLERK_PUBLISHABLE_KEY: [CLERK.devPublishable, CLERK.prodPublishable],
  PUBLIC_CLERK_PUBLISHABLE_KEY: [CLERK.devPublishable, CLERK.prodPublishable],
  AUTH0_DOMAIN: [
    'acme.us.auth0.com',
    'https://acme.us.auth0.com',
    'https://Acme.US.auth0.com/',
    'https://acme.us.auth0.com/authorize?x=1',
    'acme.us.auth0.com///',
    'login.example.com',
    'http://127.0.0.1:4010/',
    'http://localhost:4010',
  ],
  AUTH0_CLIENT_ID: Object.values(CLIENTS).map((c) => c.client_id),
  AUTH0_CLIENT_SECRET: Object.values(CLIENTS).map((c) => c.client_secret),
  AUTH0_AUDIENCE: ['https://api.example.com', 'my-api'],
  AUTH0_SECRET: ['ab'.repeat(32)],
  APP_BASE_URL: ['http://localhost:3000', 'https://shop.example.com'],
  STRIPE_SECRET_KEY: [STRIPE.test, STRIPE.live, STRIPE.restricted, 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'],
  STRIPE_PUBLISHABLE_KEY: [STRIPE.publishableTest, STRIPE.publishableLive],
  STRIPE_WEBHOOK_SECRET: ['whsec_abcdefghijklmnopqrstuvwxyz012345', 'whsec_localDevelopmentSecret0000000000'],
  STRIPE_WEBHOOK_PATH: ['/api/webhooks/stripe', '/webhooks/stripe'],
  STRIPE_WEBHOOK_EVENTS: ['invoice.paid, customer.subscription.updated', '*', 'invoice.paid , invoice.payment_failed', DEFAULT_WEBHOOK_EVENTS.join(',')],
  S3_REGION: ['us-west-004', 'eu-central-003', 'us-east-005', 'us-east-1', 'auto'],
  S3_ENDPOINT: [
    'https://s3.us-west-004.backblazeb2.com',
    's3.eu-central-003.backblazeb2.com',
    'https://s3.us-west-004.backblazeb2.com/',
    'http://localhost:9000',
    'http://127.0.0.1:9000',
    'https://minio.example.com',
    'https://abc.r2.cloudflarestorage.com',
  ],
  S3_BUCKET: ['prod-ready-uploads', 'app-uploads', 'abc', 'my.bucket.name', 'a'.repeat(63)],
  S3_ACCESS_KEY_ID: [B2_KEY_ID, LOCAL_S3.accessKeyId],
  S3_SECRET_ACCESS_KEY: [B2_APP_KEY, LOCAL_S3.secretAccessKey],
};

/** A clearly wrong value per key (each also refused by the wizard). */
const WRONG: Record<string, string> = {
  NODE_ENV: 'staging',
  PORT: 'eighty',
  APP_URL: 'localhost:3000',
  CORS_ORIGINS: 'ftp://acme.io',
  JWT_SECRET: 'too-short',
  JWT_SECRET_PREVIOUS: 'too-short',
  DATABASE_URL: 'mysql://u:p@h/db',
  REDIS_URL: 'http://localhost:6379',
  CLERK_SECRET_KEY: CLERK.devPublishable,
  CLERK_PUBLISHABLE_KEY: CLERK.devSecret,
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: CLERK.devSecret,
  VITE_CLERK_PUBLISHABLE_KEY: CLERK.devSecret,
  PUBLIC_CLERK_PUBLISHABLE_KEY: CLERK.devSecret,
  AUTH0_DOMAIN: 'ftp://acme.us.auth0.com',
  AUTH0_CLIENT_ID: 'https://acme.us.auth0.com',
  AUTH0_CLIENT_SECRET: 'short',
  AUTH0_SECRET: 'too-short',
  APP_BASE_URL: 'shop.example.com',
  STRIPE_SECRET_KEY: STRIPE.publishableTest,
  STRIPE_PUBLISHABLE_KEY: STRIPE.test,
  STRIPE_WEBHOOK_SECRET: 'we_1Pgc6yB7WZ01zgkWzAudq4eU',
  STRIPE_WEBHOOK_PATH: 'https://x.com/hook',
  STRIPE_WEBHOOK_EVENTS: 'invoice paid',
  S3_REGION: 'US WEST 004',
  S3_ENDPOINT: 'minio.example.com',
  S3_BUCKET: 'My_Bucket',
  S3_ACCESS_KEY_ID: 'key id with spaces',
  S3_SECRET_ACCESS_KEY: 'secret with spaces',
};
/** The API Identifier may be any string: nothing non-empty is clearly wrong, so it keeps the default check. */
const ANYTHING_GOES = ['AUTH0_AUDIENCE'];

const compiled = new Map<string, ZodType>();
/** The zod schema of a check's source text, built as the generated module builds it (only `z` in scope). */
function compile(expr: string): ZodType {
  let s = compiled.get(expr);
  if (!s) compiled.set(expr, (s = new Function('z', `return (${expr});`)(z) as ZodType));
  return s;
}

/** What the generated module does with one value: empty is missing; spaces around it pass if it does trimmed. */
function appAccepts(schema: ZodType, raw: string | undefined): boolean {
  const value = raw || undefined;
  if (schema.safeParse(value).success) return true;
  return value !== undefined && value.trim() !== value && schema.safeParse(value.trim() || undefined).success;
}

/** What the wizard accepts: a value from .env as it is, one from the environment trimmed (blank: missing). */
function wizardAccepts(e: EnvVar, raw: string): { ok: boolean; written?: string } {
  for (const v of [raw, raw.trim()]) {
    if (v === '') continue;
    const c = check(e, v);
    if (c.ok) return { ok: true, written: c.value };
  }
  return { ok: false };
}

/** Every value the wizard may hand over for a key: the examples above, local defaults, examples, generated and derived values. */
function samples(e: EnvVar): string[] {
  const known = Object.fromEntries(Object.entries(VALID).map(([k, v]) => [k, v[0]!]));
  const out = new Set(VALID[e.key] ?? []);
  for (const p of PROJECTS)
    for (const k of [{}, known, { ...known, S3_ENDPOINT: 'https://s3.us-west-004.backblazeb2.com', S3_REGION: 'us-west-004' }]) {
      const d = e.localDefault?.(k, p);
      if (d) out.add(d);
      const derived = e.derive?.(k, p);
      if (derived) out.add(derived);
    }
  if (e.example) out.add(e.example);
  if (e.generate) for (const fill of [0, 7, 171, 255]) out.add(e.generate((n) => new Uint8Array(n).fill(fill)));
  return [...out];
}

const appVars = allVars.filter((e) => e.app !== false);

describe('the app checks (EnvVar.app)', () => {
  test('every key the app reads has valid examples and a clearly wrong value here, and Render keys stay out of the app', () => {
    for (const e of appVars) {
      assert.ok(VALID[e.key]?.length, `no valid example for ${e.key}`);
      assert.ok(e.key in WRONG || ANYTHING_GOES.includes(e.key), `no wrong value for ${e.key}`);
    }
    assert.deepEqual(
      allVars.filter((e) => e.app === false).map((e) => e.key),
      ['RENDER_API_KEY', 'RENDER_SERVICES', 'RENDER_REGION', 'RENDER_PLAN'],
    );
    assert.equal(appCheck({ optional: false }), DEFAULT_APP_CHECK);
    assert.equal(appCheck({ optional: true }), `${DEFAULT_APP_CHECK}.optional()`);
  });

  test('each check accepts every value the wizard accepts, as given and as the wizard writes it to .env', () => {
    let n = 0;
    for (const e of appVars) {
      const schema = compile(appCheck(e)!);
      for (const v of samples(e)) {
        const w = wizardAccepts(e, v);
        assert.ok(w.ok, `the wizard refuses its own sample ${e.key}=${v}`);
        assert.ok(appAccepts(schema, v), `${e.key}: the app refuses ${JSON.stringify(v)}, which the wizard accepts`);
        assert.ok(appAccepts(schema, w.written), `${e.key}: the app refuses ${JSON.stringify(w.written)}, which the wizard writes`);
        n++;
      }
    }
    assert.ok(n > 100, `${n} samples`);
  });

  test('… and every mutation of them that the wizard accepts (seeded fuzzing)', () => {
    let seed = 20260512;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const CHARS = 'aZ09-_./:@#?%[]"\'\\,+=$*&!~ \t\nxkK';
    const pick = (s: string) => s[Math.floor(rand() * s.length)]!;
    const mutate = (v: string) => {
      let s = v;
      for (let ops = 1 + Math.floor(rand() * 3); ops > 0; ops--) {
        const i = Math.floor(rand() * (s.length + 1));
        const op = Math.floor(rand() * 5);
        if (op === 0) s = s.slice(0, i) + s.slice(i + 1);
        else if (op === 1) s = s.slice(0, i) + pick(CHARS) + s.slice(i);
        else if (op === 2) s = s.slice(0, i) + pick(CHARS) + s.slice(i + 1);
        else if (op === 3) s = s.slice(0, i) + s.slice(i).toUpperCase();
        else s = s.slice(0, i) + s.slice(Math.max(0, i - 3), i) + s.slice(i);
      }
      return s;
    };
    let accepted = 0;
    for (const e of appVars) {
      const schema = compile(appCheck(e)!);
      for (const base of samples(e))
        for (let k = 0; k < 150; k++) {
          const v = mutate(base);
          const w = wizardAccepts(e, v);
          if (!w.ok) continue;
          accepted++;
          assert.ok(appAccepts(schema, v), `${e.key}: the app refuses ${JSON.stringify(v)}, which the wizard accepts`);
          assert.ok(appAccepts(schema, w.written), `${e.key}: the app refuses ${JSON.stringify(w.written)}, which the wizard writes`);
        }
    }
    assert.ok(accepted > 5000, `only ${accepted} mutations were accepted by the wizard`);
  });

  test('a clearly wrong value is refused by the wizard and by the app, with a message that does not echo it', () => {
    for (const [key, v] of Object.entries(WRONG)) {
      const e = byKey.get(key)!;
      assert.equal(wizardAccepts(e, v).ok, false, `the wizard accepts ${key}=${v}`);
      const r = compile(appCheck(e)!).safeParse(v);
      assert.equal(r.success, false, `the app accepts ${key}=${v}`);
      for (const issue of r.error!.issues) assert.ok(!issue.message.includes(v), `${key}: "${issue.message}" echoes the value`);
    }
  });
});

describe('what goes into the module, and where', () => {
  const keysOf = (p: ProjectInfo, ids: readonly ProviderId[] = PROVIDER_IDS) =>
    envModuleGroups(
      providers.filter((x) => ids.includes(x.id)),
      p,
    ).flatMap((g) => g.vars.map((v) => v.key));

  test('exactly the managed keys: JWT_SECRET_PREVIOUS after JWT_SECRET, the framework’s Clerk alias only, no Render settings', () => {
    const common = allVars.filter((e) => e.app !== false && !e.key.endsWith('CLERK_PUBLISHABLE_KEY')).map((e) => e.key);
    const withAlias = (alias?: string) => {
      const keys = [...common];
      keys.splice(keys.indexOf('CLERK_SECRET_KEY') + 1, 0, 'CLERK_PUBLISHABLE_KEY', ...(alias ? [alias] : []));
      return keys;
    };
    assert.deepEqual(keysOf(NEXT_TS), withAlias('NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY'));
    assert.deepEqual(keysOf(project({ astro: '5' })), withAlias('PUBLIC_CLERK_PUBLISHABLE_KEY'));
    assert.deepEqual(keysOf(project({ '@remix-run/node': '2' })), withAlias('VITE_CLERK_PUBLISHABLE_KEY'));
    assert.deepEqual(keysOf(project({ express: '5' })), withAlias());
    assert.deepEqual(keysOf(NEXT_TS, ['postgres', 'redis']), ['DATABASE_URL', 'REDIS_URL'], 'no JWT_SECRET_PREVIOUS without the app provider');
    const groups = envModuleGroups(providers, NEXT_TS);
    const expr = Object.fromEntries(groups.flatMap((g) => g.vars.map((v) => [v.key, v.expr])));
    assert.equal(expr.JWT_SECRET_PREVIOUS, `${expr.JWT_SECRET}.optional()`);
    assert.equal(expr.AUTH0_AUDIENCE, `${DEFAULT_APP_CHECK}.optional()`);
    assert.deepEqual(
      groups.map((g) => g.title),
      providers.filter((p) => p.id !== 'render').map((p) => p.title),
    );
  });

  test('TypeScript gets env.ts; JavaScript follows package.json "type"; src/ when the project has one', () => {
    const target = (deps: Record<string, string>, o: Parameters<typeof project>[1]) => envModuleTarget(project(deps, o));
    assert.deepEqual(target({ next: '15' }, { typescript: true }), { path: 'src/env.ts', format: 'ts' });
    assert.deepEqual(target({ express: '5' }, { typescript: true, srcDir: false }), { path: 'env.ts', format: 'ts' });
    assert.deepEqual(target({ express: '5' }, { type: 'module' }), { path: 'src/env.js', format: 'esm' });
    assert.deepEqual(target({ next: '15' }, { type: 'module', srcDir: false }), { path: 'env.js', format: 'esm' });
    assert.deepEqual(target({ next: '15' }, {}), { path: 'src/env.mjs', format: 'esm' });
    assert.deepEqual(target({ astro: '5' }, { type: 'commonjs' }), { path: 'src/env.mjs', format: 'esm' });
    assert.deepEqual(target({ express: '5' }, {}), { path: 'src/env.js', format: 'cjs' });
    assert.deepEqual(target({}, { srcDir: false }), { path: 'env.js', format: 'cjs' });

    const dir = tempProject({ 'package.json': JSON.stringify({ type: 'module', dependencies: { express: '5' } }) });
    assert.deepEqual([detectProject(dir).moduleType, detectProject(dir).srcDir], ['module', false]);
    mkdirSync(join(dir, 'src'));
    assert.deepEqual(envModuleTarget(detectProject(dir)), { path: 'src/env.js', format: 'esm' });
  });

  test('the header documents the escape hatch and the rotation key; the module is the same on every run', () => {
    const { text } = renderEnvModule(providers, NEXT_TS, templates);
    const header = text.slice(0, text.indexOf('import '));
    assert.match(header, /SKIP_ENV_VALIDATION=1 .* skips the check, for image builds/);
    assert.match(header, /PORT stays a string/);
    assert.match(header, /JWT_SECRET_PREVIOUS \(optional\) is the previous JWT_SECRET/);
    assert.match(header, /Next\.js: from instrumentation\.ts/);
    assert.equal(renderEnvModule(providers, NEXT_TS, templates).text, text);
    const minimal = renderEnvModule(providers.filter((p) => p.id === 'postgres'), project({ express: '5' }), templates).text;
    assert.doesNotMatch(minimal, /JWT_SECRET_PREVIOUS|stays a string/);
  });
});

// --- the generated file, run for real -----------------------------------------------------------------------

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

// a minimal environment: nothing of this process's own leaks into the app's
const run = (cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) => runCommand(cmd, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env } });

function put(dir: string, rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

/** A throwaway project holding the generated module, zod (and @types/node, tsx) linked from this repository. */
/** zod 3: the module in its zod 3 form, and `zod` resolving to zod 3 (this repository's `zod3` alias, npm:zod@^3.25). */
function appProject(p: ProjectInfo, pkg: object, extra: Record<string, string> = {}, zodMajor: 3 | 4 = 4): { dir: string; path: string } {
  const dir = tempProject({ 'package.json': JSON.stringify(pkg) });
  for (const m of ['zod', 'tsx', join('@types', 'node')]) {
    mkdirSync(dirname(join(dir, 'node_modules', m)), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', m === 'zod' && zodMajor === 3 ? 'zod3' : m), join(dir, 'node_modules', m), 'dir');
  }
  const { path, text } = renderEnvModule(providers, p, templates, { zodMajor });
  put(dir, path, text);
  for (const [rel, t] of Object.entries(extra)) put(dir, rel, t);
  return { dir, path };
}

// A complete environment the wizard accepts (checked below with resolveAll, as `--yes` would read it).
const GOOD: Record<string, string> = {
  NODE_ENV: 'production',
  PORT: '3000',
  APP_URL: 'https://shop.example.com',
  CORS_ORIGINS: 'https://shop.example.com',
  JWT_SECRET: 'j'.repeat(43),
  DATABASE_URL: 'postgres://app:pg-S3cret@db.example.com:5432/app?sslmode=require',
  REDIS_URL: 'rediss://default:kv-S3cret@kv.example.com:6379',
  CLERK_SECRET_KEY: CLERK.prodSecret,
  CLERK_PUBLISHABLE_KEY: CLERK.prodPublishable,
  AUTH0_DOMAIN: 'acme.us.auth0.com',
  AUTH0_CLIENT_ID: CLIENTS.full.client_id,
  AUTH0_CLIENT_SECRET: CLIENTS.full.client_secret,
  AUTH0_SECRET: 'ab'.repeat(32),
  STRIPE_SECRET_KEY: STRIPE.live,
  STRIPE_PUBLISHABLE_KEY: STRIPE.publishableLive,
  STRIPE_WEBHOOK_SECRET: 'whsec_liveEndpointSecret000000000000000',
  STRIPE_WEBHOOK_PATH: '/api/webhooks/stripe',
  S3_REGION: 'us-west-004',
  S3_ENDPOINT: 'https://s3.us-west-004.backblazeb2.com',
  S3_BUCKET: 'shop-uploads',
  S3_ACCESS_KEY_ID: B2_KEY_ID,
  S3_SECRET_ACCESS_KEY: B2_APP_KEY,
};
const SECRET_VALUES = ['pg-S3cret', 'kv-S3cret', GOOD.JWT_SECRET!, CLERK.prodSecret, CLIENTS.full.client_secret, STRIPE.live, B2_APP_KEY, 'whsec_liveEndpointSecret'];

interface Variant {
  name: string;
  project: ProjectInfo;
  pkg: object;
  /** Runs the project's entry; prints JSON.stringify(env). */
  entry: Record<string, string>;
  argv: string[];
  path: string;
  /** The app's zod major (default 4). */
  zod?: 3;
}
const VARIANTS: Variant[] = [
  {
    name: 'TypeScript on zod 3 (Next.js, src/env.ts) through tsx',
    project: NEXT_TS,
    pkg: { name: '@acme/shop', dependencies: { next: '15', zod: '^3.23.8' } },
    entry: { 'main.ts': "import { env } from './src/env';\nconsole.log(JSON.stringify(env));\n" },
    argv: ['--import', 'tsx', 'main.ts'],
    path: 'src/env.ts',
    zod: 3,
  },
  {
    name: 'TypeScript (Next.js, src/env.ts) through tsx',
    project: NEXT_TS,
    pkg: { name: '@acme/shop', dependencies: { next: '15' } },
    entry: { 'main.ts': "import { env } from './src/env';\nconsole.log(JSON.stringify(env));\n" },
    argv: ['--import', 'tsx', 'main.ts'],
    path: 'src/env.ts',
  },
  {
    name: 'ESM ("type": "module", src/env.js) under node',
    project: project({ express: '5' }, { type: 'module' }),
    pkg: { name: 'api', type: 'module', dependencies: { express: '5' } },
    entry: { 'main.js': "import { env } from './src/env.js';\nconsole.log(JSON.stringify(env));\n" },
    argv: ['main.js'],
    path: 'src/env.js',
  },
  {
    name: 'ESM (Next.js without "type", src/env.mjs) under node',
    project: project({ next: '15' }),
    pkg: { name: 'web', dependencies: { next: '15' } },
    entry: { 'main.mjs': "import { env } from './src/env.mjs';\nconsole.log(JSON.stringify(env));\n" },
    argv: ['main.mjs'],
    path: 'src/env.mjs',
  },
  {
    name: 'CommonJS (no "type", no src/, env.js) under node',
    project: project({ express: '5' }, { srcDir: false }),
    pkg: { name: 'api', dependencies: { express: '5' } },
    entry: { 'main.js': "const { env } = require('./env.js');\nconsole.log(JSON.stringify(env));\n" },
    argv: ['main.js'],
    path: 'env.js',
  },
];

describe('the generated module, run', () => {
  test('the complete environment is one the wizard accepts', () => {
    const r = resolveAll(providers, { ...GOOD, RENDER_API_KEY }, {}, NEXT_TS);
    for (const [k, v] of Object.entries(GOOD)) assert.equal(r.values[k], v, k);
  });

  for (const v of VARIANTS)
    test(v.name, async () => {
      const { dir, path } = appProject(v.project, v.pkg, v.entry, v.zod);
      assert.equal(path, v.path);
      const keys = envModuleGroups(providers, v.project).flatMap((g) => g.vars.map((x) => x.key));
      const alias = keys.find((k) => k.endsWith('_CLERK_PUBLISHABLE_KEY') && k !== 'CLERK_PUBLISHABLE_KEY');
      const good = { ...GOOD, ...(alias ? { [alias]: GOOD.CLERK_PUBLISHABLE_KEY! } : {}) };
      const exec = (env: Record<string, string>) => run(process.execPath, v.argv, dir, env);

      const [ok, rotating, broken, skipped, notSkipped] = await Promise.all([
        exec(good),
        // the previous secret during a rotation; a value with a line break around it, as a host may hand it over
        exec({ ...good, JWT_SECRET_PREVIOUS: 'p'.repeat(43), STRIPE_SECRET_KEY: `${STRIPE.live}\n`, AUTH0_AUDIENCE: '' }),
        exec({
          ...Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'REDIS_URL')),
          DATABASE_URL: '',
          PORT: '70000',
          STRIPE_SECRET_KEY: STRIPE.publishableLive,
          APP_URL: 'localhost:3000',
          JWT_SECRET_PREVIOUS: 'short',
          S3_SECRET_ACCESS_KEY: `${B2_APP_KEY} ${B2_APP_KEY}`,
          CLERK_SECRET_KEY: '   ',
        }),
        exec({ SKIP_ENV_VALIDATION: '1', PORT: '3000', DATABASE_URL: 'not checked' }),
        exec({ SKIP_ENV_VALIDATION: '0', PORT: '3000' }),
      ]);

      assert.equal(ok.code, 0, ok.stderr);
      const env = JSON.parse(ok.stdout);
      assert.deepEqual(Object.keys(env).sort(), Object.keys(good).sort(), 'the keys set, no unset optional one');
      assert.equal(env.PORT, 3000, 'PORT is a number');
      for (const [k, val] of Object.entries(good)) if (k !== 'PORT') assert.equal(env[k], val, k);

      assert.equal(rotating.code, 0, rotating.stderr);
      const r = JSON.parse(rotating.stdout);
      assert.equal(r.JWT_SECRET_PREVIOUS, 'p'.repeat(43));
      assert.equal(r.STRIPE_SECRET_KEY, STRIPE.live, 'trimmed');
      assert.equal('AUTH0_AUDIENCE' in r, false, 'empty is unset');

      assert.notEqual(broken.code, 0);
      const message = /Error: (Invalid environment[^]*?host's environment\.)/.exec(broken.stderr)?.[1];
      assert.ok(message, broken.stderr);
      assert.equal((broken.stderr.match(/Invalid environment/g) ?? []).length, 1, 'one error');
      assert.match(message, /^Invalid environment: 8 keys missing or invalid\n/);
      for (const line of [
        /^ {2}PORT: (Too big: expected number to be <=65535|Number must be less than or equal to 65535)$/m, // zod 4 | zod 3
        /^ {2}APP_URL: must be an http:\/\/ or https:\/\/ URL$/m,
        /^ {2}JWT_SECRET_PREVIOUS: (Too small: expected string to have >=32 characters|String must contain at least 32 character\(s\))$/m,
        /^ {2}DATABASE_URL: missing$/m,
        /^ {2}REDIS_URL: missing$/m,
        /^ {2}CLERK_SECRET_KEY: missing$/m,
        /^ {2}STRIPE_SECRET_KEY: must be a Stripe secret key/m,
        /^ {2}S3_SECRET_ACCESS_KEY: must not contain spaces or line breaks$/m,
      ])
        assert.match(message, line);
      for (const s of [...SECRET_VALUES, STRIPE.publishableLive, 'localhost:3000', '70000']) assert.ok(!broken.stderr.includes(s), `the error shows a value: ${s}`);

      assert.equal(skipped.code, 0, skipped.stderr);
      const raw = JSON.parse(skipped.stdout);
      assert.equal(raw.PORT, '3000', 'unchecked and unconverted');
      assert.equal(raw.DATABASE_URL, 'not checked');
      assert.notEqual(notSkipped.code, 0, 'SKIP_ENV_VALIDATION=0 does not skip');
      assert.match(notSkipped.stderr, /Invalid environment/);
    });

  test('tsc --noEmit: the generated TypeScript type-checks under strict settings, `env` typed per key', async () => {
    const strict = {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitReturns: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      isolatedModules: true,
      verbatimModuleSyntax: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    const consumer = [
      "import { env, type Env } from './env';",
      'const port: number = env.PORT;',
      "const mode: 'development' | 'test' | 'production' = env.NODE_ENV;",
      'const db: string = env.DATABASE_URL;',
      'const previous: string | undefined = env.JWT_SECRET_PREVIOUS;',
      'const publicKey: string | undefined = env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY;',
      '// @ts-expect-error an optional key may be unset',
      'const audience: string = env.AUTH0_AUDIENCE;',
      '// @ts-expect-error a Render setting of the wizard, not the app',
      'void env.RENDER_API_KEY;',
      '// @ts-expect-error PORT is a number',
      'const portText: string = env.PORT;',
      'export const used: [number, string, string, string | undefined, string | undefined, string, string, Env] = [port, mode, db, previous, publicKey, audience, portText, env];',
      '',
    ].join('\n');
    const ts = appProject(NEXT_TS, { name: 'shop', dependencies: { next: '15' } }, {
      'tsconfig.json': JSON.stringify({ compilerOptions: strict, include: ['src'] }),
      'src/consumer.ts': consumer,
    });
    // the ESM JavaScript, checked through its JSDoc types
    const jsProject = project({ express: '5' }, { type: 'module' });
    const js = appProject(jsProject, { name: 'api', type: 'module' }, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { ...strict, module: 'NodeNext', moduleResolution: 'NodeNext', allowJs: true, checkJs: true }, include: ['src'] }),
      'src/consumer.ts': "import { env } from './env.js';\nexport const port: number = env.PORT;\n// @ts-expect-error optional\nexport const path: string = env.STRIPE_WEBHOOK_PATH;\n",
    });
    // the same module in its zod 3 form, against zod 3
    const ts3 = appProject(NEXT_TS, { name: 'shop', dependencies: { next: '15', zod: '^3.23.8' } }, {
      'tsconfig.json': JSON.stringify({ compilerOptions: strict, include: ['src'] }),
      'src/consumer.ts': consumer,
    }, 3);
    const [a, b, c] = await Promise.all([ts.dir, js.dir, ts3.dir].map((d) => run(process.execPath, [TSC, '--noEmit', '-p', '.'], d)));
    assert.equal(a!.code, 0, a!.stdout + a!.stderr);
    assert.equal(b!.code, 0, b!.stdout + b!.stderr);
    assert.equal(c!.code, 0, `zod 3: ${c!.stdout}${c!.stderr}`);
  });
});
