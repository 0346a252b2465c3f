import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { VerifyError } from '../../src/core/errors.ts';
import type { InPlaceRotation, Io } from '../../src/core/provider.ts';
import { parsePostgresUrl } from './url.ts';
import { withPostgres } from './verify.ts';

// --- rotation -------------------------------------------------------------------------------------------

/**
 * The SCRAM-SHA-256 verifier of a password (RFC 5802/7677, as PostgreSQL stores it), computed here as psql's
 * \password does, so ALTER ROLE carries the verifier and the password itself never reaches the server (or
 * its statement log).
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Render's managed databases: their users are made and removed through Render, not ALTER ROLE. */
const isRenderManaged = (host: string) => /\.render\.com$/i.test(host);

/** DATABASE_URL with a new password: 32 random bytes, base64url (nothing to escape in a URL or in SQL). */
function withNewPassword(values: Record<string, string | undefined>): Record<string, string> {
  renderManagedGuard(parsePostgresUrl(values.DATABASE_URL ?? '').host);
  const next = new URL(values.DATABASE_URL ?? '');
  next.password = randomBytes(32).toString('base64url');
  return { DATABASE_URL: next.toString() };
}

async function rotatePassword(values: Record<string, string | undefined>, io: Io, prepared: Record<string, string>): Promise<{ values: Record<string, string>; new: Record<string, string> }> {
  const url = values.DATABASE_URL ?? '';
  const t = parsePostgresUrl(url);
  const password = new URL(prepared.DATABASE_URL!).password;
  await withPostgres(url, io, async (sql) => {
    // The role is the one the URL logs in as; a role may always change its own password.
    await sql.unsafe(`alter role current_user password '${scramVerifier(password)}'`);
  });
  return { values: prepared, new: { role: t.user } };
}

function renderManagedGuard(host: string): void {
  if (isRenderManaged(host))
    throw new VerifyError(
      `${host} is a Render-managed database: its password is not changed with ALTER ROLE`,
      'Render manages its users: Dashboard → your database → Info → Credentials → create a new user (it becomes the default that render.yaml\'s fromDatabase gives your services at their next deploy), put its External Database URL in .env as DATABASE_URL, then delete the old user there',
      'RENDER_MANAGED',
    );
}

export const passwordRotation: InPlaceRotation = {
  id: 'postgres.password',
  title: 'PostgreSQL password',
  keys: ['DATABASE_URL'],
  // ALTER ROLE replaces the password at once; the new URL is in .env (pending) before it runs.
  kind: 'in-place',
  prepare: withNewPassword,
  rotate: (values, io, prepared) => rotatePassword(values, io, prepared!),
  revokeHint: 'the old password stopped working when the new one was set (connections already open stay open until they close); services that read DATABASE_URL from render.yaml\'s fromDatabase are not affected',
};
