// The one small interface every provider implements. A provider is a declaration (its env vars, with
// zod schemas) plus functions: `verify` is the only one that touches the network (through `io`),
// `contribute` is pure. Providers never import clack, fs or the global fetch.
import type { ZodType } from 'zod';
import type { ApiClient, ApiClientOptions } from './http.ts';
import type { KeyMode } from './mask.ts';
import type { ProjectInfo } from './project.ts';

// The provider ids come from the one list in providers/catalog.ts: adding a provider changes nothing here.
export { PROVIDER_IDS, type ProviderId } from '../../providers/catalog.ts';
import type { ProviderId } from '../../providers/catalog.ts';

export type Values = Readonly<Record<string, string>>;

export interface EnvVar {
  key: string;
  /**
   * Other names apps commonly read this value under (STRIPE_API_KEY for STRIPE_SECRET_KEY, NEXTAUTH_SECRET
   * for JWT_SECRET, the framework's public forms of a browser-safe key). The value is written under the
   * names the app reads (src/core/env-names.ts), or under `key` when it reads none; every name is accepted
   * as input. See docs/app-fit.md for the table.
   */
  aliases?: readonly string[];
  /** The database URL: the name the app's Prisma datasource or drizzle config reads is one of its names too. */
  datasource?: true;
  /** What the value is; the comment above it in .env.example. */
  description: string;
  /** Where to find it (dashboard page); the prompt's hint and a line in .env.example. */
  where?: string;
  /** Secrets are masked in previews, asked with a masked prompt and never written to committed files. */
  secret: boolean;
  /** Format check, run on prompt input, on environment and .env values, and by `check`. */
  schema: ZodType<string>;
  optional?: boolean;
  /** false: never asked for; comes from the environment, .env or an Action (e.g. a webhook secret created at the provider). */
  prompt?: false;
  /** The value offered by default: the local-development value that matches docker-compose.yml. */
  localDefault?: (known: Values, project: ProjectInfo) => string | undefined;
  /**
   * Computed from other values on every run and never asked for (a framework's public alias of a key,
   * APP_BASE_URL from APP_URL); undefined leaves the key out. .env follows when the source changes.
   */
  derive?: (known: Values, project: ProjectInfo) => string | undefined;
  /** Generated when missing and never asked for (e.g. JWT_SECRET). */
  generate?: (randomBytes: (n: number) => Uint8Array) => string;
  /**
   * The same for the whole team (a domain, a bucket, linked services): recorded in prod-ready.json, and a
   * teammate joining the project gets it from there instead of being asked. Never set on a secret.
   */
  shared?: true;
  /** What an empty value means (an optional key with a built-in default): shown in the prompt and the settings summary. */
  emptyMeans?: string;
  /** Placeholder for .env.example; a clearly fake value or empty. Never a real secret. */
  example?: string;
  /**
   * The check in the app's generated env module (src/core/files/env-module.ts): zod v4 source text with only
   * `z` in scope, e.g. `z.url({ protocol: /^https?$/ })` or `z.coerce.number().int().min(1).max(65535)`.
   * Default `z.string().min(1)`; `.optional()` is added for an optional key. It must accept every value
   * `schema` accepts (a value the wizard passes never fails the app at start): as loose as needed, never
   * stricter, and without a message that echoes the value. `false`: the app never reads the key (a setting
   * of this tool only, e.g. RENDER_API_KEY), so the module leaves it out.
   */
  app?: string | false;
  /**
   * The value says whether it is a test or a live credential (sk_test_… / sk_live_…): `check` fails when the
   * keys of one provider, or of several, mix the two, or when live keys sit beside NODE_ENV=development.
   */
  mode?: (value: string) => KeyMode | undefined;
}

export interface Verified {
  /** One line: who/what the credential is (account, user@database, server version…). */
  identity: string;
  /** e.g. "test" or "live" for Stripe, "tls" / "plaintext" for databases. */
  mode?: string;
  details?: string[];
  warnings: string[];
  /** Changes at the provider that the check found missing (a webhook endpoint, a CORS rule), proposed for the plan. */
  actions?: Action[];
}

/**
 * A change made at a provider's API, never during `verify`: it is shown in the plan and runs only after
 * the user confirms (or with --yes), before any file is written. Values it returns (e.g. a webhook
 * secret that exists only at creation) go into .env without being printed.
 */
export interface Action {
  /** Stable id, e.g. "stripe.webhook.create". */
  id: string;
  /** One line for the plan: what will change where (never a secret). */
  title: string;
  /** Lines shown under the title in the plan (e.g. a masked diff of a provider's current values); never a secret. */
  details?: string[];
  /** How long it may take (default 30 s); a deploy followed to the end needs minutes. */
  timeoutMs?: number;
  /** When set, the wizard asks this question for this action alone; without prompts (--yes, CI) it is not taken. */
  ask?: string;
  /** `values`: every value of the run as it stands when this action runs (after earlier actions). */
  run(io: Io, values: Values): Promise<{ values?: Record<string, string>; done: string; resources?: Record<string, string> }>;
}

