-- Communities: a name is unique per owner, whatever the case.
CREATE TABLE communities (
    id uuid PRIMARY KEY,
    owner uuid NOT NULL,
    name_key text COLLATE "C" NOT NULL CHECK (octet_length(name_key) <= 1024),
    body bytea NOT NULL,
    UNIQUE (owner, name_key)
);

CREATE TABLE memberships (
    community uuid NOT NULL,
    tenant uuid NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (community, tenant)
);
CREATE INDEX memberships_by_tenant ON memberships (tenant, community);

-- A principal's roles in a community: kind 0 user, 1 client; roles are bits.
CREATE TABLE grants (
    community uuid NOT NULL,
    tenant uuid NOT NULL,
    principal uuid NOT NULL,
    kind smallint NOT NULL,
    roles smallint NOT NULL,
    PRIMARY KEY (community, tenant, principal)
);

-- Streams a tenant shares into a community, written `namespace/stream key`.
CREATE TABLE shares (
    community uuid NOT NULL,
    tenant uuid NOT NULL,
    stream text COLLATE "C" NOT NULL CHECK (octet_length(stream) <= 2048),
    PRIMARY KEY (community, tenant, stream)
);
CREATE INDEX shares_by_tenant ON shares (tenant, community, stream);

CREATE TABLE community_preferred_regions (
    community uuid PRIMARY KEY,
    region text COLLATE "C" NOT NULL CHECK (octet_length(region) <= 1024)
);

CREATE TABLE member_contact_emails (
    community uuid NOT NULL,
    tenant uuid NOT NULL,
    email text COLLATE "C" NOT NULL CHECK (octet_length(email) <= 1024),
    PRIMARY KEY (community, tenant)
);

CREATE TABLE member_preferred_regions (
    community uuid NOT NULL,
    tenant uuid NOT NULL,
    region text COLLATE "C" NOT NULL CHECK (octet_length(region) <= 1024),
    PRIMARY KEY (community, tenant)
);
