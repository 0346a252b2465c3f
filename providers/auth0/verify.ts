import { type Action, type Io, type Values, type Verified } from '../../src/core/provider.ts';
import { urisAction } from './actions.ts';
import { type Auth0CheckOptions, assertFormat, call, ctxFor, fail, readClient, serverTrouble, token } from './client.ts';
import { AUTH_ROUTES, URIS_PAGE, appBases, countUris, expectedUris, missingUris, pasteLine } from './uris.ts';

export async function verifyAuth0(values: Values, io: Io, opts: Auth0CheckOptions = {}): Promise<Verified> {
  assertFormat(values);
  const c = ctxFor(values, io, opts);
  const warnings: string[] = [];
  const details: string[] = [];

  // 1. Discovery and issuer.
  const expectedIssuer = `${c.origin}/`;
  const d = await call(c, 'the discovery document', 'GET', '/.well-known/openid-configuration');
  if (d.status === 404) throw fail(c, `no Auth0 tenant at ${c.host}: /.well-known/openid-configuration answered 404`, 'AUTH0_DOMAIN is the Domain under Applications → your app → Settings (e.g. acme.us.auth0.com)', 'NOT_FOUND');
  if (d.status >= 500) throw serverTrouble(c, d, 'the discovery document');
  if (d.status !== 200) throw fail(c, `${c.host} answered the discovery request with HTTP ${d.status}`, 'check AUTH0_DOMAIN', `HTTP_${d.status}`);
  if (!d.json) throw fail(c, `${c.host} did not answer with an OpenID discovery document (not JSON)`, 'check AUTH0_DOMAIN: it is not an Auth0 tenant', 'BAD_RESPONSE');
  const issuer = d.json.issuer;
  if (issuer !== expectedIssuer)
    throw fail(
      c,
      `issuer mismatch: ${c.host} says its issuer is ${typeof issuer === 'string' ? `"${issuer.slice(0, 100)}"` : 'missing'}, expected "${expectedIssuer}"`,
      'AUTH0_DOMAIN must be the tenant domain (or custom domain) exactly as tokens name it; tokens from this tenant would fail validation',
      'ISSUER_MISMATCH',
    );
  details.push(`issuer: ${issuer}`);

  // 2. Tokens.
  const mgmtAudience = `${c.origin}/api/v2/`;
  const audience = values.AUTH0_AUDIENCE?.trim() || '';
  const expected = expectedUris(values, io.project.framework, io.project.port);
  const paste = `${URIS_PAGE} should list: ${pasteLine(expected)}`;
  const notChecked = (why: string) => `callback URLs were not checked: ${why}. ${paste}`;
  const identity = (name?: string) => `${name ? `${name} (${c.clientId})` : `client ${c.clientId}`} on ${c.domain}`;

  if (audience && audience !== mgmtAudience) {
    const t = await token(c, audience);
    if (t.ok) details.push(`token: client_credentials for ${audience}${t.scope.length ? ` (${t.scope.join(' ')})` : ''}`);
    else if (t.kind === 'unknown-api')
      throw fail(
        c,
        `AUTH0_AUDIENCE ${audience} is not an API of ${c.domain} (Auth0: "${t.description.slice(0, 120)}")`,
        'AUTH0_AUDIENCE is the Identifier under Applications → APIs (it must match exactly, trailing slash included)',
        'AUDIENCE_NOT_ENABLED',
      );
    else if (t.kind === 'no-client-grant')
      warnings.push(
        `AUTH0_AUDIENCE ${audience} exists, but this application is not authorized for it (no client grant), so no machine-to-machine token for it could be requested; user logins can still ask for it. To allow it: Applications → APIs → the API → Machine to Machine Applications`,
      );
    else return grantNotAllowed(details, warnings, identity(), notChecked);
  }

  const m = await token(c, mgmtAudience);
  if (!m.ok) {
    if (m.kind === 'grant') return grantNotAllowed(details, warnings, identity(), notChecked);
    details.push('credentials: accepted (a Management API token was refused for a reason that comes after the secret check)');
    const custom = !/\.auth0\.com$/.test(c.domain) && !c.io.baseUrl('');
    warnings.push(
      notChecked(
        m.kind === 'unknown-api'
          ? custom
            ? `the Management API is not served at ${mgmtAudience} (a custom domain: its audience is https://<tenant>.<region>.auth0.com/api/v2/)`
            : `${c.domain} has no Management API at ${mgmtAudience}`
          : 'this application is not authorized for the Auth0 Management API (Applications → APIs → Auth0 Management API → Machine to Machine Applications: authorize it with read:clients and update:clients to let the wizard add them)',
      ),
    );
    return { identity: identity(), details, warnings };
  }
  details.push(`token: client_credentials for the Management API${m.scope.length ? ` (${m.scope.join(' ')})` : ''}`);

  // 3. Callback URLs.
  const r = await readClient(c, m.token);
  if (!r.ok) {
    warnings.push(notChecked(r.why));
    return { identity: identity(), details, warnings };
  }
  const name = typeof r.client.name === 'string' ? r.client.name : undefined;
  const missing = missingUris(r.client, expected);
  const n = countUris(missing);
  if (n === 0) {
    details.push(`callback URLs: all ${countUris(expected)} present (${AUTH_ROUTES[io.project.framework]?.sdk ?? 'SDK'} routes for ${appBases(values, io.project.port).join(', ')})`);
    return { identity: identity(name), details, warnings };
  }
  const canUpdate = m.scope.length === 0 || m.scope.includes('update:clients');
  warnings.push(
    `Auth0 application ${name ?? c.clientId} is missing ${n} URL${n === 1 ? '' : 's'}: ${pasteLine(missing)}${canUpdate ? '' : ` (the token may not update applications: add them in ${URIS_PAGE})`}`,
  );
  const actions: Action[] = canUpdate ? [urisAction(values, name, missing)] : [];
  return { identity: identity(name), details, warnings, ...(actions.length ? { actions } : {}) };
}

function grantNotAllowed(details: string[], warnings: string[], identity: string, notChecked: (why: string) => string): Verified {
  details.push('credentials: plausibly valid (Auth0 refused only the grant type, which it checks after the client)');
  warnings.push(
    notChecked(
      `the application may not use the client_credentials grant, so the secret could not be confirmed and the Management API could not be asked (Applications → your app → Settings → Advanced Settings → Grant Types: Client Credentials)`,
    ),
  );
  return { identity, details, warnings };
}

/** PATCH the union of what the application has and what is missing; never removes anything; reads back to confirm. */
