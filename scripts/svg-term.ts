// A terminal recording as an animated SVG: frames read from an xterm.js (headless) buffer, with their colors
// and attributes, drawn as text (no bitmap), each distinct line defined once and placed by <use>, the frames
// side by side on one strip that a CSS animation moves in steps. Used by scripts/record.ts.
import type xterm from '@xterm/headless';

/** A run of cells with the same look: the column it starts at, its text, its style key (see styleOf). */
export interface Run {
  x: number;
  text: string;
  style: string;
}
export interface Frame {
  /** ms since the recording started */
  at: number;
  /** one entry per screen row: the runs of that row */
  lines: Run[][];
}

// A dark theme close to the common terminal defaults: the 16 ANSI colors, then xterm's 256-color cube and greys.
const ANSI = ['#45475a', '#f38ba8', '#a6e3a1', '#f9e2af', '#89b4fa', '#f5c2e7', '#94e2d5', '#bac2de', '#585b70', '#f38ba8', '#a6e3a1', '#f9e2af', '#89b4fa', '#f5c2e7', '#94e2d5', '#a6adc8'];
const FG = '#cdd6f4';
const BG = '#1e1e2e';
const hex = (n: number) => n.toString(16).padStart(2, '0');
function palette(i: number): string {
  if (i < 16) return ANSI[i]!;
  if (i < 232) {
    const c = i - 16;
    const v = (k: number) => (k === 0 ? 0 : 55 + k * 40);
    return `#${hex(v(Math.floor(c / 36)))}${hex(v(Math.floor(c / 6) % 6))}${hex(v(c % 6))}`;
  }
  const g = 8 + (i - 232) * 10;
  return `#${hex(g)}${hex(g)}${hex(g)}`;
}
const rgb = (n: number) => `#${n.toString(16).padStart(6, '0')}`;

