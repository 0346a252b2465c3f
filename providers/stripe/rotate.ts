import type StripeSDK from 'stripe';
import { VerifyError } from '../../src/core/errors.ts';
import { type Io, type AutoRotation, type GuidedRotation, type Values } from '../../src/core/provider.ts';
import { httpUrlProblem } from '../../src/core/urls.ts';
import { ENDPOINT_RESOURCE, copyEndpoint } from './actions.ts';
import { abortError, call, listEndpoints, openClient, StripeCheckError, type Client } from './client.ts';
import { dashboard, isLocalUrl, sameUrl, secretKeyProblem, webhookPathFor, webhookUrl } from './format.ts';
import { KEYS_HINT } from './verify.ts';

// --- rotations (`create-prod-ready rotate`; see Rotation in src/core/provider.ts) ------------------------
//
// stripe.webhook (auto): Stripe shows an endpoint's signing secret only when the endpoint is created, and
// has no call that rolls it, so the new secret comes from a NEW endpoint for the same URL, events and API
// version. Both endpoints deliver every event until the old one is deleted (`revoke`), which waits until the
// deployed app runs on the new secret. The new endpoint carries metadata.rotation = the run's tag, so
// `cleanup` finds it when a run stopped before .env had its secret.
//
// stripe.keys (guided): the v1 API (all that stripe@23 covers) cannot roll an API key; the Dashboard does
// (Rotate key, with an expiration for the old one). Only STRIPE_SECRET_KEY changes: rotating the secret key leaves the
// publishable key as it is (and a publishable key is public anyway), so asking for it would only ask for
// the value .env already has.

/** The client for a rotation step: the key must be there and well formed before anything is sent. */
async function rotationClient(values: Values, io: Io): Promise<Client> {
  const key = values.STRIPE_SECRET_KEY;
  if (!key) throw new VerifyError('STRIPE_SECRET_KEY is missing, and every Stripe call needs it', KEYS_HINT, 'BAD_FORMAT');
  const problem = secretKeyProblem(key);
  if (problem) throw new VerifyError(problem, KEYS_HINT, 'BAD_FORMAT');
  if (io.signal.aborted) throw abortError(io.signal, 'api.stripe.com');
  const c = await openClient(key, io, {});
  c.doing = 'the rotation';
  return c;
}

/**
 * The endpoint whose signing secret is STRIPE_WEBHOOK_SECRET: the one for APP_URL + the webhook path (as
 * the wizard created it). Several for that URL: the one prod-ready.json names (`stripe.webhookEndpoint`,
 * when the caller passes it with the values), else none is guessed.
 */
async function currentEndpoint(c: Client, values: Values, io: Io): Promise<StripeSDK.WebhookEndpoint> {
  const appUrl = values.APP_URL;
  if (!appUrl || httpUrlProblem(appUrl))
    throw new VerifyError(
      `APP_URL is ${appUrl ? 'not a valid http(s) URL' : 'not set'}, so the Stripe webhook endpoint whose secret is STRIPE_WEBHOOK_SECRET cannot be found`,
      'set APP_URL in .env to the public URL of the app (e.g. https://shop.example.com)',
      'NO_APP_URL',
    );
  const url = webhookUrl(appUrl, webhookPathFor(values, io.project.framework));
  if (isLocalUrl(appUrl))
    throw new VerifyError(
      `APP_URL is local (${url}): no Stripe endpoint delivers there, so there is no endpoint secret to rotate`,
      'locally STRIPE_WEBHOOK_SECRET comes from `stripe listen --print-secret`; rotate the production one with APP_URL set to the public URL',
      'LOCAL',
    );
  const same = (await listEndpoints(c)).filter((e) => sameUrl(e.url, url));
  const where = `Developers → Webhooks (${dashboard('webhooks', c.mode)})`;
  if (!same.length)
    throw new VerifyError(
      `no Stripe webhook endpoint has the URL ${url} (${c.mode} mode), so there is no signing secret to rotate`,
      `run create-prod-ready to create it; if the app receives webhooks on another path, set STRIPE_WEBHOOK_PATH (endpoints: ${where})`,
      'NO_ENDPOINT',
    );
  const hinted = values[ENDPOINT_RESOURCE];
  const ep = same.length === 1 ? same[0]! : same.find((e) => e.id === hinted);
  if (!ep)
    throw new VerifyError(
      `${same.length} Stripe webhook endpoints have the URL ${url} (${same.map((e) => e.id).join(', ')}) and nothing says which one STRIPE_WEBHOOK_SECRET belongs to, so none was replaced`,
      `delete the extra ones in ${where}, keeping the one whose signing secret is in STRIPE_WEBHOOK_SECRET, then run rotate again`,
      'AMBIGUOUS_ENDPOINT',
    );
  if (ep.status !== 'enabled')
    throw new VerifyError(
      `Stripe webhook endpoint ${ep.id} for ${url} is disabled (Stripe sends it nothing), so its secret was not rotated`,
      `enable it in ${where} and run rotate again, or delete it and run create-prod-ready to create a new one`,
      'DISABLED_ENDPOINT',
    );
  return ep;
}

