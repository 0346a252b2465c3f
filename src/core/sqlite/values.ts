// SQLite values converted by the PostgreSQL column type they go into, and the canonical text both sides
// of the copy are hashed in.
//
// A SQLite cell is null, an integer (a number, or a bigint beyond 2^53), a double, text or a blob, whatever the column was
// declared as. `convert` turns it into the literal PostgreSQL's COPY text format reads for the target type,
// written in a canonical form (booleans true/false, integers without leading zeros, timestamps as UTC ISO
// with microseconds, bytea as \x hex). The read-back (`targetExpr`) asks PostgreSQL for each stored value
// in that same form; `normalize` evens out what only differs in spelling (JSON key order and spaces,
// float and numeric notation, uuid case), applied to both sides.

/** How a target column's values are converted and compared. */
export type Kind = 'bool' | 'int' | 'float4' | 'float8' | 'numeric' | 'timestamptz' | 'timestamp' | 'date' | 'json' | 'jsonb' | 'bytes' | 'uuid' | 'bpchar' | 'text';

/** The kind of a PostgreSQL base type name (pg_type.typname). Enums, money, time, interval… are copied as text. */
export function kindOf(typname: string): Kind {
  switch (typname) {
    case 'bool':
      return 'bool';
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
      return 'int';
    case 'float4':
      return 'float4';
    case 'float8':
      return 'float8';
    case 'numeric':
      return 'numeric';
    case 'timestamptz':
      return 'timestamptz';
    case 'timestamp':
      return 'timestamp';
    case 'date':
      return 'date';
    case 'json':
      return 'json'; // kept as written
    case 'jsonb':
      return 'jsonb'; // re-spelled by PostgreSQL: compared after normalize
    case 'bytea':
      return 'bytes';
    case 'uuid':
      return 'uuid';
    case 'bpchar':
      return 'bpchar';
    default:
      return 'text';
  }
}

/** Kinds whose canonical text needs `normalize` (the others compare as PostgreSQL prints them). */
export const NEEDS_NORMALIZE: ReadonlySet<Kind> = new Set<Kind>(['float4', 'float8', 'numeric', 'jsonb', 'uuid', 'bpchar']);

export type SqliteValue = null | bigint | number | string | Uint8Array;

/** A value that cannot go into its target column; the caller names the table, column and row. */
export class ConvertError extends Error {}

/** Integer timestamps: milliseconds (Prisma, Drizzle timestamp_ms) or seconds (Drizzle timestamp, unixepoch()). */
export type EpochUnit = 'ms' | 's';

