// .gitignore: append only the entries that are missing; never rewrite the user's lines.
const WANTED = ['.env', '.env.*', '!.env.example'];

/** `nested`: the env files are in sub-folders (a monorepo's apps), where a root-anchored `/.env` does not reach. */
function covers(lines: Set<string>, entry: string, nested: boolean): boolean {
  if (lines.has(entry) || (!nested && lines.has(`/${entry}`))) return true;
  // `.env*` ignores both .env and .env.*
  return (entry === '.env' || entry === '.env.*') && (lines.has('.env*') || (!nested && lines.has('/.env*')));
}

export function mergeGitignore(source: string | undefined, nested = false): string {
  const text = source ?? '';
  const lines = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = WANTED.filter((e) => !covers(lines, e, nested));
  if (!missing.length) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = text;
  if (out.length && !out.endsWith('\n')) out += eol;
  if (out.trim().length) out += eol;
  out += ['# Secrets: keep every .env file out of git, but share the example (create-prod-ready)', ...missing].join(eol) + eol;
  return out;
}
