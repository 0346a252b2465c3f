// The app's env contract (src/core/contract.ts) and the names each provider key has in it
// (src/core/env-names.ts): pure detection over file texts, the bounded walk over the fixture apps, odd
// files, placeholders, and the zod 3 form of the generated module's checks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z as z4 } from 'zod';
import { z as z3 } from 'zod3';
import { balanced, contractFiles, describeContract, detectContract, LIMITS, objectEntries, zodMajorOf } from '../../src/core/contract.ts';
import { isPlaceholder } from '../../src/core/placeholder.ts';
import { coverage, envNamesOf, mapNames, mappingLines, underAppNames, unionNames } from '../../src/core/env-names.ts';
import { envModuleGroups, toZod3 } from '../../src/core/files/env-module.ts';
import { describeProject } from '../../src/core/project.ts';
import { PROVIDER_IDS } from '../../src/core/provider.ts';
import { loadProviders } from '../../providers/index.ts';
import { APPS_DIR } from '../helpers/app-fixtures.ts';
import { tempProject } from '../helpers/project.ts';

const all = await loadProviders(PROVIDER_IDS);
const contract = (files: Record<string, string>, deps: Record<string, string> = {}) =>
  describeContract({ deps, files: Object.entries(files).map(([path, text]) => ({ path, text })) });
const keys = (c: ReturnType<typeof contract>) => Object.entries(c.keys).map(([k, v]) => `${k}${v.required ? '' : '?'}`);

