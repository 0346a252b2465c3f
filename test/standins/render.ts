// A Render public API stand-in on 127.0.0.1 (node:http), built from ../shared/specs/render/openapi.json:
// Bearer auth, `/v1` paths, cursor pagination (`limit` 1–100, default 20; `cursor` = the last row's cursor),
// list rows wrapped as `[{owner, cursor}]`, `[{service, cursor}]`, `[{envVar, cursor}]`, errors as
// `{id, message}`. Stateful: services with their env vars and deploys.
//
// Implemented: GET /v1/owners, GET /v1/services (name, ownerId, type filters; includePreviews accepted),
// GET /v1/services/{id}, GET /v1/services/{id}/env-vars, PUT /v1/services/{id}/env-vars (the DESTRUCTIVE bulk
// replace, as the contract describes it, so tests can prove it is never called), PUT/GET/DELETE
// /v1/services/{id}/env-vars/{key}, POST /v1/services/{id}/deploys, GET /v1/services/{id}/deploys/{deployId}.
// A deploy advances one status per GET through `deploySteps` (default queued → build_in_progress →
// update_in_progress → live).
//
// AMBIGUOUS (the contract gives the shape, not the text): error `id`/`message` wording (e.g. 401 "unauthorized"),
// whether a cursor is per row or per page (here: per row, the row's id), 202 vs 201 on POST deploys (here 201
// with the deploy; `queued: true` answers 202 without a body).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Fault as BaseFault } from './fault.ts';
import { listenOnLoopback } from '../harness/processes.ts';

export const RENDER_KEY = 'rnd_StandinKey0000000000000001';
export const OTHER_KEY = 'rnd_StandinKey0000000000000002';

export type DeployStatus =
  | 'created' | 'queued' | 'build_in_progress' | 'update_in_progress' | 'live' | 'deactivated'
  | 'build_failed' | 'update_failed' | 'canceled' | 'pre_deploy_in_progress' | 'pre_deploy_failed';

export interface StandinOwner {
  id: string;
  name: string;
  email: string;
  type: 'user' | 'team';
}
export interface StandinService {
  id: string;
  name: string;
  ownerId: string;
  type: 'web_service' | 'background_worker' | 'private_service' | 'static_site' | 'cron_job';
  region?: string;
  plan?: string;
  suspended?: 'suspended' | 'not_suspended';
  /** Ordered like Render keeps them. */
  envVars: { key: string; value: string }[];
  deploys: Map<string, { id: string; status: DeployStatus; steps: DeployStatus[]; createdAt: string }>;
}

export interface ServiceSeed {
  id?: string;
  name: string;
  ownerId?: string;
  type?: StandinService['type'];
  region?: string;
  plan?: string;
  suspended?: 'suspended' | 'not_suspended';
  envVars?: Record<string, string>;
}

export interface RenderOptions {
  /** Accepted API keys (default: RENDER_KEY, OTHER_KEY). */
  keys?: string[];
  owners?: StandinOwner[];
  services?: ServiceSeed[];
  /** Status sequence each new deploy goes through, one step per GET (default queued, build_in_progress, update_in_progress, live). */
  deploySteps?: DeployStatus[];
  /** POST /deploys answers 202 without a body (a deploy is already running). */
  queued?: boolean;
  /** Added before every response. */
  latencyMs?: number;
}

export interface Fault extends BaseFault {
  /** Only requests with this method (default: any). */
  method?: string;
  /** Only requests to this path (default: any). */
  path?: string | RegExp;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  auth: string | undefined;
  body: unknown;
}

export interface RenderStandin {
  url: string;
  port: number;
  state: { owners: StandinOwner[]; services: Map<string, StandinService> };
  requests: RecordedRequest[];
  fail(fault: Fault): void;
  clearFaults(): void;
  /** Forget recorded requests. */
  reset(): void;
  /** Replace the steps new deploys go through. */
  setDeploySteps(steps: DeployStatus[]): void;
  stop(): Promise<void>;
}

const id = (prefix: string) => `${prefix}-${randomBytes(10).toString('hex')}`;
const now = () => new Date().toISOString();

