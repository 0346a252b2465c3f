// The app's own settings and secrets. No network: `verify` checks that the values agree with each other.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineProvider } from '../src/core/provider.ts';
import { publicForms } from '../src/core/env-names.ts';
import { checkedString, signingSecret } from '../src/core/schema.ts';
import { httpUrlProblem, isLoopbackHost, originOf } from '../src/core/urls.ts';

const url = checkedString(httpUrlProblem);

/** 32 random bytes, base64url: the first JWT_SECRET and every rotated one. */
const newJwtSecret = (random: (n: number) => Uint8Array) => Buffer.from(random(32)).toString('base64url');

const origins = checkedString((v) => {
  const list = v.split(',').map((s) => s.trim());
  if (list.some((s) => !s)) return 'a comma-separated list of origins, without empty entries';
  for (const o of list) {
    const p = httpUrlProblem(o);
    if (p) return `${o}: ${p}`;
    if (originOf(o) !== o.replace(/\/$/, '')) return `${o}: an origin has no path (use ${originOf(o)})`;
  }
  return undefined;
});

export default defineProvider({
  id: 'app',
  title: 'App settings',
  hint: 'NODE_ENV, PORT, APP_URL, CORS_ORIGINS, JWT_SECRET',
  docsUrl: 'https://12factor.net/config',
  env: [
    {
      key: 'NODE_ENV',
      description: 'Runtime environment: development, test or production.',
      secret: false,
      schema: z.enum(['development', 'test', 'production'], { message: 'NODE_ENV must be development, test or production' }),
      app: "z.enum(['development', 'test', 'production'])",
      localDefault: () => 'development',
      example: 'development',
    },
    {
      key: 'PORT',
      description: 'Port the server listens on (Render sets it in production).',
      secret: false,
      schema: z.string().regex(/^\d{1,5}$/, 'PORT must be a number').refine((v) => Number(v) >= 1 && Number(v) <= 65535, 'PORT must be between 1 and 65535'),
      app: 'z.coerce.number().int().min(1).max(65535)',
      localDefault: (_known, project) => String(project.port),
      example: '3000',
    },
    {
      key: 'APP_URL',
      aliases: [...publicForms('APP_URL'), 'NEXTAUTH_URL', 'AUTH_URL', 'BETTER_AUTH_URL', 'PUBLIC_URL', 'SITE_URL', 'NEXT_PUBLIC_SITE_URL', 'ORIGIN'],
      description: 'Public base URL of the app, without a trailing slash.',
      where: 'your domain in production (Render: service → Settings → Custom Domains); http://localhost:PORT locally',
      secret: false,
      schema: url.transform((v) => v.replace(/\/+$/, '')),
      app: "z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })",
      localDefault: (known, project) => `http://localhost:${known.PORT || project.port}`,
      example: 'http://localhost:3000',
    },
    {
      key: 'CORS_ORIGINS',
      aliases: ['CORS_ORIGIN', 'ALLOWED_ORIGINS', 'CORS_ALLOWED_ORIGINS'],
      description: 'Comma-separated origins allowed to call the API from a browser.',
      where: 'derived from APP_URL; add your front-end origins',
      secret: false,
      schema: origins.transform((v) => v.trim()),
      app: String.raw`z.string().refine((v) => v.split(',').every((o) => /^https?:\/\/[^\s/]+\/?$/.test(o.trim())), 'must be comma-separated origins such as https://example.com')`,
      localDefault: (known, project) => {
        const appUrl = known.APP_URL || `http://localhost:${known.PORT || project.port}`;
        return httpUrlProblem(appUrl) ? undefined : originOf(appUrl);
      },
      example: 'http://localhost:3000',
    },
    {
      key: 'JWT_SECRET',
      aliases: ['NEXTAUTH_SECRET', 'AUTH_SECRET', 'BETTER_AUTH_SECRET', 'SESSION_SECRET', 'COOKIE_SECRET', 'JWT_SECRET_KEY'],
      description: 'Signs session tokens. Generated: 32 random bytes, base64url; never asked for, never printed.',
      secret: true,
      ...signingSecret('JWT_SECRET'),
      generate: newJwtSecret,
    },
    {
      key: 'JWT_SECRET_PREVIOUS',
      description:
        'The JWT_SECRET before the last rotation, kept for an overlap window: sign with JWT_SECRET, accept tokens signed with either. Set by `create-prod-ready rotate JWT_SECRET`; the next rotation drops it.',
      secret: true,
      optional: true,
      prompt: false,
      ...signingSecret('JWT_SECRET_PREVIOUS'),
    },
  ],
  rotations: [
    {
      id: 'app.jwt',
      title: 'JWT_SECRET',
      keys: ['JWT_SECRET'],
      kind: 'auto',
      // Made here: 32 random bytes, like the first one.
      create: async () => ({ values: { JWT_SECRET: newJwtSecret(randomBytes) } }),
      // The old secret stays for an overlap window; this rotation's PREVIOUS replaces the last one's.
      alongside: (old): Record<string, string> => (old.JWT_SECRET ? { JWT_SECRET_PREVIOUS: old.JWT_SECRET } : {}),
      revokeHint:
        'the old secret is now JWT_SECRET_PREVIOUS: accept tokens signed with either until they expire; the next rotation drops it. Render generates production\'s own JWT_SECRET (render.yaml generateValue): rotate that one in the service\'s Environment page',
    },
  ],
  async verify(v, io) {
    const warnings: string[] = [];
    const app = new URL(v.APP_URL!);
    const local = isLoopbackHost(app.hostname);
    // (a monorepo's APP_URL is its frontend's address, and PORT its API's: different ports by design)
    if (local && app.port && v.PORT && app.port !== v.PORT && !io.project.serviceKeys)
      warnings.push(`APP_URL uses port ${app.port} but PORT is ${v.PORT}`);
    if (v.NODE_ENV === 'production' && local) warnings.push('NODE_ENV is production but APP_URL is a local address');
    const origins = (v.CORS_ORIGINS ?? '').split(',').map((s) => s.trim());
    if (!origins.includes(app.origin)) warnings.push(`CORS_ORIGINS does not include APP_URL's origin (${app.origin})`);
    return {
      identity: `${app.origin} (${v.NODE_ENV})`,
      mode: v.NODE_ENV,
      details: [`JWT_SECRET: ${v.JWT_SECRET ? `${Buffer.byteLength(v.JWT_SECRET)} characters` : 'missing'}`],
      warnings,
    };
  },
  contribute: () => ({
    render: {
      envVars: [
        { key: 'NODE_ENV', value: 'production' },
        { key: 'APP_URL', sync: false },
        { key: 'CORS_ORIGINS', sync: false },
        { key: 'JWT_SECRET', generateValue: true },
      ],
    },
  }),
});
