// A stand-in for the `docker` command, put first on PATH by tests (see docker-standin.ts). It records its
// argv (one JSON line per call in $DOCKER_STANDIN_DIR/argv.log) and answers as Docker would:
//   docker version …                     the server version, or (DOCKER_STANDIN_DAEMON=down) the
//                                        "Cannot connect to the Docker daemon" error, exit 1
//   docker compose up -d --wait S…       reads ./docker-compose.yml (fails as compose does when it is
//                                        missing or lacks a service), then asks the test process (HTTP
//                                        at $DOCKER_STANDIN_CONTROL) to start the real servers on the
//                                        ports the file publishes, and exits once they accept connections
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const argv = process.argv.slice(2);
const dir = process.env.DOCKER_STANDIN_DIR;
if (dir) appendFileSync(join(dir, 'argv.log'), `${JSON.stringify({ argv, cwd: process.cwd() })}\n`);

const fail = (msg, code = 1) => {
  process.stderr.write(`${msg}\n`);
  process.exit(code);
};
const daemonDown = () => fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?');

if (argv[0] === 'version') {
  if (process.env.DOCKER_STANDIN_DAEMON === 'down') daemonDown();
  process.stdout.write('27.3.1\n');
  process.exit(0);
}

if (argv[0] === 'compose' && argv[1] === 'up') {
  if (process.env.DOCKER_STANDIN_DAEMON === 'down') daemonDown();
  const services = argv.slice(2).filter((a) => !a.startsWith('-'));
  const file = join(process.cwd(), 'docker-compose.yml');
  if (!existsSync(file)) fail('no configuration file provided: not found');
  const doc = parse(readFileSync(file, 'utf8'));
  const wanted = [];
  for (const name of services) {
    const s = doc?.services?.[name];
    if (!s) fail(`no such service: ${name}`);
    const published = (s.ports ?? []).map((p) => String(p).split(':')).find((parts) => parts.length >= 2);
    if (!published) fail(`service ${name} publishes no port`);
    wanted.push({ name, port: Number(published[published.length - 2]), environment: s.environment ?? {}, image: s.image });
  }
  const res = await fetch(process.env.DOCKER_STANDIN_CONTROL, { method: 'POST', body: JSON.stringify({ services: wanted }) });
  const text = await res.text();
  if (!res.ok) fail(text || `stand-in control answered ${res.status}`);
  for (const w of wanted) process.stderr.write(` Container ${w.name}-1  Healthy\n`);
  process.exit(0);
}

fail(`docker stand-in: unsupported command: ${argv.join(' ')}`);
