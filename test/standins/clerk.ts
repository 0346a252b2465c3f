// A Clerk Backend API stand-in on 127.0.0.1 (node:http), shaped after ../shared/specs/clerk/bapi-2026-05-12.yml:
//   GET /v1/instance → Instance {object:"instance", id, environment_type, allowed_origins, workspace_id}
//   GET /v1/domains  → Domains {data: Domain[], total_count}
// Auth: `Authorization: Bearer <secret key>`; each accepted key maps to one instance. Errors use the
// contract's ClerkErrors body {errors:[{message,long_message,code}], clerk_trace_id}. The contract gives no
// example error bodies: the codes/messages below (authentication_invalid, authorization_invalid,
// resource_not_found, too_many_requests, internal_clerk_error) are Clerk's usual wording, not verified.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Fault } from './fault.ts';
import { listenOnLoopback } from '../harness/processes.ts';

export interface StandinDomain {
  name: string;
  is_satellite?: boolean;
  frontend_api_url: string;
  accounts_portal_url?: string | null;
  proxy_url?: string | null;
}

export interface StandinInstance {
  id: string;
  environment_type: 'development' | 'production';
  secretKey: string;
  publishableKey: string;
  /** The Frontend API host the publishable key encodes. */
  frontendHost: string;
  allowed_origins: string[] | null;
  domains: StandinDomain[];
}

/** pk_<mode>_ + base64(host + "$"), as Clerk builds it (clerk/javascript packages/shared/src/keys.ts). */
export const publishableKeyFor = (host: string, mode: 'test' | 'live'): string => `pk_${mode}_${Buffer.from(`${host}$`).toString('base64')}`;

const DEV_HOST = 'happy-hippo-42.clerk.accounts.dev';
const PROD_HOST = 'clerk.acme-shop.com';

export const KEYS = {
  devSecret: 'sk_test_DevInstanceStandinKey0000000000000001',
  devPublishable: publishableKeyFor(DEV_HOST, 'test'),
  prodSecret: 'sk_live_ProdInstanceStandinKey000000000000001',
  prodPublishable: publishableKeyFor(PROD_HOST, 'live'),
  /** A second development instance: its publishable key with devSecret is a mismatched pair. */
  otherDevSecret: 'sk_test_OtherDevInstanceStandinKey00000000001',
  otherDevPublishable: publishableKeyFor('brave-otter-7.clerk.accounts.dev', 'test'),
} as const;

export function defaultInstances(): StandinInstance[] {
  return [
    {
      id: 'ins_2DevStandin0000000000000001',
      environment_type: 'development',
      secretKey: KEYS.devSecret,
      publishableKey: KEYS.devPublishable,
      frontendHost: DEV_HOST,
      allowed_origins: ['http://localhost:3000'],
      domains: [{ name: DEV_HOST, frontend_api_url: `https://${DEV_HOST}`, accounts_portal_url: 'https://happy-hippo-42.accounts.dev' }],
    },
    {
      id: 'ins_2ProdStandin000000000000001',
      environment_type: 'production',
      secretKey: KEYS.prodSecret,
      publishableKey: KEYS.prodPublishable,
      frontendHost: PROD_HOST,
      allowed_origins: ['https://acme-shop.com'],
      domains: [{ name: 'acme-shop.com', frontend_api_url: `https://${PROD_HOST}`, accounts_portal_url: 'https://accounts.acme-shop.com' }],
    },
    {
      id: 'ins_2OtherDevStandin00000000001',
      environment_type: 'development',
      secretKey: KEYS.otherDevSecret,
      publishableKey: KEYS.otherDevPublishable,
      frontendHost: 'brave-otter-7.clerk.accounts.dev',
      allowed_origins: null,
      domains: [{ name: 'brave-otter-7.clerk.accounts.dev', frontend_api_url: 'https://brave-otter-7.clerk.accounts.dev' }],
    },
  ];
}