const notFound = (e: unknown) => e instanceof StripeCheckError && e.status === 404;

export const webhookRotation: AutoRotation = {
  id: 'stripe.webhook',
  title: 'Stripe webhook signing secret',
  keys: ['STRIPE_WEBHOOK_SECRET'],
  kind: 'auto',
  confirmRevoke:
    'Does the deployed app run with the new STRIPE_WEBHOOK_SECRET now? Until the old endpoint is deleted, Stripe delivers every event to both endpoints (the copy signed with the secret the app does not have fails its check and is retried by Stripe). Yes deletes the old endpoint.',
  async create(values, io, tag) {
    const c = await rotationClient(values, io);
    try {
      const old = await currentEndpoint(c, values, io);
      const made = await copyEndpoint(c, old, { rotation: tag, replaces: old.id });
      if (!made.secret) {
        // Useless without its secret: removed now rather than left to `cleanup`.
        const gone = await call(c, `delete webhook endpoint ${made.id}`, (s) => s.webhookEndpoints.del(made.id)).then(
          () => true,
          () => false,
        );
        throw new VerifyError(
          `Stripe created webhook endpoint ${made.id} but returned no signing secret${gone ? '; it was deleted again' : ''}`,
          gone ? 'try again later' : `delete ${made.id} in Developers → Webhooks (${dashboard('webhooks', c.mode)})`,
          'NO_SECRET',
        );
      }
      return { values: { STRIPE_WEBHOOK_SECRET: made.secret }, old: { endpoint: old.id }, new: { endpoint: made.id }, resources: { [ENDPOINT_RESOURCE]: made.id } };
    } finally {
      c.close();
    }
  },
  async cleanup(values, io, tag) {
    const c = await rotationClient(values, io);
    try {
      const left = (await listEndpoints(c)).filter((e) => e.metadata?.rotation === tag && e.metadata?.created_by === 'create-prod-ready');
      const done: string[] = [];
      for (const e of left) {
        try {
          await call(c, `delete webhook endpoint ${e.id}`, (s) => s.webhookEndpoints.del(e.id));
        } catch (err) {
          if (!notFound(err)) throw err;
        }
        done.push(`deleted webhook endpoint ${e.id} (made by the interrupted rotation; its secret never reached .env)`);
      }
      return done;
    } finally {
      c.close();
    }
  },
  async revoke(values, io, old) {
    const id = old.endpoint;
    if (!id) throw new VerifyError('the rotation recorded no id for the old webhook endpoint, so nothing was deleted', `delete it by hand in Developers → Webhooks (${dashboard('webhooks')})`, 'NO_ENDPOINT_ID');
    const c = await rotationClient(values, io);
    try {
      await call(c, `delete webhook endpoint ${id}`, (s) => s.webhookEndpoints.del(id));
      return `deleted the old webhook endpoint ${id}`;
    } catch (err) {
      if (notFound(err)) return `the old webhook endpoint ${id} no longer exists in ${c.mode} mode (already deleted)`;
      throw err;
    } finally {
      c.close();
    }
  },
};

export const keysRotation: GuidedRotation = {
  id: 'stripe.keys',
  title: 'Stripe secret key',
  keys: ['STRIPE_SECRET_KEY'],
  kind: 'guided',
  guide: [
    `Open Developers → API keys in the mode of the current STRIPE_SECRET_KEY: ${dashboard('apikeys', 'test')} for sk_test_… / rk_test_…, ${dashboard('apikeys', 'live')} for sk_live_… / rk_live_…`,
    'On the row of the secret key (or of your restricted key), open ⋯ → Rotate key… (older Dashboards: Roll key…)',
    'Expiration: give the OLD key time to be replaced everywhere, e.g. 24 hours ("Now" stops every server still using it at once); confirm with the code Stripe sends',
    'Copy the new key (Stripe shows it once) and paste it here. STRIPE_PUBLISHABLE_KEY stays as it is',
  ],
  revokeHint: `the old key keeps working until the expiration you chose in the Dashboard; once every deployed app runs on the new one you can end it sooner in Developers → API keys (${dashboard('apikeys', 'live')}; test mode: ${dashboard('apikeys', 'test')})`,
};
