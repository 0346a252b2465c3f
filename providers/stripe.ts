// Stripe: STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET (+ STRIPE_WEBHOOK_PATH,
// STRIPE_WEBHOOK_EVENTS, and any STRIPE_PRICE_<NAME> found among the values).
//
// `verify` checks formats and modes first (no network), then talks to the API with the official `stripe`
// SDK, loaded lazily inside the check so that startup never pays for it. Read-only: the account (or, for a
// restricted key that may not read it, the balance), each STRIPE_PRICE_*, and the webhook endpoints.
// Changes at Stripe — creating the webhook endpoint for APP_URL, or replacing an existing one to capture a
// signing secret that Stripe shows only at creation — are proposed as Actions and run after confirmation.
//
// SDK notes (stripe@23): it has no AbortSignal support, so requests go through an http(s) Agent of ours
// whose sockets are destroyed on abort, behind an HttpClient wrapper that refuses new requests once
// aborted (the SDK retries a reset connection once even with maxNetworkRetries: 0). It never honours
// Retry-After (it retries 429s only when `stripe-should-retry: true` is sent, and only with retries
// enabled), so 429s are retried here, bounded. A non-JSON answer becomes "Invalid JSON received" without
// its HTTP status, so statuses are recorded per request-id on the way in.
import type StripeSDK from 'stripe';
import { VerifyError } from '../src/core/errors.ts';
import { keyMode, maskKey } from '../src/core/mask.ts';

export { maskKey };
import type { FrameworkId } from '../src/core/project.ts';
import { defineProvider, type Action, type Contribution, type ContributeContext, type Io, type AutoRotation, type GuidedRotation, type Values, type Verified } from '../src/core/provider.ts';
import { publicForms } from '../src/core/env-names.ts';
import { checkedString, pastedValueProblem } from '../src/core/schema.ts';
import { httpUrlProblem, isLoopbackHost, overrideVar } from '../src/core/urls.ts';
import { abortFailure, backOffOn429, networkFailure, retryAfterMs, type Wording } from '../src/core/http.ts';

export const STRIPE_API = 'https://api.stripe.com';
export type Mode = 'test' | 'live';

/** A subscription app's usual set; STRIPE_WEBHOOK_EVENTS replaces it. */
export const DEFAULT_WEBHOOK_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const;

/**
 * Where the webhook route lives by default. File-routed frameworks put API routes under /api
 * (Next.js app/api/webhooks/stripe/route.ts, SvelteKit src/routes/api/webhooks/stripe/+server.ts, Astro
 * src/pages/api/webhooks/stripe.ts, Remix / React Router app/routes/api.webhooks.stripe.ts); server
 * frameworks mount plain routes.
 */
export const WEBHOOK_PATHS: Record<FrameworkId, string> = {
  nextjs: '/api/webhooks/stripe',
  sveltekit: '/api/webhooks/stripe',
  astro: '/api/webhooks/stripe',
  'react-router': '/api/webhooks/stripe',
  remix: '/api/webhooks/stripe',
  express: '/webhooks/stripe',
  hono: '/webhooks/stripe',
  fastify: '/webhooks/stripe',
  nestjs: '/webhooks/stripe',
  node: '/webhooks/stripe',
};

const dashboard = (page: 'apikeys' | 'webhooks' | 'products', mode?: Mode) => `https://dashboard.stripe.com/${mode === 'test' ? 'test/' : ''}${page}`;

// --- format checks (no network) -------------------------------------------------------------------------

const KEY_SHAPE = /^(sk|rk|pk)_(test|live)_[0-9A-Za-z]{8,247}$/;


/** What else a pasted value is, when it is a Stripe id or secret of another kind. */
function otherKind(v: string): string | undefined {
  if (v.startsWith('whsec_')) return 'a webhook signing secret (whsec_…)';
  if (v.startsWith('we_')) return 'a webhook endpoint id (we_…), not a key';
  if (v.startsWith('acct_')) return 'an account id (acct_…), not a key';
  if (v.startsWith('price_')) return 'a price id (price_…), not a key';
  if (v.startsWith('prod_')) return 'a product id (prod_…), not a key';
  if (v.startsWith('sk_org_')) return 'an organization key (sk_org_…), which needs a Stripe-Context for every call';
  return undefined;
}

export function secretKeyProblem(v: string): string | undefined {
  const k = 'STRIPE_SECRET_KEY';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^pk_(test|live)_/.test(v)) return `${k} is the publishable key (pk_…): use the secret key (sk_…) from the same page`;
  if (v.startsWith('whsec_')) return `${k} is a webhook signing secret (whsec_…), which belongs in STRIPE_WEBHOOK_SECRET: the secret key starts with sk_`;
  const other = otherKind(v);
  if (other) return `${k} is ${other}: the secret key starts with sk_test_ or sk_live_`;
  if (/^(sk|rk)_(test|live)_/.test(v)) {
    if (KEY_SHAPE.test(v)) return undefined;
    return `${k} looks cut off or has characters a Stripe key never has (after ${v.slice(0, 8)} only letters and digits)`;
  }
  if (/^(sk|rk)_/.test(v)) return `${k} must continue with test_ or live_ (sk_test_… / sk_live_…)`;
  return `${k} must start with sk_test_ or sk_live_ (a restricted key: rk_test_ / rk_live_)`;
}

export function publishableKeyProblem(v: string): string | undefined {
  const k = 'STRIPE_PUBLISHABLE_KEY';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^(sk|rk)_(test|live)_/.test(v)) return `${k} is a secret key (${v.slice(0, 3)}…), which must never reach a browser: use the publishable key (pk_…)`;
  const other = otherKind(v);
  if (other) return `${k} is ${other}: the publishable key starts with pk_test_ or pk_live_`;
  if (/^pk_(test|live)_/.test(v)) return KEY_SHAPE.test(v) ? undefined : `${k} looks cut off or has characters a Stripe key never has`;
  return `${k} must start with pk_test_ or pk_live_`;
}

export function webhookSecretProblem(v: string): string | undefined {
  const k = 'STRIPE_WEBHOOK_SECRET';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (v.startsWith('we_')) return `${k}: that is the webhook endpoint id; the signing secret starts with whsec_`;
  if (/^(sk|rk|pk)_(test|live)_/.test(v)) return `${k} is an API key (${v.slice(0, 3)}…), not a signing secret: the signing secret starts with whsec_`;
  if (v.startsWith('whsec_')) return /^whsec_[A-Za-z0-9+/=]{16,}$/.test(v) ? undefined : `${k} looks cut off (whsec_ followed by letters and digits)`;
  return `${k} must start with whsec_ (Developers → Webhooks → the endpoint → Signing secret)`;
}

