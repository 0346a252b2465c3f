// Shared by the provider tests: a live check that must fail does so with a VerifyError whose message is
// one line and that (with its hint) passes the file's own secret scan.
import assert from 'node:assert/strict';
import { VerifyError } from '../../src/core/errors.ts';

export function failingWith(clean: (text: string | undefined) => void) {
  return async function failing(p: Promise<unknown>): Promise<VerifyError> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof VerifyError, `not a VerifyError: ${(e as Error)?.stack ?? String(e)}`);
      clean(e.message);
      clean(e.hint);
      assert.ok(!e.message.includes('\n') && !(e.hint ?? '').includes('\n'), 'one line, and a one-line hint');
      return e;
    }
    assert.fail('expected the check to fail');
  };
}
