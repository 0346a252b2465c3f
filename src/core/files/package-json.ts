// package.json edited in place (jsonc-parser's minimal edits): only the inserted members are new text; key
// order, indentation, line endings and everything else stay as the user wrote them.
// The ESM build: the package's main entry is a UMD file whose dynamic requires a bundler cannot follow.
import { applyEdits, modify, parse, type FormattingOptions } from 'jsonc-parser/lib/esm/main.js';

export interface PackageAddition {
  section: 'dependencies' | 'devDependencies' | 'scripts';
  name: string;
  value: string;
}

interface Pkg {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/** Adds what is missing: a package already in dependencies or devDependencies, or a script already there, is left alone. */
export function addToPackageJson(text: string, additions: PackageAddition[]): string {
  const pkg = (parse(text) ?? {}) as Pkg;
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const format: FormattingOptions = { insertSpaces: !indent.includes('\t'), tabSize: indent.includes('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  let out = text;
  for (const a of additions) {
    const present = a.section === 'scripts' ? pkg.scripts?.[a.name] !== undefined : !!(pkg.dependencies?.[a.name] || pkg.devDependencies?.[a.name]);
    if (!present) out = applyEdits(out, modify(out, [a.section, a.name], a.value, { formattingOptions: format }));
  }
  return out;
}
