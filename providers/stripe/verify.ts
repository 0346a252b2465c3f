import type StripeSDK from 'stripe';
import { VerifyError } from '../../src/core/errors.ts';
import { maskKey } from '../../src/core/mask.ts';
import { type Action, type Io, type Values, type Verified } from '../../src/core/provider.ts';
import { httpUrlProblem } from '../../src/core/urls.ts';
import { createEndpointAction, replaceEndpointAction } from './actions.ts';
import { abortError, call, listEndpoints, openClient, StripeCheckError, type Client, type StripeCheckOptions } from './client.ts';
import { type Mode, dashboard, isLocalUrl, listenCommands, modeOf, priceEntries, priceIdProblem, publishableKeyProblem, sameUrl, secretKeyProblem, webhookEvents, webhookEventsProblem, webhookPathFor, webhookPathProblem, webhookSecretProblem, webhookUrl } from './format.ts';

// --- the live check -------------------------------------------------------------------------------------

function describeAccount(a: StripeSDK.Account, mode: Mode): string {
  const name = a.settings?.dashboard?.display_name || a.business_profile?.name || undefined;
  const bits = [a.country, a.charges_enabled ? 'charges enabled' : 'charges not enabled'].filter(Boolean).join(', ');
  return `${a.id}${name ? ` "${name.replace(/\s+/g, ' ').slice(0, 80)}"` : ''} (${bits}) · ${mode} mode`;
}

function formatPrice(p: StripeSDK.Price): string {
  let amount: string;
  if (p.unit_amount === null || p.unit_amount === undefined) amount = p.billing_scheme === 'tiered' ? 'tiered' : 'amount set by the customer';
  else {
    const cur = (p.currency ?? 'usd').toUpperCase();
    let digits = 2;
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency: cur }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      /* unknown currency code: two decimals */
    }
    amount = `${(p.unit_amount / 10 ** digits).toFixed(digits)} ${cur}`;
  }
  const r = p.recurring;
  const every = r ? ` / ${r.interval_count && r.interval_count > 1 ? `${r.interval_count} ${r.interval}s` : r.interval}` : ' one-time';
  return `${amount}${every}`;
}

export const KEYS_HINT = `copy it again from Developers → API keys (${dashboard('apikeys')}; test mode: ${dashboard('apikeys', 'test')})`;

/** The format checks of every value verify reads, before any network use: [problem, hint]. */
function formatProblem(values: Values): [string, string] | undefined {
  const checks: [string, (v: string) => string | undefined, string][] = [
    ['STRIPE_SECRET_KEY', secretKeyProblem, KEYS_HINT],
    ['STRIPE_PUBLISHABLE_KEY', publishableKeyProblem, KEYS_HINT],
    ['STRIPE_WEBHOOK_SECRET', webhookSecretProblem, `Developers → Webhooks → the endpoint → Signing secret (${dashboard('webhooks')}), or leave it empty for the wizard to create the endpoint`],
    ['STRIPE_WEBHOOK_PATH', webhookPathProblem, 'the path of your webhook route, e.g. /api/webhooks/stripe'],
    ['STRIPE_WEBHOOK_EVENTS', webhookEventsProblem, 'event types as listed at https://docs.stripe.com/api/events/types, separated by commas'],
  ];
  for (const [k, f, hint] of checks) {
    const v = values[k];
    if (k === 'STRIPE_SECRET_KEY' && !v) return ['STRIPE_SECRET_KEY is missing', KEYS_HINT];
    if (v) {
      const p = f(v);
      if (p) return [p, hint];
    }
  }
  for (const [k, v] of priceEntries(values)) {
    const p = priceIdProblem(k, v);
    if (p) return [p, `copy the price id (price_…) from Product catalog → the product → Pricing (${dashboard('products')})`];
  }
  return undefined;
}

