//! For tests: a fresh, empty database on the PostgreSQL server that
//! `COMMUNITYD_TEST_DATABASE_URL` names, one per test, so tests run side by
//! side without seeing each other's data. For benchmarks: what PostgreSQL
//! alone allows a read.

use super::connect::DatabaseUrl;
use crate::domain::ids::{CommunityId, PrincipalId, TenantId};

/// The variable CI sets to run the suite on PostgreSQL.
pub const TEST_DATABASE_URL: &str = "COMMUNITYD_TEST_DATABASE_URL";

/// Creates a new database and returns its URL, or `None` when the
/// variable is unset (the tests then run on redb).
pub fn fresh_database_url() -> Option<String> {
    let server = std::env::var(TEST_DATABASE_URL).ok()?;
    let name = format!("communityd_test_{}", uuid::Uuid::new_v4().simple());
    sql(&server, &format!("CREATE DATABASE {name}"));
    let mut fresh = url::Url::parse(&server).expect("a URL");
    fresh.set_path(&name);
    Some(fresh.to_string())
}

/// Runs `statement` on the database `url` names, on a runtime and thread
/// of its own (so any test can call it); answers the first column of the
/// first row it returns, as text.
pub fn sql(url: &str, statement: &str) -> String {
    let url = DatabaseUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let (config, statement) = (url.config().clone(), statement.to_string());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let (client, connection) = config
                .connect(tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("{} does not answer: {e}", url.redacted()));
            tokio::spawn(connection);
            let rows = client.simple_query(&statement).await.expect("statement");
            rows.iter()
                .find_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(String::from),
                    _ => None,
                })
                .unwrap_or_default()
        })
    })
    .join()
    .expect("sql thread")
}

/// What PostgreSQL alone allows a GET of a community, for the benchmark:
/// `times` sends of the one statement such a GET reads everything with
/// (`prefetch`), each in the transaction a read opens, sent by the driver
/// on `client` as BEGIN, statement and COMMIT in one round trip, with no
/// HTTP, token or JSON around it.
pub async fn read_community_ahead(
    client: &tokio_postgres::Client,
    (principal, tenant, community): (PrincipalId, TenantId, CommunityId),
    times: usize,
) -> Result<(), tokio_postgres::Error> {
    let params = super::prefetch::Params::new(principal, tenant, community);
    let statement = client.prepare(super::prefetch::SQL).await?;
    for _ in 0..times {
        let (begun, read, committed) = futures_util::future::join3(
            client.batch_execute(super::tx::BEGIN_READ),
            client.query_one(&statement, &params.all()),
            client.batch_execute("COMMIT"),
        )
        .await;
        begun.and(read).and(committed)?;
    }
    Ok(())
}

#[cfg(test)]
pub use for_unit_tests::fresh_store;

#[cfg(test)]
mod for_unit_tests {
    use crate::store::{Store, StoreError};

    /// A store on a fresh PostgreSQL database, or `None` when the variable
    /// is unset.
    pub fn fresh_store(data_dir: &std::path::Path) -> Option<Result<Store, StoreError>> {
        let url = super::fresh_database_url()?;
        Some(Store::open_configured(data_dir, &url, 4))
    }
}
