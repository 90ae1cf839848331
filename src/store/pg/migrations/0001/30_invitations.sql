-- Invitations. Columns beside the record are what the lookups need, set
-- from the record on every put (redb keeps them as index tables):
-- `withdrawn` ones leave the community's and the invited tenant's lists;
-- `live_recipient` is set while the invitation is open (stored Created or
-- Accepted, not withdrawn), at most one per address and community (the
-- last one put); `expires_ms` is set while it is open, for the expiry
-- sweep. `state` is the stored state's number (see `pg/invitations.rs`).
CREATE TABLE invitations (
    id uuid PRIMARY KEY,
    community uuid NOT NULL,
    issuer uuid NOT NULL,
    invited_tenant uuid,
    state smallint NOT NULL,
    withdrawn boolean NOT NULL,
    live_recipient text COLLATE "C" CHECK (octet_length(live_recipient) <= 1024),
    expires_ms bigint,
    body bytea NOT NULL,
    CHECK (live_recipient IS NULL OR NOT withdrawn),
    CHECK (expires_ms IS NULL OR NOT withdrawn)
);
CREATE INDEX invitations_by_community ON invitations (community, issuer, id) WHERE NOT withdrawn;
CREATE INDEX invitations_by_invited_tenant ON invitations (invited_tenant, id) WHERE invited_tenant IS NOT NULL AND NOT withdrawn;
CREATE UNIQUE INDEX live_invitation ON invitations (community, live_recipient) WHERE live_recipient IS NOT NULL;
CREATE INDEX invitations_by_expiry ON invitations (expires_ms, id) WHERE expires_ms IS NOT NULL;
CREATE INDEX invitations_by_state ON invitations (state) WHERE NOT withdrawn;

-- Invitation emails issued per community and UTC day.
CREATE TABLE invitation_quota (
    community uuid NOT NULL,
    day bigint NOT NULL,
    used integer NOT NULL CHECK (used >= 0),
    PRIMARY KEY (community, day)
);
