// The one API client every HTTP provider uses: where requests go, timeouts (PROD_READY_TIMEOUT_MS is read
// here and nowhere else), abort, retries (429 as Retry-After asks, 5xx once for safe methods), the one-line
// errors for network failures, non-JSON bodies and statuses, and redaction of secrets from every message.
// A provider declares its endpoints and what their answers mean; `hints` words what differs (Auth0 names
// AUTH0_DOMAIN when DNS fails). Reached through `Io.api` so tests can inject their own.
import { setTimeout as sleep } from 'node:timers/promises';
import { VerifyError } from './errors.ts';
import { redact } from './mask.ts';
import { TLS_CERT_CODES } from '../net/tls-codes.ts';

/** PROD_READY_TIMEOUT_MS: the deadline of one live check (default 10 s). The only place it is read. */
export function checkTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.PROD_READY_TIMEOUT_MS) || 10_000;
}

/** One request's own timeout unless a provider says otherwise: 8 s, or less when the whole check has less. */
export const requestTimeoutMs = (): number => Math.min(8000, checkTimeoutMs());

/** A Retry-After header (seconds, or an HTTP date) as milliseconds to wait; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | null | undefined): number | undefined {
  const v = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * After a 429: wait as Retry-After asks (else 0.5 s, 1 s, … backing off), if the attempts and the waiting
 * budget that all requests of one check share allow. Resolves true to retry, false to give up; rejects
 * when `signal` aborts. (The SDK-based providers use it directly; the API client below uses it for all.)
 */
export async function backOffOn429(budget: { budgetMs: number }, signal: AbortSignal, attempt: number, askedMs: number | undefined, maxRetries = 2): Promise<boolean> {
  const wait = askedMs ?? 500 * 2 ** attempt;
  if (attempt >= maxRetries || wait > budget.budgetMs) return false;
  budget.budgetMs -= wait;
  await sleep(wait, undefined, { signal });
  return true;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

/**
 * One HTTP(S) request, its answer read whole. node:http rather than fetch: network errors keep their codes
 * (ENOTFOUND, ECONNRESET, the TLS ones) for the one-line messages. `signal` aborts it.
 */
export async function requestJson(url: URL, o: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal; timeoutMs: number }): Promise<HttpAnswer> {
  const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const headers = { accept: 'application/json', ...o.headers, ...(o.body !== undefined ? { 'content-length': String(Buffer.byteLength(o.body)) } : {}) };
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = mod.request(url, { method: o.method, headers, signal: o.signal, timeout: o.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(o.body);
  });
}

// --- the client -------------------------------------------------------------------------------------------

/** A failure line: the message, what to do, and the code tests and callers match on. */
export interface Line {
  message: string;
  hint?: string;
  code: string;
}

/** What the client knows when it words a network failure (for a provider's `hints`). */
export interface NetFailure {
  /** host[:port][/prefix], for messages. */
  where: string;
  /** The host name alone. */
  host: string;
  /** The request's label ("the token request"), when the provider gave one. */
  label?: string;
  /** The Node error code (ECONNREFUSED, ENOTFOUND, a TLS code…), '' when none. */
  errno: string;
  /** The request's own timeout, in seconds (for "within 0.2 s"). */
  seconds: number;
  overridden: boolean;
}

export type NetKind = 'deadline' | 'timeout' | 'refused' | 'dns' | 'reset' | 'tls' | 'other';

export interface ApiHints {
  /** Replaces (parts of) the default line for one kind of network failure. */
  network?: Partial<Record<NetKind, (f: NetFailure, line: Line) => Partial<Line>>>;
  /** The line after 429s beyond the retries or the budget (default: "<name> rate-limited the check (429) after N attempts"). */
  rateLimited?: (f: { attempts: number; askedMs?: number; label?: string; answer: HttpAnswer; doing: string }) => Line;
  /** What to check when the answer is not the API's (default: the override variable, or a proxy). */
  notJson?: string;
}