export interface Io {
  signal: AbortSignal;
  /** The provider's API base URL, or its PROD_READY_<ID>_URL override. */
  baseUrl(defaultUrl: string): string;
  project: ProjectInfo;
  /** Replaces the spinner's text while a long step runs (e.g. a deploy's status). */
  progress?(line: string): void;
  /** The HTTP API client (src/core/http.ts `apiClient`); tests may pass their own. Providers reach it through `apiFor(io, …)`. */
  api?(o: ApiClientOptions): ApiClient;
}

export type RenderEnvVar =
  | { key: string; value: string }
  | { key: string; generateValue: true }
  | { key: string; sync: false }
  | { key: string; fromDatabase: { name: string; property: string } }
  | { key: string; fromService: { type: string; name: string; property?: string; envVarKey?: string } };

export interface Contribution {
  render?: {
    /** Blueprint-wide choices (from the render provider): region and plan of every service and database. */
    settings?: { region?: string; plan?: string };
    /** Env vars for every app service (web, and worker when there is one). */
    envVars?: RenderEnvVar[];
    /** Extra entries for `services` (e.g. a Key Value instance), keyed by their `name`. */
    services?: Record<string, unknown>[];
    databases?: Record<string, unknown>[];
  };
  compose?: {
    services?: Record<string, Record<string, unknown>>;
    volumes?: string[];
  };
  /**
   * Tables this provider's data needs, by name of a template in templates/migrations/ (`users`,
   * `stripe-billing`…). Shared names (several providers need `users`) are generated once, in catalog order.
   * Used only when PostgreSQL is selected.
   */
  migrations?: MigrationName[];
  nextSteps?: string[];
}

/** The SQL migrations this tool can generate (templates/migrations/<name>.sql), in the order they apply. */
export const MIGRATION_NAMES = ['users', 'stripe-billing', 'stored-objects'] as const;
export type MigrationName = (typeof MIGRATION_NAMES)[number];

export interface ContributeContext {
  project: ProjectInfo;
  /** Every resolved value of every selected provider (for cross-provider wiring, e.g. APP_URL). */
  all: Values;
}

/**
 * The provider that owns the app's database: what migrations need (a connection to run SQL on, the URL
 * described for messages). Core finds it by this capability, never by id.
 */
export interface Database {
  /** The env key of the connection URL (DATABASE_URL). */
  urlKey: string;
  /**
   * Runs `fn` on a connection to `url`, closed afterwards; failures are one-line VerifyErrors.
   * `deadlineConnectOnly`: the deadline covers connecting only, not `fn` (a long copy); the signal still aborts.
   */
  connect<T>(url: string, io: Pick<Io, 'signal'>, fn: (sql: Sql) => Promise<T>, opts?: { connectTimeoutMs?: number; deadlineConnectOnly?: boolean }): Promise<T>;
  /** user, host, port and database of a URL (never the password), for messages. */
  describe(url: string): { user: string; host: string; port: number; database: string };
}

/** A connection's query interface, as postgres.js gives it (only what core uses). */
export type Sql = { unsafe(query: string, params?: unknown[]): Promise<unknown> & { simple(): Promise<unknown> }; begin<T>(fn: (tx: Sql) => Promise<T>): Promise<T> };

/** The provider that pushes env values to the services that run the app (Render): `rotate` sends new values through it. */
export interface Push {
  /** Which of these keys it would push (never its own API key, never what the host wires itself, never local values). */
  keys(values: Values): string[];
  /** Whether any service is linked to push to (with the credentials to do it). */
  linked(values: Values): boolean;
  /** Sets `keys` on every linked service, each read back. One line per service. */
  toLinked(values: Values, keys: readonly string[], io: Io): Promise<string[]>;
}

export interface Provider {
  id: ProviderId;
  title: string;
  /** Shown next to the provider in the picker. */
  hint: string;
  docsUrl: string;
  env: EnvVar[];
  /** Default API base URL, overridable with PROD_READY_<ID>_URL. */
  apiUrl?: string;
  /** Read-only live check. Throws VerifyError with a one-line message on failure. */
  verify(values: Values, io: Io): Promise<Verified>;
  /** Pure: what this provider adds to render.yaml, docker-compose.yml and the next steps. */
  contribute(values: Values, ctx: ContributeContext): Contribution;
  /** The credentials `create-prod-ready rotate` can rotate. */
  rotations?: Rotation[];
  /** Set on the provider that owns the app's database (migrations run against it). */
  database?: Database;
  /** Set on the provider that pushes env values to a host. */
  push?: Push;
  /** What to do when this provider's `mode` keys mix test and live (one line of `check`). */
  modeFix?: string;
}

