// Prisma's own WebAssembly builds: the schema formatter/validator (@prisma/prisma-schema-wasm) and the
// schema engine (@prisma/schema-engine-wasm), in the versions paired with Prisma 6.19.3 (engines
// 7.1.1-3.c2990dca…). They ship as copies of the packages' files in dist/prisma-wasm/ (7 MB, read
// only when a Prisma project needs them: the boot path never sees them); running from source
// (tests), the same files are read from node_modules.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The Prisma engines version the WASM files were built from (see @prisma/engines-version in prisma 6.19.3). */
export const ENGINES_VERSION = '7.1.1-3.c2990dca591cba766e3b7ef5d9e8a84796e47ab7';

/** The files, next to the bundle (dist/prisma-wasm) or in node_modules when running from source. */
function files(): { schema: string; engineJs: string; engineWasm: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const shipped = join(dir, 'prisma-wasm');
    if (existsSync(join(shipped, 'schema_engine_bg.wasm')))
      return { schema: join(shipped, 'prisma_schema_build.cjs'), engineJs: join(shipped, 'schema_engine_bg.mjs'), engineWasm: join(shipped, 'schema_engine_bg.wasm') };
    const modules = join(dir, 'node_modules', '@prisma');
    if (existsSync(join(modules, 'schema-engine-wasm', 'schema_engine_bg.wasm')))
      return {
        schema: join(modules, 'prisma-schema-wasm', 'src', 'prisma_schema_build.js'),
        engineJs: join(modules, 'schema-engine-wasm', 'schema_engine_bg.js'),
        engineWasm: join(modules, 'schema-engine-wasm', 'schema_engine_bg.wasm'),
      };
    dir = dirname(dir);
  }
  throw new Error("Prisma's WebAssembly files were not found next to the package (dist/prisma-wasm)");
}

export interface SchemaWasm {
  format(schema: string, params: string): string;
  get_config(params: string): string;
  get_dmmf(params: string): string;
  validate(params: string): void;
  /** Diagnostics with byte spans: `[{ file_name, start, end, text, is_warning }]` as JSON. */
  lint(files: string): string;
}

let schemaWasm: SchemaWasm | undefined;
/** The formatter/validator (a CommonJS module that reads its .wasm next to itself). */
export function loadSchemaWasm(): SchemaWasm {
  schemaWasm ??= createRequire(import.meta.url)(files().schema) as SchemaWasm;
  return schemaWasm;
}

export interface EngineModule {
  SchemaEngine: { new: (options: { datamodels?: [string, string][] }, log: (line: string) => void, adapter: object) => Promise<SchemaEngine> };
}
/** The calls of @prisma/schema-engine-wasm's SchemaEngine used here (types in its schema_engine.d.ts). */
export interface SchemaEngine {
  diff(p: object): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

/** The WebAssembly global (typed here: the project's TypeScript lib has no DOM types). */
const WA = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (m: object, imports: object) => { exports: Record<string, unknown> } } }).WebAssembly;

let engineModule: Promise<EngineModule> | undefined;
/**
 * The schema engine, instantiated by hand from its .wasm (Node 20 cannot import a .wasm module, and the
 * bundler must not inline 4 MB into a chunk), as Prisma's own CLI does.
 */
export function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const f = files();
    const glue = (await import(pathToFileURL(f.engineJs).href)) as EngineModule & { __wbg_set_wasm(e: unknown): void };
    const instance = new WA.Instance(new WA.Module(readFileSync(f.engineWasm)), { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return engineModule;
}
