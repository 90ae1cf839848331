-- Webhook endpoints, keyed (tenant, id) so a tenant's are one index range.
CREATE TABLE webhooks (
    tenant uuid NOT NULL,
    id uuid NOT NULL,
    body bytea NOT NULL,
    PRIMARY KEY (tenant, id)
);

-- Deliveries to webhook endpoints, kept after their tries as the
-- endpoint's delivery log. As in the mail outbox (migration 1):
-- - `due_ms` is set while the delivery is pending: when its next try is
--   due, or, while it is claimed, when the lease ends;
-- - `lease_until_ms` is set while a worker of some instance holds it, and
--   `leased_to` names that instance.
CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    endpoint uuid NOT NULL,
    due_ms bigint,
    lease_until_ms bigint,
    leased_to uuid,
    body bytea NOT NULL
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (due_ms, id) WHERE due_ms IS NOT NULL;
CREATE INDEX webhook_deliveries_leases ON webhook_deliveries (lease_until_ms)
    WHERE lease_until_ms IS NOT NULL;
