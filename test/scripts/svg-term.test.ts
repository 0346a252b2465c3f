// The recording's renderer (scripts/svg-term.ts): what it reads from the terminal emulator, and the SVG it draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import xterm from '@xterm/headless';
import { renderSvg, sameFrame, snapshot } from '../../scripts/svg-term.ts';

async function screenOf(text: string) {
  const term = new xterm.Terminal({ cols: 30, rows: 3, allowProposedApi: true });
  await new Promise<void>((r) => term.write(text, r));
  return term;
}

test('a frame keeps the text, its colors and attributes, and the column of every non-ASCII glyph', async () => {
  const term = await screenOf('\x1b[32mok\x1b[0m plain \x1b[1;31mbad\x1b[0m\r\n◆  a<b & c\r\n\x1b[7m \x1b[0m');
  const f = snapshot(term, 0);
  assert.deepEqual(f.lines[0], [
    { x: 0, text: 'ok', style: '#a6e3a1;;' },
    { x: 3, text: 'plain', style: ';;' },
    { x: 9, text: 'bad', style: '#f38ba8;;b' },
  ]);
  assert.deepEqual(f.lines[1], [
    { x: 0, text: '◆', style: ';;' },
    { x: 3, text: 'a<b & c', style: ';;' },
  ]);
  // an inverse space (a cursor) is kept: it has a background
  assert.deepEqual(f.lines[2], [{ x: 0, text: ' ', style: '#1e1e2e;#cdd6f4;' }]);
  assert.ok(sameFrame(f, snapshot(term, 50)));
});

test('the SVG: each distinct line defined once, frames on a strip moved in steps, text escaped; a still has no animation', async () => {
  const a = snapshot(await screenOf('same line\r\nfirst'), 0);
  const b = snapshot(await screenOf('same line\r\nsecond'), 1000);
  const svg = renderSvg([a, b], { cols: 30, rows: 3, title: 'a <demo>', holdMs: 1000 });
  assert.equal(svg.match(/<g id="l\d+">/g)?.length, 3, 'three distinct lines');
  assert.equal(svg.match(/<use /g)?.length, 4, 'two lines in each of two frames');
  assert.match(svg, /animation:k 2\.00s steps\(1,end\) infinite/);
  assert.match(svg, /0\.000%\{transform:translateX\(-0px\)\}50\.000%\{transform:translateX\(-253px\)\}/);
  assert.match(svg, /<title>a &lt;demo&gt;<\/title>/);
  const still = renderSvg([a, b], { cols: 30, rows: 3, title: 'x', still: 1 });
  assert.doesNotMatch(still, /@keyframes/);
  assert.match(still, />second</);
  assert.doesNotMatch(still, />first</);
});
