// Throwaway project folders for tests.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/** The app settings' values as a local run settles them (plan inputs add their providers' values). */
export const APP_VALUES = {
  NODE_ENV: 'development',
  PORT: '3000',
  APP_URL: 'http://localhost:3000',
  CORS_ORIGINS: 'http://localhost:3000',
  JWT_SECRET: 'k'.repeat(43),
};

/**
 * Links migration tools from this repository's node_modules into a project's (no network, no install):
 * what `npm install` would have put there after the wizard added them to package.json.
 */
export function linkTools(dir: string, tools = ['node-pg-migrate', 'pg']): void {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  const bins: Record<string, string> = { 'node-pg-migrate': 'node-pg-migrate/bin/node-pg-migrate.js', 'drizzle-kit': 'drizzle-kit/bin.cjs' };
  for (const t of tools) {
    symlinkSync(join(root, 'node_modules', t), join(dir, 'node_modules', t));
    if (bins[t]) symlinkSync(join('..', bins[t]), join(dir, 'node_modules', '.bin', t));
  }
}
