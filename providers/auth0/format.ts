import { foreignCredentialProblem, pastedValueProblem } from '../../src/core/schema.ts';
import { httpUrlProblem, isLoopbackHost } from '../../src/core/urls.ts';

// --- format checks --------------------------------------------------------------------------------------

/** `https://Acme.us.auth0.com/authorize/` → `acme.us.auth0.com` (scheme, path, query and slashes dropped). */
export function normaliseDomain(v: string): string {
  return v
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/[/?#].*$/s, '')
    .toLowerCase();
}

export function domainProblem(raw: string): string | undefined {
  const k = 'AUTH0_DOMAIN';
  const v = raw.trim();
  if (!v) return `${k} is empty`;
  if (/^["'`]|["'`]$/.test(v)) return `${k} is wrapped in quotes: paste the value without them`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(v)?.[1]?.toLowerCase();
  if (scheme && scheme !== 'https' && scheme !== 'http') return `${k} must be a domain like acme.us.auth0.com (not a ${scheme}:// URL)`;
  const host = normaliseDomain(v);
  if (!host) return `${k} has no host: give the tenant domain, e.g. acme.us.auth0.com`;
  if (host.includes('@')) return `${k} must not carry a user name or password`;
  if (/\s/.test(host)) return `${k} contains a space: paste the domain alone`;
  let u: URL;
  try {
    u = new URL(`https://${host}`);
  } catch {
    return `${k} "${host.slice(0, 60)}" is not a valid domain (e.g. acme.us.auth0.com)`;
  }
  if (u.host !== host) return `${k} "${host.slice(0, 60)}" is not a valid domain (e.g. acme.us.auth0.com)`;
  if (scheme === 'http' && !isLoopbackHost(u.hostname)) return `${k}: Auth0 is only reachable over https; give the domain alone, e.g. ${u.hostname}`;
  if (!u.hostname.includes('.') && !isLoopbackHost(u.hostname)) return `${k} "${host}" is not a full domain: it looks like acme.us.auth0.com (Applications → your app → Settings → Domain)`;
  return undefined;
}

export function clientIdProblem(v: string): string | undefined {
  const k = 'AUTH0_CLIENT_ID';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^https?:\/\//i.test(v) || v.includes('.auth0.com')) return `${k} is a URL or domain; the Client ID is a string of letters and digits (Applications → your app → Settings)`;
  if (!/^[A-Za-z0-9_-]{8,128}$/.test(v)) return `${k} has characters an Auth0 Client ID never has (letters, digits, - and _ only)`;
  return foreignCredentialProblem(k, v);
}

export function clientSecretProblem(v: string): string | undefined {
  const k = 'AUTH0_CLIENT_SECRET';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (v.length < 16) return `${k} looks cut off (an Auth0 client secret is 64 characters)`;
  return foreignCredentialProblem(k, v);
}

export function audienceProblem(v: string): string | undefined {
  const k = 'AUTH0_AUDIENCE';
  if (v === '') return undefined;
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    try {
      new URL(v);
    } catch {
      return `${k} "${v.slice(0, 60)}" is not a valid URL (the API Identifier, e.g. https://api.example.com)`;
    }
  }
  return foreignCredentialProblem(k, v);
}

export function appBaseUrlProblem(v: string): string | undefined {
  if (v === '') return undefined;
  const p = httpUrlProblem(v);
  if (p) return `APP_BASE_URL: ${p}`;
  if (/\/$/.test(v) && new URL(v).pathname !== '/') return 'APP_BASE_URL must not end with a slash';
  return undefined;
}
