// Running `rehearse --json` on a fixture app from the tests: its own port (PROD_READY_REHEARSE_PORT) and its
// own TMPDIR, so a test can prove the temporary copy is gone afterwards.
import { runCli } from './cli.ts';
import { cleanEnv } from './pty.ts';
import { tempProject } from './project.ts';
import { freePort } from '../harness/processes.ts';

export interface Report {
  ok: boolean;
  services: {
    name: string;
    ok: boolean;
    failedStep?: string;
    steps: { step: string; ok: boolean; seconds: number; detail: string; output?: string[]; hint?: string }[];
    missing: { key: string }[];
    warnings: string[];
  }[];
  skipped: { name: string }[];
}

export async function rehearse(dir: string, args: string[] = [], timeoutMs = 90_000): Promise<{ code: number | null; report: Report; stderr: string; tmp: string }> {
  const tmp = tempProject();
  const env = cleanEnv({ TMPDIR: tmp, PROD_READY_REHEARSE_PORT: String(await freePort()), FORCE_COLOR: '0', NO_COLOR: '1' });
  const r = await runCli(['rehearse', '--json', '--cwd', dir, ...args], { cwd: dir, env, source: true, timeoutMs });
  return { code: r.code, report: JSON.parse(r.stdout), stderr: r.stderr, tmp };
}

export const failed = (r: Report, name: string) => {
  const s = r.services.find((x) => x.name === name)!;
  return { service: s, step: s.steps.find((x) => !x.ok)! };
};

