import { keyMode } from '../../src/core/mask.ts';
import type { FrameworkId } from '../../src/core/project.ts';
import { type Values } from '../../src/core/provider.ts';
import { pastedValueProblem } from '../../src/core/schema.ts';
import { isLoopbackHost } from '../../src/core/urls.ts';

export const STRIPE_API = 'https://api.stripe.com';
export type Mode = 'test' | 'live';

/** A subscription app's usual set; STRIPE_WEBHOOK_EVENTS replaces it. */
export const DEFAULT_WEBHOOK_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const;

/**
 * Where the webhook route lives by default. File-routed frameworks put API routes under /api
 * (Next.js app/api/webhooks/stripe/route.ts, SvelteKit src/routes/api/webhooks/stripe/+server.ts, Astro
 * src/pages/api/webhooks/stripe.ts, Remix / React Router app/routes/api.webhooks.stripe.ts); server
 * frameworks mount plain routes.
 */
export const WEBHOOK_PATHS: Record<FrameworkId, string> = {
  nextjs: '/api/webhooks/stripe',
  sveltekit: '/api/webhooks/stripe',
  astro: '/api/webhooks/stripe',
  'react-router': '/api/webhooks/stripe',
  remix: '/api/webhooks/stripe',
  express: '/webhooks/stripe',
  hono: '/webhooks/stripe',
  fastify: '/webhooks/stripe',
  nestjs: '/webhooks/stripe',
  node: '/webhooks/stripe',
};

export const dashboard = (page: 'apikeys' | 'webhooks' | 'products', mode?: Mode) => `https://dashboard.stripe.com/${mode === 'test' ? 'test/' : ''}${page}`;

// --- format checks (no network) -------------------------------------------------------------------------

const KEY_SHAPE = /^(sk|rk|pk)_(test|live)_[0-9A-Za-z]{8,247}$/;

/** What else a pasted value is, when it is a Stripe id or secret of another kind. */
function otherKind(v: string): string | undefined {
  if (v.startsWith('whsec_')) return 'a webhook signing secret (whsec_…)';
  if (v.startsWith('we_')) return 'a webhook endpoint id (we_…), not a key';
  if (v.startsWith('acct_')) return 'an account id (acct_…), not a key';
  if (v.startsWith('price_')) return 'a price id (price_…), not a key';
  if (v.startsWith('prod_')) return 'a product id (prod_…), not a key';
  if (v.startsWith('sk_org_')) return 'an organization key (sk_org_…), which needs a Stripe-Context for every call';
  return undefined;
}

export function secretKeyProblem(v: string): string | undefined {
  const k = 'STRIPE_SECRET_KEY';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^pk_(test|live)_/.test(v)) return `${k} is the publishable key (pk_…): use the secret key (sk_…) from the same page`;
  if (v.startsWith('whsec_')) return `${k} is a webhook signing secret (whsec_…), which belongs in STRIPE_WEBHOOK_SECRET: the secret key starts with sk_`;
  const other = otherKind(v);
  if (other) return `${k} is ${other}: the secret key starts with sk_test_ or sk_live_`;
  if (/^(sk|rk)_(test|live)_/.test(v)) {
    if (KEY_SHAPE.test(v)) return undefined;
    return `${k} looks cut off or has characters a Stripe key never has (after ${v.slice(0, 8)} only letters and digits)`;
  }
  if (/^(sk|rk)_/.test(v)) return `${k} must continue with test_ or live_ (sk_test_… / sk_live_…)`;
  return `${k} must start with sk_test_ or sk_live_ (a restricted key: rk_test_ / rk_live_)`;
}

export function publishableKeyProblem(v: string): string | undefined {
  const k = 'STRIPE_PUBLISHABLE_KEY';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (/^(sk|rk)_(test|live)_/.test(v)) return `${k} is a secret key (${v.slice(0, 3)}…), which must never reach a browser: use the publishable key (pk_…)`;
  const other = otherKind(v);
  if (other) return `${k} is ${other}: the publishable key starts with pk_test_ or pk_live_`;
  if (/^pk_(test|live)_/.test(v)) return KEY_SHAPE.test(v) ? undefined : `${k} looks cut off or has characters a Stripe key never has`;
  return `${k} must start with pk_test_ or pk_live_`;
}

