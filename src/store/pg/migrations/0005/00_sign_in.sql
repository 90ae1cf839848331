-- How each tenant's people may sign in; a tenant without a row has the
-- defaults (passwords allowed, no one-time code required).
CREATE TABLE sign_in_policies (
    tenant uuid PRIMARY KEY,
    body bytea NOT NULL
);

-- Users' authenticators and recovery codes, listed by tenant in user id
-- order as redb lists them.
CREATE TABLE two_factor (
    tenant uuid NOT NULL,
    user_id uuid NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (tenant, user_id)
);