export function webhookPathProblem(v: string): string | undefined {
  const k = 'STRIPE_WEBHOOK_PATH';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v.trim())) return `${k} is a path, not a URL: the host comes from APP_URL (e.g. /api/webhooks/stripe)`;
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (!v.startsWith('/')) return `${k} must start with "/" (e.g. /api/webhooks/stripe)`;
  if (v.startsWith('//')) return `${k} must not start with "//"`;
  if (/[?#]/.test(v)) return `${k} must not carry a query or fragment`;
  if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/.test(v)) return `${k} has characters a URL path cannot carry unescaped`;
  return undefined;
}

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

export function webhookEventsProblem(v: string): string | undefined {
  const k = 'STRIPE_WEBHOOK_EVENTS';
  const list = v.split(',').map((s) => s.trim());
  if (list.some((s) => !s)) return `${k} is a comma-separated list of event types, without empty entries`;
  if (list.includes('*') && list.length > 1) return `${k}: "*" already means every event; give it alone or list event types`;
  const bad = list.find((e) => e !== '*' && !EVENT_TYPE.test(e));
  if (bad) return `${k}: "${bad.slice(0, 60)}" is not a Stripe event type (e.g. invoice.paid)`;
  return undefined;
}

export function priceIdProblem(key: string, v: string): string | undefined {
  const s = pastedValueProblem(key, v);
  if (s) return s;
  if (v.startsWith('prod_')) return `${key} is a product id (prod_…): use the id of one of its prices (price_…)`;
  if (/^(sk|rk|pk)_(test|live)_/.test(v) || v.startsWith('whsec_')) return `${key} holds a key or secret, not a price id (price_…)`;
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(v)) return `${key} is not a price id (price_…)`;
  return undefined;
}

export const PRICE_KEY = /^STRIPE_PRICE_[A-Z0-9_]+$/;

/** The STRIPE_PRICE_* entries among the values, sorted by key. */
export function priceEntries(values: Values): [string, string][] {
  return Object.entries(values)
    .filter(([k, v]) => PRICE_KEY.test(k) && v !== '')
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The environment of a key that passed the format checks. */
const modeOf = (key: string): Mode => keyMode(key) ?? 'test';
/** "sk_test_••••abcd": the prefix (type and mode) and the last four; never more. */

export function webhookPathFor(values: Values, framework: FrameworkId): string {
  return values.STRIPE_WEBHOOK_PATH || WEBHOOK_PATHS[framework] || '/webhooks/stripe';
}
export function webhookEvents(values: Values): string[] {
  const v = values.STRIPE_WEBHOOK_EVENTS?.trim();
  return v ? v.split(',').map((s) => s.trim()) : [...DEFAULT_WEBHOOK_EVENTS];
}
export function webhookUrl(appUrl: string, path: string): string {
  return `${appUrl.replace(/\/+$/, '')}${path}`;
}
function isLocalUrl(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return isLoopbackHost(h) || h === '0.0.0.0';
  } catch {
    return false;
  }
}
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/**
 * The Stripe CLI route for a local APP_URL. `--print-secret` prints the secret and exits without
 * forwarding (stripe-cli pkg/cmd/listen.go: "Only print the webhook signing secret and exit"), so it is a
 * command of its own; the secret is tied to the CLI's device and account and stays the same between runs.
 */
export function listenCommands(appUrl: string, path: string, events: string[]): { printSecret: string; forward: string } {
  const u = new URL(appUrl);
  const target = `${u.host}${u.pathname.replace(/\/+$/, '')}${path}`;
  const only = events.length && !events.includes('*') ? ` --events ${events.join(',')}` : '';
  return { printSecret: 'stripe listen --print-secret', forward: `stripe listen --forward-to ${target}${only}` };
}

/** The same, as next steps: copy-pasteable lines (the explanation is a shell comment). */
export function listenSteps(appUrl: string, path: string, events: string[]): string[] {
  const { printSecret, forward } = listenCommands(appUrl, path, events);
  return [`${printSecret}   # put the whsec_… it prints in STRIPE_WEBHOOK_SECRET`, `${forward}   # while the app runs locally`];
}

// --- the SDK, lazily ------------------------------------------------------------------------------------

type StripeCtor = typeof StripeSDK;
type StripeClient = StripeSDK;

let sdk: Promise<StripeCtor> | undefined;
/**
 * `import('stripe')`, once. stripe@23 writes a promotional line for one AI coding tool to stderr while it
 * initialises when CLAUDECODE / CLAUDE_CODE_CHILD_SESSION are set; that is not output this CLI may print
 * in the middle of its own screen, so those two variables are hidden for the duration of the import.
 */
function loadStripe(): Promise<StripeCtor> {
  sdk ??= (async () => {
    const hidden: [string, string][] = [];
    for (const k of ['CLAUDECODE', 'CLAUDE_CODE_CHILD_SESSION']) {
      const v = process.env[k];
      if (v !== undefined) {
        hidden.push([k, v]);
        delete process.env[k];
      }
    }
    try {
      return (await import('stripe')).default;
    } finally {
      for (const [k, v] of hidden) process.env[k] = v;
    }
  })();
  sdk.catch(() => {
    sdk = undefined;
  });
  return sdk;
}

export interface StripeCheckOptions {
  /** Per-request timeout given to the SDK (default 8000 ms); the caller's io.signal bounds the whole check. */
  requestTimeoutMs?: number;
  /** Most time spent waiting on 429s before giving up (default 5000 ms); at most 2 retries either way. */
  rateLimitBudgetMs?: number;
}

const MAX_429_RETRIES = 2;

/** A VerifyError that also carries what the Stripe error said (status, code, the permission it names). */
class StripeCheckError extends VerifyError {
  constructor(
    message: string,
    hint: string | undefined,
    code: string,
    readonly status?: number,
    readonly stripeCode?: string,
    readonly permission?: string,
    readonly stripeMessage?: string,
  ) {
    super(message, hint, code);
  }
}

interface Client {
  stripe: StripeClient;
  /** "api.stripe.com" or "127.0.0.1:4010", for messages. */
  where: string;
  overridden: boolean;
  key: string;
  mode: Mode;
  signal: AbortSignal;
  timeoutMs: number;
  /** What is left of the time the whole check may spend waiting on 429s. */
  budgetMs: number;
  /** What the calls are part of, for messages: "the check" (default) or "the rotation". */
  doing?: string;
  statusOf(requestId: string | undefined): number | undefined;
  lastStatus(): number | undefined;
  close(): void;
}

