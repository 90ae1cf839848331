-- Emails to send. `body` is the entry in the codec's versioned format; the
-- columns beside it are what the queries select on:
-- - `due_ms` is set while the entry is pending (queued or retrying): when
--   its next try is due, or, while it is claimed, when the lease ends (so
--   an expired lease makes it due again by itself);
-- - `lease_until_ms` is set while a worker (of any instance) holds it, and
--   `leased_to` names that instance (see `store::instance`), so an
--   instance restarted on its data dir frees what its previous life held;
-- - `retrying` is true when a try failed and another is scheduled (status
--   Retrying), false otherwise: the pending entries with `NOT retrying`
--   are the queued ones, so the outbox counts are two COUNTs.
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    due_ms bigint,
    lease_until_ms bigint,
    leased_to uuid,
    retrying boolean NOT NULL,
    body bytea NOT NULL
);
CREATE INDEX outbox_due ON outbox (due_ms, id) INCLUDE (retrying) WHERE due_ms IS NOT NULL;
CREATE INDEX outbox_leases ON outbox (lease_until_ms) WHERE lease_until_ms IS NOT NULL;
CREATE INDEX outbox_leases_by_holder ON outbox (leased_to) WHERE lease_until_ms IS NOT NULL;

-- Entries that could not be read, kept for an operator.
CREATE TABLE outbox_quarantine (
    id uuid PRIMARY KEY,
    set_aside_ms bigint NOT NULL,
    reason text NOT NULL,
    bytes bytea NOT NULL
);
