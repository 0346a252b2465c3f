// A Backblaze B2 stand-in on 127.0.0.1, for the real @aws-sdk/client-s3 and the wizard's native-API calls:
//
// - S3-compatible API: @20minutes/s3rver 4.0.4 (it verifies SigV4 signatures: a wrong secret is
//   SignatureDoesNotMatch, an unknown key InvalidAccessKeyId, a missing bucket NoSuchBucket), loaded through
//   ./s3rver-shim.cjs, which fixes its bucket-level signature bug and adds B2-style authorization: each key
//   has B2 capabilities and optional bucket restrictions, and a request the key may not make is AccessDenied.
// - Native API (node:http): b2_authorize_account (v4 shape, apiUrl = this server, s3ApiUrl = the s3rver),
//   b2_list_buckets and b2_update_bucket with corsRules and ifRevisionIs, and the contract's error bodies
//   {status, code, message} (../../../shared/specs/backblaze-b2/CONTRACT.md).
// - One bucket state behind both APIs, as on real B2: rules written with b2_update_bucket are translated to an
//   S3 CORS configuration in the s3rver store, so GetBucketCors shows them.
// - Key rotation (CONTRACT.md "b2_create_key / b2_delete_key / b2_list_keys"): b2_create_key (writeKeys),
//   b2_list_keys (listKeys), b2_delete_key (deleteKeys). One key store behind both APIs: a created key is at
//   once an S3 access key (id = applicationKeyId, secret = applicationKey) with exactly its capabilities,
//   bucket restriction and namePrefix; a deleted or expired key stops working on both (S3
//   InvalidAccessKeyId; native b2_authorize_account 401 unauthorized, tokens it issued 401 bad_auth_token /
//   expired_auth_token). Expiry (validDurationInSeconds) follows the stand-in's clock: `advanceClock(ms)`.
// - Fault injection on either API (status + error code, Retry-After, replaced or malformed body, delay,
//   connection reset; by operation, n times) and a latency added to every request (`latencyMs`, used by the
//   benchmark).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// --- the shimmed s3rver (CommonJS, untyped) ---------------------------------------------------------------

interface KoaCtx {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  params: { bucket?: string; key?: string };
  status: number;
  body: unknown;
  type: string;
  respond: boolean;
  req: IncomingMessage;
  res: ServerResponse;
  get(header: string): string;
}
type KoaMiddleware = (ctx: KoaCtx, next: () => Promise<void>) => Promise<void>;
interface S3ErrorLike extends Error {
  code: string;
  status: number;
}
interface CorsConfig {
  type: string;
}
interface Store {
  putSubresource(bucket: string, key: undefined, resource: CorsConfig): Promise<void>;
  deleteSubresource(bucket: string, key: undefined, type: string): Promise<void>;
  getSubresource(bucket: string, key: undefined, type: string): Promise<{ toXML(): string } | null>;
  listObjects(bucket: string, options: { prefix?: string }): Promise<{ objects: { key: string }[] }>;
  putBucket(bucket: string): Promise<void>;
}
interface S3rverInstance {
  middleware: KoaMiddleware[];
  store: Store;
  httpServer?: Server;
  authorize?: (ctx: KoaCtx, accessKeyId: string | undefined) => Promise<void>;
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
interface Shim {
  S3rver: new (options: Record<string, unknown>) => S3rverInstance;
  S3Error: new (code: string, message: string, detail?: Record<string, unknown>) => S3ErrorLike;
  AWSAccount: { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey(id: string): void } };
  S3CorsConfiguration: { validate(xml: string): CorsConfig };
}
const require = createRequire(import.meta.url);
const shim = require('./s3rver-shim.cjs') as Shim;

// --- public types ------------------------------------------------------------------------------------------

import type { B2CorsRule } from '../../providers/b2/index.ts';
import { listenOnLoopback } from '../harness/processes.ts';
import type { Fault as BaseFault } from './fault.ts';
export type { B2CorsRule };

export interface B2Key {
  /** applicationKeyId: the S3 access key id. */
  keyId: string;
  /** applicationKey: the S3 secret access key. */
  applicationKey: string;
  keyName: string;
  capabilities: string[];
  /** Bucket names the key is restricted to; null = all buckets. */
  buckets: string[] | null;
  /** Only file names starting with this (b2_create_key's namePrefix); null = any name. */
  namePrefix: string | null;
  /** When the key stops working, ms since the epoch on the stand-in's clock (validDurationInSeconds); null = never. */
  expirationTimestamp: number | null;
}

/** What b2_create_key takes (and `createKey()` on the handle): CONTRACT.md, v4. */
export interface B2CreateKeyRequest {
  keyName: string;
  capabilities: string[];
  /** Bucket names to restrict the key to (the handle's form; the API takes bucketIds). */
  buckets?: string[] | null;
  namePrefix?: string | null;
  validDurationInSeconds?: number;
}

/** Where a key is: usable, past its expirationTimestamp, deleted with b2_delete_key (or the handle), or never seen. */
export type B2KeyState = 'live' | 'expired' | 'deleted' | 'unknown';

export interface Fault extends BaseFault {
  /** Which API; both when absent. */
  api?: 's3' | 'b2';
  /**
   * S3 operation (PutObject, GetObject, DeleteObject, GetBucketCors, ListObjectsV2…) or native one
   * (b2_authorize_account, b2_update_bucket, b2_create_key, b2_list_keys, b2_delete_key…).
   */
  op?: string;
  /** S3 error code (e.g. InternalError, SlowDown) or B2 code (e.g. service_unavailable, conflict); derived from the status when absent. */
  code?: string;
  message?: string;
}

