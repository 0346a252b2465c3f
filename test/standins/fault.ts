// What every stand-in can inject into its answers (each adds how it matches requests: method, path…).
export interface Fault {
  /** Answer with this status and the provider's error body for it (401, 403, 429, 500, 502, 503…). */
  status?: number;
  /** Retry-After header (seconds, or an HTTP date) on the answer. */
  retryAfter?: number | string;
  /** Wait this long first (then answer normally, or with `status`). */
  delayMs?: number;
  /** Reset the TCP connection instead of answering. */
  reset?: boolean;
  /** Answer `status` (default 200) with a body that is not valid JSON, as application/json. */
  malformed?: boolean;
  /** Replace the body (a string is sent as is). */
  body?: string | Record<string, unknown>;
  /** How many matching requests this applies to (default: every one until clearFaults()). */
  times?: number;
}
