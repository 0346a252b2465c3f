// `npm run record`: records a real run of the wizard for the README (docs/wizard.svg). The built CLI runs in a
// pseudo-terminal (test/helpers/pty.ts) in a fresh Next.js project, against a real PostgreSQL and Redis (the
// test harness) and the Stripe stand-in (PROD_READY_STRIPE_URL), and a person's keystrokes are typed with a
// person's pauses. The screen is read from the terminal emulator every 40 ms and drawn as an animated SVG.
// Usage: node --import tsx scripts/record.ts [--out FILE] [--still N --out FILE.svg]  (one frame, to look at)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from '../test/harness/postgres.ts';
import { startRedis } from '../test/harness/redis.ts';
import { startStripe, KEYS } from '../test/standins/stripe.ts';
import { cleanEnv, KEY, runPty, type Session } from '../test/helpers/pty.ts';
import { linkTools, tempProject, NEXT_APP } from '../test/helpers/project.ts';
import { renderSvg, sameFrame, snapshot, type Frame } from './svg-term.ts';

const COLS = 92;
const ROWS = 30;
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const out = arg('--out') ?? 'docs/wizard.svg';
const still = arg('--still');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PG_PASSWORD = 'recorded-Pg-pass-0001';
const REDIS_PASSWORD = 'recorded-redis-0002';
const [pg, redis, stripe] = await Promise.all([startPostgres({ password: PG_PASSWORD }), startRedis({ password: REDIS_PASSWORD }), startStripe()]);
const dir = tempProject({ 'package.json': NEXT_APP });
linkTools(dir); // what `npm install` would put there: the recording makes no network call
const s = runPty([], { cwd: dir, cols: COLS, rows: ROWS, env: cleanEnv({ PROD_READY_STRIPE_URL: stripe.url }) });

// the screen, every 40 ms, kept when it changed
const frames: Frame[] = [];
const t0 = performance.now();
const grab = () => {
  const f = snapshot(s.term, performance.now() - t0);
  if (!frames.length || !sameFrame(frames[frames.length - 1]!, f)) frames.push(f);
};
const ticker = setInterval(grab, 40);

/** A person typing: a short pause to read, then one key at a time. */
async function typeLike(text: string) {
  await sleep(500);
  for (const ch of text) {
    s.write(ch);
    await sleep(45 + Math.round(Math.random() * 40));
  }
  await sleep(250);
  s.write(KEY.enter);
}
/** A person pasting a key copied from a dashboard. */
async function paste(text: string) {
  await sleep(700);
  s.write(text);
  await sleep(350);
  s.write(KEY.enter);
}
async function press(...keys: string[]) {
  for (const k of keys) {
    await sleep(350);
    s.write(k);
  }
}

// What the person answers, by the active prompt; any other prompt gets Enter (its default), as someone in a
// hurry would. Matching by prompt, not by position, keeps the script working when questions change.
const RULES: [RegExp, (s: Session, prompt: string) => Promise<void>][] = [
  [/^◆  Which providers/, async () => {
    // add Stripe to the preselected app settings, PostgreSQL and Redis
    for (let i = 0; i < 5; i++) await press(KEY.down);
    await press(KEY.space);
    await press(KEY.enter);
  }],
  [/^◆  Which (DATABASE_URL|REDIS_URL)\?[\s\S]*Enter a value/, async () => {
    await press(KEY.down, KEY.enter);
  }],
  [/^◆  DATABASE_URL/, () => paste(pg.url('postgres'))],
  [/^◆  REDIS_URL/, () => paste(redis.url)],
  [/^◆  APP_URL/, () => typeLike('https://shop.example.com')],
  [/^◆  STRIPE_SECRET_KEY/, () => paste(KEYS.test)],
  [/^◆  STRIPE_PUBLISHABLE_KEY/, () => paste(KEYS.publishableTest)],
];

const active = () => {
  const lines = s.screen().split('\n');
  let i = lines.length - 1;
  while (i >= 0 && !lines[i]!.startsWith('◆  ')) i--;
  return { at: i, text: i < 0 ? '' : lines.slice(i).join('\n') };
};

let exited = false;
void s.exit.then(() => (exited = true));
let handled = -1;
const deadline = Date.now() + 180_000;
try {
  while (!exited) {
    if (Date.now() > deadline) throw new Error(`the recording did not finish\n${s.screen()}`);
    const p = active();
    if (p.at < 0 || p.at === handled) {
      await sleep(50);
      continue;
    }
    await sleep(200); // let the prompt settle, as a person reads it
    const now = active();
    if (now.at !== p.at) continue;
    handled = now.at;
    const rule = RULES.find(([re]) => re.test(now.text));
    if (rule) await rule[1](s, now.text);
    else await press(KEY.enter);
  }
  const { code } = await s.exit;
  grab();
  if (code !== 0) throw new Error(`the wizard exited ${code}\n${s.screen()}`);
} finally {
  clearInterval(ticker);
  await Promise.all([pg.stop(), redis.stop(), stripe.stop()]);
}

// long waits shortened to 1.5 s, so the recording shows the run, not the machine
const real = frames.map((f) => f.at);
for (let i = 1; i < frames.length; i++) frames[i]!.at = frames[i - 1]!.at + Math.min(real[i]! - real[i - 1]!, 1500);
if (arg('--frames')) writeFileSync(arg('--frames')!, JSON.stringify(frames));
// the recording is published: no secret typed or generated may be in it (they are shown masked, or not at all)
const env = readFileSync(join(dir, '.env'), 'utf8');
const secrets = [PG_PASSWORD, REDIS_PASSWORD, KEYS.test, env.match(/^JWT_SECRET=(.+)$/m)?.[1] ?? ''].filter(Boolean);
const seen = JSON.stringify(frames);
for (const secret of secrets) if (seen.includes(secret) || s.transcript().includes(secret)) throw new Error(`a secret (…${secret.slice(-4)}) is visible in the recording`);
const svg = renderSvg(frames, { cols: COLS, rows: ROWS, title: 'npx create-prod-ready', still: still === undefined ? undefined : Number(still), holdMs: 5000 });
writeFileSync(out, svg);
console.log(`${out}: ${frames.length} frames, ${(frames[frames.length - 1]!.at / 1000).toFixed(1)} s, ${(svg.length / 1024).toFixed(0)} KiB`);
process.exit(0);
