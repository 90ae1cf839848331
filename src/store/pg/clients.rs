//! Client counts on PostgreSQL (see `store::clients`; the rows themselves
//! are `identities`').

use super::tx::PgTx;
use crate::domain::ids::TenantId;
use crate::store::error::StoreError;

pub fn count_of_tenant(tx: &PgTx, tenant: TenantId) -> Result<usize, StoreError> {
    let row = tx.query_one(
        "SELECT count(*) FROM clients WHERE tenant = $1",
        &[&tenant.0],
    )?;
    Ok(usize::try_from(row.get::<_, i64>(0)).unwrap_or(usize::MAX))
}
