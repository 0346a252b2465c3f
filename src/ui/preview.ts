// The plan as a person reads it: every file with its action, and a unified diff with secrets masked.
// .env is masked by structure (every value of a key not known to be public), so even keys this tool
// does not manage never show; other files are masked by the secret values in play.
import { redact, maskSecret } from '../core/mask.ts';
import { parseDotenv } from '../core/files/dotenv.ts';
import type { FileChange } from '../core/plan.ts';
import { isEnvFile } from '../core/env-file.ts';

/** `generated` keys (JWT_SECRET, AUTH0_SECRET) show nothing of their value, not even its last characters. */
export function maskDotenv(text: string, publicKeys: ReadonlySet<string>, generated: ReadonlySet<string> = new Set()): string {
  const doc = parseDotenv(text);
  let out = doc.text;
  for (const e of [...doc.entries].reverse()) {
    if (publicKeys.has(e.key) || e.value === '') continue;
    const shown = generated.has(e.key) ? '•••••••• (generated)' : maskSecret(e.value);
    out = out.slice(0, e.keyStart) + `${e.key}=${shown}` + out.slice(e.valueEnd);
  }
  return out;
}

const LABEL: Record<FileChange['action'], string> = { create: 'create', update: 'update', keep: 'unchanged', delete: 'delete' };

/** A file of secrets: .env or .env.local, at the root or in a monorepo's app (never .env.example). */
export const isSecretEnvFile = (path: string): boolean => isEnvFile(path.slice(path.lastIndexOf('/') + 1));

export function summaryLine(c: FileChange): string {
  return `${LABEL[c.action].padEnd(9)} ${c.path}${isSecretEnvFile(c.path) && c.action !== 'keep' ? ' (mode 0600)' : ''}`;
}

export async function renderDiffs(
  changes: FileChange[],
  secrets: readonly string[],
  publicKeys: ReadonlySet<string>,
  generated: ReadonlySet<string>,
  color: { add: (s: string) => string; del: (s: string) => string; meta: (s: string) => string },
): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const parts: string[] = [];
  for (const c of changes) {
    if (c.action === 'keep') continue;
    if (c.action === 'delete') {
      parts.push(color.meta(`deleted ${c.path}`));
      continue;
    }
    const show = (t: string | undefined) =>
      t === undefined ? '' : isSecretEnvFile(c.path) ? maskDotenv(t, publicKeys, generated) : redact(t, secrets);
    const patch = createTwoFilesPatch(c.before === undefined ? '/dev/null' : `a/${c.path}`, `b/${c.path}`, show(c.before), show(c.after), '', '', { context: 3 });
    const lines = patch.split('\n').slice(1); // drop the "=====" header line
    parts.push(
      lines
        .filter((l) => l !== '\\ No newline at end of file')
        .map((l) => (l.startsWith('+++') || l.startsWith('---') || l.startsWith('@@') ? color.meta(l) : l.startsWith('+') ? color.add(l) : l.startsWith('-') ? color.del(l) : l))
        .join('\n')
        .trimEnd(),
    );
  }
  return parts.join('\n\n');
}

/**
 * The plan in a few lines: each file with its action and how many lines are added and removed, and under
 * .env the keys this run sets or changes, values masked as in the diff (public keys shown, secrets masked,
 * generated ones hidden). The full diff is a question away.
 */
export async function planSummary(
  changes: FileChange[],
  publicKeys: ReadonlySet<string>,
  generated: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const { diffLines } = await import('diff');
  const lines: string[] = [];
  const width = Math.max(0, ...changes.map((c) => summaryLine(c).length));
  for (const c of changes) {
    let counts = '';
    if (c.action !== 'keep') {
      let added = 0;
      let removed = 0;
      for (const part of diffLines(c.before ?? '', c.after ?? '')) {
        if (part.added) added += part.count ?? 0;
        else if (part.removed) removed += part.count ?? 0;
      }
      counts = [added ? `+${added}` : '', removed ? `−${removed}` : ''].filter(Boolean).join(' ') + ` line${added + removed === 1 ? '' : 's'}`;
    }
    lines.push(counts ? `${summaryLine(c).padEnd(width)}  ${counts}` : summaryLine(c));
    if (c.path === '.env' && c.action !== 'keep') {
      const before = new Map(parseDotenv(c.before ?? '').entries.map((e) => [e.key, e.value]));
      const set = parseDotenv(c.after ?? '').entries.filter((e) => e.value !== '' && before.get(e.key) !== e.value);
      for (const e of set)
        lines.push(`            ${e.key}=${publicKeys.has(e.key) ? e.value : generated.has(e.key) ? '•••••••• (generated)' : maskSecret(e.value)}`);
    }
  }
  return lines;
}
