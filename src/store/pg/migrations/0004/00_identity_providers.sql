-- A tenant's OpenID Connect providers: listed by tenant in id order,
-- button names unique per tenant whatever their case.
CREATE TABLE identity_providers (
    tenant uuid NOT NULL,
    id uuid NOT NULL,
    name_key text COLLATE "C" NOT NULL CHECK (octet_length(name_key) <= 1024),
    body bytea NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, name_key)
);
