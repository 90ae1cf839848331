//! The one error type use cases return. `web::error` maps it to a status
//! and an ErrorResponse in one place.

use crate::store::StoreError;
use crate::telemetry::error_chain::Chain;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the named field (a JSON property, path or query parameter) is wrong.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{reason}")]
    TooMany {
        reason: String,
        retry_after: Duration,
    },
    #[error("{0}")]
    Unexpected(String),
    /// 500: the database failed. The error is kept whole, causes and all,
    /// for the log line that reports it.
    #[error("the database failed")]
    Store(#[from] StoreError),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn forbidden(reason: impl Into<String>) -> Self {
        AppError::Forbidden(reason.into())
    }

    pub fn not_found(reason: impl Into<String>) -> Self {
        AppError::NotFound(reason.into())
    }

    pub fn conflict(reason: impl Into<String>) -> Self {
        AppError::Conflict(reason.into())
    }
}

/// Validates an optional field of a change (`None` leaves it alone); a bad
/// value is a 400 naming `field`.
pub fn optional<T>(
    field: &str,
    value: Option<&str>,
    validate: impl FnOnce(&str) -> Result<T, &'static str>,
) -> Result<Option<T>, AppError> {
    value
        .map(validate)
        .transpose()
        .map_err(|reason| AppError::invalid(field, reason))
}

/// A store failure is unexpected. Its whole chain of causes goes into the
/// detail, which only the log shows: the caller gets the generic 500.
impl AppError {
    /// The error and each of its causes, for a log line (never for a
    /// response: causes may name paths and hosts).
    pub fn detail(&self) -> String {
        Chain(self).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_failure_keeps_what_the_database_reported() {
        let io = std::io::Error::other("no space left on device");
        let store = StoreError::Database(redb::StorageError::Io(io).into());
        let error = AppError::from(store);
        assert!(matches!(error, AppError::Store(_)), "{error:?}");
        let detail = error.detail();
        assert!(detail.contains("database error: "), "{detail}");
        assert!(detail.contains("no space left on device"), "{detail}");
    }
}
