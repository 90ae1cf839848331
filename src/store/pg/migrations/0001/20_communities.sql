-- Communities: a name is unique per owner, whatever the case (`name_key`
-- is the lower-cased name). `body` is the record in the codec's format.
CREATE TABLE communities (
    id uuid PRIMARY KEY,
    owner uuid NOT NULL,
    name_key text COLLATE "C" NOT NULL CHECK (octet_length(name_key) <= 1024),
    body bytea NOT NULL,
    UNIQUE (owner, name_key)
);

-- A tenant's membership of a community. `listed` is true while the tenant
-- is in it (Active or Paused): only those rows list the community among
-- the tenant's (an awaiting tenant has not joined yet).
CREATE TABLE memberships (
    community uuid NOT NULL,
    tenant uuid NOT NULL,
    listed boolean NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (community, tenant)
);
CREATE INDEX memberships_by_tenant ON memberships (tenant, community) WHERE listed;

-- A principal's roles in a community: kind 0 user, 1 client
-- (`PrincipalKind::code`); roles are `RoleSet` bits. Both are bytes on redb.
-- By principal: deleting a client removes its grants in every community.
CREATE TABLE grants (
    community uuid NOT NULL,
    tenant uuid NOT NULL,
    principal uuid NOT NULL,
    kind smallint NOT NULL CHECK (kind BETWEEN 0 AND 255),
    roles smallint NOT NULL CHECK (roles BETWEEN 0 AND 255),
    PRIMARY KEY (community, tenant, principal)
);
CREATE INDEX grants_by_principal ON grants (principal);

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
