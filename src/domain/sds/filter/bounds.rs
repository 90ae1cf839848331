//! A filter's bounds, and the error that says why and where one was
//! refused.

/// The longest filter, in characters.
pub const MAX_CHARS: usize = 2_000;
/// The deepest nesting of parentheses, calls, `not` and `-`.
pub const MAX_DEPTH: usize = 32;
/// The most operands (literals and property names) in one filter.
pub const MAX_TERMS: usize = 100;
/// The longest text a function may make (`concat`, `replace`); longer is
/// null, so nested calls cannot grow text without bound.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// Why a filter was refused, and where (a 0-based character index).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (at character {})", .position + 1)]
pub struct FilterError {
    pub position: usize,
    pub reason: String,
}

impl FilterError {
    pub(super) fn at(position: usize, reason: impl Into<String>) -> Self {
        Self {
            position,
            reason: reason.into(),
        }
    }
}
