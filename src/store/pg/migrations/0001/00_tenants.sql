-- Signing keys, generated on first start by whichever instance gets there
-- first (INSERT ... ON CONFLICT DO NOTHING, then read).
CREATE TABLE secrets (
    name text COLLATE "C" PRIMARY KEY CHECK (octet_length(name) <= 256),
    value bytea NOT NULL
);

-- Tenants. `alias_key` is the lower-cased alias and `name_key` the folded
-- company name: both unique whatever the case. `body` is the record in the
-- codec's versioned format.
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    alias_key text COLLATE "C" NOT NULL UNIQUE CHECK (octet_length(alias_key) <= 1024),
    name_key text COLLATE "C" NOT NULL UNIQUE CHECK (octet_length(name_key) <= 1024),
    body bytea NOT NULL
);

CREATE TABLE tenant_icons (
    tenant uuid PRIMARY KEY,
    png bytea NOT NULL
);

-- A tenant's external (AVEVA account) id.
CREATE TABLE tenant_external_accounts (
    tenant uuid PRIMARY KEY,
    account text COLLATE "C" NOT NULL CHECK (octet_length(account) <= 1024)
);