export async function startRender(opts: RenderOptions = {}): Promise<RenderStandin> {
  const keys = new Set(opts.keys ?? [RENDER_KEY, OTHER_KEY]);
  const owners: StandinOwner[] = opts.owners ?? [{ id: 'tea-standin0001', name: 'Acme', email: 'ops@acme.test', type: 'team' }];
  const services = new Map<string, StandinService>();
  for (const s of opts.services ?? []) {
    const sid = s.id ?? id('srv');
    services.set(sid, {
      id: sid,
      name: s.name,
      ownerId: s.ownerId ?? owners[0]!.id,
      type: s.type ?? 'web_service',
      region: s.region ?? 'oregon',
      plan: s.plan ?? 'starter',
      suspended: s.suspended ?? 'not_suspended',
      envVars: Object.entries(s.envVars ?? {}).map(([key, value]) => ({ key, value })),
      deploys: new Map(),
    });
  }
  let deploySteps: DeployStatus[] = opts.deploySteps ?? ['queued', 'build_in_progress', 'update_in_progress', 'live'];
  let faults: (Fault & { left: number })[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const serviceJson = (s: StandinService) => ({
    id: s.id,
    name: s.name,
    ownerId: s.ownerId,
    type: s.type,
    autoDeploy: 'yes',
    branch: 'main',
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    dashboardUrl: `https://dashboard.render.com/web/${s.id}`,
    notifyOnFail: 'default',
    repo: 'https://github.com/acme/shop',
    rootDir: '',
    slug: s.name,
    suspended: s.suspended,
    suspenders: s.suspended === 'suspended' ? ['user'] : [],
    serviceDetails: { env: 'node', runtime: 'node', plan: s.plan, region: s.region, numInstances: 1, healthCheckPath: '/healthz', url: `https://${s.name}.onrender.com` },
  });
  const deployJson = (d: { id: string; status: DeployStatus; createdAt: string }) => ({ id: d.id, status: d.status, trigger: 'api', createdAt: d.createdAt, updatedAt: now(), ...(d.status === 'live' ? { finishedAt: now() } : {}) });

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...(text ? {} : { 'content-length': '0' }), ...headers });
    res.end(text);
  };
  const error = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) => send(res, status, { id: randomBytes(8).toString('hex'), message }, headers);

  /** Cursor pagination over rows: `[{[field]: item, cursor}]`. */
  function page<T>(res: ServerResponse, q: Record<string, string>, items: T[], field: string, cursorOf: (t: T) => string) {
    const limit = q.limit === undefined ? 20 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(res, 400, 'limit must be between 1 and 100');
    let start = 0;
    if (q.cursor) {
      const i = items.findIndex((t) => cursorOf(t) === q.cursor);
      if (i < 0) return error(res, 400, 'invalid cursor');
      start = i + 1;
    }
    send(res, 200, items.slice(start, start + limit).map((t) => ({ [field]: t, cursor: cursorOf(t) })));
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://x');
    const path = u.pathname;
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(u.searchParams);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    requests.push({ method, path, query, auth: req.headers.authorization, body });
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));

    const fault = faults.find((f) => f.left > 0 && (!f.method || f.method === method) && (!f.path || (typeof f.path === 'string' ? path.startsWith(f.path) : f.path.test(path))));
    if (fault) {
      fault.left--;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.reset) return req.socket.destroy();
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
      if (fault.malformed) return send(res, fault.status ?? 200, '{"oops": <html>', headers);
      if (fault.status) {
        if (fault.body !== undefined) return send(res, fault.status, fault.body, headers);
        const msg: Record<number, string> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not found', 429: 'rate limit exceeded', 500: 'internal server error', 503: 'service unavailable' };
        return error(res, fault.status, msg[fault.status] ?? 'error', headers);
      }
    }

    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!auth || !keys.has(auth)) return error(res, 401, 'unauthorized');
    if (req.headers.accept && !/json|\*\/\*/.test(req.headers.accept)) return error(res, 406, 'not acceptable');

    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/v1/owners') {
      let list = owners;
      if (query.name) list = list.filter((o) => o.name === query.name);
      if (query.email) list = list.filter((o) => o.email === query.email);
      return page(res, query, list, 'owner', (o) => o.id);
    }
    if (method === 'GET' && path === '/v1/services') {
      let list = [...services.values()];
      const csv = (k: string) => (query[k] ? query[k]!.split(',') : undefined);
      const names = csv('name');
      const ownerIds = csv('ownerId');
      const types = csv('type');
      if (names) list = list.filter((s) => names.includes(s.name));
      if (ownerIds) list = list.filter((s) => ownerIds.includes(s.ownerId));
      if (types) list = list.filter((s) => types.includes(s.type));
      return page(res, query, list.map(serviceJson), 'service', (s) => s.id);
    }
    if ((m = /^\/v1\/services\/([^/]+)(\/.*)?$/.exec(path))) {
      const s = services.get(decodeURIComponent(m[1]!));
      if (!s) return error(res, 404, 'service not found');
      const rest = m[2] ?? '';
      if (method === 'GET' && rest === '') return send(res, 200, serviceJson(s));
      if (rest === '/env-vars') {
        if (method === 'GET') return page(res, query, s.envVars.map((e) => ({ ...e })), 'envVar', (e) => e.key);
        if (method === 'PUT') {
          // The bulk replace: every variable not in the body is DELETED (the contract's envVarInputArray).
          if (!Array.isArray(body)) return error(res, 400, 'body must be an array of env vars');
          s.envVars = (body as { key: string; value?: string; generateValue?: boolean }[]).map((e) => ({ key: e.key, value: e.value ?? randomBytes(16).toString('base64url') }));
          return page(res, { limit: '100' }, s.envVars.map((e) => ({ ...e })), 'envVar', (e) => e.key);
        }
      }
      if ((m = /^\/env-vars\/([^/]+)$/.exec(rest))) {
        const key = decodeURIComponent(m[1]!);
        const at = s.envVars.findIndex((e) => e.key === key);
        if (method === 'GET') return at < 0 ? error(res, 404, 'env var not found') : send(res, 200, { ...s.envVars[at]! });
        if (method === 'DELETE') {
          if (at < 0) return error(res, 404, 'env var not found');
          s.envVars.splice(at, 1);
          return send(res, 204, undefined);
        }
        if (method === 'PUT') {
          const b = body as { value?: unknown; generateValue?: unknown } | undefined;
          if (!b || typeof b !== 'object' || (typeof b.value !== 'string' && b.generateValue !== true)) return error(res, 400, 'value must be a string');
          const value = typeof b.value === 'string' ? b.value : randomBytes(16).toString('base64url');
          if (at < 0) s.envVars.push({ key, value });
          else s.envVars[at] = { key, value };
          return send(res, 200, { key, value });
        }
      }
      if (rest === '/deploys' && method === 'POST') {
        const b = (body ?? {}) as { clearCache?: unknown };
        if (b.clearCache !== undefined && b.clearCache !== 'clear' && b.clearCache !== 'do_not_clear') return error(res, 400, 'clearCache must be clear or do_not_clear');
        if (opts.queued) return send(res, 202, undefined);
        const d = { id: id('dep'), status: 'created' as DeployStatus, steps: [...deploySteps], createdAt: now() };
        s.deploys.set(d.id, d);
        return send(res, 201, deployJson(d));
      }
      if ((m = /^\/deploys\/([^/]+)$/.exec(rest)) && method === 'GET') {
        const d = s.deploys.get(decodeURIComponent(m[1]!));
        if (!d) return error(res, 404, 'deploy not found');
        const next = d.steps.shift();
        if (next) d.status = next;
        return send(res, 200, deployJson(d));
      }
    }
    return error(res, 404, 'not found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) error(res, 500, String(e));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listenOnLoopback(server);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state: { owners, services },
    requests,
    fail(f) {
      faults.push({ ...f, left: f.times ?? Infinity });
    },
    clearFaults() {
      faults = [];
    },
    reset() {
      requests.length = 0;
    },
    setDeploySteps(steps) {
      deploySteps = steps;
    },
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
