import { VerifyError } from '../../src/core/errors.ts';
import type { InPlaceRotation, Io, Values } from '../../src/core/provider.ts';
import { failWith } from '../../src/core/http.ts';
import { type Answer, type Auth0CheckOptions, type Ctx, type TokenResult, assertFormat, call, ctxFor, formatProblems, serverTrouble, token } from './client.ts';
import { clientSecretProblem, normaliseDomain } from './format.ts';
import { DASHBOARD } from './uris.ts';

// --- rotation (`create-prod-ready rotate auth0.secret`) --------------------------------------------------
//
// POST /api/v2/clients/{AUTH0_CLIENT_ID}/rotate-secret (contract: ../shared/specs/auth0/management-api.json)
// with a Management API token that has update:client_keys. The token comes from a Machine-to-Machine
// application (AUTH0_MANAGEMENT_CLIENT_ID / _SECRET, asked for this rotation only and never written); without
// them, from the application's own client, which rarely has that scope (the error then names it).
//
// THE WINDOW. Auth0 replaces the secret in place: the old one is refused at /oauth/token the moment
// rotate-secret answers, and the new one exists only in that answer. The rotation is `in-place`, so the
// framework writes .env right after `create` returns, before anything else can fail; but between Auth0's
// answer and that write (milliseconds; `PROD_READY_CRASH_AFTER=created` in the tests) a killed process leaves
// .env with a dead secret and nobody holding the new one. What the person does then:
//   - run `create-prod-ready rotate auth0.secret` again with the same Management client: prod-ready.json
//     still says "started", so the run starts over, rotates once more and writes that secret (a separate
//     management client's token does not depend on the dead secret; the app's own client would be refused,
//     and the error then gives the page below);
//   - or, by hand: Auth0 Dashboard → Applications → Applications → the app → Settings → Danger Zone → Rotate,
//     then Credentials → Client Secret, pasted into .env as AUTH0_CLIENT_SECRET (the exact page, with its URL
//     for a *.auth0.com domain, is `rotatePage`).
// An answer that never arrives (5xx, timeout, reset) is the same uncertainty: the secret in .env is tried
// at /oauth/token to say whether Auth0 rotated it, and the error says which.
// Why not `prepare` (a value chosen here, written to .env as pending first, which closes the window):
// rotate-secret makes the value at Auth0. PATCH /api/v2/clients/{id} {client_secret} would let this tool
// choose it, but that is not the call asked for here, and the stand-in's PATCH refuses client_secret today.

export const MANAGEMENT_CLIENT_ID = 'AUTH0_MANAGEMENT_CLIENT_ID';
export const MANAGEMENT_CLIENT_SECRET = 'AUTH0_MANAGEMENT_CLIENT_SECRET';
const ROTATE_SCOPE = 'update:client_keys';
const M2M_PAGE = 'Auth0 Dashboard → Applications → APIs → Auth0 Management API → Machine To Machine Applications';

/** Where a person rotates the secret by hand: the application's Settings page (its URL for a *.auth0.com domain). */
export function rotatePage(values: Values): string {
  const id = values.AUTH0_CLIENT_ID ?? '';
  const m = /^([a-z0-9-]+)\.(?:([a-z0-9-]+)\.)?auth0\.com$/.exec(normaliseDomain(values.AUTH0_DOMAIN ?? ''));
  const url = m ? ` (${DASHBOARD}/${m[2] ?? 'us'}/${m[1]}/applications/${encodeURIComponent(id)}/settings)` : '';
  return `Auth0 Dashboard → Applications → Applications → the application with Client ID ${id} → Settings${url} → Danger Zone → Rotate, then copy Credentials → Client Secret into .env as AUTH0_CLIENT_SECRET`;
}

/** Is the secret in `c` accepted at /oauth/token? undefined when that cannot be told (network, 5xx). */
async function secretAccepted(c: Ctx): Promise<boolean | undefined> {
  try {
    await token(c, `${c.origin}/api/v2/`);
    return true; // a grant or audience refusal comes after the client was authenticated
  } catch (e) {
    return e instanceof VerifyError && e.code === 'CREDENTIALS_REJECTED' ? false : undefined;
  }
}

