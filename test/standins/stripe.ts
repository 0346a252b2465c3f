// A Stripe API stand-in on 127.0.0.1 for tests that drive the real `stripe` SDK (only its base URL differs).
//
// Layout: one node:http server, one express app. Our own express routes serve what stripe-stateful-mock
// lacks — GET /v1/account, GET /v1/balance and the stateful /v1/webhook_endpoints family — and everything
// else (prices, products, customers…) goes to `createExpressApp()` from stripe-stateful-mock, mounted last.
// In front of both: Stripe-style headers, optional latency, fault injection per path, and Stripe's
// authentication (Bearer or Basic; unknown key → 401; restricted rk_ keys checked against a permission
// list → 403 in Stripe's wording).
//
// Sources of truth, in order: ../shared/specs/stripe/openapi.json (paths, the error shape
// {"error":{type,message,code?,param?,doc_url?}}, the webhook_endpoint and deleted_webhook_endpoint schemas,
// `secret` "only returned at creation", the enabled_events enum), ../shared/specs/stripe/fixtures3.json
// (the account, balance and webhook_endpoint example objects, copied below), then observed Stripe
// behaviour quoted in public issue threads (noted where used). Where the contract says nothing, the
// choice is marked "AMBIGUOUS" below.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Fault as BaseFault } from './fault.ts';
import { listenOnLoopback } from '../harness/processes.ts';

const require = createRequire(import.meta.url);

// --- minimal typings for the CommonJS packages used here (no @types/express in this project) ----------

interface Req extends IncomingMessage {
  path: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body?: Record<string, unknown>;
}
interface Res extends ServerResponse {
  status(code: number): Res;
  json(body: unknown): Res;
  send(body: unknown): Res;
}
type Next = (err?: unknown) => void;
type Handler = (req: Req, res: Res, next: Next) => void;
interface ExpressApp {
  (req: IncomingMessage, res: ServerResponse): void;
  use(...handlers: unknown[]): ExpressApp;
  get(path: string, ...handlers: Handler[]): ExpressApp;
  post(path: string, ...handlers: Handler[]): ExpressApp;
  delete(path: string, ...handlers: Handler[]): ExpressApp;
  disable(setting: string): ExpressApp;
}
interface ExpressModule {
  (): ExpressApp;
  urlencoded(options: { extended: boolean }): Handler;
}

const express = require('express') as ExpressModule;

let mockApp: ExpressApp | undefined;
/**
 * stripe-stateful-mock's app. Its data lives in module-level stores, so every stand-in in one process
 * shares it (ids are random, so tests do not collide). Its logger is silenced here: it uses `loglevel`.
 */
function statefulMock(): ExpressApp {
  if (!mockApp) {
    const mockRequire = createRequire(require.resolve('stripe-stateful-mock'));
    (mockRequire('loglevel') as { setLevel(level: string, persist?: boolean): void }).setLevel('silent', false);
    mockApp = (require('stripe-stateful-mock') as { createExpressApp(): ExpressApp }).createExpressApp();
  }
  return mockApp;
}

// --- keys and options -----------------------------------------------------------------------------------

export type Mode = 'test' | 'live';

/** Default keys the stand-in accepts. Shaped like real ones (prefix + 99 alphanumerics), clearly fake. */
export const KEYS = {
  test: `sk_test_51Standin${'T'.repeat(80)}testKey0001`,
  live: `sk_live_51Standin${'L'.repeat(80)}liveKey0001`,
  /** A restricted test key that may read the balance, prices and products, and read/write webhook endpoints, but not the account. */
  restricted: `rk_test_51Standin${'R'.repeat(80)}restrict001`,
  publishableTest: `pk_test_51Standin${'P'.repeat(80)}publish0001`,
  publishableLive: `pk_live_51Standin${'P'.repeat(80)}publish0002`,
} as const;

