import { VerifyError } from '../../src/core/errors.ts';
import { type Io, type AutoRotation, type Values } from '../../src/core/provider.ts';
import { failWith } from '../../src/core/http.ts';
import { B2_API_URL, type Target, b2Overridden, targetOf } from './format.ts';
import { B2ApiError, type B2Authorization, b2Call } from './native.ts';
import { timeoutMsDefault } from './s3.ts';

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
  const v = failWith(c.secrets);
  if (e instanceof VerifyError) return v.again(e);
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
