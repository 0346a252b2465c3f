// Render: RENDER_API_KEY (kept in .env only: never deployed, never in render.yaml), RENDER_SERVICES (existing
// services to link, by name or id; remembered in .env, not secret), RENDER_REGION and RENDER_PLAN (the
// Blueprint's region and plan for new services).
//
// `verify` is read-only, through the API client (src/core/http.ts) against the Render public API
// (../shared/specs/render/openapi.json; Bearer auth; base `https://api.render.com` + `/v1/…`):
//   GET /v1/owners                       → identity: the workspace(s) the key sees
//   GET /v1/services                     → how many services, their names; RENDER_SERVICES resolved by id or name
//   GET /v1/services/{id}/env-vars       → Render's current values, compared with ours (masked diff)
// Every list is cursor-paginated (`[{owner|service|envVar, cursor}]`, limit ≤ 100) and followed to its end.
//
// Changes are Actions, run only after confirmation:
//   render.push.<serviceId>   PUT /v1/services/{id}/env-vars/{key} {"value"} ONE KEY AT A TIME, then a re-read.
//                             Never PUT /v1/services/{id}/env-vars: that call replaces the whole list and
//                             would delete every variable Render holds and we do not.
//   render.deploy.<serviceId> (asked) POST /v1/services/{id}/deploys, then GET …/deploys/{deployId} until it
//                             is live or failed, bounded by a deadline.
//
// Which keys are pushed (`pushKeys`): inside verify a provider sees every value of the run but not which
// provider declared it or how render.yaml carries it, so the rule is by exclusion — every non-empty value
// except RENDER_* (the key never leaves .env), PROD_READY_* (tool settings), the keys Render wires itself
// in render.yaml (DATABASE_URL and REDIS_URL via fromDatabase/fromService, JWT_SECRET via generateValue,
// NODE_ENV set to production, PORT set by Render), keys that are not valid variable names, and values that
// point at a loopback host (http://localhost:3000 is a local-development value that must not reach
// production). What is left is what render.yaml marks `sync: false` (or sets to a plain value, which is
// then the same value).
import { setTimeout as sleep } from 'node:timers/promises';
import { VerifyError } from '../src/core/errors.ts';
import { mask, maskUrl } from '../src/core/mask.ts';
import { defineProvider, type Action, type Contribution, type Io, type Values, type Verified } from '../src/core/provider.ts';
import { checkedString, foreignCredentialProblem } from '../src/core/schema.ts';
import { isLoopbackHost, overrideVar } from '../src/core/urls.ts';
import { apiFor, type ApiClient } from '../src/core/http.ts';
import { underAppNames } from '../src/core/env-names.ts';

export const RENDER_API = 'https://api.render.com';
export const API_KEYS_PAGE = 'https://dashboard.render.com/u/settings#api-keys';

/** `region` in Render's Blueprint schema (test/schemas/render-blueprint.schema.json, definitions.region). */
export const REGIONS = ['oregon', 'ohio', 'virginia', 'frankfurt', 'singapore'] as const;
/** `serverPlan` in the Blueprint schema: web services, private services, workers. */
export const PLANS = [
  'free', 'starter', 'standard', 'pro', 'pro plus', 'pro max', 'pro ultra',
  '0.5c-512mb', '1c-2g', '2c-4g', '2c-8g', '2c-16g', '4c-8g', '4c-16g', '4c-32g', '8c-16g', '8c-32g', '8c-64g', '12c-24g', '12c-48g', '12c-96g',
] as const;
export const DEFAULT_REGION = 'oregon';
export const DEFAULT_PLAN = 'starter';

/** Keys Render provides through render.yaml itself; never pushed. */
export const RENDER_WIRED_KEYS = ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'NODE_ENV', 'PORT'] as const;

/** Deploy statuses (deployStatus in the contract) after which nothing more happens. */
export const FAILED_DEPLOY = ['build_failed', 'update_failed', 'canceled', 'deactivated', 'pre_deploy_failed'] as const;

// --- format checks ------------------------------------------------------------------------------------