/** Permission names as Stripe's 403 messages spell them (rak_ = restricted API key). */
export const RESTRICTED_DEFAULT_PERMISSIONS = [
  'rak_balance_read',
  'rak_webhook_read',
  'rak_webhook_write',
  'rak_price_read',
  'rak_price_write',
  'rak_product_read',
  'rak_product_write',
];

export interface StandinOptions {
  account?: {
    id?: string;
    /** settings.dashboard.display_name */
    displayName?: string | null;
    /** business_profile.name */
    businessName?: string | null;
    country?: string;
    chargesEnabled?: boolean;
    email?: string | null;
  };
  /** Accepted sk_ keys (default: KEYS.test and KEYS.live). */
  secretKeys?: string[];
  /** Restricted rk_ keys and the permissions each one has (default: KEYS.restricted with RESTRICTED_DEFAULT_PERMISSIONS). */
  restrictedKeys?: Record<string, string[]>;
  /** Keys that were rolled and have expired: 401 "Expired API Key provided". */
  expiredKeys?: string[];
  /**
   * The permission a 403 on GET /v1/account names for a restricted key; null = the older wording that
   * names none. AMBIGUOUS: the contract does not say. Observed: 'rak_accounts_kyc_id_numbers_read'
   * (stripe/stripe-node#2246, 2025, a key with every Read permission), 'rak_connected_account_read'
   * (airbytehq/airbyte#21394, 2023, /v1/accounts/{id}), and in 2019 a message naming no permission
   * ("This is a restricted API key, but the required permissions are not available for use by
   * restricted keys.", singer-io/tap-stripe#38).
   */
  accountPermission?: string | null;
  /** Added before every response (a slow network), for benchmarks. */
  latencyMs?: number;
}

export interface Fault extends BaseFault {
  /** Only requests with this method (default: any). */
  method?: string;
}

export interface WebhookEndpoint {
  id: string;
  object: 'webhook_endpoint';
  api_version: string | null;
  application: string | null;
  created: number;
  description: string | null;
  enabled_events: string[];
  livemode: boolean;
  metadata: Record<string, string>;
  status: 'enabled' | 'disabled';
  url: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The API key as sent (test process memory only). */
  key: string | undefined;
  mode: Mode | undefined;
  body?: Record<string, unknown>;
}

export interface StandinState {
  requests: RecordedRequest[];
  webhookEndpoints: Map<string, WebhookEndpoint>;
  /** Signing secrets by endpoint id; never returned by the API after creation. */
  webhookSecrets: Map<string, string>;
  /** The mode each price was created in (through this stand-in), for Stripe's test/live separation. */
  priceModes: Map<string, Mode>;
}

export interface StripeStandin {
  /** http://127.0.0.1:PORT — what io.baseUrl() returns in tests. */
  url: string;
  port: number;
  state: StandinState;
  /** Inject a fault for requests whose path equals `path` (or matches the RegExp). */
  fail(path: string | RegExp, fault: Fault): void;
  clearFaults(): void;
  /** Put an endpoint in place directly (as if created earlier in the Dashboard); returns it with its secret. */
  addWebhookEndpoint(e: { url: string; enabled_events?: string[]; status?: 'enabled' | 'disabled'; mode?: Mode; api_version?: string | null }): WebhookEndpoint & { secret: string };
  /** Requests seen for a path (and method). */
  requestsTo(path: string, method?: string): RecordedRequest[];
  /**
   * The Stripe-Signature header Stripe would send with `payload` to this endpoint, signed with the
   * endpoint's secret (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">`, Stripe's webhook signature
   * scheme). Throws for a deleted or unknown endpoint: it receives no events.
   */
  signEvent(endpointId: string, payload: string, timestamp?: number): string;
  stop(): Promise<void>;
}

// --- fixtures (stripe/openapi fixtures3.json @ f0758b15, `account`, `balance`) -------------------------

