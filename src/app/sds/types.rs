//! SdsTypes of a tenant's namespace: get-or-create, get, list, delete,
//! each under the type's access control (`type_access`).

use super::stream_access::{default_acl, own_tenant, owner_of, Target};
use super::type_access::{may_read_type, own_type};
use crate::app::{AppError, Context};
use crate::domain::paging::Page;
use crate::domain::sds::acl::rights;
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
    let new = SdsType {
        acl: Some(default_acl(target.tenant)),
        owner: Some(owner_of(target.caller)),
        ..SdsType::parse(&id, &body, ctx.clock.now())?
    };
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let me = own_tenant(tx, &target)?;
            if let Some(old) = sds_types::get(tx, target.tenant, &target.namespace, &new.id)? {
                return if !may_read_type(&me, &old) {
                    // Neither shown nor replaced: the id is taken.
                    Err(AppError::conflict(format!(
                        "a type with id '{}' already exists",
                        new.id
                    )))
                } else if old.same_definition(&new) {
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
        .read(move |tx| Ok(own_type(tx, &target, &id, rights::READ)?.1))
        .await
}

/// Types read from the store at a time while a list page fills.
const LIST_CHUNK: usize = 500;

pub async fn list(ctx: &Context, target: Target, page: Page) -> Result<Vec<SdsType>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let me = own_tenant(tx, &target)?;
            // The page counts only the types the caller may read: walk
            // the namespace a chunk at a time until it is full.
            let (mut out, mut skip, mut at) = (Vec::new(), page.skip, 0);
            loop {
                let chunk = Page {
                    skip: at,
                    count: LIST_CHUNK,
                };
                let listed = sds_types::list(tx, target.tenant, &target.namespace, chunk)?;
                let walked = listed.len();
                at += walked;
                for t in listed.into_iter().filter(|t| may_read_type(&me, t)) {
                    if skip > 0 {
                        skip -= 1;
                    } else if out.len() < page.count {
                        out.push(t);
                    }
                }
                if walked < LIST_CHUNK || out.len() == page.count {
                    return Ok(out);
                }
            }
        })
        .await
}

/// A type in use by a stream cannot go (409), as in SDS; that is told only
/// to a caller holding Delete on it.
pub async fn delete(ctx: &Context, target: Target, id: String) -> Result<(), AppError> {
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            own_type(tx, &target, &id, rights::DELETE)?;
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