/** Rotates AUTH0_CLIENT_ID's secret at Auth0 and returns the new one (the rotation's `create`). */
export async function rotateClientSecret(values: Values, io: Io, opts: Auth0CheckOptions = {}): Promise<{ values: Record<string, string>; new: Record<string, string> }> {
  assertFormat(values);
  const app = ctxFor(values, io, opts);
  const mgmtId = values[MANAGEMENT_CLIENT_ID]?.trim() ?? '';
  const mgmtSecret = values[MANAGEMENT_CLIENT_SECRET]?.trim() ?? '';
  const own = !mgmtId || !mgmtSecret;
  // its requests' 429 line says "rate-limited the rotation"
  const m: Ctx = own ? { ...app, api: app.api.with({ doing: 'the rotation' }) } : { ...app, clientId: mgmtId, secret: mgmtSecret, api: app.api.with({ secrets: [app.secret, mgmtSecret], doing: 'the rotation' }) };
  const who = own ? `the application's own client ${app.clientId}` : `${MANAGEMENT_CLIENT_ID} ${mgmtId}`;
  const secrets = [app.secret, m.secret];
  const err = failWith(secrets);
  const untouched = 'nothing was rotated, .env is unchanged';
  const line = (e: VerifyError) => e.message.replace(/; try again$/, '');
  const grantIt = `${M2M_PAGE}: authorize ${own ? 'a Machine-to-Machine application' : 'it'} with ${ROTATE_SCOPE}${own ? `, and give its Client ID and Secret as ${MANAGEMENT_CLIENT_ID} and ${MANAGEMENT_CLIENT_SECRET} (used for this rotation only, never written)` : ''}`;
  /** A failure before Auth0 was asked to rotate: said as it is, plus that nothing changed. */
  const before = (e: unknown): Error => {
    if (!(e instanceof VerifyError)) return e as Error;
    return err(`${line(e)}; ${untouched}`, e.hint, e.code ?? 'ERROR');
  };

  // 1. A Management API token that may rotate.
  let t: TokenResult;
  try {
    t = await token(m, `${m.origin}/api/v2/`);
  } catch (e) {
    if (e instanceof VerifyError && e.code === 'CREDENTIALS_REJECTED')
      throw own
        ? err(
            `Auth0 refused the AUTH0_CLIENT_SECRET in .env when asking for a Management API token (401); ${untouched}`,
            `if an earlier rotation stopped before .env was written, Auth0 already holds a new secret: ${rotatePage(values)}`,
            'CREDENTIALS_REJECTED',
          )
        : err(`Auth0 rejected ${MANAGEMENT_CLIENT_ID} / ${MANAGEMENT_CLIENT_SECRET} (client id or secret, 401) when asking for a Management API token; ${untouched}`, `copy both from Auth0 Dashboard → Applications → Applications → that Machine-to-Machine application → Settings`, 'MANAGEMENT_CREDENTIALS_REJECTED');
    throw before(e);
  }
  if (!t.ok) {
    if (t.kind === 'unknown-api')
      throw err(`${m.domain} serves no Management API at ${m.origin}/api/v2/ (a custom domain?); ${untouched}`, 'AUTH0_DOMAIN must be the tenant domain (<tenant>.<region>.auth0.com) to rotate through the Management API', 'NO_MANAGEMENT_API');
    if (t.kind === 'grant')
      throw err(`${who} may not use the client_credentials grant, so it gets no Management API token; ${untouched}`, grantIt, 'NO_MANAGEMENT_TOKEN');
    throw err(`${who} is not authorized for the Auth0 Management API (no client grant), so it cannot rotate secrets; ${untouched}`, grantIt, 'NO_MANAGEMENT_TOKEN');
  }
  if (t.scope.length && !t.scope.includes(ROTATE_SCOPE))
    throw err(`the Management API token of ${who} lacks the ${ROTATE_SCOPE} scope (it has ${t.scope.join(' ')}); ${untouched}`, grantIt, 'MISSING_SCOPE');

  // 2. Rotate. From here the old secret may already be dead.
  const what = 'rotating the client secret (Management API)';
  const unsure = async (e: VerifyError): Promise<VerifyError> => {
    if (io.signal.aborted) return e;
    const works = await secretAccepted(app);
    if (works) return err(`${line(e)}; ${untouched}: the AUTH0_CLIENT_SECRET there still works`, e.hint, e.code ?? 'ERROR');
    const again = `run create-prod-ready rotate auth0.secret again (it makes a new secret and writes it), or by hand: ${rotatePage(values)}`;
    if (works === false) return err(`${line(e)}, and Auth0 now refuses the AUTH0_CLIENT_SECRET in .env: it rotated the secret without the new one reaching this run`, again, 'ROTATED_UNSEEN');
    return err(`${line(e)}; whether Auth0 rotated the secret could not be checked`, again, e.code ?? 'ERROR');
  };
  let a: Answer;
  try {
    a = await call(m, what, 'POST', `/api/v2/clients/${encodeURIComponent(app.clientId)}/rotate-secret`, undefined, t.token);
  } catch (e) {
    // A 429 is refused before anything happens; a timeout or a reset leaves it unknown.
    if (e instanceof VerifyError && e.code === 'RATE_LIMITED') throw before(e);
    if (e instanceof VerifyError) throw await unsure(e);
    throw e;
  }
  const said = typeof a.json?.message === 'string' ? `: ${a.json.message.slice(0, 160)}` : '';
  const code = typeof a.json?.errorCode === 'string' ? ` ${a.json.errorCode}` : '';
  if (a.status === 200) {
    const fresh = a.json?.client_secret;
    if (typeof fresh === 'string' && !clientSecretProblem(fresh)) return { values: { AUTH0_CLIENT_SECRET: fresh }, new: { client_id: app.clientId } };
    throw await unsure(err(`Auth0 answered ${what} without a usable client_secret`, undefined, 'BAD_RESPONSE'));
  }
  if (a.status >= 500) throw await unsure(serverTrouble(m, a, what));
  if (a.status === 403)
    throw err(
      /insufficient_scope/.test(code) || /scope/i.test(said)
        ? `Auth0 refused to rotate the secret: the Management API token of ${who} lacks ${ROTATE_SCOPE} (403${code}${said}); ${untouched}`
        : `Auth0 refused to rotate the secret of ${app.clientId} (403${code}${said}); ${untouched}`,
      grantIt,
      'MISSING_SCOPE',
    );
  if (a.status === 404)
    throw err(`Auth0 has no application ${app.clientId} to rotate (404${code}${said}); ${untouched}`, 'AUTH0_CLIENT_ID is the Client ID under Applications → Applications → your app → Settings', 'NOT_FOUND');
  if (a.status === 401) throw err(`Auth0 refused the Management API token of ${who} (401${code}${said}); ${untouched}`, 'try again; if it persists, check the Machine-to-Machine application', 'UNAUTHORIZED');
  throw err(`Auth0 refused to rotate the secret of ${app.clientId} (HTTP ${a.status}${code}${said}); ${untouched}`, a.status === 400 ? 'an application that authenticates with Private Key JWT has no secret to rotate' : undefined, `HTTP_${a.status}`);
}

