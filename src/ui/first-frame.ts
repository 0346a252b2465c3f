// The wizard's opening: intro, what was detected, and the provider picker. The texts live here so the
// boot file's early frame and clack's real one say the same thing; `paintFirstFrame` draws the early
// one in clack's style without loading clack (which is what makes the first paint instant).
import { CATALOG } from '../../providers/catalog.ts';
import type { ProviderId } from '../core/provider.ts';
import type { ProjectInfo } from '../core/project.ts';

export const PICK_MESSAGE = 'Which providers should be production-ready?';

// SGR codes by hand: util.styleText's first call costs ~5 ms, a tenth of a node start.
const SGR = { gray: [90, 39], blue: [34, 39], cyan: [36, 39], green: [32, 39], dim: [2, 22], black: [30, 39], bgCyan: [46, 49] } as const;
const style = (names: (keyof typeof SGR)[] | keyof typeof SGR, text: string): string =>
  ([] as (keyof typeof SGR)[]).concat(names).reduceRight((t, n) => `\x1b[${SGR[n][0]}m${t}\x1b[${SGR[n][1]}m`, text);

export function introTitle(version: string): string {
  return `${style(['bgCyan', 'black'], ' create-prod-ready ')} ${style('dim', `v${version}`)}`;
}

export function projectSummary(project: ProjectInfo): string {
  const scripts = Object.entries(project.scripts)
    .filter(([, v]) => v)
    .map(([k]) => k);
  return [
    project.hasPackageJson ? project.frameworkName : 'no package.json (empty folder)',
    project.packageManager,
    `port ${project.port}`,
    scripts.length ? `scripts: ${scripts.join(', ')}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

export const pickOptions = () => CATALOG.map((c) => ({ value: c.id, label: c.title, hint: c.hint }));

const unicode = process.platform !== 'win32' ? process.env.TERM !== 'linux' : !!process.env.WT_SESSION;
const g = (u: string, a: string) => (unicode ? u : a);

/** Draw the first frame as clack would; returns the number of lines written. */
export function paintFirstFrame(write: (text: string) => void, version: string, project: ProjectInfo, initial: ProviderId[]): number {
  const bar = style('gray', g('│', '|'));
  const lines = [
    `${style('gray', g('┌', 'T'))}  ${introTitle(version)}`,
    bar,
    `${style('blue', g('●', '•'))}  Detected ${projectSummary(project)}`,
    bar,
    `${style('cyan', g('◆', '*'))}  ${PICK_MESSAGE}`,
    ...pickOptions().map((o, i) => {
      const on = initial.includes(o.value);
      const box = on ? style('green', g('◼', '[+]')) : style(i === 0 ? 'cyan' : 'dim', g('◻', '[ ]'));
      // as clack draws it: the hint beside the active option and the selected ones only
      const hint = i === 0 || on ? ` ${style('dim', `(${o.hint})`)}` : '';
      return `${style('cyan', g('│', '|'))}  ${box} ${i === 0 || !on ? o.label : style('dim', o.label)}${hint}`;
    }),
    `${style('cyan', g('│', '|'))}  ${style('dim', '↑/↓ to navigate • Space: select • Enter: confirm')}`,
    style('cyan', g('└', '—')),
  ];
  write(`\x1b[?25l${lines.join('\n')}\n`);
  return lines.length;
}
