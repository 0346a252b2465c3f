// Auth0: AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_AUDIENCE (optional), AUTH0_SECRET
// (generated; the session-cookie key of @auth0/nextjs-auth0) and APP_BASE_URL (@auth0/nextjs-auth0).
//
// `verify`, read-only, through the API client (src/core/http.ts; no SDK):
//   1. GET /.well-known/openid-configuration: the tenant exists and its `issuer` is exactly
//      `https://<AUTH0_DOMAIN>/` (or the PROD_READY_AUTH0_URL origin + '/').
//   2. POST /oauth/token, form-encoded (oidc-provider refuses JSON; Auth0 takes both), grant_type
//      client_credentials for AUTH0_AUDIENCE when set, then for the Management API
//      (`<origin>/api/v2/`). Auth0 answers an unknown client and a wrong secret the same way (401
//      access_denied "Unauthorized" / invalid_client), and the Management API that could tell them apart
//      needs a token, so both are one line: "client id or secret rejected".
//   3. With a Management token that has read:clients: GET /api/v2/clients/{id} and compare callbacks,
//      allowed_logout_urls and web_origins with the URLs the detected framework's SDK uses, for APP_URL and
//      the local dev URL. What is missing is a warning plus an Action (runs after the plan's confirmation)
//      that PATCHes the union — never removing a URL — and reads the application back to confirm.
//      Without that permission: a warning with the exact values to paste and the dashboard page.
// A client that may not use client_credentials (a plain "Regular Web Application") is not a failure:
// the discovery check stands, the pair is plausibly valid (Auth0 checks the grant after the client) and the
// warning says what could not be checked.
import { VerifyError } from '../src/core/errors.ts';
import { redact } from '../src/core/mask.ts';
import type { FrameworkId } from '../src/core/project.ts';
import { defineProvider, type Action, type Contribution, type Io, type RenderEnvVar, type Values, type Verified } from '../src/core/provider.ts';
import { checkedString, foreignCredentialProblem, pastedValueProblem, signingSecret } from '../src/core/schema.ts';
import { httpUrlProblem, isLoopbackHost, overrideVar } from '../src/core/urls.ts';
import { apiFor, failWith, type ApiClient, type ApiHints, type HttpAnswer } from '../src/core/http.ts';

