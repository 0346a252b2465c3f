// Every hosted provider's stand-in at once, with the PROD_READY_<ID>_URL overrides that point the CLI at
// them and the .env values of a project configured for all of them (valid keys for each stand-in).
import { startStripe, KEYS as STRIPE, type StripeStandin } from './stripe.ts';
import { startB2, type B2Standin } from './b2.ts';
import { startClerk, KEYS as CLERK, type ClerkStandin } from './clerk.ts';
import { startAuth0, CLIENTS, type Auth0Standin } from './auth0.ts';
import { startRender, RENDER_KEY, type RenderOptions, type RenderStandin } from './render.ts';

export interface Standins {
  stripe: StripeStandin;
  b2: B2Standin;
  clerk: ClerkStandin;
  auth0: Auth0Standin;
  render: RenderStandin;
  /** PROD_READY_<ID>_URL for each: the only thing that differs from a run against the real providers. */
  overrides: Record<string, string>;
  /** Values that configure every hosted provider with keys its stand-in accepts. */
  values: Record<string, string>;
  stop(): Promise<void>;
}

export async function startStandins(opts: { latencyMs?: number; render?: RenderOptions } = {}): Promise<Standins> {
  const latencyMs = opts.latencyMs;
  const [stripe, b2, clerk, auth0, render] = await Promise.all([
    startStripe({ latencyMs }),
    startB2({ latencyMs }),
    startClerk({ latencyMs }),
    startAuth0({ latencyMs }),
    startRender({ latencyMs, ...opts.render }),
  ]);
  return {
    stripe,
    b2,
    clerk,
    auth0,
    render,
    overrides: {
      PROD_READY_STRIPE_URL: stripe.url,
      PROD_READY_B2_URL: b2.apiUrl,
      PROD_READY_CLERK_URL: clerk.url,
      PROD_READY_AUTH0_URL: auth0.url,
      PROD_READY_RENDER_URL: render.url,
    },
    values: {
      CLERK_SECRET_KEY: CLERK.devSecret,
      CLERK_PUBLISHABLE_KEY: CLERK.devPublishable,
      AUTH0_DOMAIN: 'acme.us.auth0.com',
      AUTH0_CLIENT_ID: CLIENTS.full.client_id,
      AUTH0_CLIENT_SECRET: CLIENTS.full.client_secret,
      AUTH0_SECRET: 'a'.repeat(64),
      RENDER_API_KEY: RENDER_KEY,
      STRIPE_SECRET_KEY: STRIPE.test,
      STRIPE_PUBLISHABLE_KEY: STRIPE.publishableTest,
      S3_REGION: 'us-west-004',
      S3_ENDPOINT: b2.s3Url,
      S3_BUCKET: b2.bucket,
      S3_ACCESS_KEY_ID: b2.keys.full.keyId,
      S3_SECRET_ACCESS_KEY: b2.keys.full.applicationKey,
    },
    async stop() {
      await Promise.all([stripe.stop(), b2.stop(), clerk.stop(), auth0.stop(), render.stop()]);
    },
  };
}

/** A .env text from values. */
export const envText = (values: Record<string, string>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n';
