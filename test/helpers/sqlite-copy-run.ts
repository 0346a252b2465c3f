// A tiny command around copyWithProgress, as the CLI wires it: `node --import tsx sqlite-copy-run.ts FILE
// [--json] [--batch-rows N]`, DATABASE_URL from the environment (never argv). Prints the bar (TTY only)
// and the report table, or the report as JSON; exits 0, 130 (Ctrl+C: rolled back) or the error's code.
import { copyWithProgress, renderCopyReport } from '../../src/ui/copy-progress.ts';
import { UserError } from '../../src/core/errors.ts';
import { withPostgres } from '../../providers/postgres/index.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const batch = args.indexOf('--batch-rows');
try {
  const report = await copyWithProgress({
    sqliteFile: args[0]!,
    databaseUrl: process.env.DATABASE_URL!,
    connect: withPostgres,
    batchRows: batch >= 0 ? Number(args[batch + 1]) : undefined,
    out: json ? process.stderr : process.stdout,
  });
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${renderCopyReport(report)}\n`);
} catch (e) {
  if (!(e instanceof UserError)) throw e;
  process.stderr.write(`${e.message}\n${e.hint ? `  ${e.hint}\n` : ''}`);
  process.exitCode = e.exitCode;
}
