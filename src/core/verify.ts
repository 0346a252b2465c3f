// Runs a provider's live check with a deadline and an outside signal (Ctrl+C), and turns anything
// unexpected into a one-line VerifyError with secrets redacted.
import { Cancelled, UserError, VerifyError } from './errors.ts';
import { redact } from './mask.ts';
import type { ProjectInfo } from './project.ts';
import type { Io, Provider, Values, Verified } from './provider.ts';
import { apiBaseUrl } from './urls.ts';
import { checkTimeoutMs } from './http.ts';

export const VERIFY_TIMEOUT_MS = checkTimeoutMs();

export function secretValues(providers: Provider[], values: Values): string[] {
  return providers.flatMap((p) => p.env.filter((e) => e.secret && values[e.key]).map((e) => values[e.key]!));
}

export function ioFor(p: Provider, project: ProjectInfo, signal: AbortSignal): Io {
  return { signal, project, baseUrl: (d) => apiBaseUrl(p.id, d) };
}

export async function runVerify(p: Provider, values: Values, project: ProjectInfo, outer?: AbortSignal): Promise<Verified> {
  const timeout = AbortSignal.timeout(VERIFY_TIMEOUT_MS);
  const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
  const secrets = secretValues([p], values);
  try {
    const check = p.verify(values, ioFor(p, project, signal));
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(outer?.aborted ? (outer.reason ?? new Cancelled()) : new VerifyError(`no answer within ${VERIFY_TIMEOUT_MS / 1000} s`, 'check the host and your network, then try again', 'TIMEOUT'));
      if (signal.aborted) fail();
      else signal.addEventListener('abort', fail, { once: true });
    });
    return await Promise.race([check, aborted]);
  } catch (err) {
    if (err instanceof Cancelled) throw err;
    if (outer?.aborted) throw outer.reason instanceof Cancelled ? outer.reason : new Cancelled();
    if (err instanceof UserError) {
      const e = new VerifyError(redact(err.message, secrets), err.hint && redact(err.hint, secrets), (err as VerifyError).code);
      throw e;
    }
    const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    throw new VerifyError(redact(`unexpected error: ${msg}`, secrets));
  }
}
