import type { S3Client } from '@aws-sdk/client-s3';
import { VerifyError } from '../../src/core/errors.ts';
import { backOffOn429, checkTimeoutMs, failWith, retryAfterMs } from '../../src/core/http.ts';
import { TLS_CERT_CODES } from '../../src/net/tls-codes.ts';
import type { Target } from './format.ts';

// --- S3 client --------------------------------------------------------------------------------------------

export type Sdk = typeof import('@aws-sdk/client-s3');

export async function s3Client(t: Target, timeoutMs: number): Promise<{ sdk: Sdk; client: S3Client }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The SDK is CommonJS: bundled by esbuild, a dynamic import of it yields only `default` (module.exports).
  const mod = (await import('@aws-sdk/client-s3')) as Sdk & { default?: Sdk };
  const sdk = mod.default ?? mod;
  const client = new sdk.S3Client({
    endpoint: t.endpoint,
    region: t.region,
    credentials: { accessKeyId: t.keyId, secretAccessKey: t.secret },
    // Virtual-hosted style (bucket.s3.<region>.backblazeb2.com) on B2: B2 serves both styles, documents this
    // one and AWS is retiring path style; the SDK itself falls back to path style for names that are not
    // DNS-safe. Everything else (MinIO, the local service, 127.0.0.1 stand-ins) gets path style: no wildcard DNS.
    forcePathStyle: !t.b2Host,
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    followRegionRedirects: false,
    disableS3ExpressSessionAuth: true,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
  return { sdk, client };
}

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export const codeOf = (e: unknown): string => {
  const x = e as SdkError;
  // Network errors first: the SDK names a reset "TimeoutError" (it marks transient errors that way) but keeps
  // Node's code (ECONNRESET); service errors carry the S3 error code as their name.
  if (typeof x?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(x.code)) return x.code;
  if (x?.name && x.name !== 'Error' && x.name !== 'Unknown') return x.name;
  return x?.code ?? x?.name ?? 'Error';
};
export const statusOf = (e: unknown): number | undefined => (e as SdkError)?.$metadata?.httpStatusCode;

/**
 * `client.send` with rate limiting (429, SlowDown) retried as Retry-After asks: at most 2 retries per call, and
 * the waiting budget shared by the check's calls (the client itself makes one attempt: no silent retries).
 */
export function sendRetrying(client: S3Client, signal: AbortSignal, budget = { budgetMs: 5000 }): S3Client['send'] {
  return (async (command: Parameters<S3Client['send']>[0], opts?: Parameters<S3Client['send']>[1]) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await client.send(command, opts);
      } catch (e) {
        if (statusOf(e) !== 429 && !['SlowDown', 'TooManyRequests', 'Throttling'].includes(codeOf(e))) throw e;
        const headers = (e as { $response?: { headers?: Record<string, string> } }).$response?.headers ?? {};
        const asked = retryAfterMs(Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1]);
        if (!(await backOffOn429(budget, signal, attempt, asked).catch(() => false))) throw e;
      }
    }
  }) as S3Client['send'];
}
/** Errors that mean the request never reached the service (so it stored nothing). */
export const neverSent = (e: unknown) => ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED'].includes(codeOf(e)) || TLS_CERT_CODES.has(codeOf(e));

/** The S3 client's and the native calls' timeout: the whole check's (PROD_READY_TIMEOUT_MS, read in src/core/http.ts). */
export const timeoutMsDefault = checkTimeoutMs;

