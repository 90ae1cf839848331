//! The reads of one request about one community, in one statement: a GET
//! of a community looks up its caller, the caller's tenant, the community,
//! the caller's membership and roles there, every member with its tenant,
//! role counts and profile, and the community's trusted domains. As
//! separate statements that is a dozen round trips; here it is one (see
//! `store::prefetch`, which hands each answer to the lookup that would
//! have asked). A write about a community reads the caller's five the
//! same way.

use super::grants::{byte, count};
use super::tx::PgTx;
use crate::domain::community::Community;
use crate::domain::identity::{Client, Holder, User};
use crate::domain::ids::{CommunityId, PrincipalId, PrincipalKind, TenantId};
use crate::domain::membership::Membership;
use crate::domain::role::RoleSet;
use crate::domain::tenant::Tenant;
use crate::domain::trusted_domains::TrustedDomains;
use crate::store::codec::decode;
use crate::store::error::StoreError;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

/// What `community` looks like to `principal` of `tenant`, as the single
/// lookups would answer.
pub struct CommunityRead {
    pub caller: CallerRead,
    pub region: Option<String>,
    pub share_counts: Vec<(TenantId, u64)>,
    pub trusted_domains: Option<TrustedDomains>,
    /// In tenant order, like `memberships::of_community`.
    pub members: Vec<Member>,
}

/// The caller as every use case about a community checks it first.
pub struct CallerRead {
    pub principal: Option<Holder>,
    pub tenant: Option<Tenant>,
    pub community: Option<Community>,
    pub membership: Option<Membership>,
    pub grant: RoleSet,
}

pub struct Member {
    pub membership: Membership,
    pub tenant: Option<Tenant>,
    /// (users, clients) holding a community role.
    pub grant_counts: (u32, u32),
    pub contact_email: Option<String>,
    pub region: Option<String>,
}

/// The caller's parts, columns 0 to 4 of both statements: `$1` the
/// principal (`$2` true for a user), `$3` its tenant, `$4` the community.
macro_rules! caller_columns {
    () => {
        "
    CASE WHEN $2 THEN (SELECT body FROM users WHERE id = $1)
         ELSE (SELECT body FROM clients WHERE id = $1) END,
    (SELECT body FROM tenants WHERE id = $3),
    (SELECT body FROM communities WHERE id = $4),
    (SELECT body FROM memberships WHERE community = $4 AND tenant = $3),
    (SELECT roles FROM grants WHERE community = $4 AND tenant = $3 AND principal = $1)"
    };
}

const CALLER_SQL: &str = concat!("SELECT", caller_columns!());

/// One row: the caller's parts as columns, the members' and the shares'
/// as arrays in tenant order (NULL when there are none).
pub(super) const SQL: &str = concat!(
    "SELECT",
    caller_columns!(),
    ",
    (SELECT region FROM community_preferred_regions WHERE community = $4),
    shared.tenants, shared.counts,
    members.bodies, members.tenants, members.users, members.clients,
    members.emails, members.regions,
    (SELECT body FROM community_trusted_domains WHERE community = $4)
FROM
    (SELECT array_agg(tenant ORDER BY tenant) AS tenants,
            array_agg(n ORDER BY tenant) AS counts
       FROM (SELECT tenant, count(*) AS n FROM shares WHERE community = $4
              GROUP BY tenant) AS s) AS shared,
    (SELECT array_agg(m.body ORDER BY m.tenant) AS bodies,
            array_agg(t.body ORDER BY m.tenant) AS tenants,
            array_agg(g.users ORDER BY m.tenant) AS users,
            array_agg(g.clients ORDER BY m.tenant) AS clients,
            array_agg(e.email ORDER BY m.tenant) AS emails,
            array_agg(r.region ORDER BY m.tenant) AS regions
       FROM memberships m
       LEFT JOIN tenants t ON t.id = m.tenant
       LEFT JOIN member_contact_emails e ON e.community = $4 AND e.tenant = m.tenant
       LEFT JOIN member_preferred_regions r ON r.community = $4 AND r.tenant = m.tenant
       CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE kind = $5) AS users,
                  count(*) FILTER (WHERE kind = $6) AS clients
             FROM grants WHERE community = $4 AND tenant = m.tenant) AS g
      WHERE m.community = $4) AS members"
);

/// The caller alone, in one statement.
pub fn caller(
    pg: &PgTx,
    principal: PrincipalId,
    tenant: TenantId,
    community: CommunityId,
) -> Result<CallerRead, StoreError> {
    let row = pg.query_one(
        CALLER_SQL,
        &[
            &principal.as_uuid(),
            &(principal.kind() == PrincipalKind::User),
            &tenant.0,
            &community.0,
        ],
    )?;
    caller_of(&row, principal)
}

