-- Emails to send. `due_ms` is set while the entry still has to be sent;
-- `lease_until_ms` while a worker (of any instance) holds it.
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    due_ms bigint,
    lease_until_ms bigint,
    body bytea NOT NULL
);
CREATE INDEX outbox_due ON outbox (due_ms, id) WHERE due_ms IS NOT NULL;
CREATE INDEX outbox_leases ON outbox (lease_until_ms) WHERE lease_until_ms IS NOT NULL;

-- Entries that could not be read, kept for an operator.
CREATE TABLE outbox_quarantine (
    id uuid PRIMARY KEY,
    set_aside_ms bigint NOT NULL,
    reason text NOT NULL,
    bytes bytea NOT NULL
);