export interface StandinRequest {
  api: 's3' | 'b2';
  op: string;
  /** Date.now() when the request arrived (before any latency). */
  at: number;
  keyId?: string;
  bucket?: string;
  key?: string;
  status?: number;
}

export interface B2StandinOptions {
  /** The bucket the keys are for (default "prod-ready-uploads"). */
  bucket?: string;
  /** A second bucket, the one `keys.otherBucket` is restricted to (default "someone-elses-bucket"). */
  otherBucket?: string;
  /** Added before every answer of both APIs (benchmarks). */
  latencyMs?: number;
  /**
   * Refuse the flexible-checksum headers (x-amz-checksum-*, x-amz-sdk-checksum-algorithm) with 400
   * InvalidArgument "Unsupported header … received for this API call.", as B2 did for AWS SDK ≥ 3.729 clients
   * (reported 2024-2025 by Cyberduck, NocoBase, Zipline users). Default true.
   */
  rejectChecksumHeaders?: boolean;
}

export interface B2Standin {
  /** S3 endpoint (path-style), e.g. http://127.0.0.1:PORT: S3_ENDPOINT. */
  s3Url: string;
  /** Native API base, e.g. http://127.0.0.1:PORT: what io.baseUrl / PROD_READY_B2_URL returns. */
  apiUrl: string;
  accountId: string;
  bucket: string;
  otherBucket: string;
  keys: {
    /** The master key: native API only (B2 does not accept it on the S3 API). */
    master: B2Key;
    /** Restricted to `bucket`, read/write plus writeBuckets: may fix CORS. */
    full: B2Key;
    /** Restricted to `bucket`, what the web UI's "Read and Write" key gets: no writeBuckets. */
    app: B2Key;
    /** Restricted to `bucket`, "Read Only". */
    readOnly: B2Key;
    /** Read/write, restricted to `otherBucket`. */
    otherBucket: B2Key;
    /** Read/write on every bucket (not restricted): a missing bucket is NoSuchBucket, not AccessDenied. */
    allBuckets: B2Key;
  };
  /** Every request either API received, in order. */
  requests: StandinRequest[];
  /** Inject a fault; returns a function that removes it. */
  fail(fault: Fault): () => void;
  clearFaults(): void;
  /** The bucket's CORS rules as the native API returns them. */
  corsOf(bucket?: string): B2CorsRule[];
  /** Replace the bucket's CORS rules (as the web UI would): bumps the revision, visible to both APIs. */
  setCors(bucket: string, rules: B2CorsRule[]): Promise<void>;
  revisionOf(bucket?: string): number;
  /** Object keys in a bucket (read from the store, no API call). */
  objects(bucket?: string, prefix?: string): Promise<string[]>;
  /** Change a key's capabilities (e.g. revoke writeBuckets between a check and an action). */
  setCapabilities(keyId: string, capabilities: string[]): void;
  /**
   * Every application key that works right now (created by the stand-in or with b2_create_key, neither
   * deleted nor expired), with its secret, sorted by keyId as b2_list_keys sorts them. The master key is not
   * an application key and is not listed (as with b2_list_keys).
   */
  liveKeys(): B2Key[];
  /** One key as the stand-in holds it (a copy), live, expired or deleted; undefined when never seen. */
  keyById(keyId: string): B2Key | undefined;
  keyState(keyId: string): B2KeyState;
  /** Create a key directly (as the web UI would), usable on both APIs at once. */
  createKey(req: B2CreateKeyRequest): B2Key;
  /** Delete a key directly (as the web UI would): it stops working on both APIs. */
  deleteKey(keyId: string): void;
  /** Move the stand-in's clock forward (key expiry, expirationTimestamp). */
  advanceClock(ms: number): void;
  stop(): Promise<void>;
}

// --- capabilities ------------------------------------------------------------------------------------------

const READ = ['listBuckets', 'listAllBucketNames', 'readBuckets', 'listFiles', 'readFiles', 'shareFiles'];
const READ_WRITE = [...READ, 'writeFiles', 'deleteFiles'];
const ALL = [
  'listKeys', 'writeKeys', 'deleteKeys', 'listAllBucketNames', 'listBuckets', 'readBuckets', 'writeBuckets', 'deleteBuckets',
  'readBucketRetentions', 'writeBucketRetentions', 'readBucketEncryption', 'writeBucketEncryption', 'listFiles', 'readFiles',
  'shareFiles', 'writeFiles', 'deleteFiles', 'readFileLegalHolds', 'writeFileLegalHolds', 'readFileRetentions', 'writeFileRetentions',
  'bypassGovernance',
];
/** The contract's Capability enum (openapi.json components.schemas.Capability): what b2_create_key accepts. */
const KNOWN_CAPABILITIES = new Set([...ALL, 'readBucketReplications', 'writeBucketReplications', 'readBucketNotifications', 'writeBucketNotifications']);
/**
 * Account-level capabilities, refused for a bucket-restricted key (CONTRACT.md: "Bucket-restricted keys may
 * only hold bucket-level capabilities"). AMBIGUOUS: the contract does not list them; the key-management
 * ones are the only capabilities that cannot be scoped to a bucket (listAllBucketNames, listBuckets and
 * writeBuckets are held by bucket-restricted keys the web UI makes).
 */