export interface ApiClientOptions {
  /** Who answers, in messages: "Clerk", "Render", "Auth0". */
  name: string;
  /** Where requests go: io.baseUrl(<default>) (an origin, maybe with a path prefix). */
  baseUrl: string;
  /** The provider's default origin: a base URL elsewhere is an override (hints then name `overrideVar`). */
  defaultOrigin?: string;
  /** Drop a trailing /v1 of an overridden base, for APIs whose request paths carry it. */
  dropVersion?: boolean;
  /** PROD_READY_<ID>_URL. */
  overrideVar?: string;
  /** The Authorization header. Its credentials are redacted like `secrets`. */
  auth?: string;
  /** Redacted from every message the client makes (and from `fail`). */
  secrets?: readonly string[];
  /** Key-shaped text in the provider's own messages: the first group is kept, the rest masked (sk_test_••••). */
  keyPattern?: RegExp;
  signal: AbortSignal;
  /** Per request (default `requestTimeoutMs()`). */
  timeoutMs?: number;
  /** Most time all requests of this client wait on 429s and 5xx retries (default 5 s). */
  budgetMs?: number;
  /** 429 retries per request (default 2). */
  maxRetries?: number;
  /** The provider's status page, named in hints. */
  statusPage?: string;
  /** What the requests are part of, for messages: "the check" (default), "the rotation". */
  doing?: string;
  /** Status codes that stand for "the server is in trouble" map here (default `<NAME>_5XX`). */
  troubleCode?: string;
  /** A non-2xx answer (not 429, not 5xx) of `json()`: the provider's line for it. */
  statusError?: (status: number, body: unknown, what: string, c: ApiClient) => VerifyError;
  hints?: ApiHints;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent form-encoded. */
  form?: Record<string, string>;
  /** Authorization for this request only (else the client's). */
  auth?: string;
  /** For messages: "the token request". */
  label?: string;
}

export interface ApiClient {
  readonly name: string;
  /** host[:port][/prefix], for messages. */
  readonly where: string;
  /** origin + prefix, no trailing slash. */
  readonly base: string;
  readonly overridden: boolean;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  /**
   * One request, its answer whatever the status, after 429s (and, for GET, one 5xx) were retried.
   * Throws a one-line VerifyError for network failures, timeouts and a 429 that outlasts the retries;
   * an outside abort rethrows its reason.
   */
  request(method: string, path: string, o?: RequestOptions): Promise<HttpAnswer>;
  /**
   * A JSON API call: the parsed 2xx body (undefined for an empty one when `emptyOk`), every other answer one
   * line (5xx: "<name> is having trouble"; not JSON; else the provider's `statusError`). `what` completes
   * "may not …" / "could not …".
   */
  json<T>(method: string, path: string, what: string, o?: RequestOptions & { emptyOk?: boolean }): Promise<{ status: number; data: T }>;
  /** A VerifyError with every secret of the client redacted. */
  fail(message: string, hint: string | undefined, code: string): VerifyError;
  /** The provider's own text (an error message it sent), safe to show: secrets and key shapes masked, one line, short. */
  said(text: string, max?: number): string;
  /** "<name> is having trouble (HTTP 503); try again". */
  trouble(status: number): VerifyError;
  /** "<where> answered with something that is not JSON (HTTP 200)". */
  notJson(status: number): VerifyError;
  /** The error for an aborted signal: a deadline is a TIMEOUT line, anything else its reason. */
  aborted(label?: string): Error;
  /** The same client with other options (another key, another doing). */
  with(o: Partial<ApiClientOptions>): ApiClient;
}

const credentialsOf = (auth: string | undefined): string[] => {
  if (!auth) return [];
  const m = /^(Bearer|Basic)\s+(.+)$/i.exec(auth);
  if (!m) return [auth];
  if (m[1]!.toLowerCase() === 'basic') {
    const plain = Buffer.from(m[2]!, 'base64').toString('utf8');
    return [m[2]!, ...plain.split(':').slice(1)];
  }
  return [m[2]!];
};

const isTimeout = (reason: unknown) => reason instanceof Error && reason.name === 'TimeoutError';

/** What the network lines need to know of a client (an SDK-based provider gives the same to use them). */
export interface Wording {
  name: string;
  /** host[:port][/prefix]. */
  where: string;
  overridden: boolean;
  overrideVar?: string;
  statusPage?: string;
  /** The request's own timeout, for "within 0.2 s". */
  timeoutMs: number;
  secrets?: readonly string[];
  hints?: ApiHints;
}

/** The line for a 429 that outlasted the retries: the API client's, and an SDK's that retries by itself (Stripe). */
export function rateLimitedLine(name: string, doing: string, attempt: number, maxRetries: number, askedMs: number | undefined): Line {
  const attempts = attempt + 1;
  const waited = attempt < maxRetries && askedMs !== undefined ? ` (it asked to wait ${Math.ceil(askedMs / 1000)} s)` : '';
  return { message: `${name} rate-limited ${doing} (429) after ${attempts} attempt${attempts > 1 ? 's' : ''}${waited}`, hint: 'wait a minute and try again; every script using this key shares its rate limit', code: 'RATE_LIMITED' };
}

/**
 * Errors with these secrets redacted from message and hint: `failWith(secrets)(message, hint, code)`. Given
 * a UserError instead, the same error, redacted (what a provider rethrows from a step that knew fewer secrets).
 */
