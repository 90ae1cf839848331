//! The five roles of OCS: two per tenant, three per community.

use super::ids::{CommunityId, TenantId};
use serde::{Deserialize, Serialize};
use uuid::{uuid, Uuid};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    TenantAdministrator,
    TenantMember,
    CommunityAdministrator,
    CommunityModerator,
    CommunityMember,
}

impl Role {
    pub const TENANT: [Role; 2] = [Role::TenantAdministrator, Role::TenantMember];
    pub const COMMUNITY: [Role; 3] = [
        Role::CommunityAdministrator,
        Role::CommunityModerator,
        Role::CommunityMember,
    ];

    /// The display name OCS uses, which is also what the CLI accepts.
    pub fn name(self) -> &'static str {
        match self {
            Role::TenantAdministrator => "Tenant Administrator",
            Role::TenantMember => "Tenant Member",
            Role::CommunityAdministrator => "Community Administrator",
            Role::CommunityModerator => "Community Moderator",
            Role::CommunityMember => "Community Member",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Role::TenantAdministrator => "Manages the tenant, its identities and its community memberships.",
            Role::TenantMember => "Uses the tenant's resources.",
            Role::CommunityAdministrator => "Manages the community: invites and confirms tenants, edits it, assigns any community role in its own tenant.",
            Role::CommunityModerator => "Invites tenants and manages members and clients of its own tenant in the community.",
            Role::CommunityMember => "Sees the community and the data shared in it.",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        let wanted: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        [Self::TENANT.as_slice(), Self::COMMUNITY.as_slice()]
            .concat()
            .into_iter()
            .find(|r| r.name().replace(' ', "").eq_ignore_ascii_case(&wanted))
    }

    /// AVEVA's well-known `RoleTypeId` of each built-in role: clients find
    /// "the Community Member role of community X" by this id, not by name.
    pub fn type_id(self) -> Uuid {
        match self {
            Role::TenantAdministrator => uuid!("2dc742ab-39ea-4fc0-a39e-2bcb71c26a5f"),
            Role::TenantMember => uuid!("7ad2b9ef-5386-4ead-ac9f-ad99c5c5b977"),
            Role::CommunityAdministrator => uuid!("b50b3349-fa9e-4a03-9220-cf99184b4645"),
            Role::CommunityModerator => uuid!("f49f69a6-61b2-423e-8ad5-d58841be441c"),
            Role::CommunityMember => uuid!("f79a55da-7c76-4600-a809-0f62ca9971d9"),
        }
    }

    pub fn is_community_role(self) -> bool {
        Self::COMMUNITY.contains(&self)
    }

    fn bit(self) -> u8 {
        match self {
            Role::TenantAdministrator => 1,
            Role::TenantMember => 2,
            Role::CommunityAdministrator => 4,
            Role::CommunityModerator => 8,
            Role::CommunityMember => 16,
        }
    }

    /// A stable id per role instance: the same role of the same scope (a
    /// tenant or a community) always has the same id, so no table is needed.
    pub fn instance_id(self, scope: Uuid) -> Uuid {
        Uuid::new_v5(&scope, self.name().as_bytes())
    }
}

/// Where a role instance applies (`RoleScope`, sent as an integer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleScope {
    Tenant = 1,
    Community = 2,
}

/// One role as the Roles APIs list it: a built-in role of one tenant or of
/// one community (named after it, as AVEVA names them), or a role the
/// tenant made (`custom_role`), which has no built-in type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleInstance {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub scope: RoleScope,
    pub tenant: Option<TenantId>,
    pub community: Option<CommunityId>,
    /// The built-in role's `RoleTypeId`; none for a custom role.
    pub type_id: Option<Uuid>,
}

impl RoleInstance {
    pub fn of_tenant(role: Role, tenant: TenantId) -> Self {
        Self {
            id: role.instance_id(tenant.0),
            name: role.name().to_string(),
            description: role.description().to_string(),
            scope: RoleScope::Tenant,
            tenant: Some(tenant),
            community: None,
            type_id: Some(role.type_id()),
        }
    }

    /// `community_name` prefixes the role's name: "Plant data Community Member".
    pub fn of_community(role: Role, community: CommunityId, community_name: &str) -> Self {
        Self {
            id: role.instance_id(community.0),
            name: format!("{community_name} {}", role.name()),
            description: role.description().to_string(),
            scope: RoleScope::Community,
            tenant: None,
            community: Some(community),
            type_id: Some(role.type_id()),
        }
    }

    /// Whether this is one of the built-in roles, which nobody changes.
    pub fn is_built_in(&self) -> bool {
        self.type_id.is_some()
    }
}

/// A set of roles, stored as a bitmask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet(u8);

impl RoleSet {
    pub const EMPTY: RoleSet = RoleSet(0);

    pub fn of(roles: &[Role]) -> Self {
        roles.iter().fold(Self::EMPTY, |set, r| set.with(*r))
    }

    pub fn from_bits(bits: u8) -> Self {
        Self(bits & 0b1_1111)
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn with(self, role: Role) -> Self {
        Self(self.0 | role.bit())
    }

    pub fn without(self, role: Role) -> Self {
        Self(self.0 & !role.bit())
    }

    pub fn union(self, other: RoleSet) -> Self {
        Self(self.0 | other.0)
    }

    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn roles(self) -> Vec<Role> {
        [Role::TENANT.as_slice(), Role::COMMUNITY.as_slice()]
            .concat()
            .into_iter()
            .filter(|r| self.contains(*r))
            .collect()
    }

    /// The names of the roles held, tenant roles first.
    pub fn names(self) -> Vec<&'static str> {
        self.roles().into_iter().map(Role::name).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_parse_in_any_spacing_and_case() {
        assert_eq!(
            Role::parse("tenant administrator"),
            Some(Role::TenantAdministrator)
        );
        assert_eq!(
            Role::parse("CommunityModerator"),
            Some(Role::CommunityModerator)
        );
        assert_eq!(Role::parse("Owner"), None);
    }

    #[test]
    fn role_sets_add_and_remove() {
        let set = RoleSet::of(&[Role::TenantMember, Role::CommunityMember]);
        assert!(set.contains(Role::CommunityMember));
        assert!(!set
            .without(Role::CommunityMember)
            .contains(Role::CommunityMember));
    }

    #[test]
    fn community_instances_carry_the_type_id_and_the_community_name() {
        let community = CommunityId::generate();
        let r = RoleInstance::of_community(Role::CommunityMember, community, "Plant data");
        assert_eq!(r.name, "Plant data Community Member");
        assert_eq!(
            r.type_id.map(|t| t.to_string()).as_deref(),
            Some("f79a55da-7c76-4600-a809-0f62ca9971d9")
        );
        assert_eq!(r.id, Role::CommunityMember.instance_id(community.0));
        assert_eq!(r.scope as u8, 2);
        assert_eq!(
            RoleInstance::of_tenant(Role::TenantMember, TenantId::generate()).scope as u8,
            1
        );
    }

    #[test]
    fn instance_ids_are_stable_and_distinct() {
        let scope = Uuid::now_v7();
        assert_eq!(
            Role::CommunityMember.instance_id(scope),
            Role::CommunityMember.instance_id(scope)
        );
        assert_ne!(
            Role::CommunityMember.instance_id(scope),
            Role::CommunityAdministrator.instance_id(scope)
        );
    }
}
