-- Stripe billing: customers linked to users, their subscriptions, and the webhook events already
-- processed (insert the event id first, ON CONFLICT DO NOTHING, and skip the event when nothing was
-- inserted: Stripe delivers an event more than once).

-- Up Migration
CREATE TABLE stripe_customers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint REFERENCES users (id) ON DELETE SET NULL,
  stripe_customer_id text NOT NULL CHECK (stripe_customer_id LIKE 'cus\_%'),
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stripe_customers_stripe_customer_id_key UNIQUE (stripe_customer_id),
  CONSTRAINT stripe_customers_user_id_key UNIQUE (user_id)
);

CREATE TRIGGER stripe_customers_set_updated_at BEFORE UPDATE ON stripe_customers FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE stripe_subscriptions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES stripe_customers (id) ON DELETE CASCADE,
  stripe_subscription_id text NOT NULL CHECK (stripe_subscription_id LIKE 'sub\_%'),
  status text NOT NULL CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused')),
  stripe_price_id text NOT NULL,
  quantity integer NOT NULL DEFAULT 1 CHECK (quantity >= 0),
  current_period_end timestamptz,
  cancel_at_period_end boolean NOT NULL DEFAULT false,
  canceled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stripe_subscriptions_stripe_subscription_id_key UNIQUE (stripe_subscription_id)
);

CREATE INDEX stripe_subscriptions_customer_id_idx ON stripe_subscriptions (customer_id);

CREATE INDEX stripe_subscriptions_active_idx ON stripe_subscriptions (customer_id) WHERE status IN ('trialing', 'active', 'past_due');

CREATE TRIGGER stripe_subscriptions_set_updated_at BEFORE UPDATE ON stripe_subscriptions FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE stripe_webhook_events (
  stripe_event_id text PRIMARY KEY CHECK (stripe_event_id LIKE 'evt\_%'),
  type text NOT NULL,
  livemode boolean NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz
);

CREATE INDEX stripe_webhook_events_unprocessed_idx ON stripe_webhook_events (received_at) WHERE processed_at IS NULL;

-- Down Migration
DROP TABLE stripe_webhook_events;

DROP TABLE stripe_subscriptions;

DROP TABLE stripe_customers;
