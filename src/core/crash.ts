// A test seam for the crash tests (never set in normal use): PROD_READY_CRASH_AFTER=<point> makes the
// process SIGKILL itself right after that point, as a power cut or `kill -9` would, so the tests can prove
// what is left on disk and that the next run finishes the job. Points: a rotation's steps (started, created,
// written, pushed, revoked) and the write step's (staged: every temp file written; renamed-N: N files renamed).
export function crashPoint(point: string): void {
  if (process.env.PROD_READY_CRASH_AFTER === point) process.kill(process.pid, 'SIGKILL');
}
