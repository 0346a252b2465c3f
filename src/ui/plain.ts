// Output for non-interactive runs (CI, pipes, --yes): plain lines, colour only on a TTY (kleur
// honours NO_COLOR and FORCE_COLOR), human text on stderr when --json owns stdout.
import kleur from 'kleur';

export interface Out {
  line(s?: string): void;
  ok(s: string): void;
  warn(s: string): void;
  fail(s: string): void;
  hint(s: string): void;
}

export function plainOut(stream: NodeJS.WriteStream, quiet = false): Out {
  const w = (s: string) => {
    if (!quiet) stream.write(`${s}\n`);
  };
  return {
    line: (s = '') => w(s),
    ok: (s) => w(`${kleur.green('✔')} ${s}`),
    warn: (s) => w(`${kleur.yellow('▲')} ${s}`),
    fail: (s) => w(`${kleur.red('✖')} ${s}`),
    hint: (s) => w(`  ${kleur.dim(s)}`),
  };
}

export const colors = {
  add: (s: string) => kleur.green(s),
  del: (s: string) => kleur.red(s),
  meta: (s: string) => kleur.cyan(s),
};
