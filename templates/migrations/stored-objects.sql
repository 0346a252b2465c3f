-- Files stored in the S3-compatible bucket (Backblaze B2), one row per object.

-- Up Migration
CREATE TABLE stored_objects (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bucket text NOT NULL CHECK (bucket <> ''),
  object_key text NOT NULL CHECK (object_key <> '' AND octet_length(object_key) <= 1024),
  size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
  content_type text,
  owner_id bigint REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stored_objects_bucket_object_key_key UNIQUE (bucket, object_key)
);

CREATE INDEX stored_objects_owner_id_idx ON stored_objects (owner_id);

-- Down Migration
DROP TABLE stored_objects;
