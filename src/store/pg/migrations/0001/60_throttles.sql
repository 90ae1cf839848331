-- The sign-in throttle's failure buckets, shared by every instance:
-- (what is guarded: an identity from a source, or a source) -> its level,
-- when it was last drained and when it was last let through over budget
-- (seconds since the Unix epoch).
CREATE TABLE throttles (
    key text COLLATE "C" PRIMARY KEY CHECK (octet_length(key) <= 1024),
    level double precision NOT NULL CHECK (level >= 0),
    at_s double precision NOT NULL,
    probed_s double precision
);