fn caller_of(row: &Row, principal: PrincipalId) -> Result<CallerRead, StoreError> {
    let principal_body: Option<&[u8]> = row.get(0);
    let principal = match (principal, principal_body) {
        (_, None) => None,
        (PrincipalId::User(_), Some(body)) => {
            let user: User = decode(body)?;
            Some(user.holder())
        }
        (PrincipalId::Client(_), Some(body)) => {
            let client: Client = decode(body)?;
            Some(client.holder())
        }
    };
    let grant = match row.get::<_, Option<i16>>(4) {
        Some(bits) => RoleSet::from_bits(byte(bits)?),
        None => RoleSet::default(),
    };
    Ok(CallerRead {
        principal,
        tenant: optional(row.get(1))?,
        community: optional(row.get(2))?,
        membership: optional(row.get(3))?,
        grant,
    })
}

pub fn community(
    pg: &PgTx,
    principal: PrincipalId,
    tenant: TenantId,
    community: CommunityId,
) -> Result<CommunityRead, StoreError> {
    let row = pg.query_one(SQL, &Params::new(principal, tenant, community).all())?;
    let sharers: Vec<uuid::Uuid> = array(&row, 6);
    let shared: Vec<i64> = array(&row, 7);
    let share_counts = sharers
        .into_iter()
        .zip(shared)
        .map(|(t, n)| Ok((TenantId(t), count(n)?)))
        .collect::<Result<_, StoreError>>()?;
    Ok(CommunityRead {
        caller: caller_of(&row, principal)?,
        region: row.get(5),
        share_counts,
        members: members(&row)?,
        trusted_domains: optional(row.get(14))?,
    })
}

/// `SQL`'s parameters, `$1` to `$6`.
pub(super) struct Params {
    principal: uuid::Uuid,
    is_user: bool,
    tenant: uuid::Uuid,
    community: uuid::Uuid,
    user_kind: i16,
    client_kind: i16,
}

impl Params {
    pub(super) fn new(principal: PrincipalId, tenant: TenantId, community: CommunityId) -> Self {
        Self {
            principal: principal.as_uuid(),
            is_user: principal.kind() == PrincipalKind::User,
            tenant: tenant.0,
            community: community.0,
            user_kind: i16::from(PrincipalKind::User.code()),
            client_kind: i16::from(PrincipalKind::Client.code()),
        }
    }

    /// In order, as the statement numbers them.
    pub(super) fn all(&self) -> [&(dyn ToSql + Sync); 6] {
        [
            &self.principal,
            &self.is_user,
            &self.tenant,
            &self.community,
            &self.user_kind,
            &self.client_kind,
        ]
    }
}

fn members(row: &Row) -> Result<Vec<Member>, StoreError> {
    let bodies: Vec<&[u8]> = array(row, 8);
    let tenants: Vec<Option<&[u8]>> = array(row, 9);
    let users: Vec<i64> = array(row, 10);
    let clients: Vec<i64> = array(row, 11);
    let emails: Vec<Option<String>> = array(row, 12);
    let regions: Vec<Option<String>> = array(row, 13);
    let mut out = Vec::with_capacity(bodies.len());
    for (i, body) in bodies.into_iter().enumerate() {
        out.push(Member {
            membership: decode(body)?,
            tenant: optional(tenants[i])?,
            grant_counts: (count(users[i])?, count(clients[i])?),
            contact_email: emails[i].clone(),
            region: regions[i].clone(),
        });
    }
    Ok(out)
}

/// An `array_agg` column: NULL when it aggregated no rows.
fn array<'r, T: tokio_postgres::types::FromSql<'r>>(
    row: &'r tokio_postgres::Row,
    column: usize,
) -> Vec<T> {
    row.get::<_, Option<Vec<T>>>(column).unwrap_or_default()
}

fn optional<T: crate::store::codec::Record>(body: Option<&[u8]>) -> Result<Option<T>, StoreError> {
    body.map(decode).transpose()
}

#[cfg(test)]
mod tests {
    use super::super::communities::{on_postgres, read, write};
    use super::super::memberships::membership;
    use crate::domain::community::{Community, CommunityName};
    use crate::domain::email::EmailAddress;
    use crate::domain::identity::{Client, Holder, NewSecret, User};
    use crate::domain::ids::{ClientId, CommunityId, PrincipalId, TenantId, UserId};
    use crate::domain::membership::{CommunityTenantStatus, Membership};
    use crate::domain::role::{Role, RoleSet};
    use crate::domain::tenant::{Tenant, TenantState};
    use crate::store::profiles::{self, MemberProfile};
    use crate::store::tx::{ReadSide, ReadTx, WriteSide};
    use crate::store::{
        communities, grants, identities, memberships, prefetch, shares, tenants, Store, StoreError,
        Writable, WriteTx,
    };
    use chrono::Utc;
    use uuid::Uuid;