export function failWith(secrets: readonly string[]) {
  const fail = (message: string, hint: string | undefined, code: string | undefined) => new VerifyError(redact(message, secrets), hint && redact(hint, secrets), code);
  return Object.assign(fail, { again: (e: VerifyError) => fail(e.message, e.hint, e.code) });
}

const networkHint = (w: Wording) => `check your network (or a proxy) and try again${w.statusPage ? `; ${w.statusPage} shows incidents` : ''}`;

function netLine(w: Wording, kind: NetKind, f: NetFailure, l: Line): VerifyError {
  const over = w.hints?.network?.[kind]?.(f, l);
  const x = { ...l, ...over };
  return failWith(w.secrets ?? [])(x.message, x.hint, x.code);
}

function failureOf(w: Wording, label: string | undefined, errno = ''): NetFailure {
  const host = w.where.replace(/\/.*$/, '');
  return { where: w.where, host: host.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), label, errno, seconds: Math.round(w.timeoutMs / 100) / 10, overridden: w.overridden };
}

/** The error for an aborted signal: its deadline passed (a TIMEOUT line), or its reason (Ctrl+C) as it is. */
export function abortFailure(w: Wording, signal: AbortSignal, label?: string): Error {
  const reason: unknown = signal.reason;
  if (isTimeout(reason))
    return netLine(w, 'deadline', failureOf(w, label), { message: `Timed out: no answer from ${w.where}${label ? ` (${label})` : ''} in the time allowed`, hint: networkHint(w), code: 'TIMEOUT' });
  if (reason instanceof Error) return reason;
  return new DOMException(`The ${w.name} check was aborted`, 'AbortError');
}

