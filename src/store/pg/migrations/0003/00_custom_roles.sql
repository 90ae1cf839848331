-- The roles tenants make for themselves: listed by tenant in id order,
-- names unique per tenant whatever their case (name_key is lower-cased).
CREATE TABLE custom_roles (
    tenant uuid NOT NULL,
    id uuid NOT NULL,
    name_key text COLLATE "C" NOT NULL CHECK (octet_length(name_key) <= 1024),
    body bytea NOT NULL,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, name_key)
);
