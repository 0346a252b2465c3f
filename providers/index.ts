// Provider modules, loaded only when selected (they bring zod and, inside verify, their clients).
import type { Provider, ProviderId } from '../src/core/provider.ts';
import { CATALOG } from './catalog.ts';

/** One per provider id (the type fails the build when one is missing; test/core/provider-list.test.ts checks the rest). */
export const LOADERS: Record<ProviderId, () => Promise<Provider>> = {
  app: async () => (await import('./app.ts')).default,
  postgres: async () => (await import('./postgres/index.ts')).default,
  redis: async () => (await import('./redis.ts')).default,
  clerk: async () => (await import('./clerk.ts')).default,
  auth0: async () => (await import('./auth0/index.ts')).default,
  stripe: async () => (await import('./stripe/index.ts')).default,
  b2: async () => (await import('./b2/index.ts')).default,
  render: async () => (await import('./render.ts')).default,
};

/** The selected providers, in catalog order. */
export async function loadProviders(ids: readonly ProviderId[]): Promise<Provider[]> {
  return Promise.all(CATALOG.filter((c) => ids.includes(c.id)).map((c) => LOADERS[c.id]!()));
}
