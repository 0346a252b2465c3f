// Backblaze B2 through its S3-compatible API: S3_ENDPOINT, S3_REGION, S3_BUCKET, S3_ACCESS_KEY_ID (the B2
// keyID) and S3_SECRET_ACCESS_KEY (the applicationKey). Any S3-compatible service works; B2 gets the extras.
//
// `verify` uses the real @aws-sdk/client-s3, imported lazily inside verify (startup never pays for it), and
// only calls a bucket-restricted key may make (never ListBuckets): ListObjectsV2 on a reserved prefix, a
// small probe object written, read back (bytes compared) and deleted (always, even after a failed step), and
// GetBucketCors. When a browser upload from APP_URL / CORS_ORIGINS would be refused by the bucket's CORS rules,
// it warns with the missing rule and, when the key may change bucket settings, proposes an Action that adds
// the rule through the B2 native API (b2_authorize_account → b2_list_buckets → b2_update_bucket with the
// existing rules kept and ifRevisionIs), then reads it back through the S3 API.
//
// `rotations` (create-prod-ready rotate b2.key): a new application key with the current key's capabilities,
// buckets and namePrefix (b2_create_key, named after the run's tag), checked through the S3 API by the
// framework, then the old key deleted (b2_delete_key); see "key rotation" below.
//
// A read-only key is an error, not a warning: this provider is the app's upload storage, so a key that can
// only read would pass setup and fail on the first upload in production. (An app that only serves files can
// use --skip-verify for this provider.)
//
// SDK settings worth knowing: `requestChecksumCalculation`/`responseChecksumValidation: 'WHEN_REQUIRED'`
// because B2 rejects the CRC32 checksum headers SDK ≥ 3.729 sends by default ("Unsupported header
// 'x-amz-checksum-crc32'"); `maxAttempts: 1` (one clear answer, no silent retries); `throwOnRequestTimeout`
// (otherwise the SDK only logs a warning when requestTimeout passes); the SDK's Node-20 end-of-support warning
// is switched off with its documented variable, since it would be printed in the middle of the wizard.
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { VerifyError } from '../src/core/errors.ts';
import { redact } from '../src/core/mask.ts';
import { defineProvider, type Action, type Io, type AutoRotation, type Values, type Verified } from '../src/core/provider.ts';
import { httpUrlProblem, isLoopbackHost, originOf } from '../src/core/urls.ts';
import { checkedString, foreignCredentialProblem, pastedValueProblem } from '../src/core/schema.ts';
import { apiFor, backOffOn429, checkTimeoutMs, retryAfterMs, type ApiHints } from '../src/core/http.ts';
import { TLS_CERT_CODES } from '../src/net/tls-codes.ts';