/** The live check behind `verify`, with options for tests (shorter per-request timeout and 429 budget). */
export async function verifyStripe(values: Values, io: Io, opts: StripeCheckOptions = {}): Promise<Verified> {
  const problem = formatProblem(values);
  if (problem) throw new VerifyError(problem[0], problem[1], 'BAD_FORMAT');
  const key = values.STRIPE_SECRET_KEY!;
  const mode = modeOf(key);
  const restricted = key.startsWith('rk_');
  const warnings: string[] = [];
  const details: string[] = [];

  const pk = values.STRIPE_PUBLISHABLE_KEY;
  if (pk && modeOf(pk) !== mode)
    warnings.push(`publishable and secret keys are from different modes (STRIPE_PUBLISHABLE_KEY is ${modeOf(pk)}, STRIPE_SECRET_KEY is ${mode}): take both from the same Developers → API keys page`);
  if (mode === 'live' && values.NODE_ENV !== 'production')
    warnings.push(
      `STRIPE_SECRET_KEY is a live key in a development .env (NODE_ENV=${values.NODE_ENV || 'unset'}): real charges and real customer data; use test keys (sk_test_…) locally and keep live keys on the production host`,
    );
  details.push(`keys: ${restricted ? 'restricted' : 'secret'} ${maskKey(key)}${pk ? ` · publishable ${modeOf(pk)}` : ''}`);

  if (io.signal.aborted) throw abortError(io.signal, 'api.stripe.com');
  const c = await openClient(key, io, opts);
  try {
    // Who the key belongs to.
    let identity: string;
    try {
      const a = await call(c, 'read the account', (s) => s.accounts.retrieveCurrent());
      identity = describeAccount(a, mode);
      if (mode === 'live' && !a.charges_enabled)
        warnings.push('the live account cannot accept payments yet (charges are not enabled): finish activating it in the Dashboard');
    } catch (e) {
      if (!(restricted && e instanceof StripeCheckError && e.status === 403)) throw e;
      // A restricted key that may not read the account: the balance proves the key and its mode.
      const b = await call(c, 'read the balance', (s) => s.balance.retrieve());
      identity = `restricted key ${maskKey(key)} · ${b.livemode ? 'live' : 'test'} mode`;
      warnings.push(`the restricted key may not read the account (missing permission: ${e.permission ?? 'Account: read'}), so its name and status are not shown; the key works (balance read)`);
      if (b.livemode !== (mode === 'live')) warnings.push(`the key says ${mode} mode but Stripe answered in ${b.livemode ? 'live' : 'test'} mode`);
    }

    const [prices, hook] = await Promise.all([checkPrices(c, values), checkWebhook(c, values, io, opts)]);
    details.push(...prices.details, ...hook.details);
    warnings.push(...prices.warnings, ...hook.warnings);
    if (prices.problems.length)
      throw new VerifyError(
        prices.problems.join('; '),
        `copy the price id (price_…) from Product catalog → the product → Pricing, in ${mode} mode (${dashboard('products', mode)})`,
        'PRICE',
      );
    return { identity, mode, details, warnings, ...(hook.actions.length ? { actions: hook.actions } : {}) };
  } finally {
    c.close();
  }
}

async function checkPrices(c: Client, values: Values): Promise<{ details: string[]; warnings: string[]; problems: string[] }> {
  const details: string[] = [];
  const warnings: string[] = [];
  const problems: string[] = [];
  const results = await Promise.all(
    priceEntries(values).map(async ([k, id]) => {
      try {
        return { k, id, price: await call(c, `read price ${id}`, (s) => s.prices.retrieve(id)) };
      } catch (e) {
        if (e instanceof StripeCheckError && (e.status === 404 || e.status === 403)) return { k, id, error: e };
        throw e;
      }
    }),
  );
  for (const r of results) {
    if ('error' in r && r.error) {
      const e = r.error;
      if (e.status === 403) warnings.push(`${r.k} was not checked: the key may not read prices (missing permission: ${e.permission ?? 'Prices: read'})`);
      else {
        const other = /similar object exists in (live|test) mode/.exec(e.stripeMessage ?? '')?.[1];
        problems.push(other ? `${r.k}: ${r.id} is a ${other} mode price, but STRIPE_SECRET_KEY is a ${c.mode} mode key` : `${r.k}: no such price ${r.id} in ${c.mode} mode`);
      }
      continue;
    }
    const p = (r as { price: StripeSDK.Price }).price;
    const pmode: Mode = p.livemode ? 'live' : 'test';
    if (pmode !== c.mode) problems.push(`${r.k}: ${r.id} is a ${pmode} mode price, but STRIPE_SECRET_KEY is a ${c.mode} mode key`);
    else if (!p.active) problems.push(`${r.k}: price ${r.id} is archived (inactive) in ${c.mode} mode`);
    else details.push(`${r.k}: ${r.id} · ${formatPrice(p)}`);
  }
  return { details, warnings, problems };
}

