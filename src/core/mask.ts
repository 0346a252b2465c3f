// Secret masking for everything shown to a person: previews, identities, error lines.

/** `••••a1b2` for long secrets; short ones show nothing of themselves. */
export function mask(value: string): string {
  if (!value) return '';
  return value.length >= 16 ? `••••${value.slice(-4)}` : '••••';
}

/** A connection URL with its password masked (user, host and database stay readable). */
export function maskUrl(value: string): string {
  try {
    const u = new URL(value);
    if (!u.password) return value;
    u.password = 'PASSWORD';
    return u.toString().replace(':PASSWORD@', ':••••@');
  } catch {
    return mask(value);
  }
}

/** How a secret value is shown: URLs keep everything but the password. */
export function maskSecret(value: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? maskUrl(value) : mask(value);
}

/** The strings that must never appear in output for a secret value (itself, its password, escaped forms). */
export function secretNeedles(value: string): string[] {
  const out = new Set<string>();
  if (value.length >= 4) out.add(value);
  if (value.includes('\n')) out.add(value.replace(/\n/g, '\\n'));
  try {
    const u = new URL(value);
    // Short passwords are local defaults (app, postgres): as needles they would garble ordinary words.
    if (u.password.length >= 6) {
      out.add(u.password);
      out.add(decodeURIComponent(u.password));
    }
  } catch {
    /* not a URL */
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replace every occurrence of any secret in `text` with its masked form. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    for (const needle of secretNeedles(s)) {
      const shown = needle === s || needle === s.replace(/\n/g, '\\n') ? maskSecret(s) : '••••';
      out = out.split(needle).join(shown);
    }
  }
  return out;
}

export type KeyMode = 'test' | 'live';

/** The environment a prefixed API key names (sk_test_…, pk_live_…, rk_test_…); undefined without such a prefix. */
export const keyMode = (key: string): KeyMode | undefined => /^(?:sk|rk|pk)_(test|live)_/.exec(key)?.[1] as KeyMode | undefined;

/** "sk_test_••••abcd": a prefixed key's kind and environment, and the last four; never more. */
export const maskKey = (key: string): string => `${/^[a-z]{2}_(test|live)_/.exec(key)?.[0] ?? ''}${mask(key)}`;