export function apiKeyProblem(v: string): string | undefined {
  const k = 'RENDER_API_KEY';
  if (!v) return `${k} is empty`;
  if (/^\s|\s$/.test(v)) return `${k} has leading or trailing spaces or a line break: paste the value alone`;
  if (/^bearer\s/i.test(v)) return `${k} starts with "Bearer": paste the key alone (rnd_…)`;
  if (/\s/.test(v)) return `${k} contains a space or a line break: paste the value alone`;
  if (/^["'`]|["'`]$/.test(v)) return `${k} is wrapped in quotes: paste the value without them`;
  if (/^https?:\/\//i.test(v)) return /\/deploy\/srv-/.test(v) ? `${k} is a deploy hook URL, not an API key: create a key under Account Settings → API Keys` : `${k} is a URL, not an API key (rnd_…)`;
  if (/^srv-/.test(v)) return `${k} is a service id (srv-…), not an API key (rnd_…)`;
  if (/^(usr|tea)-/.test(v)) return `${k} is a workspace id (${v.slice(0, 4)}…), not an API key (rnd_…)`;
  if (/^(dpg|red)-/.test(v)) return `${k} is a database id (${v.slice(0, 4)}…), not an API key (rnd_…)`;
  if (/^rnd_/i.test(v) && !v.startsWith('rnd_')) return `${k} must start with lower-case rnd_`;
  if (!v.startsWith('rnd_')) return `${k} must start with rnd_ (Account Settings → API Keys)`;
  if (!/^rnd_[A-Za-z0-9]+$/.test(v)) return `${k} has characters a Render API key never has (after rnd_ only letters and digits)`;
  if (v.length < 4 + 16) return `${k} looks cut off (rnd_ followed by about 24 letters and digits)`;
  return undefined;
}

/** The RENDER_SERVICES entries (trimmed, empty ones dropped). */
export function linkedEntries(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function servicesProblem(v: string): string | undefined {
  const k = 'RENDER_SERVICES';
  if (!v.trim()) return undefined;
  const raw = v.split(',').map((s) => s.trim());
  if (raw.some((s) => !s)) return `${k} is a comma-separated list of service names or ids, without empty entries`;
  if (raw.some((s) => /^["'`]|["'`]$/.test(s))) return `${k}: write the names without quotes`;
  const bad = raw.find((s) => s.length > 100 || /[\u0000-\u001f]/.test(s));
  if (bad !== undefined) return `${k}: "${bad.slice(0, 40)}" is not a Render service name or id`;
  const dup = raw.find((s, i) => raw.indexOf(s) !== i);
  if (dup) return `${k} names "${dup}" twice`;
  return raw.map((s) => foreignCredentialProblem(k, s)).find(Boolean);
}

export function regionProblem(v: string): string | undefined {
  if (!v) return undefined;
  return (REGIONS as readonly string[]).includes(v) ? undefined : `RENDER_REGION must be one of ${REGIONS.join(', ')}`;
}
export function planProblem(v: string): string | undefined {
  if (!v) return undefined;
  return (PLANS as readonly string[]).includes(v) ? undefined : `RENDER_PLAN must be a Render service plan (${PLANS.slice(0, 7).join(', ')}, or a size such as 1c-2g)`;
}

/** The Blueprint settings this provider chooses (see the proposed render-yaml.ts change in the closing note). */
export function renderSettings(values: Values): { region: string; plan: string } {
  return { region: values.RENDER_REGION || DEFAULT_REGION, plan: values.RENDER_PLAN || DEFAULT_PLAN };
}

// --- what is pushed -----------------------------------------------------------------------------------

function pointsAtLoopback(v: string): boolean {
  try {
    const u = new URL(v);
    if (!u.hostname) return false;
    const h = u.hostname.replace(/^\[|\]$/g, '');
    return isLoopbackHost(h) || h === '0.0.0.0';
  } catch {
    return false;
  }
}
function isLocalValue(v: string): boolean {
  // CORS_ORIGINS-like lists: local when every entry is.
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  return parts.length > 0 && parts.every(pointsAtLoopback);
}

/** The keys of `values` that are pushed to a linked Render service, sorted (the rule is in the header). */
/**
 * A value is local when it points at this machine, or belongs to a group whose endpoint does: with
 * S3_ENDPOINT on localhost, the bucket and keys are the local MinIO's and must not reach production.
 */
function isLocal(values: Values, k: string): boolean {
  if (isLocalValue(values[k]!)) return true;
  return k.startsWith('S3_') && !!values.S3_ENDPOINT && isLocalValue(values.S3_ENDPOINT);
}
const candidates = (values: Values) =>
  Object.keys(values)
    .filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .filter((k) => !k.startsWith('RENDER_') && !k.startsWith('PROD_READY_') && !(RENDER_WIRED_KEYS as readonly string[]).includes(k))
    .filter((k) => values[k] !== undefined && values[k] !== '');

export function pushKeys(values: Values): string[] {
  return candidates(values).filter((k) => !isLocal(values, k)).sort();
}
/** Keys with a value that is left out because it is local (shown so nobody wonders where APP_URL went). */
function localKeys(values: Values): string[] {
  return candidates(values).filter((k) => isLocal(values, k)).sort();
}

export interface EnvDiff {
  added: string[];
  changed: string[];
  unchanged: string[];
  /** Keys Render holds that we do not push: never touched. */
  foreign: string[];
}

export function diffEnv(ours: Values, keys: readonly string[], theirs: ReadonlyMap<string, string>): EnvDiff {
  const d: EnvDiff = { added: [], changed: [], unchanged: [], foreign: [] };
  for (const k of keys) {
    const have = theirs.get(k);
    if (have === undefined) d.added.push(k);
    else if (have !== ours[k]) d.changed.push(k);
    else d.unchanged.push(k);
  }
  const mine = new Set(keys);
  d.foreign = [...theirs.keys()].filter((k) => !mine.has(k)).sort();
  return d;
}

/**
 * How a value is shown in the diff: we cannot tell secrets from plain settings here, so everything is
 * masked; a URL keeps its readable parts only when it carries a password (a token in a path or query,
 * like a chat webhook URL, would not be caught by maskUrl).
 */
function shown(v: string): string {
  try {
    if (new URL(v).password) return maskUrl(v);
  } catch {
    /* not a URL */
  }
  return mask(v);
}

/** The plan's lines: `+ KEY ••••a1b2`, `~ KEY ••••x → ••••y`, then what stays as it is. Never a secret. */
export function diffLines(d: EnvDiff, ours: Values, theirs: ReadonlyMap<string, string>): string[] {
  const lines = [...d.added.map((k) => `+ ${k} ${shown(ours[k]!)}`), ...d.changed.map((k) => `~ ${k} ${shown(theirs.get(k)!)} → ${shown(ours[k]!)}`)].sort((a, b) =>
    a.slice(2).localeCompare(b.slice(2)),
  );
  const rest: string[] = [];
  if (d.unchanged.length) rest.push(`${d.unchanged.length} unchanged`);
  if (d.foreign.length) rest.push(`${d.foreign.length} other variable${d.foreign.length > 1 ? 's' : ''} on Render left as ${d.foreign.length > 1 ? 'they are' : 'it is'}`);
  if (rest.length) lines.push(`= ${rest.join(', ')}`);
  return lines;
}

// --- the HTTP client ------------------------------------------------------------------------------------

export interface RenderCheckOptions {
  /** Per-request timeout (default 8000 ms); io.signal bounds everything. */
  requestTimeoutMs?: number;
  /** Most time spent waiting on 429s in one check or action (default 5000 ms); at most 2 retries per call. */
  rateLimitBudgetMs?: number;
  /** Between two reads of a deploy's status (default 3000 ms). */
  pollMs?: number;
  /** How long a deploy is followed before giving up on it (default 15 minutes; io.signal may end it sooner). */
  deployTimeoutMs?: number;
}

type Client = ApiClient;

/** `rnd_••••abcd`. */
export const maskKey = (key: string): string => (key.startsWith('rnd_') ? 'rnd_' : '') + mask(key);

function statusError(status: number, data: unknown, c: Client, what: string, key: string): VerifyError {
  const m = data && typeof data === 'object' && typeof (data as { message?: unknown }).message === 'string' ? c.said((data as { message: string }).message) : '';
  const shown = maskKey(key);
  if (status === 401)
    return c.fail(`Render rejected RENDER_API_KEY ${shown}: invalid or revoked API key (401)`, `create a key under Account Settings → API Keys (${API_KEYS_PAGE}) and paste it again`, 'UNAUTHORIZED');
  if (status === 403) return c.fail(`RENDER_API_KEY ${shown} may not ${what} (403${m ? `: ${m}` : ''})`, 'the key belongs to a user who lacks access to this workspace or service', 'PERMISSION');
  if (status === 404) return c.fail(`Render could not ${what}: not found (404${m ? `: ${m}` : ''})`, undefined, 'NOT_FOUND');
  return c.fail(`Render refused to ${what}: ${m || `HTTP ${status}`} (${status})`, undefined, `HTTP_${status}`);
}

function client(values: Values, io: Io, opts: RenderCheckOptions): Client {
  const key = values.RENDER_API_KEY ?? '';
  return apiFor(io, {
    name: 'Render',
    baseUrl: io.baseUrl(RENDER_API),
    defaultOrigin: RENDER_API,
    dropVersion: true,
    overrideVar: overrideVar('render'),
    auth: `Bearer ${key}`,
    keyPattern: /\b(rnd_)[A-Za-z0-9]+/g,
    statusPage: 'https://status.render.com',
    timeoutMs: opts.requestTimeoutMs ?? 8000,
    budgetMs: opts.rateLimitBudgetMs ?? 5000,
    statusError: (status, data, what, c) => statusError(status, data, c, what, key),
  });
}

/** One API call: JSON in, JSON out (an empty body is undefined); every failure one line, never with the key. */
function api<T>(c: Client, method: 'GET' | 'PUT' | 'POST', path: string, what: string, body?: unknown): Promise<{ status: number; data: T }> {
  return c.json<T>(method, path, what, { json: body, emptyOk: true });
}

const MAX_PAGES = 50;

/** Every item of a cursor-paginated list (`[{<field>: item, cursor}]`), following cursors to the end. */
async function listAll<T>(c: Client, path: string, field: string, what: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const { data } = await api<unknown>(c, 'GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, what);
    if (!Array.isArray(data)) throw new VerifyError(`${c.where} answered ${what} with something that is not a Render list`, c.overridden ? `is ${overrideVar('render')} the address of the Render API?` : undefined, 'BAD_RESPONSE');
    for (const row of data as Record<string, unknown>[]) if (row && typeof row === 'object' && row[field]) out.push(row[field] as T);
    const last = data[data.length - 1] as { cursor?: unknown } | undefined;
    if (!data.length || typeof last?.cursor !== 'string' || !last.cursor || last.cursor === cursor || data.length < 100) return out;
    cursor = last.cursor;
  }
  return out;
}

interface Owner {
  id: string;
  name: string;
  email?: string;
  type?: 'user' | 'team';
}
interface Service {
  id: string;
  name: string;
  ownerId?: string;
  type?: string;
  suspended?: string;
  dashboardUrl?: string;
  serviceDetails?: { region?: string; plan?: string };
}
interface Deploy {
  id: string;
  status?: string;
}

async function readEnv(c: Client, s: Service): Promise<Map<string, string>> {
  const list = await listAll<{ key: string; value: string }>(c, `/v1/services/${encodeURIComponent(s.id)}/env-vars`, 'envVar', `read the environment variables of service ${s.name}`);
  return new Map(list.filter((e) => typeof e.key === 'string').map((e) => [e.key, typeof e.value === 'string' ? e.value : '']));
}

/** Resolve each entry by id, then exact name, then name ignoring case. Unknown or ambiguous → one line. */
export function resolveLinked(entries: string[], services: readonly Service[]): Service[] {
  const out: Service[] = [];
  for (const entry of entries) {
    const byId = services.find((s) => s.id === entry);
    let hits = byId ? [byId] : services.filter((s) => s.name === entry);
    if (!hits.length) hits = services.filter((s) => s.name.toLowerCase() === entry.toLowerCase());
    if (hits.length > 1)
      throw new VerifyError(`RENDER_SERVICES: "${entry}" names ${hits.length} services (${hits.map((s) => s.id).join(', ')}): use the id instead`, undefined, 'AMBIGUOUS_SERVICE');
    if (!hits.length) {
      const names = [...new Set(services.map((s) => s.name))].sort();
      const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')} and ${names.length - 12} more` : names.join(', ');
      throw new VerifyError(
        `RENDER_SERVICES: no Render service "${entry}" for this key; ${names.length ? `available: ${shown}` : 'the key sees no services'}`,
        'leave RENDER_SERVICES empty to let the Blueprint create the services',
        'UNKNOWN_SERVICE',
      );
    }
    if (!out.includes(hits[0]!)) out.push(hits[0]!);
  }
  return out;
}

// --- actions ----------------------------------------------------------------------------------------------

export function pushAction(service: Service, title: string, details: string[], opts: RenderCheckOptions = {}, only?: readonly string[]): Action {
  return {
    id: `render.push.${service.id}`,
    title,
    details,
    async run(io, values) {
      const c = client(values, io, opts);
      // The FINAL values (an earlier action may have produced a new secret) against what Render holds now.
      const before = await readEnv(c, service);
      const named = underAppNames(values, io.project.envNames); // what the app reads: its names, not the provider's
      const keys = only ? pushKeys(named).filter((k) => only.includes(k)) : pushKeys(named);
      const d = diffEnv(named, keys, before);
      const todo = [...d.added, ...d.changed].sort();
      if (!todo.length) return { done: `Render service ${service.name} already has these ${keys.length} values` };
      for (const key of todo)
        await api(c, 'PUT', `/v1/services/${encodeURIComponent(service.id)}/env-vars/${encodeURIComponent(key)}`, `set ${key} on service ${service.name}`, { value: named[key] });
      const after = await readEnv(c, service);
      const wrong = todo.filter((k) => after.get(k) !== named[k]);
      if (wrong.length) throw new VerifyError(`Render service ${service.name}: ${wrong.join(', ')} did not read back as set`, 'check the service in the Render dashboard, then run the wizard again', 'PUSH_MISMATCH');
      const lost = [...before.keys()].filter((k) => !after.has(k));
      if (lost.length) throw new VerifyError(`Render service ${service.name}: ${lost.join(', ')} disappeared while the values were set`, 'someone else may be changing this service; check it in the dashboard', 'PUSH_LOST');
      return { done: `set ${todo.length} variable${todo.length > 1 ? 's' : ''} on Render service ${service.name} (read back: all match${d.foreign.length ? `; ${d.foreign.length} other${d.foreign.length > 1 ? 's' : ''} kept` : ''})` };
    },
  };
}

/**
 * A rotation's push: `keys` (those of them Render should hold, by the same rule as the wizard's push) set
 * on every linked service, one key at a time and read back. Returns one line per service; [] without links.
 */
export async function pushToLinked(values: Values, keys: readonly string[], io: Io, opts: RenderCheckOptions = {}): Promise<string[]> {
  const entries = linkedEntries(values.RENDER_SERVICES);
  if (!entries.length || !values.RENDER_API_KEY) return [];
  const c = client(values, io, opts);
  const linked = resolveLinked(entries, await listAll<Service>(c, '/v1/services?includePreviews=false', 'service', 'list services'));
  const done: string[] = [];
  for (const s of linked) {
    // a monorepo's service gets only the keys its app reads
    const only = io.project.serviceKeys?.[s.name];
    const named = keys.flatMap((k) => io.project.envNames?.[k] ?? [k]);
    const mine = only ? named.filter((k) => only.includes(k)) : named;
    if (!only || mine.length) done.push((await pushAction(s, `push to ${s.name}`, [], opts, mine).run(io, values)).done);
  }
  return done;
}

export function deployAction(service: Service, opts: RenderCheckOptions = {}): Action {
  return {
    id: `render.deploy.${service.id}`,
    title: `Deploy ${service.name} on Render`,
    ask: `Deploy ${service.name} now?`,
    timeoutMs: (opts.deployTimeoutMs ?? 15 * 60_000) + 60_000,
    async run(io, values) {
      const c = client(values, io, opts);
      const started = await api<Deploy | undefined>(c, 'POST', `/v1/services/${encodeURIComponent(service.id)}/deploys`, `start a deploy of ${service.name}`, { clearCache: 'do_not_clear' });
      const first = started.data;
      // 202 "Queued" carries no body in the contract: another deploy is running and this one waits behind it.
      if (!first?.id) return { done: `deploy of ${service.name} queued behind the one in progress${service.dashboardUrl ? `: follow it at ${service.dashboardUrl}` : ''}` };
      return follow(c, service, first, opts, io.progress);
    },
  };
}

async function follow(c: Client, service: Service, first: Deploy, opts: RenderCheckOptions, progress?: (line: string) => void): Promise<{ done: string }> {
  const pollMs = opts.pollMs ?? 3000;
  const deadline = Date.now() + (opts.deployTimeoutMs ?? 15 * 60_000);
  let d = first;
  const stillRunning = (reason: string) =>
    new VerifyError(`deploy ${d.id} of ${service.name} still ${d.status ?? 'running'} ${reason}`, service.dashboardUrl ? `follow it at ${service.dashboardUrl}` : 'follow it in the Render dashboard', 'DEPLOY_TIMEOUT');
  for (;;) {
    progress?.(`Deploying ${service.name} on Render: ${d.status ?? 'queued'}`);
    if (d.status === 'live') return { done: `deployed ${service.name}: live` };
    if (d.status && (FAILED_DEPLOY as readonly string[]).includes(d.status))
      throw new VerifyError(`deploy ${d.id} of ${service.name} ended as ${d.status}`, service.dashboardUrl ? `its logs: ${service.dashboardUrl}` : 'its logs are in the Render dashboard', 'DEPLOY_FAILED');
    if (Date.now() + pollMs > deadline) throw stillRunning(`after ${Math.round((opts.deployTimeoutMs ?? 15 * 60_000) / 1000)} s`);
    try {
      await sleep(pollMs, undefined, { signal: c.signal });
    } catch {
      const r: unknown = c.signal.reason;
      if (r instanceof Error && r.name === 'TimeoutError') throw stillRunning('when the time ran out');
      throw c.aborted();
    }
    try {
      d = { ...d, ...(await api<Deploy>(c, 'GET', `/v1/services/${encodeURIComponent(service.id)}/deploys/${encodeURIComponent(d.id)}`, `read deploy ${d.id} of ${service.name}`)).data };
    } catch (e) {
      const r: unknown = c.signal.reason;
      if (c.signal.aborted && r instanceof Error && r.name === 'TimeoutError') throw stillRunning('when the time ran out');
      throw e;
    }
  }
}

// --- verify -------------------------------------------------------------------------------------------------

export async function verifyRender(values: Values, io: Io, opts: RenderCheckOptions = {}): Promise<Verified> {
  const problem = apiKeyProblem(values.RENDER_API_KEY ?? '');
  if (problem) throw new VerifyError(problem, `Account Settings → API Keys (${API_KEYS_PAGE})`, 'FORMAT');
  const c = client(values, io, opts);
  const owners = await listAll<Owner>(c, '/v1/owners', 'owner', 'list its workspaces');
  const services = await listAll<Service>(c, '/v1/services?includePreviews=false', 'service', 'list services');
  const warnings: string[] = [];
  const details: string[] = [];
  const ownerName = (o: Owner) => `${o.name}${o.type === 'team' ? '' : ' (personal)'}`;
  const n = services.length;
  const identity = `${owners.length ? owners.map(ownerName).join(', ') : 'no workspace'} · ${n} service${n === 1 ? '' : 's'}`;
  if (n) {
    const names = services.map((s) => s.name).sort();
    details.push(`services: ${names.length > 20 ? `${names.slice(0, 20).join(', ')} and ${names.length - 20} more` : names.join(', ')}`);
  }

  const linked = resolveLinked(linkedEntries(values.RENDER_SERVICES), services);
  const actions: Action[] = [];
  if (!linked.length) details.push('no service linked: the Blueprint (render.yaml) creates them');
  // pushed under the names the app reads (STRIPE_API_KEY for STRIPE_SECRET_KEY), never the provider's
  const pushed = underAppNames(values, io.project.envNames);
  const all = pushKeys(pushed);
  // a monorepo's service gets only the keys its app reads
  const only = (s: Service) => io.project.serviceKeys?.[s.name];
  const keysFor = (s: Service) => (only(s) ? all.filter((k) => only(s)!.includes(k)) : all);
  const local = localKeys(pushed);
  if (linked.length && local.length) details.push(`not pushed, local values: ${local.join(', ')}`);
  const { region, plan } = renderSettings(values);
  for (const s of linked) {
    if (s.suspended === 'suspended') warnings.push(`Render service ${s.name} is suspended: a deploy will not run until it is resumed`);
    if (s.serviceDetails?.region && values.RENDER_REGION && s.serviceDetails.region !== region)
      warnings.push(`Render service ${s.name} runs in ${s.serviceDetails.region}, not RENDER_REGION ${region} (a service's region cannot be changed)`);
    if (s.serviceDetails?.plan && values.RENDER_PLAN && s.serviceDetails.plan !== plan) warnings.push(`Render service ${s.name} is on plan ${s.serviceDetails.plan}, not RENDER_PLAN ${plan}`);
    const theirs = await readEnv(c, s);
    const d = diffEnv(pushed, keysFor(s), theirs);
    const count = d.added.length + d.changed.length;
    details.push(`linked ${s.name} (${s.id}): ${count ? `${count} to set` : 'in sync'}, ${d.unchanged.length} unchanged, ${d.foreign.length} other${d.foreign.length === 1 ? '' : 's'} kept`);
    if (count) actions.push(pushAction(s, `Set ${count} variable${count > 1 ? 's' : ''} on Render service ${s.name}`, diffLines(d, pushed, theirs), opts, only(s)));
    actions.push(deployAction(s, opts));
  }
  return { identity, details, warnings, actions };
}

function contribute(values: Values): Contribution {
  // Nothing for render.yaml's envVars: RENDER_API_KEY is never deployed. Region and plan for the Blueprint.
  const render = { settings: renderSettings(values) };
  if (linkedEntries(values.RENDER_SERVICES).length) return { render };
  return { render, nextSteps: ['Render: create the services from render.yaml (Dashboard → New → Blueprint), then put their names in RENDER_SERVICES and re-run to push the secrets'] };
}

export default defineProvider({
  id: 'render',
  title: 'Render',
  hint: 'API key, link services, push secrets',
  docsUrl: API_KEYS_PAGE,
  apiUrl: RENDER_API,
  env: [
    {
      key: 'RENDER_API_KEY',
      description: 'Render API key: checks the account, sets secrets on linked services, starts deploys. Stays in .env, never deployed',
      where: `Render dashboard → Account Settings → API Keys (${API_KEYS_PAGE})`,
      secret: true,
      schema: checkedString(apiKeyProblem),
      // this tool's own settings: never deployed, so the app never reads them
      app: false,
      example: 'rnd_xxxxxxxxxxxxxxxxxxxxxxxx',
    },
    {
      key: 'RENDER_SERVICES',
      shared: true,
      description: 'Existing Render services to link (names or srv- ids, comma-separated); empty: the Blueprint creates them',
      where: 'Render dashboard → the service → Settings (name, id in the URL)',
      secret: false,
      optional: true,
      schema: checkedString(servicesProblem).transform((v) => v.trim()),
      app: false,
      example: '',
    },
    {
      key: 'RENDER_REGION',
      shared: true,
      description: `Region for the services render.yaml creates (${REGIONS.join(', ')})`,
      secret: false,
      optional: true,
      schema: checkedString(regionProblem),
      app: false,
      localDefault: () => DEFAULT_REGION,
      example: DEFAULT_REGION,
    },
    {
      key: 'RENDER_PLAN',
      shared: true,
      description: 'Plan for the web service and worker in render.yaml (free, starter, standard, pro…)',
      secret: false,
      optional: true,
      schema: checkedString(planProblem),
      app: false,
      localDefault: () => DEFAULT_PLAN,
      example: DEFAULT_PLAN,
    },
  ],
  verify: (values, io) => verifyRender(values, io),
  // the host the app runs on: a rotation's new values are pushed to the linked services
  push: {
    keys: pushKeys,
    linked: (values) => !!values.RENDER_API_KEY && linkedEntries(values.RENDER_SERVICES).length > 0,
    toLinked: (values, keys, io) => pushToLinked(values, keys, io),
  },
  rotations: [
    {
      id: 'render.key',
      title: 'Render API key',
      keys: ['RENDER_API_KEY'],
      // Render's API has no call that makes an API key: the person creates one in the Dashboard; verifyRender
      // checks it (its workspaces, and RENDER_SERVICES resolved with it) before .env changes. It is never
      // pushed (pushKeys leaves RENDER_* out): the key stays in .env.
      kind: 'guided',
      guide: [
        `open Render Dashboard → Account Settings → API Keys (${API_KEYS_PAGE}) and select Create API Key; name it (e.g. create-prod-ready <date>)`,
        'copy the key (rnd_…): Render shows it in full only now',
        'paste it below: it is checked (its workspace must see the services in RENDER_SERVICES) before .env changes',
      ],
      revokeHint: `RENDER_API_KEY stays in .env and is never pushed to a service. The old key still works: once nothing else (CI, scripts) uses it, revoke it under Account Settings → API Keys (${API_KEYS_PAGE}) → the old key → Delete`,
    },
  ],
  contribute: (values) => contribute(values),
});
