// A person answers a yes/no question with `n` then Enter; `n` alone answers it, so the Enter arrives after that
// prompt closed. It must not answer the next question (a Yes to "Write 8 files?"): the prompter drops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { activeBlock, activePrompt, answer, cleanEnv, KEY, promptFrame, runPty } from '../helpers/pty.ts';

const PROGRAM = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../helpers/two-confirms.ts', import.meta.url))];

for (const delay of [0, 5, 50]) {
  test(`an Enter typed ${delay} ms after \`n\` neither answers nor changes the next question`, async () => {
    const s = runPty([], { cwd: process.cwd(), env: cleanEnv(), program: PROGRAM });
    const first = await promptFrame(s, 'First question?');
    s.write('n');
    await new Promise((resolve) => setTimeout(resolve, delay));
    s.write(KEY.enter); // the rest of "n⏎", arriving once `n` has closed the question
    await s.waitFor((sc) => activePrompt(sc)?.line !== first);
    const line = await promptFrame(s, 'Write 8 files?');
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(activePrompt(s.screen())?.line, line, `the second question is still open:\n${s.screen()}`);
    assert.match(activeBlock(s.screen()), /● Yes \/ ○ No/, 'and still on its default');
    await answer(s, 'Write 8 files?', undefined, 'n');
    assert.equal((await s.exit).code, 0, s.transcript());
    assert.match(s.transcript(), /answers: false false/);
  });
}

test('Ctrl+C still cancels the next question', async () => {
  const s = runPty([], { cwd: process.cwd(), env: cleanEnv(), program: PROGRAM });
  await answer(s, 'First question?', undefined, 'y');
  await promptFrame(s, 'Write 8 files?');
  s.write(KEY.ctrlC);
  assert.equal((await s.exit).code, 130, s.transcript());
  assert.match(s.transcript(), /cancelled/);
});
