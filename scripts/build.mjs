// Bundle the CLI into dist/ as ESM with zero runtime dependencies. Code splitting keeps the entry
// small: prompts, provider modules and heavy clients (postgres, yaml, handlebars, diff) are chunks
// loaded only by the step that needs them.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const common = { bundle: true, platform: 'node', target: 'node20', minify: true, legalComments: 'none', define: { __VERSION__: JSON.stringify(pkg.version) }, logLevel: 'warning', metafile: true };
// The boot file: CommonJS, tiny, no dependencies beyond node's own (help, version, first frame).
const boot = await build({ ...common, entryPoints: { boot: 'src/boot.ts' }, outdir: 'dist', format: 'cjs', outExtension: { '.js': '.cjs' } });
const result = await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  ...common,
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import{createRequire as __cpr_cr}from'node:module';const require=__cpr_cr(import.meta.url);" },
});
const outputs = [...Object.entries(result.metafile.outputs), ...Object.entries(boot.metafile.outputs)];
const total = outputs.reduce((n, [, o]) => n + o.bytes, 0);
const entry = outputs.find(([f]) => f.endsWith('cli.mjs'));
const bootBytes = Object.values(boot.metafile.outputs)[0].bytes;
if (!process.argv.includes('--quiet')) console.log(`built dist/: ${outputs.length} files, ${(total / 1024).toFixed(0)} KiB (boot.cjs ${(bootBytes / 1024).toFixed(1)} KiB, cli.mjs ${(entry[1].bytes / 1024).toFixed(1)} KiB)`);
