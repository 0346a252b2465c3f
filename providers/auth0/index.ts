// Auth0: AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, AUTH0_AUDIENCE (optional), AUTH0_SECRET
// (generated; the session-cookie key of @auth0/nextjs-auth0) and APP_BASE_URL (@auth0/nextjs-auth0).
//
// `verify`, read-only, through the API client (src/core/http.ts; no SDK):
//   1. GET /.well-known/openid-configuration: the tenant exists and its `issuer` is exactly
//      `https://<AUTH0_DOMAIN>/` (or the PROD_READY_AUTH0_URL origin + '/').
//   2. POST /oauth/token, form-encoded (oidc-provider refuses JSON; Auth0 takes both), grant_type
//      client_credentials for AUTH0_AUDIENCE when set, then for the Management API
//      (`<origin>/api/v2/`). Auth0 answers an unknown client and a wrong secret the same way (401
//      access_denied "Unauthorized" / invalid_client), and the Management API that could tell them apart
//      needs a token, so both are one line: "client id or secret rejected".
//   3. With a Management token that has read:clients: GET /api/v2/clients/{id} and compare callbacks,
//      allowed_logout_urls and web_origins with the URLs the detected framework's SDK uses, for APP_URL and
//      the local dev URL. What is missing is a warning plus an Action (runs after the plan's confirmation)
//      that PATCHes the union — never removing a URL — and reads the application back to confirm.
//      Without that permission: a warning with the exact values to paste and the dashboard page.
// A client that may not use client_credentials (a plain "Regular Web Application") is not a failure:
// the discovery check stands, the pair is plausibly valid (Auth0 checks the grant after the client) and the
// warning says what could not be checked.//
// Files: uris.ts (the callback URLs each framework's SDK uses), format.ts (no network), client.ts (the API
// client, tokens, the application's record), verify.ts (the live check), actions.ts (the URLs action),
// rotate.ts (rotating the client secret).
import { defineProvider, type Contribution, type RenderEnvVar } from '../../src/core/provider.ts';
import { checkedString, signingSecret } from '../../src/core/schema.ts';
import { appBaseUrlProblem, audienceProblem, clientIdProblem, clientSecretProblem, domainProblem, normaliseDomain } from './format.ts';
import { secretRotation } from './rotate.ts';
import { AUTH_ROUTES, DASHBOARD, URIS_PAGE, expectedUris, pasteLine } from './uris.ts';
import { verifyAuth0 } from './verify.ts';

// What the rest of the project and the tests use of this provider.
export { AUTH_ROUTES, appBases, DASHBOARD, expectedUris, missingUris, URI_FIELDS, type AppUris } from './uris.ts';
export { appBaseUrlProblem, audienceProblem, clientIdProblem, clientSecretProblem, domainProblem, normaliseDomain } from './format.ts';
export type { Auth0CheckOptions } from './client.ts';
export { verifyAuth0 } from './verify.ts';
export { MANAGEMENT_CLIENT_ID, MANAGEMENT_CLIENT_SECRET, rotateClientSecret, rotatePage } from './rotate.ts';

// --- the provider ---------------------------------------------------------------------------------------

const domainSchema = checkedString(domainProblem).transform(normaliseDomain);

export default defineProvider({
  id: 'auth0',
  title: 'Auth0',
  hint: 'domain, client, audience, callback URLs',
  docsUrl: DASHBOARD,
  env: [
    {
      key: 'AUTH0_DOMAIN',
      shared: true,
      description: 'Auth0 tenant domain (no https://), e.g. acme.us.auth0.com or your custom domain',
      where: 'Auth0 Dashboard → Applications → your app → Settings → Domain',
      secret: false,
      schema: domainSchema,
      // the domain alone or any http(s) URL on it: the wizard strips scheme and path
      app: String.raw`z.string().regex(/^(https?:\/\/)?(\[[0-9a-f:.]+\]|[^\s/?#@:[\]]+)(:\d+)?([/?#][\s\S]*)?$/i, 'must be a domain such as acme.us.auth0.com')`,
      example: 'your-tenant.us.auth0.com',
    },
    {
      key: 'AUTH0_CLIENT_ID',
      description: "Auth0 application's Client ID",
      where: 'Auth0 Dashboard → Applications → your app → Settings → Client ID',
      secret: false,
      schema: checkedString(clientIdProblem),
      app: "z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be an Auth0 Client ID (8 to 128 letters, digits, - and _)')",
      example: '',
    },
    {
      key: 'AUTH0_CLIENT_SECRET',
      description: "Auth0 application's Client Secret",
      where: 'Auth0 Dashboard → Applications → your app → Settings → Client Secret',
      secret: true,
      schema: checkedString(clientSecretProblem),
      app: 'z.string().min(16)',
      example: '',
    },
    {
      key: 'AUTH0_AUDIENCE',
      shared: true,
      description: 'API Identifier access tokens are requested for (optional; leave empty without an API of your own)',
      where: 'Auth0 Dashboard → Applications → APIs → your API → Identifier',
      secret: false,
      optional: true,
      schema: checkedString(audienceProblem),
      example: 'https://api.example.com',
    },
    {
      key: 'AUTH0_SECRET',
      description: 'Encrypts the Auth0 session cookie (@auth0/nextjs-auth0; 32 random bytes, hex)',
      secret: true,
      ...signingSecret('AUTH0_SECRET'),
      generate: (randomBytes) => Buffer.from(randomBytes(32)).toString('hex'),
      example: '',
    },
    {
      key: 'APP_BASE_URL',
      aliases: ['AUTH0_BASE_URL'],
      description: 'Public base URL of the app for @auth0/nextjs-auth0 (login callbacks are built from it)',
      secret: false,
      optional: true,
      prompt: false,
      schema: checkedString(appBaseUrlProblem),
      app: "z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })",
      derive: (known) => known.APP_URL || undefined,
      example: 'http://localhost:3000',
    },
  ],
  verify: (values, io) => verifyAuth0(values, io),
  rotations: [secretRotation],
  contribute(values, ctx): Contribution {
    const envVars: RenderEnvVar[] = [
      { key: 'AUTH0_DOMAIN', sync: false },
      { key: 'AUTH0_CLIENT_ID', sync: false },
      { key: 'AUTH0_CLIENT_SECRET', sync: false },
    ];
    if (values.AUTH0_AUDIENCE) envVars.push({ key: 'AUTH0_AUDIENCE', sync: false });
    envVars.push({ key: 'AUTH0_SECRET', generateValue: true });
    if (ctx.project.framework === 'nextjs') envVars.push({ key: 'APP_BASE_URL', sync: false });
    const r = AUTH_ROUTES[ctx.project.framework] ?? AUTH_ROUTES.node;
    const expected = expectedUris(ctx.all, ctx.project.framework, ctx.project.port);
    return {
      render: { envVars },
      migrations: ['users'],
      nextSteps: [
        `Auth0 (${r.sdk}): ${URIS_PAGE} must list ${pasteLine(expected)}`,
        'AUTH0_SECRET encrypts the session cookie: keep it secret; changing it signs everyone out',
      ],
    };
  },
});
