-- The open invitations to one address, whatever the community: a tenant's
-- incoming invitations are found by its users' addresses. The same rows as
-- `live_invitation`, keyed by address first.
CREATE INDEX invitations_by_recipient ON invitations (live_recipient, community)
    WHERE live_recipient IS NOT NULL;
