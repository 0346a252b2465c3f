import type { FrameworkId } from '../../src/core/project.ts';
import { type Values } from '../../src/core/provider.ts';
import { httpUrlProblem } from '../../src/core/urls.ts';

export const DASHBOARD = 'https://manage.auth0.com/dashboard';
export const URIS_PAGE = 'Auth0 Dashboard → Applications → your app → Settings → Application URIs';

// --- callback URLs per framework ------------------------------------------------------------------------

/**
 * Where each framework's usual Auth0 SDK receives the login callback and where logout returns to.
 * `logout: ''` is the base URL itself (written without a trailing slash, as Auth0's quickstarts list it).
 */
export const AUTH_ROUTES: Record<FrameworkId, { callback: string; logout: string; sdk: string }> = {
  // @auth0/nextjs-auth0 v4: routes.callback '/auth/callback'; logout returns to APP_BASE_URL.
  nextjs: { callback: '/auth/callback', logout: '', sdk: '@auth0/nextjs-auth0' },
  // express-openid-connect: routes.callback '/callback'; routes.postLogoutRedirect defaults to baseURL.
  express: { callback: '/callback', logout: '', sdk: 'express-openid-connect' },
  // No official Auth0 SDK for these server frameworks; passport-auth0 samples and express-openid-connect use /callback.
  nestjs: { callback: '/callback', logout: '', sdk: 'passport-auth0' },
  fastify: { callback: '/callback', logout: '', sdk: 'passport-auth0 / @fastify/oauth2' },
  hono: { callback: '/callback', logout: '', sdk: 'an OIDC middleware' },
  node: { callback: '/callback', logout: '', sdk: 'express-openid-connect' },
  // Auth.js: /auth/callback/<provider id> (@auth/sveltekit) and /api/auth/callback/<provider id> (auth-astro).
  sveltekit: { callback: '/auth/callback/auth0', logout: '', sdk: '@auth/sveltekit' },
  astro: { callback: '/api/auth/callback/auth0', logout: '', sdk: 'auth-astro' },
  // remix-auth-auth0's README: callbackURL '/auth/auth0/callback'.
  remix: { callback: '/auth/auth0/callback', logout: '', sdk: 'remix-auth-auth0' },
  'react-router': { callback: '/auth/auth0/callback', logout: '', sdk: 'remix-auth-auth0' },
};

export interface AppUris {
  callbacks: string[];
  allowed_logout_urls: string[];
  web_origins: string[];
}
export const URI_FIELDS = ['callbacks', 'allowed_logout_urls', 'web_origins'] as const;
export const FIELD_LABEL: Record<(typeof URI_FIELDS)[number], string> = {
  callbacks: 'Allowed Callback URLs',
  allowed_logout_urls: 'Allowed Logout URLs',
  web_origins: 'Allowed Web Origins',
};

/** The base URLs the app runs at: APP_URL (when a valid URL) and the local dev URL. */
export function appBases(values: Values, port: number): string[] {
  const out: string[] = [];
  const app = values.APP_URL?.trim();
  if (app && !httpUrlProblem(app)) out.push(app.replace(/\/+$/, ''));
  out.push(`http://localhost:${values.PORT || port}`);
  return [...new Set(out)];
}

export function expectedUris(values: Values, framework: FrameworkId, port: number): AppUris {
  const r = AUTH_ROUTES[framework] ?? AUTH_ROUTES.node;
  const bases = appBases(values, port);
  return {
    callbacks: bases.map((b) => `${b}${r.callback}`),
    allowed_logout_urls: bases.map((b) => `${b}${r.logout}`),
    web_origins: [...new Set(bases.map((b) => new URL(b).origin))],
  };
}

/** Does a configured entry (possibly with Auth0's `*` subdomain wildcard) cover this URL? */
function covers(entry: string, url: string): boolean {
  const norm = (s: string) => s.trim().replace(/\/+$/, '').toLowerCase();
  const e = norm(entry);
  const u = norm(url);
  if (e === u) return true;
  if (!e.includes('*')) return false;
  const re = new RegExp(`^${e.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[^./]+')}$`);
  return re.test(u);
}

export function missingUris(current: Partial<AppUris>, expected: AppUris): AppUris {
  const out: AppUris = { callbacks: [], allowed_logout_urls: [], web_origins: [] };
  for (const f of URI_FIELDS) out[f] = expected[f].filter((u) => !(current[f] ?? []).some((e) => covers(e, u)));
  return out;
}
export const countUris = (u: AppUris) => URI_FIELDS.reduce((n, f) => n + u[f].length, 0);

export function pasteLine(u: AppUris): string {
  return URI_FIELDS.filter((f) => u[f].length)
    .map((f) => `${FIELD_LABEL[f]}: ${u[f].join(', ')}`)
    .join('; ');
}
