// The provider catalog. The picker needs only ids, titles and hints, so provider modules (and zod)
// load after the first prompt is drawn; `loadProviders` imports just the ones selected.
import type { Provider, ProviderId } from '../src/core/provider.ts';

export interface CatalogEntry {
  id: ProviderId;
  title: string;
  hint: string;
  /** The env keys the provider manages (kept here so detection needs no provider module). */
  keys: string[];
  load: () => Promise<Provider>;
}

/** In dependency order: later providers may read earlier ones' values (e.g. APP_URL). */
export const CATALOG: CatalogEntry[] = [
  { id: 'app', title: 'App settings', hint: 'NODE_ENV, PORT, APP_URL, CORS_ORIGINS, JWT_SECRET', keys: ['NODE_ENV', 'PORT', 'APP_URL', 'CORS_ORIGINS', 'JWT_SECRET'], load: async () => (await import('./app.ts')).default },
  { id: 'postgres', title: 'PostgreSQL', hint: 'DATABASE_URL', keys: ['DATABASE_URL'], load: async () => (await import('./postgres.ts')).default },
  { id: 'redis', title: 'Redis / Key Value', hint: 'REDIS_URL', keys: ['REDIS_URL'], load: async () => (await import('./redis.ts')).default },
];

export const PROVIDER_IDS_AVAILABLE = CATALOG.map((c) => c.id);

/** Providers with at least one value in .env (or, except the app's generic keys, in the environment). */
export function configuredIds(dotenv: Record<string, string>, env: NodeJS.ProcessEnv): ProviderId[] {
  return CATALOG.filter((c) => c.keys.some((k) => !!dotenv[k] || (c.id !== 'app' && !!env[k]))).map((c) => c.id);
}

export async function loadProviders(ids: readonly string[]): Promise<Provider[]> {
  const wanted = CATALOG.filter((c) => ids.includes(c.id));
  return Promise.all(wanted.map((c) => c.load()));
}
