// .gitignore: append only the entries that are missing; never rewrite the user's lines.
const WANTED = ['.env', '.env.*', '!.env.example'];

/** `nested`: the env files are in sub-folders (a monorepo's apps), where a root-anchored `/.env` does not reach. */
function covers(lines: Set<string>, entry: string, nested: boolean): boolean {
  if (lines.has(entry) || (!nested && lines.has(`/${entry}`))) return true;
  // `.env*` ignores both .env and .env.*
  return (entry === '.env' || entry === '.env.*') && (lines.has('.env*') || (!nested && lines.has('/.env*')));
}

/** The app keeps secrets in .env.local (and may commit .env): what ignores .env.local is enough. */
const LOCAL_COVERED = ['.env.local', '.env*.local', '.env.*', '.env*', '*.local'];

export interface GitignoreOptions {
  /** The env files are in sub-folders (a monorepo's apps): a root-anchored `/.env` does not reach them. */
  nested?: boolean;
  /** The secrets file: `.env` (default) or `.env.local` (a framework that loads it; `.env` may be committed). */
  envFile?: string;
}

export function mergeGitignore(source: string | undefined, { nested = false, envFile = '.env' }: GitignoreOptions = {}): string {
  const text = source ?? '';
  const lines = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const local = envFile === '.env.local';
  const missing = local
    ? LOCAL_COVERED.some((e) => lines.has(e) || (!nested && lines.has(`/${e}`)))
      ? []
      : ['.env*.local']
    : WANTED.filter((e) => !covers(lines, e, nested));
  if (!missing.length) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let out = text;
  if (out.length && !out.endsWith('\n')) out += eol;
  if (out.trim().length) out += eol;
  const title = local ? '# Secrets: .env.local files stay out of git (create-prod-ready)' : '# Secrets: keep every .env file out of git, but share the example (create-prod-ready)';
  out += [title, ...missing].join(eol) + eol;
  return out;
}
