//! For tests: a fresh, empty database on the PostgreSQL server that
//! `COMMUNITYD_TEST_DATABASE_URL` names, one per test, so tests run side by
//! side without seeing each other's data.

use super::connect::DatabaseUrl;

/// The variable CI sets to run the suite on PostgreSQL.
pub const TEST_DATABASE_URL: &str = "COMMUNITYD_TEST_DATABASE_URL";

/// Creates a new database and returns its URL, or `None` when the
/// variable is unset (the tests then run on redb).
pub fn fresh_database_url() -> Option<String> {
    let server = std::env::var(TEST_DATABASE_URL).ok()?;
    let url = DatabaseUrl::parse(&server).unwrap_or_else(|e| panic!("{TEST_DATABASE_URL}: {e}"));
    let name = format!("communityd_test_{}", uuid::Uuid::new_v4().simple());
    let config = url.config().clone();
    let statement = format!("CREATE DATABASE {name}");
    // A runtime of its own, on a thread of its own: callable from any test.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let (client, connection) = config
                .connect(tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL} does not answer: {e}"));
            tokio::spawn(connection);
            client
                .batch_execute(&statement)
                .await
                .expect("create the test database");
        })
    })
    .join()
    .expect("create the test database");
    let mut fresh = url::Url::parse(&server).expect("parsed above");
    fresh.set_path(&name);
    Some(fresh.to_string())
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
