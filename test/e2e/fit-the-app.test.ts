// The tool fits the app it runs in (issue 11), over the fixture apps whose framework loads .env.local
// (Next.js, SvelteKit): see fit-the-app.suite.ts. The plain Node servers are in fit-the-app-servers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_APPS } from '../helpers/app-fixtures.ts';
import { fitTheAppSuite, LOCAL_APPS, SERVER_APPS } from './fit-the-app.suite.ts';

test('every fixture app is run by one of the two files', () => assert.deepEqual([...LOCAL_APPS, ...SERVER_APPS].sort(), FIXTURE_APPS));

fitTheAppSuite(LOCAL_APPS);
