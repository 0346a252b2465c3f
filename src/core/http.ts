// Small pieces every HTTP provider shares.

/** A Retry-After header (seconds, or an HTTP date) as milliseconds to wait; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | null | undefined): number | undefined {
  const v = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
