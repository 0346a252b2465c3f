// .env.example: every key, grouped by provider, with what it is and where to get it. Built only from
// the declarations (never from values), so a secret cannot reach it. Re-runs append missing keys.
import type { Provider } from '../provider.ts';
import { SAME_NAMES, type NameMap } from '../env-names.ts';
import type { ProjectInfo } from '../project.ts';
import { belongsTo } from './env-module.ts';
import type { Templates } from '../templates.ts';
import { dotenvValues, formatLine, parseDotenv } from './dotenv.ts';

/** `project`: a derived key another framework reads (Clerk's VITE_ form in a Next.js app) is left out. */
export function exampleGroups(providers: Provider[], keep: (key: string) => boolean = () => true, names: NameMap = SAME_NAMES, project?: ProjectInfo) {
  const seen = new Set<string>();
  const groups: { title: string; docsUrl?: string; vars: { description: string; where?: string; line: string }[] }[] = providers.map((p) => ({
    title: p.title,
    docsUrl: p.docsUrl,
    vars: p.env.flatMap((e) =>
      (project && !belongsTo(e, project) ? [] : names.out(e.key))
        .filter((n) => keep(n) && !seen.has(n) && !!seen.add(n))
        .map((n) => ({
          description: e.description + (n !== e.key ? ` (${e.key} of ${p.title}, under the app's name)` : '') + (e.optional ? ' (optional)' : ''),
          where: e.where,
          line: formatLine(n, e.secret ? '' : (e.example ?? '')),
        })),
    ),
  }));
  // Keys the app reads that no provider here knows: listed so a teammate (and Render) knows to set them.
  const own = names.unknown.filter((u) => keep(u.key) && !seen.has(u.key));
  if (own.length)
    groups.push({
      title: 'Also read by the app',
      docsUrl: '',
      vars: own.map((u) => ({ description: u.required ? 'Required by the app.' : 'Read by the app (optional).', line: formatLine(u.key, '') })),
    });
  return groups.filter((g) => g.vars.length);
}

export function renderEnvExample(existing: string | undefined, providers: Provider[], t: Templates, name: string, names: NameMap = SAME_NAMES, project?: ProjectInfo): string {
  if (existing === undefined) return t.envExample({ header: true, name, groups: exampleGroups(providers, undefined, names, project) }).replace(/^\n+/, '');
  const have = dotenvValues(parseDotenv(existing));
  const groups = exampleGroups(providers, (k) => !(k in have), names, project);
  if (!groups.length) return existing;
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const added = t.envExample({ header: false, name, groups }).replace(/\n/g, eol);
  return (existing.endsWith('\n') || !existing ? existing : existing + eol) + added;
}
