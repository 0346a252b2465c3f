// The command line, a public interface: commands, flags, help and the interactive/non-interactive rule.
// Shared by the CommonJS boot file (help, version, first frame) and the ESM CLI.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { UsageError } from './core/errors.ts';
import { PROVIDER_IDS, type ProviderId } from './core/provider.ts';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export const HELP = `create-prod-ready ${VERSION}
Set up and check your production config: live-checks every credential, then writes
.env, .env.example, .gitignore, render.yaml and docker-compose.yml (after you confirm).

Usage
  npx create-prod-ready [init] [options]   the wizard (default)
  npx create-prod-ready join [options]     a teammate's first run: asks only for your own values,
                                           writes only .env (automatic in a clone with
                                           prod-ready.json and no .env)
  npx create-prod-ready check [--json]     live-check everything configured in .env, and audit it
                                           (.env.example keys missing, test/live mix, .env tracked
                                           by git, .env values found in tracked files)
  npx create-prod-ready rotate [KEY|provider ...] [--finish]
                                           rotate secrets: new → verified → .env → Render → old
                                           revoked; a picker without arguments
  npx create-prod-ready rehearse [SERVICE ...] [--json] [--keep] [--timeout S]
                                           deploy render.yaml here the way Render will: build,
                                           pre-deploy, start on PORT=10000, health check, in a
                                           clean copy of what git would commit (docs/rehearse.md)

Options
  --cwd DIR            project folder (default: the current folder)
  --providers LIST     comma-separated: ${PROVIDER_IDS.join(', ')}
  --apps LIST          monorepo: the apps to deploy, comma-separated names or folders
                       (default: a picker; with --yes every deployable app)
  -y, --yes            never prompt: values from the environment, then .env, then local
                       defaults; exits 2 naming every required value still missing
  --dry-run            show the plan (secrets masked) and write nothing
  --skip-verify        do not check values live (offline use)
  --from-sqlite [FILE] move the app from SQLite to PostgreSQL: switch its Prisma/Drizzle schema,
                       start a PostgreSQL baseline migration (the SQLite history is kept aside),
                       then copy and prove the rows of FILE (default: the file its config names);
                       needed with --yes, offered without it (docs/sqlite.md)
  --start-services     with --yes: when a local default (DATABASE_URL, REDIS_URL) points at a
                       service nothing listens on, write docker-compose.yml and run
                       docker compose up -d --wait <services> before the checks
  --json               one JSON document on stdout (implies --yes)
  --finish             rotate: revoke the old credentials kept until the app ran on the new ones
  --keep               rehearse: keep the copy and its logs (their folder is printed)
  --timeout S          rehearse: seconds to wait for the port and the health check (default 120)
  -h, --help           this help
  -v, --version        the version

Without prompts
  Runs non-interactively when --yes or --json is given, stdin is not a terminal, or CI is set.
  Give values as environment variables with the .env names, e.g.
    DATABASE_URL=postgres://… REDIS_URL=redis://… npx create-prod-ready --yes
  Secrets are never accepted as flags (they would land in shell history and ps).

Changes at providers
  A webhook endpoint, a CORS rule, callback URLs, Render variables: listed in the plan and made
  only after you confirm (--yes confirms; a change that replaces something, or a deploy, never
  happens without a person).

API endpoints
  PROD_READY_<ID>_URL overrides a provider's API base URL (e.g. PROD_READY_STRIPE_URL);
  plain http only for localhost. PROD_READY_TIMEOUT_MS sets each live check's deadline.
  PROD_READY_REHEARSE_PORT: rehearse on another port than Render's 10000.

Exit codes
  0 success · 1 a live check failed, a file could not be written, or a rehearsal step failed
  2 usage error or missing input · 130 cancelled (Ctrl+C / Esc); a cancel writes nothing
`;

// Both bundles have `require` in scope (CommonJS natively, the ESM bundle through its banner); the
// fallback serves the TypeScript sources run directly.
function isatty(fd: 0 | 1): boolean {
  if (typeof require === 'function') return (require('node:tty') as typeof import('node:tty')).isatty(fd);
  return !!(fd === 0 ? process.stdin : process.stdout).isTTY;
}

export function truthy(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/** --help and --version win over everything else on the line, as in most CLIs; checked before parsing. */
export function helpOrVersion(argv: string[]): string | undefined {
  const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined);
  if (flags.includes('--help') || flags.includes('-h')) return HELP;
  if (flags.includes('--version') || flags.includes('-v')) return `${VERSION}\n`;
  return undefined;
}

export type Args = ReturnType<typeof parseCommandLine>;

/**
 * `--from-sqlite [FILE]`: a flag whose value is optional. The next word is its FILE when it is not an
 * option or a command and looks like a database file (or is one); the flag becomes `--from-sqlite=FILE`
 * (or `--from-sqlite=` without one) for parseArgs.
 */
