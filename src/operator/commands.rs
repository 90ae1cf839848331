//! What an operator can ask, and how each request runs against the store.
//! Everything here blocks (argon2, redb): the server runs it on the
//! blocking pool.

use crate::app::identity_providers::ProviderInput;
use crate::app::{admin, sign_in_policy, AppError};
use crate::domain::identity_provider::ProviderSecret;
use crate::domain::ids::{ClientId, TenantId};
use crate::domain::role::Role;
use crate::domain::tenant::TenantState;
use crate::store::{tenants, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    TenantCreate {
        name: String,
        admin_email: String,
        admin_password: Option<String>,
    },
    TenantList,
    TenantSetState {
        tenant: String,
        state: String,
    },
    /// Sets the parts given of a tenant's sign-in policy.
    TenantSignIn {
        tenant: String,
        passwords: Option<bool>,
        totp_required: Option<bool>,
    },
    UserCreate {
        tenant: String,
        email: String,
        password: Option<String>,
        roles: Vec<String>,
    },
    UserResetPassword {
        tenant: String,
        email: String,
        password: Option<String>,
    },
    ClientCreate {
        tenant: String,
        name: String,
        roles: Vec<String>,
    },
    ClientRotateSecret {
        client: String,
    },
    ClientDelete {
        client: String,
    },
    IdpAdd {
        tenant: String,
        name: String,
        issuer: String,
        client_id: String,
        client_secret: ProviderSecret,
        domains: Vec<String>,
        create_users: bool,
        groups_claim: Option<String>,
        /// "GROUP=ROLE", ROLE a tenant role's name or id.
        group_roles: Vec<String>,
    },
    IdpList {
        tenant: String,
    },
    IdpRemove {
        tenant: String,
        provider: String,
    },
    /// A consistent copy of the database; the socket streams the file back.
    Backup,
}

impl Request {
    /// Changes data (as opposed to only reading it).
    pub fn writes(&self) -> bool {
        !matches!(
            self,
            Request::TenantList | Request::IdpList { .. } | Request::Backup
        )
    }
}

fn to_value(v: impl Serialize) -> Result<Value, String> {
    serde_json::to_value(v).map_err(|e| e.to_string())
}

fn describe(e: AppError) -> String {
    match e {
        AppError::Invalid { field, reason } => format!("--{field}: {reason}"),
        // The operator sees the causes too: it is their machine.
        other => other.detail(),
    }
}

fn parse_roles(names: &[String]) -> Result<Vec<Role>, String> {
    names
        .iter()
        .map(|n| {
            Role::parse(n).ok_or_else(|| {
                format!("unknown role '{n}'; use \"Tenant Administrator\" or \"Tenant Member\"")
            })
        })
        .collect()
}

fn parse_client(text: &str) -> Result<ClientId, String> {
    ClientId::parse(text).ok_or_else(|| format!("'{text}' is not a client id (a GUID)"))
}

/// `--group-role GROUP=ROLE` values as (group, role) pairs.
fn parse_group_roles(values: &[String]) -> Result<Vec<(String, String)>, String> {
    values
        .iter()
        .map(|v| {
            v.rsplit_once('=')
                .map(|(g, r)| (g.trim().to_string(), r.trim().to_string()))
                .ok_or_else(|| format!("--group-role '{v}' must be GROUP=ROLE"))
        })
        .collect()
}

/// A tenant named by id or by name (alias).
fn resolve_tenant(store: &Store, text: &str) -> Result<TenantId, String> {
    let found = store
        .read_blocking(|tx| {
            if let Some(id) = TenantId::parse(text) {
                if let Some(t) = tenants::get(tx, id)? {
                    return Ok(Some(t.id));
                }
            }
            Ok::<_, StoreError>(tenants::by_alias(tx, text)?.map(|t| t.id))
        })
        .map_err(|e| e.to_string())?;
    found.ok_or_else(|| {
        format!("no tenant has the id or name '{text}' (see `communityd tenant list`)")
    })
}

