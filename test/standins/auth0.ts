// An Auth0 tenant stand-in on 127.0.0.1: ONE node:http server whose issuer is its own
// `http://127.0.0.1:PORT/`.
//
// - `/.well-known/*` and `/oauth/token` go to a real `oidc-provider` 9 instance configured as
//   ../shared/test-harness.md §4 says (Auth0's paths, client_credentials, resource indicators with Auth0's
//   `audience` parameter mapped onto the resource, RS256 JWT access tokens, form-encoded bodies only).
//   oidc-provider answers with RFC error codes (401 invalid_client, 400 invalid_target, 400
//   unauthorized_client), not Auth0's (401 access_denied "Unauthorized", 403 access_denied "Service not
//   enabled within domain", 403 unauthorized_client); tests that need Auth0's exact wording inject it with
//   `fail(path, { status, body })`.
// - A known API the client has no client grant for gets Auth0's 403 access_denied
//   'Client is not authorized to access "<aud>". You need to create a "client-grant" associated to this API.'
//   (a custom oidc-provider error; Auth0's wording as quoted in public forum threads, not in the contract).
// - When a client_credentials request names no `scope`, Auth0 grants every scope of the client grant;
//   oidc-provider would grant none, so the stand-in adds the granted scopes to the body before handing it on.
// - `/api/v2/clients/:id` (GET with fields/include_fields, PATCH with JSON) and
//   `POST /api/v2/clients/:id/rotate-secret` are a Management API stand-in from
//   ../shared/specs/auth0/management-api.json (full: management-api.full.json): the Bearer JWT is verified
//   against the provider's JWKS with jose (issuer, audience `<issuer>api/v2/`), the scopes the contract
//   names are required (GET: any of read:clients, read:client_keys, read:client_credentials,
//   read:client_summary, each showing the fields the contract lists for it; PATCH: update:clients;
//   rotate-secret: update:client_keys), and errors use the contract's body
//   `{statusCode, error, message, errorCode}` (401 invalid_token, 403 insufficient_scope, 404
//   inexistent_client; an injected 429 carries the X-RateLimit-* headers the contract mentions).
// - Client secrets are looked up live: oidc-provider finds clients through an adapter reading the stand-in's
//   store (not a static list), so after rotate-secret the old secret is refused at /oauth/token (401
//   invalid_client) and the new one accepted, at once.
//
// oidc-provider's two console warnings on Node 20 (unsupported runtime, in-memory adapter) and its
// "already parsed request body" notice are filtered out of console.warn while a stand-in is running.
import { generateKeyPair, exportJWK, createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Fault as BaseFault } from './fault.ts';
import { listenOnLoopback } from '../harness/processes.ts';

export interface StandinClient {
  client_id: string;
  client_secret: string;
  name: string;
  app_type: 'regular_web' | 'non_interactive' | 'spa';
  /** OAuth grant types the client may use ("client_credentials" for the token check). */
  grant_types: string[];
  callbacks: string[];
  allowed_logout_urls: string[];
  web_origins: string[];
  /** Client grants: audience → scopes the client gets with client_credentials. */
  grants: Record<string, string[]>;
}

export interface Fault extends BaseFault {
  /** Only requests with this method (default: any). */
  method?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  contentType?: string;
  /** The raw request body (form or JSON) — it may hold a client secret: tests only. */
  body: string;
}

export interface Auth0StandinOptions {
  /** Added before every answer. */
  latencyMs?: number;
  /** Extra clients (merged over the defaults by client_id). */
  clients?: Partial<StandinClient>[];
}

