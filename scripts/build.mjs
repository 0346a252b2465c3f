// Bundle the CLI into dist/ as ESM with zero runtime dependencies. Code splitting keeps the entry
// small: prompts, provider modules and heavy clients (postgres, yaml, handlebars, diff) are chunks
// loaded only by the step that needs them.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const common = { bundle: true, platform: 'node', target: 'node22', minify: true, legalComments: 'none', define: { __VERSION__: JSON.stringify(pkg.version) }, logLevel: 'warning', metafile: true };
// The boot file: CommonJS, tiny, no dependencies beyond node's own (help, version, first frame).
const boot = await build({ ...common, entryPoints: { boot: 'src/boot.ts' }, outdir: 'dist', format: 'cjs', outExtension: { '.js': '.cjs' } });
// Node's own modules are read with require, not import: an ES import of a builtin builds its namespace by
// reading every export, which runs the lazy getters behind them (node:http's loads undici for WebSocket and
// fetch, node:fs's loads its streams and fs/promises): ~25 ms on a rehearsal's start for nothing it uses.
// Each builtin becomes a small ES module with one export per name, each read from require()'s object only
// when the bundle uses it (the unused ones are pure, so esbuild drops them). Dynamic imports stay imports.
const { createRequire } = await import('node:module');
const requireHere = createRequire(import.meta.url);
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => (a.kind === 'import-statement' && a.namespace === 'file' ? { path: a.path, namespace: 'builtin' } : { path: a.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => {
      const names = Object.keys(requireHere(a.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const lines = names.map((n) => `export const ${n} = /* @__PURE__ */ (() => m.${n})();`);
      return { contents: `const m = require(${JSON.stringify(a.path)});\nexport default m;\n${lines.join('\n')}\n`, loader: 'js' };
    });
  },
};
const result = await build({
  plugins: [builtinsByRequire],
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  ...common,
  splitting: true,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import{createRequire as __cpr_cr}from'node:module';const require=__cpr_cr(import.meta.url);" },
  // pg's optional native binding is never used (the Prisma driver adapter runs pure JS)
  external: ['pg-native'],
});
// Prisma's WebAssembly builds (formatter/validator, schema engine), copied as their packages ship them:
// read only by a Prisma project's run (src/core/prisma/wasm.ts), never bundled into a chunk.
const wasmDir = new URL('../dist/prisma-wasm/', import.meta.url);
mkdirSync(wasmDir, { recursive: true });
// The glue files are renamed for how Node reads them: the formatter's is CommonJS, the engine's an ES module.
for (const [from, to] of [
  ['prisma-schema-wasm/src/prisma_schema_build.js', 'prisma_schema_build.cjs'],
  ['prisma-schema-wasm/src/prisma_schema_build_bg.wasm', 'prisma_schema_build_bg.wasm'],
  ['schema-engine-wasm/schema_engine_bg.js', 'schema_engine_bg.mjs'],
  ['schema-engine-wasm/schema_engine_bg.wasm', 'schema_engine_bg.wasm'],
])
  if (existsSync(new URL(`../node_modules/@prisma/${from}`, import.meta.url))) cpSync(new URL(`../node_modules/@prisma/${from}`, import.meta.url), new URL(to, wasmDir));
const wasmVersion = JSON.parse(readFileSync(new URL('../node_modules/@prisma/schema-engine-wasm/package.json', import.meta.url), 'utf8')).version;
writeFileSync(
  new URL('NOTICE', wasmDir),
  `Copied unchanged (glue files renamed .cjs/.mjs) from the npm packages @prisma/prisma-schema-wasm and\n@prisma/schema-engine-wasm ${wasmVersion} (Prisma 6.19.3), Apache-2.0, https://github.com/prisma/prisma-engines\n`,
);
const outputs = [...Object.entries(result.metafile.outputs), ...Object.entries(boot.metafile.outputs)];
const total = outputs.reduce((n, [, o]) => n + o.bytes, 0);
const entry = outputs.find(([f]) => f.endsWith('cli.mjs'));
const bootBytes = Object.values(boot.metafile.outputs)[0].bytes;
if (!process.argv.includes('--quiet')) console.log(`built dist/: ${outputs.length} files, ${(total / 1024).toFixed(0)} KiB (boot.cjs ${(bootBytes / 1024).toFixed(1)} KiB, cli.mjs ${(entry[1].bytes / 1024).toFixed(1)} KiB)`);