/// Runs one request. `Backup` is not handled here: it needs a file.
pub fn execute(store: &Store, request: Request, now: DateTime<Utc>) -> Result<Value, String> {
    match request {
        Request::TenantCreate {
            name,
            admin_email,
            admin_password,
        } => to_value(
            admin::create_tenant(store, &name, &admin_email, admin_password, now)
                .map_err(describe)?,
        ),
        Request::TenantList => {
            let rows: Vec<Value> = admin::list_tenants(store)
                .map_err(describe)?
                .into_iter()
                .map(|t| {
                    json!({
                        "id": t.id,
                        "name": t.company_name,
                        "alias": t.alias,
                        "state": format!("{:?}", t.state),
                    })
                })
                .collect();
            Ok(json!({ "tenants": rows }))
        }
        Request::TenantSetState { tenant, state } => {
            let id = resolve_tenant(store, &tenant)?;
            let state = TenantState::from_name(&state)
                .or_else(|| state.parse().ok().and_then(TenantState::from_code))
                .ok_or_else(|| {
                    format!("unknown state '{state}'; use a TenantProvisioningState name or number")
                })?;
            let t = admin::set_tenant_state(store, id, state, now).map_err(describe)?;
            Ok(json!({ "tenant_id": t.id, "state": format!("{:?}", t.state) }))
        }
        Request::TenantSignIn {
            tenant,
            passwords,
            totp_required,
        } => {
            let id = resolve_tenant(store, &tenant)?;
            let policy = sign_in_policy::set_by_operator(store, id, passwords, totp_required)
                .map_err(describe)?;
            Ok(json!({
                "tenant_id": id,
                "passwords": policy.passwords,
                "totp_required": policy.totp_required,
            }))
        }
        Request::UserCreate {
            tenant,
            email,
            password,
            roles,
        } => {
            let tenant = resolve_tenant(store, &tenant)?;
            let roles = parse_roles(&roles)?;
            to_value(
                admin::create_user(store, tenant, &email, password, &roles, now)
                    .map_err(describe)?,
            )
        }
        Request::UserResetPassword {
            tenant,
            email,
            password,
        } => {
            let tenant = resolve_tenant(store, &tenant)?;
            to_value(admin::reset_password(store, tenant, &email, password).map_err(describe)?)
        }
        Request::ClientCreate {
            tenant,
            name,
            roles,
        } => {
            let tenant = resolve_tenant(store, &tenant)?;
            let roles = parse_roles(&roles)?;
            to_value(admin::create_client(store, tenant, &name, &roles, now).map_err(describe)?)
        }
        Request::ClientRotateSecret { client } => {
            let id = parse_client(&client)?;
            to_value(admin::rotate_client_secret(store, id, now).map_err(describe)?)
        }
        Request::ClientDelete { client } => {
            let id = parse_client(&client)?;
            admin::delete_client(store, id).map_err(describe)?;
            Ok(json!({ "client_id": id, "deleted": true }))
        }
        Request::IdpAdd {
            tenant,
            name,
            issuer,
            client_id,
            client_secret,
            domains,
            create_users,
            groups_claim,
            group_roles,
        } => {
            let tenant = resolve_tenant(store, &tenant)?;
            let input = ProviderInput {
                name: Some(name),
                issuer: Some(issuer),
                client_id: Some(client_id),
                client_secret: Some(client_secret.expose().to_string()),
                domains: Some(domains),
                create_unknown_users: Some(create_users),
                groups_claim,
                group_roles: Some(parse_group_roles(&group_roles)?),
            };
            to_value(admin::add_identity_provider(store, tenant, input, now).map_err(describe)?)
        }
        Request::IdpList { tenant } => {
            let tenant = resolve_tenant(store, &tenant)?;
            let providers = admin::list_identity_providers(store, tenant).map_err(describe)?;
            Ok(json!({ "identity_providers": to_value(providers)? }))
        }
        Request::IdpRemove { tenant, provider } => {
            let tenant = resolve_tenant(store, &tenant)?;
            let removed =
                admin::remove_identity_provider(store, tenant, &provider).map_err(describe)?;
            Ok(json!({ "removed": to_value(removed)? }))
        }
        Request::Backup => Err("backup is handled by the caller".into()),
    }
}
