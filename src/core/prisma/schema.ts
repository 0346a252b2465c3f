// A Prisma schema, read and extended with Prisma's own parser and formatter (prisma-schema-wasm): the
// datasource (provider, the env var it reads), the models already there, and the models the SQL
// templates' tables need, added only when missing and related to the app's own user model. The new
// models are written as model blocks and then formatted by Prisma, which also adds the back-relation
// fields on the existing models; the result is validated, so a schema Prisma cannot read is never written.
import type { MigrationName } from '../provider.ts';
import type { SchemaWasm } from './wasm.ts';

export interface SchemaFile {
  /** Project-relative path. */
  path: string;
  content: string;
}

export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'object' | 'enum' | 'unsupported';
  type: string;
  isId: boolean;
  nativeType?: [string, string[]] | null;
}
export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey?: { fields: string[] } | null;
}

export interface SchemaInfo {
  provider: string;
  /** Prisma 7: the datasource has no url (it is in prisma.config.ts); see withDatasourceUrl. */
  urlInConfig?: boolean;
  /** The env var the datasource's url reads (`env("…")`), when it reads one. */
  envVar?: string;
  /** The schema file that holds the datasource block. */
  datasourceFile: string;
  /** The datasource's url as Prisma reads it: an env var's name, or a literal value. */
  url?: { fromEnvVar: string | null; value: string | null };
  models: DmmfModel[];
}

/** Prisma's errors arrive as JSON with ANSI colours; the user gets the first line of each, plainly. */
export function schemaErrorMessage(err: unknown): string {
  const raw = (err as Error)?.message ?? String(err);
  let text = raw;
  try {
    text = (JSON.parse(raw) as { message?: string }).message ?? raw;
  } catch {
    /* not JSON */
  }
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  const first = /error: ([^\n]+)\n\s*-->\s*([^\n]+)/.exec(plain);
  return first ? `${first[1]!.trim()} (${first[2]!.trim()})` : plain.split('\n').find((l) => l.trim())?.trim() ?? 'invalid schema';
}

const asPairs = (files: SchemaFile[]) => files.map((f) => [f.path, f.content]);

const NO_URL = /Argument "url" is missing in data source block/;
/**
 * Prisma 7 keeps the datasource url in prisma.config.ts, not the schema; the formatter, validator and
 * engine here are Prisma 6.19's, which require it. They are given a copy with `url = env("DATABASE_URL")`
 * in the datasource block; that copy is never written.
 */
