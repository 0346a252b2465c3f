// The provider list is written once, in providers/catalog.ts (CATALOG: the plain data the first frame and
// detection read without loading a provider); PROVIDER_IDS and ProviderId come from it. Two more places must
// agree with it: LOADERS (the modules; its type fails the build when an id has none) and the published
// schema's enums (prod-ready.json's providers and team settings). This fails on any drift, and on core
// knowing a provider: adding one never edits src/core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG } from '../../providers/catalog.ts';
import { LOADERS, loadProviders } from '../../providers/index.ts';
import { PROVIDER_IDS } from '../../src/core/provider.ts';

const schema = JSON.parse(readFileSync(new URL('../../schemas/prod-ready.schema.json', import.meta.url), 'utf8')) as {
  properties: { providers: { items: { enum: string[] } }; settings: { propertyNames: { enum: string[] } } };
};
const sorted = (xs: readonly string[]) => [...xs].sort();
const providers = await loadProviders(PROVIDER_IDS);

test('PROVIDER_IDS, CATALOG and LOADERS name the same providers; each module is the one its id loads', async () => {
  assert.deepEqual(sorted(CATALOG.map((c) => c.id)), sorted(PROVIDER_IDS));
  assert.deepEqual(sorted(Object.keys(LOADERS)), sorted(PROVIDER_IDS));
  assert.equal(new Set(CATALOG.map((c) => c.id)).size, CATALOG.length, 'an id twice in CATALOG');
  for (const id of PROVIDER_IDS) assert.equal((await LOADERS[id]()).id, id, `LOADERS.${id}`);
});

test("CATALOG's title, hint and keys are the module's (the first frame and detection read the catalog only)", () => {
  for (const p of providers) {
    const c = CATALOG.find((x) => x.id === p.id)!;
    assert.equal(c.title, p.title, `${p.id}: title`);
    assert.equal(c.hint, p.hint, `${p.id}: hint`);
    assert.deepEqual(sorted(c.keys), sorted(p.env.map((e) => e.key)), `${p.id}: CATALOG.keys must list every env key of providers/${p.id}.ts`);
  }
});

test("the published schema's enums: every provider in catalog order, every shared (team) setting", () => {
  assert.deepEqual(schema.properties.providers.items.enum, CATALOG.map((c) => c.id));
  const shared = providers.flatMap((p) => p.env.filter((e) => e.shared).map((e) => e.key));
  assert.deepEqual(sorted(schema.properties.settings.propertyNames.enum), sorted(shared));
});

test('no env key belongs to two providers', () => {
  const owners = new Map<string, string>();
  for (const p of providers)
    for (const e of p.env) {
      assert.ok(!owners.has(e.key), `${e.key} is declared by ${owners.get(e.key)} and ${p.id}`);
      owners.set(e.key, p.id);
    }
});

test('src/core names no provider: it imports no provider module (only the catalog and the registry that loads by id) and compares no id', () => {
  const root = fileURLToPath(new URL('../../src/core/', import.meta.url));
  const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
  for (const f of files(root)) {
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(/from '((?:\.\.\/)+providers\/[^']+)'/g)) {
      assert.match(m[1]!, /\/providers\/(catalog|index)\.ts$/, `${f} imports ${m[1]}`);
    }
    for (const id of PROVIDER_IDS) assert.doesNotMatch(src, new RegExp(`\\.id\\s*[!=]==?\\s*'${id}'|'${id}'\\s*[!=]==?\\s*\\w+\\.id\\b`), `${f} compares a provider id (${id})`);
  }
});
