// Merge generated YAML into a user's file with the `yaml` Document API: comments, order and edits
// survive; only missing list items (matched by name) and missing map keys are added. When nothing is
// missing, the user's text is returned unchanged, byte for byte.
import { isMap, isSeq, parseDocument, type Document, type YAMLMap, type YAMLSeq } from 'yaml';
import { FileError } from '../errors.ts';

export function parseYamlFile(path: string, text: string): Document {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new FileError(`${path} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, `fix it by hand, then run again`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new FileError(`${path}: expected a mapping at the top level`);
  return doc;
}

function ensureMap(doc: Document, key: string): YAMLMap {
  const node = doc.get(key, true);
  if (isMap(node)) return node;
  if (node == null) {
    const created = doc.createNode({}) as YAMLMap;
    doc.set(key, created);
    return created;
  }
  throw new FileError(`${key} in the existing file is not a mapping; leaving it to you`);
}

function ensureSeq(doc: Document, key: string): YAMLSeq {
  const node = doc.get(key, true);
  if (isSeq(node)) return node;
  if (node == null) {
    const created = doc.createNode([]) as YAMLSeq;
    doc.set(key, created);
    return created;
  }
  throw new FileError(`${key} in the existing file is not a list; leaving it to you`);
}

/** Add missing items of a list of named entries (Render services, databases); returns whether anything changed. */
export function mergeNamedList(
  doc: Document,
  key: string,
  wanted: Record<string, unknown>[],
  mergeItem?: (existing: YAMLMap, wanted: Record<string, unknown>, doc: Document) => boolean,
): boolean {
  if (!wanted.length) return false;
  const seq = ensureSeq(doc, key);
  let changed = false;
  for (const item of wanted) {
    const existing = seq.items.find((n) => isMap(n) && n.get('name') === item.name) as YAMLMap | undefined;
    if (!existing) {
      seq.items.push(doc.createNode(item, { aliasDuplicateObjects: false }));
      changed = true;
    } else if (mergeItem?.(existing, item, doc)) changed = true;
  }
  return changed;
}

/** Add missing keys of a mapping (compose services, volumes); returns whether anything changed. */
export function mergeMapKeys(doc: Document, key: string, wanted: Record<string, unknown>): boolean {
  const entries = Object.entries(wanted);
  if (!entries.length) return false;
  const map = ensureMap(doc, key);
  let changed = false;
  for (const [k, v] of entries)
    if (!map.has(k)) {
      map.set(doc.createNode(k), doc.createNode(v, { aliasDuplicateObjects: false }));
      changed = true;
    }
  return changed;
}