export function withDatasourceUrl(files: SchemaFile[]): SchemaFile[] {
  return files.map((f) => ({ ...f, content: f.content.replace(/^(\s*datasource\s+\w+\s*\{[^}]*?\bprovider\s*=\s*"[^"]*")/m, '$1\n  url = env("DATABASE_URL")') }));
}

/** The datasource and models, read by Prisma's own parser. Throws a one-line message when Prisma cannot read the schema. */
export function readSchema(wasm: SchemaWasm, files: SchemaFile[]): SchemaInfo {
  try {
    return readSchemaAsIs(wasm, files);
  } catch (e) {
    if (!NO_URL.test((e as Error).message)) throw e;
    return { ...readSchemaAsIs(wasm, withDatasourceUrl(files)), envVar: undefined, urlInConfig: true };
  }
}

function readSchemaAsIs(wasm: SchemaWasm, files: SchemaFile[]): SchemaInfo {
  let config: { config: { datasources: { provider: string; url?: { fromEnvVar: string | null; value?: string | null }; sourceFilePath: string }[] }; errors?: { message: string }[] };
  try {
    config = JSON.parse(wasm.get_config(JSON.stringify({ prismaSchema: asPairs(files), datasourceOverrides: {}, ignoreEnvVarErrors: true, env: {} })));
  } catch (e) {
    throw new Error(schemaErrorMessage(e));
  }
  if (config.errors?.length) throw new Error(schemaErrorMessage({ message: config.errors[0]!.message }));
  const ds = config.config.datasources[0];
  if (!ds) throw new Error('the schema has no datasource block');
  let dmmf: { datamodel: { models: DmmfModel[] } };
  try {
    dmmf = JSON.parse(wasm.get_dmmf(JSON.stringify({ prismaSchema: asPairs(files) })));
  } catch (e) {
    throw new Error(schemaErrorMessage(e));
  }
  return { provider: ds.provider, envVar: ds.url?.fromEnvVar ?? undefined, datasourceFile: ds.sourceFilePath, url: ds.url ? { fromEnvVar: ds.url.fromEnvVar, value: ds.url.value ?? null } : undefined, models: dmmf.datamodel.models };
}

const table = (m: DmmfModel) => (m.dbName ?? m.name).toLowerCase();
/** `User (app_users)`: the model and the table it maps to, as written. */
const shown = (m: DmmfModel) => `${m.name} (${m.dbName ?? m.name})`;
const named = (m: DmmfModel, names: string[], tables: string[]) => names.includes(m.name.toLowerCase()) || tables.includes(table(m));

/** The app's user model: named User/Users, or mapped to a users table. */
export const findUserModel = (models: DmmfModel[]) => models.find((m) => named(m, ['user', 'users', 'appuser'], ['users', 'user', 'app_users']));

/** A model the generated ones can point at: its single id field, whose type the foreign key copies. */
function reference(model: DmmfModel | undefined): { model: string; id: string; type: string; native: string } | undefined {
  const ids = model?.fields.filter((f) => f.isId) ?? [];
  if (!model || ids.length !== 1 || ids[0]!.kind !== 'scalar') return undefined;
  const id = ids[0]!;
  const native = id.nativeType ? ` @db.${id.nativeType[0]}${id.nativeType[1].length ? `(${id.nativeType[1].join(', ')})` : ''}` : '';
  return { model: model.name, id: id.name, type: id.type, native };
}

/** Which generated tables the schema already has (by model name or mapped table), and where Stripe customers live. */
export function existingTables(models: DmmfModel[]) {
  const user = findUserModel(models);
  const stripeIdOnUser = user?.fields.some((f) => f.kind === 'scalar' && /^stripe_?customer_?id$/i.test(f.dbName ?? f.name));
  return {
    user,
    customers: models.find((m) => named(m, ['stripecustomer', 'customer'], ['stripe_customers', 'customers'])),
    /** The user model carries the Stripe customer id: it is the customer record. */
    stripeIdOnUser: !!stripeIdOnUser,
    subscriptions: models.find((m) => named(m, ['stripesubscription', 'subscription'], ['stripe_subscriptions', 'subscriptions'])),
    webhookEvents: models.find((m) => named(m, ['stripewebhookevent', 'webhookevent', 'stripeevent'], ['stripe_webhook_events', 'webhook_events'])),
    storedObjects: models.find((m) => named(m, ['storedobject'], ['stored_objects'])),
  };
}

const TS = '@db.Timestamptz(6)';
const STAMPS = `  createdAt DateTime @default(now()) @map("created_at") ${TS}\n  updatedAt DateTime @default(now()) @updatedAt @map("updated_at") ${TS}\n`;

/**
 * The model blocks the wanted migrations lack, mapped to the tables and columns of templates/migrations
 * (table and constraint names included). Returns the blocks and the table names they create.
 */
export function missingModels(models: DmmfModel[], wanted: MigrationName[]): { blocks: string[]; tables: string[]; kept: string[] } {
  const have = existingTables(models);
  const blocks: string[] = [];
  const tables: string[] = [];
  const kept: string[] = [];
  const taken = new Set(models.map((m) => m.name));
  let user = reference(have.user);
  if (have.user) kept.push(shown(have.user));
  if (!have.user && wanted.length) {
    if (taken.has('User')) throw new Error('the schema has a model named User that could not be read as the user model');
    blocks.push(
      `/// Users of the app, keyed by the auth provider's subject id (Clerk user id, Auth0 \`sub\`).\nmodel User {\n  id BigInt @id @default(autoincrement())\n  authProvider String @map("auth_provider")\n  authSubject String @map("auth_subject")\n  email String?\n${STAMPS}\n  @@unique([authProvider, authSubject], map: "users_auth_provider_subject_key")\n  @@index([email], map: "users_email_idx")\n  @@map("users")\n}`,
    );
    tables.push('users');
    user = { model: 'User', id: 'id', type: 'BigInt', native: '' };
  }
  const userRef = (field: string, column: string, extra = '') =>
    user
      ? `  ${field}Id ${user.type}?${extra} @map("${column}")${user.native}\n  ${field} ${user.model}? @relation(fields: [${field}Id], references: [${user.id}], onDelete: SetNull)\n`
      : '';

  if (wanted.includes('stripe-billing')) {
    let customer = reference(have.customers) ?? (have.stripeIdOnUser ? undefined : { model: 'StripeCustomer', id: 'id', type: 'BigInt', native: '' });
    if (have.customers) kept.push(shown(have.customers));
    else if (have.stripeIdOnUser) kept.push(`${have.user!.name}'s Stripe customer id`);
    else {
      blocks.push(
        `/// Stripe customers, linked to users.\nmodel StripeCustomer {\n  id BigInt @id @default(autoincrement())\n${userRef('user', 'user_id', ' @unique(map: "stripe_customers_user_id_key")')}  stripeCustomerId String @unique(map: "stripe_customers_stripe_customer_id_key") @map("stripe_customer_id")\n  email String?\n${STAMPS}\n  @@map("stripe_customers")\n}`,
      );
      tables.push('stripe_customers');
    }
    if (have.subscriptions) kept.push(shown(have.subscriptions));
    else {
      // Subscriptions belong to the customer record: a StripeCustomer model, or the user model that carries the id.
      if (!customer && have.stripeIdOnUser) customer = user;
      const owner = customer
        ? `  customerId ${customer.type} @map("customer_id")${customer.native}\n  customer ${customer.model} @relation(fields: [customerId], references: [${customer.id}], onDelete: Cascade)\n`
        : '';
      blocks.push(
        `/// Stripe subscriptions (status: incomplete, incomplete_expired, trialing, active, past_due, canceled, unpaid, paused).\nmodel StripeSubscription {\n  id BigInt @id @default(autoincrement())\n${owner}  stripeSubscriptionId String @unique(map: "stripe_subscriptions_stripe_subscription_id_key") @map("stripe_subscription_id")\n  status String\n  stripePriceId String @map("stripe_price_id")\n  quantity Int @default(1)\n  currentPeriodEnd DateTime? @map("current_period_end") ${TS}\n  cancelAtPeriodEnd Boolean @default(false) @map("cancel_at_period_end")\n  canceledAt DateTime? @map("canceled_at") ${TS}\n${STAMPS}\n${owner ? '  @@index([customerId], map: "stripe_subscriptions_customer_id_idx")\n' : ''}  @@map("stripe_subscriptions")\n}`,
      );
      tables.push('stripe_subscriptions');
    }
    if (have.webhookEvents) kept.push(shown(have.webhookEvents));
    else {
      blocks.push(
        `/// Stripe webhook events already processed: insert the event id first and skip the event when it was there (Stripe delivers an event more than once).\nmodel StripeWebhookEvent {\n  stripeEventId String @id @map("stripe_event_id")\n  type String\n  livemode Boolean\n  receivedAt DateTime @default(now()) @map("received_at") ${TS}\n  processedAt DateTime? @map("processed_at") ${TS}\n\n  @@index([receivedAt], map: "stripe_webhook_events_received_at_idx")\n  @@map("stripe_webhook_events")\n}`,
      );
      tables.push('stripe_webhook_events');
    }
  }
  if (wanted.includes('stored-objects')) {
    if (have.storedObjects) kept.push(shown(have.storedObjects));
    else {
      blocks.push(
        `/// Files stored in the S3-compatible bucket (Backblaze B2), one row per object.\nmodel StoredObject {\n  id BigInt @id @default(autoincrement())\n  bucket String\n  objectKey String @map("object_key")\n  sizeBytes BigInt @map("size_bytes")\n  contentType String? @map("content_type")\n${userRef('owner', 'owner_id')}  createdAt DateTime @default(now()) @map("created_at") ${TS}\n\n  @@unique([bucket, objectKey], map: "stored_objects_bucket_object_key_key")\n${user ? '  @@index([ownerId], map: "stored_objects_owner_id_idx")\n' : ''}  @@map("stored_objects")\n}`,
      );
      tables.push('stored_objects');
    }
  }
  return { blocks, tables, kept };
}

const FORMAT_PARAMS = JSON.stringify({ textDocument: { uri: 'file:/schema.prisma' }, options: { tabSize: 2, insertSpaces: true } });

/** Prisma's formatter over every file at once (it adds the back-relation fields), then its validator. */
export function formatAndValidate(wasm: SchemaWasm, files: SchemaFile[], urlInConfig = false): SchemaFile[] {
  let formatted: [string, string][];
  try {
    formatted = JSON.parse(wasm.format(JSON.stringify(asPairs(files)), FORMAT_PARAMS)) as [string, string][];
  } catch (e) {
    throw new Error(schemaErrorMessage(e));
  }
  const out = files.map((f) => ({ path: f.path, content: formatted.find(([p]) => p === f.path)?.[1] ?? f.content }));
  try {
    wasm.validate(JSON.stringify({ prismaSchema: asPairs(urlInConfig ? withDatasourceUrl(out) : out), noColor: true }));
  } catch (e) {
    throw new Error(`Prisma rejects the extended schema: ${schemaErrorMessage(e)}`);
  }
  return out;
}

/** Where the new models go: the end of the datasource's file, or a new file in a schema folder. */
export const ADDED_FILE = 'prod-ready.prisma';

/**
 * The schema files after the missing models are added (only files that change, plus a new one for a
 * folder schema), formatted and validated by Prisma. `folder` is the schema folder when the schema is one.
 */
export function extendSchema(wasm: SchemaWasm, files: SchemaFile[], info: SchemaInfo, wanted: MigrationName[], folder?: string) {
  const { blocks, tables, kept } = missingModels(info.models, wanted);
  if (!blocks.length) return { files: [] as { path: string; before?: string; after: string }[], tables, kept };
  const text = `${blocks.join('\n\n')}\n`;
  const header = '// Models added by create-prod-ready for the tables its providers use (mapped to snake_case tables).\n// Edit them freely: later runs only add models that are missing.\n\n';
  const edited = folder
    ? [...files, { path: `${folder}/${ADDED_FILE}`, content: header + text }]
    : files.map((f) => (f.path === info.datasourceFile ? { ...f, content: `${f.content.replace(/\s*$/, '\n')}\n${header}${text}` } : f));
  const out = formatAndValidate(wasm, edited, info.urlInConfig);
  const changed = out
    .map((f) => ({ path: f.path, before: files.find((x) => x.path === f.path)?.content, after: f.content }))
    .filter((f) => f.before !== f.after);
  return { files: changed, tables, kept };
}
