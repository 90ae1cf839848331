//! Portal sessions, keyed by the SHA-256 of the cookie value so a copy of the
//! database does not hand out live sessions.

use super::codec::{decode, encode, layout, Record};
use super::error::StoreError;
use super::tables::{SESSIONS, SESSIONS_BY_EXPIRY};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{InvitationId, TenantId, UserId};
use crate::domain::session::{LinkGrant, Session};
use chrono::{DateTime, Utc};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};

/// Layout 2 remembers each followed link with its generation; layout 3
/// adds the user's password generation. Older layouts are converted on read.
impl Record for Session {
    const VERSION: u8 = 3;

    fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        match version {
            1 => Ok(SessionV2::from(layout::<SessionV1>(body)?).into()),
            2 => Ok(layout::<SessionV2>(body)?.into()),
            _ => Err(StoreError::Codec(format!(
                "unknown session record version {version}"
            ))),
        }
    }
}

/// A session as the first release stored it: followed links without the
/// generation they were minted for.
#[derive(Serialize, Deserialize)]
struct SessionV1 {
    user: UserId,
    tenant: TenantId,
    csrf: String,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
    invitation_links: Vec<InvitationId>,
}

impl From<SessionV1> for SessionV2 {
    /// The session stays signed in, but its old link grants are dropped: which
    /// generation they proved is unknown, and a Resend may have revoked them.
    /// Following the link again restores the grant.
    fn from(old: SessionV1) -> Self {
        SessionV2 {
            user: old.user,
            tenant: old.tenant,
            csrf: old.csrf,
            created: old.created,
            expires: old.expires,
            invitation_links: Vec::new(),
        }
    }
}

/// A session as releases before password generations stored it. Every
/// user of those releases is converted with generation 0 too, so such a
/// session stays signed in until the password changes.
#[derive(Serialize, Deserialize)]
struct SessionV2 {
    user: UserId,
    tenant: TenantId,
    csrf: String,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
    invitation_links: Vec<LinkGrant>,
}

impl From<SessionV2> for Session {
    fn from(old: SessionV2) -> Self {
        Session {
            user: old.user,
            tenant: old.tenant,
            csrf: old.csrf,
            created: old.created,
            expires: old.expires,
            invitation_links: old.invitation_links,
            password_generation: 0,
        }
    }
}

pub fn get(tx: &impl Readable, key: &[u8]) -> Result<Option<Session>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sessions::get(pg, key));
    let table = tx.table(SESSIONS)?;
    let found = table.get(key)?;
    found.map(|v| decode(v.value())).transpose()
}

pub fn put(tx: &impl Writable, key: &[u8], session: &Session) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sessions::put(pg, key, session));
    if let Some(old) = get(tx, key)? {
        tx.open_table(SESSIONS_BY_EXPIRY)?
            .remove((old.expires.timestamp_millis(), key))?;
    }
    tx.open_table(SESSIONS_BY_EXPIRY)?
        .insert((session.expires.timestamp_millis(), key), ())?;
    tx.open_table(SESSIONS)?
        .insert(key, encode(session)?.as_slice())?;
    Ok(())
}

pub fn delete(tx: &impl Writable, key: &[u8]) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sessions::delete(pg, key));
    if let Some(old) = get(tx, key)? {
        tx.open_table(SESSIONS_BY_EXPIRY)?
            .remove((old.expires.timestamp_millis(), key))?;
    }
    tx.open_table(SESSIONS)?.remove(key)?;
    Ok(())
}

/// Up to `limit` sessions (key, session) with keys after `after`, in key
/// order: a walk of every session in bounded pieces.
pub fn page_after(
    tx: &impl Readable,
    after: Option<&[u8]>,
    limit: usize,
) -> Result<Vec<(Vec<u8>, Session)>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::sessions::page_after(pg, after, limit));
    let table = tx.table(SESSIONS)?;
    let lower = after.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded);
    let mut out = Vec::new();
    for row in table
        .range::<&[u8]>((lower, std::ops::Bound::Unbounded))?
        .take(limit)
    {
        let (key, value) = row?;
        out.push((key.value().to_vec(), decode(value.value())?));
    }
    Ok(out)
}

/// Deletes up to `limit` sessions that expired by `now`; returns how many.
pub fn delete_expired(
    tx: &impl Writable,
    now: chrono::DateTime<chrono::Utc>,
    limit: usize,
) -> Result<usize, StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| super::pg::sessions::delete_expired(pg, now, limit));
    let mut keys = Vec::new();
    {
        let index = tx.open_table(SESSIONS_BY_EXPIRY)?;
        for entry in index
            .range::<(i64, &[u8])>(..(now.timestamp_millis(), &[][..]))?
            .take(limit)
        {
            keys.push(entry?.0.value().1.to_vec());
        }
    }
    for key in &keys {
        delete(tx, key)?;
    }
    Ok(keys.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_release_session_still_decodes_without_its_link_grants() {
        let old = SessionV1 {
            user: UserId::generate(),
            tenant: TenantId::generate(),
            csrf: "token".into(),
            created: Utc::now(),
            expires: Utc::now(),
            invitation_links: vec![InvitationId::generate()],
        };
        let mut bytes = vec![1u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: Session = decode(&bytes).unwrap();
        assert_eq!(back.user, old.user);
        assert_eq!(back.tenant, old.tenant);
        assert_eq!(back.csrf, "token");
        assert_eq!(back.expires, old.expires);
        assert!(back.invitation_links.is_empty());
    }

    #[test]
    fn a_session_without_a_password_generation_still_decodes_with_its_links() {
        let grant = LinkGrant {
            invitation: InvitationId::generate(),
            generation: 4,
        };
        let old = SessionV2 {
            user: UserId::generate(),
            tenant: TenantId::generate(),
            csrf: "token".into(),
            created: Utc::now(),
            expires: Utc::now(),
            invitation_links: vec![grant],
        };
        let mut bytes = vec![2u8];
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let back: Session = decode(&bytes).unwrap();
        assert_eq!(back.user, old.user);
        assert_eq!(back.invitation_links, vec![grant]);
        assert_eq!(back.password_generation, 0);
    }
}