const INT = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function describe(v: SqliteValue): string {
  if (v instanceof Uint8Array) return `a blob (${v.length} bytes)`;
  if (typeof v === 'string') return `the text value ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
  return `the number ${String(v)}`;
}

function fail(v: SqliteValue, what: string): never {
  throw new ConvertError(`cannot read ${describe(v)} as ${what}`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(v: Exclude<SqliteValue, null>): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) {
    try {
      return utf8.decode(v);
    } catch {
      return fail(v, 'text (it is not UTF-8)');
    }
  }
  return String(v);
}

/**
 * The COPY literal (unescaped) of a SQLite value for a column of kind `kind`, or null for SQL NULL.
 * `unit` says how an integer in a timestamp column counts time.
 */
export function convert(kind: Kind, v: SqliteValue, unit: EpochUnit = 'ms', typmod = -1): string | null {
  if (v === null) return null;
  switch (kind) {
    case 'text':
    case 'uuid':
    case 'bpchar': {
      const s = asText(v);
      if (s.includes('\0')) fail(v, 'text (PostgreSQL text cannot hold a NUL character)');
      return s;
    }
    case 'int':
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : Number.isInteger(v) ? BigInt(v).toString() : fail(v, 'an integer');
      if (typeof v === 'string' && INT.test(v.trim())) return BigInt(v.trim()).toString();
      return fail(v, 'an integer');
    case 'bool':
      if (typeof v === 'bigint' || typeof v === 'number') {
        if (v == 0) return 'false';
        if (v == 1) return 'true';
        return fail(v, 'a boolean (0 or 1)');
      }
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (s === '1' || s === 'true' || s === 't') return 'true';
        if (s === '0' || s === 'false' || s === 'f') return 'false';
      }
      return fail(v, 'a boolean (0 or 1)');
    case 'float4':
    case 'float8':
    case 'numeric': {
      let s: string;
      if (typeof v === 'bigint' || typeof v === 'number') s = String(v);
      else if (typeof v === 'string' && (NUMBER.test(v.trim()) || /^[+-]?(nan|infinity)$/i.test(v.trim()))) s = v.trim();
      else return fail(v, 'a number');
      // numeric(p,s) keeps s decimals, rounding half away from zero as PostgreSQL does
      return kind === 'numeric' && typmod >= 4 && NUMBER.test(s) ? roundDecimal(normDecimal(s), (typmod - 4) & 0xffff) : s;
    }
    case 'timestamptz':
    case 'timestamp': {
      // timestamp(p) keeps p fractional digits (Prisma's DateTime is timestamp(3)), rounded as PostgreSQL rounds
      const iso = isoInstant(roundInstant(toInstant(v, unit), typmod));
      return kind === 'timestamptz' ? `${iso}Z` : iso;
    }
    case 'date':
      return isoInstant(toInstant(v, unit)).slice(0, 10);
    case 'json':
    case 'jsonb': {
      const s = asText(v);
      // jsonb is parsed by normalize() anyway (the caller reports a failure there the same way)
      if (kind === 'json')
        try {
          JSON.parse(s);
        } catch {
          fail(v, 'JSON');
        }
      if (s.includes('\\u0000')) fail(v, 'JSON (PostgreSQL jsonb cannot hold \\u0000)');
      return s;
    }
    case 'bytes':
      if (v instanceof Uint8Array) return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
      if (typeof v === 'string') return `\\x${Buffer.from(v, 'utf8').toString('hex')}`;
      return fail(v, 'bytes');
  }
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A point in time: whole milliseconds since 1970-01-01 UTC, plus microseconds 0–999. */
type Instant = [ms: number, us: number];

function fromNumber(x: number, unit: EpochUnit, v: SqliteValue): Instant {
  const ms = unit === 'ms' ? x : x * 1000;
  if (!Number.isFinite(ms)) fail(v, 'a timestamp');
  if (Number.isInteger(ms)) return [ms, 0];
  const whole = Math.floor(ms);
  const us = Math.round((ms - whole) * 1000);
  return us === 1000 ? [whole + 1, 0] : [whole, us];
}

/** The instant of a SQLite timestamp: epoch ms/s numbers, or ISO / `YYYY-MM-DD HH:MM:SS` text (UTC unless it names an offset). */
function toInstant(v: SqliteValue, unit: EpochUnit): Instant {
  if (typeof v === 'number') return fromNumber(v, unit, v);
  if (typeof v === 'bigint') return fromNumber(Number(v), unit, v);
  if (v === null || v instanceof Uint8Array) return fail(v ?? '', 'a timestamp');
  const s = v.trim();
  if (NUMBER.test(s)) return fromNumber(Number(s), unit, v);
  const m = ISO.exec(s);
  if (!m) return fail(v, 'a timestamp');
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) fail(v, 'a timestamp');
  const f = (frac + '000000').slice(0, 6);
  ms += Number(f.slice(0, 3));
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    ms -= (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000;
  }
  return [ms, Number(f.slice(3))];
}

const PG_EPOCH_MS = 946_684_800_000; // 2000-01-01, where PostgreSQL counts from

/** timestamp(p): PostgreSQL rounds to p fractional digits half away from zero, counting from 2000-01-01. */
function roundInstant(t: Instant, precision: number): Instant {
  if (precision < 0 || precision >= 6 || (t[1] === 0 && precision >= 3)) return t;
  const scale = 10n ** BigInt(6 - precision);
  const pg = BigInt(t[0] - PG_EPOCH_MS) * 1000n + BigInt(t[1]);
  const r = pg >= 0n ? ((pg + scale / 2n) / scale) * scale : -((-pg + scale / 2n) / scale) * scale;
  let us = r % 1000n;
  let ms = r / 1000n;
  if (us < 0n) {
    us += 1000n;
    ms -= 1n;
  }
  return [Number(ms) + PG_EPOCH_MS, Number(us)];
}

/** `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC wall clock). */
function isoInstant([ms, us]: Instant): string {
  // civil date from days since 1970 (H. Hinnant's days_from_civil, inverted): no Date object per value
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (!(y >= 1 && y <= 9999)) throw new ConvertError(`the timestamp ${ms} ms is out of range (years 1 to 9999)`);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const sec = Math.floor(rest / 1000);
  const frac = (rest - sec * 1000) * 1000 + us;
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}T${h < 10 ? '0' : ''}${h}:${mi < 10 ? '0' : ''}${mi}:${sec < 10 ? '0' : ''}${sec}.${String(frac).padStart(6, '0')}`;
}

/** A plain decimal (as normDecimal writes it) rounded to `scale` decimals, half away from zero. */
function roundDecimal(s: string, scale: number): string {
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.');
  if (frac.length <= scale) return s;
  let digits = BigInt(int! + frac.slice(0, scale));
  if (Number(frac[scale]) >= 5) digits += 1n;
  const t = digits.toString().padStart(scale + 1, '0');
  const out = normDecimal(scale ? `${t.slice(0, t.length - scale)}.${t.slice(t.length - scale)}` : t);
  return neg && out !== '0' ? `-${out}` : out;
}

/**
 * The SQL expression that reads a stored value back in the canonical form `convert` writes (text, or NULL).
 * `col` is a quoted identifier.
 */
export function targetExpr(kind: Kind, col: string): string {
  switch (kind) {
    case 'timestamptz':
      return `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    case 'timestamp':
      return `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
    case 'date':
      return `to_char(${col}, 'YYYY-MM-DD')`;
    case 'bytes':
      return `'\\x' || encode(${col}, 'hex')`;
    default:
      return `${col}::text`;
  }
}

/** The same value in one spelling, for kinds in NEEDS_NORMALIZE (identity for the others). */
export function normalize(kind: Kind, s: string): string {
  switch (kind) {
    case 'float8':
      return String(Number(s));
    case 'float4':
      return String(Math.fround(Number(s)));
    case 'numeric':
      return normDecimal(s);
    case 'jsonb': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(s);
      } catch {
        throw new ConvertError(`cannot read ${describe(s)} as JSON`);
      }
      return stableJson(parsed);
    }
    case 'uuid':
      return s.toLowerCase();
    case 'bpchar':
      return s.replace(/ +$/, '');
    default:
      return s;
  }
}

/** A decimal number in plain notation without redundant zeros: `1.50E+2` → `150`, `-0.0` → `0`. */
function normDecimal(s: string): string {
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s.trim());
  if (!m || (!m[2] && !m[3])) return s.trim().toLowerCase().replace(/^\+/, '');
  const [, sign, int = '', frac = '', e = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  if (!digits) return '0';
  let exp = Number(e) - frac.length;
  const trailing = /0*$/.exec(digits)![0].length;
  if (exp < 0) {
    const drop = Math.min(trailing, -exp);
    digits = digits.slice(0, digits.length - drop);
    exp += drop;
  }
  let out: string;
  if (exp >= 0) out = digits + '0'.repeat(exp);
  else {
    const point = digits.length + exp;
    out = point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${'0'.repeat(-point)}${digits}`;
  }
  return sign === '-' ? `-${out}` : out;
}

/** JSON with object keys sorted, at every depth (numbers as JavaScript prints them). */
function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  let out: string;
  if (Array.isArray(v)) {
    out = '[';
    for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + stableJson(v[i]);
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  out = '{';
  for (let i = 0; i < keys.length; i++) out += `${i ? ',' : ''}${JSON.stringify(keys[i])}:${stableJson(o[keys[i]!])}`;
  return `${out}}`;
}

const COPY_SPECIAL = /[\\\n\r\t\b\f\v]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

/** One field of COPY's text format: `\N` for NULL, backslash escapes for the characters it reserves. */
export function copyField(s: string | null): string {
  if (s === null) return '\\N';
  return COPY_SPECIAL.test(s) ? s.replace(/[\\\n\r\t\b\f\v]/g, (c) => COPY_ESCAPES[c]!) : s;
}
