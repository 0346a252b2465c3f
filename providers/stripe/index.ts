// Stripe: STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET (+ STRIPE_WEBHOOK_PATH,
// STRIPE_WEBHOOK_EVENTS, and any STRIPE_PRICE_<NAME> found among the values).
//
// `verify` checks formats and modes first (no network), then talks to the API with the official `stripe`
// SDK, loaded lazily inside the check so that startup never pays for it. Read-only: the account (or, for a
// restricted key that may not read it, the balance), each STRIPE_PRICE_*, and the webhook endpoints.
// Changes at Stripe — creating the webhook endpoint for APP_URL, or replacing an existing one to capture a
// signing secret that Stripe shows only at creation — are proposed as Actions and run after confirmation.
//
// SDK notes (stripe@23): it has no AbortSignal support, so requests go through an http(s) Agent of ours
// whose sockets are destroyed on abort, behind an HttpClient wrapper that refuses new requests once
// aborted (the SDK retries a reset connection once even with maxNetworkRetries: 0). It never honours
// Retry-After (it retries 429s only when `stripe-should-retry: true` is sent, and only with retries
// enabled), so 429s are retried here, bounded. A non-JSON answer becomes "Invalid JSON received" without
// its HTTP status, so statuses are recorded per request-id on the way in.
//
// Files: format.ts (formats, URLs; no network), client.ts (the SDK, lazily, and its errors), verify.ts (the
// live check), actions.ts (webhook endpoints made or replaced after confirmation), rotate.ts (rotations).
import { keyMode } from '../../src/core/mask.ts';
import { defineProvider, type Contribution, type ContributeContext, type Values } from '../../src/core/provider.ts';
import { publicForms } from '../../src/core/env-names.ts';
import { checkedString } from '../../src/core/schema.ts';
import { DEFAULT_WEBHOOK_EVENTS, STRIPE_API, WEBHOOK_PATHS, isLocalUrl, listenSteps, publishableKeyProblem, secretKeyProblem, webhookEvents, webhookEventsProblem, webhookPathFor, webhookPathProblem, webhookSecretProblem } from './format.ts';
import { keysRotation, webhookRotation } from './rotate.ts';
import { verifyStripe } from './verify.ts';

// What the rest of the project and the tests use of this provider.
export {
  DEFAULT_WEBHOOK_EVENTS, listenCommands, listenSteps, PRICE_KEY, priceEntries, priceIdProblem, publishableKeyProblem, secretKeyProblem, STRIPE_API, WEBHOOK_PATHS,
  webhookEvents, webhookEventsProblem, webhookPathFor, webhookPathProblem, webhookSecretProblem, webhookUrl, type Mode,
} from './format.ts';
export { maskKey } from '../../src/core/mask.ts';
export type { StripeCheckOptions } from './client.ts';
export { ENDPOINT_RESOURCE } from './actions.ts';
export { keysRotation, webhookRotation } from './rotate.ts';
export { verifyStripe } from './verify.ts';

// --- the provider ---------------------------------------------------------------------------------------

function contribute(_values: Values, ctx: ContributeContext): Contribution {
  const appUrl = ctx.all.APP_URL;
  const nextSteps: string[] = [];
  if (appUrl && isLocalUrl(appUrl)) nextSteps.push(...listenSteps(appUrl, webhookPathFor(ctx.all, ctx.project.framework), webhookEvents(ctx.all)));
  return {
    render: {
      envVars: [
        { key: 'STRIPE_SECRET_KEY', sync: false },
        { key: 'STRIPE_PUBLISHABLE_KEY', sync: false },
        { key: 'STRIPE_WEBHOOK_SECRET', sync: false },
      ],
    },
    // customers belong to users; the webhook events table makes event handling idempotent
    migrations: ['users', 'stripe-billing'],
    nextSteps,
  };
}

