-- The audit log. An event's id is its time in microseconds (high 64 bits)
-- and 64 random bits, written as a UUID: ids sort by time, so "newest
-- first" is a backward scan of an index on (tenant, id), and the time
-- needs no column of its own.
CREATE TABLE audit_events (
    id uuid PRIMARY KEY,
    body bytea NOT NULL
);

-- Which tenants see each event: one row per (tenant, event), with the
-- event's kind and actor (nil for none) kept in the index itself, so a
-- filtered page reads the index alone until it finds its events.
CREATE TABLE audit_visibility (
    tenant uuid NOT NULL,
    id uuid NOT NULL,
    kind text NOT NULL,
    actor uuid NOT NULL,
    PRIMARY KEY (tenant, id) INCLUDE (kind, actor)
);

-- Append-only, whoever connects: no UPDATE, no TRUNCATE, and DELETE only
-- from the retention sweep, which says so for its own transaction with
-- `set_config('communityd.audit_retention', 'on', true)`.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND coalesce(current_setting('communityd.audit_retention', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_visibility_append_only
    BEFORE UPDATE OR DELETE ON audit_visibility
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_visibility_no_truncate
    BEFORE TRUNCATE ON audit_visibility
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
