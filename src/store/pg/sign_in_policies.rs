//! Sign-in policies on PostgreSQL (see `store::sign_in_policies`): one row
//! per tenant that chose one.

use super::tx::PgTx;
use crate::domain::ids::TenantId;
use crate::domain::sign_in_policy::SignInPolicy;
use crate::store::codec::{decode, encode};
use crate::store::error::StoreError;

pub fn get(tx: &PgTx, tenant: TenantId) -> Result<Option<SignInPolicy>, StoreError> {
    tx.query_opt(
        "SELECT body FROM sign_in_policies WHERE tenant = $1",
        &[&tenant.0],
    )?
    .map(|row| decode(row.get::<_, &[u8]>(0)))
    .transpose()
}

pub fn put(tx: &PgTx, tenant: TenantId, policy: &SignInPolicy) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sign_in_policies (tenant, body) VALUES ($1, $2)
         ON CONFLICT (tenant) DO UPDATE SET body = EXCLUDED.body",
        &[&tenant.0, &encode(policy)?],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::pg::communities::{on_both, read, write};
    use crate::store::sign_in_policies;

    #[test]
    fn a_policy_is_the_default_until_chosen_then_as_stored() {
        let (tenant, other) = (TenantId::generate(), TenantId::generate());
        let chosen = SignInPolicy {
            passwords: false,
            totp_required: true,
        };
        let answers = on_both(|store| {
            let before = read(store, |tx| sign_in_policies::stored(tx, tenant))?;
            write(store, |tx| {
                sign_in_policies::put(tx, tenant, &SignInPolicy::default())?;
                sign_in_policies::put(tx, tenant, &chosen)
            })?;
            read(store, |tx| {
                Ok((
                    before,
                    sign_in_policies::of_tenant(tx, tenant)?,
                    sign_in_policies::of_tenant(tx, other)?,
                ))
            })
        });
        let Some((before, after, untouched)) = answers else {
            return;
        };
        assert_eq!(before, None);
        assert_eq!(after, chosen);
        assert_eq!(untouched, SignInPolicy::default());
    }
}
