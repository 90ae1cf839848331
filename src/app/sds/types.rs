//! SdsTypes of a tenant's namespace: get-or-create, get, list, delete.

use super::stream_access::{own_tenant, Target};
use crate::app::{AppError, Context};
use crate::domain::paging::Page;
use crate::domain::sds::sds_type::SdsType;
use crate::store::{sds_streams, sds_types, Lane};
use serde_json::Value;

/// Whether a POST made the type or found the same one.
pub enum Created {
    New(SdsType),
    Existing(SdsType),
}

pub async fn get_or_create(
    ctx: &Context,
    target: Target,
    id: String,
    body: Value,
) -> Result<Created, AppError> {
    let new = SdsType::parse(&id, &body, ctx.clock.now())?;
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            own_tenant(tx, &target)?;
            if let Some(old) = sds_types::get(tx, target.tenant, &target.namespace, &new.id)? {
                return if old.same_definition(&new) {
                    Ok(Created::Existing(old))
                } else {
                    Err(AppError::conflict(format!(
                        "a different type with id '{}' already exists",
                        old.id
                    )))
                };
            }
            sds_types::put(tx, target.tenant, &target.namespace, &new)?;
            Ok(Created::New(new.clone()))
        })
        .await
}

pub async fn get(ctx: &Context, target: Target, id: String) -> Result<SdsType, AppError> {
    ctx.store
        .read(move |tx| {
            own_tenant(tx, &target)?;
            sds_types::get(tx, target.tenant, &target.namespace, &id)?
                .ok_or_else(|| AppError::not_found(format!("type '{id}' does not exist")))
        })
        .await
}

pub async fn list(ctx: &Context, target: Target, page: Page) -> Result<Vec<SdsType>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            own_tenant(tx, &target)?;
            Ok(sds_types::list(tx, target.tenant, &target.namespace, page)?)
        })
        .await
}

/// A type in use by a stream cannot go (409), as in SDS.
pub async fn delete(ctx: &Context, target: Target, id: String) -> Result<(), AppError> {
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            own_tenant(tx, &target)?;
            let key = crate::domain::sds::identifier::key(&id);
            let mut user = None;
            sds_streams::each(tx, target.tenant, &target.namespace, |s| {
                if crate::domain::sds::identifier::key(&s.type_id) == key {
                    user = Some(s.id);
                    return false;
                }
                true
            })?;
            if let Some(stream) = user {
                return Err(AppError::conflict(format!(
                    "type '{id}' is used by stream '{stream}'; delete the stream first"
                )));
            }
            if !sds_types::delete(tx, target.tenant, &target.namespace, &id)? {
                return Err(AppError::not_found(format!("type '{id}' does not exist")));
            }
            Ok(())
        })
        .await
}