/** One line for an S3 failure. `step` is what was being done ("list", "write", "read", "CORS"). */
export function s3Failure(e: unknown, t: Target, step: string, timeoutMs: number, signal?: AbortSignal): VerifyError {
  const code = codeOf(e);
  const status = statusOf(e);
  const raw = ((e as SdkError)?.message ?? String(e)).split('\n')[0]!;
  const v = failWith([t.secret]);
  const service = t.b2 ? 'B2' : `the S3 service at ${t.where}`;
  const keyName = t.b2 ? 'keyID' : 'access key id';
  const secretName = t.b2 ? 'applicationKey' : 'secret access key';
  if (code === 'TimeoutError' || code === 'ETIMEDOUT')
    return v(`no answer from ${t.where} within ${Math.round(timeoutMs / 100) / 10} s`, 'check S3_ENDPOINT and your network, then try again', 'TIMEOUT');
  if (code === 'AbortError' || code === 'ABORT_ERR' || signal?.aborted) {
    if ((signal?.reason as Error | undefined)?.name === 'TimeoutError')
      return v(`no answer from ${t.where} before the check's deadline`, 'check S3_ENDPOINT and your network, then try again', 'TIMEOUT');
    return v(`the check of ${t.where} was cancelled`, undefined, 'ABORTED');
  }
  switch (code) {
    case 'InvalidAccessKeyId':
      return v(
        `${service} does not know the ${keyName} ${t.keyId} (InvalidAccessKeyId)`,
        t.b2 && /^[0-9a-f]{12}$/.test(t.keyId)
          ? 'that is the master application key, which the S3 API does not accept: create an application key (B2 web UI → Application Keys → Add a New Application Key)'
          : `copy the ${keyName} again (B2 web UI → Application Keys); a deleted key is unknown too`,
        code,
      );
    case 'SignatureDoesNotMatch':
      return v(
        `the ${secretName} does not match ${keyName} ${t.keyId} (SignatureDoesNotMatch)`,
        t.b2
          ? 'S3_SECRET_ACCESS_KEY must be the applicationKey shown once when this key was created; if it is lost, create a new key'
          : 'check S3_SECRET_ACCESS_KEY (and S3_REGION: some services sign with it)',
        code,
      );
    case 'NoSuchBucket':
      return v(
        `bucket "${t.bucket}" does not exist at ${t.where} (NoSuchBucket)`,
        t.b2 ? 'check S3_BUCKET and that S3_ENDPOINT is the endpoint shown on the bucket (B2 web UI → Buckets)' : 'check S3_BUCKET and S3_ENDPOINT',
        code,
      );
    case 'AccessDenied':
    case 'AllAccessDisabled':
      return v(
        `${keyName} ${t.keyId} may not use bucket "${t.bucket}" (${code}): the key is restricted to another bucket or lacks the capabilities`,
        `check S3_BUCKET too (a key restricted to one bucket gets AccessDenied for any other name); ${
          t.b2 ? 'or create a key for this bucket with Read and Write access (B2 web UI → Application Keys → Add a New Application Key)' : 'or give the key read and write access to this bucket'
        }`,
        code,
      );
    case 'RequestTimeTooSkewed':
      return v(`${service} says this computer's clock is wrong (RequestTimeTooSkewed)`, 'set the system clock (enable NTP), then try again', code);
    case 'AuthorizationHeaderMalformed':
      return v(`${service} rejected the request's region "${t.region}" (AuthorizationHeaderMalformed)`, 'check S3_REGION', code);
    case 'ECONNREFUSED':
      return v(
        `connection refused by ${t.where}: nothing is listening there`,
        t.local ? 'is the local S3 service running? Start it with `docker compose up -d minio minio-init`' : 'check S3_ENDPOINT',
        code,
      );
    case 'ENOTFOUND':
      return v(`cannot resolve ${new URL(t.endpoint).hostname} (ENOTFOUND)`, t.b2 ? 'check the region in S3_ENDPOINT (B2 web UI → Buckets → Endpoint)' : 'check the host name in S3_ENDPOINT', code);
    case 'EAI_AGAIN':
      return v(`DNS did not answer for ${new URL(t.endpoint).hostname} (EAI_AGAIN)`, 'check your network, then try again', code);
    case 'ECONNRESET':
    case 'EPIPE':
      return v(`${t.where} closed the connection (${code})`, 'try again; if it persists, check S3_ENDPOINT (http vs https) and any proxy', code);
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return v(`${t.where}'s TLS certificate is not trusted (${code})`, 'check S3_ENDPOINT; for a private CA set NODE_EXTRA_CA_CERTS', code);
  }
  if (status !== undefined && status >= 500)
    return v(
      `${service} answered ${status}${code && !/^(\d+|Unknown|Error)$/.test(code) ? ` ${code}` : ''} during the ${step} step (server error)`,
      t.b2 ? 'B2 is having trouble: try again in a minute (status.backblaze.com)' : 'the service is having trouble: try again in a minute',
      code || `HTTP_${status}`,
    );
  if (status === 429 || code === 'SlowDown' || code === 'TooManyRequests')
    return v(`${service} is rate-limiting requests (${code || status})`, 'wait a minute, then try again', code || 'HTTP_429');
  if (/XML parse error|Deserialization error/i.test(raw) || (status !== undefined && status < 300 && /^(Error|Unknown)$/.test(code)))
    return v(`${t.where} answered the ${step} step with something that is not an S3 response${status ? ` (HTTP ${status})` : ''}`, 'check S3_ENDPOINT: a proxy or another service may be answering instead', 'BAD_RESPONSE');
  return v(`${service} refused the ${step} step: ${code}${status ? ` (HTTP ${status})` : ''}${raw && raw !== code ? `: ${raw}` : ''}`, undefined, code || 'ERROR');
}