/**
 * How one credential is rotated (`create-prod-ready rotate`), run by src/core/rotation.ts. The order is
 * always: make the new one → verify it (the provider's own live check, on the new values) → write .env
 * atomically → push to the linked services → revoke the old one. Every step is recorded in prod-ready.json
 * (ids only), so an interrupted rotation is finished by running it again, and a failure at any step leaves a
 * working credential in .env. Three kinds, each with only the members it uses:
 *   auto      the provider's API makes a new credential beside the old one; the old one is revoked last
 *   guided    the person makes the new one in the dashboard and pastes it; the old one is revoked by hand
 *   in-place  the provider changes the same credential (Auth0's rotate-secret, ALTER ROLE): the old one
 *             stops working at once, so .env is written before the check of the new values
 */
export type Rotation = AutoRotation | GuidedRotation | InPlaceRotation;

interface RotationBase {
  /** Stable id, e.g. "b2.key": a target of `rotate`, and the key of its state in prod-ready.json. */
  id: string;
  /** What is rotated, for people: "B2 application key". */
  title: string;
  /** The .env keys it replaces. */
  keys: string[];
  /** The last line: how to revoke the old credential by hand (guided), or what happens to it. */
  revokeHint?: string;
  /** Other .env changes that go with the new values (JWT_SECRET_PREVIOUS keeps the old JWT_SECRET). */
  alongside?(old: Values, fresh: Record<string, string>): Record<string, string>;
}

/** What the provider answered when it made the new credential. */
export interface Created {
  /** The new values (secrets). */
  values: Record<string, string>;
  /** Ids of the old and new credentials (non-secret; recorded in prod-ready.json). */
  old?: Record<string, string>;
  new?: Record<string, string>;
  resources?: Record<string, string>;
}

/** Credentials needed only to rotate (e.g. a B2 key that may create keys). */
export interface RotationAsk {
  key: string;
  description: string;
  where?: string;
  /** false: an id (shown in messages); default: a secret (redacted everywhere) */
  secret?: false;
}

interface ApiRotation extends RotationBase {
  /**
   * Credentials needed only to rotate: asked for with a masked prompt, or read from the environment without
   * prompts, passed to the provider's calls with the values, and never written anywhere.
   */
  asks?: RotationAsk[];
  /** Whether `asks` are needed with these values (e.g. the app's own key may already manage keys); default yes. */
  asksNeeded?(values: Values, io: Io): Promise<boolean>;
}

export interface AutoRotation extends ApiRotation {
  kind: 'auto';
  /**
   * Makes the new credential. `tag` names it at the provider where it can be named (a B2 key name, Stripe
   * metadata), so `cleanup` can find it if the run stops before .env has it.
   */
  create(values: Values, io: Io, tag: string): Promise<Created>;
  /** Deletes what an interrupted run created (found by `tag`) and never wrote to .env. Returns one line per thing removed. */
  cleanup?(values: Values, io: Io, tag: string): Promise<string[]>;
  /**
   * Revokes the old credential (ids from `create`); must succeed when it is already gone. One line: what was
   * done. Also removes a new credential that failed its check. Without it the old one is left (`revokeHint`).
   */
  revoke?(values: Values, io: Io, old: Record<string, string>): Promise<string>;
  /**
   * Revoking waits for a person to confirm that the app runs on the new credential (a webhook endpoint: the
   * deployed app must have the new secret first). Without prompts it is left for `rotate --finish`.
   */
  confirmRevoke?: string;
}

export interface GuidedRotation extends RotationBase {
  kind: 'guided';
  /** The steps in the dashboard, with its exact page. */
  guide: string[];
  /** How to revoke the old credential by hand. */
  revokeHint: string;
}

export interface InPlaceRotation extends ApiRotation {
  kind: 'in-place';
  /**
   * Changes the credential at the provider; the old value stops working. Gets `prepared` when `prepare` is
   * set. Returns the new values.
   */
  rotate(values: Values, io: Io, prepared?: Record<string, string>): Promise<Created>;
  /**
   * The new value made here (a generated password): it goes to .env first, as PROD_READY_PENDING_<KEY> beside
   * the old one, and only then is the change made at the provider. Whatever stops the run, one of the two
   * works, and the next run finds which. Without it there is a window (the provider answered, .env not yet
   * written) the provider's own recovery hint must cover.
   */
  prepare?(values: Values): Record<string, string>;
}

export const defineProvider = (p: Provider): Provider => p;
