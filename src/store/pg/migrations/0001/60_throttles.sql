-- Failed-attempt counters shared by every instance: (what is guarded,
-- e.g. a client id or an address) -> failures in the current window.
CREATE TABLE throttles (
    key text COLLATE "C" PRIMARY KEY CHECK (octet_length(key) <= 1024),
    window_start_ms bigint NOT NULL,
    failures integer NOT NULL CHECK (failures >= 0)
);
