// The provider list is written in five places that must agree: PROVIDER_IDS (core), CATALOG (the plain
// data the first frame and detection read without loading a provider), LOADERS (the modules), and the
// published schema's enums (prod-ready.json's providers and team settings). This fails on any drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
