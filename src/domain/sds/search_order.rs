//! The order of a community stream search (`orderBy`) and its keyset
//! continuation token.
//!
//! A hit's place in the order is its sort key: the ordered field, then its
//! tenant, namespace and stream key, which no two hits share. A page ends
//! at a key and the token carries that key, so the next page is "the first
//! `pageSize` after it", whatever came before: page N costs what page 1
//! does. The token is opaque to clients; a checksum refuses one edited by
//! hand. A forged token can only move where a page starts, since every
//! right is checked again on every page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::cmp::Ordering;

/// The longest token this service issues or reads, in characters.
pub const MAX_TOKEN_CHARS: usize = 4096;

/// The field a search orders by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Id,
    Name,
    TypeId,
    Description,
    /// The read link: the community is the same for every hit, so it orders
    /// by tenant, namespace and stream.
    Self_,
    TenantId,
    NamespaceId,
    TenantName,
    /// The same for every hit: the tie-break alone orders.
    CommunityId,
}

const FIELDS: [(&str, Field); 9] = [
    ("id", Field::Id),
    ("name", Field::Name),
    ("typeid", Field::TypeId),
    ("description", Field::Description),
    ("self", Field::Self_),
    ("tenantid", Field::TenantId),
    ("namespaceid", Field::NamespaceId),
    ("tenantname", Field::TenantName),
    ("communityid", Field::CommunityId),
];

/// `orderBy`: a field and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderBy {
    pub field: Field,
    pub descending: bool,
}

impl Default for OrderBy {
    /// By name, ascending, as AVEVA's search answers without `orderBy`.
    fn default() -> Self {
        Self {
            field: Field::Name,
            descending: false,
        }
    }
}

impl OrderBy {
    /// `Field`, `Field ASC` or `Field DESC`, in any case; empty is the default.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut words = text.split_whitespace();
        let Some(name) = words.next() else {
            return Ok(Self::default());
        };
        let field = FIELDS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                "must be one of Id, Name, TypeId, Description, Self, TenantId, NamespaceId, \
                 TenantName, CommunityId, optionally followed by ASC or DESC"
                    .to_string()
            })?;
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(_) => return Err("the direction must be ASC or DESC".to_string()),
        };
        if words.next().is_some() {
            return Err("orders by one field only".to_string());
        }
        Ok(Self { field, descending })
    }

    /// How `a` and `b` compare in this order (direction applied).
    pub fn compare(&self, a: &SortKey, b: &SortKey) -> Ordering {
        let ascending = a.cmp(b);
        if self.descending {
            ascending.reverse()
        } else {
            ascending
        }
    }
}

/// A hit's place: the ordered field's value (lower-cased, so case does
/// not split equal names), then what makes it unique.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SortKey {
    pub value: String,
    pub tenant: String,
    pub namespace: String,
    pub stream: String,
}

/// Where the next page starts: after `after`, in `order`, for the same
/// search (`fingerprint` of its query and tenant filter), as page `page`
/// (0 is the first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub order: OrderBy,
    pub fingerprint: String,
    pub page: u32,
    pub after: SortKey,
}

/// Why a token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("is not a token this service issued, or was changed")]
    Tampered,
    #[error("belongs to a search with another query, tenant filter or order")]
    OtherSearch,
}

fn checksum(payload: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(payload)[..12])
}

/// A short, stable digest naming a search (its query and tenant filter).
pub fn fingerprint(parts: &[&str]) -> String {
    checksum(parts.join("\u{0}").as_bytes())
}

impl Cursor {
    pub fn encode(&self) -> String {
        let payload = serde_json::to_vec(self).expect("a cursor serializes");
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            checksum(&payload)
        )
    }

    /// The cursor `token` carries, if this service issued it for a search
    /// with `order` and `fingerprint`.
    pub fn decode(token: &str, order: OrderBy, fingerprint: &str) -> Result<Self, TokenError> {
        if token.len() > MAX_TOKEN_CHARS {
            return Err(TokenError::Tampered);
        }
        let (body, sum) = token.split_once('.').ok_or(TokenError::Tampered)?;
        let payload = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TokenError::Tampered)?;
        if checksum(&payload) != sum {
            return Err(TokenError::Tampered);
        }
        let cursor: Self = serde_json::from_slice(&payload).map_err(|_| TokenError::Tampered)?;
        if cursor.order != order || cursor.fingerprint != fingerprint {
            return Err(TokenError::OtherSearch);
        }
        Ok(cursor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(value: &str, stream: &str) -> SortKey {
        SortKey {
            value: value.into(),
            tenant: "t".into(),
            namespace: "default".into(),
            stream: stream.into(),
        }
    }

    #[test]
    fn order_by_reads_any_case_and_a_direction() {
        assert_eq!(OrderBy::parse("").unwrap(), OrderBy::default());
        let o = OrderBy::parse("tenantname desc").unwrap();
        assert_eq!((o.field, o.descending), (Field::TenantName, true));
        let o = OrderBy::parse("  TypeId   ASC ").unwrap();
        assert_eq!((o.field, o.descending), (Field::TypeId, false));
        assert!(OrderBy::parse("Colour").is_err());
        assert!(OrderBy::parse("Name sideways").is_err());
        assert!(OrderBy::parse("Name ASC Id").is_err());
    }

    #[test]
    fn descending_reverses_and_the_tail_breaks_ties() {
        let desc = OrderBy::parse("Name DESC").unwrap();
        let (a, b) = (key("pump", "a"), key("pump", "b"));
        assert_eq!(OrderBy::default().compare(&a, &b), Ordering::Less);
        assert_eq!(desc.compare(&a, &b), Ordering::Greater);
    }

    #[test]
    fn a_token_round_trips_and_refuses_edits_and_other_searches() {
        let order = OrderBy::default();
        let cursor = Cursor {
            order,
            fingerprint: fingerprint(&["pump", ""]),
            page: 2,
            after: key("pump", "p7"),
        };
        let token = cursor.encode();
        assert_eq!(
            Cursor::decode(&token, order, &cursor.fingerprint),
            Ok(cursor.clone())
        );
        let mut edited = token.clone().into_bytes();
        edited[3] = if edited[3] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(edited).unwrap();
        assert_eq!(
            Cursor::decode(&edited, order, &cursor.fingerprint),
            Err(TokenError::Tampered)
        );
        assert_eq!(
            Cursor::decode("garbage", order, &cursor.fingerprint),
            Err(TokenError::Tampered)
        );
        assert_eq!(
            Cursor::decode(&token, OrderBy::parse("Id").unwrap(), &cursor.fingerprint),
            Err(TokenError::OtherSearch)
        );
        assert_eq!(
            Cursor::decode(&token, order, &fingerprint(&["valve", ""])),
            Err(TokenError::OtherSearch)
        );
    }
}
