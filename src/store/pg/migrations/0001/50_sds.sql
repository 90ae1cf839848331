-- SDS types and streams per (tenant, namespace, lower-cased id).
CREATE TABLE sds_types (
    tenant uuid NOT NULL,
    namespace text COLLATE "C" NOT NULL CHECK (octet_length(namespace) <= 1024),
    type_key text COLLATE "C" NOT NULL CHECK (octet_length(type_key) <= 1024),
    body bytea NOT NULL,
    PRIMARY KEY (tenant, namespace, type_key)
);

CREATE TABLE sds_streams (
    tenant uuid NOT NULL,
    namespace text COLLATE "C" NOT NULL CHECK (octet_length(namespace) <= 1024),
    stream_key text COLLATE "C" NOT NULL CHECK (octet_length(stream_key) <= 1024),
    body bytea NOT NULL,
    PRIMARY KEY (tenant, namespace, stream_key)
);

-- Values by stream storage id and order-preserving index key (bytea
-- compares bytewise, as redb does), as JSON text.
CREATE TABLE sds_values (
    stream uuid NOT NULL,
    key bytea NOT NULL CHECK (octet_length(key) <= 1024),
    json bytea NOT NULL,
    PRIMARY KEY (stream, key)
);

-- Storage ids of deleted streams whose values are still being removed.
CREATE TABLE sds_value_purges (
    stream uuid PRIMARY KEY
);
