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
  // URL parsing drops these silently; the value would be written with them
  if (/\s/.test(value)) return 'the URL contains a space or a line break: paste it alone';
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

/**
 * The checks every connection-string variable shares (DATABASE_URL, REDIS_URL, …): no stray spaces,
 * one of the schemes, a port in range, a parseable URL with a host, well-formed %-escapes. Returns the
 * parsed URL, or the one-line problem. The value itself is never echoed: it may hold a password.
 */
export function connectionUrl(key: string, value: string, schemes: string[], shape: string): URL | string {
  const v = value.trim();
  if (v !== value) return `${key} has leading or trailing spaces`;
  if (/\s/.test(v)) return `${key} contains a space or a line break: percent-encode it (%20) if it is part of the password`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v);
  if (!scheme) return `${key} must be a URL like ${shape}`;
  const proto = scheme[1]!.toLowerCase();
  if (!schemes.includes(proto)) return `${key} must start with ${schemes.map((s) => `${s}://`).join(' or ')} (not ${proto}://)`;
  // The port is checked before URL parsing: WHATWG URL rejects out-of-range ports with a generic error.
  const authority = /^[^:]+:\/\/([^/?#]*)/.exec(v)?.[1] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const portText = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort)?.[1];
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText)) return `${key} port must be a number between 1 and 65535`;
    const n = Number(portText);
    if (n < 1 || n > 65535) return `${key} port must be between 1 and 65535 (got ${n})`;
  }
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `${key} is not a valid URL (${shape}); percent-encode special characters in the password (@ : / ? # %)`;
  }
  if (authority.includes(',')) return `${key} lists several hosts; give a single host`;
  if (!u.hostname) return `${key} has no host: ${shape}`;
  try {
    decodeURIComponent(u.username);
    decodeURIComponent(u.password);
    decodeURIComponent(u.pathname);
  } catch {
    return `${key} has a malformed %-escape in the user name, password or path`;
  }
  return u;
}
