// What the picker and detection need to know about each provider, as plain data: no provider code,
// no zod. The first frame of the wizard is drawn from this alone (see src/boot.ts). It is also the one
// list of providers: the ids (PROVIDER_IDS, ProviderId) come from it, src/core names none, and LOADERS
// (./index.ts) must have one entry per id or the typecheck fails. test/core/provider-list.test.ts checks the
// rest (each entry against its module, the published schema's enums).

export interface CatalogEntry {
  id: string;
  title: string;
  hint: string;
  /** The env keys the provider manages: every key of its module's `env` (test/core/provider-list.test.ts fails on drift). */
  keys: string[];
}

/** In dependency order: later providers may read earlier ones' values (e.g. APP_URL). */
export const CATALOG = [
  { id: 'app', title: 'App settings', hint: 'NODE_ENV, PORT, APP_URL, CORS_ORIGINS, JWT_SECRET', keys: ['NODE_ENV', 'PORT', 'APP_URL', 'CORS_ORIGINS', 'JWT_SECRET', 'JWT_SECRET_PREVIOUS'] },
  { id: 'postgres', title: 'PostgreSQL', hint: 'DATABASE_URL', keys: ['DATABASE_URL'] },
  { id: 'redis', title: 'Redis / Key Value', hint: 'REDIS_URL', keys: ['REDIS_URL'] },
  { id: 'clerk', title: 'Clerk', hint: 'secret + publishable key', keys: ['CLERK_SECRET_KEY', 'CLERK_PUBLISHABLE_KEY', 'NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'VITE_CLERK_PUBLISHABLE_KEY', 'PUBLIC_CLERK_PUBLISHABLE_KEY'] },
  { id: 'auth0', title: 'Auth0', hint: 'domain, client, audience, callback URLs', keys: ['AUTH0_DOMAIN', 'AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'AUTH0_AUDIENCE', 'AUTH0_SECRET', 'APP_BASE_URL'] },
  { id: 'stripe', title: 'Stripe', hint: 'API keys, webhook secret, price ids', keys: ['STRIPE_SECRET_KEY', 'STRIPE_PUBLISHABLE_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_WEBHOOK_PATH', 'STRIPE_WEBHOOK_EVENTS'] },
  { id: 'b2', title: 'Backblaze B2 (S3)', hint: 'bucket, region, application key', keys: ['S3_ENDPOINT', 'S3_REGION', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] },
  // Last: its push sends the values every other provider (and their actions) settled on.
  { id: 'render', title: 'Render', hint: 'API key, link services, push secrets', keys: ['RENDER_API_KEY', 'RENDER_SERVICES', 'RENDER_REGION', 'RENDER_PLAN'] },
] as const satisfies readonly CatalogEntry[];

export type ProviderId = (typeof CATALOG)[number]['id'];
export const PROVIDER_IDS: readonly ProviderId[] = CATALOG.map((c) => c.id);

/** Set up by default in a project that has none configured yet. */
export const BASE_PROVIDERS: ProviderId[] = ['app', 'postgres', 'redis'];

/** Providers with at least one value in .env (or, except the app's generic keys, in the environment). */
export function configuredIds(dotenv: Record<string, string>, env: NodeJS.ProcessEnv): ProviderId[] {
  return CATALOG.filter((c) => c.keys.some((k) => !!dotenv[k] || (c.id !== 'app' && !!env[k]))).map((c) => c.id);
}

/** The picker's initial selection: what is configured or remembered in prod-ready.json (plus app), or the base set in a new project. */
export function initialSelection(dotenv: Record<string, string>, env: NodeJS.ProcessEnv, remembered: readonly string[] = []): ProviderId[] {
  const configured = [...configuredIds(dotenv, env), ...(remembered.filter((id) => PROVIDER_IDS.includes(id as ProviderId)) as ProviderId[])];
  return configured.length ? CATALOG.map((c) => c.id).filter((id) => id === 'app' || configured.includes(id)) : BASE_PROVIDERS;
}
