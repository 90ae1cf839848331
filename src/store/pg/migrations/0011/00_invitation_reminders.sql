-- Invitation reminders. `reminder_ms` is the invitation's expires_ms while
-- its current generation still awaits its "expires soon" reminder (stored
-- Created, not withdrawn, not yet reminded), set from the record on every
-- put like the other lookup columns; the reminder sweep reads the index.
-- Invitations stored before reminders had none, so every open Created one
-- awaits its reminder (the records' older layout reads as not reminded).
ALTER TABLE invitations ADD COLUMN reminder_ms bigint;
ALTER TABLE invitations ADD CHECK (reminder_ms IS NULL OR NOT withdrawn);
UPDATE invitations SET reminder_ms = expires_ms WHERE state = 1 AND NOT withdrawn;
CREATE INDEX invitations_awaiting_reminder ON invitations (reminder_ms, id) WHERE reminder_ms IS NOT NULL;
