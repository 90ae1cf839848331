-- Reads of shared streams through a community, counted per community, UTC
-- day (days since 1970-01-01), reader tenant, owner tenant and stream
-- (`namespace/stream id`, as in shares). Instances add their counts to a
-- row, never overwrite it. Keyed so a community's days are one range.
CREATE TABLE usage_counts (
    community uuid NOT NULL,
    day bigint NOT NULL,
    reader uuid NOT NULL,
    owner uuid NOT NULL,
    stream text COLLATE "C" NOT NULL CHECK (octet_length(stream) <= 2048),
    requests bigint NOT NULL,
    values_read bigint NOT NULL,
    refused bigint NOT NULL,
    PRIMARY KEY (community, day, reader, owner, stream)
);
