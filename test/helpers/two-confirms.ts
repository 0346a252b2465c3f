// Two questions with some work between them, as the wizard asks "Move this app…?" then the plan's
// "Write 8 files?" (a select: Yes / Show the full diff first / No), or two yes/no questions (`confirm`).
import { ui } from '../../src/ui/prompter.ts';
import { Cancelled } from '../../src/core/errors.ts';

try {
  const first = await ui.confirm({ message: 'First question?' });
  // the work between them; the terminal stays in raw mode a while (as around a spinner), so an Enter typed
  // now waits as "\r", which a question reads as Return
  process.stdin.setRawMode(true);
  await new Promise((resolve) => setTimeout(resolve, 300));
  process.stdin.setRawMode(false);
  const second =
    process.argv[2] === 'confirm'
      ? await ui.confirm({ message: 'Write 8 files?' })
      : await ui.select({ message: 'Write 8 files?', options: [{ value: 'yes', label: 'Yes' }, { value: 'diff', label: 'Show the full diff first' }, { value: 'no', label: 'No' }] });
  console.log(`answers: ${first} ${second}`);
} catch (err) {
  if (!(err instanceof Cancelled)) throw err;
  console.log('cancelled');
  process.exitCode = 130;
}
