import { VerifyError } from '../../src/core/errors.ts';
import { type Io } from '../../src/core/provider.ts';
import { httpUrlProblem } from '../../src/core/urls.ts';
import { apiFor, failWith, type ApiHints } from '../../src/core/http.ts';
import { type B2CorsRule, pasteHint } from './cors.ts';
import { B2_API_URL, type Target } from './format.ts';

// --- B2 native API ----------------------------------------------------------------------------------------

export class B2ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface B2Authorization {
  accountId: string;
  authorizationToken: string;
  apiInfo: {
    storageApi: {
      apiUrl: string;
      s3ApiUrl?: string;
      allowed?: { buckets: { id: string; name: string | null }[] | null; capabilities: string[]; namePrefix: string | null };
    };
  };
}

export interface B2Bucket {
  bucketId: string;
  bucketName: string;
  corsRules?: B2CorsRule[];
  revision: number;
}

/** The B2 API's wording where it differs from the client's: "the B2 API at <host>", the call named. */
const B2_HINTS: ApiHints = {
  network: {
    deadline: (f) => ({ message: `no answer from the B2 API at ${f.where} within ${f.seconds} s (${f.label})`, hint: 'check your network, then try again' }),
    timeout: (f) => ({ message: `no answer from the B2 API at ${f.where} within ${f.seconds} s (${f.label})`, hint: 'check your network, then try again' }),
    refused: (f) => ({ message: `connection refused by the B2 API at ${f.where} (${f.label})`, hint: 'check PROD_READY_B2_URL if you set it' }),
    reset: (f) => ({ message: `the B2 API at ${f.where} closed the connection (${f.label}, ECONNRESET)`, hint: 'try again' }),
  },
  rateLimited: ({ label, answer }) => {
    const err = (answer.json ?? {}) as { code?: unknown; message?: unknown };
    const code = typeof err.code === 'string' ? err.code : 'http_429';
    const said = typeof err.message === 'string' && err.message ? `, ${err.message.split('\n')[0]!.slice(0, 200)}` : '';
    return { message: `the B2 API is rate-limiting requests (${label}: 429 ${code}${said})`, hint: 'wait a minute, then try again', code };
  },
};

/**
 * One native call (`url` ends in the operation's name): GET (authorize) or POST with a JSON body, through the
 * API client. A non-200 answer: B2ApiError with the contract's {status, code, message}.
 */
export async function b2Call<T>(io: Io, url: string, authorization: string, body: unknown, timeoutMs: number, secrets: readonly string[]): Promise<T> {
  const problem = httpUrlProblem(url);
  if (problem) throw new VerifyError(`B2 API URL: ${problem}`, undefined, 'BAD_URL');
  const u = new URL(url);
  const api = apiFor(io, { name: 'the B2 API', baseUrl: u.origin, secrets, timeoutMs, hints: B2_HINTS, troubleCode: 'B2_5XX' });
  const a = await api.request(body === undefined ? 'GET' : 'POST', `${u.pathname}${u.search}`, { json: body, auth: authorization, label: u.pathname.split('/').pop() });
  if (a.status === 200 && a.json !== undefined) return a.json as T;
  const err = (a.json ?? {}) as { code?: unknown; message?: unknown };
  throw new B2ApiError(a.status, typeof err.code === 'string' ? err.code : `http_${a.status}`, typeof err.message === 'string' ? err.message : '');
}

export function b2Failure(e: unknown, op: string, t: Target, api: string, rule: B2CorsRule | undefined): Error {
  if (e instanceof VerifyError) return e;
  if (!(e instanceof B2ApiError) && e instanceof Error && e.name !== 'Error') return e; // an outside abort: its reason
  const v = failWith([t.secret]);
  const paste = rule ? pasteHint(t.bucket, rule) : undefined;
  if (e instanceof B2ApiError) {
    const what = `${op} (${e.status} ${e.code}${e.message ? `: ${e.message}` : ''})`;
    if (op === 'b2_authorize_account' && e.status === 401)
      return v(`the B2 API rejected keyID ${t.keyId}: ${what}`, 'check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY', e.code);
    if (e.status === 401 && e.code === 'unauthorized')
      return v(
        `keyID ${t.keyId} may not ${op === 'b2_list_buckets' ? 'read' : 'change'} bucket ${t.bucket}'s settings: ${what}; it needs the listBuckets and writeBuckets capabilities`,
        paste,
        'MISSING_CAPABILITY',
      );
    if (e.status === 409) return v(`bucket ${t.bucket} kept changing while the CORS rule was added: ${what}`, 'run the wizard again', e.code);
    if (e.status >= 500) return v(`the B2 API answered ${what}`, 'B2 is having trouble: try again in a minute (status.backblaze.com)', e.code);
    return v(`the B2 API refused ${what}`, paste, e.code);
  }
  const code = (e as { code?: string; name?: string })?.code ?? (e as { name?: string })?.name ?? 'ERROR';
  return v(`the B2 API call ${op} at ${new URL(api).host} failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`, undefined, code);
}

export async function b2Authorize(io: Io, t: Target, timeoutMs: number): Promise<{ auth: B2Authorization; api: string }> {
  const api = io.baseUrl(B2_API_URL).replace(/\/+$/, '');
  const basic = `Basic ${Buffer.from(`${t.keyId}:${t.secret}`).toString('base64')}`;
  try {
    const auth = await b2Call<B2Authorization>(io, `${api}/b2api/v4/b2_authorize_account`, basic, undefined, timeoutMs, [t.secret]);
    return { auth, api };
  } catch (e) {
    throw b2Failure(e, 'b2_authorize_account', t, api, undefined);
  }
}