async function checkWebhook(c: Client, values: Values, io: Io, opts: StripeCheckOptions): Promise<{ details: string[]; warnings: string[]; actions: Action[] }> {
  const details: string[] = [];
  const warnings: string[] = [];
  const actions: Action[] = [];
  const appUrl = values.APP_URL;
  if (!appUrl) {
    warnings.push('APP_URL is not set, so the webhook endpoint was not checked');
    return { details, warnings, actions };
  }
  if (httpUrlProblem(appUrl)) {
    warnings.push('APP_URL is not a valid http(s) URL, so the webhook endpoint was not checked');
    return { details, warnings, actions };
  }
  const path = webhookPathFor(values, io.project.framework);
  const url = webhookUrl(appUrl, path);
  const events = webhookEvents(values);
  const hasSecret = !!values.STRIPE_WEBHOOK_SECRET;

  if (isLocalUrl(appUrl)) {
    const { printSecret, forward } = listenCommands(appUrl, path, events);
    details.push(`webhook: ${url} is local, which Stripe cannot reach; no endpoint is created for it`);
    if (!hasSecret) warnings.push(`STRIPE_WEBHOOK_SECRET is empty: for local development run \`${forward}\` and put the secret that \`${printSecret}\` prints in STRIPE_WEBHOOK_SECRET`);
    return { details, warnings, actions };
  }

  let endpoints: StripeSDK.WebhookEndpoint[];
  try {
    endpoints = await listEndpoints(c);
  } catch (e) {
    if (e instanceof StripeCheckError && e.status === 403) {
      warnings.push(`the webhook endpoint for ${url} was not checked: the key may not read webhook endpoints (missing permission: ${e.permission ?? 'Webhook Endpoints: read'})`);
      return { details, warnings, actions };
    }
    throw e;
  }

  const same = endpoints.filter((e) => sameUrl(e.url, url));
  if (!same.length) {
    actions.push(createEndpointAction(c.key, url, events, opts));
    details.push(`webhook: no endpoint for ${url} yet; the wizard creates one (${events.join(', ')})`);
    if (hasSecret) warnings.push('STRIPE_WEBHOOK_SECRET is set, but no Stripe endpoint has this URL: it will be replaced by the signing secret of the endpoint the wizard creates');
    const origin = new URL(url).origin;
    const near = endpoints.find((e) => e.url.startsWith(origin));
    if (near) warnings.push(`an endpoint on the same host has another path (${near.url}): if your app receives webhooks there, set STRIPE_WEBHOOK_PATH=${new URL(near.url).pathname}`);
    return { details, warnings, actions };
  }

  const ep = same.find((e) => e.status === 'enabled') ?? same[0]!;
  const all = ep.enabled_events.includes('*');
  details.push(`webhook: ${ep.id} → ${url} (${all ? 'all events' : `${ep.enabled_events.length} events`}, ${ep.status})`);
  if (same.length > 1) warnings.push(`${same.length} webhook endpoints have the URL ${url} (${same.map((e) => e.id).join(', ')}): every event is delivered to each; delete the extra ones in Developers → Webhooks`);
  if (ep.status !== 'enabled') warnings.push(`webhook endpoint ${ep.id} for ${url} is disabled: Stripe sends it nothing; enable it in Developers → Webhooks (${dashboard('webhooks', c.mode)})`);
  const missing = all ? [] : events.filter((ev) => ev !== '*' && !ep.enabled_events.includes(ev));
  if (events.includes('*') && !all) warnings.push(`webhook endpoint ${ep.id} does not listen to every event, as STRIPE_WEBHOOK_EVENTS=* asks`);
  if (missing.length) warnings.push(`webhook endpoint ${ep.id} does not listen to ${missing.join(', ')}: add ${missing.length > 1 ? 'them' : 'it'} in Developers → Webhooks → the endpoint → Update details`);
  if (hasSecret) details.push('STRIPE_WEBHOOK_SECRET is set (Stripe cannot confirm it belongs to this endpoint: it shows a secret only at creation)');
  else {
    warnings.push(
      `STRIPE_WEBHOOK_SECRET is empty and Stripe's API returns an endpoint's signing secret only when it is created: copy it from Developers → Webhooks → ${ep.id} → Signing secret, or let the wizard replace the endpoint`,
    );
    actions.push(replaceEndpointAction(c.key, ep, opts));
  }
  return { details, warnings, actions };
}
