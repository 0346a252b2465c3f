// Entry point: parse argv, pick interactive or not, dispatch, map errors to exit codes.
// Kept small: commands, prompts and provider modules load only when a command runs, so --help is instant.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { Cancelled, UsageError, UserError } from './core/errors.ts';
import { PROVIDER_IDS, type ProviderId } from './core/provider.ts';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';
const AVAILABLE: readonly ProviderId[] = ['app', 'postgres', 'redis'];

export const HELP = `create-prod-ready ${VERSION}
Set up and check your production config: live-checks every credential, then writes
.env, .env.example, .gitignore, render.yaml and docker-compose.yml (after you confirm).

Usage
  npx create-prod-ready [init] [options]   the wizard (default)
  npx create-prod-ready check [--json]     live-check everything configured in .env

Options
  --cwd DIR            project folder (default: the current folder)
  --providers LIST     comma-separated: ${AVAILABLE.join(', ')}
  -y, --yes            never prompt: values from the environment, then .env, then local
                       defaults; exits 2 naming every required value still missing
  --dry-run            show the plan (secrets masked) and write nothing
  --skip-verify        do not check values live (offline use)
  --json               one JSON document on stdout (implies --yes)
  -h, --help           this help
  -v, --version        the version

Without prompts
  Runs non-interactively when --yes or --json is given, stdin is not a terminal, or CI is set.
  Give values as environment variables with the .env names, e.g.
    DATABASE_URL=postgres://… REDIS_URL=redis://… npx create-prod-ready --yes
  Secrets are never accepted as flags (they would land in shell history and ps).

API endpoints
  PROD_READY_<ID>_URL overrides a provider's API base URL (e.g. PROD_READY_STRIPE_URL);
  plain http only for localhost.

Exit codes
  0 success · 1 a live check failed or a file could not be written
  2 usage error or missing input · 130 cancelled (Ctrl+C / Esc); a cancel writes nothing
`;

function truthy(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

function parse(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        cwd: { type: 'string' },
        providers: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        'dry-run': { type: 'boolean' },
        'skip-verify': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''), 'see create-prod-ready --help');
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0] ?? 'init';
  if (!['init', 'check'].includes(command) || positionals.length > 1)
    throw new UsageError(`unknown command: ${positionals.join(' ')}`, 'commands: init (default), check');
  let providers: ProviderId[] | undefined;
  if (v.providers !== undefined) {
    const ids = v.providers.split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = ids.filter((id) => !AVAILABLE.includes(id as ProviderId));
    if (unknown.length || !ids.length) {
      const later = unknown.filter((id) => (PROVIDER_IDS as readonly string[]).includes(id));
      throw new UsageError(
        `unknown provider${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ') || '(none given)'}${later.length ? ` (${later.join(', ')} not available in this version)` : ''}`,
        `valid ids: ${AVAILABLE.join(', ')}`,
      );
    }
    providers = AVAILABLE.filter((id) => ids.includes(id));
  }
  const cwd = resolve(v.cwd ?? process.cwd());
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new UsageError(`--cwd ${v.cwd}: no such folder`);
  const nonInteractive = !!v.yes || !!v.json || !process.stdin.isTTY || !process.stdout.isTTY || truthy(process.env.CI);
  return {
    command,
    help: !!v.help,
    version: !!v.version,
    flags: {
      cwd,
      providers,
      interactive: !nonInteractive,
      dryRun: !!v['dry-run'],
      skipVerify: !!v['skip-verify'],
      json: !!v.json,
      version: VERSION,
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  let interactive = false;
  try {
    const args = parse(argv);
    if (args.help) return void process.stdout.write(HELP), 0;
    if (args.version) return void process.stdout.write(`${VERSION}\n`), 0;
    interactive = args.flags.interactive;
    if (args.command === 'check') return await (await import('./commands/check.ts')).checkCommand(args.flags);
    return await (await import('./commands/init.ts')).init(args.flags);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    if (interactive) {
      const { ui } = await import('./ui/prompter.ts');
      if (err instanceof Cancelled) ui.cancel(err.message);
      else {
        ui.error(err.message + (err.hint ? `\n${err.hint}` : ''));
        ui.outro('Nothing was written.');
      }
    } else {
      process.stderr.write(`create-prod-ready: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`);
    }
    return err.exitCode;
  }
}