async function openClient(key: string, io: Io, opts: StripeCheckOptions): Promise<Client> {
  const base = new URL(io.baseUrl(STRIPE_API));
  const protocol = base.protocol === 'http:' ? 'http' : 'https';
  const hostname = base.hostname.replace(/^\[|\]$/g, '');
  const port = base.port ? Number(base.port) : protocol === 'https' ? 443 : 80;
  // The SDK builds paths itself (/v1/…); a base URL with a path (a proxy prefix) is added here.
  const prefix = base.pathname.replace(/\/+$/, '');
  const Stripe = await loadStripe();
  const { Agent } = protocol === 'https' ? await import('node:https') : await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const inner = Stripe.createNodeHttpClient(agent);
  const statuses = new Map<string, number>();
  let last: number | undefined;

  const abortedTransport = () => Object.assign(new Error('the check was aborted'), { code: 'ABORT_ERR' });
  const httpClient = {
    getClientName: () => 'node',
    makeRequest: (host: string, p: string, path: string, method: string, headers: Parameters<typeof inner.makeRequest>[4], data: string, proto: string, timeout: number) => {
      // Refused once aborted: the SDK would otherwise retry a reset connection after the user gave up.
      if (io.signal.aborted) return Promise.reject(abortedTransport());
      return inner.makeRequest(host, p, `${prefix}${path}`, method, headers, data, proto, timeout).then((res) => {
        last = res.getStatusCode();
        const rid = res.getHeaders()['request-id'];
        if (typeof rid === 'string') statuses.set(rid, last);
        return res;
      });
    },
  };
  const stripe = new Stripe(key, {
    host: hostname,
    port,
    protocol,
    httpClient,
    maxNetworkRetries: 0,
    timeout: opts.requestTimeoutMs ?? 8000,
    telemetry: false,
    appInfo: { name: 'create-prod-ready' },
  });
  const onAbort = () => {
    const err = abortedTransport();
    for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) for (const s of list ?? []) s.destroy(err);
  };
  io.signal.addEventListener('abort', onAbort, { once: true });
  return {
    stripe,
    where: `${base.host}${prefix}`,
    overridden: base.origin !== STRIPE_API || prefix !== '',
    key,
    mode: modeOf(key),
    signal: io.signal,
    timeoutMs: opts.requestTimeoutMs ?? 8000,
    budgetMs: opts.rateLimitBudgetMs ?? 5000,
    statusOf: (rid) => (rid ? statuses.get(rid) : undefined),
    lastStatus: () => last,
    close() {
      io.signal.removeEventListener('abort', onAbort);
      agent.destroy();
    },
  };
}

/** How the shared network lines (src/core/http.ts) name Stripe and where it was asked. */
const wording = (where: string, overridden = false, timeoutMs = 8000): Wording => ({ name: 'Stripe', where, overridden, overrideVar: overrideVar('stripe'), statusPage: 'https://status.stripe.com', timeoutMs });

/** The error for an aborted check: a timeout (the caller's AbortSignal.timeout) or the caller's reason. */
function abortError(signal: AbortSignal, where: string): Error {
  return abortFailure(wording(where), signal);
}

function raceAbort<T>(p: Promise<T>, c: Client): Promise<T> {
  p.catch(() => undefined);
  if (c.signal.aborted) return Promise.reject(abortError(c.signal, c.where));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(c.signal, c.where));
    c.signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (c.signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (c.signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/** Seconds or an HTTP date, in ms; undefined when absent or unusable. */

interface SdkError {
  type?: string;
  statusCode?: number;
  code?: string;
  message?: string;
  requestId?: string;
  headers?: Record<string, string | string[] | undefined>;
  detail?: { code?: string; message?: string };
  raw?: { message?: string };
}

/**
 * One API call: abort-aware, 429s retried as Retry-After asks (at most 2 retries per call; all calls of a
 * check share one waiting budget, 5 s by default), errors turned into one line. `what` completes
 * "may not …" / "Stripe could not …".
 */
async function call<T>(c: Client, what: string, fn: (s: StripeClient) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (c.signal.aborted) throw abortError(c.signal, c.where);
    try {
      const r = await raceAbort(fn(c.stripe), c);
      // A 4xx/5xx whose JSON has no `error` member reaches here as a "success" in the SDK.
      const st = (r as { lastResponse?: { statusCode?: number } } | null)?.lastResponse?.statusCode;
      if (st !== undefined && st >= 400) throw Object.assign(new Error(`HTTP ${st}`), { statusCode: st, type: 'StripeAPIError' });
      return r;
    } catch (e) {
      if (c.signal.aborted) throw abortError(c.signal, c.where);
      const err = e as SdkError;
      if (err.statusCode === 429 && !(e instanceof VerifyError)) {
        const asked = retryAfterMs(err.headers?.['retry-after']);
        try {
          if (await backOffOn429(c, c.signal, attempt, asked, MAX_429_RETRIES)) continue;
        } catch {
          throw abortError(c.signal, c.where);
        }
        throw new StripeCheckError(
          `Stripe rate-limited ${c.doing ?? 'the check'} (429) after ${attempt + 1} attempt${attempt ? 's' : ''}${attempt < MAX_429_RETRIES && asked !== undefined ? ` (it asked to wait ${Math.ceil(asked / 1000)} s)` : ''}`,
          'wait a minute and try again; every script using this key shares its rate limit',
          'RATE_LIMITED',
          429,
          err.code,
        );
      }
      throw toVerifyError(e, c, what);
    }
  }
}


/** Stripe's own messages quote keys in a censored form; anything key- or secret-shaped is masked again here. */
function scrub(s: string): string {
  return s
    .replace(/\b((?:sk|rk|pk)_(?:test|live)_)[A-Za-z0-9*]+/g, '$1••••')
    .replace(/\bwhsec_[A-Za-z0-9+/=]+/g, 'whsec_••••')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 240);
}

