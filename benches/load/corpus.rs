//! Databases of a given number of invitations, written straight through the
//! store's functions in large transactions (minutes faster than HTTP), with
//! one tenant and client to read them as.

use chrono::{Duration, Utc};
use communityd::app::admin;
use communityd::domain::community::{Community, CommunityName};
use communityd::domain::email::EmailAddress;
use communityd::domain::ids::{CommunityId, PrincipalId, TenantId};
use communityd::domain::invitation::Invitation;
use communityd::domain::membership::{CommunityTenantStatus, Membership};
use communityd::domain::role::{Role, RoleSet};
use communityd::store::{communities, grants, invitations, memberships, Store, StoreError};
use serde_json::{json, Value};
use std::path::Path;

/// Every community, the measured one included, gets this many invitations.
pub const PER_COMMUNITY: usize = 1000;
const PER_TRANSACTION: usize = 25_000;

pub struct Corpus {
    pub tenant: TenantId,
    pub client: Value,
    pub community: CommunityId,
}

/// `total` invitations spread round-robin over `total / PER_COMMUNITY`
/// communities, so the measured community's records lie scattered through
/// the whole table, as they would after months of use.
pub fn build(dir: &Path, total: usize) -> Corpus {
    let store = Store::open(dir).expect("store");
    let now = Utc::now();
    let tenant = admin::create_tenant(&store, "Contoso", "admin@contoso.example", None, now)
        .expect("tenant");
    let client = admin::create_client(
        &store,
        tenant.tenant_id,
        "reader",
        &[Role::TenantAdministrator],
        now,
    )
    .expect("client");
    let by = PrincipalId::Client(client.client_id);
    let count = (total / PER_COMMUNITY).max(1);
    let ids: Vec<CommunityId> = (0..count).map(|_| CommunityId::generate()).collect();
    store
        .write_blocking(|tx| {
            for (i, &id) in ids.iter().enumerate() {
                let community = Community {
                    id,
                    owner: tenant.tenant_id,
                    name: CommunityName::parse(&format!("Community {i}")).expect("name"),
                    description: String::new(),
                    created: now,
                };
                communities::put(tx, &community)?;
                memberships::put(
                    tx,
                    &Membership {
                        community: id,
                        tenant: tenant.tenant_id,
                        status: CommunityTenantStatus::Active,
                        is_owner: true,
                        joined: now,
                        alias: None,
                        invitation: None,
                        paused_by: None,
                    },
                )?;
                let roles = RoleSet::of(&[Role::CommunityAdministrator, Role::CommunityMember]);
                grants::set(tx, id, tenant.tenant_id, by, roles)?;
            }
            Ok::<_, StoreError>(())
        })
        .expect("communities");
    let mut written = 0;
    while written < total {
        let end = (written + PER_TRANSACTION).min(total);
        store
            .write_blocking(|tx| {
                for n in written..end {
                    let community = ids[n % count];
                    let email = EmailAddress::parse(&format!(
                        "user{}@tenant{}.example",
                        n / count,
                        n % count
                    ))
                    .expect("email");
                    let inv = Invitation::new(
                        community,
                        tenant.tenant_id,
                        by,
                        email,
                        now,
                        Duration::days(14),
                    );
                    invitations::put(tx, &inv)?;
                }
                Ok::<_, StoreError>(())
            })
            .expect("invitations");
        written = end;
    }
    Corpus {
        tenant: tenant.tenant_id,
        client: json!({
            "client_id": client.client_id,
            "client_secret": client.client_secret,
        }),
        community: ids[0],
    }
}
