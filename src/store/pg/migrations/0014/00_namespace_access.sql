-- Namespaces' own access control lists, and each tenant's default list for
-- namespaces (kept under the empty namespace, which no namespace id is).
CREATE TABLE sds_namespace_access (
    tenant uuid NOT NULL,
    namespace text COLLATE "C" NOT NULL CHECK (octet_length(namespace) <= 1024),
    body bytea NOT NULL,
    PRIMARY KEY (tenant, namespace)
);
