// Postmark (transactional email): POSTMARK_SERVER_TOKEN. A small provider: one file, declarations and one
// live check through the API client (src/core/http.ts), which owns timeouts, retries, network lines and
// redaction; nothing here is transport.
//
// Contract: Postmark's public API documentation (there is no copy in ../shared/specs):
//   https://postmarkapp.com/developer/api/overview — base URL https://api.postmarkapp.com; a Server token
//     in the X-Postmark-Server-Token header; a wrong or missing token is HTTP 401; error bodies are
//     {ErrorCode, Message} (ErrorCode 10: bad or missing API token).
//   https://postmarkapp.com/developer/api/server-api — GET /server (Accept: application/json) answers the
//     server the token belongs to: {ID, Name, …}.
import { VerifyError } from '../src/core/errors.ts';
import { apiFor } from '../src/core/http.ts';
import { defineProvider, type GuidedRotation, type Io, type Values, type Verified } from '../src/core/provider.ts';
import { checkedString, pastedValueProblem } from '../src/core/schema.ts';
import { overrideVar } from '../src/core/urls.ts';

export const POSTMARK_API = 'https://api.postmarkapp.com';
const TOKENS_PAGE = 'Postmark → Servers → your server → API Tokens (https://account.postmarkapp.com/servers)';
const TOKEN_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function serverTokenProblem(v: string): string | undefined {
  return pastedValueProblem('POSTMARK_SERVER_TOKEN', v) ?? (TOKEN_SHAPE.test(v) ? undefined : 'POSTMARK_SERVER_TOKEN must be a Server API token (a UUID, 8-4-4-4-12 hex digits)');
}

/** GET /server with the token: the server it belongs to, or one line. */
export async function verifyPostmark(values: Values, io: Io): Promise<Verified> {
  const token = values.POSTMARK_SERVER_TOKEN ?? '';
  const problem = serverTokenProblem(token);
  if (problem) throw new VerifyError(problem, `copy it from ${TOKENS_PAGE}`, 'FORMAT');
  const api = apiFor(io, {
    name: 'Postmark',
    baseUrl: io.baseUrl(POSTMARK_API),
    defaultOrigin: POSTMARK_API,
    overrideVar: overrideVar('postmark'),
    secrets: [token],
    statusPage: 'https://status.postmarkapp.com',
    statusError: (status, body, what, c) => {
      const b = (body ?? {}) as { ErrorCode?: unknown; Message?: unknown };
      const said = typeof b.Message === 'string' ? `: ${c.said(b.Message)}` : '';
      if (status === 401) return c.fail(`Postmark rejected POSTMARK_SERVER_TOKEN (401, ErrorCode ${String(b.ErrorCode ?? '?')}${said})`, `copy the Server API token again from ${TOKENS_PAGE}; an Account token does not work here`, 'CREDENTIALS_REJECTED');
      return c.fail(`Postmark refused to ${what} (HTTP ${status}${said})`, undefined, `HTTP_${status}`);
    },
  });
  const { data } = await api.json<{ ID?: unknown; Name?: unknown }>('GET', '/server', 'read the server', { headers: { 'x-postmark-server-token': token, accept: 'application/json' } });
  if (typeof data.ID !== 'number' || typeof data.Name !== 'string') throw api.fail(`${api.where} answered GET /server without a server's ID and Name`, 'is PROD_READY_POSTMARK_URL the Postmark API?', 'BAD_RESPONSE');
  return { identity: `Postmark server "${data.Name}" (ID ${data.ID})`, warnings: [] };
}

const tokenRotation: GuidedRotation = {
  id: 'postmark.token',
  title: 'Postmark Server API token',
  keys: ['POSTMARK_SERVER_TOKEN'],
  kind: 'guided',
  guide: [`open ${TOKENS_PAGE}`, 'select Generate another token and copy it', 'paste it below: it is checked (GET /server) before .env changes'],
  revokeHint: `the old token still works: once the deployed app runs on the new one, delete it in ${TOKENS_PAGE}`,
};

export default defineProvider({
  id: 'postmark',
  title: 'Postmark',
  hint: 'transactional email (server token)',
  docsUrl: 'https://postmarkapp.com/developer',
  apiUrl: POSTMARK_API,
  env: [
    {
      key: 'POSTMARK_SERVER_TOKEN',
      aliases: ['POSTMARK_API_TOKEN'],
      description: 'Postmark Server API token (sends email from one server)',
      where: TOKENS_PAGE,
      secret: true,
      schema: checkedString(serverTokenProblem),
      app: 'z.string().min(1)',
      example: '',
    },
  ],
  verify: (values, io) => verifyPostmark(values, io),
  rotations: [tokenRotation],
  contribute: () => ({ render: { envVars: [{ key: 'POSTMARK_SERVER_TOKEN', sync: false }] } }),
});
