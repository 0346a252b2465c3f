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
// - Fault injection on either API (status + error code, delay, connection reset; by operation, n times) and a
//   latency added to every request (`latencyMs`, used by the benchmark).
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

import type { B2CorsRule } from '../../providers/b2.ts';
import { listenOnLoopback } from '../harness/processes.ts';
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
}

export interface Fault {
  /** Which API; both when absent. */
  api?: 's3' | 'b2';
  /** S3 operation (PutObject, GetObject, DeleteObject, GetBucketCors, ListObjectsV2…) or native one (b2_update_bucket…). */
  op?: string;
  /** Answer with this status and the API's own error body. */
  status?: number;
  /** S3 error code (e.g. InternalError, SlowDown) or B2 code (e.g. service_unavailable, conflict); derived from the status when absent. */
  code?: string;
  message?: string;
  /** Wait this long first (then answer normally, or with `status`). */
  delayMs?: number;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
  /** How many matching requests it applies to (default: all until removed). */
  times?: number;
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

  const newKey = (keyName: string, capabilities: string[], restrictTo: string[] | null): B2Key => ({
    keyId: `${cluster}${accountId.slice(0, 10)}${String(Math.floor(Math.random() * 1e13)).padStart(13, '0')}`.slice(0, 25),
    applicationKey: `K${cluster}${alnum(27)}`,
    keyName,
    capabilities,
    buckets: restrictTo,
  });
  const keys: B2Standin['keys'] = {
    master: { keyId: accountId, applicationKey: `${cluster}${hex(16)}`.slice(0, 31), keyName: 'Master Application Key', capabilities: ALL, buckets: null },
    full: newKey('app-with-cors', [...READ_WRITE, 'writeBuckets'], [bucketName]),
    app: newKey('app-read-write', READ_WRITE, [bucketName]),
    readOnly: newKey('app-read-only', READ, [bucketName]),
    otherBucket: newKey('other-bucket', [...READ_WRITE, 'writeBuckets'], [otherName]),
    allBuckets: newKey('all-buckets', READ_WRITE, null),
  };
  const byId = new Map(Object.values(keys).map((k) => [k.keyId, k]));
  const s3Keys = Object.values(keys).filter((k) => k !== keys.master); // B2: the master key does not work with the S3 API
  for (const k of s3Keys) shim.AWSAccount.DUMMY_ACCOUNT.createKeyPair(k.keyId, k.applicationKey);

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
  const xmlError = (ctx: KoaCtx, entry: StandinRequest, status: number, code: string, message: string) => {
    entry.status = status;
    ctx.status = status;
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`;
  };
  const front: KoaMiddleware = async (ctx, next) => {
    const { op, bucket, key } = s3OperationOf(ctx.method, ctx.path, ctx.query);
    const entry: StandinRequest = { api: 's3', op, at: Date.now(), keyId: keyIdOfS3(ctx), bucket, key };
    requests.push(entry);
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
    if (f?.status) return xmlError(ctx, entry, f.status, f.code ?? S3_CODE_FOR_STATUS[f.status] ?? 'InternalError', f.message ?? 'Injected fault');
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
    const { op, bucket } = s3OperationOf(ctx.method, ctx.path, ctx.query);
    const need = S3_CAPABILITY[op];
    const bucketOk = !bucket || !k.buckets || k.buckets.includes(bucket);
    if (!bucketOk || (need && !k.capabilities.includes(need))) throw new shim.S3Error('AccessDenied', 'Access Denied');
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
    if (!k) throw new B2Fail(401, 'bad_auth_token', 'Invalid authorization token');
    return k;
  };
  const need = (k: B2Key, cap: string) => {
    if (!k.capabilities.includes(cap)) throw new B2Fail(401, 'unauthorized', `application key lacks the ${cap} capability`);
  };
  const sameAccount = (body: Record<string, unknown>) => {
    if (typeof body.accountId !== 'string' || !body.accountId) throw new B2Fail(400, 'bad_request', 'required field accountId is missing');
    if (body.accountId !== accountId) throw new B2Fail(401, 'unauthorized', '');
  };

  const ops: Record<string, (req: IncomingMessage, body: Record<string, unknown>) => unknown> = {
    b2_authorize_account(req) {
      const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
      if (!m) throw new B2Fail(401, 'bad_auth_token', 'Authorization header is missing or not Basic');
      const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      const k = byId.get(decoded.slice(0, i));
      if (i < 0 || !k || k.applicationKey !== decoded.slice(i + 1)) throw new B2Fail(401, 'unauthorized', '');
      const token = `4_${hex(20)}`;
      tokens.set(token, k);
      return {
        accountId,
        authorizationToken: token,
        applicationKeyExpirationTimestamp: null,
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
              namePrefix: null,
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
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'max-age=0, no-cache, no-store' });
    res.end(text);
  };

  const native = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', apiUrl);
        const m = /^\/b2api\/v4\/(b2_[a-z_]+)$/.exec(url.pathname);
        const op = m?.[1] ?? url.pathname;
        const entry: StandinRequest = { api: 'b2', op, at: Date.now() };
        requests.push(entry);
        if (latencyMs && (await waitUnlessGone(latencyMs, res))) return;
        const f = takeFault('b2', op);
        if (f?.delayMs && (await waitUnlessGone(f.delayMs, res))) return;
        if (f?.reset) return void req.socket.destroy();
        try {
          if (f?.status) throw new B2Fail(f.status, f.code ?? B2_CODE_FOR_STATUS[f.status] ?? 'internal_error', f.message ?? '');
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
    async stop() {
      faults = [];
      for (const k of s3Keys) shim.AWSAccount.DUMMY_ACCOUNT.revokeAccessKey(k.keyId);
      s3.httpServer?.closeAllConnections();
      native.closeAllConnections();
      await Promise.all([s3.close().catch(() => undefined), new Promise<void>((r) => native.close(() => r()))]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