describe('reading the names an app reads', () => {
  test('process.env.X, process.env["X"], destructuring with and without defaults, import.meta.env.X', () => {
    const c = contract({
      'src/a.ts': [
        'const url = process.env.DATABASE_URL;',
        "const key = process.env['STRIPE_API_KEY'];",
        'const port = process.env.PORT ?? 3000;',
        "const level = process.env.LOG_LEVEL || 'info';",
        'if (process.env.SENTRY_DSN) init();',
        'const { REDIS_URL, QUEUE = "jobs", TIMEOUT: t } = process.env;',
        'const pk = import.meta.env.VITE_STRIPE_PUBLISHABLE_KEY;',
        'const mode = import.meta.env.MODE; const ci = process.env.CI; const v = process.env.npm_package_version;',
        '// process.env.lowercase is not a name; process.env.DOCUMENTED_ONLY is a comment',
        '/* process.env.IN_A_BLOCK */ const u = "http://x" + process.env.AFTER_A_URL;',
      ].join('\n'),
    });
    assert.deepEqual(keys(c), ['AFTER_A_URL', 'DATABASE_URL', 'LOG_LEVEL?', 'PORT?', 'QUEUE?', 'REDIS_URL', 'SENTRY_DSN?', 'STRIPE_API_KEY', 'TIMEOUT', 'VITE_STRIPE_PUBLISHABLE_KEY']);
    assert.deepEqual(c.keys.DATABASE_URL!.seen, ['src/a.ts']);
  });

  test('t3-env createEnv: server, client and shared entries, optional ones by .optional()/.default()', () => {
    const c = contract(
      {
        'src/env.mjs': `import { createEnv } from "@t3-oss/env-nextjs";\nimport { z } from "zod";\nexport const env = createEnv({\n  server: {\n    DATABASE_URL: z.string().url(),\n    // a comment, { with braces }\n    AUTH_SECRET: process.env.NODE_ENV === "production" ? z.string() : z.string().optional(),\n    EMAIL_FROM: z.string().default("a@b.c"),\n    TAGS: z.array(z.string()).transform((v) => v.join(",")),\n  },\n  client: { NEXT_PUBLIC_APP_URL: z.string().url() },\n  shared: { NODE_ENV: z.enum(["development", "production"]).default("development") },\n  runtimeEnv: { DATABASE_URL: process.env.DATABASE_URL, NEXT_PUBLIC_APP_URL: process.env.NEXT_PUBLIC_APP_URL },\n});\n`,
        'src/db.ts': 'export const url = process.env.DATABASE_URL!; const x = process.env.EMAIL_FROM;',
      },
      { zod: '^3.23.8', next: '15' },
    );
    assert.deepEqual(c.schema, { kind: 't3-env', path: 'src/env.mjs', keys: ['DATABASE_URL', 'AUTH_SECRET', 'EMAIL_FROM', 'TAGS', 'NEXT_PUBLIC_APP_URL', 'NODE_ENV'] });
    // the schema decides: EMAIL_FROM has a default there, so a bare read elsewhere does not make it required
    assert.deepEqual(keys(c), ['AUTH_SECRET?', 'DATABASE_URL', 'EMAIL_FROM?', 'NEXT_PUBLIC_APP_URL', 'NODE_ENV?', 'TAGS']);
    assert.equal(c.zodMajor, 3);
    assert.equal(c.publicPrefix, 'NEXT_PUBLIC_');
  });

  test('a zod object parsed against process.env is a schema; a zod object elsewhere is not', () => {
    const c = contract({
      'src/config/env.ts': "import { z } from 'zod';\nconst Env = z.object({ PORT: z.coerce.number().default(3000), JWT_SECRET: z.string().min(32), SENTRY_DSN: z.url().optional() });\nexport const env = Env.parse(process.env);\n",
      'src/forms.ts': "import { z } from 'zod';\nexport const Signup = z.object({ EMAIL: z.string() });\n",
    });
    assert.deepEqual(c.schema, { kind: 'zod', path: 'src/config/env.ts', keys: ['PORT', 'JWT_SECRET', 'SENTRY_DSN'] });
    assert.deepEqual(keys(c), ['JWT_SECRET', 'PORT?', 'SENTRY_DSN?']);
  });

  test('Prisma env("…"), the drizzle config, SvelteKit $env modules and .env.example', () => {
    const c = contract({
      'prisma/schema.prisma': 'datasource db {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL_POSTGRES")\n  directUrl = env("DIRECT_URL")\n}\n',
      'drizzle.config.ts': "export default { dbCredentials: { url: process.env['PG_URL']! } };",
      'src/lib/server/x.ts': "import { STRIPE_SECRET_KEY, SECRET as S } from '$env/static/private';\nimport { env } from '$env/dynamic/private';\nconst w = env.STRIPE_WEBHOOK_SECRET; const o = env.OPTIONAL ?? '';",
      '.env.example': '# comment\nexport ORIGIN=http://localhost:3000\nPUBLIC_SHOP_NAME="Shop"\nnot a line\n',
    });
    assert.deepEqual(c.datasource, ['DATABASE_URL_POSTGRES', 'PG_URL']);
    assert.deepEqual(keys(c), ['DATABASE_URL_POSTGRES', 'DIRECT_URL', 'OPTIONAL?', 'ORIGIN?', 'PG_URL', 'PUBLIC_SHOP_NAME?', 'SECRET', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']);
  });

  test("Prisma 7's prisma.config.ts: env('…') of prisma/config, and the names datasource.url reads", () => {
    const c = contract({
      'prisma.config.ts': "import 'dotenv/config';\nimport { defineConfig, env } from 'prisma/config';\nexport default defineConfig({\n  schema: 'prisma/schema.prisma',\n  datasource: { url: env('POSTGRES_PRISMA_URL'), directUrl: env('POSTGRES_URL_NON_POOLING') },\n});\n",
      'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n',
    });
    assert.deepEqual(c.datasource, ['POSTGRES_PRISMA_URL']);
    assert.deepEqual(keys(c), ['POSTGRES_PRISMA_URL', 'POSTGRES_URL_NON_POOLING']);
    // the URL is written where Prisma reads it
    assert.deepEqual(mapNames(all, c).out('DATABASE_URL'), ['POSTGRES_PRISMA_URL', 'POSTGRES_URL_NON_POOLING']);
    const either = contract({ 'prisma.config.ts': "export default defineConfig({ datasource: { url: process.env.DIRECT_DATABASE_URL ?? process.env['DATABASE_URL'] } });" });
    assert.deepEqual(either.datasource, ['DIRECT_DATABASE_URL', 'DATABASE_URL']);
  });

  test('odd files: unbalanced braces, binary, huge, deep or unreadable files never throw', () => {
    const c = contract({ 'src/env.ts': "import { z } from 'zod'; createEnv({ server: { A: z.string(", 'src/b.ts': '\u0000\u0001process.env.X' });
    assert.ok(c.keys.X);
    assert.equal(balanced('{ "}" /* } */ // }\n }', 0), ' "}" /* } */ // }\n ');
    assert.equal(balanced('{ never closed', 0), undefined);
    assert.deepEqual(objectEntries(" A: f(1, 2), 'B': [3, 4], c: 5, // x\n D: `,` "), [
      { key: 'A', expr: 'f(1, 2)' },
      { key: 'B', expr: '[3, 4]' },
      { key: 'D', expr: '`,`' },
    ]);

    const dir = tempProject({ 'package.json': '{ not json' });
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'x', 'index.js'), 'process.env.FROM_A_DEPENDENCY');
    mkdirSync(join(dir, 'src', 'tests'), { recursive: true });
    writeFileSync(join(dir, 'src', 'app.test.ts'), 'process.env.ONLY_IN_TESTS');
    writeFileSync(join(dir, 'src', 'big.ts'), `process.env.TOO_BIG\n${'x'.repeat(LIMITS.bytes)}`);
    writeFileSync(join(dir, 'src', 'app.ts'), 'process.env.APP_KEY');
    let deep = join(dir, 'src');
    for (let i = 0; i < LIMITS.depth + 2; i++) mkdirSync((deep = join(deep, `d${i}`)));
    writeFileSync(join(deep, 'deep.ts'), 'process.env.TOO_DEEP');
    assert.deepEqual(Object.keys(detectContract(dir).keys), ['APP_KEY']);
    assert.deepEqual(detectContract(join(dir, 'missing')).keys, {});
  });

  test('the walk is bounded by LIMITS.files', () => {
    const dir = tempProject();
    mkdirSync(join(dir, 'src'));
    for (let i = 0; i < LIMITS.files + 5; i++) writeFileSync(join(dir, 'src', `f${String(i).padStart(5, '0')}.js`), `process.env.K${i}`);
    assert.equal(contractFiles(dir).length, LIMITS.files);
  });

  test('zod majors from package.json ranges', () => {
    for (const [range, major] of [['^3.23.8', 3], ['~3.25.0', 3], ['3.x', 3], ['^4.0.0', 4], ['>=4.1', 4], ['npm:zod@^3.25', 3], ['latest', 4], [undefined, undefined], ['github:colinhacks/zod', undefined]] as const)
      assert.equal(zodMajorOf(range), major, String(range));
  });
});

