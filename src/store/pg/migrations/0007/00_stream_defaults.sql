-- The access control list each namespace gives its new streams, for the
-- namespaces whose tenant chose one (others give the built-in list).
CREATE TABLE sds_stream_defaults (
    tenant uuid NOT NULL,
    namespace text NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (tenant, namespace)
);
