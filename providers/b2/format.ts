import { z } from 'zod';
import { VerifyError } from '../../src/core/errors.ts';
import { type Io, type Values } from '../../src/core/provider.ts';
import { httpUrlProblem, isLoopbackHost } from '../../src/core/urls.ts';
import { checkedString, foreignCredentialProblem, pastedValueProblem } from '../../src/core/schema.ts';

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
export const MINIO_IMAGE = 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z';
export const MC_IMAGE = 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z';
export const KEYS = ['S3_REGION', 'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;

// --- format checks ----------------------------------------------------------------------------------------

const B2_HOST = /^s3\.([a-z0-9-]+)\.backblazeb2\.com$/;
export const B2_REGION = /^[a-z]{2}-[a-z]+-\d{3}$/;

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

export interface Target {
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

export const b2Overridden = (io: Io) => io.baseUrl(B2_API_URL).replace(/\/+$/, '') !== B2_API_URL;

export function targetOf(values: Values, b2Api: boolean): Target {
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