export function webhookSecretProblem(v: string): string | undefined {
  const k = 'STRIPE_WEBHOOK_SECRET';
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (v.startsWith('we_')) return `${k}: that is the webhook endpoint id; the signing secret starts with whsec_`;
  if (/^(sk|rk|pk)_(test|live)_/.test(v)) return `${k} is an API key (${v.slice(0, 3)}…), not a signing secret: the signing secret starts with whsec_`;
  if (v.startsWith('whsec_')) return /^whsec_[A-Za-z0-9+/=]{16,}$/.test(v) ? undefined : `${k} looks cut off (whsec_ followed by letters and digits)`;
  return `${k} must start with whsec_ (Developers → Webhooks → the endpoint → Signing secret)`;
}

export function webhookPathProblem(v: string): string | undefined {
  const k = 'STRIPE_WEBHOOK_PATH';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v.trim())) return `${k} is a path, not a URL: the host comes from APP_URL (e.g. /api/webhooks/stripe)`;
  const s = pastedValueProblem(k, v);
  if (s) return s;
  if (!v.startsWith('/')) return `${k} must start with "/" (e.g. /api/webhooks/stripe)`;
  if (v.startsWith('//')) return `${k} must not start with "//"`;
  if (/[?#]/.test(v)) return `${k} must not carry a query or fragment`;
  if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/.test(v)) return `${k} has characters a URL path cannot carry unescaped`;
  return undefined;
}

const EVENT_TYPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

export function webhookEventsProblem(v: string): string | undefined {
  const k = 'STRIPE_WEBHOOK_EVENTS';
  const list = v.split(',').map((s) => s.trim());
  if (list.some((s) => !s)) return `${k} is a comma-separated list of event types, without empty entries`;
  if (list.includes('*') && list.length > 1) return `${k}: "*" already means every event; give it alone or list event types`;
  const bad = list.find((e) => e !== '*' && !EVENT_TYPE.test(e));
  if (bad) return `${k}: "${bad.slice(0, 60)}" is not a Stripe event type (e.g. invoice.paid)`;
  return undefined;
}

export function priceIdProblem(key: string, v: string): string | undefined {
  const s = pastedValueProblem(key, v);
  if (s) return s;
  if (v.startsWith('prod_')) return `${key} is a product id (prod_…): use the id of one of its prices (price_…)`;
  if (/^(sk|rk|pk)_(test|live)_/.test(v) || v.startsWith('whsec_')) return `${key} holds a key or secret, not a price id (price_…)`;
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(v)) return `${key} is not a price id (price_…)`;
  return undefined;
}

export const PRICE_KEY = /^STRIPE_PRICE_[A-Z0-9_]+$/;

/** The STRIPE_PRICE_* entries among the values, sorted by key. */
export function priceEntries(values: Values): [string, string][] {
  return Object.entries(values)
    .filter(([k, v]) => PRICE_KEY.test(k) && v !== '')
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The environment of a key that passed the format checks. */
export const modeOf = (key: string): Mode => keyMode(key) ?? 'test';

export function webhookPathFor(values: Values, framework: FrameworkId): string {
  return values.STRIPE_WEBHOOK_PATH || WEBHOOK_PATHS[framework] || '/webhooks/stripe';
}
export function webhookEvents(values: Values): string[] {
  const v = values.STRIPE_WEBHOOK_EVENTS?.trim();
  return v ? v.split(',').map((s) => s.trim()) : [...DEFAULT_WEBHOOK_EVENTS];
}
export function webhookUrl(appUrl: string, path: string): string {
  return `${appUrl.replace(/\/+$/, '')}${path}`;
}
export function isLocalUrl(url: string): boolean {
  try {
    const h = new URL(url).hostname;
    return isLoopbackHost(h) || h === '0.0.0.0';
  } catch {
    return false;
  }
}
export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/**
 * The Stripe CLI route for a local APP_URL. `--print-secret` prints the secret and exits without
 * forwarding (stripe-cli pkg/cmd/listen.go: "Only print the webhook signing secret and exit"), so it is a
 * command of its own; the secret is tied to the CLI's device and account and stays the same between runs.
 */
export function listenCommands(appUrl: string, path: string, events: string[]): { printSecret: string; forward: string } {
  const u = new URL(appUrl);
  const target = `${u.host}${u.pathname.replace(/\/+$/, '')}${path}`;
  const only = events.length && !events.includes('*') ? ` --events ${events.join(',')}` : '';
  return { printSecret: 'stripe listen --print-secret', forward: `stripe listen --forward-to ${target}${only}` };
}

/** The same, as next steps: copy-pasteable lines (the explanation is a shell comment). */
export function listenSteps(appUrl: string, path: string, events: string[]): string[] {
  const { printSecret, forward } = listenCommands(appUrl, path, events);
  return [`${printSecret}   # put the whsec_… it prints in STRIPE_WEBHOOK_SECRET`, `${forward}   # while the app runs locally`];
}
