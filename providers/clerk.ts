// Clerk: CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, and the detected framework's public alias of the
// publishable key (NEXT_PUBLIC_ / VITE_ / PUBLIC_CLERK_PUBLISHABLE_KEY) holding the same value.
//
// `verify` checks formats first, with no network: key kinds in the right fields, the publishable key decoding
// to `<frontend API host>$`, and both keys from the same environment (test/live). Then it reads the Backend API
// (contract: ../shared/specs/clerk/bapi-2026-05-12.yml, Bearer secret key) through the API client (src/core/http.ts):
//   GET /v1/instance → {object:"instance", id, environment_type, allowed_origins, workspace_id}
//   GET /v1/domains  → {data:[{name, is_satellite, frontend_api_url, proxy_url, …}], total_count}
// The instance object carries no frontend host, so the pair check compares the host the publishable key
// decodes to with the instance's domains' `frontend_api_url` (and `proxy_url`) hosts.
// Errors follow the contract's ClerkErrors body `{errors:[{message,long_message,code}], clerk_trace_id}`.
import { VerifyError } from '../src/core/errors.ts';
import { keyMode, maskKey } from '../src/core/mask.ts';
import type { FrameworkId, ProjectInfo } from '../src/core/project.ts';
import { defineProvider, type Contribution, type EnvVar, type Io, type RenderEnvVar, type Values, type Verified } from '../src/core/provider.ts';
import { publicForms } from '../src/core/env-names.ts';
import { checkedString, pastedValueProblem } from '../src/core/schema.ts';
import { isLoopbackHost, overrideVar } from '../src/core/urls.ts';
import { apiFor, type ApiClient } from '../src/core/http.ts';

export const CLERK_API = 'https://api.clerk.com';
const API_KEYS_PAGE = 'https://dashboard.clerk.com/last-active?path=api-keys';
const STATUS_PAGE = 'https://status.clerk.com';
export type Mode = 'test' | 'live';

/** The publishable-key alias each framework's Clerk SDK reads in the browser bundle; none for servers. */
export const PUBLIC_ALIAS: Partial<Record<FrameworkId, string>> = {
  nextjs: 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY',
  'react-router': 'VITE_CLERK_PUBLISHABLE_KEY',
  remix: 'VITE_CLERK_PUBLISHABLE_KEY',
  astro: 'PUBLIC_CLERK_PUBLISHABLE_KEY',
  sveltekit: 'PUBLIC_CLERK_PUBLISHABLE_KEY',
};
export const ALIASES = ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'VITE_CLERK_PUBLISHABLE_KEY', 'PUBLIC_CLERK_PUBLISHABLE_KEY'] as const;

export const aliasFor = (project: Pick<ProjectInfo, 'framework'>): string | undefined => PUBLIC_ALIAS[project.framework];

// --- format checks (no network) -------------------------------------------------------------------------

const SECRET_SHAPE = /^sk_(test|live)_[0-9A-Za-z]{16,200}$/;
/** Clerk's SDK treats such a Frontend API host as a development instance (clerk/javascript keys.ts). */
const DEV_HOST = /^(([a-z]+)-){2}([0-9]{1,2})\.clerk\.accounts([a-z.]*)(dev|com)$/i;
const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;


/** The environment of a key that passed the format checks. */
const modeOf = (key: string): Mode => keyMode(key) ?? 'test';

/** The Frontend API host a publishable key encodes, or why it does not decode. */
export function decodePublishableKey(v: string): { mode: Mode; host: string } | { problem: string } {
  const m = /^pk_(test|live)_(.+)$/.exec(v);
  if (!m) return { problem: 'must start with pk_test_ or pk_live_' };
  const body = m[2]!;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(body)) return { problem: 'looks cut off or has characters a Clerk publishable key never has' };
  let decoded: string;
  try {
    decoded = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  } catch {
    return { problem: 'does not decode (base64)' };
  }
  if (!decoded.endsWith('$')) return { problem: 'does not decode to a Frontend API host ending in "$": it looks cut off or altered; copy it again' };
  const host = decoded.slice(0, -1).toLowerCase();
  if (!HOST.test(host)) return { problem: 'does not decode to a Frontend API host: copy it again' };
  return { mode: m[1] as Mode, host };
}

