import { test } from 'node:test';
import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { dotenvProblems, dotenvValues, encodeValue, formatLine, mergeDotenv, parseDotenv } from '../../src/core/files/dotenv.ts';
import { FileError } from '../../src/core/errors.ts';

const TRICKY: Record<string, string> = {
  HASH: 'p#ss',
  HASH_FIRST: '#start',
  DOLLAR: 'pa$word',
  SUBST: '$(whoami)',
  BRACES: '${HOME}',
  SPACE: 'has space',
  LEAD: '  lead',
  TRAIL: 'trail  ',
  BACKSLASH: 'C:\\new\\table',
  DQUOTE: 'a"b',
  JSON: '{"a":1}',
  APOS: "it's",
  BACKTICK: 'x`y',
  EQ: '=eq',
  UNICODE: 'ünïcødé ✓',
  EMPTY: '',
  NEWLINES: '-----BEGIN KEY-----\nabc\ndef\n-----END KEY-----',
  TAB: 'a\tb',
  URL: 'postgres://u:p%23w@db.example.com:5432/app?sslmode=require',
  CRLF_VALUE: 'line1\r\nline2',
};

test('every tricky value reads back exactly through the dotenv package', () => {
  const text = Object.entries(TRICKY).map(([k, v]) => formatLine(k, v)).join('\n') + '\n';
  const parsed = dotenv.parse(text);
  for (const [k, v] of Object.entries(TRICKY)) assert.equal(parsed[k], v, `${k} round trip (${JSON.stringify(text.split('\n').find((l) => l.startsWith(`${k}=`)))})`);
  // and our own reader agrees with dotenv on the same text
  assert.deepEqual(dotenvValues(parseDotenv(text)), parsed);
});

test('values with $ or # are single-quoted, so dotenvx and Compose do not expand or cut them', () => {
  assert.equal(encodeValue('K', 'pa$word'), "'pa$word'");
  assert.equal(encodeValue('K', '$(whoami)'), "'$(whoami)'");
  assert.equal(encodeValue('K', 'p#ss'), "'p#ss'");
  assert.equal(encodeValue('K', 'plain-value_1.2:3@x'), 'plain-value_1.2:3@x');
});

test('a value no encoding can carry is refused with a clear error, not written wrongly', () => {
  for (const v of ["it's $x", 'ends\\', "a'b\nc\"d"]) assert.throws(() => encodeValue('K', v), FileError);
  assert.throws(() => formatLine('bad-key', 'x'), /not a valid environment variable name/);
});

test('our parser matches dotenv on hand-written files (comments, export, colons, CRLF, BOM)', () => {
  const text = '\uFEFF# comment\r\nexport A=1\r\nB = spaced # note\r\nC: colon\r\nD="multi\nline"\r\nE=\'x # y\'\r\nF=abc#def\r\nnot a line\r\nA=2\r\n';
  const ours = dotenvValues(parseDotenv(text));
  assert.deepEqual(ours, dotenv.parse(text.replace(/^\uFEFF/, '')));
  const problems = dotenvProblems(parseDotenv(text));
  assert.deepEqual(problems.duplicates, ['A']);
  assert.deepEqual(problems.invalidLines, [9]);
});

test('merge keeps comments, order, unknown keys and existing values; appends only what is missing', () => {
  const before = '# my notes\nZED=keep me\nDATABASE_URL=postgres://old\n\n# trailing comment\n';
  const after = mergeDotenv(before, [
    { title: 'PostgreSQL', vars: [{ key: 'DATABASE_URL', value: 'postgres://new' }] },
    { title: 'Redis', vars: [{ key: 'REDIS_URL', value: 'redis://localhost:6379' }] },
  ]);
  assert.ok(after.startsWith(before), 'existing text untouched');
  assert.match(after, /# Redis\nREDIS_URL=redis:\/\/localhost:6379\n$/);
  assert.equal(dotenv.parse(after).DATABASE_URL, 'postgres://old');
  // same input again: byte-identical
  assert.equal(mergeDotenv(after, [{ title: 'Redis', vars: [{ key: 'REDIS_URL', value: 'redis://localhost:6379' }] }]), after);
});

test('overwrite replaces the effective (last) definition in place and keeps inline comments, export and line endings', () => {
  const before = '\uFEFFA=1\r\nexport SECRET=old # rotated monthly\r\nB=2\r\nSECRET=older\r\n';
  const after = mergeDotenv(before, [{ title: 'x', vars: [{ key: 'SECRET', value: 'new$value' }] }], new Set(['SECRET']));
  assert.equal(after, "\uFEFFA=1\r\nexport SECRET=old # rotated monthly\r\nB=2\r\nSECRET='new$value'\r\n");
  const again = mergeDotenv('export SECRET=old # rotated\n', [{ title: 'x', vars: [{ key: 'SECRET', value: 'n' }] }], new Set(['SECRET']));
  assert.equal(again, 'export SECRET=n # rotated\n');
  assert.equal(dotenv.parse(again).SECRET, 'n');
});

test('a quoted multi-line value is replaced whole', () => {
  const before = 'KEY="a\nb\nc"\nNEXT=1\n';
  const after = mergeDotenv(before, [{ title: 'x', vars: [{ key: 'KEY', value: 'z' }] }], new Set(['KEY']));
  assert.equal(after, 'KEY=z\nNEXT=1\n');
});

test('an empty KEY= (a .env copied from .env.example) counts as missing and is filled in place', () => {
  const before = '# copied from .env.example\nJWT_SECRET=\nKEEP=me\n';
  const after = mergeDotenv(before, [{ title: 'App', vars: [{ key: 'JWT_SECRET', value: 'generated' }, { key: 'KEEP', value: 'other' }] }]);
  assert.equal(after, '# copied from .env.example\nJWT_SECRET=generated\nKEEP=me\n');
});
