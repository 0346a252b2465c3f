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
