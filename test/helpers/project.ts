// Throwaway project folders for tests.
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export function tempProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-project-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
export const exists = (dir: string, name: string) => existsSync(join(dir, name));

/** Every file in the folder with its bytes and mode, to prove that nothing changed. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    const st = statSync(p);
    if (st.isFile()) out[f] = `${(st.mode & 0o777).toString(8)}:${readFileSync(p, 'utf8')}`;
  }
  return out;
}

export const NEXT_APP = JSON.stringify(
  {
    name: '@acme/shop',
    private: true,
    scripts: { dev: 'next dev', build: 'next build', start: 'next start -p 3000', worker: 'node worker.js' },
    dependencies: { next: '15.0.0', react: '19.0.0', pg: '8.13.0' },
  },
  null,
  2,
);
