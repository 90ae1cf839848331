-- The applications a tenant's people sign in to (authorization code with
-- PKCE), listed by tenant in id order.
CREATE TABLE authorization_code_clients (
    id uuid PRIMARY KEY,
    tenant uuid NOT NULL,
    body bytea NOT NULL
);
CREATE INDEX authorization_code_clients_by_tenant ON authorization_code_clients (tenant, id);

-- One-time codes, keyed by the hash of the code, swept once expired.
CREATE TABLE authorization_codes (
    key bytea PRIMARY KEY,
    expires_ms bigint NOT NULL,
    body bytea NOT NULL
);
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_ms, key);