    struct World {
        community: CommunityId,
        caller: User,
        /// The caller's tenant first, then the other members'.
        tenants: Vec<TenantId>,
    }

    fn tenant(name: &str) -> Tenant {
        Tenant {
            id: TenantId(Uuid::new_v4()),
            company_name: name.into(),
            alias: name.to_lowercase(),
            state: TenantState::Active,
            created: Utc::now(),
            last_updated: Utc::now(),
        }
    }

    /// A community of three member tenants (one whose tenant record is
    /// gone), with community roles, profiles, a region and shares.
    fn world(store: &Store) -> Result<World, StoreError> {
        let (owner, other) = (tenant("Contoso"), tenant("Fabrikam"));
        let vanished = TenantId(Uuid::new_v4());
        let community = Community {
            id: CommunityId::generate(),
            owner: owner.id,
            name: CommunityName::parse("Plant data").unwrap(),
            description: "shared".into(),
            created: Utc::now(),
        };
        let caller = User::new(
            UserId::generate(),
            owner.id,
            EmailAddress::parse("admin@contoso.example").unwrap(),
            "hash".into(),
            RoleSet::of(&[Role::TenantAdministrator]),
            Utc::now(),
        );
        let script = Client::new(
            ClientId::generate(),
            other.id,
            "script".into(),
            RoleSet::of(&[Role::TenantMember]),
            NewSecret {
                hash: "secret".into(),
                fingerprint: 0,
                description: String::new(),
                expires: None,
            },
            Utc::now(),
        );
        let c = community.id;
        write(store, |tx| {
            tenants::put(tx, &owner)?.unwrap();
            tenants::put(tx, &other)?.unwrap();
            identities::put_user(tx, &caller)?;
            identities::put_client(tx, &script)?;
            communities::put(tx, &community)?;
            let mut owning = membership(c, owner.id, CommunityTenantStatus::Active);
            owning.is_owner = true;
            memberships::put(tx, &owning)?;
            memberships::put(tx, &membership(c, other.id, CommunityTenantStatus::Paused))?;
            memberships::put(tx, &membership(c, vanished, CommunityTenantStatus::Active))?;
            let admin = RoleSet::of(&[Role::CommunityAdministrator]);
            grants::set(tx, c, owner.id, PrincipalId::User(caller.id), admin)?;
            grants::set(tx, c, other.id, PrincipalId::Client(script.id), admin)?;
            profiles::set_member(
                tx,
                c,
                other.id,
                &MemberProfile {
                    contact_email: Some("ops@fabrikam.example".into()),
                    preferred_region_id: Some("westeurope".into()),
                },
            )?;
            profiles::set_community_region(tx, c, Some("eastus"))?;
            shares::add(tx, c, owner.id, "default/a")?;
            shares::add(tx, c, owner.id, "default/b")?;
            shares::add(tx, c, other.id, "default/c")
        })?;
        Ok(World {
            community: c,
            caller,
            tenants: vec![owner.id, other.id, vanished],
        })
    }

    type PerMember = (
        Option<Tenant>,
        (u32, u32),
        MemberProfile,
        Option<Membership>,
    );

    /// Every lookup a view of the community makes, as the caller.
    #[allow(clippy::type_complexity)]
    fn lookups(
        tx: &ReadTx,
        w: &World,
    ) -> Result<
        (
            Option<Holder>,
            Option<Community>,
            RoleSet,
            Option<String>,
            Vec<(TenantId, u64)>,
            Vec<Membership>,
            Vec<PerMember>,
        ),
        StoreError,
    > {
        let c = w.community;
        let per_member = w
            .tenants
            .iter()
            .map(|t| {
                Ok((
                    tenants::get(tx, *t)?,
                    grants::counts(tx, c, *t)?,
                    profiles::member(tx, c, *t)?,
                    memberships::get(tx, c, *t)?,
                ))
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((
            identities::principal(tx, PrincipalId::User(w.caller.id))?,
            communities::get(tx, c)?,
            grants::get(tx, c, w.caller.tenant, PrincipalId::User(w.caller.id))?,
            profiles::community_region(tx, c)?,
            communities::share_counts(tx, c)?,
            memberships::of_community(tx, c)?,
            per_member,
        ))
    }

    fn statements(tx: &ReadTx) -> u32 {
        match tx.0 {
            ReadSide::Pg(pg) => pg.statements(),
            ReadSide::Redb(_) => unreachable!("a PostgreSQL store"),
        }
    }

    #[test]
    fn one_statement_answers_every_lookup_of_a_view_as_the_lookups_would() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let w = world(&store).unwrap();
        let (looked_up, sent_alone) =
            read(&store, |tx| Ok((lookups(tx, &w)?, statements(tx)))).unwrap();
        let (read_ahead, sent_ahead) = read(&store, |tx| {
            prefetch::community_view(
                tx,
                PrincipalId::User(w.caller.id),
                w.caller.tenant,
                w.community,
            )?;
            Ok((lookups(tx, &w)?, statements(tx)))
        })
        .unwrap();
        assert_eq!(read_ahead, looked_up);
        assert_eq!(looked_up.5.len(), 3, "three members");
        assert_eq!(
            looked_up.4.iter().map(|(_, n)| n).sum::<u64>(),
            3,
            "three shares"
        );
        assert_eq!(sent_ahead, 1, "one statement read ahead answers them all");
        assert!(sent_alone > 15, "alone, {sent_alone} statements");
    }

    #[test]
    fn a_stranger_or_a_deleted_caller_is_read_ahead_as_absent() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let w = world(&store).unwrap();
        let stranger = PrincipalId::User(UserId::generate());
        let nowhere = TenantId(Uuid::new_v4());
        let (principal, tenant, membership, sent) = read(&store, |tx| {
            prefetch::community_view(tx, stranger, nowhere, w.community)?;
            Ok((
                identities::principal(tx, stranger)?,
                tenants::get(tx, nowhere)?,
                memberships::get(tx, w.community, nowhere)?,
                statements(tx),
            ))
        })
        .unwrap();
        assert_eq!((principal, tenant, membership, sent), (None, None, None, 1));
    }

