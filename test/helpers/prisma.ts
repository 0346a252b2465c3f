// Prisma projects for tests: a folder with package.json, a schema, and node_modules linked from this
// repository (prisma 6.19.3, its client and the Postgres driver adapter: no network). Prisma's CLI
// cannot download its schema engine here, so each project gets a prisma.config.ts that runs it as
// WebAssembly through the driver adapter (../shared/prisma-notes.md: the adapter path, with the two
// adapter bugs worked around in src/core/prisma/adapter.ts). On a user's machine none of this is needed.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from './pty.ts';
import { run } from './cli.ts';
import { tempProject } from './project.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ADAPTER = join(ROOT, 'src', 'core', 'prisma', 'adapter.ts');

export const DATASOURCE = (provider = 'postgresql', env = 'DATABASE_URL') =>
  `datasource db {\n  provider = "${provider}"\n  url      = env("${env}")\n}\n\ngenerator client {\n  provider   = "prisma-client-js"\n  engineType = "client"\n}\n`;

/** A Prisma project: `files` relative to its root (folders made), package.json and prisma.config.ts added unless given. */
export function prismaProject(files: Record<string, string>, opts: { schema?: string; pkg?: object } = {}): string {
  const dir = tempProject();
  const pkg = opts.pkg ?? {
    name: 'prisma-app',
    private: true,
    scripts: { dev: 'node index.js', 'db:migrate': 'prisma migrate dev' },
    dependencies: { '@prisma/client': '6.19.3', express: '5.1.0' },
    devDependencies: { prisma: '6.19.3' },
  };
  const all: Record<string, string> = {
    'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
    'prisma.config.ts': prismaConfig(opts.schema ?? 'prisma/schema.prisma'),
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  linkPrisma(dir);
  return dir;
}

/** prisma.config.ts for Prisma 6.19.3 over the driver adapter (engine "js"). */
export function prismaConfig(schema: string): string {
  return `import { defineConfig } from 'prisma/config';
import { prismaPg } from ${JSON.stringify(ADAPTER)};

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: '${schema}',
  adapter: async () => prismaPg(process.env.DATABASE_URL!),
});
`;
}

/** node_modules/{prisma,@prisma/*,pg} (and `also`) and the prisma bin, linked from this repository. */
export function linkPrisma(dir: string, also: string[] = []): void {
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  for (const t of ['prisma', '@prisma', 'pg', ...also]) symlinkSync(join(ROOT, 'node_modules', t), join(dir, 'node_modules', t));
  symlinkSync(join('..', 'prisma', 'build', 'index.js'), join(dir, 'node_modules', '.bin', 'prisma'));
}

/** Prisma's own CLI in the project, with DATABASE_URL set; never throws. */
export const prismaCli = (dir: string, args: string[], url: string) =>
  run(process.execPath, [join(dir, 'node_modules', 'prisma', 'build', 'index.js'), ...args], {
    cwd: dir,
    env: cleanEnv({ DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1', NO_COLOR: '1' }),
    timeoutMs: 120_000,
  });
