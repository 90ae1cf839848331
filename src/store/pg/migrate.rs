//! Numbered SQL migrations, run by whichever instance starts first.
//!
//! Each instance takes one session-level advisory lock before it looks, so
//! instances starting together on an empty database queue up: the first
//! creates the schema, the others find it done. A database that has a
//! migration this release does not know was written by a newer release,
//! and is refused.

use super::block::block_on;
use super::connect::{self, DatabaseUrl};
use super::tx::PgTx;
use crate::store::error::StoreError;
use deadpool_postgres::Pool;

/// One migration: its number and its SQL, applied in one transaction.
struct Migration {
    version: i64,
    sql: &'static [&'static str],
}

/// Every migration, in order. A migration once released never changes:
/// a change to the schema is a new one.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: &[
            include_str!("migrations/0001/00_tenants.sql"),
            include_str!("migrations/0001/10_identities.sql"),
            include_str!("migrations/0001/20_communities.sql"),
            include_str!("migrations/0001/30_invitations.sql"),
            include_str!("migrations/0001/40_outbox.sql"),
            include_str!("migrations/0001/50_sds.sql"),
            include_str!("migrations/0001/60_throttles.sql"),
        ],
    },
    Migration {
        version: 2,
        sql: &[include_str!("migrations/0002/00_user_invitations.sql")],
    },
    Migration {
        version: 3,
        sql: &[include_str!("migrations/0003/00_custom_roles.sql")],
    },
    Migration {
        version: 4,
        sql: &[include_str!("migrations/0004/00_identity_providers.sql")],
    },
    Migration {
        version: 5,
        sql: &[include_str!("migrations/0005/00_sign_in.sql")],
    },
    Migration {
        version: 6,
        sql: &[include_str!("migrations/0006/00_authorization_code.sql")],
    },
    Migration {
        version: 7,
        sql: &[include_str!("migrations/0007/00_stream_defaults.sql")],
    },
    Migration {
        version: 8,
        sql: &[include_str!("migrations/0008/00_usage.sql")],
    },
    Migration {
        version: 9,
        sql: &[include_str!("migrations/0009/00_audit_events.sql")],
    },
    Migration {
        version: 10,
        sql: &[include_str!("migrations/0010/00_webhooks.sql")],
    },
    Migration {
        version: 11,
        sql: &[include_str!("migrations/0011/00_invitation_reminders.sql")],
    },
    Migration {
        version: 12,
        sql: &[include_str!(
            "migrations/0012/00_invitations_by_recipient.sql"
        )],
    },
    Migration {
        version: 13,
        sql: &[include_str!(
            "migrations/0013/00_community_trusted_domains.sql"
        )],
    },
    Migration {
        version: 14,
        sql: &[include_str!("migrations/0014/00_namespace_access.sql")],
    },
];

/// The newest migration this release knows.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// How many migrations this release knows (their numbers need not be
/// consecutive: a number may be left to a change made beside this one).
pub fn known() -> usize {
    MIGRATIONS.len()
}

/// Names this lock among any the database's other users take
/// (`communityd` in ASCII).
const LOCK: i64 = 0x636f_6d6d_756e_6974;

pub(super) fn run(pool: &Pool, url: &DatabaseUrl) -> Result<(), StoreError> {
    let mut client = block_on(pool.get()).map_err(|e| connect::unavailable(url, e))?;
    block_on(client.query("SELECT pg_advisory_lock($1)", &[&LOCK]))?;
    let result = apply_missing(&mut client, url);
    // Also released when the connection closes, should this fail.
    let unlocked = block_on(client.query("SELECT pg_advisory_unlock($1)", &[&LOCK]));
    result?;
    unlocked?;
    Ok(())
}

fn apply_missing(
    client: &mut deadpool_postgres::Object,
    url: &DatabaseUrl,
) -> Result<(), StoreError> {
    // Looked for first, not `CREATE TABLE IF NOT EXISTS`: that logs a
    // NOTICE on every start, a second line where a refusal must be one.
    // The advisory lock keeps another instance from creating it meanwhile.
    let exists: bool =
        block_on(client.query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[]))?
            .get(0);
    if !exists {
        block_on(client.batch_execute(
            "CREATE TABLE schema_migrations (
                 version bigint PRIMARY KEY,
                 applied timestamptz NOT NULL DEFAULT now()
             )",
        ))?;
    }
    let found: i64 = block_on(client.query_one(
        "SELECT coalesce(max(version), 0) FROM schema_migrations",
        &[],
    ))?
    .get(0);
    if found > latest() {
        return Err(StoreError::NewerDatabase {
            url: url.redacted(),
            found,
            known: latest(),
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        let tx = block_on(client.transaction())?;
        for sql in migration.sql {
            block_on(tx.batch_execute(sql))?;
        }
        block_on(tx.execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&migration.version],
        ))?;
        block_on(tx.commit())?;
        tracing::info!(version = migration.version, "applied database migration");
    }
    Ok(())
}

/// The newest migration applied to the database the transaction reads.
pub fn applied(tx: &PgTx) -> Result<i64, StoreError> {
    Ok(tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            &[],
        )?
        .get(0))
}