/** Whether rotating needs AUTH0_MANAGEMENT_CLIENT_ID / _SECRET: false when the application's own client gets a Management API token with update:client_keys. */
async function managementClientNeeded(values: Values, io: Io): Promise<boolean> {
  if (formatProblems(values)) return true;
  const app = ctxFor(values, io, {});
  const t = await token(app, `${app.origin}/api/v2/`);
  return !(t.ok && t.scope.includes(ROTATE_SCOPE));
}

export const secretRotation: InPlaceRotation = {
  id: 'auth0.secret',
  title: 'Auth0 client secret',
  keys: ['AUTH0_CLIENT_SECRET'],
  // Auth0 kills the old secret when it makes the new one: .env is written at once (see THE WINDOW above).
  kind: 'in-place',
  rotate: (values, io) => rotateClientSecret(values, io),
  // Not needed when the application's own client may rotate its secret (its Management API token has update:client_keys).
  asksNeeded: (values, io) => managementClientNeeded(values, io),
  asks: [
    {
      key: MANAGEMENT_CLIENT_ID,
      secret: false,
      description: `Client ID of a Machine-to-Machine application authorized for the Auth0 Management API with ${ROTATE_SCOPE}`,
      where: `${M2M_PAGE} (authorize it with ${ROTATE_SCOPE}); its Client ID is under Applications → Applications → it → Settings`,
    },
    {
      key: MANAGEMENT_CLIENT_SECRET,
      description: 'Client Secret of that Machine-to-Machine application',
      where: 'Auth0 Dashboard → Applications → Applications → that application → Settings → Client Secret',
    },
  ],
  revokeHint:
    'the old secret stopped working at Auth0 when the new one was made: nothing to revoke. A deployed app still on the old secret gets no tokens until it runs with the new one: redeploy the linked Render services (or set AUTH0_CLIENT_SECRET wherever else it runs)',
};
