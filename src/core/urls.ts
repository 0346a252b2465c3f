// URL rules shared by every provider: plain http only for loopback hosts, https otherwise;
// API base URLs overridable through PROD_READY_<ID>_URL.
import { UsageError } from './errors.ts';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Why an http(s) URL is not acceptable, or undefined when it is. */
export function httpUrlProblem(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `"${clip(value)}" is not a URL: it needs a scheme, e.g. https://example.com`;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `"${clip(value)}" is not a valid URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `${u.protocol.slice(0, -1)}:// is not supported here: use https://`;
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname))
    return `plain http is only accepted for localhost; use https://${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  if (u.username || u.password) return 'the URL must not carry a user name or password';
  return undefined;
}

/** An origin-only URL (scheme://host[:port]) without a trailing slash. */
export function originOf(value: string): string {
  return new URL(value).origin;
}

export function overrideVar(id: string): string {
  return `PROD_READY_${id.toUpperCase()}_URL`;
}

/** The API base URL for a provider: PROD_READY_<ID>_URL when set (and valid), else the default. */
export function apiBaseUrl(id: string, defaultUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const name = overrideVar(id);
  const v = env[name]?.trim();
  if (!v) return defaultUrl;
  const problem = httpUrlProblem(v);
  if (problem) throw new UsageError(`${name}: ${problem}`);
  return v.replace(/\/+$/, '');
}

function clip(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
