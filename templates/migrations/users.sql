-- Users of the app, keyed by the auth provider's subject id (Clerk user id, Auth0 `sub`).
-- Several auth providers may share the table: a subject is unique per provider.

-- Up Migration
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  auth_provider text NOT NULL CHECK (auth_provider <> ''),
  auth_subject text NOT NULL CHECK (auth_subject <> ''),
  email text CHECK (email IS NULL OR position('@' IN email) > 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_auth_provider_subject_key UNIQUE (auth_provider, auth_subject)
);

CREATE INDEX users_email_idx ON users (lower(email));

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Down Migration
DROP TABLE users;

DROP FUNCTION set_updated_at();