export const DASHBOARD = 'https://manage.auth0.com/dashboard';
const URIS_PAGE = 'Auth0 Dashboard → Applications → your app → Settings → Application URIs';

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
const FIELD_LABEL: Record<(typeof URI_FIELDS)[number], string> = {
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
const countUris = (u: AppUris) => URI_FIELDS.reduce((n, f) => n + u[f].length, 0);

function pasteLine(u: AppUris): string {
  return URI_FIELDS.filter((f) => u[f].length)
    .map((f) => `${FIELD_LABEL[f]}: ${u[f].join(', ')}`)
    .join('; ');
}

// --- format checks --------------------------------------------------------------------------------------


/** `https://Acme.us.auth0.com/authorize/` → `acme.us.auth0.com` (scheme, path, query and slashes dropped). */
export function normaliseDomain(v: string): string {
  return v
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/[/?#].*$/s, '')
    .toLowerCase();
}

export function domainProblem(raw: string): string | undefined {
  const k = 'AUTH0_DOMAIN';
  const v = raw.trim();
  if (!v) return `${k} is empty`;
  if (/^["'`]|["'`]$/.test(v)) return `${k} is wrapped in quotes: paste the value without them`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'https' && scheme !== 'http') return `${k} must be a domain like acme.us.auth0.com (not a ${scheme}:// URL)`;
  const host = normaliseDomain(v);
  if (!host) return `${k} has no host: give the tenant domain, e.g. acme.us.auth0.com`;
  if (host.includes('@')) return `${k} must not carry a user name or password`;
  if (/\s/.test(host)) return `${k} contains a space: paste the domain alone`;
  let u: URL;
  try {
    u = new URL(`https://${host}`);
  } catch {
    return `${k} "${host.slice(0, 60)}" is not a valid domain (e.g. acme.us.auth0.com)`;
  }
  if (u.host !== host) return `${k} "${host.slice(0, 60)}" is not a valid domain (e.g. acme.us.auth0.com)`;
  if (scheme === 'http' && !isLoopbackHost(u.hostname)) return `${k}: Auth0 is only reachable over https; give the domain alone, e.g. ${u.hostname}`;
  if (!u.hostname.includes('.') && !isLoopbackHost(u.hostname)) return `${k} "${host}" is not a full domain: it looks like acme.us.auth0.com (Applications → your app → Settings → Domain)`;
  return undefined;
}

export function clientIdProblem(v: string): string | undefined {
  const k = 'AUTH0_CLIENT_ID';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^https?:\/\//i.test(v) || v.includes('.auth0.com')) return `${k} is a URL or domain; the Client ID is a string of letters and digits (Applications → your app → Settings)`;
  if (!/^[A-Za-z0-9_-]{8,128}$/.test(v)) return `${k} has characters an Auth0 Client ID never has (letters, digits, - and _ only)`;
  return foreignCredentialProblem(k, v);
}

export function clientSecretProblem(v: string): string | undefined {
  const k = 'AUTH0_CLIENT_SECRET';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (v.length < 16) return `${k} looks cut off (an Auth0 client secret is 64 characters)`;
  return foreignCredentialProblem(k, v);
}

export function audienceProblem(v: string): string | undefined {
  const k = 'AUTH0_AUDIENCE';
  if (v === '') return undefined;
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    try {
      new URL(v);
    } catch {
      return `${k} "${v.slice(0, 60)}" is not a valid URL (the API Identifier, e.g. https://api.example.com)`;
    }
  }
  return foreignCredentialProblem(k, v);
}

export function appBaseUrlProblem(v: string): string | undefined {
  if (v === '') return undefined;
  const p = httpUrlProblem(v);
  if (p) return `APP_BASE_URL: ${p}`;
  if (/\/$/.test(v) && new URL(v).pathname !== '/') return 'APP_BASE_URL must not end with a slash';
  return undefined;
}

// --- HTTP -----------------------------------------------------------------------------------------------

export interface Auth0CheckOptions {
  /** Per-request timeout (default 8000 ms); io.signal bounds the whole check. */
  requestTimeoutMs?: number;
  /** Most time spent waiting on 429s (default 3000 ms); at most 2 retries per request. */
  rateLimitBudgetMs?: number;
}

/** An HttpAnswer whose JSON, when there is any, is an object (as all of Auth0's are). */
type Answer = Omit<HttpAnswer, 'json'> & { json: Record<string, unknown> | undefined };

interface Ctx {
  io: Io;
  /** `https://acme.us.auth0.com` or the override origin, no trailing slash. */
  origin: string;
  /** For messages: acme.us.auth0.com or 127.0.0.1:PORT. */
  host: string;
  domain: string;
  clientId: string;
  secret: string;
  /** The API client: transport, retries, network lines, redaction of the secrets. */
  api: ApiClient;
}

function fail(c: Ctx, message: string, hint: string | undefined, code: string): VerifyError {
  return c.api.fail(message, hint, code);
}

/** One request: the API client's (abort, network lines, 429s retried as Retry-After asks); JSON kept only when it is an object, as all of Auth0's are. */
async function call(c: Ctx, what: string, method: string, path: string, body?: { form?: Record<string, string>; json?: unknown }, bearer?: string): Promise<Answer> {
  const a = await c.api.request(method, path, { ...body, auth: bearer ? `Bearer ${bearer}` : undefined, label: what });
  const json = a.json && typeof a.json === 'object' && !Array.isArray(a.json) ? (a.json as Record<string, unknown>) : undefined;
  return { ...a, json };
}

/** Auth0's wording where it differs from the client's: the domain named when DNS fails, the request named when rate-limited. */
function auth0Hints(domain: string, overridden: boolean): ApiHints {
  const over = overrideVar('auth0');
  return {
    network: {
      dns: (f) =>
        overridden
          ? { message: `${over} host ${f.host} does not resolve (DNS ${f.errno})`, hint: `check ${over} and your network`, code: 'DNS' }
          : { message: `AUTH0_DOMAIN ${domain} does not resolve (DNS ${f.errno})`, hint: 'copy the Domain from Applications → your app → Settings (e.g. acme.us.auth0.com); check your network', code: 'DNS' },
      refused: (f) => ({ message: `connection refused by ${f.where}`, hint: `check AUTH0_DOMAIN${overridden ? ` and ${over}` : ''}` }),
    },
    rateLimited: ({ attempts, label }) => ({
      message: `Auth0 rate-limited the check (429 on ${label}) after ${attempts} attempt${attempts > 1 ? 's' : ''}`,
      hint: 'wait a minute, then try again (Auth0 Dashboard → Monitoring → Logs shows rate-limit events)',
      code: 'RATE_LIMITED',
    }),
  };
}

function serverTrouble(c: Ctx, a: Answer, what: string): VerifyError {
  return fail(c, `Auth0 is having trouble at ${c.host} (HTTP ${a.status} on ${what}); try again`, 'https://status.auth0.com shows incidents', 'SERVER_ERROR');
}

// --- the check ------------------------------------------------------------------------------------------

type TokenResult =
  | { ok: true; token: string; scope: string[] }
  | { ok: false; kind: 'grant' | 'unknown-api' | 'no-client-grant'; description: string };

async function token(c: Ctx, audience: string): Promise<TokenResult> {
  const what = 'the token request';
  const a = await call(c, what, 'POST', '/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.secret, audience },
  });
  const error = typeof a.json?.error === 'string' ? a.json.error : '';
  const description = typeof a.json?.error_description === 'string' ? a.json.error_description : '';
  if (a.status === 200) {
    const t = a.json?.access_token;
    if (typeof t !== 'string' || !t) throw fail(c, `${c.host} answered the token request without an access token (${a.json ? 'no access_token' : 'not JSON'})`, 'check AUTH0_DOMAIN: it is not an Auth0 tenant', 'BAD_RESPONSE');
    return { ok: true, token: t, scope: typeof a.json?.scope === 'string' ? a.json.scope.split(' ').filter(Boolean) : [] };
  }
  if (a.status >= 500) throw serverTrouble(c, a, what);
  if (a.status === 401 || error === 'invalid_client')
    throw fail(
      c,
      `client id or secret rejected by ${c.domain}: either no application has client id ${c.clientId}, or AUTH0_CLIENT_SECRET is not its secret (Auth0 answers both alike, and the Management API that could tell them apart needs a token)`,
      'copy Client ID and Client Secret from Applications → your app → Settings (a rotated secret replaces the old one)',
      'CREDENTIALS_REJECTED',
    );
  if (error === 'unauthorized_client' || (error === 'invalid_request' && /grant type.*not allowed/i.test(description)))
    return { ok: false, kind: 'grant', description };
  if (error === 'invalid_target' || /service not enabled within domain/i.test(description)) return { ok: false, kind: 'unknown-api', description };
  if (a.status === 403 && error === 'access_denied') return { ok: false, kind: 'no-client-grant', description };
  throw fail(
    c,
    `Auth0 refused the token request (HTTP ${a.status}${error ? ` ${error}` : ''}${description ? `: ${description.slice(0, 200)}` : ''})`,
    a.json ? undefined : `${c.host} did not answer like an Auth0 tenant`,
    error || `HTTP_${a.status}`,
  );
}

interface ClientRecord extends Partial<AppUris> {
  name?: string;
  app_type?: string;
}

type ReadResult = { ok: true; client: ClientRecord } | { ok: false; why: string };

async function readClient(c: Ctx, bearer: string): Promise<ReadResult> {
  const fields = ['name', 'app_type', ...URI_FIELDS].join(',');
  const what = 'reading the application (Management API)';
  const a = await call(c, what, 'GET', `/api/v2/clients/${encodeURIComponent(c.clientId)}?fields=${fields}&include_fields=true`, undefined, bearer);
  if (a.status === 200 && a.json) return { ok: true, client: a.json as ClientRecord };
  if (a.status >= 500) throw serverTrouble(c, a, what);
  const msg = typeof a.json?.message === 'string' ? a.json.message : '';
  if (a.status === 403) return { ok: false, why: `the Management API token may not read applications (${msg || 'HTTP 403'}); it needs read:clients` };
  if (a.status === 404) return { ok: false, why: `the Management API found no application ${c.clientId} (${msg || 'HTTP 404'})` };
  if (a.status === 200) return { ok: false, why: 'the Management API answered with something that is not JSON' };
  return { ok: false, why: `the Management API answered HTTP ${a.status}${msg ? `: ${msg}` : ''}` };
}

function ctxFor(values: Values, io: Io, opts: Auth0CheckOptions): Ctx {
  const domain = normaliseDomain(values.AUTH0_DOMAIN ?? '');
  const override = io.baseUrl('').replace(/\/+$/, '');
  let origin = override;
  if (!origin) {
    const host = new URL(`https://${domain}`).hostname;
    origin = `${isLoopbackHost(host) ? 'http' : 'https'}://${domain}`;
  }
  const secret = values.AUTH0_CLIENT_SECRET ?? '';
  return {
    io,
    origin: new URL(origin).origin,
    host: new URL(origin).host,
    domain,
    clientId: values.AUTH0_CLIENT_ID ?? '',
    secret,
    api: apiFor(io, {
      name: 'Auth0',
      baseUrl: new URL(origin).origin,
      secrets: [secret],
      statusPage: 'https://status.auth0.com',
      timeoutMs: opts.requestTimeoutMs,
      budgetMs: opts.rateLimitBudgetMs ?? 3000,
      troubleCode: 'SERVER_ERROR',
      hints: auth0Hints(domain, !!override),
    }),
  };
}

function formatProblems(values: Values): string | undefined {
  return (
    domainProblem(values.AUTH0_DOMAIN ?? '') ??
    clientIdProblem(values.AUTH0_CLIENT_ID ?? '') ??
    clientSecretProblem(values.AUTH0_CLIENT_SECRET ?? '') ??
    audienceProblem(values.AUTH0_AUDIENCE ?? '')
  );
}

/** The live check behind `verify`, with options for tests. */
export async function verifyAuth0(values: Values, io: Io, opts: Auth0CheckOptions = {}): Promise<Verified> {
  const problem = formatProblems(values);
  if (problem) throw new VerifyError(redact(problem, [values.AUTH0_CLIENT_SECRET ?? '']), undefined, 'FORMAT');
  const c = ctxFor(values, io, opts);
  const warnings: string[] = [];
  const details: string[] = [];

  // 1. Discovery and issuer.
  const expectedIssuer = `${c.origin}/`;
  const d = await call(c, 'the discovery document', 'GET', '/.well-known/openid-configuration');
  if (d.status === 404) throw fail(c, `no Auth0 tenant at ${c.host}: /.well-known/openid-configuration answered 404`, 'AUTH0_DOMAIN is the Domain under Applications → your app → Settings (e.g. acme.us.auth0.com)', 'NOT_FOUND');
  if (d.status >= 500) throw serverTrouble(c, d, 'the discovery document');
  if (d.status !== 200) throw fail(c, `${c.host} answered the discovery request with HTTP ${d.status}`, 'check AUTH0_DOMAIN', `HTTP_${d.status}`);
  if (!d.json) throw fail(c, `${c.host} did not answer with an OpenID discovery document (not JSON)`, 'check AUTH0_DOMAIN: it is not an Auth0 tenant', 'BAD_RESPONSE');
  const issuer = d.json.issuer;
  if (issuer !== expectedIssuer)
    throw fail(
      c,
      `issuer mismatch: ${c.host} says its issuer is ${typeof issuer === 'string' ? `"${issuer.slice(0, 100)}"` : 'missing'}, expected "${expectedIssuer}"`,
      'AUTH0_DOMAIN must be the tenant domain (or custom domain) exactly as tokens name it; tokens from this tenant would fail validation',
      'ISSUER_MISMATCH',
    );
  details.push(`issuer: ${issuer}`);

  // 2. Tokens.
  const mgmtAudience = `${c.origin}/api/v2/`;
  const audience = values.AUTH0_AUDIENCE?.trim() || '';
  const expected = expectedUris(values, io.project.framework, io.project.port);
  const paste = `${URIS_PAGE} should list: ${pasteLine(expected)}`;
  const notChecked = (why: string) => `callback URLs were not checked: ${why}. ${paste}`;
  const identity = (name?: string) => `${name ? `${name} (${c.clientId})` : `client ${c.clientId}`} on ${c.domain}`;

  if (audience && audience !== mgmtAudience) {
    const t = await token(c, audience);
    if (t.ok) details.push(`token: client_credentials for ${audience}${t.scope.length ? ` (${t.scope.join(' ')})` : ''}`);
    else if (t.kind === 'unknown-api')
      throw fail(
        c,
        `AUTH0_AUDIENCE ${audience} is not an API of ${c.domain} (Auth0: "${t.description.slice(0, 120)}")`,
        'AUTH0_AUDIENCE is the Identifier under Applications → APIs (it must match exactly, trailing slash included)',
        'AUDIENCE_NOT_ENABLED',
      );
    else if (t.kind === 'no-client-grant')
      warnings.push(
        `AUTH0_AUDIENCE ${audience} exists, but this application is not authorized for it (no client grant), so no machine-to-machine token for it could be requested; user logins can still ask for it. To allow it: Applications → APIs → the API → Machine to Machine Applications`,
      );
    else return grantNotAllowed(details, warnings, identity(), notChecked);
  }

  const m = await token(c, mgmtAudience);
  if (!m.ok) {
    if (m.kind === 'grant') return grantNotAllowed(details, warnings, identity(), notChecked);
    details.push('credentials: accepted (a Management API token was refused for a reason that comes after the secret check)');
    const custom = !/\.auth0\.com$/.test(c.domain) && !c.io.baseUrl('');
    warnings.push(
      notChecked(
        m.kind === 'unknown-api'
          ? custom
            ? `the Management API is not served at ${mgmtAudience} (a custom domain: its audience is https://<tenant>.<region>.auth0.com/api/v2/)`
            : `${c.domain} has no Management API at ${mgmtAudience}`
          : 'this application is not authorized for the Auth0 Management API (Applications → APIs → Auth0 Management API → Machine to Machine Applications: authorize it with read:clients and update:clients to let the wizard add them)',
      ),
    );
    return { identity: identity(), details, warnings };
  }
  details.push(`token: client_credentials for the Management API${m.scope.length ? ` (${m.scope.join(' ')})` : ''}`);

  // 3. Callback URLs.
  const r = await readClient(c, m.token);
  if (!r.ok) {
    warnings.push(notChecked(r.why));
    return { identity: identity(), details, warnings };
  }
  const name = typeof r.client.name === 'string' ? r.client.name : undefined;
  const missing = missingUris(r.client, expected);
  const n = countUris(missing);
  if (n === 0) {
    details.push(`callback URLs: all ${countUris(expected)} present (${AUTH_ROUTES[io.project.framework]?.sdk ?? 'SDK'} routes for ${appBases(values, io.project.port).join(', ')})`);
    return { identity: identity(name), details, warnings };
  }
  const canUpdate = m.scope.length === 0 || m.scope.includes('update:clients');
  warnings.push(
    `Auth0 application ${name ?? c.clientId} is missing ${n} URL${n === 1 ? '' : 's'}: ${pasteLine(missing)}${canUpdate ? '' : ` (the token may not update applications: add them in ${URIS_PAGE})`}`,
  );
  const actions: Action[] = canUpdate ? [urisAction(values, name, missing)] : [];
  return { identity: identity(name), details, warnings, ...(actions.length ? { actions } : {}) };
}

function grantNotAllowed(details: string[], warnings: string[], identity: string, notChecked: (why: string) => string): Verified {
  details.push('credentials: plausibly valid (Auth0 refused only the grant type, which it checks after the client)');
  warnings.push(
    notChecked(
      `the application may not use the client_credentials grant, so the secret could not be confirmed and the Management API could not be asked (Applications → your app → Settings → Advanced Settings → Grant Types: Client Credentials)`,
    ),
  );
  return { identity, details, warnings };
}

/** PATCH the union of what the application has and what is missing; never removes anything; reads back to confirm. */
function urisAction(values: Values, name: string | undefined, missing: AppUris): Action {
  const clientId = values.AUTH0_CLIENT_ID ?? '';
  return {
    id: 'auth0.client.urls',
    title: `Add the missing callback, logout and web-origin URLs to Auth0 application ${name ?? clientId}`,
    details: [...URI_FIELDS.flatMap((f) => missing[f].map((u) => `+ ${FIELD_LABEL[f]}: ${u}`)), 'existing URLs are kept; only missing ones are added'],
    async run(io, now) {
      const v = { ...values, ...now };
      const c = ctxFor(v, io, {});
      const m = await token(c, `${c.origin}/api/v2/`);
      if (!m.ok) throw fail(c, `could not get a Management API token to update the application (${m.description || m.kind})`, `add the URLs by hand in ${URIS_PAGE}`, 'NO_MANAGEMENT_TOKEN');
      const before = await readClient(c, m.token);
      if (!before.ok) throw fail(c, `could not read the application before updating it: ${before.why}`, `add the URLs by hand in ${URIS_PAGE}`, 'MANAGEMENT_READ');
      const expected = expectedUris(v, io.project.framework, io.project.port);
      const missing = missingUris(before.client, expected);
      const n = countUris(missing);
      const label = before.client.name ?? c.clientId;
      if (n === 0) return { done: `Auth0 application ${label} already has every callback, logout and web-origin URL` };
      const patch: Partial<AppUris> = {};
      for (const f of URI_FIELDS) if (missing[f].length) patch[f] = [...(before.client[f] ?? []), ...missing[f]];
      const what = 'updating the application (Management API)';
      const a = await call(c, what, 'PATCH', `/api/v2/clients/${encodeURIComponent(c.clientId)}`, { json: patch }, m.token);
      if (a.status >= 500) throw serverTrouble(c, a, what);
      if (a.status !== 200) {
        const msg = typeof a.json?.message === 'string' ? a.json.message : '';
        throw fail(c, `Auth0 refused to update application ${label} (HTTP ${a.status}${msg ? `: ${msg}` : ''})`, `add the URLs by hand in ${URIS_PAGE}: ${pasteLine(missing)}`, 'MANAGEMENT_UPDATE');
      }
      const after = await readClient(c, m.token);
      const still = after.ok ? missingUris(after.client, expected) : missing;
      if (!after.ok || countUris(still) > 0)
        throw fail(c, `Auth0 application ${label} was updated but ${after.ok ? `still lacks ${pasteLine(still)}` : `could not be read back (${after.why})`}`, `check ${URIS_PAGE}`, 'MANAGEMENT_CONFIRM');
      return { done: `Added ${n} URL${n === 1 ? '' : 's'} to Auth0 application ${label} (${pasteLine(missing)}); existing ones kept` };
    },
  };
}

// --- rotation (`create-prod-ready rotate auth0.secret`) --------------------------------------------------
//
// POST /api/v2/clients/{AUTH0_CLIENT_ID}/rotate-secret (contract: ../shared/specs/auth0/management-api.json)
// with a Management API token that has update:client_keys. The token comes from a Machine-to-Machine
// application (AUTH0_MANAGEMENT_CLIENT_ID / _SECRET, asked for this rotation only and never written); without
// them, from the application's own client, which rarely has that scope (the error then names it).
//
// THE WINDOW. Auth0 replaces the secret in place: the old one is refused at /oauth/token the moment
// rotate-secret answers, and the new one exists only in that answer. The rotation is `in-place`, so the
// framework writes .env right after `create` returns, before anything else can fail; but between Auth0's
// answer and that write (milliseconds; `PROD_READY_CRASH_AFTER=created` in the tests) a killed process leaves
// .env with a dead secret and nobody holding the new one. What the person does then:
//   - run `create-prod-ready rotate auth0.secret` again with the same Management client: prod-ready.json
//     still says "started", so the run starts over, rotates once more and writes that secret (a separate
//     management client's token does not depend on the dead secret; the app's own client would be refused,
//     and the error then gives the page below);
//   - or, by hand: Auth0 Dashboard → Applications → Applications → the app → Settings → Danger Zone → Rotate,
//     then Credentials → Client Secret, pasted into .env as AUTH0_CLIENT_SECRET (the exact page, with its URL
//     for a *.auth0.com domain, is `rotatePage`).
// An answer that never arrives (5xx, timeout, reset) is the same uncertainty: the secret in .env is tried
// at /oauth/token to say whether Auth0 rotated it, and the error says which.
// Why not `prepare` (a value chosen here, written to .env as pending first, which closes the window):
// rotate-secret makes the value at Auth0. PATCH /api/v2/clients/{id} {client_secret} would let this tool
// choose it, but that is not the call asked for here, and the stand-in's PATCH refuses client_secret today.

export const MANAGEMENT_CLIENT_ID = 'AUTH0_MANAGEMENT_CLIENT_ID';
export const MANAGEMENT_CLIENT_SECRET = 'AUTH0_MANAGEMENT_CLIENT_SECRET';
const ROTATE_SCOPE = 'update:client_keys';
const M2M_PAGE = 'Auth0 Dashboard → Applications → APIs → Auth0 Management API → Machine To Machine Applications';

/** Where a person rotates the secret by hand: the application's Settings page (its URL for a *.auth0.com domain). */
export function rotatePage(values: Values): string {
  const id = values.AUTH0_CLIENT_ID ?? '';
  const m = /^([a-z0-9-]+)\.(?:([a-z0-9-]+)\.)?auth0\.com$/.exec(normaliseDomain(values.AUTH0_DOMAIN ?? ''));
  const url = m ? ` (${DASHBOARD}/${m[2] ?? 'us'}/${m[1]}/applications/${encodeURIComponent(id)}/settings)` : '';
  return `Auth0 Dashboard → Applications → Applications → the application with Client ID ${id} → Settings${url} → Danger Zone → Rotate, then copy Credentials → Client Secret into .env as AUTH0_CLIENT_SECRET`;
}

/** Is the secret in `c` accepted at /oauth/token? undefined when that cannot be told (network, 5xx). */
async function secretAccepted(c: Ctx): Promise<boolean | undefined> {
  try {
    await token(c, `${c.origin}/api/v2/`);
    return true; // a grant or audience refusal comes after the client was authenticated
  } catch (e) {
    return e instanceof VerifyError && e.code === 'CREDENTIALS_REJECTED' ? false : undefined;
  }
}

/** Rotates AUTH0_CLIENT_ID's secret at Auth0 and returns the new one (the rotation's `create`). */
export async function rotateClientSecret(values: Values, io: Io, opts: Auth0CheckOptions = {}): Promise<{ values: Record<string, string>; new: Record<string, string> }> {
  const problem = formatProblems(values);
  if (problem) throw new VerifyError(redact(problem, [values.AUTH0_CLIENT_SECRET ?? '']), undefined, 'FORMAT');
  const app = ctxFor(values, io, opts);
  const mgmtId = values[MANAGEMENT_CLIENT_ID]?.trim() ?? '';
  const mgmtSecret = values[MANAGEMENT_CLIENT_SECRET]?.trim() ?? '';
  const own = !mgmtId || !mgmtSecret;
  const m: Ctx = own ? app : { ...app, clientId: mgmtId, secret: mgmtSecret, api: app.api.with({ secrets: [app.secret, mgmtSecret] }) };
  const who = own ? `the application's own client ${app.clientId}` : `${MANAGEMENT_CLIENT_ID} ${mgmtId}`;
  const secrets = [app.secret, m.secret];
  const err = failWith(secrets);
  const untouched = 'nothing was rotated, .env is unchanged';
  const line = (e: VerifyError) => e.message.replace(/; try again$/, '');
  const grantIt = `${M2M_PAGE}: authorize ${own ? 'a Machine-to-Machine application' : 'it'} with ${ROTATE_SCOPE}${own ? `, and give its Client ID and Secret as ${MANAGEMENT_CLIENT_ID} and ${MANAGEMENT_CLIENT_SECRET} (used for this rotation only, never written)` : ''}`;
  /** A failure before Auth0 was asked to rotate: said as it is, plus that nothing changed. */
  const before = (e: unknown): Error => {
    if (!(e instanceof VerifyError)) return e as Error;
    return err(`${line(e).replace('rate-limited the check', 'rate-limited the rotation')}; ${untouched}`, e.hint, e.code ?? 'ERROR');
  };

  // 1. A Management API token that may rotate.
  let t: TokenResult;
  try {
    t = await token(m, `${m.origin}/api/v2/`);
  } catch (e) {
    if (e instanceof VerifyError && e.code === 'CREDENTIALS_REJECTED')
      throw own
        ? err(
            `Auth0 refused the AUTH0_CLIENT_SECRET in .env when asking for a Management API token (401); ${untouched}`,
            `if an earlier rotation stopped before .env was written, Auth0 already holds a new secret: ${rotatePage(values)}`,
            'CREDENTIALS_REJECTED',
          )
        : err(`Auth0 rejected ${MANAGEMENT_CLIENT_ID} / ${MANAGEMENT_CLIENT_SECRET} (client id or secret, 401) when asking for a Management API token; ${untouched}`, `copy both from Auth0 Dashboard → Applications → Applications → that Machine-to-Machine application → Settings`, 'MANAGEMENT_CREDENTIALS_REJECTED');
    throw before(e);
  }
  if (!t.ok) {
    if (t.kind === 'unknown-api')
      throw err(`${m.domain} serves no Management API at ${m.origin}/api/v2/ (a custom domain?); ${untouched}`, 'AUTH0_DOMAIN must be the tenant domain (<tenant>.<region>.auth0.com) to rotate through the Management API', 'NO_MANAGEMENT_API');
    if (t.kind === 'grant')
      throw err(`${who} may not use the client_credentials grant, so it gets no Management API token; ${untouched}`, grantIt, 'NO_MANAGEMENT_TOKEN');
    throw err(`${who} is not authorized for the Auth0 Management API (no client grant), so it cannot rotate secrets; ${untouched}`, grantIt, 'NO_MANAGEMENT_TOKEN');
  }
  if (t.scope.length && !t.scope.includes(ROTATE_SCOPE))
    throw err(`the Management API token of ${who} lacks the ${ROTATE_SCOPE} scope (it has ${t.scope.join(' ')}); ${untouched}`, grantIt, 'MISSING_SCOPE');

  // 2. Rotate. From here the old secret may already be dead.
  const what = 'rotating the client secret (Management API)';
  const unsure = async (e: VerifyError): Promise<VerifyError> => {
    if (io.signal.aborted) return e;
    const works = await secretAccepted(app);
    if (works) return err(`${line(e)}; ${untouched}: the AUTH0_CLIENT_SECRET there still works`, e.hint, e.code ?? 'ERROR');
    const again = `run create-prod-ready rotate auth0.secret again (it makes a new secret and writes it), or by hand: ${rotatePage(values)}`;
    if (works === false) return err(`${line(e)}, and Auth0 now refuses the AUTH0_CLIENT_SECRET in .env: it rotated the secret without the new one reaching this run`, again, 'ROTATED_UNSEEN');
    return err(`${line(e)}; whether Auth0 rotated the secret could not be checked`, again, e.code ?? 'ERROR');
  };
  let a: Answer;
  try {
    a = await call(m, what, 'POST', `/api/v2/clients/${encodeURIComponent(app.clientId)}/rotate-secret`, undefined, t.token);
  } catch (e) {
    // A 429 is refused before anything happens; a timeout or a reset leaves it unknown.
    if (e instanceof VerifyError && e.code === 'RATE_LIMITED') throw before(e);
    if (e instanceof VerifyError) throw await unsure(e);
    throw e;
  }
  const said = typeof a.json?.message === 'string' ? `: ${a.json.message.slice(0, 160)}` : '';
  const code = typeof a.json?.errorCode === 'string' ? ` ${a.json.errorCode}` : '';
  if (a.status === 200) {
    const fresh = a.json?.client_secret;
    if (typeof fresh === 'string' && !clientSecretProblem(fresh)) return { values: { AUTH0_CLIENT_SECRET: fresh }, new: { client_id: app.clientId } };
    throw await unsure(err(`Auth0 answered ${what} without a usable client_secret`, undefined, 'BAD_RESPONSE'));
  }
  if (a.status >= 500) throw await unsure(serverTrouble(m, a, what));
  if (a.status === 403)
    throw err(
      /insufficient_scope/.test(code) || /scope/i.test(said)
        ? `Auth0 refused to rotate the secret: the Management API token of ${who} lacks ${ROTATE_SCOPE} (403${code}${said}); ${untouched}`
        : `Auth0 refused to rotate the secret of ${app.clientId} (403${code}${said}); ${untouched}`,
      grantIt,
      'MISSING_SCOPE',
    );
  if (a.status === 404)
    throw err(`Auth0 has no application ${app.clientId} to rotate (404${code}${said}); ${untouched}`, 'AUTH0_CLIENT_ID is the Client ID under Applications → Applications → your app → Settings', 'NOT_FOUND');
  if (a.status === 401) throw err(`Auth0 refused the Management API token of ${who} (401${code}${said}); ${untouched}`, 'try again; if it persists, check the Machine-to-Machine application', 'UNAUTHORIZED');
  throw err(`Auth0 refused to rotate the secret of ${app.clientId} (HTTP ${a.status}${code}${said}); ${untouched}`, a.status === 400 ? 'an application that authenticates with Private Key JWT has no secret to rotate' : undefined, `HTTP_${a.status}`);
}

// --- the provider ---------------------------------------------------------------------------------------

const domainSchema = checkedString(domainProblem).transform(normaliseDomain);

export default defineProvider({
  id: 'auth0',
  title: 'Auth0',
  hint: 'domain, client, audience, callback URLs',
  docsUrl: DASHBOARD,
  env: [
    {
      key: 'AUTH0_DOMAIN',
      shared: true,
      description: 'Auth0 tenant domain (no https://), e.g. acme.us.auth0.com or your custom domain',
      where: 'Auth0 Dashboard → Applications → your app → Settings → Domain',
      secret: false,
      schema: domainSchema,
      // the domain alone or any http(s) URL on it: the wizard strips scheme and path
      app: String.raw`z.string().regex(/^(https?:\/\/)?(\[[0-9a-f:.]+\]|[^\s/?#@:[\]]+)(:\d+)?([/?#][\s\S]*)?$/i, 'must be a domain such as acme.us.auth0.com')`,
      example: 'your-tenant.us.auth0.com',
    },
    {
      key: 'AUTH0_CLIENT_ID',
      description: "Auth0 application's Client ID",
      where: 'Auth0 Dashboard → Applications → your app → Settings → Client ID',
      secret: false,
      schema: checkedString(clientIdProblem),
      app: "z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be an Auth0 Client ID (8 to 128 letters, digits, - and _)')",
      example: '',
    },
    {
      key: 'AUTH0_CLIENT_SECRET',
      description: "Auth0 application's Client Secret",
      where: 'Auth0 Dashboard → Applications → your app → Settings → Client Secret',
      secret: true,
      schema: checkedString(clientSecretProblem),
      app: 'z.string().min(16)',
      example: '',
    },
    {
      key: 'AUTH0_AUDIENCE',
      shared: true,
      description: 'API Identifier access tokens are requested for (optional; leave empty without an API of your own)',
      where: 'Auth0 Dashboard → Applications → APIs → your API → Identifier',
      secret: false,
      optional: true,
      schema: checkedString(audienceProblem),
      example: 'https://api.example.com',
    },
    {
      key: 'AUTH0_SECRET',
      description: 'Encrypts the Auth0 session cookie (@auth0/nextjs-auth0; 32 random bytes, hex)',
      secret: true,
      ...signingSecret('AUTH0_SECRET'),
      generate: (randomBytes) => Buffer.from(randomBytes(32)).toString('hex'),
      example: '',
    },
    {
      key: 'APP_BASE_URL',
      aliases: ['AUTH0_BASE_URL'],
      description: 'Public base URL of the app for @auth0/nextjs-auth0 (login callbacks are built from it)',
      secret: false,
      optional: true,
      prompt: false,
      schema: checkedString(appBaseUrlProblem),
      app: "z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })",
      derive: (known) => known.APP_URL || undefined,
      example: 'http://localhost:3000',
    },
  ],
  verify: (values, io) => verifyAuth0(values, io),
  rotations: [
    {
      id: 'auth0.secret',
      title: 'Auth0 client secret',
      keys: ['AUTH0_CLIENT_SECRET'],
      // Auth0 kills the old secret when it makes the new one: .env is written at once (see THE WINDOW above).
      kind: 'in-place',
      rotate: (values, io) => rotateClientSecret(values, io),
      asks: [
        {
          key: MANAGEMENT_CLIENT_ID,
          secret: false,
          description: `Client ID of a Machine-to-Machine application authorized for the Auth0 Management API with ${ROTATE_SCOPE}`,
          where: `${M2M_PAGE} (authorize it with ${ROTATE_SCOPE}); its Client ID is under Applications → Applications → it → Settings`,
        },
        {
          key: MANAGEMENT_CLIENT_SECRET,
          description: 'Client Secret of that Machine-to-Machine application',
          where: 'Auth0 Dashboard → Applications → Applications → that application → Settings → Client Secret',
        },
      ],
      revokeHint:
        'the old secret stopped working at Auth0 when the new one was made: nothing to revoke. A deployed app still on the old secret gets no tokens until it runs with the new one: redeploy the linked Render services (or set AUTH0_CLIENT_SECRET wherever else it runs)',
    },
  ],
  contribute(values, ctx): Contribution {
    const envVars: RenderEnvVar[] = [
      { key: 'AUTH0_DOMAIN', sync: false },
      { key: 'AUTH0_CLIENT_ID', sync: false },
      { key: 'AUTH0_CLIENT_SECRET', sync: false },
    ];
    if (values.AUTH0_AUDIENCE) envVars.push({ key: 'AUTH0_AUDIENCE', sync: false });
    envVars.push({ key: 'AUTH0_SECRET', generateValue: true });
    if (ctx.project.framework === 'nextjs') envVars.push({ key: 'APP_BASE_URL', sync: false });
    const r = AUTH_ROUTES[ctx.project.framework] ?? AUTH_ROUTES.node;
    const expected = expectedUris(ctx.all, ctx.project.framework, ctx.project.port);
    return {
      render: { envVars },
      migrations: ['users'],
      nextSteps: [
        `Auth0 (${r.sdk}): ${URIS_PAGE} must list ${pasteLine(expected)}`,
        'AUTH0_SECRET encrypts the session cookie: keep it secret; changing it signs everyone out',
      ],
    };
  },
});
