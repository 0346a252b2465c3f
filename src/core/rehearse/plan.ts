// What a rehearsal of render.yaml runs, decided without touching anything: which services, which steps,
// and the environment each one gets, built the way Render builds it (Blueprint values, database and Key
// Value references pointed at the local ones, fresh generated secrets, prompted values from .env).
import { parse } from 'yaml';
import { UsageError } from '../errors.ts';

export type StepId = 'build' | 'pre-deploy' | 'port' | 'health' | 'stay-up' | 'publish-dir';

export interface ServicePlan {
  name: string;
  type: 'web' | 'worker' | 'pserv' | 'static';
  rootDir: string;
  buildCommand?: string;
  preDeployCommand?: string;
  startCommand?: string;
  healthCheckPath?: string;
  staticPublishPath?: string;
  /** The port Render expects the app on: PORT from the Blueprint, else 10000. */
  port: number;
  env: Record<string, string>;
  /** `sync: false` keys (and references) with no local value: on Render the deploy would start without them. */
  missing: { key: string; why: string; /** sync: false (Render too starts without it) or a reference only missing here */ prompted: boolean }[];
  /** Where the local value of a database or Key Value reference came from (".env POSTGRES_URL", "docker-compose.yml"). */
  sources: Record<string, string>;
  /** The Node version the Blueprint pins (NODE_VERSION), if any. */
  nodeVersion?: string;
  warnings: string[];
  steps: StepId[];
}

export interface Skipped {
  name: string;
  why: string;
}

export interface LocalValues {
  /** .env then .env.local (the later wins), from the project and the service's rootDir. */
  dotenv: (rootDir: string) => Record<string, string>;
  /** DATABASE_URL/REDIS_URL of the docker-compose.yml services, when .env has none. */
  compose: { DATABASE_URL?: string; REDIS_URL?: string };
  /** The port to rehearse on when the Blueprint sets no PORT (Render's 10000). */
  defaultPort: number;
  random?: () => string;
}

interface EnvVarSpec {
  key?: string;
  value?: string | number | boolean;
  generateValue?: boolean;
  sync?: boolean;
  fromDatabase?: { name: string; property: string };
  fromService?: { type: string; name: string; property?: string; envVarKey?: string };
  fromGroup?: string;
}
interface ServiceSpec {
  type?: string;
  name?: string;
  runtime?: string;
  env?: string;
  plan?: string;
  rootDir?: string;
  buildCommand?: string;
  preDeployCommand?: string;
  startCommand?: string;
  healthCheckPath?: string;
  staticPublishPath?: string;
  envVars?: EnvVarSpec[];
}
interface Blueprint {
  services?: ServiceSpec[];
  databases?: { name: string }[];
  envVarGroups?: { name: string; envVars?: EnvVarSpec[] }[];
}

