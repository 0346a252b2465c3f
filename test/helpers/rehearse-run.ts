// Running `rehearse --json` on a fixture app from the tests: its own port (PROD_READY_REHEARSE_PORT) and its
// own TMPDIR, so a test can prove the temporary copy is gone afterwards.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SOURCE_CLI, cleanEnv } from './pty.ts';
import { tempProject } from './project.ts';
import { freePort } from '../harness/processes.ts';

export const exec = promisify(execFile);

export interface Report {
  ok: boolean;
  services: {
    name: string;
    ok: boolean;
    failedStep?: string;
    steps: { step: string; ok: boolean; detail: string; output?: string[]; hint?: string }[];
    missing: { key: string }[];
    warnings: string[];
  }[];
  skipped: { name: string }[];
}

export async function rehearse(dir: string, args: string[] = []): Promise<{ code: number; report: Report; stderr: string; tmp: string }> {
  const tmp = tempProject();
  const env = cleanEnv({ TMPDIR: tmp, PROD_READY_REHEARSE_PORT: String(await freePort()), FORCE_COLOR: '0', NO_COLOR: '1' });
  try {
    const r = await exec(process.execPath, [...SOURCE_CLI, 'rehearse', '--json', '--cwd', dir, ...args], { env, timeout: 90_000 });
    return { code: 0, report: JSON.parse(r.stdout), stderr: r.stderr, tmp };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, report: JSON.parse(e.stdout), stderr: e.stderr, tmp };
  }
}

export const failed = (r: Report, name: string) => {
  const s = r.services.find((x) => x.name === name)!;
  return { service: s, step: s.steps.find((x) => !x.ok)! };
};

