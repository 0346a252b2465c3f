// Where a port is listened on, with real sockets: the kernel's tables read in small pieces until the
// wildcard listener shows must give the same answers as reading them whole, for every kind of address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { portAnswers, portListeners, portTaken } from '../../src/core/rehearse/listen.ts';
import { hasProc } from '../../src/core/rehearse/proc.ts';

function listen(host: string, opts: { ipv6Only?: boolean } = {}): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, ...opts }, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

test('each kind of listener is found and named, and its port counts as taken', { skip: !hasProc && 'reads /proc (Linux)' }, async () => {
  for (const [host, named] of [
    ['::', '[::]'],
    ['0.0.0.0', '0.0.0.0'],
    ['127.0.0.1', '127.0.0.1'],
    ['::1', '[::1]'],
  ] as const) {
    const { server, port } = await listen(host);
    try {
      assert.deepEqual(await portListeners(port), [{ address: named, port }], host);
      assert.equal(await portTaken(port), true, `${host}: taken`);
      // the cheap test the port wait polls with answers for all but a listener on ::1 alone
      assert.equal(await portAnswers(port), host !== '::1', `${host}: answers on 127.0.0.1`);
    } finally {
      await close(server);
    }
  }
});

test('two loopback listeners on one port are both named; an IPv6-only wildcard is found', { skip: !hasProc && 'reads /proc (Linux)' }, async () => {
  const v4 = await listen('127.0.0.1');
  const v6 = await new Promise<Server>((resolve, reject) => {
    const s = createServer().once('error', reject);
    s.listen({ port: v4.port, host: '::1' }, () => resolve(s));
  });
  try {
    const found = await portListeners(v4.port);
    assert.deepEqual(found.map((l) => l.address).sort(), ['127.0.0.1', '[::1]']);
  } finally {
    await Promise.all([close(v4.server), close(v6)]);
  }
  const wild = await listen('::', { ipv6Only: true });
  try {
    assert.deepEqual(await portListeners(wild.port), [{ address: '[::]', port: wild.port }]);
  } finally {
    await close(wild.server);
  }
});

test('a free port is not taken', async () => {
  const { server, port } = await listen('::');
  await close(server);
  assert.equal(await portTaken(port), false);
  assert.equal(await portAnswers(port), false);
});
