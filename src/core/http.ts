// Small pieces every HTTP provider shares.
import { setTimeout as sleep } from 'node:timers/promises';

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
 * when `signal` aborts.
 */
export async function backOffOn429(budget: { budgetMs: number }, signal: AbortSignal, attempt: number, askedMs: number | undefined, maxRetries = 2): Promise<boolean> {
  const wait = askedMs ?? 500 * 2 ** attempt;
  if (attempt >= maxRetries || wait > budget.budgetMs) return false;
  budget.budgetMs -= wait;
  await sleep(wait, undefined, { signal });
  return true;
}

/**
 * Where a provider's API is reached: its default origin, or the PROD_READY_<ID>_URL override (a path on it
 * is a proxy prefix; `dropVersion` removes a trailing /v1 for clients whose request paths carry it).
 */
export function apiTarget(baseUrl: string, defaultOrigin: string, dropVersion = false): { base: string; where: string; overridden: boolean } {
  const u = new URL(baseUrl.replace(/\/+$/, ''));
  const path = u.pathname.replace(/\/+$/, '');
  const prefix = dropVersion ? path.replace(/\/v1$/, '') : path;
  return { base: `${u.origin}${prefix}`, where: `${u.host}${prefix}`, overridden: u.origin !== defaultOrigin || prefix !== '' };
}

/** What one check's requests share: where they go, the key, the signal, and the time they may take. */
export interface ApiClient {
  base: string;
  where: string;
  overridden: boolean;
  key: string;
  signal: AbortSignal;
  /** Per request. */
  timeoutMs: number;
  /** Waiting on rate limits, shared by all requests (see backOffOn429). */
  budgetMs: number;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

/**
 * One HTTP(S) request, its answer read whole. node:http rather than fetch: a socket idle for `timeoutMs`
 * fails with ETIMEDOUT, and network errors keep their codes (ENOTFOUND, ECONNRESET, the TLS ones) for the
 * providers' one-line messages. `signal` aborts it.
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