test('placeholders are unset: your_…, changeme, xxx, <…>, sk_test_... with dots, TODO, replace-me, empty', () => {
  for (const v of ['', '  ', 'your_stripe_webhook_secret', 'YOUR-API-KEY', 'changeme', 'change-me', 'replace-me', 'REPLACE_ME', 'TODO', 'xxx', 'sk_test_xxx', 'sk_test_...', 'pk_test_…', '<a long random string>', '...', '{{SECRET}}', 'whsec_...', 'price_xxx', 'sk_test_your_key_here', 'enter-your-key'])
    assert.ok(isPlaceholder(v), `${JSON.stringify(v)} is a placeholder`);
  for (const v of ['sk_test_51AbCdEf', 'whsec_abc123def456', 'postgres://u:p@host/db', 'http://localhost:3000', 'development', '3000', 'k'.repeat(43), 'pk_test_aGFwcHk=', 'redis://localhost:6379', 'info', 'x'.repeat(43), 'my-uploads', 'add-on', 'none-such-bucket']) 
    assert.ok(!isPlaceholder(v), `${v} is a value`);
});

describe('provider keys under the app\'s names', () => {
  test('each key goes under the names the app reads, or its own; every name is input; unknown keys listed', () => {
    const c = contract({
      'src/a.ts': 'process.env.STRIPE_API_KEY; process.env.NEXTAUTH_SECRET; process.env.NEXTAUTH_URL; process.env.NEXT_PUBLIC_APP_URL; process.env.GITHUB_CLIENT_ID; process.env.CORS_ORIGIN',
      'prisma/schema.prisma': 'url = env("DATABASE_URL_POSTGRES")',
    });
    const names = mapNames(all, c);
    assert.deepEqual(names.out('STRIPE_SECRET_KEY'), ['STRIPE_API_KEY']);
    assert.deepEqual(names.out('JWT_SECRET'), ['NEXTAUTH_SECRET']);
    assert.deepEqual(names.out('APP_URL'), ['NEXT_PUBLIC_APP_URL', 'NEXTAUTH_URL']);
    assert.deepEqual(names.out('CORS_ORIGINS'), ['CORS_ORIGIN']);
    assert.deepEqual(names.out('DATABASE_URL'), ['DATABASE_URL_POSTGRES']);
    assert.deepEqual(names.out('REDIS_URL'), ['REDIS_URL'], 'the canonical name where the app reads none');
    assert.deepEqual(names.in('STRIPE_SECRET_KEY').slice(0, 3), ['STRIPE_API_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_SECRET']);
    assert.deepEqual(names.unknown, [{ key: 'GITHUB_CLIENT_ID', required: true }]);
    assert.ok(mappingLines(names).includes("STRIPE_SECRET_KEY → STRIPE_API_KEY (the app's name)"));
    // coverage: every provider-related name the app reads, with a value under that name
    assert.deepEqual(coverage(c, all, { STRIPE_API_KEY: 'sk_test_51AbCdEf', NEXTAUTH_SECRET: 'k'.repeat(43), NEXTAUTH_URL: 'changeme' }).missing, ['CORS_ORIGIN', 'DATABASE_URL_POSTGRES', 'NEXT_PUBLIC_APP_URL', 'NEXTAUTH_URL']);
  });

  test("a push's values: each renamed key under the app's names (winning over an older copy there), the rest as they are", () => {
    const c = contract({ 'src/a.ts': 'process.env.STRIPE_API_KEY; process.env.NEXT_PUBLIC_APP_URL; process.env.NEXTAUTH_URL; process.env.REDIS_URL' });
    const envNames = envNamesOf(all, [mapNames(all, c)])!;
    assert.deepEqual(envNames.STRIPE_SECRET_KEY, ['STRIPE_API_KEY']);
    assert.deepEqual(envNames.APP_URL, ['NEXT_PUBLIC_APP_URL', 'NEXTAUTH_URL']);
    assert.ok(!('REDIS_URL' in envNames), 'a key the app reads under its own name is not renamed');
    const v = underAppNames({ STRIPE_API_KEY: 'old', STRIPE_SECRET_KEY: 'new', APP_URL: 'https://a.example', REDIS_URL: 'redis://r', OWN: 'x' }, envNames);
    assert.deepEqual(v, { STRIPE_API_KEY: 'new', NEXT_PUBLIC_APP_URL: 'https://a.example', NEXTAUTH_URL: 'https://a.example', REDIS_URL: 'redis://r', OWN: 'x' });
    assert.equal(envNamesOf(all, [mapNames(all, undefined)]), undefined, 'no contract: nothing renamed');
  });

  test("a monorepo's apps as one map: a key is read and written under every app's name for it", () => {
    const api = mapNames(all, contract({ 'src/a.ts': 'process.env.JWT_SECRET; process.env.GITHUB_CLIENT_ID' }));
    const worker = mapNames(all, contract({ 'src/w.ts': 'process.env.SESSION_SECRET; process.env.QUEUE_NAME' }));
    const both = unionNames([api, worker]);
    assert.deepEqual(both.out('JWT_SECRET'), ['JWT_SECRET', 'SESSION_SECRET']);
    assert.deepEqual(both.in('JWT_SECRET').slice(0, 2), ['JWT_SECRET', 'SESSION_SECRET']);
    assert.deepEqual(both.renamed, [{ key: 'JWT_SECRET', names: ['JWT_SECRET', 'SESSION_SECRET'] }]);
    assert.deepEqual(both.unknown.map((u) => u.key).sort(), ['GITHUB_CLIENT_ID', 'QUEUE_NAME']);
    assert.equal(unionNames([api]), api);
  });

  test('a name is claimed once: two declarations never write the same name', () => {
    const c = contract({ 'src/a.ts': 'process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY' });
    const names = mapNames(all, c);
    assert.deepEqual(names.out('CLERK_PUBLISHABLE_KEY'), ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY']);
    assert.deepEqual(names.unknown, []);
  });

  test('the env module checks the app\'s names, and in zod 3 compiles to zod 3 forms that accept the same values', () => {
    const c = contract({ 'src/a.ts': 'process.env.DATABASE_URL_POSTGRES; process.env.NEXTAUTH_URL' });
    const project = describeProject({ cwd: '/x', pkg: { dependencies: { next: '15', zod: '^3.23.0' } }, lockfiles: [], typescript: true });
    const groups = envModuleGroups(all, project, mapNames(all, c), 3);
    const vars = Object.fromEntries(groups.flatMap((g) => g.vars).map((v) => [v.key, v.expr]));
    assert.ok(vars.DATABASE_URL_POSTGRES && vars.NEXTAUTH_URL && !vars.DATABASE_URL);
    for (const expr of Object.values(vars)) assert.doesNotMatch(expr, /z\.url\(|\{ error:/);
    // each zod 3 form accepts and rejects what its zod 4 original does
    const cases: [string, string[], string[]][] = [
      ["z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })", ['postgres://u:p@h/db', 'postgresql://h/db'], ['mysql://h/db', 'not a url', '']],
      ["z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })", ['http://localhost:3000', 'https://a.example.com/x'], ['ftp://a', 'localhost:3000']],
      [String.raw`z.union([z.url({ protocol: /^https?$/ }), z.string().regex(/^s3\.[a-z0-9-]+\.backblazeb2\.com\/?$/i)], { error: 'must be an endpoint URL' })`, ['https://s3.us-west-004.backblazeb2.com', 's3.eu-central-003.backblazeb2.com'], ['ftp://x', 'nope']],
    ];
    for (const [v4src, good, bad] of cases) {
      const v4 = new Function('z', `return ${v4src}`)(z4) as z4.ZodType;
      const v3 = new Function('z', `return ${toZod3(v4src)}`)(z3) as z3.ZodTypeAny;
      for (const g of good) assert.ok(v4.safeParse(g).success && v3.safeParse(g).success, `${g} passes both`);
      for (const b of bad) assert.ok(!v4.safeParse(b).success && !v3.safeParse(b).success, `${b} fails both`);
    }
    // every provider's check, in its zod 3 form, builds under zod 3
    for (const e of all.flatMap((p) => p.env)) if (typeof e.app === 'string') new Function('z', `return ${toZod3(e.app)}`)(z3);
  });
});

test('the fixture apps read what they are modeled to read', () => {
  const t3 = detectContract(join(APPS_DIR, 'next-t3-saas'));
  assert.equal(t3.schema?.kind, 't3-env');
  assert.equal(t3.zodMajor, 3);
  assert.ok(t3.keys.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY?.required);
  const hono = detectContract(join(APPS_DIR, 'hono-api'));
  assert.deepEqual(hono.datasource, ['POSTGRES_URL']);
  assert.equal(hono.schema?.kind, 'zod');
  const worker = detectContract(join(APPS_DIR, 'express-prisma-worker'));
  assert.equal(worker.schema, undefined);
  assert.ok(worker.keys.SMTP_URL?.required && !worker.keys.SENTRY_DSN?.required);
});
