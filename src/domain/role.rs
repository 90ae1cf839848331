//! The five roles of OCS: two per tenant, three per community.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
