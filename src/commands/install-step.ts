// After the files are written: when the run added dependencies to a package.json (zod for the env module,
// the migration tool), the app's lockfile no longer matches it, and `npm ci` (Render's build) refuses to
// install until someone runs `npm install`. So the run does it, once, with the app's own package manager,
// and says so; offline or failing, it says the one command to run and the run goes on.
import type { Plan } from '../core/plan.ts';
import type { ProjectInfo } from '../core/project.ts';
import { truthy } from '../args.ts';
import { Cancelled } from '../core/errors.ts';
import type { Say } from '../ui/say.ts';

/** Set to 1 to leave the install to you (an offline run, a CI job that installs by itself). */
export const NO_INSTALL_ENV = 'PROD_READY_NO_INSTALL';

export interface InstallInput {
  plan: Pick<Plan, 'dependenciesAdded'>;
  project: Pick<ProjectInfo, 'cwd' | 'packageManager' | 'lockfile'>;
  /** false: a teammate's run (it never rewrites the committed lockfile). */
  allowed: boolean;
  say: Say;
  env?: NodeJS.ProcessEnv;
}

export interface InstallReport {
  /** The command, e.g. `npm install`. */
  command: string;
  /** The lockfile now matches package.json (and node_modules has the new packages). */
  installed: boolean;
  /** Why not, when not: one line that ends with what to run. */
  note?: string;
}

/**
 * Runs the package manager's install in the project once, when this run added dependencies and the project
 * has a lockfile (without one, nothing is out of date: the next steps say to install). Never throws for a
 * failed install (only for a cancel): the files are written, so the run goes on and says what to run.
 */
export async function installStep(input: InstallInput): Promise<InstallReport | undefined> {
  const { plan, project, say } = input;
  if (!plan.dependenciesAdded || !input.allowed || !project.lockfile) return undefined;
  const command = `${project.packageManager} install`;
  const matches = `so ${project.lockfile} matches package.json`;
  const why = `${matches} (${project.packageManager === 'npm' ? 'npm ci' : 'a frozen-lockfile install'}, as on Render, refuses it otherwise)`;
  if (truthy((input.env ?? process.env)[NO_INSTALL_ENV])) {
    const note = `not installed (${NO_INSTALL_ENV} is set): run ${command} ${why}`;
    say.info(`New dependencies ${note}`);
    return { command, installed: false, note };
  }
  const { exec, CommandNotFound, CommandTimedOut } = await import('../core/exec.ts');
  try {
    await say.step(
      `Installing the new dependencies (${command}), ${matches}`,
      async (signal) => {
        // pnpm and Yarn 2+ freeze the lockfile when CI is set: updating it is the point here (classic
        // Yarn ignores the variable)
        const args = project.packageManager === 'pnpm' ? ['install', '--no-frozen-lockfile'] : ['install'];
        const env = project.packageManager === 'yarn' ? { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' } : {};
        const r = await exec(project.packageManager, args, { cwd: project.cwd, env, signal, timeoutMs: 300_000 });
        // a failed install is the step failing (the spinner ends in ✗), then one line says what to run
        if (r.code !== 0) throw new InstallFailed(`exit ${r.code}: ${lastLine(r.output)}`);
      },
      () => `Installed the new dependencies: ${project.lockfile} is up to date`,
    );
    return { command, installed: true };
  } catch (err) {
    if (err instanceof Cancelled) throw err;
    if (err instanceof CommandNotFound) return failed(say, command, why, `${project.packageManager} is not on PATH`);
    if (err instanceof CommandTimedOut) return failed(say, command, why, 'it took longer than 5 minutes');
    return failed(say, command, why, (err as Error).message.split('\n')[0]!);
  }
}

class InstallFailed extends Error {}

function failed(say: Say, command: string, why: string, reason: string): InstallReport {
  const note = `${command} did not finish (${reason}): run ${command} ${why}`;
  say.warn(note);
  return { command, installed: false, note };
}

/** The last line of a command's output that says something (npm ends with its error code and a log path). */
function lastLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !/complete log of this run|^npm (error|ERR!) *$|A complete log/.test(l));
  const error = lines.find((l) => /^npm (error|ERR!) (code|network|errno)|ERR_PNPM|error /i.test(l));
  return (error ?? lines.at(-1) ?? 'no output').slice(0, 200);
}