function toVerifyError(e: unknown, c: Client, what: string): VerifyError {
  if (e instanceof VerifyError) return e;
  const err = e as SdkError;
  const key = maskKey(c.key);
  const apikeys = dashboard('apikeys', c.mode);
  const serverMessage = err.raw?.message ?? err.message ?? '';
  let status = err.statusCode;
  if (status === undefined && /Invalid JSON received/.test(err.message ?? '')) status = c.statusOf(err.requestId) ?? c.lastStatus();

  if (err.type === 'StripeConnectionError' || (status === undefined && err.detail)) {
    const cause = err.detail ?? {};
    return networkFailure(wording(c.where, c.overridden, c.timeoutMs), cause, { timedOut: cause.code === 'ETIMEDOUT' || /timeout/i.test(err.message ?? '') });
  }

  if (/Invalid JSON received/.test(err.message ?? '')) {
    if (status !== undefined && status >= 500) return new StripeCheckError(`Stripe is having trouble (HTTP ${status}); try again`, 'https://status.stripe.com shows incidents', 'STRIPE_5XX', status);
    return new StripeCheckError(
      `${c.where} answered with something that is not JSON${status ? ` (HTTP ${status})` : ''}`,
      c.overridden ? `is ${overrideVar('stripe')} the address of the Stripe API?` : 'a proxy between you and Stripe may be answering instead; try again',
      'BAD_RESPONSE',
      status,
    );
  }

  switch (status) {
    case 401: {
      const expired = /expired/i.test(serverMessage);
      return new StripeCheckError(
        `Stripe rejected STRIPE_SECRET_KEY ${key}: ${expired ? 'the key has expired (it was rolled)' : 'invalid API key'} (401)`,
        `${expired ? 'copy the current key' : 'the key may have been rolled or revoked, or mistyped: copy it again'} from Developers → API keys (${apikeys})`,
        'UNAUTHORIZED',
        401,
        err.code,
        undefined,
        serverMessage,
      );
    }
    case 403: {
      const permission = /'(rak_[a-z0-9_]+)'/.exec(serverMessage)?.[1];
      const restricted = c.key.startsWith('rk_');
      return new StripeCheckError(
        `STRIPE_SECRET_KEY ${key} may not ${what} (403${permission ? `: missing permission ${permission}` : ''})`,
        restricted ? `give the restricted key this permission in Developers → API keys (${apikeys}), or use the secret key` : `check the key's account and permissions in Developers → API keys (${apikeys})`,
        'PERMISSION',
        403,
        err.code,
        permission,
        serverMessage,
      );
    }
    case 404:
      return new StripeCheckError(`Stripe could not ${what}: ${scrub(serverMessage) || 'not found'} (404)`, undefined, err.code ?? 'NOT_FOUND', 404, err.code, undefined, serverMessage);
  }
  if (status !== undefined && status >= 500) return new StripeCheckError(`Stripe is having trouble (HTTP ${status}); try again`, 'https://status.stripe.com shows incidents', 'STRIPE_5XX', status);
  if (status !== undefined)
    return new StripeCheckError(`Stripe refused to ${what}: ${scrub(serverMessage) || `HTTP ${status}`} (${status}${err.code ? ` ${err.code}` : ''})`, undefined, err.code ?? `HTTP_${status}`, status, err.code, undefined, serverMessage);
  return new StripeCheckError(`unexpected error while trying to ${what}: ${scrub(err.message ?? String(e))}`, undefined, 'UNEXPECTED');
}

// --- the live check -------------------------------------------------------------------------------------

function describeAccount(a: StripeSDK.Account, mode: Mode): string {
  const name = a.settings?.dashboard?.display_name || a.business_profile?.name || undefined;
  const bits = [a.country, a.charges_enabled ? 'charges enabled' : 'charges not enabled'].filter(Boolean).join(', ');
  return `${a.id}${name ? ` "${name.replace(/\s+/g, ' ').slice(0, 80)}"` : ''} (${bits}) · ${mode} mode`;
}

function formatPrice(p: StripeSDK.Price): string {
  let amount: string;
  if (p.unit_amount === null || p.unit_amount === undefined) amount = p.billing_scheme === 'tiered' ? 'tiered' : 'amount set by the customer';
  else {
    const cur = (p.currency ?? 'usd').toUpperCase();
    let digits = 2;
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency: cur }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      /* unknown currency code: two decimals */
    }
    amount = `${(p.unit_amount / 10 ** digits).toFixed(digits)} ${cur}`;
  }
  const r = p.recurring;
  const every = r ? ` / ${r.interval_count && r.interval_count > 1 ? `${r.interval_count} ${r.interval}s` : r.interval}` : ' one-time';
  return `${amount}${every}`;
}

const KEYS_HINT = `copy it again from Developers → API keys (${dashboard('apikeys')}; test mode: ${dashboard('apikeys', 'test')})`;

/** The format checks of every value verify reads, before any network use: [problem, hint]. */
function formatProblem(values: Values): [string, string] | undefined {
  const checks: [string, (v: string) => string | undefined, string][] = [
    ['STRIPE_SECRET_KEY', secretKeyProblem, KEYS_HINT],
    ['STRIPE_PUBLISHABLE_KEY', publishableKeyProblem, KEYS_HINT],
    ['STRIPE_WEBHOOK_SECRET', webhookSecretProblem, `Developers → Webhooks → the endpoint → Signing secret (${dashboard('webhooks')}), or leave it empty for the wizard to create the endpoint`],
    ['STRIPE_WEBHOOK_PATH', webhookPathProblem, 'the path of your webhook route, e.g. /api/webhooks/stripe'],
    ['STRIPE_WEBHOOK_EVENTS', webhookEventsProblem, 'event types as listed at https://docs.stripe.com/api/events/types, separated by commas'],
  ];
  for (const [k, f, hint] of checks) {
    const v = values[k];
    if (k === 'STRIPE_SECRET_KEY' && !v) return ['STRIPE_SECRET_KEY is missing', KEYS_HINT];
    if (v) {
      const p = f(v);
      if (p) return [p, hint];
    }
  }
  for (const [k, v] of priceEntries(values)) {
    const p = priceIdProblem(k, v);
    if (p) return [p, `copy the price id (price_…) from Product catalog → the product → Pricing (${dashboard('products')})`];
  }
  return undefined;
}

/** The live check behind `verify`, with options for tests (shorter per-request timeout and 429 budget). */
export async function verifyStripe(values: Values, io: Io, opts: StripeCheckOptions = {}): Promise<Verified> {
  const problem = formatProblem(values);
  if (problem) throw new VerifyError(problem[0], problem[1], 'BAD_FORMAT');
  const key = values.STRIPE_SECRET_KEY!;
  const mode = modeOf(key);
  const restricted = key.startsWith('rk_');
  const warnings: string[] = [];
  const details: string[] = [];

  const pk = values.STRIPE_PUBLISHABLE_KEY;
  if (pk && modeOf(pk) !== mode)
    warnings.push(`publishable and secret keys are from different modes (STRIPE_PUBLISHABLE_KEY is ${modeOf(pk)}, STRIPE_SECRET_KEY is ${mode}): take both from the same Developers → API keys page`);
  if (mode === 'live' && values.NODE_ENV !== 'production')
    warnings.push(
      `STRIPE_SECRET_KEY is a live key in a development .env (NODE_ENV=${values.NODE_ENV || 'unset'}): real charges and real customer data; use test keys (sk_test_…) locally and keep live keys on the production host`,
    );
  details.push(`keys: ${restricted ? 'restricted' : 'secret'} ${maskKey(key)}${pk ? ` · publishable ${modeOf(pk)}` : ''}`);

  if (io.signal.aborted) throw abortError(io.signal, 'api.stripe.com');
  const c = await openClient(key, io, opts);
  try {
    // Who the key belongs to.
    let identity: string;
    try {
      const a = await call(c, 'read the account', (s) => s.accounts.retrieveCurrent());
      identity = describeAccount(a, mode);
      if (mode === 'live' && !a.charges_enabled)
        warnings.push('the live account cannot accept payments yet (charges are not enabled): finish activating it in the Dashboard');
    } catch (e) {
      if (!(restricted && e instanceof StripeCheckError && e.status === 403)) throw e;
      // A restricted key that may not read the account: the balance proves the key and its mode.
      const b = await call(c, 'read the balance', (s) => s.balance.retrieve());
      identity = `restricted key ${maskKey(key)} · ${b.livemode ? 'live' : 'test'} mode`;
      warnings.push(`the restricted key may not read the account (missing permission: ${e.permission ?? 'Account: read'}), so its name and status are not shown; the key works (balance read)`);
      if (b.livemode !== (mode === 'live')) warnings.push(`the key says ${mode} mode but Stripe answered in ${b.livemode ? 'live' : 'test'} mode`);
    }

    const [prices, hook] = await Promise.all([checkPrices(c, values), checkWebhook(c, values, io, opts)]);
    details.push(...prices.details, ...hook.details);
    warnings.push(...prices.warnings, ...hook.warnings);
    if (prices.problems.length)
      throw new VerifyError(
        prices.problems.join('; '),
        `copy the price id (price_…) from Product catalog → the product → Pricing, in ${mode} mode (${dashboard('products', mode)})`,
        'PRICE',
      );
    return { identity, mode, details, warnings, ...(hook.actions.length ? { actions: hook.actions } : {}) };
  } finally {
    c.close();
  }
}

