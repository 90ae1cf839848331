//! AVEVA Data Hub's per-community settings on PostgreSQL (see
//! `store::profiles`): each an optional string in a table of its own, a
//! row present only while the value is set. The twins of
//! `memberships::remove` and `communities::delete` may call
//! `remove_member` and `set_community_region(.., None)` here.

use super::tx::{Params, PgTx};
use crate::domain::ids::{CommunityId, TenantId};
use crate::store::error::StoreError;

/// How one optional value is written: `set` upserts it (its parameters
/// are the key's, then the value), `clear` deletes the key's row.
struct Statements {
    set: &'static str,
    clear: &'static str,
}

const CONTACT_EMAIL: Statements = Statements {
    set: "INSERT INTO member_contact_emails (community, tenant, email) VALUES ($1, $2, $3)
          ON CONFLICT (community, tenant) DO UPDATE SET email = EXCLUDED.email",
    clear: "DELETE FROM member_contact_emails WHERE community = $1 AND tenant = $2",
};

const MEMBER_REGION: Statements = Statements {
    set: "INSERT INTO member_preferred_regions (community, tenant, region) VALUES ($1, $2, $3)
          ON CONFLICT (community, tenant) DO UPDATE SET region = EXCLUDED.region",
    clear: "DELETE FROM member_preferred_regions WHERE community = $1 AND tenant = $2",
};

const COMMUNITY_REGION: Statements = Statements {
    set: "INSERT INTO community_preferred_regions (community, region) VALUES ($1, $2)
          ON CONFLICT (community) DO UPDATE SET region = EXCLUDED.region",
    clear: "DELETE FROM community_preferred_regions WHERE community = $1",
};

const EXTERNAL_ACCOUNT: Statements = Statements {
    set: "INSERT INTO tenant_external_accounts (tenant, account) VALUES ($1, $2)
          ON CONFLICT (tenant) DO UPDATE SET account = EXCLUDED.account",
    clear: "DELETE FROM tenant_external_accounts WHERE tenant = $1",
};

/// Writes `value` under `key`, or removes the key's row when it is `None`.
fn set_or_clear(
    pg: &PgTx,
    statements: &Statements,
    key: Params,
    value: Option<&str>,
) -> Result<(), StoreError> {
    match value {
        Some(value) => {
            let mut params = key.to_vec();
            params.push(&value);
            pg.execute(statements.set, &params)?
        }
        None => pg.execute(statements.clear, key)?,
    };
    Ok(())
}

/// A member tenant's (contact email, preferred region) in a community, in
/// one round trip.
pub fn member(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(Option<String>, Option<String>), StoreError> {
    let row = pg.query_one(
        "SELECT (SELECT email FROM member_contact_emails
                  WHERE community = $1 AND tenant = $2),
                (SELECT region FROM member_preferred_regions
                  WHERE community = $1 AND tenant = $2)",
        &[&community.0, &tenant.0],
    )?;
    Ok((row.get(0), row.get(1)))
}

pub fn set_member(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
    contact_email: Option<&str>,
    preferred_region: Option<&str>,
) -> Result<(), StoreError> {
    let key: Params = &[&community.0, &tenant.0];
    set_or_clear(pg, &CONTACT_EMAIL, key, contact_email)?;
    set_or_clear(pg, &MEMBER_REGION, key, preferred_region)
}