const ACCOUNT_LEVEL = ['listKeys', 'writeKeys', 'deleteKeys'];
/** b2_list_keys without maxKeyCount. AMBIGUOUS: not in the contract; Backblaze's docs say 100 (b2-sdk-python's simulator uses 1000). */
const DEFAULT_MAX_KEY_COUNT = 100;

/** The capability each S3 operation needs (B2 "S3-Compatible App Keys"; GetBucketCors as readBuckets is our assumption). */
const S3_CAPABILITY: Record<string, string> = {
  ListBuckets: 'listAllBucketNames',
  ListObjects: 'listFiles',
  ListObjectsV2: 'listFiles',
  ListObjectVersions: 'listFiles',
  HeadBucket: 'readBuckets',
  GetBucketLocation: 'readBuckets',
  GetBucketCors: 'readBuckets',
  PutBucketCors: 'writeBuckets',
  DeleteBucketCors: 'writeBuckets',
  GetObject: 'readFiles',
  HeadObject: 'readFiles',
  PutObject: 'writeFiles',
  CopyObject: 'writeFiles',
  CreateMultipartUpload: 'writeFiles',
  UploadPart: 'writeFiles',
  CompleteMultipartUpload: 'writeFiles',
  DeleteObject: 'deleteFiles',
  DeleteObjects: 'deleteFiles',
};

const B2_TO_S3_METHOD: Record<string, string> = { s3_get: 'GET', s3_head: 'HEAD', s3_put: 'PUT', s3_post: 'POST', s3_delete: 'DELETE' };
const B2_OPERATIONS = ['b2_download_file_by_name', 'b2_download_file_by_id', 'b2_upload_file', 'b2_upload_part', ...Object.keys(B2_TO_S3_METHOD)];

/** Which S3 operation a path-style request is. */
export function s3OperationOf(method: string, path: string, query: Record<string, unknown>): { op: string; bucket?: string; key?: string } {
  const parts = path.replace(/^\//, '').split('/');
  const bucket = parts[0] ? decodeURIComponent(parts[0]) : undefined;
  const key = parts.length > 1 && parts.slice(1).join('/') ? decodeURIComponent(parts.slice(1).join('/')) : undefined;
  const has = (q: string) => q in query;
  if (!bucket) return { op: 'ListBuckets' };
  if (!key) {
    if (method === 'GET') return { op: has('cors') ? 'GetBucketCors' : has('location') ? 'GetBucketLocation' : has('versions') ? 'ListObjectVersions' : query['list-type'] === '2' ? 'ListObjectsV2' : 'ListObjects', bucket };
    if (method === 'PUT') return { op: has('cors') ? 'PutBucketCors' : 'CreateBucket', bucket };
    if (method === 'DELETE') return { op: has('cors') ? 'DeleteBucketCors' : 'DeleteBucket', bucket };
    if (method === 'HEAD') return { op: 'HeadBucket', bucket };
    if (method === 'POST' && has('delete')) return { op: 'DeleteObjects', bucket };
    return { op: `${method} bucket`, bucket };
  }
  if (method === 'GET') return { op: 'GetObject', bucket, key };
  if (method === 'HEAD') return { op: 'HeadObject', bucket, key };
  if (method === 'DELETE') return { op: 'DeleteObject', bucket, key };
  if (method === 'PUT') return { op: has('partNumber') ? 'UploadPart' : 'PutObject', bucket, key };
  if (method === 'POST') return { op: has('uploads') ? 'CreateMultipartUpload' : has('uploadId') ? 'CompleteMultipartUpload' : 'PostObject', bucket, key };
  return { op: `${method} object`, bucket, key };
}

function keyIdOfS3(ctx: KoaCtx): string | undefined {
  const m = /Credential=([^/,\s]+)\//.exec(ctx.get('authorization'));
  return m?.[1];
}

const S3_CODE_FOR_STATUS: Record<number, string> = { 400: 'InvalidRequest', 403: 'AccessDenied', 404: 'NoSuchKey', 409: 'OperationAborted', 500: 'InternalError', 501: 'NotImplemented', 503: 'ServiceUnavailable' };
const B2_CODE_FOR_STATUS: Record<number, string> = { 400: 'bad_request', 401: 'unauthorized', 403: 'access_denied', 404: 'not_found', 409: 'conflict', 429: 'too_many_requests', 500: 'internal_error', 503: 'service_unavailable' };

/** Waits `ms`, or less when the client goes away first; true when it went away (the request is then dropped). */
const waitUnlessGone = (ms: number, res: ServerResponse) =>
  new Promise<boolean>((resolve) => {
    const onClose = () => (clearTimeout(timer), resolve(true));
    const timer = setTimeout(() => (res.off('close', onClose), resolve(false)), ms);
    res.once('close', onClose);
  });
const hex = (n: number) => randomBytes(n).toString('hex');
const alnum = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, n).padEnd(n, 'x');
const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface BucketState {
  bucketId: string;
  bucketName: string;
  corsRules: B2CorsRule[];
  revision: number;
}

// --- the stand-in ------------------------------------------------------------------------------------------

