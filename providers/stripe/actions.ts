import type StripeSDK from 'stripe';
import { VerifyError } from '../../src/core/errors.ts';
import { type Action } from '../../src/core/provider.ts';
import { call, listEndpoints, openClient, StripeCheckError, type StripeCheckOptions } from './client.ts';
import { dashboard, sameUrl } from './format.ts';

// --- actions (run after confirmation; never print the secret) -------------------------------------------

type EnabledEvent = StripeSDK.WebhookEndpointCreateParams.EnabledEvent;
type ApiVersion = StripeSDK.WebhookEndpointCreateParams['api_version'];
const DESCRIPTION = 'Created by create-prod-ready';

/** The prod-ready.json resource naming the endpoint whose secret is STRIPE_WEBHOOK_SECRET. */
export const ENDPOINT_RESOURCE = 'stripe.webhookEndpoint';

export function createEndpointAction(key: string, url: string, events: string[], opts: StripeCheckOptions): Action {
  const n = events.includes('*') ? 'all events' : `${events.length} event${events.length > 1 ? 's' : ''}`;
  return {
    id: 'stripe.webhook.create',
    title: `Create Stripe webhook endpoint ${url} (${n})`,
    async run(io) {
      const c = await openClient(key, io, opts);
      try {
        // Never a duplicate: something may have created it since the check.
        const clash = (await listEndpoints(c)).find((e) => sameUrl(e.url, url));
        if (clash)
          throw new VerifyError(`a webhook endpoint for ${url} already exists (${clash.id}); no second one was created`, 'run the wizard again: it offers to replace that endpoint to capture its signing secret', 'WEBHOOK_EXISTS');
        const made = await call(c, 'create the webhook endpoint', (s) =>
          s.webhookEndpoints.create({ url, enabled_events: events as EnabledEvent[], description: DESCRIPTION, metadata: { created_by: 'create-prod-ready' } }),
        );
        if (!made.secret)
          throw new VerifyError(`Stripe created webhook endpoint ${made.id} but returned no signing secret`, `copy it from Developers → Webhooks → ${made.id} → Signing secret (${dashboard('webhooks', c.mode)})`, 'NO_SECRET');
        return { values: { STRIPE_WEBHOOK_SECRET: made.secret }, resources: { [ENDPOINT_RESOURCE]: made.id }, done: `Created Stripe webhook endpoint ${made.id} for ${url}; its signing secret goes to STRIPE_WEBHOOK_SECRET` };
      } finally {
        c.close();
      }
    },
  };
}

/** A new endpoint like `from` (same URL, events, API version, description), marked as ours in its metadata. */
export function copyEndpoint(c: Parameters<typeof call>[0], from: StripeSDK.WebhookEndpoint, metadata: Record<string, string>): Promise<StripeSDK.WebhookEndpoint> {
  return call(c, 'create the webhook endpoint', (s) =>
    s.webhookEndpoints.create({
      url: from.url,
      enabled_events: from.enabled_events as EnabledEvent[],
      ...(from.api_version ? { api_version: from.api_version as ApiVersion } : {}),
      description: from.description || DESCRIPTION,
      metadata: { ...from.metadata, created_by: 'create-prod-ready', ...metadata },
    }),
  );
}

export function replaceEndpointAction(key: string, old: StripeSDK.WebhookEndpoint, opts: StripeCheckOptions): Action {
  return {
    id: 'stripe.webhook.replace',
    title: `Replace Stripe webhook endpoint ${old.id} (${old.url}) with a new one, to capture its signing secret`,
    ask: `Replace webhook endpoint ${old.id} with a new one for the same URL and events, to capture its signing secret? The old endpoint is deleted once the new one exists.`,
    async run(io) {
      const c = await openClient(key, io, opts);
      try {
        // The endpoint as it is now (events may have been edited since the check).
        let current: StripeSDK.WebhookEndpoint | undefined = old;
        try {
          current = await call(c, `read webhook endpoint ${old.id}`, (s) => s.webhookEndpoints.retrieve(old.id));
        } catch (e) {
          if (!(e instanceof StripeCheckError && e.status === 404)) throw e;
          current = undefined; // deleted meanwhile: create the new one from what the check saw
        }
        const from = current ?? old;
        const made = await copyEndpoint(c, from, { replaces: old.id });
        if (!made.secret)
          throw new VerifyError(`Stripe created webhook endpoint ${made.id} but returned no signing secret`, `copy it from Developers → Webhooks → ${made.id} → Signing secret, then delete ${old.id}`, 'NO_SECRET');
        const values = { STRIPE_WEBHOOK_SECRET: made.secret };
        const resources = { [ENDPOINT_RESOURCE]: made.id };
        if (!current) return { values, resources, done: `Created Stripe webhook endpoint ${made.id} for ${from.url} (${old.id} was already gone); its signing secret goes to STRIPE_WEBHOOK_SECRET` };
        try {
          await call(c, `delete webhook endpoint ${old.id}`, (s) => s.webhookEndpoints.del(old.id));
        } catch (e) {
          // The new secret must not be lost because the clean-up failed.
          if (c.signal.aborted) throw e;
          const why = e instanceof Error ? e.message : String(e);
          return {
            values,
            resources,
            done: `Created Stripe webhook endpoint ${made.id} for ${from.url} (its signing secret goes to STRIPE_WEBHOOK_SECRET), but could not delete the old endpoint ${old.id} (${why}): delete it in Developers → Webhooks`,
          };
        }
        return { values, resources, done: `Replaced Stripe webhook endpoint ${old.id} with ${made.id} for ${from.url}; its signing secret goes to STRIPE_WEBHOOK_SECRET` };
      } finally {
        c.close();
      }
    },
  };
}
