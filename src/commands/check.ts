// `create-prod-ready check`: live-check every provider configured in .env, all at once.
// Exit 0 when every check passes, 1 otherwise. `--json` for CI.
import { CATALOG, configuredIds } from '../../providers/catalog.ts';
import { loadProviders } from '../../providers/index.ts';
import { UsageError } from '../core/errors.ts';
import { dotenvProblems, dotenvValues, parseDotenv } from '../core/files/dotenv.ts';
import { detectProject } from '../core/project.ts';
import { check, fromOutside } from '../core/resolve.ts';
import { readManagedFiles } from '../core/snapshot.ts';
import { plainOut } from '../ui/plain.ts';
import { passed, printJson, report, verifyAll } from './init.ts';
import type { ProviderId } from '../core/provider.ts';

export async function checkCommand(flags: { cwd: string; json: boolean; providers?: ProviderId[]; version: string }): Promise<number> {
  const started = performance.now();
  const out = plainOut(flags.json ? process.stderr : process.stdout);
  const project = detectProject(flags.cwd);
  const files = readManagedFiles(flags.cwd);
  if (files['.env'] === undefined) throw new UsageError('no .env here: run `npx create-prod-ready` first', `looked in ${flags.cwd}`);
  const doc = parseDotenv(files['.env']);
  const dotenv = dotenvValues(doc);
  const { duplicates, invalidLines } = dotenvProblems(doc);
  if (duplicates.length) out.warn(`.env defines ${duplicates.join(', ')} more than once (the last one wins)`);
  if (invalidLines.length) out.warn(`.env line${invalidLines.length > 1 ? 's' : ''} ${invalidLines.join(', ')} define nothing`);

  const ids = flags.providers ?? CATALOG.map((c) => c.id).filter((id) => configuredIds(dotenv, {}).includes(id));
  if (!ids.length) throw new UsageError('.env configures none of the providers this tool knows', `keys it looks for: ${CATALOG.flatMap((c) => c.keys).join(', ')}`);
  const providers = await loadProviders(ids);

  // Format problems are failures of that provider; the others are still checked.
  const values: Record<string, string> = {};
  const formatErrors = new Map<ProviderId, string>();
  for (const p of providers)
    for (const e of p.env) {
      const o = fromOutside(e, process.env, dotenv);
      if (!o) {
        if (!e.optional && !formatErrors.has(p.id)) formatErrors.set(p.id, `${e.key} is missing from .env`);
        values[e.key] = '';
        continue;
      }
      const c = check(e, o.value);
      if (c.ok) values[e.key] = c.value;
      else if (!formatErrors.has(p.id)) formatErrors.set(p.id, c.message);
    }
  const checkable = providers.filter((p) => !formatErrors.has(p.id));
  // Changes the wizard would make at a provider (a webhook endpoint, a CORS rule) are reported, not made.
  const verified = await verifyAll(checkable, { ...dotenv, ...values }, project, false, (p, v) =>
    passed(p, v, (v.actions ?? []).map((a) => `not done yet: ${a.title} (the wizard does it)`)),
  );
  const results = providers.map(
    (p) =>
      verified.find((r) => r.id === p.id) ?? { id: p.id, ok: false, identity: null, mode: null, warnings: [], error: formatErrors.get(p.id)! },
  );
  out.line(`create-prod-ready ${flags.version} check · ${providers.length} provider${providers.length > 1 ? 's' : ''}`);
  for (const r of results) report(out, providers.find((p) => p.id === r.id)!, r);
  const ok = results.every((r) => r.ok);
  out.line(`${ok ? 'All checks passed' : 'Some checks failed'} in ${Math.round(performance.now() - started)} ms.`);
  if (flags.json) printJson(ok, results, []);
  return ok ? 0 : 1;
}