function accountFixture(): Record<string, unknown> {
  return {
    business_profile: {
      annual_revenue: { amount: null, currency: null, fiscal_year_end: null },
      estimated_worker_count: null,
      mcc: null,
      name: null,
      product_description: null,
      support_address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
      support_email: null,
      support_phone: null,
      support_url: null,
      url: null,
      minority_owned_business_designation: null,
    },
    business_type: null,
    capabilities: { card_payments: 'active', transfers: 'active' },
    charges_enabled: false,
    controller: { type: 'account' },
    country: 'US',
    created: 1234567890,
    default_currency: 'usd',
    details_submitted: false,
    email: 'site@stripe.com',
    external_accounts: { data: [], has_more: false, object: 'list', url: '/v1/accounts/acct_1PgafTB7WZ01zgkW/external_accounts' },
    future_requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: [],
      disabled_reason: null,
      errors: [],
      eventually_due: [],
      past_due: [],
      pending_verification: [],
    },
    id: 'acct_1PgafTB7WZ01zgkW',
    metadata: {},
    object: 'account',
    payouts_enabled: false,
    requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: ['business_profile.product_description', 'business_profile.support_phone', 'business_profile.url', 'external_account', 'tos_acceptance.date', 'tos_acceptance.ip'],
      disabled_reason: 'requirements.past_due',
      errors: [],
      eventually_due: ['business_profile.product_description', 'business_profile.support_phone', 'business_profile.url', 'external_account', 'tos_acceptance.date', 'tos_acceptance.ip'],
      past_due: [],
      pending_verification: [],
    },
    settings: {
      bacs_debit_payments: { display_name: null, service_user_number: null },
      branding: { icon: null, logo: null, primary_color: null, secondary_color: null },
      card_issuing: { tos_acceptance: { date: null, ip: null } },
      card_payments: { decline_on: { avs_failure: true, cvc_failure: true }, statement_descriptor_prefix: null, statement_descriptor_prefix_kana: null, statement_descriptor_prefix_kanji: null },
      dashboard: { display_name: null, timezone: 'Etc/UTC' },
      invoices: { default_account_tax_ids: null, hosted_payment_method_save: null },
      payments: { statement_descriptor: null, statement_descriptor_kana: null, statement_descriptor_kanji: null, statement_descriptor_prefix_kana: null, statement_descriptor_prefix_kanji: null },
      payouts: { debit_negative_balances: true, schedule: { delay_days: 2, interval: 'daily' }, statement_descriptor: null },
      sepa_debit_payments: {},
    },
    tos_acceptance: { date: null, ip: null, user_agent: null },
    type: 'standard',
  };
}

function balanceFixture(livemode: boolean): Record<string, unknown> {
  return {
    available: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }],
    connect_reserved: [{ amount: 0, currency: 'usd' }],
    livemode,
    object: 'balance',
    pending: [{ amount: 0, currency: 'usd', source_types: { card: 0 } }],
  };
}

/** The enabled_events enum of the contract (API version 2023-08-16), when ../shared is present. */
function loadEventEnum(): Set<string> | undefined {
  const spec = new URL('../../../shared/specs/stripe/openapi.json', import.meta.url);
  if (!existsSync(spec)) return undefined;
  try {
    const doc = JSON.parse(readFileSync(spec, 'utf8')) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { items?: { enum?: string[] } }> } }> } }>>;
    };
    const props = doc.paths['/v1/webhook_endpoints']?.post?.requestBody?.content['application/x-www-form-urlencoded']?.schema.properties;
    const list = props?.enabled_events?.items?.enum;
    return list ? new Set(list) : undefined;
  } catch {
    return undefined;
  }
}

// --- helpers --------------------------------------------------------------------------------------------

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomId(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return s;
}

const keyMode = (key: string): Mode | undefined => (/^[a-z]{2}_live_/.test(key) ? 'live' : /^[a-z]{2}_test_/.test(key) ? 'test' : undefined);

