import { type Action, type Values } from '../../src/core/provider.ts';
import { call, ctxFor, fail, readClient, serverTrouble, token } from './client.ts';
import { type AppUris, FIELD_LABEL, URIS_PAGE, URI_FIELDS, countUris, expectedUris, missingUris, pasteLine } from './uris.ts';

export function urisAction(values: Values, name: string | undefined, missing: AppUris): Action {
  const clientId = values.AUTH0_CLIENT_ID ?? '';
  return {
    id: 'auth0.client.urls',
    title: `Add the missing callback, logout and web-origin URLs to Auth0 application ${name ?? clientId}`,
    details: [...URI_FIELDS.flatMap((f) => missing[f].map((u) => `+ ${FIELD_LABEL[f]}: ${u}`)), 'existing URLs are kept; only missing ones are added'],
    async run(io, now) {
      const v = { ...values, ...now };
      const c = ctxFor(v, io, {});
      const m = await token(c, `${c.origin}/api/v2/`);
      if (!m.ok) throw fail(c, `could not get a Management API token to update the application (${m.description || m.kind})`, `add the URLs by hand in ${URIS_PAGE}`, 'NO_MANAGEMENT_TOKEN');
      const before = await readClient(c, m.token);
      if (!before.ok) throw fail(c, `could not read the application before updating it: ${before.why}`, `add the URLs by hand in ${URIS_PAGE}`, 'MANAGEMENT_READ');
      const expected = expectedUris(v, io.project.framework, io.project.port);
      const missing = missingUris(before.client, expected);
      const n = countUris(missing);
      const label = before.client.name ?? c.clientId;
      if (n === 0) return { done: `Auth0 application ${label} already has every callback, logout and web-origin URL` };
      const patch: Partial<AppUris> = {};
      for (const f of URI_FIELDS) if (missing[f].length) patch[f] = [...(before.client[f] ?? []), ...missing[f]];
      const what = 'updating the application (Management API)';
      const a = await call(c, what, 'PATCH', `/api/v2/clients/${encodeURIComponent(c.clientId)}`, { json: patch }, m.token);
      if (a.status >= 500) throw serverTrouble(c, a, what);
      if (a.status !== 200) {
        const msg = typeof a.json?.message === 'string' ? a.json.message : '';
        throw fail(c, `Auth0 refused to update application ${label} (HTTP ${a.status}${msg ? `: ${msg}` : ''})`, `add the URLs by hand in ${URIS_PAGE}: ${pasteLine(missing)}`, 'MANAGEMENT_UPDATE');
      }
      const after = await readClient(c, m.token);
      const still = after.ok ? missingUris(after.client, expected) : missing;
      if (!after.ok || countUris(still) > 0)
        throw fail(c, `Auth0 application ${label} was updated but ${after.ok ? `still lacks ${pasteLine(still)}` : `could not be read back (${after.why})`}`, `check ${URIS_PAGE}`, 'MANAGEMENT_CONFIRM');
      return { done: `Added ${n} URL${n === 1 ? '' : 's'} to Auth0 application ${label} (${pasteLine(missing)}); existing ones kept` };
    },
  };
}
