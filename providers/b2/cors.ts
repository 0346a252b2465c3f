import { type Values } from '../../src/core/provider.ts';
import { httpUrlProblem, originOf } from '../../src/core/urls.ts';
import { CORS_RULE_NAME } from './format.ts';

// --- CORS -------------------------------------------------------------------------------------------------

export interface S3CorsRule {
  AllowedOrigins?: string[];
  AllowedMethods?: string[];
  AllowedHeaders?: string[];
}

export interface B2CorsRule {
  corsRuleName: string;
  allowedOrigins: string[];
  allowedOperations: string[];
  allowedHeaders?: string[];
  exposeHeaders?: string[];
  maxAgeSeconds: number;
}

function wildcard(pattern: string, value: string, flags = ''): boolean {
  const parts = pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`, flags).test(value);
}

/**
 * Would a browser on `origin` be allowed to upload (a presigned PUT with a Content-Type header, the usual
 * direct-upload pattern)? S3 uses a rule that matches the origin, the method and every requested header.
 */
export function uploadAllowed(rules: readonly S3CorsRule[], origin: string): boolean {
  return rules.some(
    (r) =>
      (r.AllowedOrigins ?? []).some((o) => wildcard(o, origin)) &&
      (r.AllowedMethods ?? []).some((m) => m.toUpperCase() === 'PUT') &&
      (r.AllowedHeaders ?? []).some((h) => wildcard(h.toLowerCase(), 'content-type', 'i')),
  );
}

/** The origins a browser upload comes from: APP_URL's, plus CORS_ORIGINS. */
export function uploadOrigins(values: Values): string[] {
  const out: string[] = [];
  const add = (v: string | undefined) => {
    const s = v?.trim();
    if (s && !httpUrlProblem(s)) out.push(originOf(s));
  };
  add(values.APP_URL);
  for (const o of (values.CORS_ORIGINS ?? '').split(',')) add(o);
  return [...new Set(out)];
}

/** The rule the wizard adds: uploads (PUT, POST) and reads from the given origins. */
export function b2UploadRule(origins: string[]): B2CorsRule {
  return {
    corsRuleName: CORS_RULE_NAME,
    allowedOrigins: [...origins],
    allowedOperations: ['s3_put', 's3_post', 's3_get', 's3_head'],
    allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
    exposeHeaders: ['ETag'],
    maxAgeSeconds: 3600,
  };
}

export function s3UploadRule(origins: string[]) {
  return {
    AllowedOrigins: [...origins],
    AllowedMethods: ['PUT', 'POST', 'GET', 'HEAD'],
    AllowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3600,
  };
}

/** The bucket's rules with ours added (or widened, when a rule of ours is there already); every other rule kept as it is. */
export function mergeCorsRules(existing: readonly B2CorsRule[], rule: B2CorsRule): { rules: B2CorsRule[]; changed: boolean } {
  const i = existing.findIndex((r) => r.corsRuleName === rule.corsRuleName);
  if (i < 0) return { rules: [...existing, rule], changed: true };
  const cur = existing[i]!;
  const union = (a: string[] = [], b: string[] = []) => [...new Set([...a, ...b])];
  const next: B2CorsRule = {
    ...cur,
    allowedOrigins: union(cur.allowedOrigins, rule.allowedOrigins),
    allowedOperations: union(cur.allowedOperations, rule.allowedOperations),
  };
  if (cur.allowedHeaders || rule.allowedHeaders) next.allowedHeaders = union(cur.allowedHeaders, rule.allowedHeaders);
  if (cur.exposeHeaders || rule.exposeHeaders) next.exposeHeaders = union(cur.exposeHeaders, rule.exposeHeaders);
  return { rules: existing.map((r, j) => (j === i ? next : r)), changed: JSON.stringify(next) !== JSON.stringify(cur) };
}

export const pasteHint = (bucket: string, rule: B2CorsRule) =>
  `add this rule to bucket ${bucket}'s CORS rules (B2 web UI → Buckets → ${bucket} → CORS Rules, or \`b2 bucket update --cors-rules\`, which replaces the whole list): ${JSON.stringify(rule)}`;