/** "sk_test_********************1234", as in the contract's invalid_api_key example. */
function censor401(key: string): string {
  const prefix = /^[a-z]{2}_(?:test|live)_/.exec(key)?.[0] ?? key.slice(0, 3);
  const tail = key.length > prefix.length + 4 ? key.slice(-4) : '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - tail.length))}${tail}`;
}
/** "rk_test_*****…qs8Kgd": the 403 wording keeps the last six (stripe/stripe-node#2246). */
function censor403(key: string): string {
  const prefix = /^[a-z]{2}_(?:test|live)_/.exec(key)?.[0] ?? key.slice(0, 3);
  const tail = key.length > prefix.length + 6 ? key.slice(-6) : '';
  return `${prefix}${'*'.repeat(Math.max(0, key.length - prefix.length - tail.length))}${tail}`;
}

function apiKeyOf(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const bearer = /^Bearer\s+(.+)$/i.exec(h);
  if (bearer) return bearer[1]!.trim();
  const basic = /^Basic\s+(.+)$/i.exec(h);
  if (basic) {
    // The spec allows "Basic <base64 of `api_key:`>" and, literally, "Basic <api_key>".
    const raw = basic[1]!.trim();
    if (/^[a-z]{2}_(test|live)_/.test(raw)) return raw;
    const decoded = Buffer.from(raw, 'base64').toString('utf8');
    return decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
  }
  return undefined;
}

function stripeError(type: string, message: string, extra: Record<string, unknown> = {}): { error: Record<string, unknown> } {
  return { error: { ...extra, message, type } };
}

/** Writes a JSON answer the way Stripe does (content-type application/json, request-id already set). */
function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Which rak_ permission a restricted key needs for a request. AMBIGUOUS beyond account/balance/webhooks. */
function permissionFor(method: string, path: string, accountPermission: string | null): string | null | undefined {
  const write = method !== 'GET';
  if (path === '/v1/account') return accountPermission;
  if (path === '/v1/balance') return 'rak_balance_read';
  if (path.startsWith('/v1/webhook_endpoints')) return write ? 'rak_webhook_write' : 'rak_webhook_read';
  const m = /^\/v1\/([a-z_]+?)s?(?:\/|$)/.exec(path);
  return m ? `rak_${m[1]}_${write ? 'write' : 'read'}` : undefined;
}

function withLivemode(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withLivemode);
  if (body && typeof body === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) out[k] = k === 'livemode' && v === false ? true : withLivemode(v);
    return out;
  }
  return body;
}