export function readBlueprint(text: string): Blueprint {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UsageError(`render.yaml is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as Blueprint).services)) throw new UsageError('render.yaml has no services to rehearse');
  return doc as Blueprint;
}

// Web Crypto's global, loaded on first use: importing node:crypto costs every rehearsal ~10 ms, needed
// only by a Blueprint with generateValue
const generated = () => Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('base64');

/** The parts Render gives for a database property, read from a local connection string. */
function urlPart(url: string, property: string): string | undefined {
  if (property === 'connectionString' || property === 'connectionPoolString') return url;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const port = u.port || (u.protocol.startsWith('redis') ? '6379' : '5432');
  switch (property) {
    case 'host':
      return u.hostname;
    case 'port':
      return port;
    case 'hostport':
      return `${u.hostname}:${port}`;
    case 'user':
      return decodeURIComponent(u.username);
    case 'password':
      return decodeURIComponent(u.password);
    case 'database':
      return u.pathname.slice(1);
  }
  return undefined;
}

const REHEARSED = ['web', 'worker', 'pserv'];
const isUrl = (property: string) => property === 'connectionString' || property === 'connectionPoolString';

export function planRehearsal(bp: Blueprint, names: string[], local: LocalValues): { services: ServicePlan[]; skipped: Skipped[] } {
  const all = (bp.services ?? []).filter((s) => s && typeof s.name === 'string');
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length)
    throw new UsageError(`render.yaml has no service named ${unknown.join(', ')}`, `services: ${all.map((s) => s.name).join(', ') || '(none)'}`);
  const chosen = names.length ? all.filter((s) => names.includes(s.name!)) : all;
  const random = local.random ?? generated;
  const services: ServicePlan[] = [];
  const skipped: Skipped[] = [];
  const runtime = (s: ServiceSpec) => s.runtime ?? s.env ?? 'node';
  for (const s of chosen) {
    const name = s.name!;
    const rt = runtime(s);
    if (!REHEARSED.includes(s.type ?? '')) {
      skipped.push({ name, why: s.type === 'cron' ? 'a cron job (it runs on its schedule, not as a deploy)' : `type ${s.type ?? '(none)'} is not deployed from your code` });
      continue;
    }
    if (rt === 'docker' || rt === 'image') {
      skipped.push({ name, why: `runtime ${rt}: build the image with docker instead` });
      continue;
    }
    const isStatic = rt === 'static';
    const rootDir = (s.rootDir ?? '').replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const dotenv = local.dotenv(rootDir);
    const env: Record<string, string> = {};
    const missing: ServicePlan['missing'] = [];
    const warnings: string[] = [];
    const pending: { key: string; ref: NonNullable<EnvVarSpec['fromService']> }[] = [];
    const sources: Record<string, string> = {};
    // Every env var the service gets, its groups' included: the keys that name the same database.
    const group = (name: string) => (bp.envVarGroups ?? []).find((g) => g.name === name);
    const specs = (s.envVars ?? []).flatMap((v) => (v.fromGroup !== undefined ? (group(v.fromGroup)?.envVars ?? []) : [v]));
    /**
     * The local connection string of a Render database or Key Value: the key's own value in .env (an app
     * reading POSTGRES_URL has its local database there), another key filled from the same one, the
     * conventional DATABASE_URL / REDIS_URL, then docker-compose.yml's service.
     */
    const localUrl = (conventional: 'DATABASE_URL' | 'REDIS_URL', key: string, property: string, same: (e: EnvVarSpec) => boolean) => {
      const keys = [...(isUrl(property) ? [key] : []), ...specs.filter((e) => e.key && e.key !== key && same(e)).map((e) => e.key!), conventional];
      const found = keys.find((k) => dotenv[k] && /^[a-z][\w+.-]*:\/\//i.test(dotenv[k]!));
      if (found) return { url: dotenv[found]!, from: `.env ${found}` };
      const composed = local.compose[conventional];
      return composed ? { url: composed, from: 'docker-compose.yml' } : undefined;
    };
    /** Sets `key` to the part `property` of the local connection string, or says why it is missing. */
    const fromLocal = (conventional: 'DATABASE_URL' | 'REDIS_URL', key: string, property: string, same: (e: EnvVarSpec) => boolean, ref: string, composeHas: string) => {
      const url = localUrl(conventional, key, property, same);
      const value = url ? urlPart(url.url, property) : undefined;
      if (value !== undefined) (env[key] = value), (sources[key] = url!.from);
      else missing.push({ key, why: `${ref}: no local ${key === conventional ? key : `${key} or ${conventional}`} in .env, nor ${composeHas} in docker-compose.yml`, prompted: false });
    };
    const apply = (v: EnvVarSpec) => {
      if (v.fromGroup !== undefined) {
        const g = group(v.fromGroup);
        if (!g) warnings.push(`envVarGroup ${v.fromGroup} is not defined in render.yaml: Render rejects the Blueprint`);
        for (const gv of g?.envVars ?? []) apply(gv);
        return;
      }
      const key = v.key;
      if (!key) return;
      if (v.value !== undefined) env[key] = String(v.value);
      else if (v.generateValue) env[key] = random();
      else if (v.sync === false) {
        if (dotenv[key] !== undefined && dotenv[key] !== '') env[key] = dotenv[key]!;
        else missing.push({ key, why: 'sync: false, and not in .env/.env.local', prompted: true });
      } else if (v.fromDatabase) {
        if (!(bp.databases ?? []).some((d) => d.name === v.fromDatabase!.name))
          warnings.push(`${key}: database ${v.fromDatabase.name} is not defined in render.yaml`);
        const db = v.fromDatabase.name;
        fromLocal('DATABASE_URL', key, v.fromDatabase.property, (e) => e.fromDatabase?.name === db && isUrl(e.fromDatabase.property), `fromDatabase ${db}`, 'a database');
      } else if (v.fromService) pending.push({ key, ref: v.fromService });
    };
    for (const v of s.envVars ?? []) apply(v);
    // Render's own variables (they win over nothing the Blueprint sets but PORT)
    const port = Number(env.PORT) > 0 ? Number(env.PORT) : local.defaultPort;
    Object.assign(env, {
      RENDER: 'true',
      IS_PULL_REQUEST: 'false',
      RENDER_SERVICE_NAME: name,
      RENDER_SERVICE_TYPE: s.type!,
      ...(s.type === 'web' ? { RENDER_EXTERNAL_HOSTNAME: `localhost:${port}`, RENDER_EXTERNAL_URL: `http://localhost:${port}` } : {}),
      ...env,
      PORT: String(port),
    });
    for (const { key, ref } of pending) {
      const target = all.find((x) => x.name === ref.name);
      if (ref.type === 'keyvalue' || ref.type === 'redis') {
        const same = (e: EnvVarSpec) => e.fromService?.name === ref.name && isUrl(e.fromService.property ?? 'connectionString');
        fromLocal('REDIS_URL', key, ref.property ?? 'connectionString', same, `fromService ${ref.name} (Key Value)`, 'a Redis');
      } else if (!target) missing.push({ key, why: `fromService ${ref.name}: no such service in render.yaml`, prompted: false });
      else if (ref.envVarKey) {
        const theirs = target.envVars?.find((e) => e.key === ref.envVarKey);
        const value =
          ref.envVarKey === 'RENDER_EXTERNAL_URL' ? `http://localhost:${local.defaultPort}` : theirs?.value !== undefined ? String(theirs.value) : theirs?.sync === false ? dotenv[ref.envVarKey] : undefined;
        if (value !== undefined) env[key] = value;
        else missing.push({ key, why: `fromService ${ref.name}.${ref.envVarKey}: only known on Render`, prompted: false });
      } else {
        const hostport = `localhost:${local.defaultPort}`;
        env[key] = ref.property === 'host' ? 'localhost' : ref.property === 'port' ? String(local.defaultPort) : hostport;
      }
    }
    const type = isStatic ? 'static' : (s.type as ServicePlan['type']);
    const steps: StepId[] = [];
    if (s.buildCommand) steps.push('build');
    if (isStatic) steps.push('publish-dir');
    else {
      if (s.preDeployCommand) {
        steps.push('pre-deploy');
        if (s.plan === 'free') warnings.push('preDeployCommand: Render runs it only on paid instance types, and this service is on the free plan');
      }
      if (!s.startCommand) warnings.push('no startCommand: Render rejects a service without one');
      else steps.push(...(type === 'worker' ? (['stay-up'] as const) : type === 'web' && s.healthCheckPath ? (['port', 'health'] as const) : (['port'] as const)));
    }
    if (type === 'web' && !s.healthCheckPath) warnings.push('no healthCheckPath: Render only waits for the port, and a broken app still goes live');
    services.push({
      name,
      type,
      rootDir,
      buildCommand: s.buildCommand,
      preDeployCommand: s.preDeployCommand,
      startCommand: s.startCommand,
      healthCheckPath: s.healthCheckPath,
      staticPublishPath: s.staticPublishPath,
      port,
      env,
      missing,
      sources,
      nodeVersion: rt === 'node' ? env.NODE_VERSION : undefined,
      warnings,
      steps,
    });
  }
  if (!services.length && !skipped.length) throw new UsageError('render.yaml has no services to rehearse');
  return { services, skipped };
}