/// Forgets what a member tenant set in a community (it left).
pub fn remove_member(
    pg: &PgTx,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(), StoreError> {
    set_member(pg, community, tenant, None, None)
}

pub fn community_region(pg: &PgTx, community: CommunityId) -> Result<Option<String>, StoreError> {
    let row = pg.query_opt(
        "SELECT region FROM community_preferred_regions WHERE community = $1",
        &[&community.0],
    )?;
    Ok(row.map(|r| r.get(0)))
}

pub fn set_community_region(
    pg: &PgTx,
    community: CommunityId,
    region: Option<&str>,
) -> Result<(), StoreError> {
    set_or_clear(pg, &COMMUNITY_REGION, &[&community.0], region)
}

pub fn external_account(pg: &PgTx, tenant: TenantId) -> Result<Option<String>, StoreError> {
    let row = pg.query_opt(
        "SELECT account FROM tenant_external_accounts WHERE tenant = $1",
        &[&tenant.0],
    )?;
    Ok(row.map(|r| r.get(0)))
}

pub fn set_external_account(
    pg: &PgTx,
    tenant: TenantId,
    account: Option<&str>,
) -> Result<(), StoreError> {
    set_or_clear(pg, &EXTERNAL_ACCOUNT, &[&tenant.0], account)
}

#[cfg(test)]
mod tests {
    use crate::domain::ids::{CommunityId, TenantId};
    use crate::store::pg::testing;
    use crate::store::profiles::{self, MemberProfile};
    use crate::store::{Store, StoreError, WriteTx};
    use uuid::Uuid;

    fn write(store: &Store, f: impl Fn(&WriteTx) -> Result<(), StoreError> + Send) {
        store.write_blocking(f).expect("write")
    }

    fn profile(email: Option<&str>, region: Option<&str>) -> MemberProfile {
        MemberProfile {
            contact_email: email.map(Into::into),
            preferred_region_id: region.map(Into::into),
        }
    }

    /// Every answer along one story, so the two backends can be compared.
    fn story(store: &Store) -> Vec<String> {
        let c = CommunityId(Uuid::from_u128(1));
        let (t, other) = (TenantId(Uuid::from_u128(2)), TenantId(Uuid::from_u128(3)));
        let mut seen = Vec::new();
        let mut look = |store: &Store| {
            let answer = store.read_blocking(|tx| {
                Ok::<_, StoreError>((
                    profiles::member(tx, c, t)?,
                    profiles::member(tx, c, other)?,
                    profiles::community_region(tx, c)?,
                    profiles::external_account(tx, t)?,
                ))
            });
            seen.push(format!("{:?}", answer.expect("read")));
        };
        look(store);
        write(store, |tx| {
            profiles::set_member(tx, c, t, &profile(Some("a@example.com"), Some("eu")))?;
            profiles::set_member(tx, c, other, &profile(Some("b@example.com"), None))?;
            profiles::set_community_region(tx, c, Some("us"))?;
            profiles::set_external_account(tx, t, Some("acct-1"))
        });
        look(store);
        write(store, |tx| {
            profiles::set_member(tx, c, t, &profile(None, Some("au")))?;
            profiles::set_community_region(tx, c, Some("eu"))?;
            profiles::set_external_account(tx, t, Some("acct-2"))
        });
        look(store);
        write(store, |tx| {
            profiles::remove_member(tx, c, t)?;
            profiles::set_community_region(tx, c, None)?;
            profiles::set_external_account(tx, t, None)
        });
        look(store);
        seen
    }

    #[test]
    fn profiles_answer_as_on_redb() {
        let dir = tempfile::tempdir().unwrap();
        let Some(pg) = testing::fresh_store(&dir.path().join("pg")) else {
            eprintln!("skipped: {} is unset", testing::TEST_DATABASE_URL);
            return;
        };
        let on_pg = story(&pg.unwrap());
        assert_eq!(on_pg, story(&Store::open(dir.path()).unwrap()));
        let (none, b) = (profile(None, None), profile(Some("b@example.com"), None));
        let expected = [
            format!("({none:?}, {none:?}, None, None)"),
            format!(
                "({:?}, {b:?}, Some(\"us\"), Some(\"acct-1\"))",
                profile(Some("a@example.com"), Some("eu"))
            ),
            format!(
                "({:?}, {b:?}, Some(\"eu\"), Some(\"acct-2\"))",
                profile(None, Some("au"))
            ),
            format!("({none:?}, {b:?}, None, None)"),
        ];
        assert_eq!(on_pg, expected);
    }
}
