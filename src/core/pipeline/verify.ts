// The verify stage's shared pieces: a passed check records the actions it proposes; a failed check of a
// local default nothing listens on says what would start it.
import type { Provider, Verified } from '../provider.ts';
import type { Run } from './plan.ts';
import { passed, type Result } from './results.ts';

/** A passed check: its result, and the changes at the provider it proposes (a webhook endpoint, a CORS rule). */
export const record = (run: Run, p: Provider, v: Verified): Run => ({
  ...run,
  results: [...run.results, passed(p, v)],
  actions: [...run.actions, ...(v.actions ?? []).map((action) => ({ provider: p, action }))],
});

export const withResult = (run: Run, r: Result): Run => ({ ...run, results: [...run.results, r] });