export async function startB2(opts: B2StandinOptions = {}): Promise<B2Standin> {
  const bucketName = opts.bucket ?? 'prod-ready-uploads';
  const otherName = opts.otherBucket ?? 'someone-elses-bucket';
  const latencyMs = opts.latencyMs ?? 0;
  const accountId = hex(6); // 12 hex characters, like a real account id
  const cluster = '004';

  const buckets = new Map<string, BucketState>();
  for (const name of [bucketName, otherName]) buckets.set(name, { bucketId: hex(12), bucketName: name, corsRules: [], revision: 1 });

  // The stand-in's clock (key expiry); advanceClock() moves it forward.
  let skewMs = 0;
  const now = () => Date.now() + skewMs;

  const newKeyId = () => {
    for (;;) {
      const id = `${cluster}${accountId.slice(0, 10)}${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`.slice(0, 25);
      if (!everSeen.has(id)) return id;
    }
  };
  const everSeen = new Map<string, B2Key>(); // every key ever made, by id (deleted ones too)
  const newKey = (keyName: string, capabilities: string[], restrictTo: string[] | null, namePrefix: string | null = null, expirationTimestamp: number | null = null): B2Key => {
    const k: B2Key = { keyId: newKeyId(), applicationKey: `K${cluster}${alnum(27)}`, keyName, capabilities, buckets: restrictTo, namePrefix, expirationTimestamp };
    everSeen.set(k.keyId, k);
    return k;
  };
  const keys: B2Standin['keys'] = {
    master: { keyId: accountId, applicationKey: `${cluster}${hex(16)}`.slice(0, 31), keyName: 'Master Application Key', capabilities: ALL, buckets: null, namePrefix: null, expirationTimestamp: null },
    full: newKey('app-with-cors', [...READ_WRITE, 'writeBuckets'], [bucketName]),
    app: newKey('app-read-write', READ_WRITE, [bucketName]),
    readOnly: newKey('app-read-only', READ, [bucketName]),
    otherBucket: newKey('other-bucket', [...READ_WRITE, 'writeBuckets'], [otherName]),
    allBuckets: newKey('all-buckets', READ_WRITE, null),
  };
  everSeen.set(keys.master.keyId, keys.master);
  /** Keys that exist (not deleted; expired ones stay until deleted, as their ids still show in b2_list_keys). */
  const byId = new Map(Object.values(keys).map((k) => [k.keyId, k]));
  const deleted = new Set<string>();
  // B2: the master key does not work with the S3 API; every application key does.
  const s3Keys = new Set(Object.values(keys).filter((k) => k !== keys.master).map((k) => k.keyId));
  for (const id of s3Keys) shim.AWSAccount.DUMMY_ACCOUNT.createKeyPair(id, byId.get(id)!.applicationKey);
  const expired = (k: B2Key) => k.expirationTimestamp !== null && k.expirationTimestamp <= now();
  /** Expired keys stop working on the S3 API at once (s3rver then answers InvalidAccessKeyId). */
  const sweepExpired = () => {
    for (const id of s3Keys) {
      const k = byId.get(id);
      if (k && expired(k)) {
        shim.AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(id);
        s3Keys.delete(id);
      }
    }
  };
  const addKey = (k: B2Key) => {
    byId.set(k.keyId, k);
    s3Keys.add(k.keyId);
    shim.AWSAccount.DUMMY_ACCOUNT.createKeyPair(k.keyId, k.applicationKey);
  };
  const removeKey = (k: B2Key) => {
    byId.delete(k.keyId);
    deleted.add(k.keyId);
    if (s3Keys.delete(k.keyId)) shim.AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(k.keyId);
  };

  const requests: StandinRequest[] = [];
  let faults: (Fault & { left: number })[] = [];
  const takeFault = (api: 's3' | 'b2', op: string): Fault | undefined => {
    const f = faults.find((x) => (!x.api || x.api === api) && (!x.op || x.op === op) && x.left > 0);
    if (f) f.left--;
    return f;
  };

  // --- S3 side -----------------------------------------------------------------------------------------------
  const dir = await mkdtemp(join(tmpdir(), 'b2-standin-'));
  const s3 = new shim.S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    vhostBuckets: false,
    configureBuckets: [{ name: bucketName }, { name: otherName }],
  });

  // Errors answered here, not thrown: s3rver's own error XML escapes ' as &#x27;, which the SDK does not decode.
  const xmlError = (ctx: KoaCtx, entry: StandinRequest, status: number, code: string, message: string, f?: Fault) => {
    entry.status = status;
    ctx.status = status;
    ctx.type = 'application/xml';
    if (f?.retryAfter !== undefined) ctx.res.setHeader('retry-after', String(f.retryAfter));
    ctx.body =
      typeof f?.body === 'string'
        ? f.body
        : f?.malformed
          ? '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>'
          : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`;
  };
  const front: KoaMiddleware = async (ctx, next) => {
    const { op, bucket, key } = s3OperationOf(ctx.method, ctx.path, ctx.query);
    const entry: StandinRequest = { api: 's3', op, at: Date.now(), keyId: keyIdOfS3(ctx), bucket, key };
    requests.push(entry);
    sweepExpired();
    if (latencyMs && (await waitUnlessGone(latencyMs, ctx.res))) return void (ctx.respond = false);
    const f = takeFault('s3', op);
    if (f?.delayMs && (await waitUnlessGone(f.delayMs, ctx.res))) return void (ctx.respond = false);
    const checksum = opts.rejectChecksumHeaders === false ? undefined : Object.keys(ctx.req.headers).find((h) => h.startsWith('x-amz-checksum-') || h === 'x-amz-sdk-checksum-algorithm');
    if (checksum) return xmlError(ctx, entry, 400, 'InvalidArgument', `Unsupported header '${checksum}' received for this API call.`);
    if (f?.reset) {
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    if (f?.status || f?.malformed || f?.body !== undefined) {
      const status = f.status ?? 200;
      return xmlError(ctx, entry, status, f.code ?? S3_CODE_FOR_STATUS[status] ?? 'InternalError', f.message ?? 'Injected fault', f);
    }
    try {
      await next();
      entry.status = ctx.status;
    } catch (e) {
      entry.status = (e as S3ErrorLike).status ?? 500;
      throw e;
    }
  };
  s3.middleware.unshift(front);

  s3.authorize = async (ctx, accessKeyId) => {
    const k = accessKeyId ? byId.get(accessKeyId) : undefined;
    if (!k) return;
    const { op, bucket, key } = s3OperationOf(ctx.method, ctx.path, ctx.query);
    const need = S3_CAPABILITY[op];
    const bucketOk = !bucket || !k.buckets || k.buckets.includes(bucket);
    // namePrefix: object operations must name a file under it, listings must ask for a prefix under it.
    const listing = op === 'ListObjects' || op === 'ListObjectsV2' || op === 'ListObjectVersions';
    const listPrefix = typeof ctx.query.prefix === 'string' ? ctx.query.prefix : '';
    const prefixOk = k.namePrefix === null || (key !== undefined ? key.startsWith(k.namePrefix) : !listing || listPrefix.startsWith(k.namePrefix));
    if (!bucketOk || !prefixOk || (need && !k.capabilities.includes(need))) throw new shim.S3Error('AccessDenied', 'Access Denied');
  };

  const { port: s3Port } = await s3.run();
  const s3Url = `http://127.0.0.1:${s3Port}`;

  /** B2 rules → the S3 view of them (only rules with s3_* operations; B2 shows the same list through both APIs). */
  const syncS3Cors = async (b: BucketState) => {
    const rules = b.corsRules
      .map((r) => ({ r, methods: r.allowedOperations.map((o) => B2_TO_S3_METHOD[o]).filter((m): m is string => !!m) }))
      .filter((x) => x.methods.length);
    if (!rules.length) return s3.store.deleteSubresource(b.bucketName, undefined, 'cors');
    const xml =
      '<CORSConfiguration>' +
      rules
        .map(({ r, methods }) =>
          [
            '<CORSRule>',
            `<ID>${escapeXml(r.corsRuleName)}</ID>`,
            ...r.allowedOrigins.map((o) => `<AllowedOrigin>${escapeXml(o)}</AllowedOrigin>`),
            ...methods.map((m) => `<AllowedMethod>${m}</AllowedMethod>`),
            ...(r.allowedHeaders ?? []).map((h) => `<AllowedHeader>${escapeXml(h)}</AllowedHeader>`),
            ...(r.exposeHeaders ?? []).map((h) => `<ExposeHeader>${escapeXml(h)}</ExposeHeader>`),
            `<MaxAgeSeconds>${r.maxAgeSeconds}</MaxAgeSeconds>`,
            '</CORSRule>',
          ].join(''),
        )
        .join('') +
      '</CORSConfiguration>';
    await s3.store.putSubresource(b.bucketName, undefined, shim.S3CorsConfiguration.validate(xml));
  };

  // --- native side -------------------------------------------------------------------------------------------
  const tokens = new Map<string, B2Key>();
  let apiUrl = '';

  const bucketJson = (b: BucketState) => ({
    accountId,
    bucketId: b.bucketId,
    bucketName: b.bucketName,
    bucketType: 'allPrivate',
    bucketInfo: {},
    corsRules: structuredClone(b.corsRules),
    lifecycleRules: [],
    options: ['s3'],
    revision: b.revision,
    defaultServerSideEncryption: { isClientAuthorizedToRead: true, value: { mode: null } },
    fileLockConfiguration: { isClientAuthorizedToRead: true, value: { defaultRetention: { mode: null, period: null }, isFileLockEnabled: false } },
    replicationConfiguration: null,
  });

  class B2Fail extends Error {
    constructor(
      readonly status: number,
      readonly code: string,
      message = '',
    ) {
      super(message);
    }
  }

  const corsProblem = (rules: unknown): string | undefined => {
    if (!Array.isArray(rules)) return 'corsRules must be an array';
    if (rules.length > 100) return 'too many CORS rules (at most 100)';
    const names = new Set<string>();
    for (const r of rules as Partial<B2CorsRule>[]) {
      if (typeof r !== 'object' || r === null) return 'each CORS rule must be an object';
      const name = r.corsRuleName;
      if (typeof name !== 'string' || !/^[A-Za-z0-9-]{6,50}$/.test(name) || name.startsWith('b2-')) return `invalid corsRuleName: ${String(name)}`;
      if (names.has(name)) return `duplicate corsRuleName: ${name}`;
      names.add(name);
      if (!Array.isArray(r.allowedOrigins) || !r.allowedOrigins.length || r.allowedOrigins.some((o) => typeof o !== 'string' || !o))
        return `allowedOrigins is required in rule ${name}`;
      if (!Array.isArray(r.allowedOperations) || !r.allowedOperations.length) return `allowedOperations is required in rule ${name}`;
      const bad = r.allowedOperations.find((o) => !B2_OPERATIONS.includes(o));
      if (bad) return `unknown operation in rule ${name}: ${bad}`;
      if (typeof r.maxAgeSeconds !== 'number' || !Number.isInteger(r.maxAgeSeconds) || r.maxAgeSeconds < 0 || r.maxAgeSeconds > 86400)
        return `maxAgeSeconds must be between 0 and 86400 in rule ${name}`;
      if (JSON.stringify(r).length >= 1000) return `rule ${name} is too long (1000 bytes at most)`;
    }
    return undefined;
  };

  const authed = (req: IncomingMessage): B2Key => {
    const token = req.headers.authorization;
    const k = token ? tokens.get(token) : undefined;
    // A token issued for a key deleted since is no longer valid. AMBIGUOUS: the contract does not say what
    // B2 answers then; bad_auth_token sends the client back to b2_authorize_account, which refuses the key.
    if (!k || byId.get(k.keyId) !== k) throw new B2Fail(401, 'bad_auth_token', 'Invalid authorization token');
    if (expired(k)) throw new B2Fail(401, 'expired_auth_token', 'Authorization token has expired');
    return k;
  };
  const need = (k: B2Key, cap: string) => {
    if (!k.capabilities.includes(cap)) throw new B2Fail(401, 'unauthorized', `application key lacks the ${cap} capability`);
  };
  const sameAccount = (body: Record<string, unknown>) => {
    if (typeof body.accountId !== 'string' || !body.accountId) throw new B2Fail(400, 'bad_request', 'required field accountId is missing');
    if (body.accountId !== accountId) throw new B2Fail(401, 'unauthorized', '');
  };

  /** Contract example for a missing required field: 400 bad_json "required field keyName is missing". */
  const requiredField = (body: Record<string, unknown>, field: string) => {
    if (body[field] === undefined || body[field] === null || body[field] === '') throw new B2Fail(400, 'bad_json', `required field ${field} is missing`);
  };

  /** The ApplicationKey schema (no secret). */
  const keyJson = (k: B2Key) => ({
    accountId,
    applicationKeyId: k.keyId,
    capabilities: [...k.capabilities],
    keyName: k.keyName,
    expirationTimestamp: k.expirationTimestamp,
    bucketIds: k.buckets ? k.buckets.map((n) => buckets.get(n)?.bucketId ?? n) : null,
    namePrefix: k.namePrefix,
    options: ['s3'],
  });

  /** What b2_list_keys lists: application keys (not the master key), expired ones included, sorted by id. */
  const listedKeys = () => [...byId.values()].filter((k) => k !== keys.master).sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));

  /** Validates a b2_create_key body (v4 bucketIds; a single v3-style bucketId is accepted too). */
  const parseCreateKey = (body: Record<string, unknown>): B2CreateKeyRequest => {
    requiredField(body, 'keyName');
    requiredField(body, 'capabilities');
    const { keyName, validDurationInSeconds, namePrefix } = body;
    if (typeof keyName !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(keyName)) throw new B2Fail(400, 'bad_json', `illegal key name: ${String(keyName)}`);
    // GET form: list fields as comma-separated query values.
    const caps = typeof body.capabilities === 'string' ? body.capabilities.split(',') : body.capabilities;
    if (!Array.isArray(caps) || !caps.length || caps.some((c) => typeof c !== 'string')) throw new B2Fail(400, 'bad_json', 'capabilities must be a non-empty array of strings');
    const unknown = (caps as string[]).find((c) => !KNOWN_CAPABILITIES.has(c));
    if (unknown) throw new B2Fail(400, 'bad_request', `unknown capability: ${unknown}`);
    let duration: number | undefined;
    if (validDurationInSeconds !== undefined) {
      duration = typeof validDurationInSeconds === 'string' && /^\d+$/.test(validDurationInSeconds) ? Number(validDurationInSeconds) : (validDurationInSeconds as number);
      // b2-sdk-python's simulator wording and limits (1 s to 1000 days), as BadJson.
      if (!Number.isInteger(duration) || duration < 1 || duration > 86_400_000)
        throw new B2Fail(400, 'bad_json', 'valid duration must be greater than 0, and less than 1000 days in seconds');
    }
    if (body.bucketId !== undefined && body.bucketIds !== undefined) throw new B2Fail(400, 'bad_request', 'bucketId and bucketIds cannot both be given');
    const rawIds = body.bucketIds !== undefined ? (typeof body.bucketIds === 'string' ? body.bucketIds.split(',') : body.bucketIds) : body.bucketId !== undefined ? [body.bucketId] : undefined;
    let names: string[] | null = null;
    if (rawIds !== undefined && rawIds !== null) {
      if (!Array.isArray(rawIds) || !rawIds.length || rawIds.some((x) => typeof x !== 'string')) throw new B2Fail(400, 'bad_json', 'bucketIds must be a non-empty array of strings');
      names = (rawIds as string[]).map((id) => {
        const b = [...buckets.values()].find((x) => x.bucketId === id);
        if (!b) throw new B2Fail(400, 'bad_bucket_id', `Invalid bucketId: ${id}`);
        return b.bucketName;
      });
      const accountLevel = (caps as string[]).find((c) => ACCOUNT_LEVEL.includes(c));
      if (accountLevel) throw new B2Fail(400, 'bad_request', `capability ${accountLevel} cannot be given to a key restricted to buckets`);
    }
    if (namePrefix !== undefined && namePrefix !== null && typeof namePrefix !== 'string') throw new B2Fail(400, 'bad_json', 'namePrefix must be a string');
    return { keyName, capabilities: [...new Set(caps as string[])], buckets: names, namePrefix: (namePrefix as string | null | undefined) ?? null, validDurationInSeconds: duration };
  };

  const makeKey = (r: B2CreateKeyRequest): B2Key => {
    const k = newKey(r.keyName, [...r.capabilities], r.buckets ? [...r.buckets] : null, r.namePrefix ?? null, r.validDurationInSeconds ? now() + r.validDurationInSeconds * 1000 : null);
    addKey(k);
    return k;
  };

  const ops: Record<string, (req: IncomingMessage, body: Record<string, unknown>) => unknown> = {
    b2_authorize_account(req) {
      const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
      if (!m) throw new B2Fail(401, 'bad_auth_token', 'Authorization header is missing or not Basic');
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const k = byId.get(decoded.slice(0, i));
      if (i < 0 || !k || k.applicationKey !== decoded.slice(i + 1) || expired(k)) throw new B2Fail(401, 'unauthorized', '');
      const token = `4_${hex(20)}`;
      tokens.set(token, k);
      return {
        accountId,
        authorizationToken: token,
        applicationKeyExpirationTimestamp: k.expirationTimestamp,
        apiInfo: {
          storageApi: {
            apiUrl,
            downloadUrl: apiUrl,
            s3ApiUrl: s3Url,
            recommendedPartSize: 100_000_000,
            absoluteMinimumPartSize: 5_000_000,
            allowed: {
              buckets: k.buckets ? k.buckets.map((n) => ({ id: buckets.get(n)!.bucketId, name: n })) : null,
              capabilities: [...k.capabilities],
              namePrefix: k.namePrefix,
            },
          },
        },
      };
    },
    b2_list_buckets(req, body) {
      const k = authed(req);
      sameAccount(body);
      need(k, 'listBuckets');
      const all = [...buckets.values()];
      const named = all.filter((b) => (body.bucketId === undefined || b.bucketId === body.bucketId) && (body.bucketName === undefined || b.bucketName === body.bucketName));
      if (k.buckets) {
        // A restricted key must name one of its buckets (CONTRACT.md: otherwise 401 unauthorized).
        const namesOne = (body.bucketId !== undefined || body.bucketName !== undefined) && named.every((b) => k.buckets!.includes(b.bucketName));
        if (!namesOne) throw new B2Fail(401, 'unauthorized', '');
      }
      return { buckets: named.map(bucketJson) };
    },
    async b2_update_bucket(req, body) {
      const k = authed(req);
      sameAccount(body);
      need(k, 'writeBuckets');
      if (typeof body.bucketId !== 'string') throw new B2Fail(400, 'bad_request', 'required field bucketId is missing');
      const b = [...buckets.values()].find((x) => x.bucketId === body.bucketId);
      if (!b) throw new B2Fail(400, 'bad_bucket_id', `Invalid bucketId: ${body.bucketId}`);
      if (k.buckets && !k.buckets.includes(b.bucketName)) throw new B2Fail(401, 'unauthorized', '');
      if (body.ifRevisionIs !== undefined && body.ifRevisionIs !== b.revision) throw new B2Fail(409, 'conflict', 'ifRevisionIs does not match the current revision');
      if (body.corsRules !== undefined) {
        const p = corsProblem(body.corsRules);
        if (p) throw new B2Fail(400, 'bad_request', p);
        b.corsRules = structuredClone(body.corsRules as B2CorsRule[]);
        await syncS3Cors(b);
      }
      b.revision++;
      return bucketJson(b);
    },

    // --- keys (CONTRACT.md "b2_create_key / b2_delete_key / b2_list_keys") ---
    b2_create_key(req, body) {
      const k = authed(req);
      requiredField(body, 'accountId');
      sameAccount(body);
      need(k, 'writeKeys');
      const r = parseCreateKey(body);
      const made = makeKey(r);
      return { ...keyJson(made), applicationKey: made.applicationKey }; // the only answer that carries the secret
    },
    b2_list_keys(req, body) {
      const k = authed(req);
      requiredField(body, 'accountId');
      sameAccount(body);
      need(k, 'listKeys');
      let max = DEFAULT_MAX_KEY_COUNT;
      if (body.maxKeyCount !== undefined) {
        max = typeof body.maxKeyCount === 'string' && /^\d+$/.test(body.maxKeyCount) ? Number(body.maxKeyCount) : (body.maxKeyCount as number);
        if (!Number.isInteger(max) || max < 1 || max > 10000) throw new B2Fail(400, 'bad_request', 'maxKeyCount must be between 1 and 10000');
      }
      if (body.startApplicationKeyId !== undefined && typeof body.startApplicationKeyId !== 'string')
        throw new B2Fail(400, 'bad_json', 'startApplicationKeyId must be a string');
      const start = body.startApplicationKeyId as string | undefined;
      const all = listedKeys().filter((x) => start === undefined || x.keyId >= start);
      return { keys: all.slice(0, max).map(keyJson), nextApplicationKeyId: all[max]?.keyId ?? null };
    },
    b2_delete_key(req, body) {
      const k = authed(req);
      requiredField(body, 'applicationKeyId');
      need(k, 'deleteKeys');
      const id = body.applicationKeyId;
      const target = typeof id === 'string' ? byId.get(id) : undefined;
      // The master key is not an application key: it cannot be deleted (b2-sdk-python's simulator: not found).
      if (!target || target === keys.master) throw new B2Fail(400, 'bad_request', `application key does not exist: ${String(id)}`);
      removeKey(target);
      return keyJson(target);
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown, f?: Fault) => {
    const text = typeof f?.body === 'string' ? f.body : f?.malformed ? '{"status": ' : JSON.stringify(f?.body ?? body);
    const headers: Record<string, string | number> = { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'max-age=0, no-cache, no-store' };
    if (f?.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
    res.writeHead(status, headers);
    res.end(text);
  };
  /** Which key a native request is made with (for the request log). */
  const keyIdOfNative = (req: IncomingMessage): string | undefined => {
    const h = req.headers.authorization ?? '';
    const basic = /^Basic\s+(.+)$/i.exec(h);
    if (basic) return Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0];
    return tokens.get(h)?.keyId;
  };

  const native = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', apiUrl);
        const m = /^\/b2api\/v4\/(b2_[a-z_]+)$/.exec(url.pathname);
        const op = m?.[1] ?? url.pathname;
        const entry: StandinRequest = { api: 'b2', op, at: Date.now(), keyId: keyIdOfNative(req) };
        requests.push(entry);
        sweepExpired();
        if (latencyMs && (await waitUnlessGone(latencyMs, res))) return;
        const f = takeFault('b2', op);
        if (f?.delayMs && (await waitUnlessGone(f.delayMs, res))) return;
        if (f?.reset) return void req.socket.destroy();
        if (f && (f.malformed || (f.body !== undefined && !f.status))) {
          entry.status = f.status ?? 200;
          return send(res, entry.status, {}, f);
        }
        try {
          if (f?.status) {
            const status = f.status;
            entry.status = status;
            return send(res, status, { status, code: f.code ?? B2_CODE_FOR_STATUS[status] ?? 'internal_error', message: f.message ?? '' }, f);
          }
          const handler = m ? ops[m[1]!] : undefined;
          if (!handler) throw new B2Fail(404, 'not_found', `unknown API: ${url.pathname}`);
          let body: Record<string, unknown> = Object.fromEntries(url.searchParams);
          if (req.method === 'POST' && chunks.length) {
            try {
              body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
            } catch {
              throw new B2Fail(400, 'bad_json', 'request body is not valid JSON');
            }
          }
          const out = await handler(req, body);
          entry.status = 200;
          send(res, 200, out);
        } catch (e) {
          const err = e instanceof B2Fail ? e : new B2Fail(500, 'internal_error', String((e as Error).message ?? e));
          entry.status = err.status;
          send(res, err.status, { status: err.status, code: err.code, message: err.message });
        }
      })();
    });
  });
  apiUrl = `http://127.0.0.1:${await listenOnLoopback(native)}`;

  const bucketState = (name: string) => {
    const b = buckets.get(name);
    if (!b) throw new Error(`no bucket ${name} in the stand-in`);
    return b;
  };

  return {
    s3Url,
    apiUrl,
    accountId,
    bucket: bucketName,
    otherBucket: otherName,
    keys,
    requests,
    fail(fault) {
      const f = { ...fault, left: fault.times ?? Infinity };
      faults.push(f);
      return () => {
        faults = faults.filter((x) => x !== f);
      };
    },
    clearFaults() {
      faults = [];
    },
    corsOf: (name = bucketName) => structuredClone(bucketState(name).corsRules),
    async setCors(name, rules) {
      const b = bucketState(name);
      const p = corsProblem(rules);
      if (p) throw new Error(p);
      b.corsRules = structuredClone(rules);
      b.revision++;
      await syncS3Cors(b);
    },
    revisionOf: (name = bucketName) => bucketState(name).revision,
    async objects(name = bucketName, prefix = '') {
      const r = await s3.store.listObjects(name, { prefix });
      return r.objects.map((o) => o.key);
    },
    setCapabilities(keyId, capabilities) {
      const k = byId.get(keyId);
      if (!k) throw new Error(`unknown key ${keyId}`);
      k.capabilities = [...capabilities];
    },
    liveKeys: () => listedKeys().filter((k) => !expired(k)).map((k) => structuredClone(k)),
    keyById(keyId) {
      const k = everSeen.get(keyId);
      return k && structuredClone(k);
    },
    keyState(keyId) {
      if (deleted.has(keyId)) return 'deleted';
      const k = byId.get(keyId);
      return !k ? 'unknown' : expired(k) ? 'expired' : 'live';
    },
    createKey(req) {
      for (const n of req.buckets ?? []) bucketState(n);
      return structuredClone(makeKey({ ...req, buckets: req.buckets ?? null }));
    },
    deleteKey(keyId) {
      const k = byId.get(keyId);
      if (!k || k === keys.master) throw new Error(`no application key ${keyId}`);
      removeKey(k);
    },
    advanceClock(ms) {
      skewMs += ms;
      sweepExpired();
    },
    async stop() {
      faults = [];
      for (const id of s3Keys) shim.AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(id);
      s3Keys.clear();
      s3.httpServer?.closeAllConnections();
      native.closeAllConnections();
      await Promise.all([s3.close().catch(() => undefined), new Promise<void>((r) => native.close(() => r()))]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
