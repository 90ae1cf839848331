-- Users: an email is unique per tenant; a lookup by email finds every
-- tenant that owns an address.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    tenant uuid NOT NULL,
    email_key text COLLATE "C" NOT NULL CHECK (octet_length(email_key) <= 1024),
    body bytea NOT NULL,
    UNIQUE (email_key, tenant)
);
CREATE INDEX users_by_tenant ON users (tenant, id);

CREATE TABLE clients (
    id uuid PRIMARY KEY,
    tenant uuid NOT NULL,
    body bytea NOT NULL
);
CREATE INDEX clients_by_tenant ON clients (tenant, id);

-- sha256(session id) -> session; the sweep deletes by expiry.
CREATE TABLE sessions (
    key bytea PRIMARY KEY CHECK (octet_length(key) <= 1024),
    expires_ms bigint NOT NULL,
    body bytea NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_ms, key);
