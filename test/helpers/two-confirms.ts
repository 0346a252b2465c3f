// Two yes/no questions with some work between them, as the wizard asks "Move this app…?" then "Write 8 files?".
import { ui } from '../../src/ui/prompter.ts';
import { Cancelled } from '../../src/core/errors.ts';

try {
  const first = await ui.confirm({ message: 'First question?' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const second = await ui.confirm({ message: 'Write 8 files?' });
  console.log(`answers: ${first} ${second}`);
} catch (err) {
  if (!(err instanceof Cancelled)) throw err;
  console.log('cancelled');
  process.exitCode = 130;
}
