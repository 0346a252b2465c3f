// .gitignore: append only the entries that are missing; never rewrite the user's lines.
const WANTED = ['.env', '.env.*', '!.env.example'];

function covers(lines: Set<string>, entry: string): boolean {
  if (lines.has(entry) || lines.has(`/${entry}`)) return true;
  // `.env*` ignores both .env and .env.*
  return (entry === '.env' || entry === '.env.*') && (lines.has('.env*') || lines.has('/.env*'));
}

/** The app keeps secrets in .env.local (and may commit .env): what ignores .env.local is enough. */
const LOCAL_COVERED = ['.env.local', '.env*.local', '.env.*', '.env*', '*.local'];

export function mergeGitignore(source: string | undefined, envFile: string = '.env'): string {
  const text = source ?? '';
  const lines = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const local = envFile === '.env.local';
  const missing = local
    ? LOCAL_COVERED.some((e) => lines.has(e) || lines.has(`/${e}`))
      ? []
      : ['.env*.local']
    : WANTED.filter((e) => !covers(lines, e));
  if (!missing.length) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = text;
  if (out.length && !out.endsWith('\n')) out += eol;
  if (out.trim().length) out += eol;
  const title = local ? '# Secrets: .env.local files stay out of git (create-prod-ready)' : '# Secrets: keep every .env file out of git, but share the example (create-prod-ready)';
  out += [title, ...missing].join(eol) + eol;
  return out;
}
