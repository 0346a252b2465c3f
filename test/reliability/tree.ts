// Shared by the interruption and filesystem suites: a byte-exact picture of a project folder (files with
// their bytes and mode, symbolic links with their target, folders), what differs between two pictures,
// the write step's temp files, and a small pool to run children a few at a time.
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export type Entry = { kind: 'file'; mode: number; bytes: Buffer } | { kind: 'link'; target: string } | { kind: 'dir'; mode: number };
export type Tree = Map<string, Entry>;

/** Every entry under `dir` (relative paths, sorted), following no link. */
export function tree(dir: string, rel = '', out: Tree = new Map()): Tree {
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const full = join(dir, path);
    const st = lstatSync(full);
    if (st.isSymbolicLink()) out.set(path, { kind: 'link', target: readlinkSync(full) });
    else if (st.isDirectory()) {
      out.set(path, { kind: 'dir', mode: st.mode & 0o777 });
      tree(dir, path, out);
    } else out.set(path, { kind: 'file', mode: st.mode & 0o777, bytes: readFileSync(full) });
  }
  return out;
}

export function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'link') return a.target === (b as typeof a).target;
  if (a.kind === 'dir') return a.mode === (b as typeof a).mode;
  return a.mode === (b as typeof a).mode && a.bytes.equals((b as typeof a).bytes);
}

/** Paths that were added, removed or changed (bytes, mode, link target) between two pictures. */
export function treeDiff(before: Tree, after: Tree): string[] {
  const out: string[] = [];
  for (const p of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(p);
    const b = after.get(p);
    if (!a) out.push(`${p} (added)`);
    else if (!b) out.push(`${p} (removed)`);
    else if (!sameEntry(a, b)) out.push(`${p} (changed)`);
  }
  return out;
}

/** The write step's temp files: `.<name>.<pid>-<8 hex>.tmp` next to their target (src/core/apply.ts). */
export const TEMP_FILE = /(?:^|\/)\..+\.\d+-[0-9a-f]{8}\.tmp$/;
export const tempFiles = (t: Tree) => [...t.keys()].filter((p) => TEMP_FILE.test(p));

/** Runs the tasks, at most `n` at a time; results in the tasks' order. */
export async function pool<T>(tasks: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
  return results;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