/** One line for a request that got no answer: timeout, refused, DNS, reset, TLS, anything else. */
export function networkFailure(w: Wording, e: unknown, o: { label?: string; timedOut?: boolean } = {}): VerifyError {
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  const errno = err?.cause?.code ?? err?.code ?? '';
  const f = failureOf(w, o.label, errno);
  const host = w.where.replace(/\/.*$/, '');
  const label = o.label;
  if (o.timedOut || errno === 'ETIMEDOUT' || err?.name === 'TimeoutError')
    return netLine(w, 'timeout', f, { message: `Timed out: ${w.where} did not answer${label ? ` ${label}` : ''} within ${f.seconds} s`, hint: networkHint(w), code: 'TIMEOUT' });
  if (errno === 'ECONNREFUSED')
    return netLine(w, 'refused', f, { message: `connection refused by ${host}: nothing is listening there`, hint: w.overridden && w.overrideVar ? `check ${w.overrideVar}` : 'check your network and any proxy settings', code: errno });
  if (errno === 'ENOTFOUND' || errno === 'EAI_AGAIN')
    return netLine(w, 'dns', f, {
      message: `cannot resolve host ${host.replace(/:\d+$/, '')} (${errno})`,
      hint: errno === 'EAI_AGAIN' ? 'DNS did not answer: check your network, then try again' : 'check your network and DNS settings',
      code: errno,
    });
  if (['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(errno) || /socket hang up/i.test(err?.message ?? ''))
    return netLine(w, 'reset', f, { message: `the connection to ${host} was reset${label ? ` during ${label}` : ''} (ECONNRESET)`, hint: 'a proxy or firewall may be cutting the connection; try again', code: 'ECONNRESET' });
  if (TLS_CERT_CODES.has(errno) || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(errno))
    return netLine(w, 'tls', f, { message: `the TLS certificate of ${host} is not trusted (${errno})`, hint: 'behind a proxy that inspects HTTPS? give its CA certificate with NODE_EXTRA_CA_CERTS=/path/to/ca.pem', code: errno });
  return netLine(w, 'other', f, { message: `could not reach ${host}${errno ? ` (${errno})` : ''}`, hint: 'check your network and try again', code: errno || 'NETWORK' });
}

export function apiClient(opts: ApiClientOptions): ApiClient {
  const u = new URL(opts.baseUrl.replace(/\/+$/, ''));
  const path = u.pathname.replace(/\/+$/, '');
  const prefix = opts.dropVersion ? path.replace(/\/v1$/, '') : path;
  const base = `${u.origin}${prefix}`;
  const where = `${u.host}${prefix}`;
  const overridden = opts.defaultOrigin !== undefined && (u.origin !== new URL(opts.defaultOrigin).origin || prefix !== '');
  const timeoutMs = opts.timeoutMs ?? requestTimeoutMs();
  const budget = { budgetMs: opts.budgetMs ?? 5000 };
  const maxRetries = opts.maxRetries ?? 2;
  const secrets = [...(opts.secrets ?? []), ...credentialsOf(opts.auth)].filter(Boolean);
  const doing = opts.doing ?? 'the check';
  const signal = opts.signal;
  const w: Wording = { name: opts.name, where, overridden, overrideVar: opts.overrideVar, statusPage: opts.statusPage, timeoutMs, secrets, hints: opts.hints };
  const notJsonHint = opts.hints?.notJson ?? (overridden && opts.overrideVar ? `is ${opts.overrideVar} the address of the ${opts.name} API?` : `a proxy between you and ${opts.name} may be answering instead; try again`);

  const fail = failWith(secrets);
  const lineError = (l: Line) => fail(l.message, l.hint, l.code);
  const aborted = (label?: string) => abortFailure(w, signal, label);
  const networkError = (e: unknown, label: string | undefined, timedOut: boolean) => networkFailure(w, e, { label, timedOut });

  async function request(method: string, path: string, o: RequestOptions = {}): Promise<HttpAnswer> {
    const payload = o.form ? new URLSearchParams(o.form).toString() : o.json !== undefined ? JSON.stringify(o.json) : undefined;
    const auth = o.auth ?? opts.auth;
    const headers: Record<string, string> = {
      ...(auth ? { authorization: auth } : {}),
      ...(payload !== undefined ? { 'content-type': o.form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
      ...o.headers,
    };
    const safe = method === 'GET' || method === 'HEAD';
    let retried5xx = false;
    for (let attempt = 0; ; attempt++) {
      if (signal.aborted) throw aborted(o.label);
      const perRequest = AbortSignal.timeout(timeoutMs);
      let a: HttpAnswer;
      try {
        a = await requestJson(new URL(`${base}${path}`), { method, headers, body: payload, signal: AbortSignal.any([signal, perRequest]), timeoutMs });
      } catch (e) {
        if (signal.aborted) throw aborted(o.label);
        throw networkError(e, o.label, perRequest.aborted);
      }
      if (a.status === 429) {
        const asked = retryAfterMs(a.headers['retry-after']);
        let again: boolean;
        try {
          again = await backOffOn429(budget, signal, attempt, asked, maxRetries);
        } catch {
          throw aborted(o.label);
        }
        if (again) continue;
        const given = opts.hints?.rateLimited?.({ attempts: attempt + 1, askedMs: asked, label: o.label, answer: a, doing });
        throw lineError(given ?? rateLimitedLine(opts.name, doing, attempt, maxRetries, asked));
      }
      // A server error on a request that changes nothing is asked once more, after a short pause.
      if (a.status >= 500 && safe && !retried5xx && budget.budgetMs >= 250) {
        retried5xx = true;
        budget.budgetMs -= 250;
        try {
          await sleep(250, undefined, { signal });
        } catch {
          throw aborted(o.label);
        }
        continue;
      }
      return a;
    }
  }

  const client: ApiClient = {
    name: opts.name,
    where,
    base,
    overridden,
    signal,
    timeoutMs,
    request,
    fail,
    aborted,
    said(text, max = 200) {
      const shaped = opts.keyPattern ? text.replace(opts.keyPattern, '$1••••') : text;
      return redact(shaped, secrets).replace(/\s+/g, ' ').trim().slice(0, max);
    },
    trouble: (status) => fail(`${opts.name} is having trouble (HTTP ${status}); try again`, opts.statusPage ? `${opts.statusPage} shows incidents` : 'try again in a minute', opts.troubleCode ?? `${opts.name.toUpperCase()}_5XX`),
    notJson: (status) => fail(`${where} answered with something that is not JSON (HTTP ${status})`, notJsonHint, 'BAD_RESPONSE'),
    async json<T>(method: string, path: string, what: string, o: RequestOptions & { emptyOk?: boolean } = {}) {
      const a = await request(method, path, o);
      if (a.status >= 500) throw client.trouble(a.status);
      const empty = a.text === '' && o.emptyOk;
      if (a.json === undefined && !empty) throw client.notJson(a.status);
      if (a.status >= 200 && a.status < 300) {
        if (!empty && (a.json === null || typeof a.json !== 'object')) throw client.notJson(a.status);
        return { status: a.status, data: a.json as T };
      }
      throw opts.statusError?.(a.status, a.json, what, client) ?? fail(`${opts.name} refused to ${what}: HTTP ${a.status} (${a.status})`, undefined, `HTTP_${a.status}`);
    },
    with: (o) => apiClient({ ...opts, ...o }),
  };
  return client;
}

/** The API client for a provider's requests: the one `io` carries (tests inject theirs), else the real one. */
export function apiFor(io: { signal: AbortSignal; api?: (o: ApiClientOptions) => ApiClient }, o: Omit<ApiClientOptions, 'signal'> & { signal?: AbortSignal }): ApiClient {
  return (io.api ?? apiClient)({ signal: io.signal, ...o });
}
