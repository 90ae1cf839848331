//! The tick boxes that give a user or a client the tenant's own roles, on
//! the Users and Clients pages. Each ticked box sends `custom_role=<id>`,
//! once per role, so these forms are read as the pairs they are (a form
//! struct keeps only one value per name).

use crate::app::AppError;
use crate::domain::custom_role::CustomRole;
use crate::domain::ids::CustomRoleId;
use crate::domain::role::{Role, RoleSet};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The field each custom role's tick box sends.
const FIELD: &str = "custom_role";

/// Said when a ticked role is not the tenant's (`RoleIds` refused): most
/// likely deleted since the page was shown.
pub const ROLE_GONE: &str = "A role you ticked is not one of your tenant's roles any more (it may have been deleted). Nothing was saved; tick the roles again on the page as it is now.";

/// A posted form, name and value in the order sent.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or empty.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }

    /// Whether a tick box named `name` was ticked.
    pub fn ticked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The built-in tenant roles ticked (`administrator`, `member`).
    pub fn built_in_roles(&self) -> RoleSet {
        [
            ("administrator", Role::TenantAdministrator),
            ("member", Role::TenantMember),
        ]
        .into_iter()
        .filter(|(name, _)| self.ticked(name))
        .fold(RoleSet::EMPTY, |set, (_, role)| set.with(role))
    }

    /// The custom roles ticked. A value that is no GUID was not sent by the
    /// page: 400 naming the roles; the use case checks each is the tenant's.
    pub fn custom_roles(&self) -> Result<Vec<CustomRoleId>, AppError> {
        let mut out = Vec::new();
        for (_, raw) in self.0.iter().filter(|(n, _)| n == FIELD) {
            let id = Uuid::try_parse(raw.trim())
                .map(CustomRoleId)
                .map_err(|_| AppError::invalid("RoleIds", "holds a role that is not a GUID"))?;
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }
}

/// One custom role's tick box.
#[derive(Serialize)]
pub struct Tick {
    pub id: String,
    pub name: String,
    pub ticked: bool,
}

/// A tick box per custom role of the tenant, ticked where `held` has it.
pub fn ticks(roles: &[CustomRole], held: &[CustomRoleId]) -> Vec<Tick> {
    roles
        .iter()
        .map(|r| Tick {
            id: r.id.to_string(),
            name: r.name.clone(),
            ticked: held.contains(&r.id),
        })
        .collect()
}

/// The names of the custom roles in `held`, in the tenant's order.
pub fn names<'a>(roles: &'a [CustomRole], held: &[CustomRoleId]) -> Vec<&'a str> {
    roles
        .iter()
        .filter(|r| held.contains(&r.id))
        .map(|r| r.name.as_str())
        .collect()
}
