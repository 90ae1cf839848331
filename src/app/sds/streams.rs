//! SdsStreams of a tenant's namespace: create, update, get, list, delete,
//! tags and metadata.

use super::sharing;
use super::stream_access::{own_stream, own_tenant, owner_of, readable_stream, rights_on, Target};
use crate::app::sds::data::WRITE_LIMIT;
use crate::app::{AppError, Context};
use crate::domain::paging::Page;
use crate::domain::sds::acl::rights;
use crate::domain::sds::patch;
use crate::domain::sds::sds_type::SdsType;
use crate::domain::sds::search::{SearchQuery, Searchable};
use crate::domain::sds::stream::{parse_metadata, parse_tags, SdsStream, StreamInput};
use crate::store::{sds_streams, sds_types, sds_values, Lane, Readable};
use serde_json::Value;

pub enum Created {
    New(SdsStream),
    Existing(SdsStream),
}

fn stream_type(
    tx: &impl Readable,
    target: &Target,
    input: &StreamInput,
) -> Result<SdsType, AppError> {
    sds_types::get(tx, target.tenant, &target.namespace, &input.type_id)?.ok_or_else(|| {
        AppError::invalid("TypeId", format!("type '{}' does not exist", input.type_id))
    })
}

/// POST: creates the stream, or returns the same one if it exists.
pub async fn get_or_create(
    ctx: &Context,
    target: Target,
    id: String,
    body: Value,
) -> Result<Created, AppError> {
    let input = StreamInput::parse(&id, &body)?;
    let now = ctx.clock.now();
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let me = own_tenant(tx, &target)?;
            let sds_type = stream_type(tx, &target, &input)?;
            if let Some(old) = sds_streams::get(tx, target.tenant, &target.namespace, &input.id)? {
                if rights_on(&me, &old) & rights::READ == 0 {
                    return Err(AppError::conflict(format!(
                        "stream '{}' already exists",
                        old.id
                    )));
                }
                let same = old.type_id.eq_ignore_ascii_case(&input.type_id)
                    && old.name == input.name
                    && old.description == input.description;
                return if same {
                    Ok(Created::Existing(old))
                } else {
                    Err(AppError::conflict(format!(
                        "a different stream with id '{}' already exists",
                        old.id
                    )))
                };
            }
            let stream = SdsStream {
                storage: sds_streams::new_storage_id(),
                namespace: target.namespace.clone(),
                id: input.id.clone(),
                name: input.name.clone(),
                description: input.description.clone(),
                type_id: sds_type.id,
                keys: sds_type.keys,
                tags: Vec::new(),
                metadata: Vec::new(),
                indexes: input.indexes.clone(),
                acl: super::stream_defaults::for_new_stream(tx, target.tenant, &target.namespace)?,
                owner: Some(owner_of(target.caller)),
                created: now,
                modified: now,
                last_write: None,
                modes: Default::default(),
            };
            sds_streams::put(tx, target.tenant, &stream)?;
            Ok(Created::New(stream))
        })
        .await
}

/// PUT: creates the stream or updates its name, description and indexes
/// (its type cannot change this way).
pub async fn create_or_update(
    ctx: &Context,
    target: Target,
    id: String,
    body: Value,
) -> Result<(), AppError> {
    let input = StreamInput::parse(&id, &body)?;
    let exists = {
        let target = target.clone();
        let id = input.id.clone();
        ctx.store
            .read(move |tx| {
                Ok::<_, AppError>(
                    sds_streams::get(tx, target.tenant, &target.namespace, &id)?.is_some(),
                )
            })
            .await?
    };
    if !exists {
        return get_or_create(ctx, target, id, body).await.map(|_| ());
    }
    let now = ctx.clock.now();
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let (_, mut stream) = own_stream(tx, &target, &input.id, rights::WRITE)?;
            if !stream.type_id.eq_ignore_ascii_case(&input.type_id) {
                return Err(AppError::invalid(
                    "TypeId",
                    format!(
                        "stream '{}' has type '{}'; its type cannot be changed",
                        stream.id, stream.type_id
                    ),
                ));
            }
            stream.name = input.name.clone();
            stream.description = input.description.clone();
            stream.indexes = input.indexes.clone();
            stream.modified = now;
            sds_streams::put(tx, target.tenant, &stream)?;
            Ok(())
        })
        .await
}

