// A Postmark API stand-in on 127.0.0.1 (node:http), after Postmark's public API documentation (no copy in
// ../shared/specs): https://postmarkapp.com/developer/api/overview (X-Postmark-Server-Token; 401 for a wrong
// or missing token; error bodies {ErrorCode, Message}, ErrorCode 10 for a bad token) and
// https://postmarkapp.com/developer/api/server-api (GET /server → {ID, Name, …}). The exact Message texts
// are not from a recorded answer.
import { createServer } from 'node:http';
import { listenOnLoopback } from '../harness/processes.ts';

export const SERVERS = [
  { token: '0f8b2c4e-1a3d-4b5c-8d9e-0a1b2c3d4e5f', ID: 1234567, Name: 'acme-shop production' },
  { token: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', ID: 7654321, Name: 'acme-shop staging' },
];

export interface PostmarkStandin {
  url: string;
  requests: { method: string; path: string; token: string | undefined }[];
  /** The next answers are this status (and body) instead. */
  fail(status: number, body?: unknown, times?: number): void;
  close(): Promise<void>;
}

export async function startPostmark(): Promise<PostmarkStandin> {
  const requests: PostmarkStandin['requests'] = [];
  let fault: { status: number; body: unknown; times: number } | undefined;
  const server = createServer((req, res) => {
    const token = req.headers['x-postmark-server-token'] as string | undefined;
    requests.push({ method: req.method ?? '', path: req.url ?? '', token });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (fault && fault.times-- > 0) return send(fault.status, fault.body);
    if (req.method !== 'GET' || req.url !== '/server') return send(404, { ErrorCode: 404, Message: 'Not found' });
    const s = SERVERS.find((x) => x.token === token);
    if (!s) return send(401, { ErrorCode: 10, Message: token ? 'The Server API token you provided is not valid.' : 'No Account or Server API tokens were supplied in the HTTP headers.' });
    send(200, { ID: s.ID, Name: s.Name, ApiTokens: [s.token], Color: 'blue', SmtpApiActivated: true, DeliveryType: 'Live' });
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (status, body = { ErrorCode: 0, Message: 'Internal error' }, times = 1) => {
      fault = { status, body, times };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