function optionalValue(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return [...out, ...argv.slice(i)];
    if (a !== '--from-sqlite') {
      out.push(a);
      continue;
    }
    const next = argv[i + 1];
    const isFile = next !== undefined && !next.startsWith('-') && !COMMANDS.includes(next) && (/\.(db|sqlite3?|db3)$/i.test(next) || existsSync(next));
    out.push(`--from-sqlite=${isFile ? next : ''}`);
    if (isFile) i++;
  }
  return out;
}

const COMMANDS = ['init', 'check', 'join', 'rotate', 'rehearse'];

export function parseCommandLine(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: optionalValue(argv),
      allowPositionals: true,
      strict: true,
      options: {
        cwd: { type: 'string' },
        providers: { type: 'string' },
        apps: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        'dry-run': { type: 'boolean' },
        'skip-verify': { type: 'boolean' },
        'start-services': { type: 'boolean' },
        'from-sqlite': { type: 'string' },
        json: { type: 'boolean' },
        finish: { type: 'boolean' },
        keep: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''), 'see create-prod-ready --help');
  }
  const { values: v, positionals } = parsed;
  const command = (positionals[0] ?? 'init') as 'init' | 'check' | 'join' | 'rotate' | 'rehearse';
  if (!['init', 'check', 'join', 'rotate', 'rehearse'].includes(command) || (positionals.length > 1 && command !== 'rotate' && command !== 'rehearse'))
    throw new UsageError(`unknown command: ${positionals.join(' ')}`, 'commands: init (default), join, check, rotate, rehearse');
  if (v['from-sqlite'] !== undefined && command !== 'init') throw new UsageError('--from-sqlite is an option of init', 'see create-prod-ready --help');
  if (v.finish && command !== 'rotate') throw new UsageError('--finish is an option of rotate', 'see create-prod-ready --help');
  for (const f of ['keep', 'timeout'] as const) if (v[f] !== undefined && command !== 'rehearse') throw new UsageError(`--${f} is an option of rehearse`, 'see create-prod-ready --help');
  const timeout = v.timeout === undefined ? 120 : Number(v.timeout);
  if (!(timeout > 0) || !Number.isFinite(timeout)) throw new UsageError(`--timeout ${v.timeout}: expected a number of seconds`, 'e.g. --timeout 300');
  let providers: ProviderId[] | undefined;
  if (v.providers !== undefined) {
    const ids = v.providers.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = ids.filter((id) => !PROVIDER_IDS.includes(id as ProviderId));
    if (unknown.length || !ids.length) {
      throw new UsageError(
        `unknown provider${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ') || '(none given)'}`,
        `valid ids: ${PROVIDER_IDS.join(', ')}`,
      );
    }
    providers = PROVIDER_IDS.filter((id) => ids.includes(id));
  }
  const apps = v.apps?.split(',').map((s) => s.trim()).filter(Boolean);
  if (apps && (!apps.length || (command !== 'init' && command !== 'join'))) throw new UsageError(apps.length ? `--apps is an option of init and join` : '--apps: no app given', 'see create-prod-ready --help');
  const cwd = resolve(v.cwd ?? process.cwd());
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new UsageError(`--cwd ${v.cwd}: no such folder`);
  return {
    command,
    flags: {
      cwd,
      providers,
      /** `--apps`: a monorepo's apps to deploy (names or folders); undefined: a picker, or every deployable one. */
      apps,
      /** Prompts only with a terminal on both ends, no --yes/--json and no CI. A getter: node:tty costs ~6 ms to load, which --help should not pay. */
      get interactive(): boolean {
        return !v.yes && !v.json && !truthy(process.env.CI) && isatty(0) && isatty(1);
      },
      dryRun: !!v['dry-run'],
      skipVerify: !!v['skip-verify'],
      /** --start-services: with --yes, start the local docker-compose services the defaults point at. */
      startServices: !!v['start-services'],
      /** `--from-sqlite [FILE]`: move from SQLite ('' without a file: the one the app's config names); undefined without the flag. */
      fromSqlite: v['from-sqlite'],
      json: !!v.json,
      version: VERSION,
      /** `join`: a teammate's run (only .env is written); also detected from prod-ready.json without .env. */
      join: command === 'join',
      /** `rotate KEY|provider …`: what to rotate (none: a picker, or everything rotatable with --yes); `rehearse SERVICE …`: which services. */
      targets: command === 'rotate' || command === 'rehearse' ? positionals.slice(1) : [],
      /** `rehearse --keep`: leave the copy and its logs. */
      keep: !!v.keep,
      /** `rehearse --timeout S`: how long to wait for the port and the health check. */
      timeout,
      /** `rotate --finish`: revoke old credentials left for later (a Stripe endpoint kept until the app runs on the new one). */
      finish: !!v.finish,
    },
  };
}
