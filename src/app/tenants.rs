//! Use cases of the Tenants API: a caller sees and edits only its own tenant.

use super::access::{acting, Acting};
use super::audit;
use super::context::Context;
use super::error::{optional, AppError};
use crate::domain::audit::{AuditKind, Origin, Subject};
use crate::domain::icon::TenantIcon;
use crate::domain::identity::Caller;
use crate::domain::ids::TenantId;
use crate::domain::permission::Operation;
use crate::domain::tenant::{validate_alias, validate_company_name, Tenant, TenantState};
use crate::store::{profiles, tenants, Readable, WriteTx};

/// What a route answers for a tenant id that does not exist: the seed lists
/// 404 for some operations and only 403 for others.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    NotFound,
    Forbidden,
}

fn own_tenant(
    tx: &impl Readable,
    caller: Caller,
    id: TenantId,
    unknown: Unknown,
    op: Operation,
) -> Result<Acting, AppError> {
    let me = acting(tx, caller)?;
    if id != caller.tenant {
        if unknown == Unknown::NotFound && tenants::get(tx, id)?.is_none() {
            return Err(AppError::not_found(format!("tenant {id} does not exist")));
        }
        return Err(AppError::forbidden(
            "a caller may only see and change its own tenant",
        ));
    }
    me.require_tenant_role(op)?;
    Ok(me)
}

/// A tenant with what AVEVA Data Hub adds to it.
#[derive(Clone, Debug)]
pub struct TenantView {
    pub tenant: Tenant,
    /// The AVEVA account the tenant is linked to, if any.
    pub external_account_id: Option<String>,
}

impl TenantView {
    /// `TenantType`: the sample in AVEVA's reference shows `Unlinked` for a
    /// tenant with no account; one with an account is `Linked`.
    pub fn tenant_type(&self) -> &'static str {
        if self.external_account_id.is_some() {
            "Linked"
        } else {
            "Unlinked"
        }
    }
}

fn view(tx: &impl Readable, tenant: Tenant) -> Result<TenantView, AppError> {
    Ok(TenantView {
        external_account_id: profiles::external_account(tx, tenant.id)?,
        tenant,
    })
}

pub async fn get(
    ctx: &Context,
    caller: Caller,
    id: TenantId,
    unknown: Unknown,
) -> Result<TenantView, AppError> {
    ctx.store
        .read(move |tx| {
            let me = own_tenant(tx, caller, id, unknown, Operation::ViewTenant)?;
            view(tx, me.tenant)
        })
        .await
}

/// A change to a tenant as PUT sends it; `None` leaves a field alone.
#[derive(Debug, Default)]
pub struct TenantChange {
    pub id: Option<String>,
    pub company_name: Option<String>,
    pub alias: Option<String>,
    pub state: Option<i64>,
    pub external_account_id: Option<String>,
}

pub async fn update(
    ctx: &Context,
    caller: Caller,
    id: TenantId,
    change: TenantChange,
) -> Result<TenantView, AppError> {
    if let Some(body_id) = &change.id {
        if TenantId::parse(body_id) != Some(id) {
            return Err(AppError::invalid(
                "Id",
                "is immutable and must match the tenant id in the path",
            ));
        }
    }
    let company_name = optional(
        "CompanyName",
        change.company_name.as_deref(),
        validate_company_name,
    )?;
    let alias = optional("Alias", change.alias.as_deref(), validate_alias)?;
    let account = optional(
        "ExternalAccountId",
        change.external_account_id.as_deref(),
        validate_external_account,
    )?;
    let now = ctx.clock.now();
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            let me = own_tenant(tx, caller, id, Unknown::Forbidden, Operation::UpdateTenant)?;
            let mut tenant = me.tenant;
            if let Some(code) = change.state {
                if TenantState::from_code(code) != Some(tenant.state) {
                    return Err(AppError::invalid(
                        "State",
                        "is set by the operator and cannot be changed through the API",
                    ));
                }
            }
            if let Some(name) = &company_name {
                tenant.company_name = name.clone();
            }
            if let Some(alias) = &alias {
                tenant.alias = alias.clone();
            }
            tenant.last_updated = now;
            tenants::put(tx, &tenant)?.map_err(|clash| clash_error(clash, &tenant))?;
            if let Some(account) = &account {
                profiles::set_external_account(tx, id, account.as_deref())?;
            }
            let detail = serde_json::json!({
                "CompanyName": company_name,
                "Alias": alias,
                "ExternalAccountId": account,
            });
            record_settings(tx, &who, id, detail)?;
            view(tx, tenant)
        })
        .await
}

