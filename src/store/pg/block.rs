//! Waiting for the database on a blocking thread.

/// Drives a database future to completion on this blocking thread (one of
/// the backend runtime's, where blocking is allowed).
pub(super) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Handle::current().block_on(f)
}
