// The SQLite → PostgreSQL copy as a person sees it: a progress bar (rows of the current table, all rows,
// rate, ETA) redrawn in place in the wizard's style while a terminal watches, silent otherwise; and the
// proof afterwards, a table of row counts and checksums on both sides.
import { S_BAR, S_STEP_CANCEL, S_STEP_ERROR, S_STEP_SUBMIT, unicode } from '@clack/prompts';
import kleur from 'kleur';
import { Cancelled } from '../core/errors.ts';
import type { CopyOptions, CopyProgress, CopyReport } from '../core/sqlite/copy.ts';

const FRAMES = unicode ? ['◒', '◐', '◓', '◑'] : ['•', 'o', 'O', '0'];
const FULL = unicode ? '█' : '#';
const EMPTY = unicode ? '░' : '-';
const n = (x: number) => x.toLocaleString('en-US');

/** `1.2 s`, `3 min 5 s`. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** One line: the current table's bar and rows, then all rows, the rate and the time left. */
function formatProgress(p: CopyProgress, elapsedMs: number, width = 20): string {
  const frac = p.total ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(frac * width);
  const bar = kleur.cyan(FULL.repeat(filled)) + kleur.dim(EMPTY.repeat(width - filled));
  if (p.phase === 'verify') return `Checking ${p.table} ${bar} ${n(p.done)}/${n(p.total)} rows read back`;
  const rate = elapsedMs > 0 ? (p.allDone * 1000) / elapsedMs : 0;
  const left = rate > 0 ? ((p.allTotal - p.allDone) * 1000) / rate : undefined;
  const eta = left === undefined ? '' : ` · ETA ${duration(left)}`;
  return `Copying ${p.table} ${bar} ${n(p.done)}/${n(p.total)} rows · ${n(p.allDone)}/${n(p.allTotal)} in all · ${n(Math.round(rate))} rows/s${eta}`;
}

interface ProgressBar {
  update(p: CopyProgress): void;
  /** Clears the bar and writes the closing line (✔ / ✖ / cancelled); nothing when not a TTY. */
  stop(outcome: 'done' | 'failed' | 'cancelled', line: string): void;
}

/** A bar redrawn in place (at most ~12 times a second) on a TTY; without a TTY it draws nothing. */
function progressBar(out: NodeJS.WriteStream = process.stdout): ProgressBar {
  const tty = Boolean(out.isTTY);
  const started = performance.now();
  let last = 0;
  let frame = 0;
  let drawn = false;
  return {
    update(p) {
      if (!tty) return;
      const now = performance.now();
      if (drawn && now - last < 80 && p.done < p.total) return;
      last = now;
      const cols = out.columns || 100;
      let text = formatProgress(p, now - started);
      // keep to one line: drop the all-tables part first, then cut
      if (visible(text).length + 3 > cols) text = text.replace(/ · [\d,]+\/[\d,]+ in all.*$/, '');
      if (!drawn) out.write(`${kleur.gray(S_BAR)}\n\x1b[?25l`);
      out.write(`\r\x1b[2K${kleur.magenta(FRAMES[frame++ % FRAMES.length]!)}  ${text}`);
      drawn = true;
    },
    stop(outcome, line) {
      if (!tty) return;
      const symbol = outcome === 'done' ? kleur.green(S_STEP_SUBMIT) : outcome === 'cancelled' ? kleur.red(S_STEP_CANCEL) : kleur.red(S_STEP_ERROR);
      out.write(`${drawn ? '\r\x1b[2K' : `${kleur.gray(S_BAR)}\n`}${symbol}  ${line}\n\x1b[?25h`);
    },
  };
}

const visible = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** The proof as a table: per table the rows and the checksum on each side, then totals and what else happened. */
export function renderCopyReport(r: CopyReport): string {
  const short = (c: string) => (c.startsWith('sum:') ? c : c.slice(0, 12));
  const head = ['table', 'rows', 'SQLite checksum', 'PostgreSQL checksum', 'time', ''];
  const body = r.tables.map((t) => {
    const ok = t.rows === t.targetRows && t.sourceChecksum === t.targetChecksum;
    return [t.name, n(t.rows), short(t.sourceChecksum), short(t.targetChecksum), duration(t.ms), ok ? kleur.green('✔ equal') : kleur.red('✖ differs')];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => visible(row[i]!).length)));
  const right = new Set([1, 4]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? ' '.repeat(widths[i]! - visible(c).length) + c : c + ' '.repeat(widths[i]! - visible(c).length)))
      .join('  ')
      .trimEnd();
  const out = [kleur.dim(line(head)), ...body.map(line)];
  const t = r.totals;
  out.push('', `${n(t.tables)} table${t.tables === 1 ? '' : 's'}, ${n(t.rows)} rows in ${duration(t.ms)} (${n(t.rowsPerSecond)} rows/s); row counts and checksums equal on both sides`);
  if (r.sequences.length) out.push(`sequences continue at: ${r.sequences.map((s) => `${s.table}.${s.column} → ${s.next}`).join(', ')}`);
  if (r.deferred.length) out.push(`foreign keys in a cycle, checked at the end of the copy: ${r.deferred.join(', ')}`);
  for (const s of r.skipped) out.push(kleur.dim(`skipped ${s.name}: ${s.reason}`));
  return out.join('\n');
}

/**
 * The copy with its bar, for a command: Ctrl+C (SIGINT) or SIGTERM aborts it (the copy rolls back and
 * this throws Cancelled, exit 130). `out` is where the bar goes (stderr when --json owns stdout).
 */
export async function copyWithProgress(opts: Omit<CopyOptions, 'signal' | 'onProgress'> & { signal?: AbortSignal; out?: NodeJS.WriteStream }): Promise<CopyReport> {
  const { copySqliteToPostgres } = await import('../core/sqlite/copy.ts');
  const ac = new AbortController();
  const cancel = () => ac.abort(new Cancelled());
  process.on('SIGINT', cancel);
  process.on('SIGTERM', cancel);
  const signal = opts.signal ? AbortSignal.any([opts.signal, ac.signal]) : ac.signal;
  const bar = progressBar(opts.out);
  try {
    const report = await copySqliteToPostgres({ ...opts, signal, onProgress: (p) => bar.update(p) });
    bar.stop('done', `Copied ${n(report.totals.rows)} rows in ${n(report.totals.tables)} tables, proven by row counts and checksums`);
    return report;
  } catch (e) {
    if (e instanceof Cancelled) bar.stop('cancelled', 'Copy cancelled: rolled back, PostgreSQL is as it was before');
    else bar.stop('failed', 'Copy stopped: nothing was copied');
    throw e;
  } finally {
    process.off('SIGINT', cancel);
    process.off('SIGTERM', cancel);
  }
}