export type { Fault } from './fault.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The bearer token as sent (test memory only). */
  key: string | undefined;
}

export interface ClerkStandinOptions {
  instances?: StandinInstance[];
  /** Added before every response. */
  latencyMs?: number;
}

export interface ClerkStandin {
  url: string;
  port: number;
  instances: StandinInstance[];
  requests: RecordedRequest[];
  requestsTo(path: string): RecordedRequest[];
  fail(path: string | RegExp, fault: Fault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

const ERRORS: Record<number, { message: string; long_message: string; code: string }> = {
  400: { message: 'Bad request', long_message: 'The request was malformed', code: 'bad_request' },
  401: { message: 'Invalid authentication', long_message: 'Unable to authenticate the request, you need to supply an active API key', code: 'authentication_invalid' },
  403: { message: 'Unauthorized request', long_message: 'You are not authorized to perform this request', code: 'authorization_invalid' },
  404: { message: 'not found', long_message: 'Resource not found', code: 'resource_not_found' },
  422: { message: 'is invalid', long_message: 'The request parameters are invalid', code: 'form_param_format_invalid' },
  429: { message: 'Too many requests', long_message: 'Too many requests, please retry later', code: 'too_many_requests' },
  500: { message: 'Oops, an unexpected error occurred', long_message: 'There was an internal error on our servers', code: 'internal_clerk_error' },
};

const errorBody = (status: number) => ({
  errors: [ERRORS[status] ?? ERRORS[status >= 500 ? 500 : 400]!],
  clerk_trace_id: randomBytes(16).toString('hex'),
});

export async function startClerk(opts: ClerkStandinOptions = {}): Promise<ClerkStandin> {
  const instances = opts.instances ?? defaultInstances();
  const requests: RecordedRequest[] = [];
  const faults: { match: string | RegExp; fault: Fault; left: number }[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const auth = req.headers.authorization;
    const key = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    requests.push({ method: req.method ?? 'GET', path, key });
    if (opts.latencyMs) await sleep(opts.latencyMs);

    const f = faults.find((x) => x.left > 0 && (typeof x.match === 'string' ? x.match === path : x.match.test(path)));
    if (f) {
      f.left--;
      const { fault } = f;
      if (fault.delayMs) await sleep(fault.delayMs);
      if (res.destroyed) return;
      if (fault.reset) {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
      if (fault.malformed) return send(res, fault.status ?? 200, typeof fault.body === 'string' ? fault.body : '{"object":"instance", "id": ', headers);
      if (fault.body !== undefined) return send(res, fault.status ?? 200, fault.body, headers);
      if (fault.status) return send(res, fault.status, errorBody(fault.status), headers);
    }

    const inst = instances.find((i) => i.secretKey === key);
    if (!inst) return send(res, 401, errorBody(401));
    if (req.method !== 'GET') return send(res, 405, errorBody(400));
    if (path === '/v1/instance')
      return send(res, 200, { object: 'instance', id: inst.id, environment_type: inst.environment_type, allowed_origins: inst.allowed_origins, workspace_id: 'org_2StandinWorkspace0001' });
    if (path === '/v1/domains')
      return send(res, 200, {
        data: inst.domains.map((d, i) => ({
          object: 'domain',
          id: `dmn_${inst.id.slice(4)}${i}`,
          name: d.name,
          is_satellite: d.is_satellite ?? false,
          frontend_api_url: d.frontend_api_url,
          accounts_portal_url: d.accounts_portal_url ?? null,
          proxy_url: d.proxy_url ?? null,
          development_origin: inst.environment_type === 'development' ? 'http://localhost:3000' : '',
          cname_targets: null,
        })),
        total_count: inst.domains.length,
      });
    return send(res, 404, errorBody(404));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, errorBody(500));
    });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    instances,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    fail(path, fault) {
      faults.push({ match: path, fault, left: fault.times ?? Infinity });
    },
    clearFaults() {
      faults.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