async function checkPrices(c: Client, values: Values): Promise<{ details: string[]; warnings: string[]; problems: string[] }> {
  const details: string[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  const results = await Promise.all(
    priceEntries(values).map(async ([k, id]) => {
      try {
        return { k, id, price: await call(c, `read price ${id}`, (s) => s.prices.retrieve(id)) };
      } catch (e) {
        if (e instanceof StripeCheckError && (e.status === 404 || e.status === 403)) return { k, id, error: e };
        throw e;
      }
    }),
  );
  for (const r of results) {
    if ('error' in r && r.error) {
      const e = r.error;
      if (e.status === 403) warnings.push(`${r.k} was not checked: the key may not read prices (missing permission: ${e.permission ?? 'Prices: read'})`);
      else {
        const other = /similar object exists in (live|test) mode/.exec(e.stripeMessage ?? '')?.[1];
        problems.push(other ? `${r.k}: ${r.id} is a ${other} mode price, but STRIPE_SECRET_KEY is a ${c.mode} mode key` : `${r.k}: no such price ${r.id} in ${c.mode} mode`);
      }
      continue;
    }
    const p = (r as { price: StripeSDK.Price }).price;
    const pmode: Mode = p.livemode ? 'live' : 'test';
    if (pmode !== c.mode) problems.push(`${r.k}: ${r.id} is a ${pmode} mode price, but STRIPE_SECRET_KEY is a ${c.mode} mode key`);
    else if (!p.active) problems.push(`${r.k}: price ${r.id} is archived (inactive) in ${c.mode} mode`);
    else details.push(`${r.k}: ${r.id} · ${formatPrice(p)}`);
  }
  return { details, warnings, problems };
}

async function listEndpoints(c: Client): Promise<StripeSDK.WebhookEndpoint[]> {
  const all: StripeSDK.WebhookEndpoint[] = [];
  let after: string | undefined;
  // Stripe allows 16 endpoints per account and mode; the page cap only guards against a looping server.
  for (let page = 0; page < 20; page++) {
    const list = await call(c, 'list webhook endpoints', (s) => s.webhookEndpoints.list({ limit: 100, ...(after ? { starting_after: after } : {}) }));
    all.push(...list.data);
    if (!list.has_more || !list.data.length) break;
    after = list.data[list.data.length - 1]!.id;
  }
  return all;
}

async function checkWebhook(c: Client, values: Values, io: Io, opts: StripeCheckOptions): Promise<{ details: string[]; warnings: string[]; actions: Action[] }> {
  const details: string[] = [];
  const warnings: string[] = [];
  const actions: Action[] = [];
  const appUrl = values.APP_URL;
  if (!appUrl) {
    warnings.push('APP_URL is not set, so the webhook endpoint was not checked');
    return { details, warnings, actions };
  }
  if (httpUrlProblem(appUrl)) {
    warnings.push('APP_URL is not a valid http(s) URL, so the webhook endpoint was not checked');
    return { details, warnings, actions };
  }
  const path = webhookPathFor(values, io.project.framework);
  const url = webhookUrl(appUrl, path);
  const events = webhookEvents(values);
  const hasSecret = !!values.STRIPE_WEBHOOK_SECRET;

  if (isLocalUrl(appUrl)) {
    const { printSecret, forward } = listenCommands(appUrl, path, events);
    details.push(`webhook: ${url} is local, which Stripe cannot reach; no endpoint is created for it`);
    if (!hasSecret) warnings.push(`STRIPE_WEBHOOK_SECRET is empty: for local development run \`${forward}\` and put the secret that \`${printSecret}\` prints in STRIPE_WEBHOOK_SECRET`);
    return { details, warnings, actions };
  }

  let endpoints: StripeSDK.WebhookEndpoint[];
  try {
    endpoints = await listEndpoints(c);
  } catch (e) {
    if (e instanceof StripeCheckError && e.status === 403) {
      warnings.push(`the webhook endpoint for ${url} was not checked: the key may not read webhook endpoints (missing permission: ${e.permission ?? 'Webhook Endpoints: read'})`);
      return { details, warnings, actions };
    }
    throw e;
  }

  const same = endpoints.filter((e) => sameUrl(e.url, url));
  if (!same.length) {
    actions.push(createEndpointAction(c.key, url, events, opts));
    details.push(`webhook: no endpoint for ${url} yet; the wizard creates one (${events.join(', ')})`);
    if (hasSecret) warnings.push('STRIPE_WEBHOOK_SECRET is set, but no Stripe endpoint has this URL: it will be replaced by the signing secret of the endpoint the wizard creates');
    const origin = new URL(url).origin;
    const near = endpoints.find((e) => e.url.startsWith(origin));
    if (near) warnings.push(`an endpoint on the same host has another path (${near.url}): if your app receives webhooks there, set STRIPE_WEBHOOK_PATH=${new URL(near.url).pathname}`);
    return { details, warnings, actions };
  }

  const ep = same.find((e) => e.status === 'enabled') ?? same[0]!;
  const all = ep.enabled_events.includes('*');
  details.push(`webhook: ${ep.id} → ${url} (${all ? 'all events' : `${ep.enabled_events.length} events`}, ${ep.status})`);
  if (same.length > 1) warnings.push(`${same.length} webhook endpoints have the URL ${url} (${same.map((e) => e.id).join(', ')}): every event is delivered to each; delete the extra ones in Developers → Webhooks`);
  if (ep.status !== 'enabled') warnings.push(`webhook endpoint ${ep.id} for ${url} is disabled: Stripe sends it nothing; enable it in Developers → Webhooks (${dashboard('webhooks', c.mode)})`);
  const missing = all ? [] : events.filter((ev) => ev !== '*' && !ep.enabled_events.includes(ev));
  if (events.includes('*') && !all) warnings.push(`webhook endpoint ${ep.id} does not listen to every event, as STRIPE_WEBHOOK_EVENTS=* asks`);
  if (missing.length) warnings.push(`webhook endpoint ${ep.id} does not listen to ${missing.join(', ')}: add ${missing.length > 1 ? 'them' : 'it'} in Developers → Webhooks → the endpoint → Update details`);
  if (hasSecret) details.push('STRIPE_WEBHOOK_SECRET is set (Stripe cannot confirm it belongs to this endpoint: it shows a secret only at creation)');
  else {
    warnings.push(
      `STRIPE_WEBHOOK_SECRET is empty and Stripe's API returns an endpoint's signing secret only when it is created: copy it from Developers → Webhooks → ${ep.id} → Signing secret, or let the wizard replace the endpoint`,
    );
    actions.push(replaceEndpointAction(c.key, ep, opts));
  }
  return { details, warnings, actions };
}

// --- actions (run after confirmation; never print the secret) -------------------------------------------

type EnabledEvent = StripeSDK.WebhookEndpointCreateParams.EnabledEvent;
type ApiVersion = StripeSDK.WebhookEndpointCreateParams['api_version'];
const DESCRIPTION = 'Created by create-prod-ready';

/** The prod-ready.json resource naming the endpoint whose secret is STRIPE_WEBHOOK_SECRET. */
export const ENDPOINT_RESOURCE = 'stripe.webhookEndpoint';

function createEndpointAction(key: string, url: string, events: string[], opts: StripeCheckOptions): Action {
  const n = events.includes('*') ? 'all events' : `${events.length} event${events.length > 1 ? 's' : ''}`;
  return {
    id: 'stripe.webhook.create',
    title: `Create Stripe webhook endpoint ${url} (${n})`,
    async run(io) {
      const c = await openClient(key, io, opts);
      try {
        // Never a duplicate: something may have created it since the check.
        const clash = (await listEndpoints(c)).find((e) => sameUrl(e.url, url));
        if (clash)
          throw new VerifyError(`a webhook endpoint for ${url} already exists (${clash.id}); no second one was created`, 'run the wizard again: it offers to replace that endpoint to capture its signing secret', 'WEBHOOK_EXISTS');
        const made = await call(c, 'create the webhook endpoint', (s) =>
          s.webhookEndpoints.create({ url, enabled_events: events as EnabledEvent[], description: DESCRIPTION, metadata: { created_by: 'create-prod-ready' } }),
        );
        if (!made.secret)
          throw new VerifyError(`Stripe created webhook endpoint ${made.id} but returned no signing secret`, `copy it from Developers → Webhooks → ${made.id} → Signing secret (${dashboard('webhooks', c.mode)})`, 'NO_SECRET');
        return { values: { STRIPE_WEBHOOK_SECRET: made.secret }, resources: { [ENDPOINT_RESOURCE]: made.id }, done: `Created Stripe webhook endpoint ${made.id} for ${url}; its signing secret goes to STRIPE_WEBHOOK_SECRET` };
      } finally {
        c.close();
      }
    },
  };
}

/** A new endpoint like `from` (same URL, events, API version, description), marked as ours in its metadata. */
function copyEndpoint(c: Parameters<typeof call>[0], from: StripeSDK.WebhookEndpoint, metadata: Record<string, string>): Promise<StripeSDK.WebhookEndpoint> {
  return call(c, 'create the webhook endpoint', (s) =>
    s.webhookEndpoints.create({
      url: from.url,
      enabled_events: from.enabled_events as EnabledEvent[],
      ...(from.api_version ? { api_version: from.api_version as ApiVersion } : {}),
      description: from.description || DESCRIPTION,
      metadata: { ...from.metadata, created_by: 'create-prod-ready', ...metadata },
    }),
  );
}

function replaceEndpointAction(key: string, old: StripeSDK.WebhookEndpoint, opts: StripeCheckOptions): Action {
  return {
    id: 'stripe.webhook.replace',
    title: `Replace Stripe webhook endpoint ${old.id} (${old.url}) with a new one, to capture its signing secret`,
    ask: `Replace webhook endpoint ${old.id} with a new one for the same URL and events, to capture its signing secret? The old endpoint is deleted once the new one exists.`,
    async run(io) {
      const c = await openClient(key, io, opts);
      try {
        // The endpoint as it is now (events may have been edited since the check).
        let current: StripeSDK.WebhookEndpoint | undefined = old;
        try {
          current = await call(c, `read webhook endpoint ${old.id}`, (s) => s.webhookEndpoints.retrieve(old.id));
        } catch (e) {
          if (!(e instanceof StripeCheckError && e.status === 404)) throw e;
          current = undefined; // deleted meanwhile: create the new one from what the check saw
        }
        const from = current ?? old;
        const made = await copyEndpoint(c, from, { replaces: old.id });
        if (!made.secret)
          throw new VerifyError(`Stripe created webhook endpoint ${made.id} but returned no signing secret`, `copy it from Developers → Webhooks → ${made.id} → Signing secret, then delete ${old.id}`, 'NO_SECRET');
        const values = { STRIPE_WEBHOOK_SECRET: made.secret };
        const resources = { [ENDPOINT_RESOURCE]: made.id };
        if (!current) return { values, resources, done: `Created Stripe webhook endpoint ${made.id} for ${from.url} (${old.id} was already gone); its signing secret goes to STRIPE_WEBHOOK_SECRET` };
        try {
          await call(c, `delete webhook endpoint ${old.id}`, (s) => s.webhookEndpoints.del(old.id));
        } catch (e) {
          // The new secret must not be lost because the clean-up failed.
          if (c.signal.aborted) throw e;
          const why = e instanceof Error ? e.message : String(e);
          return {
            values,
            resources,
            done: `Created Stripe webhook endpoint ${made.id} for ${from.url} (its signing secret goes to STRIPE_WEBHOOK_SECRET), but could not delete the old endpoint ${old.id} (${why}): delete it in Developers → Webhooks`,
          };
        }
        return { values, resources, done: `Replaced Stripe webhook endpoint ${old.id} with ${made.id} for ${from.url}; its signing secret goes to STRIPE_WEBHOOK_SECRET` };
      } finally {
        c.close();
      }
    },
  };
}

// --- rotations (`create-prod-ready rotate`; see Rotation in src/core/provider.ts) ------------------------
//
// stripe.webhook (auto): Stripe shows an endpoint's signing secret only when the endpoint is created, and
// has no call that rolls it, so the new secret comes from a NEW endpoint for the same URL, events and API
// version. Both endpoints deliver every event until the old one is deleted (`revoke`), which waits until the
// deployed app runs on the new secret. The new endpoint carries metadata.rotation = the run's tag, so
// `cleanup` finds it when a run stopped before .env had its secret.
//
// stripe.keys (guided): the v1 API (all that stripe@23 covers) cannot roll an API key; the Dashboard does
// (Rotate key, with an expiration for the old one). Only STRIPE_SECRET_KEY changes: rotating the secret key leaves the
// publishable key as it is (and a publishable key is public anyway), so asking for it would only ask for
// the value .env already has.

/** The client for a rotation step: the key must be there and well formed before anything is sent. */
async function rotationClient(values: Values, io: Io): Promise<Client> {
  const key = values.STRIPE_SECRET_KEY;
  if (!key) throw new VerifyError('STRIPE_SECRET_KEY is missing, and every Stripe call needs it', KEYS_HINT, 'BAD_FORMAT');
  const problem = secretKeyProblem(key);
  if (problem) throw new VerifyError(problem, KEYS_HINT, 'BAD_FORMAT');
  if (io.signal.aborted) throw abortError(io.signal, 'api.stripe.com');
  const c = await openClient(key, io, {});
  c.doing = 'the rotation';
  return c;
}

/**
 * The endpoint whose signing secret is STRIPE_WEBHOOK_SECRET: the one for APP_URL + the webhook path (as
 * the wizard created it). Several for that URL: the one prod-ready.json names (`stripe.webhookEndpoint`,
 * when the caller passes it with the values), else none is guessed.
 */
async function currentEndpoint(c: Client, values: Values, io: Io): Promise<StripeSDK.WebhookEndpoint> {
  const appUrl = values.APP_URL;
  if (!appUrl || httpUrlProblem(appUrl))
    throw new VerifyError(
      `APP_URL is ${appUrl ? 'not a valid http(s) URL' : 'not set'}, so the Stripe webhook endpoint whose secret is STRIPE_WEBHOOK_SECRET cannot be found`,
      'set APP_URL in .env to the public URL of the app (e.g. https://shop.example.com)',
      'NO_APP_URL',
    );
  const url = webhookUrl(appUrl, webhookPathFor(values, io.project.framework));
  if (isLocalUrl(appUrl))
    throw new VerifyError(
      `APP_URL is local (${url}): no Stripe endpoint delivers there, so there is no endpoint secret to rotate`,
      'locally STRIPE_WEBHOOK_SECRET comes from `stripe listen --print-secret`; rotate the production one with APP_URL set to the public URL',
      'LOCAL',
    );
  const same = (await listEndpoints(c)).filter((e) => sameUrl(e.url, url));
  const where = `Developers → Webhooks (${dashboard('webhooks', c.mode)})`;
  if (!same.length)
    throw new VerifyError(
      `no Stripe webhook endpoint has the URL ${url} (${c.mode} mode), so there is no signing secret to rotate`,
      `run create-prod-ready to create it; if the app receives webhooks on another path, set STRIPE_WEBHOOK_PATH (endpoints: ${where})`,
      'NO_ENDPOINT',
    );
  const hinted = values[ENDPOINT_RESOURCE];
  const ep = same.length === 1 ? same[0]! : same.find((e) => e.id === hinted);
  if (!ep)
    throw new VerifyError(
      `${same.length} Stripe webhook endpoints have the URL ${url} (${same.map((e) => e.id).join(', ')}) and nothing says which one STRIPE_WEBHOOK_SECRET belongs to, so none was replaced`,
      `delete the extra ones in ${where}, keeping the one whose signing secret is in STRIPE_WEBHOOK_SECRET, then run rotate again`,
      'AMBIGUOUS_ENDPOINT',
    );
  if (ep.status !== 'enabled')
    throw new VerifyError(
      `Stripe webhook endpoint ${ep.id} for ${url} is disabled (Stripe sends it nothing), so its secret was not rotated`,
      `enable it in ${where} and run rotate again, or delete it and run create-prod-ready to create a new one`,
      'DISABLED_ENDPOINT',
    );
  return ep;
}

const notFound = (e: unknown) => e instanceof StripeCheckError && e.status === 404;

export const webhookRotation: AutoRotation = {
  id: 'stripe.webhook',
  title: 'Stripe webhook signing secret',
  keys: ['STRIPE_WEBHOOK_SECRET'],
  kind: 'auto',
  confirmRevoke:
    'Does the deployed app run with the new STRIPE_WEBHOOK_SECRET now? Until the old endpoint is deleted, Stripe delivers every event to both endpoints (the copy signed with the secret the app does not have fails its check and is retried by Stripe). Yes deletes the old endpoint.',
  async create(values, io, tag) {
    const c = await rotationClient(values, io);
    try {
      const old = await currentEndpoint(c, values, io);
      const made = await copyEndpoint(c, old, { rotation: tag, replaces: old.id });
      if (!made.secret) {
        // Useless without its secret: removed now rather than left to `cleanup`.
        const gone = await call(c, `delete webhook endpoint ${made.id}`, (s) => s.webhookEndpoints.del(made.id)).then(
          () => true,
          () => false,
        );
        throw new VerifyError(
          `Stripe created webhook endpoint ${made.id} but returned no signing secret${gone ? '; it was deleted again' : ''}`,
          gone ? 'try again later' : `delete ${made.id} in Developers → Webhooks (${dashboard('webhooks', c.mode)})`,
          'NO_SECRET',
        );
      }
      return { values: { STRIPE_WEBHOOK_SECRET: made.secret }, old: { endpoint: old.id }, new: { endpoint: made.id }, resources: { [ENDPOINT_RESOURCE]: made.id } };
    } finally {
      c.close();
    }
  },
  async cleanup(values, io, tag) {
    const c = await rotationClient(values, io);
    try {
      const left = (await listEndpoints(c)).filter((e) => e.metadata?.rotation === tag && e.metadata?.created_by === 'create-prod-ready');
      const done: string[] = [];
      for (const e of left) {
        try {
          await call(c, `delete webhook endpoint ${e.id}`, (s) => s.webhookEndpoints.del(e.id));
        } catch (err) {
          if (!notFound(err)) throw err;
        }
        done.push(`deleted webhook endpoint ${e.id} (made by the interrupted rotation; its secret never reached .env)`);
      }
      return done;
    } finally {
      c.close();
    }
  },
  async revoke(values, io, old) {
    const id = old.endpoint;
    if (!id) throw new VerifyError('the rotation recorded no id for the old webhook endpoint, so nothing was deleted', `delete it by hand in Developers → Webhooks (${dashboard('webhooks')})`, 'NO_ENDPOINT_ID');
    const c = await rotationClient(values, io);
    try {
      await call(c, `delete webhook endpoint ${id}`, (s) => s.webhookEndpoints.del(id));
      return `deleted the old webhook endpoint ${id}`;
    } catch (err) {
      if (notFound(err)) return `the old webhook endpoint ${id} no longer exists in ${c.mode} mode (already deleted)`;
      throw err;
    } finally {
      c.close();
    }
  },
};

export const keysRotation: GuidedRotation = {
  id: 'stripe.keys',
  title: 'Stripe secret key',
  keys: ['STRIPE_SECRET_KEY'],
  kind: 'guided',
  guide: [
    `Open Developers → API keys in the mode of the current STRIPE_SECRET_KEY: ${dashboard('apikeys', 'test')} for sk_test_… / rk_test_…, ${dashboard('apikeys', 'live')} for sk_live_… / rk_live_…`,
    'On the row of the secret key (or of your restricted key), open ⋯ → Rotate key… (older Dashboards: Roll key…)',
    'Expiration: give the OLD key time to be replaced everywhere, e.g. 24 hours ("Now" stops every server still using it at once); confirm with the code Stripe sends',
    'Copy the new key (Stripe shows it once) and paste it here. STRIPE_PUBLISHABLE_KEY stays as it is',
  ],
  revokeHint: `the old key keeps working until the expiration you chose in the Dashboard; once every deployed app runs on the new one you can end it sooner in Developers → API keys (${dashboard('apikeys', 'live')}; test mode: ${dashboard('apikeys', 'test')})`,
};

// --- the provider ---------------------------------------------------------------------------------------

function contribute(_values: Values, ctx: ContributeContext): Contribution {
  const appUrl = ctx.all.APP_URL;
  const nextSteps: string[] = [];
  if (appUrl && isLocalUrl(appUrl)) nextSteps.push(...listenSteps(appUrl, webhookPathFor(ctx.all, ctx.project.framework), webhookEvents(ctx.all)));
  return {
    render: {
      envVars: [
        { key: 'STRIPE_SECRET_KEY', sync: false },
        { key: 'STRIPE_PUBLISHABLE_KEY', sync: false },
        { key: 'STRIPE_WEBHOOK_SECRET', sync: false },
      ],
    },
    // customers belong to users; the webhook events table makes event handling idempotent
    migrations: ['users', 'stripe-billing'],
    nextSteps,
  };
}

export default defineProvider({
  id: 'stripe',
  title: 'Stripe',
  hint: 'API keys, webhook secret, price ids',
  docsUrl: 'https://dashboard.stripe.com/apikeys',
  apiUrl: STRIPE_API,
  env: [
    {
      key: 'STRIPE_SECRET_KEY',
      aliases: ['STRIPE_API_KEY', 'STRIPE_SECRET', 'STRIPE_SK', 'STRIPE_KEY'],
      description: 'Stripe secret key (sk_test_… / sk_live_…, or a restricted rk_… key). Server side only.',
      where: 'Stripe Dashboard → Developers → API keys → Secret key (https://dashboard.stripe.com/apikeys; test mode: https://dashboard.stripe.com/test/apikeys)',
      secret: true,
      schema: checkedString(secretKeyProblem),
      mode: keyMode,
      app: "z.string().regex(/^(sk|rk)_(test|live)_[0-9A-Za-z]+$/, 'must be a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_…)')",
    },
    {
      key: 'STRIPE_PUBLISHABLE_KEY',
      aliases: [...publicForms('STRIPE_PUBLISHABLE_KEY'), 'STRIPE_PUBLIC_KEY', ...publicForms('STRIPE_PUBLIC_KEY'), 'STRIPE_PK'],
      description: 'Stripe publishable key (pk_test_… / pk_live_…), for the browser; same mode as the secret key.',
      where: 'Stripe Dashboard → Developers → API keys → Publishable key (https://dashboard.stripe.com/apikeys; test mode: https://dashboard.stripe.com/test/apikeys)',
      secret: false,
      schema: checkedString(publishableKeyProblem),
      mode: keyMode,
      app: "z.string().regex(/^pk_(test|live)_[0-9A-Za-z]+$/, 'must be a Stripe publishable key (pk_test_… or pk_live_…)')",
    },
    {
      key: 'STRIPE_WEBHOOK_SECRET',
      aliases: ['STRIPE_WEBHOOK_SIGNING_SECRET', 'STRIPE_ENDPOINT_SECRET', 'STRIPE_WH_SECRET'],
      description: 'Signing secret of the webhook endpoint (whsec_…): verifies that events come from Stripe.',
      where:
        'created by this wizard with the endpoint for APP_URL; or Developers → Webhooks → your endpoint → Signing secret (https://dashboard.stripe.com/webhooks); locally: `stripe listen --print-secret`',
      secret: true,
      schema: checkedString(webhookSecretProblem),
      app: "z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be a webhook signing secret (whsec_…)')",
      optional: true,
      prompt: false,
    },
    {
      key: 'STRIPE_WEBHOOK_PATH',
      shared: true,
      description: "Path of your app's Stripe webhook route, appended to APP_URL for the endpoint.",
      where: 'the route in your app that receives Stripe events (default for your framework)',
      secret: false,
      schema: checkedString(webhookPathProblem),
      app: String.raw`z.string().regex(/^\/(?!\/)[^\s?#]*$/, 'must be a path such as /api/webhooks/stripe')`,
      optional: true,
      localDefault: (_known, project) => WEBHOOK_PATHS[project.framework],
      example: '/api/webhooks/stripe',
    },
    {
      key: 'STRIPE_WEBHOOK_EVENTS',
      shared: true,
      description: `Comma-separated event types the webhook endpoint receives; empty: ${DEFAULT_WEBHOOK_EVENTS.join(',')}.`,
      where: 'https://docs.stripe.com/api/events/types',
      secret: false,
      schema: checkedString(webhookEventsProblem).transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .join(','),
      ),
      app: String.raw`z.string().refine((v) => v.split(',').every((t) => /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)+)$/.test(t.trim())), 'must be comma-separated Stripe event types such as invoice.paid')`,
      optional: true,
      emptyMeans: DEFAULT_WEBHOOK_EVENTS.join(','),
      example: '',
    },
  ],
  verify: (values, io) => verifyStripe(values, io),
  modeFix: 'copy both from the same Developers → API keys page',
  contribute,
  rotations: [webhookRotation, keysRotation],
});
