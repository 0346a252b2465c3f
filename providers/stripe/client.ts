import type StripeSDK from 'stripe';
import { VerifyError } from '../../src/core/errors.ts';
import { maskKey } from '../../src/core/mask.ts';
import { type Io } from '../../src/core/provider.ts';
import { overrideVar } from '../../src/core/urls.ts';
import { abortFailure, backOffOn429, networkFailure, rateLimitedLine, retryAfterMs, type Wording } from '../../src/core/http.ts';
import { STRIPE_API, dashboard, modeOf, type Mode } from './format.ts';

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
export class StripeCheckError extends VerifyError {
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

export interface Client {
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

export async function openClient(key: string, io: Io, opts: StripeCheckOptions): Promise<Client> {
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
export function abortError(signal: AbortSignal, where: string): Error {
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
export async function call<T>(c: Client, what: string, fn: (s: StripeClient) => Promise<T>): Promise<T> {
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
        const l = rateLimitedLine('Stripe', c.doing ?? 'the check', attempt, MAX_429_RETRIES, asked);
        throw new StripeCheckError(l.message, l.hint, l.code, 429, err.code);
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

export async function listEndpoints(c: Client): Promise<StripeSDK.WebhookEndpoint[]> {
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
