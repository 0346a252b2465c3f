// The tool fits the app it runs in (issue 11), over the fixture apps that are plain Node servers reading
// .env (Express, Vite + Express, Hono): see fit-the-app.suite.ts.
import { fitTheAppSuite, SERVER_APPS } from './fit-the-app.suite.ts';

fitTheAppSuite(SERVER_APPS);
