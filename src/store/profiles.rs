//! AVEVA Data Hub's per-community settings, each in a table of its own
//! (plain strings, so no record layout changes): a community's preferred
//! region, a member tenant's contact email and preferred region there, and
//! a tenant's external account id. A membership's rows go with it
//! (`memberships::remove`), a community's with it (`communities::delete`).

use super::error::StoreError;
use super::lookup::{Kind, Lookup};
use super::pg::profiles as pg_profiles;
use super::tables::{
    COMMUNITY_PREFERRED_REGIONS, MEMBER_CONTACT_EMAILS, MEMBER_PREFERRED_REGIONS,
    TENANT_EXTERNAL_ACCOUNTS,
};
use super::tx::{redb_or_pg, redb_write_or_pg, Readable, RedbReadable, Writable};
use crate::domain::ids::{CommunityId, TenantId};
use redb::{ReadableTable, TableDefinition, WriteTransaction};
use uuid::Uuid;

impl Lookup<MemberProfile> {
    pub(super) fn member_profile(community: CommunityId, tenant: TenantId) -> Self {
        Self::new(
            Kind::MemberProfile,
            [community.0.as_u128(), tenant.0.as_u128(), 0],
        )
    }
}

/// What a member tenant set for itself in one community.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberProfile {
    pub contact_email: Option<String>,
    pub preferred_region_id: Option<String>,
}

type MemberTable = TableDefinition<'static, (Uuid, Uuid), &'static str>;

fn member_value(
    tx: &impl RedbReadable,
    def: MemberTable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<Option<String>, StoreError> {
    let table = tx.table(def)?;
    let found = table.get((community.0, tenant.0))?;
    Ok(found.map(|v| v.value().to_string()))
}

fn set_member_value(
    tx: &WriteTransaction,
    def: MemberTable,
    community: CommunityId,
    tenant: TenantId,
    value: Option<&str>,
) -> Result<(), StoreError> {
    let mut table = tx.open_table(def)?;
    match value {
        Some(v) => table.insert((community.0, tenant.0), v)?,
        None => table.remove((community.0, tenant.0))?,
    };
    Ok(())
}

pub fn member(
    tx: &impl Readable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<MemberProfile, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg.recall(
        Lookup::member_profile(community, tenant),
        || {
            let (contact_email, preferred_region_id) = pg_profiles::member(pg, community, tenant)?;
            Ok(MemberProfile {
                contact_email,
                preferred_region_id,
            })
        }
    ));
    tx.recall(Lookup::member_profile(community, tenant), || {
        Ok(MemberProfile {
            contact_email: member_value(tx, MEMBER_CONTACT_EMAILS, community, tenant)?,
            preferred_region_id: member_value(tx, MEMBER_PREFERRED_REGIONS, community, tenant)?,
        })
    })
}

pub fn set_member(
    tx: &impl Writable,
    community: CommunityId,
    tenant: TenantId,
    profile: &MemberProfile,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| pg_profiles::set_member(
        pg,
        community,
        tenant,
        profile.contact_email.as_deref(),
        profile.preferred_region_id.as_deref()
    ));
    set_member_value(
        tx,
        MEMBER_CONTACT_EMAILS,
        community,
        tenant,
        profile.contact_email.as_deref(),
    )?;
    set_member_value(
        tx,
        MEMBER_PREFERRED_REGIONS,
        community,
        tenant,
        profile.preferred_region_id.as_deref(),
    )
}

pub fn remove_member(
    tx: &impl Writable,
    community: CommunityId,
    tenant: TenantId,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| pg_profiles::remove_member(pg, community, tenant));
    set_member(tx, community, tenant, &MemberProfile::default())
}

pub fn community_region(
    tx: &impl Readable,
    community: CommunityId,
) -> Result<Option<String>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg
        .recall(Lookup::community_region(community), || {
            pg_profiles::community_region(pg, community)
        }));
    tx.recall(Lookup::community_region(community), || {
        let table = tx.table(COMMUNITY_PREFERRED_REGIONS)?;
        let found = table.get(community.0)?;
        Ok(found.map(|v| v.value().to_string()))
    })
}

pub fn set_community_region(
    tx: &impl Writable,
    community: CommunityId,
    region: Option<&str>,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| pg_profiles::set_community_region(
        pg, community, region
    ));
    let mut table = tx.open_table(COMMUNITY_PREFERRED_REGIONS)?;
    match region {
        Some(r) => table.insert(community.0, r)?,
        None => table.remove(community.0)?,
    };
    Ok(())
}

pub fn external_account(
    tx: &impl Readable,
    tenant: TenantId,
) -> Result<Option<String>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| pg_profiles::external_account(pg, tenant));
    let table = tx.table(TENANT_EXTERNAL_ACCOUNTS)?;
    let found = table.get(tenant.0)?;
    Ok(found.map(|v| v.value().to_string()))
}

pub fn set_external_account(
    tx: &impl Writable,
    tenant: TenantId,
    account: Option<&str>,
) -> Result<(), StoreError> {
    let tx = redb_write_or_pg!(tx, |pg| pg_profiles::set_external_account(
        pg, tenant, account
    ));
    let mut table = tx.open_table(TENANT_EXTERNAL_ACCOUNTS)?;
    match account {
        Some(a) => table.insert(tenant.0, a)?,
        None => table.remove(tenant.0)?,
    };
    Ok(())
}