    #[test]
    fn a_community_without_members_or_shares_is_read_ahead_empty() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let w = world(&store).unwrap();
        // The caller's lookups only: other tenants are no members here.
        let empty = World {
            community: CommunityId::generate(),
            tenants: Vec::new(),
            ..w
        };
        let looked_up = read(&store, |tx| lookups(tx, &empty)).unwrap();
        let read_ahead = read(&store, |tx| {
            let caller = PrincipalId::User(empty.caller.id);
            prefetch::community_view(tx, caller, empty.caller.tenant, empty.community)?;
            Ok((lookups(tx, &empty)?, statements(tx)))
        })
        .unwrap();
        assert_eq!(read_ahead, (looked_up, 1));
        assert!(read_ahead.0 .5.is_empty() && read_ahead.0 .4.is_empty());
    }

    /// The caller's checks as a write makes them: the principal, its
    /// tenant, the community, the membership and the roles.
    #[allow(clippy::type_complexity)]
    fn caller_lookups(
        tx: &WriteTx,
        w: &World,
    ) -> Result<
        (
            Option<Holder>,
            Option<Tenant>,
            Option<Community>,
            Option<Membership>,
            RoleSet,
            u32,
        ),
        StoreError,
    > {
        let (c, me) = (w.community, PrincipalId::User(w.caller.id));
        Ok((
            identities::principal(tx, me)?,
            tenants::get(tx, w.caller.tenant)?,
            communities::get(tx, c)?,
            memberships::get(tx, c, w.caller.tenant)?,
            grants::get(tx, c, w.caller.tenant, me)?,
            match tx.write_side() {
                WriteSide::Pg(pg) => pg.statements(),
                WriteSide::Redb(_) => unreachable!("a PostgreSQL store"),
            },
        ))
    }

    #[test]
    fn a_write_reads_its_caller_ahead_in_one_statement_until_its_next_one() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let w = world(&store).unwrap();
        let me = PrincipalId::User(w.caller.id);
        let (c, tenant) = (w.community, w.caller.tenant);
        let alone = write(&store, |tx| caller_lookups(tx, &w)).unwrap();
        let (ahead, after_a_write) = write(&store, |tx| {
            prefetch::caller_in_community(tx, me, tenant, c)?;
            let ahead = caller_lookups(tx, &w)?;
            grants::set(tx, c, tenant, me, RoleSet::default())?;
            Ok((ahead, grants::get(tx, c, tenant, me)?))
        })
        .unwrap();
        assert_eq!(alone.5, 5, "five statements alone");
        assert_eq!(ahead.5, 1, "one read ahead");
        assert_eq!(
            (ahead.0, ahead.1, ahead.2, ahead.3, ahead.4),
            (alone.0, alone.1, alone.2, alone.3, alone.4)
        );
        assert!(!alone.4.is_empty(), "the caller holds a community role");
        assert_eq!(after_a_write, RoleSet::default(), "read afresh after");
    }

    #[test]
    fn a_write_reads_afresh() {
        let Some((store, _dir)) = on_postgres() else {
            return;
        };
        let w = world(&store).unwrap();
        let caller = PrincipalId::User(w.caller.id);
        let seen = write(&store, |tx| {
            prefetch::community_view(tx, caller, w.caller.tenant, w.community)?;
            grants::set(tx, w.community, w.caller.tenant, caller, RoleSet::default())?;
            grants::get(tx, w.community, w.caller.tenant, caller)
        })
        .unwrap();
        assert_eq!(seen, RoleSet::default(), "the write sees its own change");
    }
}
