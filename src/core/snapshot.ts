// Reads the files the wizard manages, as they are now. Reading only; `apply` writes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileError } from './errors.ts';
import { MANAGED_FILES, type ManagedFile } from './plan.ts';

export function readManagedFiles(cwd: string): Partial<Record<ManagedFile, string>> {
  const out: Partial<Record<ManagedFile, string>> = {};
  for (const f of MANAGED_FILES) {
    try {
      out[f] = readFileSync(join(cwd, f), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code === 'EISDIR') throw new FileError(`${f} is a directory`);
      throw new FileError(`cannot read ${f}: ${code === 'EACCES' ? 'permission denied' : code}`);
    }
  }
  return out;
}