const DEFAULT_ERROR_MESSAGES: Record<number, { type: string; message: string; code?: string }> = {
  // AMBIGUOUS: the contract shows no 429/5xx bodies. These follow the documented error object; the 429
  // code "rate_limit" is the one stripe-node itself tests for (generateV1Error).
  429: { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.' },
  500: { type: 'api_error', message: 'An unknown error occurred' },
  502: { type: 'api_error', message: 'An unknown error occurred' },
  503: { type: 'api_error', message: 'Stripe is temporarily unavailable' },
};

// --- the server -----------------------------------------------------------------------------------------

export async function startStripe(opts: StandinOptions = {}): Promise<StripeStandin> {
  const account = {
    id: opts.account?.id ?? 'acct_1PgafTB7WZ01zgkW',
    displayName: opts.account?.displayName ?? null,
    businessName: opts.account?.businessName ?? null,
    country: opts.account?.country ?? 'US',
    chargesEnabled: opts.account?.chargesEnabled ?? false,
    email: opts.account?.email === undefined ? 'site@stripe.com' : opts.account.email,
  };
  const secretKeys = new Set(opts.secretKeys ?? [KEYS.test, KEYS.live]);
  const restrictedKeys = new Map(Object.entries(opts.restrictedKeys ?? { [KEYS.restricted]: RESTRICTED_DEFAULT_PERMISSIONS }));
  const expiredKeys = new Set(opts.expiredKeys ?? []);
  const accountPermission = opts.accountPermission === undefined ? 'rak_accounts_kyc_id_numbers_read' : opts.accountPermission;
  const eventEnum = loadEventEnum();

  const state: StandinState = { requests: [], webhookEndpoints: new Map(), webhookSecrets: new Map(), priceModes: new Map() };
  const faults: { match: string | RegExp; fault: Fault; left: number }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let created = Math.floor(Date.now() / 1000);
  let sequence = 0;
  const order = new Map<string, number>();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const newEndpoint = (e: { url: string; enabled_events: string[]; status?: 'enabled' | 'disabled'; mode: Mode; api_version?: string | null; description?: string | null; metadata?: Record<string, string> }) => {
    const ep: WebhookEndpoint = {
      id: `we_${randomId(24)}`,
      object: 'webhook_endpoint',
      api_version: e.api_version ?? null,
      application: null,
      created: created++,
      description: e.description ?? null,
      enabled_events: e.enabled_events,
      livemode: e.mode === 'live',
      metadata: e.metadata ?? {},
      status: e.status ?? 'enabled',
      url: e.url,
    };
    const secret = `whsec_${randomId(32)}`;
    state.webhookEndpoints.set(ep.id, ep);
    state.webhookSecrets.set(ep.id, secret);
    order.set(ep.id, sequence++);
    return { ...ep, secret };
  };

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  // Headers every Stripe answer carries, the request log, and optional latency.
  app.use((req: Req, res: Res, next: Next) => {
    res.setHeader('request-id', `req_${randomId(14)}`);
    res.setHeader('stripe-version', String(req.headers['stripe-version'] ?? '2023-08-16'));
    res.setHeader('cache-control', 'no-cache, no-store');
    const idem = req.headers['idempotency-key'];
    if (typeof idem === 'string') res.setHeader('idempotency-key', idem);
    const key = apiKeyOf(req);
    state.requests.push({ method: req.method ?? 'GET', path: req.path, key, mode: key ? keyMode(key) : undefined });
    if (opts.latencyMs) later(opts.latencyMs, next);
    else next();
  });

  // Fault injection.
  app.use((req: Req, res: Res, next: Next) => {
    const hit = faults.find((f) => f.left > 0 && (!f.fault.method || f.fault.method.toUpperCase() === req.method) && (typeof f.match === 'string' ? f.match === req.path : f.match.test(req.path)));
    if (!hit) return next();
    hit.left--;
    const f = hit.fault;
    const act = () => {
      if (f.reset) {
        const socket = req.socket as Socket & { resetAndDestroy?: () => void };
        if (socket.resetAndDestroy) socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      const headers: Record<string, string> = {};
      if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
      if (f.malformed) return sendJson(res, f.status ?? 200, typeof f.body === 'string' ? f.body : '{"object": "account", "id": "acct_', headers);
      if (f.status === undefined) return next();
      if (f.body !== undefined) return sendJson(res, f.status, f.body, headers);
      const key = apiKeyOf(req) ?? '';
      if (f.status === 401) return sendJson(res, 401, stripeError('invalid_request_error', `Invalid API Key provided: ${censor401(key)}`), headers);
      if (f.status === 403)
        return sendJson(
          res,
          403,
          stripeError(
            'invalid_request_error',
            `The provided key '${censor403(key)}' does not have the required permissions for this endpoint on account '${account.id}'. Having the '${permissionFor(req.method ?? 'GET', req.path, accountPermission) ?? 'rak_account_read'}' permission would allow this request to continue.`,
          ),
          headers,
        );
      const d = DEFAULT_ERROR_MESSAGES[f.status] ?? { type: 'api_error', message: 'An unknown error occurred' };
      return sendJson(res, f.status, stripeError(d.type, d.message, d.code ? { code: d.code, doc_url: `https://stripe.com/docs/error-codes/${d.code.replace(/_/g, '-')}` } : {}), headers);
    };
    if (f.delayMs) later(f.delayMs, act);
    else act();
  });

  // Authentication, as Stripe answers it.
  app.use((req: Req, res: Res, next: Next) => {
    const key = apiKeyOf(req);
    if (!key)
      return sendJson(
        res,
        401,
        stripeError(
          'invalid_request_error',
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        ),
      );
    if (/^pk_(test|live)_/.test(key))
      // AMBIGUOUS: wording as commonly reported; the status Stripe uses for this case is not in the contract.
      return sendJson(
        res,
        401,
        stripeError('invalid_request_error', 'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.'),
      );
    if (expiredKeys.has(key)) return sendJson(res, 401, stripeError('invalid_request_error', `Expired API Key provided: ${censor401(key)}`));
    const granted = restrictedKeys.get(key);
    if (granted) {
      const needed = permissionFor(req.method ?? 'GET', req.path, accountPermission);
      if (needed === null || (needed !== undefined && !granted.includes(needed))) {
        const tail =
          needed === null
            ? 'This is a restricted API key, but the required permissions are not available for use by restricted keys.'
            : `Having the '${needed}' permission would allow this request to continue.`;
        return sendJson(
          res,
          403,
          stripeError('invalid_request_error', `The provided key '${censor403(key)}' does not have the required permissions for this endpoint on account '${account.id}'. ${tail}`),
        );
      }
      return next();
    }
    if (!secretKeys.has(key)) return sendJson(res, 401, stripeError('invalid_request_error', `Invalid API Key provided: ${censor401(key)}`));
    next();
  });

  app.use(express.urlencoded({ extended: true }));
  app.use((req: Req, _res: Res, next: Next) => {
    const last = state.requests[state.requests.length - 1];
    if (last && req.body && Object.keys(req.body).length) last.body = req.body;
    next();
  });

  const modeOf = (req: Req): Mode => keyMode(apiKeyOf(req) ?? '') ?? 'test';

  app.get('/v1/account', (_req: Req, res: Res) => {
    const a = accountFixture();
    a.id = account.id;
    a.country = account.country;
    a.charges_enabled = account.chargesEnabled;
    a.payouts_enabled = account.chargesEnabled;
    a.details_submitted = account.chargesEnabled;
    a.email = account.email;
    (a.business_profile as Record<string, unknown>).name = account.businessName;
    ((a.settings as Record<string, Record<string, unknown>>).dashboard as Record<string, unknown>).display_name = account.displayName;
    (a.external_accounts as Record<string, unknown>).url = `/v1/accounts/${account.id}/external_accounts`;
    sendJson(res, 200, a);
  });

  app.get('/v1/balance', (req: Req, res: Res) => sendJson(res, 200, balanceFixture(modeOf(req) === 'live')));

  const missingEndpoint = (res: Res, id: string) =>
    // AMBIGUOUS: current Stripe quotes the id ('we_…'); `param` for a path id is not in the contract.
    sendJson(
      res,
      404,
      stripeError('invalid_request_error', `No such webhook endpoint: '${id}'`, { code: 'resource_missing', doc_url: 'https://stripe.com/docs/error-codes/resource-missing', param: 'id' }),
    );

  const endpointsFor = (mode: Mode) =>
    [...state.webhookEndpoints.values()].filter((e) => e.livemode === (mode === 'live')).sort((a, b) => b.created - a.created || order.get(b.id)! - order.get(a.id)!);

  app.get('/v1/webhook_endpoints', (req: Req, res: Res) => {
    const all = endpointsFor(modeOf(req));
    const limitRaw = req.query.limit === undefined ? 10 : Number(req.query.limit);
    if (!Number.isInteger(limitRaw) || limitRaw < 1 || limitRaw > 100)
      return sendJson(res, 400, stripeError('invalid_request_error', 'Invalid integer: limit must be between 1 and 100.', { param: 'limit' }));
    const after = req.query.starting_after;
    const before = req.query.ending_before;
    if (typeof after === 'string' && typeof before === 'string')
      // AMBIGUOUS: the contract allows both parameters and says nothing of both at once; Stripe refuses it.
      return sendJson(res, 400, stripeError('invalid_request_error', 'You may only specify one of these parameters: ending_before, starting_after.', { param: 'ending_before' }));
    if (typeof before === 'string') {
      // The page just before `ending_before` (newest first, as every Stripe list).
      const i = all.findIndex((e) => e.id === before);
      if (i < 0) return missingEndpoint(res, before);
      const from = Math.max(0, i - limitRaw);
      return sendJson(res, 200, { object: 'list', data: all.slice(from, i), has_more: from > 0, url: '/v1/webhook_endpoints' });
    }
    let start = 0;
    if (typeof after === 'string') {
      const i = all.findIndex((e) => e.id === after);
      if (i < 0) return missingEndpoint(res, after);
      start = i + 1;
    }
    const data = all.slice(start, start + limitRaw);
    sendJson(res, 200, { object: 'list', data, has_more: start + limitRaw < all.length, url: '/v1/webhook_endpoints' });
  });

  const eventsProblem = (events: unknown): string | undefined => {
    if (!Array.isArray(events) || events.length === 0) return 'Missing required param: enabled_events.';
    for (const [i, e] of events.entries()) {
      if (typeof e !== 'string' || (eventEnum ? !eventEnum.has(e) : !/^(\*|[a-z_]+(\.[a-z_]+)+)$/.test(e)))
        // AMBIGUOUS: Stripe lists every allowed value in this message; shortened here.
        return `Invalid enabled_events[${i}]: must be one of the event types listed at https://stripe.com/docs/api/events/types`;
    }
    return undefined;
  };
  const urlProblem = (url: unknown, mode: Mode): string | undefined => {
    if (typeof url !== 'string' || !url) return 'Missing required param: url.';
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return 'Invalid URL: URL must be a valid URL.';
    }
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'Invalid URL: URL must use http or https.';
    const h = u.hostname.replace(/^\[|\]$/g, '');
    if (h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h) || h === '0.0.0.0')
      // Wording as Stripe answers a local URL (commonly reported); not in the contract.
      return 'Invalid URL: URL must be publicly accessible. Consider using a tool like the Stripe CLI to test webhooks locally: https://github.com/stripe/stripe-cli';
    if (mode === 'live' && u.protocol !== 'https:') return 'Invalid URL: live mode webhook endpoints must use HTTPS.'; // AMBIGUOUS wording
    return undefined;
  };
  const badParam = (res: Res, message: string, param: string) =>
    sendJson(
      res,
      400,
      stripeError('invalid_request_error', message, message.startsWith('Missing') ? { code: 'parameter_missing', doc_url: 'https://stripe.com/docs/error-codes/parameter-missing', param } : { code: param === 'url' ? 'url_invalid' : 'parameter_invalid_string', param }),
    );

  app.post('/v1/webhook_endpoints', (req: Req, res: Res) => {
    const b = req.body ?? {};
    const mode = modeOf(req);
    const up = urlProblem(b.url, mode);
    if (up) return badParam(res, up, 'url');
    const ep = eventsProblem(b.enabled_events);
    if (ep) return badParam(res, ep, 'enabled_events');
    const made = newEndpoint({
      url: b.url as string,
      enabled_events: b.enabled_events as string[],
      mode,
      api_version: typeof b.api_version === 'string' ? b.api_version : null,
      description: typeof b.description === 'string' ? b.description : null,
      metadata: (b.metadata && typeof b.metadata === 'object' ? b.metadata : {}) as Record<string, string>,
    });
    sendJson(res, 200, made); // the only answer that carries `secret`
  });

  const findEndpoint = (req: Req, res: Res): WebhookEndpoint | undefined => {
    const ep = state.webhookEndpoints.get(req.params.id!);
    if (!ep || ep.livemode !== (modeOf(req) === 'live')) {
      missingEndpoint(res, req.params.id!);
      return undefined;
    }
    return ep;
  };

  app.get('/v1/webhook_endpoints/:id', (req: Req, res: Res) => {
    const ep = findEndpoint(req, res);
    if (ep) sendJson(res, 200, ep);
  });

  app.post('/v1/webhook_endpoints/:id', (req: Req, res: Res) => {
    const ep = findEndpoint(req, res);
    if (!ep) return;
    const b = req.body ?? {};
    if (b.url !== undefined) {
      const up = urlProblem(b.url, modeOf(req));
      if (up) return badParam(res, up, 'url');
      ep.url = b.url as string;
    }
    if (b.enabled_events !== undefined) {
      const p = eventsProblem(b.enabled_events);
      if (p) return badParam(res, p, 'enabled_events');
      ep.enabled_events = b.enabled_events as string[];
    }
    if (typeof b.description === 'string') ep.description = b.description || null;
    if (b.disabled !== undefined) ep.status = b.disabled === 'true' ? 'disabled' : 'enabled';
    if (b.metadata && typeof b.metadata === 'object') ep.metadata = { ...ep.metadata, ...(b.metadata as Record<string, string>) };
    sendJson(res, 200, ep);
  });

  app.delete('/v1/webhook_endpoints/:id', (req: Req, res: Res) => {
    const ep = findEndpoint(req, res);
    if (!ep) return;
    state.webhookEndpoints.delete(ep.id);
    state.webhookSecrets.delete(ep.id);
    sendJson(res, 200, { id: ep.id, object: 'webhook_endpoint', deleted: true });
  });

  // Test and live data are separate at Stripe: a price made in one mode is invisible to the other mode's
  // key, and the 404 says so. The wording is Stripe's as commonly reported (not in the contract).
  app.get('/v1/prices/:id', (req: Req, res: Res, next: Next) => {
    const made = state.priceModes.get(req.params.id!);
    const mode = modeOf(req);
    if (!made || made === mode) return next();
    sendJson(
      res,
      404,
      stripeError('invalid_request_error', `No such price: '${req.params.id}'; a similar object exists in ${made} mode, but a ${mode} mode key was used to make this request.`, {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        param: 'price',
      }),
    );
  });

  // Everything else: stripe-stateful-mock. It accepts only sk_test_ keys and knows no live mode, so the
  // already-checked key is swapped for one it takes, and answers to live keys get livemode: true.
  app.use((req: Req, res: Res, next: Next) => {
    const mode = modeOf(req);
    req.headers.authorization = 'Bearer sk_test_standin_bridge';
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      if (req.method === 'POST' && req.path === '/v1/prices' && res.statusCode === 200 && body && typeof body === 'object' && 'id' in body)
        state.priceModes.set(String((body as { id: unknown }).id), mode);
      return json(mode === 'live' ? withLivemode(body) : body);
    };
    next();
  });
  app.use(statefulMock());

  const server: Server = createServer((req, res) => app(req, res));
  server.keepAliveTimeout = 5000;
  const port = await listenOnLoopback(server);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    fail(path, fault) {
      faults.push({ match: path, fault, left: fault.times ?? Infinity });
    },
    clearFaults() {
      faults.length = 0;
    },
    addWebhookEndpoint(e) {
      return newEndpoint({ url: e.url, enabled_events: e.enabled_events ?? ['*'], status: e.status, mode: e.mode ?? 'test', api_version: e.api_version });
    },
    requestsTo(path, method) {
      return state.requests.filter((r) => r.path === path && (!method || r.method === method.toUpperCase()));
    },
    signEvent(endpointId, payload, timestamp = Math.floor(Date.now() / 1000)) {
      const secret = state.webhookSecrets.get(endpointId);
      if (!secret) throw new Error(`no webhook endpoint ${endpointId} in the stand-in`);
      return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')}`;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
