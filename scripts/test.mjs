// Runs every test/**/*.test.ts with Node's test runner (TypeScript through tsx).
// Usage: node scripts/test.mjs [filter…]  (a filter keeps files whose path contains it)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return find(p);
    return p.endsWith('.test.ts') ? [p] : [];
  });
}
// The CLI refuses Node < 22 (bin/create-prod-ready.cjs), and the tests run it with this Node: say so once,
// rather than as hundreds of failures.
if (parseInt(process.versions.node, 10) < 22) {
  console.error(`The tests need Node.js 22 or newer, like the CLI (this is ${process.versions.node}): put Node 22, 24 or 26 first on PATH, then run npm test again.`);
  process.exit(1);
}
const filters = process.argv.slice(2);
const files = find('test').filter((f) => !filters.length || filters.some((x) => f.includes(x))).sort();
if (!files.length) {
  console.error('no test files matched');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