pub async fn get(ctx: &Context, target: Target, id: String) -> Result<SdsStream, AppError> {
    ctx.store
        .read(move |tx| readable_stream(tx, &target, &id))
        .await
}

/// The stream's type (also for a stream read through a community).
pub async fn get_type(ctx: &Context, target: Target, id: String) -> Result<SdsType, AppError> {
    ctx.store
        .read(move |tx| {
            let stream = readable_stream(tx, &target, &id)?;
            let owner = target.tenant;
            sds_types::get(tx, owner, &stream.namespace, &stream.type_id)?.ok_or_else(|| {
                AppError::not_found(format!("type '{}' does not exist", stream.type_id))
            })
        })
        .await
}

/// Streams the caller may read, matching `query`, one page.
pub async fn list(
    ctx: &Context,
    target: Target,
    query: SearchQuery,
    page: Page,
) -> Result<Vec<SdsStream>, AppError> {
    ctx.store
        .read_large(&ctx.large_reads, move |tx| {
            let me = own_tenant(tx, &target)?;
            let mut out = Vec::new();
            let mut skip = page.skip;
            sds_streams::each(tx, target.tenant, &target.namespace, |s| {
                let found = rights_on(&me, &s) & rights::READ != 0
                    && query.matches(&Searchable {
                        id: &s.id,
                        name: &s.name,
                        description: &s.description,
                        type_id: &s.type_id,
                    });
                if found {
                    if skip > 0 {
                        skip -= 1;
                    } else {
                        out.push(s);
                    }
                }
                out.len() < page.count
            })?;
            Ok(out)
        })
        .await
}

/// Deletes a stream and its shares, and its values in the same transaction
/// when they are few: more than `PURGE_BATCH` are removed afterwards, a
/// batch per transaction (`purge_deleted_values`). They are unreachable at
/// once either way: a stream made again under the same id gets new storage.
pub async fn delete(ctx: &Context, target: Target, id: String) -> Result<(), AppError> {
    let purge_later = ctx
        .store
        .write_in(Lane::Tenant(target.tenant), PURGE_BATCH as u64, move |tx| {
            let (_, stream) = own_stream(tx, &target, &id, rights::DELETE)?;
            sharing::forget_stream(tx, target.tenant, &stream)?;
            let more = sds_values::remove_some(tx, stream.storage, PURGE_BATCH)?;
            if more {
                sds_values::purge_later(tx, stream.storage)?;
            }
            sds_streams::delete(tx, target.tenant, &stream)?;
            Ok::<_, AppError>(more)
        })
        .await?;
    if purge_later {
        ctx.values_to_purge.notify_one();
    }
    Ok(())
}

/// Values removed per transaction when a stream is deleted: no more than
/// one write may touch, so a deletion takes its turn like a write.
pub const PURGE_BATCH: usize = WRITE_LIMIT;

/// Removes one batch of the values of deleted streams; returns whether
/// more are waiting. Queued as the service's own work, at a batch's cost.
pub async fn purge_deleted_values(ctx: &Context) -> Result<bool, AppError> {
    ctx.store
        .write_in(Lane::Service, PURGE_BATCH as u64, |tx| {
            Ok(sds_values::purge_some(tx, PURGE_BATCH)?)
        })
        .await
}

/// What part of a stream's descriptive data a change touches.
pub enum Annotation {
    Tags(Value),
    Metadata(Value),
    MetadataPatch(Value),
}

pub async fn annotate(
    ctx: &Context,
    target: Target,
    id: String,
    change: Annotation,
) -> Result<(), AppError> {
    let now = ctx.clock.now();
    let max_bytes = ctx.settings.body_limit_bytes;
    ctx.store
        .write_in(Lane::Tenant(target.tenant), 1, move |tx| {
            let (_, mut stream) = own_stream(tx, &target, &id, rights::WRITE)?;
            match &change {
                Annotation::Tags(body) => stream.tags = parse_tags(body)?,
                Annotation::Metadata(body) => stream.metadata = parse_metadata(body)?,
                Annotation::MetadataPatch(body) => {
                    let mut doc = stream.metadata_json();
                    patch::apply(&mut doc, body.clone(), max_bytes)?;
                    stream.metadata = parse_metadata(&doc)?;
                }
            }
            stream.modified = now;
            sds_streams::put(tx, target.tenant, &stream)?;
            Ok(())
        })
        .await
}
