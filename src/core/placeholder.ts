// Values that only hold the place of one (copied from a .env.example): treated as unset everywhere a value
// is read (init, check, rotate), never as an error. Pure, no imports: providers and the boot path may use it.

/**
 * A value that only holds the place of one: empty, `your_…`, `changeme`, `replace-me`, `TODO`, `xxx`,
 * `<…>`, `sk_test_...` (dots), `…`. Treated as unset: asked for, or replaced, never an error.
 */
export function isPlaceholder(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.trim();
  if (v === '') return true;
  if (/^<[^>]*>$/.test(v) || /^\{\{.*\}\}$/.test(v) || /^\[[^\]]*\]$/.test(v)) return true;
  if (/\.\.\.|…/.test(v)) return true;
  if (/^(your|insert|enter|put|paste)[-_ ]/i.test(v)) return true;
  if (/^(change[-_ ]?me|replace[-_ ]?me|replace[-_ ]?this|todo|tbd|fixme|placeholder|secret|password|example|dummy|none|null|undefined|x{1,16}|\*{1,16}|-{1,16})$/i.test(v)) return true;
  if (/_x{3,}$/i.test(v) || /_here$/i.test(v)) return true;
  return false;
}
