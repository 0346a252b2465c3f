// The ESM entry: dispatch a parsed command line, map errors to exit codes. Commands, prompts and
// provider modules load only when a command runs.
import { Cancelled, UserError } from './core/errors.ts';
import { helpOrVersion, parseCommandLine } from './args.ts';

/** `painted`: lines of the first frame already drawn by the boot file, which the wizard replaces. */
export async function main(argv: string[], painted = 0): Promise<number> {
  let interactive = false;
  // Anything but the interactive wizard first removes the boot file's frame.
  const unpaint = () => {
    if (painted) process.stdout.write(`\x1b[${painted}A\x1b[J\x1b[?25h`);
    painted = 0;
  };
  try {
    const text = helpOrVersion(argv);
    if (text) return void process.stdout.write(text), 0;
    const args = parseCommandLine(argv);
    interactive = args.flags.interactive;
    if (!interactive || args.command !== 'init') unpaint();
    if (args.command === 'check') return await (await import('./commands/check.ts')).checkCommand(args.flags);
    if (args.command === 'rotate') return await (await import('./commands/rotate.ts')).rotate(args.flags);
    if (args.command === 'rehearse') return await (await import('./commands/rehearse.ts')).rehearse(args.flags);
    return await (await import('./commands/init.ts')).init({ ...args.flags, painted });
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const written =
      err.outcome ?? (err.written?.length ? `Wrote only ${err.written.join(', ')}, to keep what was already created at providers.` : 'Nothing was written.');
    if (interactive) {
      const { ui } = await import('./ui/prompter.ts');
      if (err instanceof Cancelled) ui.cancel(err.outcome || err.written?.length ? `Cancelled. ${written}` : err.message);
      else {
        ui.error(err.message + (err.hint ? `\n${err.hint}` : ''));
        ui.outro(written);
      }
    } else {
      unpaint();
      process.stderr.write(`create-prod-ready: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}${err.outcome ? `  ${err.outcome}\n` : ''}`);
      // --json promises one document on stdout, failures included
      if (argv.includes('--json'))
        process.stdout.write(`${JSON.stringify(argv[0] === 'rehearse' ? { ok: false, services: [], error: err.message } : { ok: false, providers: [], files: err.files ?? [], error: err.message }, null, 2)}\n`);
    }
    return err.exitCode;
  }
}