/** Local DATABASE_URL / REDIS_URL from docker-compose.yml's postgres and redis services (their published ports). */
export function composeUrls(text: string | undefined): LocalValues['compose'] {
  if (!text) return {};
  let doc: { services?: Record<string, { image?: string; environment?: Record<string, string> | string[]; ports?: (string | number)[] }> };
  try {
    doc = parse(text) ?? {};
  } catch {
    return {};
  }
  const out: LocalValues['compose'] = {};
  const published = (ports: (string | number)[] | undefined, inner: number) => {
    for (const p of ports ?? []) {
      const m = /^(?:[\d.]+:)?(\d+):(\d+)(?:\/tcp)?$/.exec(String(p));
      if (m && Number(m[2]) === inner) return m[1];
    }
    return undefined;
  };
  for (const svc of Object.values(doc.services ?? {})) {
    const image = svc?.image ?? '';
    const envList = Array.isArray(svc?.environment)
      ? Object.fromEntries(svc.environment.map((e) => [e.split('=')[0], e.split('=').slice(1).join('=')]))
      : (svc?.environment ?? {});
    if (/(^|\/)(postgres|postgis)/.test(image) && !out.DATABASE_URL) {
      const port = published(svc.ports, 5432);
      if (!port) continue;
      const user = envList.POSTGRES_USER ?? 'postgres';
      const password = envList.POSTGRES_PASSWORD ?? '';
      const db = envList.POSTGRES_DB ?? user;
      out.DATABASE_URL = `postgres://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@localhost:${port}/${encodeURIComponent(db)}`;
    }
    if (/(^|\/)(redis|valkey)/.test(image) && !out.REDIS_URL) {
      const port = published(svc.ports, 6379);
      if (port) out.REDIS_URL = `redis://localhost:${port}`;
    }
  }
  return out;
}

/** The Node major a version spec asks for ("22", "22.x", "v22.16.0", ">=20"), and whether `installed` fits it. */
export function nodeFits(spec: string, installed: string): { wanted: string; fits: boolean } | undefined {
  const m = /^\s*(>=?|\^|~)?\s*v?(\d+)/.exec(spec);
  if (!m) return undefined;
  const want = Number(m[2]);
  const have = Number(installed.replace(/^v/, '').split('.')[0]);
  return { wanted: `${m[1] ?? ''}${want}`, fits: m[1]?.startsWith('>') ? have >= want : have === want };
}
