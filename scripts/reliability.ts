// `npm run reliability`: proof under bad input, provider faults, interruption and filesystem trouble, with
// every output, written file and child argv scanned for the secrets used. Prints its figures and exits 1
// when a figure that must be zero is not (and lists why). Part of `npm test` and CI.
// Usage: node --import tsx scripts/reliability.ts [suite…]   (suites: input, faults, interrupt, files)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretNeedles } from '../src/core/mask.ts';
import type { SuiteResult } from '../test/reliability/types.ts';

const SUITES: Record<string, () => Promise<{ default: () => Promise<SuiteResult> }>> = {
  input: () => import('../test/reliability/bad-input.ts'),
  faults: () => import('../test/reliability/faults.ts'),
  interrupt: () => import('../test/reliability/interrupt.ts'),
  files: () => import('../test/reliability/filesystem.ts'),
};

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SUITES);
const work = mkdtempSync(join(tmpdir(), 'cpr-reliability-'));
process.env.PROD_READY_ARGV_LOG = join(work, 'argv.jsonl');
writeFileSync(process.env.PROD_READY_ARGV_LOG, '');

const started = performance.now();
const results: SuiteResult[] = [];
for (const name of chosen) {
  if (!SUITES[name]) throw new Error(`unknown suite ${name}; suites: ${Object.keys(SUITES).join(', ')}`);
  const t0 = performance.now();
  const r = await (await SUITES[name]!()).default();
  r.figures.push({ label: 'time', value: `${((performance.now() - t0) / 1000).toFixed(1)} s` });
  results.push(r);
}

// The secret scan: every transcript, every non-secret file written, every child's argv.
const needles = [...new Set(results.flatMap((r) => r.secrets).filter((s) => s.length >= 6).flatMap((s) => secretNeedles(s)))];
const argv = readFileSync(process.env.PROD_READY_ARGV_LOG, 'utf8').split('\n').filter(Boolean);
let outputs = 0;
let files = 0;
const hits: string[] = [];
for (const r of results) {
  for (const t of r.transcripts) {
    outputs++;
    for (const n of needles) if (t.stdout.includes(n) || t.stderr.includes(n)) hits.push(`${r.name}: the output of "${t.what}" holds a secret (…${n.slice(-4)})`);
  }
  for (const f of r.files) {
    files++;
    for (const n of needles) if (f.text.includes(n)) hits.push(`${r.name}: ${f.path} holds a secret (…${n.slice(-4)})`);
  }
}
for (const line of argv) for (const n of needles) if (line.includes(n)) hits.push(`a child process got a secret in its arguments: ${JSON.parse(line).file}`);

console.log(`\ncreate-prod-ready reliability · ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
let failed = hits.length > 0;
for (const r of results) {
  console.log(`## ${r.name}`);
  for (const f of r.figures) {
    const bad = f.zero && f.value !== 0;
    failed ||= !!bad;
    console.log(`  ${bad ? '✖' : f.zero ? '✔' : ' '} ${f.label}: ${f.value}`);
  }
  if (r.table) console.log(`\n${r.table.replace(/^/gm, '  ')}`);
  for (const l of r.failures.slice(0, 20)) console.log(`  ✖ ${l}`);
  if (r.failures.length > 20) console.log(`  … and ${r.failures.length - 20} more`);
  console.log('');
}
console.log('## secrets');
console.log(`  ${hits.length ? '✖' : '✔'} secret values found: ${hits.length} (${needles.length} values and their encodings, searched in ${outputs} outputs, ${files} written files and the argv of ${argv.length} child processes)`);
for (const h of hits.slice(0, 20)) console.log(`  ✖ ${h}`);
rmSync(work, { recursive: true, force: true });
console.log(failed ? '\nFAILED: a figure that must be zero is not.' : '\nAll figures that must be zero are zero.');
process.exit(failed ? 1 : 0);
