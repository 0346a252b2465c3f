// The CLI run from its TypeScript sources (node --import tsx), for tests that change provider code while
// another test runs the built bundle: no build step between an edit and its test. The built CLI is tested
// by the e2e files that use BIN.
import { main } from '../../src/cli.ts';

process.exitCode = await main(process.argv.slice(2));
