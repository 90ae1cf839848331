//! Which namespaces a tenant has. Namespaces are implicit: one exists while
//! it holds a type, a stream, a default stream list or an access control
//! list of its own (and `default` always). Finding them is a skip-scan:
//! each step seeks past every key of the namespace just found, so listing
//! costs a seek per namespace per table, not a read per stream.

use super::error::StoreError;
use super::tables::{SDS_NAMESPACE_ACCESS, SDS_STREAMS, SDS_STREAM_DEFAULTS, SDS_TYPES};
use super::tx::{redb_or_pg, Readable, RedbReadable};
use crate::domain::ids::TenantId;
use redb::{ReadableTable, TableDefinition};
use std::collections::BTreeSet;
use std::ops::Bound;
use uuid::Uuid;

/// Up to `limit` of the tenant's namespaces holding anything, in byte order
/// of their keys (`default` is not added here).
pub fn of_tenant(
    tx: &impl Readable,
    tenant: TenantId,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::namespaces::of_tenant(pg, tenant, limit));
    let mut found = BTreeSet::new();
    for table in [SDS_TYPES, SDS_STREAMS] {
        found.extend(skip_scan(tx, table, tenant, limit)?);
    }
    for table in [SDS_STREAM_DEFAULTS, SDS_NAMESPACE_ACCESS] {
        found.extend(pairs(tx, table, tenant, limit)?);
    }
    Ok(found.into_iter().take(limit).collect())
}

/// Whether the namespace holds anything.
pub fn holds_anything(
    tx: &impl Readable,
    tenant: TenantId,
    namespace: &str,
) -> Result<bool, StoreError> {
    let tx = &redb_or_pg!(tx, |pg| super::pg::namespaces::holds_anything(
        pg, tenant, namespace
    ));
    for table in [SDS_TYPES, SDS_STREAMS] {
        if first_namespace_from(tx, table, tenant, namespace)?.as_deref() == Some(namespace) {
            return Ok(true);
        }
    }
    for table in [SDS_STREAM_DEFAULTS, SDS_NAMESPACE_ACCESS] {
        if tx.table(table)?.get((tenant.0, namespace))?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The first namespace of a (tenant, namespace, id) table at or after `from`.
fn first_namespace_from(
    tx: &impl RedbReadable,
    table: TableDefinition<(Uuid, &str, &str), &[u8]>,
    tenant: TenantId,
    from: &str,
) -> Result<Option<String>, StoreError> {
    let table = tx.table(table)?;
    let lower = (tenant.0, from, "");
    let mut range =
        table.range::<(Uuid, &str, &str)>((Bound::Included(lower), Bound::Unbounded))?;
    let Some(entry) = range.next() else {
        return Ok(None);
    };
    let (key, _) = entry?;
    let (owner, namespace, _) = key.value();
    Ok((owner == tenant.0).then(|| namespace.to_string()))
}

/// The distinct namespaces of a (tenant, namespace, id) table.
fn skip_scan(
    tx: &impl RedbReadable,
    table: TableDefinition<(Uuid, &str, &str), &[u8]>,
    tenant: TenantId,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let mut out: Vec<String> = Vec::new();
    while out.len() < limit {
        // Every key of the last namespace sorts before (last + "\0", "").
        let from = out
            .last()
            .map_or(String::new(), |last| format!("{last}\u{0}"));
        match first_namespace_from(tx, table, tenant, &from)? {
            Some(namespace) => out.push(namespace),
            None => break,
        }
    }
    Ok(out)
}

/// The namespaces of a (tenant, namespace) table, the empty one left out.
fn pairs(
    tx: &impl RedbReadable,
    table: TableDefinition<(Uuid, &str), &[u8]>,
    tenant: TenantId,
    limit: usize,
) -> Result<Vec<String>, StoreError> {
    let table = tx.table(table)?;
    let mut out = Vec::new();
    for row in table.range((tenant.0, "")..)? {
        let (key, _) = row?;
        let (owner, namespace) = key.value();
        if owner != tenant.0 || out.len() == limit {
            break;
        }
        if !namespace.is_empty() {
            out.push(namespace.to_string());
        }
    }
    Ok(out)
}