export const B2_API_URL = 'https://api.backblazeb2.com';
/** The local S3 service in docker-compose.yml (MinIO) and the values that match it. */
export const LOCAL_S3 = {
  endpoint: 'http://localhost:9000',
  region: 'us-east-1',
  bucket: 'app-uploads',
  accessKeyId: 'local-dev',
  secretAccessKey: 'local-dev-secret',
} as const;
/** Probe objects live here; nothing else of the app should. */
export const PROBE_PREFIX = '.create-prod-ready/';
export const CORS_RULE_NAME = 'create-prod-ready-uploads';
// MinIO removed minio/minio and minio/mc from Docker Hub (2026-09); its own registry still serves the last
// community releases. Pinned: no new community images will be published.
const MINIO_IMAGE = 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z';
const MC_IMAGE = 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z';
const KEYS = ['S3_REGION', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

// --- format checks ----------------------------------------------------------------------------------------

const B2_HOST = /^s3\.([a-z0-9-]+)\.backblazeb2\.com$/;
const B2_REGION = /^[a-z]{2}-[a-z]+-\d{3}$/;

/** The region in a B2 S3 endpoint (https://s3.us-west-004.backblazeb2.com → us-west-004). */
export function regionOfB2Endpoint(endpoint: string): string | undefined {
  try {
    return B2_HOST.exec(new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`).hostname.toLowerCase())?.[1];
  } catch {
    return undefined;
  }
}

export function b2EndpointFor(region: string): string {
  return `https://s3.${region}.backblazeb2.com`;
}

/** A bare B2 host (as the web UI shows it) gets https://; a trailing slash goes. */
export function normalizeEndpoint(v: string): string {
  let out = v;
  if (/^s3\.[a-z0-9-]+\.backblazeb2\.com\/?$/i.test(out)) out = `https://${out}`;
  return out.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)\/+$/i, '$1');
}

export function endpointProblem(v: string): string | undefined {
  if (!v) return 'S3_ENDPOINT is empty: e.g. https://s3.us-west-004.backblazeb2.com';
  if (/\s/.test(v)) return 'S3_ENDPOINT contains spaces';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return `S3_ENDPOINT needs a scheme: https://${v.replace(/\/+$/, '')}`;
  const p = httpUrlProblem(v);
  if (p) return `S3_ENDPOINT: ${p}`;
  const u = new URL(v);
  const host = u.hostname.toLowerCase();
  if (/^api\d*\.backblazeb2\.com$/.test(host))
    return 'S3_ENDPOINT is the B2 native API URL; the S3 endpoint looks like https://s3.us-west-004.backblazeb2.com (B2 web UI → Buckets → Endpoint)';
  if (/^f\d+\.backblazeb2\.com$/.test(host))
    return 'S3_ENDPOINT is a B2 download URL; the S3 endpoint looks like https://s3.us-west-004.backblazeb2.com (B2 web UI → Buckets → Endpoint)';
  const withBucket = /^(.+)\.s3\.([a-z0-9-]+)\.backblazeb2\.com$/.exec(host);
  if (withBucket)
    return `S3_ENDPOINT includes the bucket name: use ${b2EndpointFor(withBucket[2]!)} and put ${withBucket[1]} in S3_BUCKET`;
  if (host.endsWith('.backblazeb2.com') && !B2_HOST.test(host))
    return 'S3_ENDPOINT is not a B2 S3 endpoint; it looks like https://s3.us-west-004.backblazeb2.com (B2 web UI → Buckets → Endpoint)';
  if (u.pathname !== '/' || u.search || u.hash)
    return `S3_ENDPOINT is the endpoint only (${u.origin}), without a path: put the bucket name in S3_BUCKET`;
  return undefined;
}

export function regionProblem(v: string): string | undefined {
  if (!v) return 'S3_REGION is empty: e.g. us-west-004 (B2) or us-east-1';
  if (/\s/.test(v)) return 'S3_REGION contains spaces';
  if (v.includes('://') || v.includes('.')) {
    const r = regionOfB2Endpoint(v);
    return `S3_REGION is the region only${r ? ` (${r})` : ', e.g. us-west-004'}, not an endpoint or host name`;
  }
  if (/[A-Z]/.test(v)) return `S3_REGION is lowercase: ${v.toLowerCase()}`;
  if (v.includes('_')) return `S3_REGION uses hyphens, not underscores: ${v.replace(/_/g, '-')}`;
  if (!/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(v) || v.includes('--'))
    return 'S3_REGION looks like us-west-004 (B2: the part between "s3." and ".backblazeb2.com" of the endpoint) or us-east-1';
  return undefined;
}

/** S3 bucket-name rules (AWS "General purpose bucket naming rules"); B2's stricter ones are checked in verify. */
export function bucketProblem(v: string): string | undefined {
  if (!v) return 'S3_BUCKET is empty';
  if (/\s/.test(v)) return 'S3_BUCKET contains spaces';
  if (v.includes('://') || v.includes('/')) return 'S3_BUCKET is the bucket name only, not a URL or a path';
  if (v.length < 3 || v.length > 63) return `S3_BUCKET must be 3 to 63 characters long (it has ${v.length}; B2: at least 6)`;
  if (/[A-Z]/.test(v)) return `S3_BUCKET must be lowercase for the S3 API: ${v.toLowerCase()}`;
  if (v.includes('_')) return 'S3_BUCKET may not contain underscores: use hyphens';
  if (!/^[a-z0-9.-]+$/.test(v)) return 'S3_BUCKET may contain only lowercase letters, digits, hyphens and dots';
  if (!/^[a-z0-9]/.test(v) || !/[a-z0-9]$/.test(v)) return 'S3_BUCKET must start and end with a letter or a digit';
  if (/\.\.|\.-|-\./.test(v)) return 'S3_BUCKET may not have two dots, or a dot next to a hyphen, in a row';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return 'S3_BUCKET must not look like an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(v) || /(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(v)) return 'S3_BUCKET uses a prefix or suffix reserved by S3';
  if (v.startsWith('b2-')) return 'S3_BUCKET: names starting with "b2-" are reserved by Backblaze';
  return undefined;
}

/** A non-master B2 keyID: 25 hex characters starting with 00 (observed, not documented). */
const KEY_ID_SHAPE = /^00[0-9a-f]{23}$/;
/** What applicationKeys look like (observed, not documented): K + 3 digits + 27 more. */
const APP_KEY_SHAPE = /^K\d{3}[A-Za-z0-9+/]{27}$/;

export function accessKeyIdProblem(v: string): string | undefined {
  if (!v) return 'S3_ACCESS_KEY_ID is empty: the keyID of a B2 application key';
  if (/\s/.test(v)) return 'S3_ACCESS_KEY_ID contains spaces or line breaks: copy the keyID again';
  if (v.includes('://')) return 'S3_ACCESS_KEY_ID is the keyID of an application key, not a URL';
  if (APP_KEY_SHAPE.test(v))
    return 'S3_ACCESS_KEY_ID looks like an applicationKey (the secret): put that in S3_SECRET_ACCESS_KEY and the keyID here';
  if (v.length > 128) return 'S3_ACCESS_KEY_ID is too long for a key ID';
  return pastedValueProblem('S3_ACCESS_KEY_ID', v) ?? (KEY_ID_SHAPE.test(v) ? undefined : foreignCredentialProblem('S3_ACCESS_KEY_ID', v));
}

/** Never echoes the value. */
export function secretKeyProblem(v: string): string | undefined {
  if (!v) return 'S3_SECRET_ACCESS_KEY is empty: the applicationKey, shown once when the key was created';
  if (/\s/.test(v)) return 'S3_SECRET_ACCESS_KEY contains spaces or line breaks: copy the applicationKey again, without them';
  if (KEY_ID_SHAPE.test(v))
    return 'S3_SECRET_ACCESS_KEY looks like a keyID: it must be the applicationKey (the secret, shown once when the key was created; it usually starts with K)';
  return pastedValueProblem('S3_SECRET_ACCESS_KEY', v) ?? (APP_KEY_SHAPE.test(v) ? undefined : foreignCredentialProblem('S3_SECRET_ACCESS_KEY', v));
}

const refined = checkedString;

export const endpointSchema = z.string().transform(normalizeEndpoint).pipe(checkedString(endpointProblem));
export const regionSchema = refined(regionProblem);
export const bucketSchema = refined(bucketProblem);
export const accessKeyIdSchema = refined(accessKeyIdProblem);
export const secretKeySchema = refined(secretKeyProblem);

// --- target -----------------------------------------------------------------------------------------------

interface Target {
  endpoint: string;
  /** host[:port], for messages. */
  where: string;
  region: string;
  bucket: string;
  keyId: string;
  secret: string;
  /** The endpoint is a B2 host (*.backblazeb2.com). */
  b2Host: boolean;
  /** B2 manages the bucket: a B2 host, or the B2 API URL is overridden (PROD_READY_B2_URL, tests). B2 wording, native API. */
  b2: boolean;
  local: boolean;
}

const b2Overridden = (io: Io) => io.baseUrl(B2_API_URL).replace(/\/+$/, '') !== B2_API_URL;

function targetOf(values: Values, b2Api: boolean): Target {
  const endpoint = normalizeEndpoint(values.S3_ENDPOINT ?? '');
  const checks: [string, string | undefined][] = [
    ['S3_ENDPOINT', endpointProblem(endpoint)],
    ['S3_REGION', regionProblem(values.S3_REGION ?? '')],
    ['S3_BUCKET', bucketProblem(values.S3_BUCKET ?? '')],
    ['S3_ACCESS_KEY_ID', accessKeyIdProblem(values.S3_ACCESS_KEY_ID ?? '')],
    ['S3_SECRET_ACCESS_KEY', secretKeyProblem(values.S3_SECRET_ACCESS_KEY ?? '')],
  ];
  for (const [, p] of checks) if (p) throw new VerifyError(p, undefined, 'BAD_VALUE');
  const u = new URL(endpoint);
  const t: Target = {
    endpoint,
    where: u.host,
    region: values.S3_REGION!,
    bucket: values.S3_BUCKET!,
    keyId: values.S3_ACCESS_KEY_ID!,
    secret: values.S3_SECRET_ACCESS_KEY!,
    b2Host: u.hostname.toLowerCase().endsWith('.backblazeb2.com'),
    b2: b2Api || u.hostname.toLowerCase().endsWith('.backblazeb2.com'),
    local: isLoopbackHost(u.hostname),
  };
  if (t.secret === t.keyId)
    throw new VerifyError('S3_SECRET_ACCESS_KEY is the same as S3_ACCESS_KEY_ID: it must be the applicationKey, not the keyID', undefined, 'BAD_VALUE');
  const hostRegion = regionOfB2Endpoint(endpoint);
  if (hostRegion && hostRegion !== t.region)
    throw new VerifyError(
      `S3_REGION is ${t.region} but S3_ENDPOINT is in ${hostRegion} (${u.hostname})`,
      `use the endpoint of your bucket's region (B2 web UI → Buckets → Endpoint): S3_REGION=${hostRegion} with that endpoint, or S3_ENDPOINT=${b2EndpointFor(t.region)}`,
      'REGION_MISMATCH',
    );
  if (t.b2Host && (t.bucket.length < 6 || t.bucket.includes('.')))
    throw new VerifyError(
      `"${t.bucket}" cannot be a B2 bucket: B2 bucket names are 6 to 63 letters, digits and hyphens`,
      'copy the name from the B2 web UI → Buckets',
      'BAD_VALUE',
    );
  return t;
}

// --- S3 client --------------------------------------------------------------------------------------------

type Sdk = typeof import('@aws-sdk/client-s3');

async function s3Client(t: Target, timeoutMs: number): Promise<{ sdk: Sdk; client: S3Client }> {
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

const codeOf = (e: unknown): string => {
  const x = e as SdkError;
  // Network errors first: the SDK names a reset "TimeoutError" (it marks transient errors that way) but keeps
  // Node's code (ECONNRESET); service errors carry the S3 error code as their name.
  if (typeof x?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(x.code)) return x.code;
  if (x?.name && x.name !== 'Error' && x.name !== 'Unknown') return x.name;
  return x?.code ?? x?.name ?? 'Error';
};
const statusOf = (e: unknown): number | undefined => (e as SdkError)?.$metadata?.httpStatusCode;

/**
 * `client.send` with rate limiting (429, SlowDown) retried as Retry-After asks: at most 2 retries per call, and
 * the waiting budget shared by the check's calls (the client itself makes one attempt: no silent retries).
 */
function sendRetrying(client: S3Client, signal: AbortSignal, budget = { budgetMs: 5000 }): S3Client['send'] {
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
const neverSent = (e: unknown) => ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED'].includes(codeOf(e)) || TLS_CERT_CODES.has(codeOf(e));

/** The S3 client's and the native calls' timeout: the whole check's (PROD_READY_TIMEOUT_MS, read in src/core/http.ts). */
const timeoutMsDefault = checkTimeoutMs;

/** One line for an S3 failure. `step` is what was being done ("list", "write", "read", "CORS"). */
function s3Failure(e: unknown, t: Target, step: string, timeoutMs: number, signal?: AbortSignal): VerifyError {
  const code = codeOf(e);
  const status = statusOf(e);
  const raw = ((e as SdkError)?.message ?? String(e)).split('\n')[0]!;
  const secret = t.secret;
  const v = (message: string, hint: string | undefined, c: string) => new VerifyError(redact(message, [secret]), hint && redact(hint, [secret]), c);
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

// --- CORS -------------------------------------------------------------------------------------------------

export interface S3CorsRule {
  AllowedOrigins?: string[];
  AllowedMethods?: string[];
  AllowedHeaders?: string[];
}

export interface B2CorsRule {
  corsRuleName: string;
  allowedOrigins: string[];
  allowedOperations: string[];
  allowedHeaders?: string[];
  exposeHeaders?: string[];
  maxAgeSeconds: number;
}

function wildcard(pattern: string, value: string, flags = ''): boolean {
  const parts = pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, flags).test(value);
}

/**
 * Would a browser on `origin` be allowed to upload (a presigned PUT with a Content-Type header, the usual
 * direct-upload pattern)? S3 uses a rule that matches the origin, the method and every requested header.
 */
export function uploadAllowed(rules: readonly S3CorsRule[], origin: string): boolean {
  return rules.some(
    (r) =>
      (r.AllowedOrigins ?? []).some((o) => wildcard(o, origin)) &&
      (r.AllowedMethods ?? []).some((m) => m.toUpperCase() === 'PUT') &&
      (r.AllowedHeaders ?? []).some((h) => wildcard(h.toLowerCase(), 'content-type', 'i')),
  );
}

/** The origins a browser upload comes from: APP_URL's, plus CORS_ORIGINS. */
export function uploadOrigins(values: Values): string[] {
  const out: string[] = [];
  const add = (v: string | undefined) => {
    const s = v?.trim();
    if (s && !httpUrlProblem(s)) out.push(originOf(s));
  };
  add(values.APP_URL);
  for (const o of (values.CORS_ORIGINS ?? '').split(',')) add(o);
  return [...new Set(out)];
}

/** The rule the wizard adds: uploads (PUT, POST) and reads from the given origins. */
export function b2UploadRule(origins: string[]): B2CorsRule {
  return {
    corsRuleName: CORS_RULE_NAME,
    allowedOrigins: [...origins],
    allowedOperations: ['s3_put', 's3_post', 's3_get', 's3_head'],
    allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
    exposeHeaders: ['ETag'],
    maxAgeSeconds: 3600,
  };
}

function s3UploadRule(origins: string[]) {
  return {
    AllowedOrigins: [...origins],
    AllowedMethods: ['PUT', 'POST', 'GET', 'HEAD'],
    AllowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3600,
  };
}

/** The bucket's rules with ours added (or widened, when a rule of ours is there already); every other rule kept as it is. */
export function mergeCorsRules(existing: readonly B2CorsRule[], rule: B2CorsRule): { rules: B2CorsRule[]; changed: boolean } {
  const i = existing.findIndex((r) => r.corsRuleName === rule.corsRuleName);
  if (i < 0) return { rules: [...existing, rule], changed: true };
  const cur = existing[i]!;
  const union = (a: string[] = [], b: string[] = []) => [...new Set([...a, ...b])];
  const next: B2CorsRule = {
    ...cur,
    allowedOrigins: union(cur.allowedOrigins, rule.allowedOrigins),
    allowedOperations: union(cur.allowedOperations, rule.allowedOperations),
  };
  if (cur.allowedHeaders || rule.allowedHeaders) next.allowedHeaders = union(cur.allowedHeaders, rule.allowedHeaders);
  if (cur.exposeHeaders || rule.exposeHeaders) next.exposeHeaders = union(cur.exposeHeaders, rule.exposeHeaders);
  return { rules: existing.map((r, j) => (j === i ? next : r)), changed: JSON.stringify(next) !== JSON.stringify(cur) };
}

const pasteHint = (bucket: string, rule: B2CorsRule) =>
  `add this rule to bucket ${bucket}'s CORS rules (B2 web UI → Buckets → ${bucket} → CORS Rules, or \`b2 bucket update --cors-rules\`, which replaces the whole list): ${JSON.stringify(rule)}`;

// --- B2 native API ----------------------------------------------------------------------------------------

class B2ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface B2Authorization {
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

interface B2Bucket {
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
async function b2Call<T>(io: Io, url: string, authorization: string, body: unknown, timeoutMs: number, secrets: readonly string[]): Promise<T> {
  const problem = httpUrlProblem(url);
  if (problem) throw new VerifyError(`B2 API URL: ${problem}`, undefined, 'BAD_URL');
  const u = new URL(url);
  const api = apiFor(io, { name: 'the B2 API', baseUrl: u.origin, secrets, timeoutMs, hints: B2_HINTS, troubleCode: 'B2_5XX' });
  const a = await api.request(body === undefined ? 'GET' : 'POST', `${u.pathname}${u.search}`, { json: body, auth: authorization, label: u.pathname.split('/').pop() });
  if (a.status === 200 && a.json !== undefined) return a.json as T;
  const err = (a.json ?? {}) as { code?: unknown; message?: unknown };
  throw new B2ApiError(a.status, typeof err.code === 'string' ? err.code : `http_${a.status}`, typeof err.message === 'string' ? err.message : '');
}

function b2Failure(e: unknown, op: string, t: Target, api: string, rule: B2CorsRule | undefined): Error {
  if (e instanceof VerifyError) return e;
  if (!(e instanceof B2ApiError) && e instanceof Error && e.name !== 'Error') return e; // an outside abort: its reason
  const v = (m: string, h: string | undefined, c: string) => new VerifyError(redact(m, [t.secret]), h && redact(h, [t.secret]), c);
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
    if (e.status === 429) return v(`the B2 API is rate-limiting requests: ${what}`, 'wait a minute, then try again', e.code);
    if (e.status >= 500) return v(`the B2 API answered ${what}`, 'B2 is having trouble: try again in a minute (status.backblaze.com)', e.code);
    return v(`the B2 API refused ${what}`, paste, e.code);
  }
  const code = (e as { code?: string; name?: string })?.code ?? (e as { name?: string })?.name ?? 'ERROR';
  return v(`the B2 API call ${op} at ${new URL(api).host} failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`, undefined, code);
}

async function b2Authorize(io: Io, t: Target, timeoutMs: number): Promise<{ auth: B2Authorization; api: string }> {
  const api = io.baseUrl(B2_API_URL).replace(/\/+$/, '');
  const basic = `Basic ${Buffer.from(`${t.keyId}:${t.secret}`).toString('base64')}`;
  try {
    const auth = await b2Call<B2Authorization>(io, `${api}/b2api/v4/b2_authorize_account`, basic, undefined, timeoutMs, [t.secret]);
    return { auth, api };
  } catch (e) {
    throw b2Failure(e, 'b2_authorize_account', t, api, undefined);
  }
}

const REQUIRED_FOR_CORS = ['listBuckets', 'writeBuckets'];

/**
 * The action that adds the upload rule for `origins` to the bucket's CORS rules through the native API, never
 * dropping the rules already there, and confirms it through the S3 API.
 */
export function b2CorsAction(values: Values, origins: string[], opts: { timeoutMs?: number } = {}): Action {
  const bucket = values.S3_BUCKET ?? '';
  return {
    id: 'b2.cors.allow-uploads',
    title: `Allow browser uploads from ${origins.join(', ')} in B2 bucket ${bucket} (CORS)`,
    async run(io) {
      const t = targetOf(values, true);
      const timeoutMs = opts.timeoutMs ?? timeoutMsDefault();
      const rule = b2UploadRule(origins);
      const { auth, api } = await b2Authorize(io, t, timeoutMs);
      const allowed = auth.apiInfo?.storageApi?.allowed;
      const lacking = REQUIRED_FOR_CORS.filter((c) => !allowed?.capabilities?.includes(c));
      if (lacking.length)
        throw new VerifyError(
          `keyID ${t.keyId} lacks the ${lacking.join(' and ')} capabilit${lacking.length > 1 ? 'ies' : 'y'} needed to change bucket ${t.bucket}'s CORS rules`,
          pasteHint(t.bucket, rule),
          'MISSING_CAPABILITY',
        );
      if (allowed?.buckets && !allowed.buckets.some((b) => b.name === t.bucket))
        throw new VerifyError(
          `keyID ${t.keyId} is restricted to bucket${allowed.buckets.length > 1 ? 's' : ''} ${allowed.buckets.map((b) => b.name ?? b.id).join(', ')}, not ${t.bucket}`,
          pasteHint(t.bucket, rule),
          'MISSING_CAPABILITY',
        );
      const apiUrl = (auth.apiInfo?.storageApi?.apiUrl ?? '').replace(/\/+$/, '');
      const token = auth.authorizationToken;
      const call = <T>(op: string, body: unknown) =>
        b2Call<T>(io, `${apiUrl}/b2api/v4/${op}`, token, body, timeoutMs, [t.secret]).catch((e: unknown) => {
          throw Object.assign(b2Failure(e, op, t, apiUrl || api, rule), { b2: e });
        });

      let kept = 0;
      let changed = false;
      for (let attempt = 1; ; attempt++) {
        const { buckets } = await call<{ buckets: B2Bucket[] }>('b2_list_buckets', { accountId: auth.accountId, bucketName: t.bucket });
        const b = buckets.find((x) => x.bucketName === t.bucket);
        if (!b) throw new VerifyError(`bucket ${t.bucket} is not in this key's B2 account`, 'check S3_BUCKET (B2 web UI → Buckets)', 'NO_BUCKET');
        const existing = b.corsRules ?? [];
        const merged = mergeCorsRules(existing, rule);
        kept = existing.filter((r) => r.corsRuleName !== CORS_RULE_NAME).length;
        if (!merged.changed) break;
        if (merged.rules.length > 100)
          throw new VerifyError(`bucket ${t.bucket} already has 100 CORS rules, the most B2 allows`, pasteHint(t.bucket, rule), 'TOO_MANY_RULES');
        try {
          await call('b2_update_bucket', { accountId: auth.accountId, bucketId: b.bucketId, corsRules: merged.rules, ifRevisionIs: b.revision });
          changed = true;
          break;
        } catch (e) {
          const inner = (e as { b2?: unknown }).b2;
          if (inner instanceof B2ApiError && inner.status === 409 && attempt < 3) continue; // someone else changed the bucket: re-read
          throw e;
        }
      }

      // Read it back the way the app's browser uploads will meet it: through the S3 API.
      const { sdk, client } = await s3Client(t, timeoutMs);
      let missing: string[] = origins;
      let unconfirmed: string | undefined;
      try {
        for (let i = 0; i < 4; i++) {
          try {
            const r = await client.send(new sdk.GetBucketCorsCommand({ Bucket: t.bucket }), { abortSignal: io.signal });
            missing = origins.filter((o) => !uploadAllowed(r.CORSRules ?? [], o));
          } catch (e) {
            if (codeOf(e) !== 'NoSuchCORSConfiguration') {
              unconfirmed = codeOf(e);
              break;
            }
          }
          if (!missing.length) break;
          await new Promise((r) => setTimeout(r, 250 * (i + 1)));
        }
      } finally {
        client.destroy();
      }
      if (!unconfirmed && missing.length)
        throw new VerifyError(
          `B2 saved the CORS rule, but the S3 API of bucket ${t.bucket} does not allow uploads from ${missing.join(', ')} yet`,
          'run `npx create-prod-ready check` again in a minute',
          'CORS_NOT_CONFIRMED',
        );
      const keptText = `${kept} existing rule${kept === 1 ? '' : 's'} kept`;
      const how = changed ? `rule ${CORS_RULE_NAME} added` : `rule ${CORS_RULE_NAME} already there`;
      return {
        done: `bucket ${t.bucket}: browser uploads allowed from ${origins.join(', ')} (${how}, ${keptText}; ${unconfirmed ? `not read back: ${unconfirmed}` : 'confirmed through the S3 API'})`,
      };
    },
  };
}

// --- the live check ---------------------------------------------------------------------------------------

export async function verifyB2(values: Values, io: Io, opts: { timeoutMs?: number } = {}): Promise<Verified> {
  const t = targetOf(values, b2Overridden(io));
  const timeoutMs = opts.timeoutMs ?? timeoutMsDefault();
  const origins = uploadOrigins(values);
  // Locally (the docker-compose MinIO and a localhost app) CORS is not a question: MinIO allows every origin.
  const checkCors = origins.length > 0 && !(t.local && origins.every((o) => isLoopbackHost(new URL(o).hostname)));

  const { sdk, client } = await s3Client(t, timeoutMs);
  const send = sendRetrying(client, io.signal);
  const opt = { abortSignal: io.signal };
  const probeKey = `${PROBE_PREFIX}probe-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const probe = Buffer.from(`create-prod-ready probe ${new Date().toISOString()} ${Math.random().toString(36).slice(2)}\n`);
  const warnings: string[] = [];
  const details: string[] = [];
  const actions: Action[] = [];

  let written = false; // the probe may exist: delete it
  let versionId: string | undefined;
  let failure: VerifyError | undefined;
  let corsRules: S3CorsRule[] | undefined;
  let corsError: unknown;
  const started = Date.now();
  try {
    // Three independent calls at once (a bucket-restricted key may make all of them): can it list, can it
    // write, and what are the bucket's CORS rules.
    const [list, put, cors] = await Promise.allSettled([
      send(new sdk.ListObjectsV2Command({ Bucket: t.bucket, Prefix: PROBE_PREFIX, MaxKeys: 1 }), opt),
      send(new sdk.PutObjectCommand({ Bucket: t.bucket, Key: probeKey, Body: probe, ContentType: 'text/plain' }), opt),
      checkCors ? send(new sdk.GetBucketCorsCommand({ Bucket: t.bucket }), opt) : Promise.resolve(undefined),
    ]);
    if (put.status === 'fulfilled') {
      written = true;
      versionId = put.value.VersionId;
    } else {
      const status = statusOf(put.reason);
      if ((status === undefined && !neverSent(put.reason)) || (status !== undefined && status >= 500)) written = true; // a timeout, reset or 5xx may still have stored it; DNS, refused, TLS cannot
    }
    if (cors.status === 'fulfilled') corsRules = cors.value?.CORSRules ?? [];
    else if (codeOf(cors.reason) === 'NoSuchCORSConfiguration') corsRules = [];
    else corsError = cors.reason;

    if (list.status === 'rejected' && codeOf(list.reason) !== 'AccessDenied') throw s3Failure(list.reason, t, 'list', timeoutMs, io.signal);
    if (put.status === 'rejected') {
      if (codeOf(put.reason) !== 'AccessDenied') throw s3Failure(put.reason, t, 'write', timeoutMs, io.signal);
      if (list.status === 'rejected') throw s3Failure(list.reason, t, 'list', timeoutMs, io.signal);
      throw new VerifyError(
        `keyID ${t.keyId} can read bucket "${t.bucket}" but not write to it (read-only key): uploads will fail`,
        t.b2 ? 'create a key for this bucket with Read and Write access (B2 web UI → Application Keys → Add a New Application Key)' : 'give the key write access to this bucket',
        'READ_ONLY',
      );
    }
    if (list.status === 'rejected') warnings.push(`keyID ${t.keyId} may not list the files of bucket "${t.bucket}" (AccessDenied): anything in the app that lists files will fail`);

    let got: Uint8Array;
    try {
      const r = await send(new sdk.GetObjectCommand({ Bucket: t.bucket, Key: probeKey, ...(versionId ? { VersionId: versionId } : {}) }), opt);
      got = (await r.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (e) {
      if (codeOf(e) === 'AccessDenied')
        throw new VerifyError(
          `keyID ${t.keyId} can write to bucket "${t.bucket}" but not read from it (write-only key): the app cannot read its uploads`,
          t.b2 ? 'create a key for this bucket with Read and Write access (B2 web UI → Application Keys)' : 'give the key read access to this bucket',
          'WRITE_ONLY',
        );
      throw s3Failure(e, t, 'read', timeoutMs, io.signal);
    }
    if (!Buffer.from(got).equals(probe))
      throw new VerifyError(
        `the probe object read back from bucket "${t.bucket}" differs from what was written (${got.byteLength} bytes instead of ${probe.byteLength})`,
        'a proxy or the service changed the object: check S3_ENDPOINT',
        'PROBE_MISMATCH',
      );
  } catch (e) {
    failure = e instanceof VerifyError ? e : s3Failure(e, t, 'check', timeoutMs, io.signal);
  } finally {
    if (written) {
      const problem = await removeProbe(sdk, client, t, probeKey, versionId, timeoutMs);
      if (problem) {
        if (failure) failure = new VerifyError(failure.message, `${failure.hint ? `${failure.hint}; also, ` : ''}${problem}`, failure.code);
        else warnings.push(problem);
      }
    }
    client.destroy();
  }
  if (failure) throw failure;
  details.push(`probe object written, read back and deleted under ${PROBE_PREFIX} (${Date.now() - started} ms)`);

  // CORS for browser uploads.
  if (!origins.length) details.push('CORS not checked: no APP_URL or CORS_ORIGINS');
  else if (!checkCors) details.push('CORS not needed: the app and the S3 service are both local');
  else if (corsRules === undefined) {
    const code = codeOf(corsError);
    warnings.push(
      `could not read bucket "${t.bucket}"'s CORS rules (${code}${code === 'AccessDenied' ? ': the key lacks readBuckets' : ''}): browser uploads from ${origins.join(', ')} were not checked`,
    );
  } else {
    const missing = origins.filter((o) => !uploadAllowed(corsRules!, o));
    if (!missing.length) details.push(`CORS allows browser uploads from ${origins.join(', ')}`);
    else {
      const refused = `browser uploads from ${missing.join(', ')} to bucket "${t.bucket}" would be refused: no CORS rule allows PUT with Content-Type from ${missing.length > 1 ? 'those origins' : 'that origin'}`;
      const rule = b2UploadRule(missing);
      if (!t.b2) warnings.push(`${refused}; add this CORS rule (PutBucketCors or your provider's console): ${JSON.stringify(s3UploadRule(missing))}`);
      else {
        // Only propose the change when this key may make it: a failed action stops the whole run.
        let lacking: string[] | undefined;
        let why: string | undefined;
        try {
          const { auth } = await b2Authorize(io, t, timeoutMs);
          const allowed = auth.apiInfo?.storageApi?.allowed;
          lacking = REQUIRED_FOR_CORS.filter((c) => !allowed?.capabilities?.includes(c));
        } catch (e) {
          why = e instanceof VerifyError ? e.message : String(e);
        }
        if (lacking && !lacking.length) {
          warnings.push(`${refused}; missing rule: ${JSON.stringify(rule)}`);
          actions.push(b2CorsAction(values, missing, opts));
        } else
          warnings.push(
            `${refused}; ${lacking?.length ? `this key lacks ${lacking.join(' and ')} to fix it, so ` : why ? `(the B2 API could not be asked: ${why}) ` : ''}${pasteHint(t.bucket, rule)}`,
          );
      }
    }
  }

  return {
    identity: `bucket ${t.bucket} at ${t.endpoint} (read/write)`,
    mode: 'read/write',
    details,
    warnings: warnings.map((w) => redact(w, [t.secret])),
    ...(actions.length ? { actions } : {}),
  };
}

/** Deletes the probe; the answer is a warning line when that failed. Runs on its own deadline, even after a cancel. */
async function removeProbe(sdk: Sdk, client: S3Client, t: Target, key: string, versionId: string | undefined, timeoutMs: number): Promise<string | undefined> {
  const signal = AbortSignal.timeout(Math.min(timeoutMs, 5000));
  const del = (withVersion: boolean) =>
    client.send(new sdk.DeleteObjectCommand({ Bucket: t.bucket, Key: key, ...(withVersion && versionId ? { VersionId: versionId } : {}) }), { abortSignal: signal });
  try {
    await del(true); // with the version id, B2 removes the file; by name alone it only hides it
    return undefined;
  } catch (e) {
    const code = codeOf(e);
    if (code === 'NoSuchKey' || code === 'NotFound') return undefined;
    if (versionId && code === 'AccessDenied') {
      try {
        await del(false);
        return `the probe object ${key} in bucket "${t.bucket}" is hidden, not deleted: the key lacks deleteFiles, so B2 keeps its old version (delete it in the B2 web UI)`;
      } catch {
        /* reported below */
      }
    }
    const f = s3Failure(e, t, 'delete', timeoutMs, signal);
    return `the probe object ${key} could not be deleted from bucket "${t.bucket}" (${f.message}): delete it in the B2 web UI or with any S3 client`;
  }
}

// --- key rotation (`create-prod-ready rotate b2.key`) -----------------------------------------------------
//
// The recipe of CONTRACT.md: read what the current key may do (b2_authorize_account with it: capabilities,
// buckets, namePrefix) → b2_create_key with exactly those, named after the run's tag → (the framework checks
// the new pair through the S3 API, writes .env and pushes it) → b2_delete_key of the old one. Making and
// deleting keys takes listKeys/writeKeys/deleteKeys, which the app's bucket-restricted key cannot hold: a
// key-managing key is asked for (B2_ADMIN_KEY_ID / B2_ADMIN_APPLICATION_KEY, never written), unless the
// app's key itself has those capabilities.

/** What managing keys takes: b2_list_keys (cleanup), b2_create_key, b2_delete_key. */
export const KEY_ADMIN_CAPABILITIES = ['listKeys', 'writeKeys', 'deleteKeys'] as const;
export const ADMIN_KEY_ID = 'B2_ADMIN_KEY_ID';
export const ADMIN_APPLICATION_KEY = 'B2_ADMIN_APPLICATION_KEY';
const ADMIN_HINT = `set ${ADMIN_KEY_ID} and ${ADMIN_APPLICATION_KEY} for this run to a key with ${KEY_ADMIN_CAPABILITIES.join(', ')} (the master application key: B2 web UI → Application Keys); they are never written`;

/** The tag (an ISO time) as key-name characters: 2026-01-02T03:04:05.678Z → 20260102T030405678Z. */
const tagPart = (tag: string) => tag.replace(/[^A-Za-z0-9]/g, '');

/** The new key's name: the bucket and the run's tag (B2 key names: 1-100 letters, digits and hyphens). */
export function rotatedKeyName(bucket: string, tag: string): string {
  const b = bucket.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  return [b, 'rotated', tagPart(tag)].filter(Boolean).join('-').slice(0, 100);
}

/** Was this key made by the rotation tagged `tag`? */
export function isRotatedKeyOf(keyName: string | undefined, tag: string): boolean {
  const suffix = `rotated-${tagPart(tag)}`;
  return !!tagPart(tag) && !!keyName && (keyName === suffix || keyName.endsWith(`-${suffix}`));
}

interface B2KeyInfo {
  accountId?: string;
  applicationKeyId: string;
  applicationKey?: string;
  keyName?: string;
  capabilities?: string[];
  bucketIds?: string[] | null;
  namePrefix?: string | null;
}

/** A key that may manage keys, authorized once for the calls of one step. */
interface KeyManager {
  accountId: string;
  /** For messages: "B2_ADMIN_KEY_ID 0123…" or "keyID 004… (S3_ACCESS_KEY_ID)". */
  who: string;
  capabilities: string[];
  call<T>(op: string, body: Record<string, unknown>): Promise<T>;
}

interface KeyCtx {
  t: Target;
  api: string;
  timeoutMs: number;
  io: Io;
  /** Every secret of the step (the .env key, the admin key, a new key): redacted from every message. */
  secrets: string[];
}

const keyVerb: Record<string, string> = { b2_create_key: 'create application keys', b2_list_keys: 'list application keys', b2_delete_key: 'delete application keys' };
const keyCapability: Record<string, string> = { b2_create_key: 'writeKeys', b2_list_keys: 'listKeys', b2_delete_key: 'deleteKeys' };

/** One line for a failed key-management call; never a secret. */
function keyFailure(e: unknown, op: string, who: string, c: KeyCtx): Error {
  if (e instanceof VerifyError) return new VerifyError(redact(e.message, c.secrets), e.hint && redact(e.hint, c.secrets), e.code);
  const v = (m: string, h: string | undefined, code: string) => new VerifyError(redact(m, c.secrets), h && redact(h, c.secrets), code);
  const again = 'run create-prod-ready rotate b2.key again';
  if (e instanceof B2ApiError) {
    if (e.status === 200) return v(`the B2 API's answer to ${op} is not JSON`, `check PROD_READY_B2_URL if you set it, then ${again}`, 'BAD_ANSWER');
    const what = `${op}: ${e.status} ${e.code}${e.message ? `, ${e.message.split('\n')[0]!.slice(0, 200)}` : ''}`;
    const credentials = who.startsWith(ADMIN_KEY_ID) ? `${ADMIN_KEY_ID} and ${ADMIN_APPLICATION_KEY}` : 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY';
    if (op === 'b2_authorize_account' && e.status === 401) return v(`the B2 API rejected ${who} (${what})`, `check ${credentials}`, e.code);
    if (e.status === 401 && (e.code === 'bad_auth_token' || e.code === 'expired_auth_token'))
      return v(`the B2 API no longer accepts the authorization of ${who} (${what})`, again, e.code);
    if (e.status === 401 || (e.status === 403 && e.code === 'access_denied'))
      return v(`${who} may not ${keyVerb[op] ?? `call ${op}`} (${what})${keyCapability[op] ? `: it needs the ${keyCapability[op]} capability` : ''}`, ADMIN_HINT, 'MISSING_CAPABILITY');
    if (e.status === 403) return v(`the B2 API refused ${what}`, 'check the account\'s caps and billing (B2 web UI → Caps & Alerts)', e.code);
    if (e.status === 429) return v(`the B2 API is rate-limiting requests (${what})`, `wait a minute, then ${again}`, e.code);
    if (e.status >= 500) return v(`the B2 API answered ${what} (server error)`, `B2 is having trouble (status.backblaze.com): ${again} in a minute`, e.code);
    return v(`the B2 API refused ${what}`, undefined, e.code);
  }
  if (e instanceof Error && e.name !== 'Error') return e; // an outside abort: its reason
  const code = (e as { code?: string })?.code ?? 'ERROR';
  return v(`the B2 API call ${op} failed: ${String((e as Error)?.message ?? e).split('\n')[0]}`, undefined, code);
}

function keyCtx(values: Values, io: Io): KeyCtx {
  const t = targetOf(values, b2Overridden(io));
  if (!t.b2)
    throw new VerifyError(
      `only Backblaze B2 application keys can be rotated here; S3_ENDPOINT is ${t.endpoint}`,
      t.local ? 'the local MinIO key needs no rotation' : "rotate the key in your S3 service's console, then run create-prod-ready check",
      'NOT_B2',
    );
  const admin = values[ADMIN_APPLICATION_KEY];
  return { t, api: io.baseUrl(B2_API_URL).replace(/\/+$/, ''), timeoutMs: timeoutMsDefault(), io, secrets: [t.secret, ...(admin ? [admin] : [])] };
}

async function authorizeKey(c: KeyCtx, keyId: string, secret: string, who: string): Promise<B2Authorization> {
  const basic = `Basic ${Buffer.from(`${keyId}:${secret}`).toString('base64')}`;
  try {
    const auth = await b2Call<B2Authorization>(c.io, `${c.api}/b2api/v4/b2_authorize_account`, basic, undefined, c.timeoutMs, c.secrets);
    if (!auth?.accountId || !auth.authorizationToken || !auth.apiInfo?.storageApi?.apiUrl) throw new B2ApiError(200, 'http_200', '');
    return auth;
  } catch (e) {
    throw keyFailure(e, 'b2_authorize_account', who, c);
  }
}

function managerOf(c: KeyCtx, auth: B2Authorization, who: string): KeyManager {
  const apiUrl = auth.apiInfo.storageApi.apiUrl.replace(/\/+$/, '');
  return {
    accountId: auth.accountId,
    who,
    capabilities: auth.apiInfo.storageApi.allowed?.capabilities ?? [],
    call: <T>(op: string, body: Record<string, unknown>) => b2Call<T>(c.io, `${apiUrl}/b2api/v4/${op}`, auth.authorizationToken, body, c.timeoutMs, c.secrets),
  };
}

const whoCurrent = (t: Target) => `keyID ${t.keyId} (S3_ACCESS_KEY_ID)`;

/**
 * The key that manages keys for this step: the admin key when it is given (checked: same account, the
 * capabilities), else the .env key when it may itself (an unrestricted key with listKeys/writeKeys/deleteKeys).
 * `account`: the account the key to act on belongs to, when known; `current`: the .env key's authorization, when made.
 */
async function keyManager(values: Values, c: KeyCtx, need: readonly string[], opts: { account?: string; current?: B2Authorization } = {}): Promise<KeyManager> {
  const adminId = values[ADMIN_KEY_ID]?.trim();
  const adminSecret = values[ADMIN_APPLICATION_KEY]?.trim();
  if (!!adminId !== !!adminSecret)
    throw new VerifyError(`${adminId ? ADMIN_KEY_ID : ADMIN_APPLICATION_KEY} is set but ${adminId ? ADMIN_APPLICATION_KEY : ADMIN_KEY_ID} is not`, ADMIN_HINT, 'BAD_VALUE');
  let auth: B2Authorization;
  let who: string;
  let account = opts.account;
  if (adminId && adminSecret) {
    who = `${ADMIN_KEY_ID} ${adminId}`;
    auth = await authorizeKey(c, adminId, adminSecret, who);
    account ??= (opts.current ?? (await authorizeKey(c, c.t.keyId, c.t.secret, whoCurrent(c.t)))).accountId;
    if (auth.accountId !== account)
      throw new VerifyError(`${who} belongs to B2 account ${auth.accountId}, but the key to rotate to account ${account}`, `use a key of account ${account}`, 'OTHER_ACCOUNT');
  } else {
    who = whoCurrent(c.t);
    auth = opts.current ?? (await authorizeKey(c, c.t.keyId, c.t.secret, who));
    if (account && auth.accountId !== account)
      throw new VerifyError(`${who} belongs to B2 account ${auth.accountId}, but the key to delete to account ${account}`, ADMIN_HINT, 'OTHER_ACCOUNT');
  }
  const have = auth.apiInfo.storageApi.allowed?.capabilities ?? [];
  const lacking = need.filter((x) => !have.includes(x));
  if (lacking.length)
    throw new VerifyError(
      `${who} lacks the ${lacking.join(', ')} capabilit${lacking.length > 1 ? 'ies' : 'y'} needed to rotate B2 application keys`,
      adminId ? `use a key with ${KEY_ADMIN_CAPABILITIES.join(', ')} (the master application key: B2 web UI → Application Keys)` : ADMIN_HINT,
      'MISSING_CAPABILITY',
    );
  return managerOf(c, auth, who);
}

/** Every application key of the account (b2_list_keys, page by page). */
async function listKeys(m: KeyManager, c: KeyCtx): Promise<B2KeyInfo[]> {
  const out: B2KeyInfo[] = [];
  let start: string | null | undefined;
  for (let page = 0; page < 100; page++) {
    let r: { keys?: B2KeyInfo[]; nextApplicationKeyId?: string | null };
    try {
      r = await m.call('b2_list_keys', { accountId: m.accountId, maxKeyCount: 1000, ...(start ? { startApplicationKeyId: start } : {}) });
    } catch (e) {
      throw keyFailure(e, 'b2_list_keys', m.who, c);
    }
    out.push(...(r.keys ?? []));
    start = r.nextApplicationKeyId;
    if (!start) break;
  }
  return out;
}

/** b2_delete_key; an unknown id (400 bad_request, CONTRACT.md) is a key already gone, confirmed by b2_list_keys when allowed. */
async function deleteKey(m: KeyManager, c: KeyCtx, keyId: string): Promise<'deleted' | 'gone'> {
  try {
    await m.call('b2_delete_key', { applicationKeyId: keyId });
    return 'deleted';
  } catch (e) {
    if (!(e instanceof B2ApiError && e.status === 400 && e.code === 'bad_request')) throw keyFailure(e, 'b2_delete_key', m.who, c);
    if (m.capabilities.includes('listKeys') && (await listKeys(m, c)).some((k) => k.applicationKeyId === keyId)) throw keyFailure(e, 'b2_delete_key', m.who, c);
    return 'gone';
  }
}

/** Whether rotating needs B2_ADMIN_KEY_ID / B2_ADMIN_APPLICATION_KEY: false when the .env key may manage keys itself. */
export async function adminKeyNeeded(values: Values, io: Io): Promise<boolean> {
  try {
    const c = keyCtx(values, io);
    const auth = await authorizeKey(c, c.t.keyId, c.t.secret, whoCurrent(c.t));
    const have = auth.apiInfo.storageApi.allowed?.capabilities ?? [];
    return !KEY_ADMIN_CAPABILITIES.every((x) => have.includes(x));
  } catch {
    return true; // ask: the real problem is reported by the rotation itself
  }
}

export const keyRotation: AutoRotation = {
  id: 'b2.key',
  title: 'B2 application key',
  keys: ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'],
  kind: 'auto',
  revokeHint: 'the old application key is deleted at B2 (b2_delete_key) once the new one is in .env and on the linked Render services',
  asks: [
    {
      key: ADMIN_KEY_ID,
      secret: false,
      description: `keyID of a B2 key that may manage keys (${KEY_ADMIN_CAPABILITIES.join(', ')}), e.g. the master application key`,
      where: 'B2 web UI → Application Keys → Master Application Key (its keyID is your account ID)',
    },
    { key: ADMIN_APPLICATION_KEY, description: `the applicationKey of ${ADMIN_KEY_ID}`, where: 'shown once when that key was made' },
  ],
  // Not needed when the app's own key may manage keys (listKeys, writeKeys, deleteKeys).
  asksNeeded: (values, io) => adminKeyNeeded(values, io),

  async create(values, io, tag) {
    const c = keyCtx(values, io);
    const { t } = c;
    const current = await authorizeKey(c, t.keyId, t.secret, whoCurrent(t));
    if (t.keyId === current.accountId)
      throw new VerifyError(`S3_ACCESS_KEY_ID is the master application key, which the S3 API does not accept`, 'create an application key for the bucket (B2 web UI → Application Keys)', 'MASTER_KEY');
    const allowed = current.apiInfo.storageApi.allowed;
    if (!allowed?.capabilities?.length) throw new VerifyError(`the B2 API did not say what ${whoCurrent(t)} may do (no allowed.capabilities)`, undefined, 'BAD_ANSWER');
    const m = await keyManager(values, c, KEY_ADMIN_CAPABILITIES, { current });
    const keyName = rotatedKeyName(t.bucket, tag);
    const bucketIds = allowed.buckets?.map((b) => b.id) ?? null;
    let made: B2KeyInfo;
    try {
      made = await m.call<B2KeyInfo>('b2_create_key', {
        accountId: m.accountId,
        capabilities: [...allowed.capabilities],
        keyName,
        ...(bucketIds ? { bucketIds } : {}),
        ...(allowed.namePrefix ? { namePrefix: allowed.namePrefix } : {}),
      });
    } catch (e) {
      throw keyFailure(e, 'b2_create_key', m.who, c);
    }
    if (typeof made?.applicationKeyId !== 'string' || typeof made.applicationKey !== 'string' || !made.applicationKey) {
      if (typeof made?.applicationKeyId === 'string') await deleteKey(m, c, made.applicationKeyId).catch(() => undefined);
      throw new VerifyError('the B2 API created a key without returning its keyID and applicationKey (b2_create_key)', 'run create-prod-ready rotate b2.key again', 'BAD_ANSWER');
    }
    return {
      values: { S3_ACCESS_KEY_ID: made.applicationKeyId, S3_SECRET_ACCESS_KEY: made.applicationKey },
      old: { keyId: t.keyId, accountId: current.accountId },
      new: { keyId: made.applicationKeyId, keyName, accountId: m.accountId },
    };
  },

  async cleanup(values, io, tag) {
    const c = keyCtx(values, io);
    const m = await keyManager(values, c, ['listKeys', 'deleteKeys']);
    const lines: string[] = [];
    for (const k of await listKeys(m, c)) {
      // Never the key .env holds, whatever its name.
      if (!isRotatedKeyOf(k.keyName, tag) || k.applicationKeyId === c.t.keyId) continue;
      const r = await deleteKey(m, c, k.applicationKeyId);
      lines.push(`${r === 'deleted' ? 'deleted' : 'already gone:'} B2 application key ${k.applicationKeyId} (${k.keyName}), made by the interrupted rotation`);
    }
    return lines;
  },

  async revoke(values, io, old) {
    const keyId = old.keyId;
    if (!keyId) throw new VerifyError('prod-ready.json does not name the old B2 application key (rotations."b2.key".old.keyId)', 'delete it in the B2 web UI → Application Keys', 'NO_KEY_ID');
    const c = keyCtx(values, io);
    const m = await keyManager(values, c, ['deleteKeys'], { account: old.accountId });
    const r = await deleteKey(m, c, keyId);
    return r === 'deleted' ? `deleted the old B2 application key ${keyId}` : `the old B2 application key ${keyId} was already deleted`;
  },
};

// --- the provider -----------------------------------------------------------------------------------------

/** True when the endpoint is the docker-compose service (any loopback host on port 9000). */
function isLocalService(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const u = new URL(normalizeEndpoint(endpoint));
    return isLoopbackHost(u.hostname) && (u.port || (u.protocol === 'https:' ? '443' : '80')) === '9000';
  } catch {
    return false;
  }
}

/** Local defaults only make sense while the endpoint is the local service (or not chosen yet). */
const whenLocal = (value: string) => (known: Values) => (!known.S3_ENDPOINT || isLocalService(known.S3_ENDPOINT) ? value : undefined);

export default defineProvider({
  id: 'b2',
  title: 'Backblaze B2 (S3)',
  hint: 'bucket, region, application key',
  docsUrl: 'https://secure.backblaze.com/app_keys.htm',
  apiUrl: B2_API_URL,
  // S3_REGION comes first: the endpoint's default is derived from it (https://s3.<region>.backblazeb2.com).
  env: [
    {
      key: 'S3_REGION',
      aliases: ['AWS_REGION', 'AWS_DEFAULT_REGION', 'B2_REGION'],
      shared: true,
      description: 'S3 region of the bucket, e.g. us-west-004 for B2 (us-east-1 for the local MinIO).',
      where: 'B2 web UI → Buckets → your bucket → Endpoint: the part between "s3." and ".backblazeb2.com"',
      secret: false,
      schema: regionSchema,
      app: "z.string().regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be a region such as us-west-004')",
      localDefault: (known) => regionOfB2Endpoint(known.S3_ENDPOINT ?? '') ?? LOCAL_S3.region,
      example: LOCAL_S3.region,
    },
    {
      key: 'S3_ENDPOINT',
      aliases: ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'B2_ENDPOINT', 'S3_ENDPOINT_URL'],
      shared: true,
      description: 'S3-compatible endpoint: https://s3.<region>.backblazeb2.com for B2; http://localhost:9000 is the local MinIO in docker-compose.yml.',
      where: 'B2 web UI → Buckets → your bucket → Endpoint (add https://)',
      secret: false,
      schema: endpointSchema,
      // also the bare B2 host the web UI shows, which the wizard completes with https://
      app: String.raw`z.union([z.url({ protocol: /^https?$/ }), z.string().regex(/^s3\.[a-z0-9-]+\.backblazeb2\.com\/?$/i)], { error: 'must be an endpoint URL such as https://s3.us-west-004.backblazeb2.com' })`,
      localDefault: (known) => (known.S3_REGION && B2_REGION.test(known.S3_REGION) ? b2EndpointFor(known.S3_REGION) : LOCAL_S3.endpoint),
      example: LOCAL_S3.endpoint,
    },
    {
      key: 'S3_BUCKET',
      aliases: ['S3_BUCKET_NAME', 'AWS_BUCKET', 'AWS_S3_BUCKET', 'B2_BUCKET_NAME', 'B2_BUCKET'],
      shared: true,
      description: 'Bucket the app uploads to.',
      where: 'B2 web UI → Buckets (the bucket name; Create a Bucket if you have none)',
      secret: false,
      schema: bucketSchema,
      app: "z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name: 3 to 63 lowercase letters, digits, dots and hyphens')",
      localDefault: whenLocal(LOCAL_S3.bucket),
      example: LOCAL_S3.bucket,
    },
    {
      key: 'S3_ACCESS_KEY_ID',
      aliases: ['AWS_ACCESS_KEY_ID', 'B2_APPLICATION_KEY_ID', 'B2_KEY_ID'],
      description: 'Access key id: the keyID of a B2 application key restricted to the bucket, with Read and Write access.',
      where: 'B2 web UI → Application Keys → Add a New Application Key → keyID',
      secret: false,
      schema: accessKeyIdSchema,
      app: String.raw`z.string().regex(/^\S{1,128}$/, 'must be a key id: at most 128 characters, no spaces')`,
      localDefault: whenLocal(LOCAL_S3.accessKeyId),
      example: LOCAL_S3.accessKeyId,
    },
    {
      key: 'S3_SECRET_ACCESS_KEY',
      aliases: ['AWS_SECRET_ACCESS_KEY', 'B2_APPLICATION_KEY'],
      description: 'Secret access key: the applicationKey of that B2 key (local value: the MinIO password in docker-compose.yml).',
      where: 'B2 web UI → Application Keys → Add a New Application Key → applicationKey (shown only once)',
      secret: true,
      schema: secretKeySchema,
      app: String.raw`z.string().regex(/^\S+$/, 'must not contain spaces or line breaks')`,
      localDefault: whenLocal(LOCAL_S3.secretAccessKey),
      example: '',
    },
  ],
  verify: (values, io) => verifyB2(values, io),
  rotations: [keyRotation],
  contribute(values) {
    const local = isLocalService(values.S3_ENDPOINT);
    const bucket = local && values.S3_BUCKET && !bucketProblem(values.S3_BUCKET) ? values.S3_BUCKET : LOCAL_S3.bucket;
    return {
      render: { envVars: KEYS.map((key) => ({ key, sync: false as const })) },
      compose: {
        services: {
          minio: {
            image: MINIO_IMAGE,
            command: ['server', '/data', '--console-address', ':9001'],
            environment: { MINIO_ROOT_USER: LOCAL_S3.accessKeyId, MINIO_ROOT_PASSWORD: LOCAL_S3.secretAccessKey },
            ports: ['9000:9000', '9001:9001'],
            healthcheck: { test: ['CMD', 'mc', 'ready', 'local'], interval: '5s', timeout: '5s', retries: 10 },
            volumes: ['minio-data:/data'],
            restart: 'unless-stopped',
          },
          // One-shot: creates the bucket once MinIO is healthy (MC_HOST_<alias> configures mc without a shell).
          'minio-init': {
            image: MC_IMAGE,
            depends_on: { minio: { condition: 'service_healthy' } },
            environment: { MC_HOST_local: `http://${LOCAL_S3.accessKeyId}:${LOCAL_S3.secretAccessKey}@minio:9000` },
            entrypoint: ['mc'],
            command: ['mb', '--ignore-existing', `local/${bucket}`],
            restart: 'no',
          },
        },
        volumes: ['minio-data'],
      },
      migrations: ['users', 'stored-objects'],
      nextSteps: local ? ['docker compose up -d minio minio-init'] : [],
    };
  },
});
