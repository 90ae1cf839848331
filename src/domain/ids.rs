//! Typed identifiers. Every id is a UUID; new ones are UUIDv7 so that index
//! ranges keyed by id list oldest-first.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            /// Parses a GUID as written in a path or body; any case, with or without hyphens.
            pub fn parse(text: &str) -> Option<Self> {
                Uuid::try_parse(text.trim()).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

id_type!(
    /// An organisation.
    TenantId
);
id_type!(
    /// A person in one tenant.
    UserId
);
id_type!(
    /// A client-credentials identity in one tenant.
    ClientId
);
id_type!(
    /// An authorization-code client: an application a tenant's people sign
    /// in to through the identity endpoint (see `authorization_code_client`).
    AuthorizationCodeClientId
);
id_type!(
    /// A community of tenants.
    CommunityId
);
id_type!(
    /// A role a tenant made for itself (see `custom_role`).
    CustomRoleId
);
id_type!(
    /// An OpenID Connect provider a tenant signs its people in with (see
    /// `identity_provider`).
    IdentityProviderId
);
id_type!(
    /// An invitation from a community to an email address.
    InvitationId
);
id_type!(
    /// An outbox entry (one email to send).
    OutboxId
);
id_type!(
    /// A tenant's webhook endpoint (see `webhook`).
    WebhookId
);
id_type!(
    /// One event sent to one webhook endpoint: its `webhook-id` header,
    /// the same on every try (see `webhook_delivery`).
    WebhookDeliveryId
);

/// A user or a client: whoever holds roles and calls the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PrincipalId {
    User(UserId),
    Client(ClientId),
}

impl PrincipalId {
    pub fn as_uuid(&self) -> Uuid {
        match self {
            PrincipalId::User(id) => id.0,
            PrincipalId::Client(id) => id.0,
        }
    }

    pub fn kind(&self) -> PrincipalKind {
        match self {
            PrincipalId::User(_) => PrincipalKind::User,
            PrincipalId::Client(_) => PrincipalKind::Client,
        }
    }

    pub fn from_parts(kind: PrincipalKind, id: Uuid) -> Self {
        match kind {
            PrincipalKind::User => PrincipalId::User(UserId(id)),
            PrincipalKind::Client => PrincipalId::Client(ClientId(id)),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    User,
    Client,
}

impl PrincipalKind {
    pub fn code(self) -> u8 {
        match self {
            PrincipalKind::User => 0,
            PrincipalKind::Client => 1,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(PrincipalKind::User),
            1 => Some(PrincipalKind::Client),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_any_case_and_rejects_garbage() {
        let id = CommunityId::generate();
        let upper = id.to_string().to_uppercase();
        assert_eq!(CommunityId::parse(&upper), Some(id));
        assert_eq!(CommunityId::parse("not-a-guid"), None);
        assert_eq!(CommunityId::parse(""), None);
    }

    #[test]
    fn generated_ids_sort_by_creation() {
        let a = InvitationId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = InvitationId::generate();
        assert!(a < b);
    }
}
