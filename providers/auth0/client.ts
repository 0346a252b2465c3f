import { VerifyError } from '../../src/core/errors.ts';
import { type Io, type Values } from '../../src/core/provider.ts';
import { isLoopbackHost, overrideVar } from '../../src/core/urls.ts';
import { apiFor, failWith, type ApiClient, type ApiHints, type HttpAnswer } from '../../src/core/http.ts';
import { audienceProblem, clientIdProblem, clientSecretProblem, domainProblem, normaliseDomain } from './format.ts';
import { type AppUris, URI_FIELDS } from './uris.ts';

// --- HTTP -----------------------------------------------------------------------------------------------

export interface Auth0CheckOptions {
  /** Per-request timeout (default 8000 ms); io.signal bounds the whole check. */
  requestTimeoutMs?: number;
  /** Most time spent waiting on 429s (default 3000 ms); at most 2 retries per request. */
  rateLimitBudgetMs?: number;
}

/** An HttpAnswer whose JSON, when there is any, is an object (as all of Auth0's are). */
export type Answer = Omit<HttpAnswer, 'json'> & { json: Record<string, unknown> | undefined };

export interface Ctx {
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

export function fail(c: Ctx, message: string, hint: string | undefined, code: string): VerifyError {
  return c.api.fail(message, hint, code);
}

/** One request: the API client's (abort, network lines, 429s retried as Retry-After asks); JSON kept only when it is an object, as all of Auth0's are. */
export async function call(c: Ctx, what: string, method: string, path: string, body?: { form?: Record<string, string>; json?: unknown }, bearer?: string): Promise<Answer> {
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
    rateLimited: ({ attempts, label, doing }) => ({
      message: `Auth0 rate-limited ${doing} (429 on ${label}) after ${attempts} attempt${attempts > 1 ? 's' : ''}`,
      hint: 'wait a minute, then try again (Auth0 Dashboard → Monitoring → Logs shows rate-limit events)',
      code: 'RATE_LIMITED',
    }),
  };
}

export function serverTrouble(c: Ctx, a: Answer, what: string): VerifyError {
  return fail(c, `Auth0 is having trouble at ${c.host} (HTTP ${a.status} on ${what}); try again`, 'https://status.auth0.com shows incidents', 'SERVER_ERROR');
}

// --- the check ------------------------------------------------------------------------------------------

export type TokenResult =
  | { ok: true; token: string; scope: string[] }
  | { ok: false; kind: 'grant' | 'unknown-api' | 'no-client-grant'; description: string };

export async function token(c: Ctx, audience: string): Promise<TokenResult> {
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

export async function readClient(c: Ctx, bearer: string): Promise<ReadResult> {
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

export function ctxFor(values: Values, io: Io, opts: Auth0CheckOptions): Ctx {
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

export function formatProblems(values: Values): string | undefined {
  return (
    domainProblem(values.AUTH0_DOMAIN ?? '') ??
    clientIdProblem(values.AUTH0_CLIENT_ID ?? '') ??
    clientSecretProblem(values.AUTH0_CLIENT_SECRET ?? '') ??
    audienceProblem(values.AUTH0_AUDIENCE ?? '')
  );
}

/** The values' first format problem as a FORMAT error (the secret redacted), before anything is asked of Auth0. */
export function assertFormat(values: Values): void {
  const problem = formatProblems(values);
  if (problem) throw failWith([values.AUTH0_CLIENT_SECRET ?? ''])(problem, undefined, 'FORMAT');
}

/** The live check behind `verify`, with options for tests. */
