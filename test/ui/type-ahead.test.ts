// A person answers a yes/no question with `n` then Enter; `n` alone answers it, so the Enter arrives after that
// prompt closed. It must neither answer nor change the next question (Yes to the plan's "Write 8 files?"): the
// prompter drops keys typed before a question is drawn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { activeBlock, activePrompt, answer, choose, cleanEnv, KEY, promptFrame, runPty } from '../helpers/pty.ts';

const PROGRAM = ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('../helpers/two-confirms.ts', import.meta.url))];

for (const next of ['select', 'confirm'] as const)
  for (const delay of [0, 5, 50]) {
    test(`an Enter typed ${delay} ms after \`n\` neither answers nor changes the next question (a ${next})`, async () => {
      const s = runPty([next], { cwd: process.cwd(), env: cleanEnv(), program: PROGRAM });
      const first = await promptFrame(s, 'First question?');
      s.write('n');
      await new Promise((resolve) => setTimeout(resolve, delay));
      s.write(KEY.enter); // the rest of "n⏎", arriving once `n` has closed the question
      await s.waitFor((sc) => activePrompt(sc)?.line !== first);
      const line = await promptFrame(s, 'Write 8 files?');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(activePrompt(s.screen())?.line, line, `the second question is still open:\n${s.screen()}`);
      assert.match(activeBlock(s.screen()), next === 'confirm' ? /● Yes \/ ○ No/ : /● Yes\n/, 'and still on its default');
      if (next === 'confirm') await answer(s, 'Write 8 files?', undefined, 'n');
      else await choose(s, 'Write 8 files?', /[●○] No\b/);
      assert.equal((await s.exit).code, 0, s.transcript());
      assert.match(s.transcript(), /answers: false (false|no)/);
    });
  }

test('Ctrl+C still cancels the next question', async () => {
  const s = runPty(['confirm'], { cwd: process.cwd(), env: cleanEnv(), program: PROGRAM });
  await answer(s, 'First question?', undefined, 'y');
  await promptFrame(s, 'Write 8 files?');
  s.write(KEY.ctrlC);
  assert.equal((await s.exit).code, 130, s.transcript());
  assert.match(s.transcript(), /cancelled/);
});
