// The CommonJS boot file (dist/boot.cjs), loaded by the bin before anything else. It answers --help
// and --version without loading the ESM bundle, and for the plain interactive wizard it draws the
// first frame at once; the bin then loads the bundle, whose clack prompt replaces that frame in place.
// Every millisecond here is measured (npm run bench): only node:fs, node:path and node:tty are used.
import { readFileSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { helpOrVersion, truthy, VERSION } from './args.ts';
import { detectProject } from './core/project.ts';
import { dotenvValues, parseDotenv } from './core/files/dotenv.ts';
import { initialSelection } from '../providers/catalog.ts';
import { paintFirstFrame } from './ui/first-frame.ts';

/** The folder of a plain `[init] [--cwd DIR]` run, or undefined for anything else (the CLI then draws everything). */
function plainWizard(argv: string[]): string | undefined {
  let cwd = '.';
  const rest = [...argv];
  if (rest[0] === 'init') rest.shift();
  if (rest[0] === '--cwd' && rest.length === 2) cwd = rest[1]!;
  else if (rest.length === 1 && rest[0]!.startsWith('--cwd=')) cwd = rest[0]!.slice(6);
  else if (rest.length) return undefined;
  return resolve(cwd);
}

export function boot(argv: string[]): { exit?: number; painted: number } {
  // fd writes: creating process.stdout costs ~5 ms, a tenth of a node start.
  const text = helpOrVersion(argv);
  if (text) return writeSync(1, text), { exit: 0, painted: 0 };
  const cwd = plainWizard(argv);
  if (!cwd || truthy(process.env.CI)) return { painted: 0 };
  try {
    if (!statSync(cwd).isDirectory()) return { painted: 0 };
    if (!(require('node:tty') as typeof import('node:tty')).isatty(1) || !process.stdin.isTTY) return { painted: 0 };
    // .env, then .env.local (which wins), as the frameworks that load it read them
    let env: string | undefined;
    for (const f of ['.env', '.env.local'])
      try {
        env = (env === undefined ? '' : `${env}\n`) + readFileSync(join(cwd, f), 'utf8');
      } catch {
        /* not there (yet) */
      }
    let remembered: string[] | undefined;
    try {
      remembered = (JSON.parse(readFileSync(join(cwd, 'prod-ready.json'), 'utf8')) as { providers?: string[] }).providers;
    } catch {
      /* none, or unreadable: the CLI reports it */
    }
    // A teammate's first run (prod-ready.json, no .env) shows no picker: the CLI draws its own frame.
    if (remembered && env === undefined) return { painted: 0 };
    const project = detectProject(cwd);
    const initial = initialSelection(dotenvValues(parseDotenv(env ?? '')), process.env, remembered);
    // Raw mode before the frame: a key pressed once the prompt shows must reach the prompt as typed
    // (in cooked mode Enter arrives as \n, which clack ignores, and its echo would shift the frame).
    process.stdin.setRawMode(true);
    return { painted: paintFirstFrame((t) => writeSync(1, t), VERSION, project, initial) };
  } catch {
    return { painted: 0 }; // the wizard draws everything itself
  }
}
