// .env.example: every key, grouped by provider, with what it is and where to get it. Built only from
// the declarations (never from values), so a secret cannot reach it. Re-runs append missing keys.
import type { Provider } from '../provider.ts';
import type { Templates } from '../templates.ts';
import { dotenvValues, formatLine, parseDotenv } from './dotenv.ts';

export function exampleGroups(providers: Provider[], keep: (key: string) => boolean = () => true) {
  return providers
    .map((p) => ({
      title: p.title,
      docsUrl: p.docsUrl,
      vars: p.env
        .filter((e) => keep(e.key))
        .map((e) => ({
          description: e.description + (e.optional ? ' (optional)' : ''),
          where: e.where,
          line: formatLine(e.key, e.secret ? '' : (e.example ?? '')),
        })),
    }))
    .filter((g) => g.vars.length);
}

export function renderEnvExample(existing: string | undefined, providers: Provider[], t: Templates, name: string): string {
  if (existing === undefined) return t.envExample({ header: true, name, groups: exampleGroups(providers) }).replace(/^\n+/, '');
  const have = dotenvValues(parseDotenv(existing));
  const groups = exampleGroups(providers, (k) => !(k in have));
  if (!groups.length) return existing;
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const added = t.envExample({ header: false, name, groups }).replace(/\n/g, eol);
  return (existing.endsWith('\n') || !existing ? existing : existing + eol) + added;
}