/** The look of a cell as a compact key: fg;bg;flags (b bold, d dim, i italic, u underline). */
function styleOf(cell: xterm.IBufferCell): string {
  let fg = cell.isFgDefault() ? '' : cell.isFgRGB() ? rgb(cell.getFgColor()) : palette(cell.getFgColor());
  let bg = cell.isBgDefault() ? '' : cell.isBgRGB() ? rgb(cell.getBgColor()) : palette(cell.getBgColor());
  if (cell.isInverse()) [fg, bg] = [bg || BG, fg || FG];
  if (cell.isBold() && /^#[0-9a-f]{6}$/.test(fg) && ANSI.indexOf(fg) >= 0 && ANSI.indexOf(fg) < 8) fg = ANSI[ANSI.indexOf(fg) + 8]!;
  const flags = `${cell.isBold() ? 'b' : ''}${cell.isDim() ? 'd' : ''}${cell.isItalic() ? 'i' : ''}${cell.isUnderline() ? 'u' : ''}`;
  return `${fg};${bg};${flags}`;
}

/** The visible screen now, as runs: a run breaks at a change of look and around every non-ASCII character,
 * so that a glyph drawn from a fallback font cannot shift the columns after it. */
export function snapshot(term: xterm.Terminal, at: number): Frame {
  const buf = term.buffer.active;
  const lines: Run[][] = [];
  const cell = buf.getNullCell();
  for (let y = 0; y < term.rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    const runs: Run[] = [];
    let cur: Run | undefined;
    for (let x = 0; line && x < term.cols; x++) {
      line.getCell(x, cell);
      if (cell.getWidth() === 0) continue;
      const ch = cell.getChars() || ' ';
      const style = styleOf(cell);
      const wide = ch.charCodeAt(0) > 0x7e;
      if (!cur || cur.style !== style || wide || /[^\x20-\x7e]/.test(cur.text)) {
        cur = { x, text: ch, style };
        runs.push(cur);
      } else cur.text += ch;
    }
    // drop runs that draw nothing: spaces without a background or underline
    const drawn = runs.filter((r) => r.text.trim() || r.style.split(';')[1] || r.style.includes('u'));
    lines.push(drawn.map((r) => (r.style.split(';')[1] ? r : { ...r, x: r.x + r.text.length - r.text.trimStart().length, text: r.text.trim() })));
  }
  return { at, lines };
}

export const sameFrame = (a: Frame, b: Frame) => JSON.stringify(a.lines) === JSON.stringify(b.lines);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface SvgOptions {
  cols: number;
  rows: number;
  title: string;
  /** Only this frame, still (to look at one frame as a picture). */
  still?: number;
  /** How long the last frame stays before the loop starts again (ms). */
  holdMs?: number;
}

export function renderSvg(frames: Frame[], o: SvgOptions): string {
  const CW = 8.43; // a 14px monospace cell (0.602 em)
  const LH = 18;
  const PAD = 16;
  const BAR = 30;
  const FW = Math.ceil(o.cols * CW);
  const FH = o.rows * LH;
  const W = FW + 2 * PAD;
  const H = FH + PAD + BAR;
  const shown = o.still !== undefined ? [frames[Math.min(o.still, frames.length - 1)]!] : frames;

  // classes for the looks in use, one <g> per distinct line
  const classes = new Map<string, string>();
  const cls = (style: string) => {
    if (!classes.has(style)) classes.set(style, `s${classes.size}`);
    return classes.get(style)!;
  };
  const defs = new Map<string, { id: string; svg: string }>();
  const lineId = (runs: Run[]) => {
    const key = JSON.stringify(runs);
    if (!defs.has(key)) {
      const rects = runs
        .filter((r) => r.style.split(';')[1])
        .map((r) => `<rect x="${(r.x * CW).toFixed(1)}" y="${-LH + 5}" width="${(r.text.length * CW).toFixed(1)}" height="${LH}" fill="${r.style.split(';')[1]}"/>`)
        .join('');
      const spans = runs.map((r) => `<tspan x="${+(r.x * CW).toFixed(1)}"${r.style === ';;' ? '' : ` class="${cls(r.style)}"`}>${esc(r.text)}</tspan>`).join('');
      const id = `l${defs.size}`;
      defs.set(key, { id, svg: `<g id="${id}">${rects}<text>${spans}</text></g>` });
    }
    return defs.get(key)!.id;
  };

  const uses: string[] = [];
  shown.forEach((f, i) => {
    f.lines.forEach((runs, y) => {
      if (runs.length) uses.push(`<use href="#${lineId(runs)}" x="${i * FW}" y="${(y + 1) * LH - 5}"/>`);
    });
  });

  const css = [...classes].map(([style, c]) => {
    const [fg, , flags] = style.split(';');
    const rules = [fg ? `fill:${fg}` : '', flags!.includes('b') ? 'font-weight:bold' : '', flags!.includes('d') ? 'opacity:.6' : '', flags!.includes('i') ? 'font-style:italic' : '', flags!.includes('u') ? 'text-decoration:underline' : ''];
    return `.${c}{${rules.filter(Boolean).join(';')}}`;
  });

  let animation = '';
  if (shown.length > 1) {
    const total = shown[shown.length - 1]!.at + (o.holdMs ?? 4000);
    const steps = shown.map((f, i) => `${((f.at / total) * 100).toFixed(3)}%{transform:translateX(-${i * FW}px)}`);
    animation = `#f{animation:k ${(total / 1000).toFixed(2)}s steps(1,end) infinite}@keyframes k{${steps.join('')}100%{transform:translateX(-${(shown.length - 1) * FW}px)}}`;
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xml:space="preserve" role="img" aria-label="${esc(o.title)}">`,
    `<title>${esc(o.title)}</title>`,
    `<style>text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:14px;fill:${FG};white-space:pre}${css.join('')}${animation}</style>`,
    `<rect width="${W}" height="${H}" rx="8" fill="${BG}"/>`,
    `<circle cx="20" cy="15" r="6" fill="#f38ba8"/><circle cx="40" cy="15" r="6" fill="#f9e2af"/><circle cx="60" cy="15" r="6" fill="#a6e3a1"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" style="fill:#7f849c;font-size:12px">${esc(o.title)}</text>`,
    `<svg x="${PAD}" y="${BAR}" width="${FW}" height="${FH}" viewBox="0 0 ${FW} ${FH}"><defs>${[...defs.values()].map((d) => d.svg).join('')}</defs><g id="f">${uses.join('')}</g></svg>`,
    '</svg>',
    '',
  ].join('\n');
}
