//! A stream's access control list (`RoleTrusteeAccessControlEntries`) and
//! owner, and what rights they give an identity. Sharing a stream into a
//! community is an Allowed entry with Read for that community's Community
//! Member role.

use super::json_body::{field, text_field, Invalid};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

/// `CommonAccessRights` flags.
pub mod rights {
    pub const NONE: u32 = 0;
    pub const READ: u32 = 1;
    pub const WRITE: u32 = 2;
    pub const DELETE: u32 = 4;
    pub const MANAGE_ACCESS_CONTROL: u32 = 8;
    pub const SHARE: u32 = 16;
    pub const ALL: u32 = 31;

    pub const NAMES: [(u32, &str); 5] = [
        (READ, "Read"),
        (WRITE, "Write"),
        (DELETE, "Delete"),
        (MANAGE_ACCESS_CONTROL, "ManageAccessControl"),
        (SHARE, "Share"),
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrusteeType {
    User = 1,
    Client = 2,
    Role = 3,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessType {
    Allowed = 0,
    Denied = 1,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trustee {
    pub kind: TrusteeType,
    pub object_id: Uuid,
    pub tenant_id: Option<Uuid>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessControlEntry {
    pub trustee: Trustee,
    pub access_type: AccessType,
    pub rights: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessControlList {
    pub entries: Vec<AccessControlEntry>,
}

/// Who asks: an identity and the role instance ids it holds.
pub struct Subject<'a> {
    pub kind: TrusteeType,
    pub id: Uuid,
    pub roles: &'a [Uuid],
}

impl Trustee {
    fn matches(&self, who: &Subject) -> bool {
        match self.kind {
            TrusteeType::Role => who.roles.contains(&self.object_id),
            kind => kind == who.kind && self.object_id == who.id,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "Type": self.kind as u8,
            "ObjectId": self.object_id,
            "TenantId": self.tenant_id,
        })
    }

    pub fn parse(value: &Value, path: &str) -> Result<Self, Invalid> {
        let bad = |f: &str, r: &str| Invalid {
            field: format!("{path}{f}"),
            reason: r.to_string(),
        };
        let object = value
            .as_object()
            .ok_or_else(|| bad("", "must be a Trustee object"))?;
        let kind = match field(object, "Type") {
            Some(Value::String(s)) if s.eq_ignore_ascii_case("User") => TrusteeType::User,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("Client") => TrusteeType::Client,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("Role") => TrusteeType::Role,
            Some(Value::Number(n)) if n.as_u64() == Some(1) => TrusteeType::User,
            Some(Value::Number(n)) if n.as_u64() == Some(2) => TrusteeType::Client,
            Some(Value::Number(n)) if n.as_u64() == Some(3) => TrusteeType::Role,
            _ => return Err(bad(".Type", "must be User (1), Client (2) or Role (3)")),
        };
        let object_id = text_field(object, "ObjectId")
            .map_err(|e| bad(".ObjectId", &e.reason))?
            .and_then(|s| Uuid::try_parse(s.trim()).ok())
            .ok_or_else(|| bad(".ObjectId", "must be a GUID"))?;
        let tenant_id =
            match text_field(object, "TenantId").map_err(|e| bad(".TenantId", &e.reason))? {
                None => None,
                Some(s) if s.trim().is_empty() => None,
                Some(s) => Some(
                    Uuid::try_parse(s.trim()).map_err(|_| bad(".TenantId", "must be a GUID"))?,
                ),
            };
        Ok(Self {
            kind,
            object_id,
            tenant_id,
        })
    }
}

impl AccessControlList {
    /// The rights `who` holds: what Allowed entries give, minus what Denied
    /// entries take away.
    pub fn rights_of(&self, who: &Subject) -> u32 {
        let (mut allowed, mut denied) = (0, 0);
        for entry in self.entries.iter().filter(|e| e.trustee.matches(who)) {
            match entry.access_type {
                AccessType::Allowed => allowed |= entry.rights,
                AccessType::Denied => denied |= entry.rights,
            }
        }
        allowed & !denied
    }

    /// Role ids given Read by an Allowed entry (and not denied it).
    pub fn roles_with_read(&self) -> Vec<Uuid> {
        let mut out: Vec<Uuid> = Vec::new();
        for e in &self.entries {
            if e.trustee.kind == TrusteeType::Role && !out.contains(&e.trustee.object_id) {
                let who = Subject {
                    kind: TrusteeType::Role,
                    id: e.trustee.object_id,
                    roles: std::slice::from_ref(&e.trustee.object_id),
                };
                if self.rights_of(&who) & rights::READ != 0 {
                    out.push(e.trustee.object_id);
                }
            }
        }
        out
    }

    /// The list without the entries for the given roles.
    pub fn without_roles(&self, roles: &[Uuid]) -> Self {
        Self {
            entries: self
                .entries
                .iter()
                .filter(|e| {
                    !(e.trustee.kind == TrusteeType::Role && roles.contains(&e.trustee.object_id))
                })
                .cloned()
                .collect(),
        }
    }

    pub fn to_json(&self) -> Value {
        let entries: Vec<Value> = self
            .entries
            .iter()
            .map(|e| {
                json!({
                    "Trustee": e.trustee.to_json(),
                    "AccessType": e.access_type as u8,
                    "AccessRights": e.rights,
                })
            })
            .collect();
        json!({ "RoleTrusteeAccessControlEntries": entries })
    }

    /// Reads an `AccessControlList`; enum values by name or number.
    pub fn parse(value: &Value) -> Result<Self, Invalid> {
        let bad = |f: String, r: &str| Invalid {
            field: f,
            reason: r.to_string(),
        };
        let object = value
            .as_object()
            .ok_or_else(|| bad("body".into(), "must be an AccessControlList object"))?;
        let items = match field(object, "RoleTrusteeAccessControlEntries") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items.clone(),
            Some(_) => {
                return Err(bad(
                    "RoleTrusteeAccessControlEntries".into(),
                    "must be an array",
                ))
            }
        };
        let mut entries = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("RoleTrusteeAccessControlEntries[{i}]");
            let entry = item
                .as_object()
                .ok_or_else(|| bad(path.clone(), "must be an AccessControlEntry object"))?;
            let trustee = Trustee::parse(
                field(entry, "Trustee").unwrap_or(&Value::Null),
                &format!("{path}.Trustee"),
            )?;
            let access_type = match field(entry, "AccessType") {
                None | Some(Value::Null) => AccessType::Allowed,
                Some(Value::String(s)) if s.eq_ignore_ascii_case("Allowed") => AccessType::Allowed,
                Some(Value::String(s)) if s.eq_ignore_ascii_case("Denied") => AccessType::Denied,
                Some(Value::Number(n)) if n.as_u64() == Some(0) => AccessType::Allowed,
                Some(Value::Number(n)) if n.as_u64() == Some(1) => AccessType::Denied,
                _ => {
                    return Err(bad(
                        format!("{path}.AccessType"),
                        "must be Allowed (0) or Denied (1)",
                    ))
                }
            };
            let rights = match field(entry, "AccessRights") {
                None | Some(Value::Null) => rights::NONE,
                Some(Value::Number(n)) => n
                    .as_u64()
                    .filter(|n| *n <= u64::from(rights::ALL))
                    .map(|n| n as u32)
                    .ok_or_else(|| {
                        bad(format!("{path}.AccessRights"), "must be flags from 0 to 31")
                    })?,
                Some(Value::String(s)) => parse_rights(s).ok_or_else(|| {
                    bad(format!("{path}.AccessRights"), "must be flags from 0 to 31")
                })?,
                Some(_) => {
                    return Err(bad(
                        format!("{path}.AccessRights"),
                        "must be flags from 0 to 31",
                    ))
                }
            };
            entries.push(AccessControlEntry {
                trustee,
                access_type,
                rights,
            });
        }
        Ok(Self { entries })
    }
}

/// "Read, Write" or "All" as .NET writes flags.
fn parse_rights(text: &str) -> Option<u32> {
    text.split(',').map(str::trim).try_fold(0, |acc, name| {
        if name.eq_ignore_ascii_case("All") {
            return Some(acc | rights::ALL);
        }
        if name.eq_ignore_ascii_case("None") {
            return Some(acc);
        }
        rights::NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(bit, _)| acc | bit)
    })
}

/// Right names for `.../AccessRights`.
pub fn right_names(held: u32) -> Vec<&'static str> {
    rights::NAMES
        .iter()
        .filter(|(bit, _)| held & bit != 0)
        .map(|(_, n)| *n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdk_share_entry_parses_with_a_type_name() {
        let role = Uuid::now_v7();
        let acl = AccessControlList::parse(&json!({"RoleTrusteeAccessControlEntries": [
            {"AccessRights": 1, "AccessType": 0, "Trustee": {"ObjectId": role.to_string(), "TenantId": null, "Type": "Role"}}
        ]}))
        .unwrap();
        assert_eq!(acl.roles_with_read(), vec![role]);
        assert_eq!(AccessControlList::parse(&acl.to_json()).unwrap(), acl);
    }

    #[test]
    fn denied_rights_win_over_allowed() {
        let role = Uuid::now_v7();
        let me = Uuid::now_v7();
        let acl = AccessControlList {
            entries: vec![
                AccessControlEntry {
                    trustee: Trustee {
                        kind: TrusteeType::Role,
                        object_id: role,
                        tenant_id: None,
                    },
                    access_type: AccessType::Allowed,
                    rights: rights::ALL,
                },
                AccessControlEntry {
                    trustee: Trustee {
                        kind: TrusteeType::Client,
                        object_id: me,
                        tenant_id: None,
                    },
                    access_type: AccessType::Denied,
                    rights: rights::SHARE,
                },
            ],
        };
        let who = Subject {
            kind: TrusteeType::Client,
            id: me,
            roles: &[role],
        };
        assert_eq!(acl.rights_of(&who), rights::ALL & !rights::SHARE);
        let other = Subject {
            kind: TrusteeType::User,
            id: me,
            roles: &[],
        };
        assert_eq!(acl.rights_of(&other), 0);
        assert_eq!(right_names(3), ["Read", "Write"]);
    }

    #[test]
    fn bad_entries_name_the_field() {
        let err = AccessControlList::parse(&json!({"RoleTrusteeAccessControlEntries": [
            {"AccessRights": 1, "Trustee": {"ObjectId": "x", "Type": 3}}
        ]}))
        .unwrap_err();
        assert_eq!(
            err.field,
            "RoleTrusteeAccessControlEntries[0].Trustee.ObjectId"
        );
        let err = AccessControlList::parse(&json!({"RoleTrusteeAccessControlEntries": [
            {"AccessRights": 64, "Trustee": {"ObjectId": Uuid::nil(), "Type": 3}}
        ]}))
        .unwrap_err();
        assert_eq!(err.field, "RoleTrusteeAccessControlEntries[0].AccessRights");
        assert_eq!(parse_rights("Read, Share"), Some(17));
    }
}
