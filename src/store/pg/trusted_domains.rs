//! Communities' trusted domains on PostgreSQL (see
//! `store::trusted_domains`): one row per community that set them.

use super::tx::PgTx;
use crate::domain::ids::CommunityId;
use crate::domain::trusted_domains::TrustedDomains;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn get(tx: &PgTx, community: CommunityId) -> Result<Option<TrustedDomains>, StoreError> {
    tx.query_opt(
        "SELECT body FROM community_trusted_domains WHERE community = $1",
        &[&community.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn put(tx: &PgTx, community: CommunityId, trusted: &TrustedDomains) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO community_trusted_domains (community, body) VALUES ($1, $2)
         ON CONFLICT (community) DO UPDATE SET body = EXCLUDED.body",
        &[&community.0, &encode(trusted)?],
    )?;
    Ok(())
}

pub fn delete(tx: &PgTx, community: CommunityId) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM community_trusted_domains WHERE community = $1",
        &[&community.0],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::domain::ids::{CommunityId, PrincipalId, UserId};
    use crate::domain::trusted_domains::{EmailDomain, SetBy, TrustedDomains};
    use crate::store::pg::communities::{on_both, read, write};
    use crate::store::trusted_domains;
    use chrono::{TimeZone, Utc};

    #[test]
    fn a_community_trusts_any_domain_until_set_and_forgets_its_list_with_it() {
        let (community, other) = (CommunityId::generate(), CommunityId::generate());
        let chosen = TrustedDomains {
            allowed: vec![EmailDomain::parse("partner.org").unwrap()],
            auto_confirm: true,
            set_by: Some(SetBy {
                principal: PrincipalId::User(UserId::generate()),
                name: "admin@owner.example".into(),
                at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            }),
        };
        let answers = on_both(|store| {
            let before = read(store, |tx| trusted_domains::stored(tx, community))?;
            write(store, |tx| {
                trusted_domains::put(tx, community, &TrustedDomains::default())?;
                trusted_domains::put(tx, community, &chosen)
            })?;
            let after = read(store, |tx| {
                Ok((
                    trusted_domains::of_community(tx, community)?,
                    trusted_domains::of_community(tx, other)?,
                ))
            })?;
            write(store, |tx| trusted_domains::forget(tx, community))?;
            let gone = read(store, |tx| trusted_domains::stored(tx, community))?;
            Ok((before, after, gone))
        });
        let Some((before, (after, untouched), gone)) = answers else {
            return;
        };
        assert_eq!(before, None);
        assert_eq!(after, chosen);
        assert_eq!(untouched, TrustedDomains::default());
        assert_eq!(gone, None);
    }
}
