//! A logged-in person in the portal.

use super::ids::{InvitationId, TenantId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How many followed links a session remembers; the oldest is forgotten
/// first (each needs a genuine signed link, so this only bounds storage).
pub const LINKS_KEPT: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: UserId,
    pub tenant: TenantId,
    /// Every form posts this back (synchronizer-token CSRF defence).
    pub csrf: String,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    /// Invitation links this session followed: proof that the person reads
    /// the recipient mailbox, for that link's generation only.
    pub invitation_links: Vec<LinkGrant>,
    /// The user's password generation when the session began (or when
    /// this session changed the password): a session of an older one is
    /// over.
    pub password_generation: u32,
}

/// One followed invitation link. A Resend or a withdrawal bumps the
/// invitation's generation, and with it this grant stops counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkGrant {
    pub invitation: InvitationId,
    pub generation: u32,
}

impl Session {
    pub fn is_live_at(&self, now: DateTime<Utc>) -> bool {
        self.expires > now
    }

    /// The generation of the link this session followed for `invitation`.
    pub fn link_generation(&self, invitation: InvitationId) -> Option<u32> {
        self.invitation_links
            .iter()
            .find(|g| g.invitation == invitation)
            .map(|g| g.generation)
    }

    /// Remembers a followed link (replacing an older generation's). Returns
    /// whether anything changed, so an unchanged session is not rewritten.
    pub fn note_link(&mut self, grant: LinkGrant) -> bool {
        if self.invitation_links.contains(&grant) {
            return false;
        }
        self.invitation_links
            .retain(|g| g.invitation != grant.invitation);
        if self.invitation_links.len() >= LINKS_KEPT {
            self.invitation_links.remove(0);
        }
        self.invitation_links.push(grant);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            user: UserId::generate(),
            tenant: TenantId::generate(),
            csrf: "x".into(),
            created: Utc::now(),
            expires: Utc::now(),
            invitation_links: Vec::new(),
            password_generation: 0,
        }
    }

    #[test]
    fn a_newer_link_replaces_the_older_generation() {
        let mut s = session();
        let inv = InvitationId::generate();
        assert!(s.note_link(LinkGrant {
            invitation: inv,
            generation: 1
        }));
        assert!(!s.note_link(LinkGrant {
            invitation: inv,
            generation: 1
        }));
        assert!(s.note_link(LinkGrant {
            invitation: inv,
            generation: 2
        }));
        assert_eq!(s.link_generation(inv), Some(2));
        assert_eq!(s.invitation_links.len(), 1);
    }

    #[test]
    fn the_list_of_links_is_bounded() {
        let mut s = session();
        let first = InvitationId::generate();
        s.note_link(LinkGrant {
            invitation: first,
            generation: 1,
        });
        for _ in 0..LINKS_KEPT {
            s.note_link(LinkGrant {
                invitation: InvitationId::generate(),
                generation: 1,
            });
        }
        assert_eq!(s.invitation_links.len(), LINKS_KEPT);
        assert_eq!(s.link_generation(first), None);
    }
}