export function secretKeyProblem(v: string): string | undefined {
  const k = 'CLERK_SECRET_KEY';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^pk_(test|live)_/.test(v)) return `${k} is the publishable key (pk_…): use the secret key (sk_…) from the same page`;
  if (/^sk_(test|live)_/.test(v)) return SECRET_SHAPE.test(v) ? undefined : `${k} looks cut off or has characters a Clerk key never has (after ${v.slice(0, 8)} only letters and digits)`;
  if (/^sk_/.test(v)) return `${k} must continue with test_ or live_ (sk_test_… / sk_live_…)`;
  return `${k} must start with sk_test_ or sk_live_`;
}

export function publishableKeyProblem(v: string, k = 'CLERK_PUBLISHABLE_KEY'): string | undefined {
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^sk_(test|live)_/.test(v)) return `${k} is a secret key (sk_…), which must never reach a browser: use the publishable key (pk_…)`;
  const d = decodePublishableKey(v);
  return 'problem' in d ? `${k} ${d.problem}` : undefined;
}

/** Problems across values, before any request: missing or malformed keys, an alias that differs, a test/live mix. */
export function formatProblem(values: Values): string | undefined {
  const sk = values.CLERK_SECRET_KEY ?? '';
  const pk = values.CLERK_PUBLISHABLE_KEY ?? '';
  if (!sk) return 'CLERK_SECRET_KEY is missing';
  if (!pk) return 'CLERK_PUBLISHABLE_KEY is missing';
  const p = secretKeyProblem(sk) ?? publishableKeyProblem(pk);
  if (p) return p;
  for (const a of ALIASES) {
    const v = values[a];
    if (v && v !== pk) return `${a} differs from CLERK_PUBLISHABLE_KEY: the browser and the server would use different keys (give both the same value)`;
  }
  if (modeOf(sk) !== modeOf(pk)) return `keys from different environments: ${pk.slice(0, 8)} with ${sk.slice(0, 8)}`;
  return undefined;
}

// --- HTTP -------------------------------------------------------------------------------------------------

export interface ClerkCheckOptions {
  /** Per-request timeout (default 8000 ms); io.signal bounds the whole check. */
  requestTimeoutMs?: number;
  /** Most time spent waiting on 429s (default 5000 ms); at most 2 retries either way. */
  rateLimitBudgetMs?: number;
}

interface ClerkErrorBody {
  errors?: { message?: string; long_message?: string; code?: string }[];
  clerk_trace_id?: string;
}
export interface Instance {
  object: 'instance';
  id: string;
  environment_type: string;
  allowed_origins: string[] | null;
  workspace_id: string | null;
}
export interface Domain {
  object: 'domain';
  id: string;
  name: string;
  is_satellite: boolean;
  frontend_api_url: string;
  accounts_portal_url?: string | null;
  proxy_url?: string | null;
  development_origin: string;
}

/** Clerk's error body (the contract's ClerkErrors) as one line; `what` completes "may not …". */
function statusError(status: number, body: unknown, what: string, c: ApiClient, sk: string): VerifyError {
  const err = (body as ClerkErrorBody | undefined)?.errors?.[0];
  const code = err?.code ? ` ${c.said(err.code)}` : '';
  const said = c.said(err?.long_message || err?.message || '');
  const key = maskKey(sk);
  switch (status) {
    case 401:
      return c.fail(
        `Clerk rejected CLERK_SECRET_KEY ${key}: invalid or revoked secret key (401${code})`,
        `the key may have been rotated or deleted, or mistyped: copy it again from API keys (${API_KEYS_PAGE})`,
        'UNAUTHORIZED',
      );
    case 403:
      return c.fail(`CLERK_SECRET_KEY ${key} may not ${what} (403${code})${said ? `: ${said}` : ''}`, `check the key and its instance under API keys (${API_KEYS_PAGE})`, 'PERMISSION');
    case 404:
      return c.fail(
        `Clerk could not ${what}: ${said || 'not found'} (404${code})`,
        c.overridden ? `is ${overrideVar('clerk')} the address of the Clerk Backend API?` : `try again; if it persists, ${STATUS_PAGE} shows incidents`,
        'NOT_FOUND',
      );
    case 422:
      return c.fail(`Clerk refused to ${what}: ${said || 'invalid request'} (422${code})`, undefined, 'UNPROCESSABLE');
  }
  return c.fail(`Clerk refused to ${what}: ${said || `HTTP ${status}`} (${status}${code})`, undefined, `HTTP_${status}`);
}

