-- User invitations: one per user (a resend replaces it), listed by tenant
-- in invitation id order and found by (tenant, invitation id).
CREATE TABLE user_invitations (
    user_id uuid PRIMARY KEY,
    tenant uuid NOT NULL,
    id uuid NOT NULL,
    body bytea NOT NULL,
    UNIQUE (tenant, id)
);