export interface Auth0Standin {
  /** `http://127.0.0.1:PORT` (no trailing slash); the issuer is this + '/'. */
  url: string;
  issuer: string;
  /** `<issuer>api/v2/`: the Management API audience. */
  managementAudience: string;
  /** A custom API the default clients are granted. */
  apiAudience: string;
  clients: typeof CLIENTS;
  requests: RecordedRequest[];
  /** The stored application (mutable; PATCH and rotate-secret write here). */
  app(clientId: string): StandinClient;
  /** The client's current secret (changes with rotate-secret; `CLIENTS` keeps the initial ones). */
  secretOf(clientId: string): string;
  /** Rotate a client's secret directly (as the Dashboard would); returns the new secret. */
  rotateSecret(clientId: string): string;
  fail(path: string | RegExp, fault: Fault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

export const API_AUDIENCE = 'https://api.standin.example/';

/** The default applications. Secrets are clearly fake. */
export const CLIENTS = {
  /** Regular web app that may also use client_credentials: Management API (read+update clients) and the custom API. */
  full: { client_id: 'StandinFullClient000000000000001', client_secret: 'standin-full-secret-0000000000000000000000000000001', name: 'Acme Web' },
  /** client_credentials for the Management API with read:clients only. */
  readOnly: { client_id: 'StandinReadOnlyClient00000000001', client_secret: 'standin-readonly-secret-00000000000000000000000001', name: 'Acme Read Only' },
  /** client_credentials for the custom API only: no Management API grant at all. */
  noManagement: { client_id: 'StandinNoMgmtClient0000000000001', client_secret: 'standin-nomgmt-secret-000000000000000000000000001', name: 'Acme API Only' },
  /** Management API grant without read:clients (read:users only). */
  noReadScope: { client_id: 'StandinNoReadClient0000000000001', client_secret: 'standin-noread-secret-000000000000000000000000001', name: 'Acme Users' },
  /** A regular web app without the client_credentials grant. */
  noGrant: { client_id: 'StandinNoGrantClient000000000001', client_secret: 'standin-nogrant-secret-00000000000000000000000001', name: 'Acme Login Only' },
  /** client_credentials for the Management API with read:clients, read:client_keys and update:client_keys: may rotate secrets. */
  rotator: { client_id: 'StandinRotatorClient000000000001', client_secret: 'standin-rotator-secret-0000000000000000000000001', name: 'Acme Key Rotation' },
} as const;

/** Scopes that may read one client (contract: GET /clients/{id}), and the ones that show its secret. */
const READ_CLIENT_SCOPES = ['read:clients', 'read:client_keys', 'read:client_credentials', 'read:client_summary'];
/** Fields any of the read scopes shows (contract: "can be retrieved with any of the scopes"). */
const SUMMARY_FIELDS = ['client_id', 'app_type', 'name', 'description'];

// --- console filter -------------------------------------------------------------------------------------

let quietDepth = 0;
let originalWarn: typeof console.warn | undefined;
let originalInfo: typeof console.info | undefined;
function quiet(): () => void {
  if (quietDepth++ === 0) {
    const warn = (originalWarn = console.warn);
    const info = (originalInfo = console.info);
    const drop = (args: unknown[]) => typeof args[0] === 'string' && /oidc-provider (WARNING|NOTICE)/.test(args[0]);
    console.warn = (...args: unknown[]) => void (drop(args) || warn.apply(console, args));
    console.info = (...args: unknown[]) => void (drop(args) || info.apply(console, args));
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--quietDepth === 0 && originalWarn && originalInfo) {
      console.warn = originalWarn;
      console.info = originalInfo;
      originalWarn = originalInfo = undefined;
    }
  };
}

// oidc-provider ships no types: the little of it used here.
interface OidcErrorCtor {
  new (status: number, message: string, detail?: string): Error & { error_description?: string; expose?: boolean };
}
interface OidcModule {
  default: new (issuer: string, config: Record<string, unknown>) => { callback(): (req: IncomingMessage, res: ServerResponse) => void };
  errors: { InvalidTarget: new (description: string) => Error; OIDCProviderError: OidcErrorCtor };
}

const MGMT_ERROR: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startAuth0(opts: Auth0StandinOptions = {}): Promise<Auth0Standin> {
  const restore = quiet();
  const moduleName = 'oidc-provider';
  const oidc = (await import(moduleName)) as OidcModule;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `standin-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
  const publicJwk = { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid, alg: 'RS256', use: 'sig' };
  const jwks = createLocalJWKSet({ keys: [publicJwk] } as JSONWebKeySet);

  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listenOnLoopback(server);
  const url = `http://127.0.0.1:${port}`;
  const issuer = `${url}/`;
  const mgmtAud = `${issuer}api/v2/`;

  const base = (c: Pick<StandinClient, 'client_id' | 'client_secret' | 'name'>, over: Partial<StandinClient>): StandinClient => ({
    app_type: 'regular_web',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    callbacks: [],
    allowed_logout_urls: [],
    web_origins: [],
    grants: {},
    ...c,
    ...over,
  });
  const store = new Map<string, StandinClient>();
  for (const c of [
    base(CLIENTS.full, { grants: { [mgmtAud]: ['read:clients', 'update:clients'], [API_AUDIENCE]: ['read:things'] } }),
    base(CLIENTS.readOnly, { app_type: 'non_interactive', grants: { [mgmtAud]: ['read:clients'] } }),
    base(CLIENTS.noManagement, { grants: { [API_AUDIENCE]: ['read:things'] } }),
    base(CLIENTS.noReadScope, { grants: { [mgmtAud]: ['read:users'] } }),
    base(CLIENTS.noGrant, { grant_types: ['authorization_code', 'refresh_token'] }),
    base(CLIENTS.rotator, { app_type: 'non_interactive', grants: { [mgmtAud]: ['read:clients', 'read:client_keys', 'update:client_keys'] } }),
  ])
    store.set(c.client_id, c);
  for (const o of opts.clients ?? []) {
    if (!o.client_id) continue;
    const prev = store.get(o.client_id);
    store.set(o.client_id, prev ? { ...prev, ...o } : base({ client_id: o.client_id, client_secret: o.client_secret ?? randomBytes(24).toString('hex'), name: o.name ?? o.client_id }, o));
  }
  const apis = new Set([mgmtAud, API_AUDIENCE]);
  const allScopes = new Set(['openid', 'offline_access', ...READ_CLIENT_SCOPES, 'update:clients', 'update:client_keys', 'read:users', 'read:things']);
  for (const c of store.values()) for (const s of Object.values(c.grants).flat()) allScopes.add(s);

  class GrantNotAllowed extends oidc.errors.OIDCProviderError {
    constructor() {
      super(403, 'unauthorized_client');
      this.error_description = "Grant type 'client_credentials' not allowed for the client.";
      this.expose = true;
    }
  }
  class ClientNotAuthorized extends oidc.errors.OIDCProviderError {
    constructor(aud: string) {
      super(403, 'access_denied');
      this.error_description = `Client is not authorized to access "${aud}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/create_client_grant`;
      this.expose = true;
    }
  }

  /** oidc-provider's view of a stored client, with its CURRENT secret. */
  const clientMetadata = (c: StandinClient) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    // Every client may use client_credentials as far as oidc-provider knows: the stand-in refuses it in
    // getResourceServerInfo (after client authentication, as Auth0 does) with Auth0's 403 unauthorized_client.
    grant_types: [...new Set([...c.grant_types.filter((g) => g !== 'refresh_token'), 'client_credentials'])],
    response_types: c.grant_types.includes('authorization_code') ? ['code'] : [],
    redirect_uris: c.grant_types.includes('authorization_code') ? ['http://localhost:3000/auth/callback'] : [],
    token_endpoint_auth_method: 'client_secret_post',
  });
  // oidc-provider's storage. Clients come from the store on every lookup (oidc-provider caches a Client per
  // distinct metadata, so a rotated secret is a new Client and the old secret stops matching); anything else
  // it stores is kept in memory.
  const kept = new Map<string, Record<string, unknown>>();
  class StandinAdapter {
    constructor(readonly model: string) {}
    async find(id: string) {
      if (this.model === 'Client') {
        const c = store.get(id);
        return c && clientMetadata(c);
      }
      return kept.get(`${this.model}:${id}`);
    }
    async findByUid(uid: string) {
      return [...kept.entries()].find(([k, v]) => k.startsWith(`${this.model}:`) && v.uid === uid)?.[1];
    }
    async findByUserCode(userCode: string) {
      return [...kept.entries()].find(([k, v]) => k.startsWith(`${this.model}:`) && v.userCode === userCode)?.[1];
    }
    async upsert(id: string, payload: Record<string, unknown>) {
      if (this.model !== 'Client') kept.set(`${this.model}:${id}`, payload);
    }
    async consume(id: string) {
      const v = kept.get(`${this.model}:${id}`);
      if (v) v.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      kept.delete(`${this.model}:${id}`);
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, v] of kept) if (v.grantId === grantId) kept.delete(k);
    }
  }

  const Provider = oidc.default;
  const provider = new Provider(issuer, {
    adapter: StandinAdapter,
    scopes: [...allScopes],
    ttl: { ClientCredentials: 600 },
    routes: { token: '/oauth/token', jwks: '/.well-known/jwks.json' },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        defaultResource: (ctx: { oidc: { body?: Record<string, unknown> } }) => (ctx.oidc.body?.audience as string | undefined) || mgmtAud,
        getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => {
          if (!apis.has(resource)) throw new oidc.errors.InvalidTarget(`Service not enabled within domain: ${resource}`);
          const app = store.get(client.clientId);
          if (!app?.grant_types.includes('client_credentials')) throw new GrantNotAllowed();
          const scopes = app.grants[resource];
          if (!scopes) throw new ClientNotAuthorized(resource);
          return { scope: scopes.join(' '), audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    jwks: { keys: [jwk] },
  });
  const oidcCallback = provider.callback();

  const faults: { match: string | RegExp; fault: Fault; left: number }[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const mgmtError = (res: ServerResponse, status: number, message: string, errorCode?: string) =>
    json(res, status, { statusCode: status, error: MGMT_ERROR[status] ?? 'Error', message, ...(errorCode ? { errorCode } : {}) });

  function faultFor(method: string, path: string): Fault | undefined {
    for (const f of faults) {
      if (f.left <= 0) continue;
      if (f.fault.method && f.fault.method.toUpperCase() !== method) continue;
      if (typeof f.match === 'string' ? f.match !== path : !f.match.test(path)) continue;
      f.left--;
      return f.fault;
    }
    return undefined;
  }

  const newSecret = () => randomBytes(48).toString('base64url'); // 64 characters, like Auth0's (not base64-encoded content)
  const clientJson = (client: StandinClient): Record<string, unknown> => ({
    client_id: client.client_id,
    tenant: 'standin',
    name: client.name,
    app_type: client.app_type,
    grant_types: client.grant_types,
    callbacks: client.callbacks,
    allowed_logout_urls: client.allowed_logout_urls,
    web_origins: client.web_origins,
    token_endpoint_auth_method: 'client_secret_post',
  });

  async function management(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, body: string): Promise<void> {
    const rotate = /^\/api\/v2\/clients\/([^/]+)\/rotate-secret$/.exec(path);
    const one = /^\/api\/v2\/clients\/([^/]+)$/.exec(path);
    const route = rotate && req.method === 'POST' ? 'rotate' : one && req.method === 'GET' ? 'get' : one && req.method === 'PATCH' ? 'patch' : undefined;
    if (!route) return mgmtError(res, 404, 'Not Found');
    const m = (rotate ?? one)!;
    const auth = req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(auth)?.[1];
    if (!token) return mgmtError(res, 401, 'Missing authentication', 'invalid_token');
    let scopes: string[];
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: mgmtAud });
      scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    } catch {
      return mgmtError(res, 401, 'Invalid token', 'invalid_token');
    }
    const has = (s: string) => scopes.includes(s);
    // AMBIGUOUS: for GET the contract's 403 reads "expected any of: read:clients, read:client_keys,
    // read:client_credentials, read:client_summary"; the stand-in's message keeps naming read:clients only,
    // the wording the existing checks were written against (any of the four scopes is accepted).
    if (route === 'get' && !READ_CLIENT_SCOPES.some(has)) return mgmtError(res, 403, 'Insufficient scope, expected any of: read:clients', 'insufficient_scope');
    if (route === 'patch' && !has('update:clients')) return mgmtError(res, 403, 'Insufficient scope, expected any of: update:clients', 'insufficient_scope');
    if (route === 'rotate' && !has('update:client_keys')) return mgmtError(res, 403, 'Insufficient scope, expected any of: update:client_keys', 'insufficient_scope');
    const client = store.get(decodeURIComponent(m[1]!));
    if (!client) return mgmtError(res, 404, 'The client does not exist', 'inexistent_client');
    if (route === 'rotate') {
      // The old secret stops working at once (the adapter serves the new one to oidc-provider).
      client.client_secret = newSecret();
      return json(res, 200, { ...clientJson(client), client_secret: client.client_secret });
    }
    if (route === 'patch') {
      let patch: Record<string, unknown>;
      try {
        patch = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return mgmtError(res, 400, 'Invalid request payload JSON format', 'invalid_body');
      }
      for (const k of ['callbacks', 'allowed_logout_urls', 'web_origins'] as const) {
        const v = patch[k];
        if (v === undefined) continue;
        if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) return mgmtError(res, 400, `Payload validation error: 'Expected type array but found type ${typeof v}' on property ${k}.`, 'invalid_body');
        client[k] = [...(v as string[])];
      }
      const unknown = Object.keys(patch).filter((k) => !['callbacks', 'allowed_logout_urls', 'web_origins', 'name'].includes(k));
      if (unknown.length) return mgmtError(res, 400, `Payload validation error: 'Additional properties not allowed: ${unknown.join(',')}'.`, 'invalid_body');
      if (typeof patch.name === 'string') client.name = patch.name;
    }
    let full = clientJson(client);
    if (route === 'get') {
      // Contract (GET /clients/{id}): client_id, app_type, name, description with any read scope; the rest
      // with read:clients or read:client_keys; client_secret only with read:client_keys or read:client_credentials.
      if (!has('read:clients') && !has('read:client_keys')) full = Object.fromEntries(Object.entries(full).filter(([k]) => SUMMARY_FIELDS.includes(k)));
      if (has('read:client_keys') || has('read:client_credentials')) full.client_secret = client.client_secret;
    }
    const fields = query.get('fields');
    if (route === 'get' && fields) {
      const list = fields.split(',');
      const include = query.get('include_fields') !== 'false';
      for (const k of Object.keys(full)) if (list.includes(k) !== include) delete full[k];
    }
    json(res, 200, full);
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const u = new URL(req.url ?? '/', url);
      const path = u.pathname;
      const method = req.method ?? 'GET';
      const isMgmt = path.startsWith('/api/v2/');
      // Body read here for the request log, the Management API and the scope rewrite; oidc-provider
      // then reads `req.body` (the stream is consumed).
      const body = await readBody(req);
      requests.push({ method, path, contentType: req.headers['content-type'], body });
      if (opts.latencyMs) await sleep(opts.latencyMs);
      const f = faultFor(method, path);
      if (f?.delayMs) await new Promise<void>((r) => timers.add(setTimeout(r, f.delayMs)));
      if (res.destroyed) return;
      if (f?.reset) return req.socket.destroy();
      if (f?.malformed) {
        res.writeHead(f.status ?? 200, { 'content-type': 'application/json' });
        return res.end('{"access_token": "eyJ');
      }
      if (f?.status) {
        const headers: Record<string, string> = f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {};
        if (isMgmt && f.status === 429) {
          // Contract (429): "Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers."
          const wait = typeof f.retryAfter === 'number' ? f.retryAfter : 1;
          Object.assign(headers, { 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + wait) });
        }
        if (typeof f.body === 'string') {
          res.writeHead(f.status, { 'content-type': 'application/json', ...headers });
          return res.end(f.body);
        }
        const dflt = isMgmt
          ? { statusCode: f.status, error: MGMT_ERROR[f.status] ?? 'Error', message: f.status === 429 ? 'Global limit has been reached' : 'Injected failure' }
          : { error: f.status === 429 ? 'too_many_requests' : f.status >= 500 ? 'server_error' : 'invalid_request', error_description: f.status === 429 ? 'Too many requests. Check the X-RateLimit-* headers.' : 'Injected failure' };
        return json(res, f.status, f.body ?? dflt, headers);
      }
      if (isMgmt) return management(req, res, path, u.searchParams, body);
      if (path === '/oauth/token' && method === 'POST' && /application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') === 'client_credentials' && !form.get('scope')) {
          const aud = form.get('audience') || mgmtAud;
          const granted = store.get(form.get('client_id') ?? '')?.grants[aud];
          if (granted?.length) form.set('scope', granted.join(' '));
        }
        (req as IncomingMessage & { body?: string }).body = form.toString();
      } else {
        (req as IncomingMessage & { body?: string }).body = body;
      }
      oidcCallback(req, res);
    })().catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: String((e as Error)?.message ?? e) });
    });
  });

  const appOf = (clientId: string): StandinClient => {
    const c = store.get(clientId);
    if (!c) throw new Error(`no stand-in client ${clientId}`);
    return c;
  };

  return {
    url,
    issuer,
    managementAudience: mgmtAud,
    apiAudience: API_AUDIENCE,
    clients: CLIENTS,
    requests,
    app: appOf,
    secretOf(clientId) {
      return appOf(clientId).client_secret;
    },
    rotateSecret(clientId) {
      const c = appOf(clientId);
      c.client_secret = newSecret();
      return c.client_secret;
    },
    fail(path, fault) {
      faults.push({ match: path, fault, left: fault.times ?? Infinity });
    },
    clearFaults() {
      faults.length = 0;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      restore();
    },
  };
}