function clerkApi(io: Io, sk: string, opts: ClerkCheckOptions): ApiClient {
  return apiFor(io, {
    name: 'Clerk',
    baseUrl: io.baseUrl(CLERK_API),
    defaultOrigin: CLERK_API,
    overrideVar: overrideVar('clerk'),
    auth: `Bearer ${sk}`,
    keyPattern: /\b((?:sk|pk)_(?:test|live)_)[A-Za-z0-9+/=_-]+/g,
    statusPage: STATUS_PAGE,
    timeoutMs: opts.requestTimeoutMs ?? 8000,
    budgetMs: opts.rateLimitBudgetMs ?? 5000,
    statusError: (status, body, what, c) => statusError(status, body, what, c, sk),
  });
}

// --- verify -----------------------------------------------------------------------------------------------

function hostOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(/^[a-z]+:\/\//i.test(url) ? url : `https://${url}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** APP_URL's host is the domain or one of its subdomains. */
function onDomain(host: string, domain: string): boolean {
  const d = domain.toLowerCase().replace(/:\d+$/, '');
  return host === d || host.endsWith(`.${d}`);
}

function appUrlWarning(appUrl: string | undefined, domains: Domain[]): string | undefined {
  if (!appUrl) return undefined;
  const host = hostOf(appUrl);
  if (!host) return undefined;
  const names = domains.map((d) => d.name).filter(Boolean);
  const list = names.join(', ') || 'its domain';
  if (isLoopbackHost(host) || host === '0.0.0.0')
    return `APP_URL ${appUrl} is local, but this is a production Clerk instance (for ${list}): use development keys (sk_test_/pk_test_) locally`;
  if (names.length && !names.some((n) => onDomain(host, n)))
    return `APP_URL ${appUrl} is not on this production Clerk instance's domain (${list}): sign-in will fail there; use the instance for that domain, or add it as a satellite domain`;
  return undefined;
}

export async function verifyClerk(values: Values, io: Io, opts: ClerkCheckOptions = {}): Promise<Verified> {
  const problem = formatProblem(values);
  if (problem) throw new VerifyError(problem, `copy both keys from the same instance under API keys (${API_KEYS_PAGE})`, 'BAD_FORMAT');
  const sk = values.CLERK_SECRET_KEY!;
  const pk = values.CLERK_PUBLISHABLE_KEY!;
  const decoded = decodePublishableKey(pk) as { mode: Mode; host: string };
  const mode = modeOf(sk);

  const c = clerkApi(io, sk, opts);
  const { data: instance } = await c.json<Instance>('GET', '/v1/instance', 'read the instance');
  if (typeof instance.id !== 'string' || typeof instance.environment_type !== 'string')
    throw new VerifyError(`${c.where} answered GET /v1/instance without an instance id and environment type`, c.overridden ? `is ${overrideVar('clerk')} the address of the Clerk Backend API?` : undefined, 'BAD_RESPONSE');
  const { data: domainsBody } = await c.json<{ data?: Domain[] }>('GET', '/v1/domains', 'list the instance domains');
  const domains = Array.isArray(domainsBody.data) ? domainsBody.data : [];

  const warnings: string[] = [];
  const details: string[] = [`keys: secret ${maskKey(sk)} · publishable ${mode}`];
  const served = new Set<string>();
  for (const d of domains) {
    for (const h of [hostOf(d.frontend_api_url), hostOf(d.proxy_url)]) if (h) served.add(h);
    details.push(`domain ${d.name}${d.is_satellite ? ' (satellite)' : ''} · frontend API ${hostOf(d.frontend_api_url) ?? '?'}`);
  }
  if (!served.size) warnings.push('Clerk listed no domains for this instance, so the publishable key could not be matched to it');
  else if (!served.has(decoded.host))
    throw new VerifyError(
      `these two keys are from different Clerk instances: CLERK_PUBLISHABLE_KEY is for ${decoded.host}, CLERK_SECRET_KEY belongs to ${instance.id} (${[...served].join(', ')})`,
      `copy both keys from the same instance under API keys (${API_KEYS_PAGE})`,
      'KEY_MISMATCH',
    );

  const env = instance.environment_type;
  const production = env === 'production' || mode === 'live';
  if ((env === 'production') !== (mode === 'live'))
    warnings.push(`the keys are ${mode} keys but Clerk reports a ${env} instance`);
  if (env === 'production' && DEV_HOST.test(decoded.host)) warnings.push(`a production instance with a development Frontend API host (${decoded.host})`);
  if (production) {
    const w = appUrlWarning(values.APP_URL, domains);
    if (w) warnings.push(w);
  }

  return {
    identity: `${instance.id} · ${env} · frontend API ${decoded.host}`,
    mode: env,
    details,
    warnings,
  };
}

// --- declaration ------------------------------------------------------------------------------------------

const WHERE = `Clerk Dashboard → Configure → API keys (${API_KEYS_PAGE})`;

const sameAs = (key: string) => (known: Values, project: ProjectInfo) =>
  aliasFor(project) === key && known.CLERK_PUBLISHABLE_KEY ? known.CLERK_PUBLISHABLE_KEY : undefined;

function aliasVar(key: string): EnvVar {
  return {
    key,
    description: `The same publishable key, under the name the ${key.split('_')[0] === 'NEXT' ? 'Next.js' : key.startsWith('VITE') ? 'Vite' : 'Astro / SvelteKit'} browser bundle reads`,
    where: 'set automatically to the value of CLERK_PUBLISHABLE_KEY',
    secret: false,
    optional: true,
    prompt: false,
    schema: checkedString((v) => publishableKeyProblem(v, key)),
    // recomputed every run, interactive or not, and .env follows: the alias never drifts from the key
    derive: sameAs(key),
    example: '',
  };
}

function contribute(values: Values): Contribution {
  const envVars: RenderEnvVar[] = [
    { key: 'CLERK_SECRET_KEY', sync: false },
    { key: 'CLERK_PUBLISHABLE_KEY', sync: false },
  ];
  for (const a of ALIASES) if (values[a]) envVars.push({ key: a, sync: false });
  return { render: { envVars }, migrations: ['users'] };
}

export default defineProvider({
  id: 'clerk',
  title: 'Clerk',
  hint: 'secret + publishable key',
  docsUrl: API_KEYS_PAGE,
  apiUrl: CLERK_API,
  env: [
    {
      key: 'CLERK_SECRET_KEY',
      aliases: ['CLERK_API_KEY'],
      description: 'Clerk secret key (server only): sk_test_… for development, sk_live_… for production',
      where: WHERE,
      secret: true,
      schema: checkedString(secretKeyProblem),
      mode: keyMode,
      app: "z.string().regex(/^sk_(test|live)_[0-9A-Za-z]+$/, 'must be a Clerk secret key (sk_test_… or sk_live_…)')",
      example: '',
    },
    {
      key: 'CLERK_PUBLISHABLE_KEY',
      // the framework forms are declarations of their own below (derived); as input they are this key too
      aliases: publicForms('CLERK_PUBLISHABLE_KEY'),
      description: 'Clerk publishable key (safe for the browser), from the same instance as the secret key',
      where: WHERE,
      secret: false,
      schema: checkedString((v) => publishableKeyProblem(v)),
      mode: keyMode,
      app: "z.string().regex(/^pk_(test|live)_[A-Za-z0-9+/_-]+={0,2}$/, 'must be a Clerk publishable key (pk_test_… or pk_live_…)')",
      example: '',
    },
    // the same check as CLERK_PUBLISHABLE_KEY: an alias holds the same value
    ...ALIASES.map((key) => ({
      ...aliasVar(key),
      mode: keyMode,
      app: "z.string().regex(/^pk_(test|live)_[A-Za-z0-9+/_-]+={0,2}$/, 'must be a Clerk publishable key (pk_test_… or pk_live_…)')",
    })),
  ],
  verify: (values, io) => verifyClerk(values, io),
  modeFix: 'copy every key from the same Clerk instance (API keys page)',
  rotations: [
    {
      id: 'clerk.secret',
      title: 'Clerk secret key',
      keys: ['CLERK_SECRET_KEY'],
      // Clerk keeps several secret keys active per instance and has no API to make one: the person adds a
      // new key in the Dashboard; it is checked (verifyClerk: the pair with CLERK_PUBLISHABLE_KEY) before .env
      // changes, and the old one works until it is deleted there.
      kind: 'guided',
      guide: [
        `open the Clerk Dashboard's API keys page (${API_KEYS_PAGE}); at the top left, pick the application and the instance .env uses (Development for sk_test_, Production for sk_live_)`,
        'under Secret keys, select + Add new key, name it (e.g. rotated-<date>) and create it',
        'copy the new key (sk_test_… / sk_live_…): Clerk shows it in full only now',
        'paste it below: it must belong to the instance of CLERK_PUBLISHABLE_KEY, and is checked before .env changes',
      ],
      revokeHint: `the old secret key still works: once everything that used it (the deployed app, CI) runs on the new one, delete it on the API keys page (${API_KEYS_PAGE}) → Secret keys → the old key (match its last characters) → Delete`,
    },
  ],
  contribute,
});
