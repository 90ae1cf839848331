//! `tenant`, `user` and `client` commands. They open the data dir directly,
//! so they work only while no server holds the database.

use crate::app::{admin, AppError};
use crate::config::Settings;
use crate::domain::ids::TenantId;
use crate::domain::role::Role;
use crate::domain::tenant::TenantState;
use crate::store::{tenants, Store};
use clap::Subcommand;
use serde::Serialize;

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Create a tenant with one Tenant Administrator user.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        /// Generated and printed once when left out.
        #[arg(long)]
        admin_password: Option<String>,
    },
    /// List every tenant.
    List,
    /// Change a tenant's provisioning state (e.g. Deactivated, Active).
    SetState {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        state: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user in a tenant.
    Create {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// Generated and printed once when left out.
        #[arg(long)]
        password: Option<String>,
        /// "Tenant Administrator" or "Tenant Member"; repeatable.
        #[arg(long = "role")]
        roles: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// Create a client; its secret is printed once.
    Create {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// "Tenant Administrator" or "Tenant Member"; repeatable.
        #[arg(long = "role")]
        roles: Vec<String>,
    },
}

fn open(settings: &Settings) -> Result<Store, String> {
    Store::open(&settings.data_dir).map_err(|e| e.to_string())
}

fn print(value: &impl Serialize) -> Result<(), String> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn describe(e: AppError) -> String {
    e.to_string()
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

/// A tenant named by id or by name (alias).
fn resolve_tenant(store: &Store, text: &str) -> Result<TenantId, String> {
    let found = store
        .read_blocking(|tx| {
            if let Some(id) = TenantId::parse(text) {
                if let Some(t) = tenants::get(tx, id)? {
                    return Ok(Some(t.id));
                }
            }
            Ok::<_, crate::store::StoreError>(tenants::by_alias(tx, text)?.map(|t| t.id))
        })
        .map_err(|e| e.to_string())?;
    found.ok_or_else(|| {
        format!("no tenant has the id or name '{text}' (see `communityd tenant list`)")
    })
}

pub fn tenant(settings: &Settings, cmd: TenantCommand) -> Result<(), String> {
    let store = open(settings)?;
    let now = chrono::Utc::now();
    match cmd {
        TenantCommand::Create {
            name,
            admin_email,
            admin_password,
        } => print(
            &admin::create_tenant(&store, &name, &admin_email, admin_password, now)
                .map_err(describe)?,
        ),
        TenantCommand::List => {
            #[derive(Serialize)]
            struct Row {
                id: TenantId,
                name: String,
                alias: String,
                state: String,
            }
            let rows: Vec<Row> = admin::list_tenants(&store)
                .map_err(describe)?
                .into_iter()
                .map(|t| Row {
                    id: t.id,
                    name: t.company_name,
                    alias: t.alias,
                    state: format!("{:?}", t.state),
                })
                .collect();
            print(&serde_json::json!({ "tenants": rows }))
        }
        TenantCommand::SetState { tenant, state } => {
            let id = resolve_tenant(&store, &tenant)?;
            let state = TenantState::from_name(&state)
                .or_else(|| state.parse().ok().and_then(TenantState::from_code))
                .ok_or_else(|| {
                    format!("unknown state '{state}'; use a TenantProvisioningState name or number")
                })?;
            let t = admin::set_tenant_state(&store, id, state, now).map_err(describe)?;
            print(&serde_json::json!({ "tenant_id": t.id, "state": format!("{:?}", t.state) }))
        }
    }
}

pub fn user(settings: &Settings, cmd: UserCommand) -> Result<(), String> {
    let store = open(settings)?;
    let UserCommand::Create {
        tenant,
        email,
        password,
        roles,
    } = cmd;
    let tenant = resolve_tenant(&store, &tenant)?;
    let roles = parse_roles(&roles)?;
    print(
        &admin::create_user(&store, tenant, &email, password, &roles, chrono::Utc::now())
            .map_err(describe)?,
    )
}

pub fn client(settings: &Settings, cmd: ClientCommand) -> Result<(), String> {
    let store = open(settings)?;
    let ClientCommand::Create {
        tenant,
        name,
        roles,
    } = cmd;
    let tenant = resolve_tenant(&store, &tenant)?;
    let roles = parse_roles(&roles)?;
    print(
        &admin::create_client(&store, tenant, &name, &roles, chrono::Utc::now())
            .map_err(describe)?,
    )
}
