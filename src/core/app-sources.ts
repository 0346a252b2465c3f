// What one app's sources say about it: the env names it reads and the health route it serves.
// `scanSources` is pure over file texts; `readAppSources` reads them (bounded: 400 files, 256 KB each).
// This is the per-app env step of a monorepo run: one function, `readAppSources`, so a fuller reading of
// an app's env contract (aliases, env schemas) can take its place without touching the callers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface AppSources {
  /** Env names the app reads, sorted. */
  reads: string[];
  /** A health route the app serves, when one is found in its sources. */
  healthPath?: string;
}

/** Vite's and Astro's built-in import.meta.env members: set by the bundler, never by the user. */
const BUILTIN = new Set(['MODE', 'DEV', 'PROD', 'SSR', 'BASE_URL', 'SITE', 'ASSETS_PREFIX']);
const HEALTH = ['/healthz', '/health', '/api/health', '/api/healthz', '/status', '/ping'];

export function scanSources(files: { path: string; text: string }[]): AppSources {
  const reads = new Set<string>();
  const routes = new Set<string>();
  const add = (k: string | undefined) => k && !BUILTIN.has(k) && reads.add(k);
  for (const { path, text } of files) {
    if (/(^|\/)\.env\.(example|sample|template)$/.test(path)) {
      for (const m of text.matchAll(/^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)) add(m[1]);
      continue;
    }
    if (path.endsWith('.prisma')) {
      for (const m of text.matchAll(/\benv\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\)/g)) add(m[1]);
      continue;
    }
    for (const m of text.matchAll(/\b(?:process\.env|import\.meta\.env|Bun\.env|Deno\.env\.get\()\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\]|["'`]([A-Za-z_][A-Za-z0-9_]*)["'`])/g))
      add(m[1] ?? m[2] ?? m[3]);
    // const { A, B: b } = process.env
    for (const m of text.matchAll(/\{([^{}]*)\}\s*=\s*(?:process\.env|import\.meta\.env)\b/g))
      for (const k of m[1]!.split(',')) add(/^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(k)?.[1]);
    for (const h of HEALTH) if (new RegExp(`["'\`]${h.replace(/\//g, '\\/')}["'\`]`).test(text)) routes.add(h);
  }
  // Next.js route handlers are files, not strings: app/api/health/route.ts serves /api/health.
  for (const { path } of files) {
    const m = /(?:^|\/)(?:src\/)?app\/(.+)\/route\.[cm]?[jt]sx?$/.exec(path);
    if (m && HEALTH.includes(`/${m[1]}`)) routes.add(`/${m[1]}`);
  }
  return { reads: [...reads].sort(), healthPath: HEALTH.find((h) => routes.has(h)) };
}

const SOURCE = /\.(?:[cm]?[jt]sx?|vue|svelte|astro|prisma)$/;
const SKIP = new Set(['node_modules', 'dist', 'build', '.next', '.turbo', '.svelte-kit', '.astro', 'coverage', 'out', '.output']);

export function readAppSources(dir: string): AppSources {
  const files: { path: string; text: string }[] = [];
  const walk = (rel: string, depth: number) => {
    if (files.length >= 400 || depth > 8) return;
    let entries;
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP.has(e.name) && !e.name.startsWith('.')) walk(path, depth + 1);
      } else if (e.isFile() && (SOURCE.test(e.name) || /^\.env\.(example|sample|template)$/.test(e.name)) && !/\.d\.ts$/.test(e.name)) {
        try {
          if (statSync(join(dir, path)).size > 256 * 1024) continue;
          files.push({ path, text: readFileSync(join(dir, path), 'utf8') });
        } catch {
          /* unreadable: skipped */
        }
      }
    }
  };
  walk('', 0);
  return scanSources(files);
}