/// A change to a tenant's own settings: `detail` names what changed.
pub(super) fn record_settings(
    tx: &WriteTx,
    who: &Origin,
    tenant: TenantId,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    let subject = Subject::tenant(tenant);
    audit::record(
        tx,
        who,
        AuditKind::SettingsChanged,
        subject,
        detail,
        &[tenant],
    )?;
    Ok(())
}

/// An external account id: up to 100 characters; `""` unlinks.
fn validate_external_account(text: &str) -> Result<Option<String>, &'static str> {
    match text.trim() {
        "" => Ok(None),
        t if t.chars().count() > 100 => Err("must be at most 100 characters"),
        t if t.chars().any(char::is_control) => Err("must not contain control characters"),
        t => Ok(Some(t.to_string())),
    }
}

/// 409 naming what another tenant already holds (case-insensitively).
pub fn clash_error(clash: tenants::Clash, tenant: &Tenant) -> AppError {
    match clash {
        tenants::Clash::Alias => AppError::conflict(format!(
            "another tenant already uses the alias '{}'",
            tenant.alias
        )),
        tenants::Clash::CompanyName => AppError::conflict(format!(
            "another tenant already has the CompanyName '{}' (names are compared without regard to case)",
            tenant.company_name
        )),
    }
}

/// The tenant's icon; `None` when none is set (the seed documents only 200
/// for this route, so an unset icon is not an error).
pub async fn icon(
    ctx: &Context,
    caller: Caller,
    id: TenantId,
) -> Result<Option<TenantIcon>, AppError> {
    ctx.store
        .read(move |tx| {
            own_tenant(tx, caller, id, Unknown::Forbidden, Operation::ViewTenant)?;
            Ok(tenants::icon(tx, id)?.map(TenantIcon::from_stored))
        })
        .await
}

/// Sets the icon from the base64 text a caller sent. The caller's right is
/// checked before the untrusted image is even decoded, and decoding runs on
/// the blocking pool, a few at a time, so hostile images cost the server at
/// most a bounded amount of memory and no async worker.
pub async fn set_icon(
    ctx: &Context,
    caller: Caller,
    id: TenantId,
    text: String,
) -> Result<TenantIcon, AppError> {
    ctx.store
        .read(move |tx| {
            own_tenant(tx, caller, id, Unknown::Forbidden, Operation::UpdateTenant).map(|_| ())
        })
        .await?;
    let icon = decode_icon(ctx, text).await?;
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            own_tenant(tx, caller, id, Unknown::Forbidden, Operation::UpdateTenant)?;
            tenants::set_icon(tx, id, icon.bytes())?;
            record_settings(tx, &who, id, serde_json::json!({ "Icon": "Set" }))?;
            Ok(icon.clone())
        })
        .await
}

async fn decode_icon(ctx: &Context, text: String) -> Result<TenantIcon, AppError> {
    let turn = ctx
        .icon_decoding
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| AppError::Unexpected(e.to_string()))?;
    // The turn ends with the decoding, not with the request: a client that
    // hangs up mid-decode must not let another image start beside it.
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        TenantIcon::from_base64(&text)
    })
    .await
    .map_err(|e| AppError::Unexpected(format!("icon check failed: {e}")))?
    .map_err(|reason| AppError::invalid("icon", reason))
}

pub async fn delete_icon(ctx: &Context, caller: Caller, id: TenantId) -> Result<(), AppError> {
    let who = audit::by(ctx, caller);
    ctx.store
        .write(move |tx| {
            own_tenant(tx, caller, id, Unknown::Forbidden, Operation::UpdateTenant)?;
            tenants::delete_icon(tx, id)?;
            record_settings(tx, &who, id, serde_json::json!({ "Icon": "Removed" }))?;
            Ok(())
        })
        .await
}

/// Regions: this installation is one region; the caller must be of the tenant.
pub async fn check_regions_access(
    ctx: &Context,
    caller: Caller,
    id: TenantId,
) -> Result<(), AppError> {
    ctx.store
        .read(move |tx| {
            own_tenant(tx, caller, id, Unknown::NotFound, Operation::ViewTenant).map(|_| ())
        })
        .await
}
