//! A send that did not go through, as every transport reports it.

/// A failed send: `permanent` when retrying cannot help (the server refused
/// the message or an address with a 5xx).
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}
