// The servers a test file runs against (a real PostgreSQL, a real Redis, the provider stand-ins), started
// together before its tests and stopped after them: one line instead of a `let` per server and a
// before/after pair in every file.
import { after, before } from 'node:test';

interface Stoppable {
  stop(): unknown;
}

type Started<T extends Record<string, () => Promise<Stoppable>>> = { readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };

/**
 * `const { pg, all } = withServers({ pg: () => startPostgres({ password: 'x' }), all: () => startStandins() })`
 * registers the file's before/after hooks and returns each server by name. A name stands for its server from
 * the moment `before` has run (a test uses `pg.url(…)` as before); used earlier, it throws saying so.
 * `setup` runs in the same hook once they all run (a file's top-level before hooks may run concurrently, so a
 * second hook could not count on the servers).
 */
export function withServers<T extends Record<string, () => Promise<Stoppable>>>(start: T, setup?: () => Promise<void>): Started<T> {
  const running: Partial<Record<keyof T, Stoppable>> = {};
  before(async () => {
    await Promise.all(Object.entries(start).map(async ([name, up]) => void (running[name as keyof T] = await up())));
    await setup?.();
  });
  after(async () => {
    await Promise.all(Object.values(running).map((s) => (s as Stoppable).stop()));
  });
  const server = (name: keyof T): Stoppable => {
    const s = running[name];
    if (!s) throw new Error(`${String(name)} is used before the file's before() hook started it`);
    return s;
  };
  // Each name is a stand-in for its server, which does not exist yet when the file is loaded: property reads
  // (methods bound to the server) go to it once started.
  const names = Object.fromEntries(
    Object.keys(start).map((name) => [
      name,
      new Proxy({} as Stoppable, {
        get: (_, key) => {
          const s = server(name) as unknown as Record<PropertyKey, unknown>;
          const v = Reflect.get(s, key);
          return typeof v === 'function' ? v.bind(s) : v;
        },
        has: (_, key) => Reflect.has(server(name), key),
        ownKeys: () => Reflect.ownKeys(server(name)),
        getOwnPropertyDescriptor: (_, key) => {
          const d = Reflect.getOwnPropertyDescriptor(server(name), key);
          return d && { ...d, configurable: true };
        },
      }),
    ]),
  );
  return names as unknown as Started<T>;
}