export default defineProvider({
  id: 'stripe',
  title: 'Stripe',
  hint: 'API keys, webhook secret, price ids',
  docsUrl: 'https://dashboard.stripe.com/apikeys',
  apiUrl: STRIPE_API,
  env: [
    {
      key: 'STRIPE_SECRET_KEY',
      aliases: ['STRIPE_API_KEY', 'STRIPE_SECRET', 'STRIPE_SK', 'STRIPE_KEY'],
      description: 'Stripe secret key (sk_test_… / sk_live_…, or a restricted rk_… key). Server side only.',
      where: 'Stripe Dashboard → Developers → API keys → Secret key (https://dashboard.stripe.com/apikeys; test mode: https://dashboard.stripe.com/test/apikeys)',
      secret: true,
      schema: checkedString(secretKeyProblem),
      mode: keyMode,
      app: "z.string().regex(/^(sk|rk)_(test|live)_[0-9A-Za-z]+$/, 'must be a Stripe secret key (sk_test_…, sk_live_… or a restricted rk_…)')",
    },
    {
      key: 'STRIPE_PUBLISHABLE_KEY',
      aliases: [...publicForms('STRIPE_PUBLISHABLE_KEY'), 'STRIPE_PUBLIC_KEY', ...publicForms('STRIPE_PUBLIC_KEY'), 'STRIPE_PK'],
      description: 'Stripe publishable key (pk_test_… / pk_live_…), for the browser; same mode as the secret key.',
      where: 'Stripe Dashboard → Developers → API keys → Publishable key (https://dashboard.stripe.com/apikeys; test mode: https://dashboard.stripe.com/test/apikeys)',
      secret: false,
      schema: checkedString(publishableKeyProblem),
      mode: keyMode,
      app: "z.string().regex(/^pk_(test|live)_[0-9A-Za-z]+$/, 'must be a Stripe publishable key (pk_test_… or pk_live_…)')",
    },
    {
      key: 'STRIPE_WEBHOOK_SECRET',
      aliases: ['STRIPE_WEBHOOK_SIGNING_SECRET', 'STRIPE_ENDPOINT_SECRET', 'STRIPE_WH_SECRET'],
      description: 'Signing secret of the webhook endpoint (whsec_…): verifies that events come from Stripe.',
      where:
        'created by this wizard with the endpoint for APP_URL; or Developers → Webhooks → your endpoint → Signing secret (https://dashboard.stripe.com/webhooks); locally: `stripe listen --print-secret`',
      secret: true,
      schema: checkedString(webhookSecretProblem),
      app: "z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be a webhook signing secret (whsec_…)')",
      optional: true,
      prompt: false,
    },
    {
      key: 'STRIPE_WEBHOOK_PATH',
      shared: true,
      description: "Path of your app's Stripe webhook route, appended to APP_URL for the endpoint.",
      where: 'the route in your app that receives Stripe events (default for your framework)',
      secret: false,
      schema: checkedString(webhookPathProblem),
      app: String.raw`z.string().regex(/^\/(?!\/)[^\s?#]*$/, 'must be a path such as /api/webhooks/stripe')`,
      optional: true,
      localDefault: (_known, project) => WEBHOOK_PATHS[project.framework],
      example: '/api/webhooks/stripe',
    },
    {
      key: 'STRIPE_WEBHOOK_EVENTS',
      shared: true,
      description: `Comma-separated event types the webhook endpoint receives; empty: ${DEFAULT_WEBHOOK_EVENTS.join(',')}.`,
      where: 'https://docs.stripe.com/api/events/types',
      secret: false,
      schema: checkedString(webhookEventsProblem).transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .join(','),
      ),
      app: String.raw`z.string().refine((v) => v.split(',').every((t) => /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)+)$/.test(t.trim())), 'must be comma-separated Stripe event types such as invoice.paid')`,
      optional: true,
      emptyMeans: DEFAULT_WEBHOOK_EVENTS.join(','),
      example: '',
    },
  ],
  verify: (values, io) => verifyStripe(values, io),
  modeFix: 'copy both from the same Developers → API keys page',
  contribute,
  rotations: [webhookRotation, keysRotation],
});
