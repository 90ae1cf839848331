-- Each community's trusted domains (the email domains it invites, and
-- whether joiners from them are confirmed automatically), for the
-- communities whose administrators set them; others invite any domain.
CREATE TABLE community_trusted_domains (
    community uuid PRIMARY KEY,
    body bytea NOT NULL
);
