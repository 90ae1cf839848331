//! An index given as text in a query (`index`, `startIndex`, `endIndex`),
//! as the stream's key; a 400 names the parameter.

use crate::app::AppError;
use crate::domain::sds::index_key::{self, KeyPart};

pub fn key_of_text(keys: &[KeyPart], field: &str, text: &str) -> Result<Vec<u8>, AppError> {
    index_key::of_text(keys, text).map_err(|e| AppError::invalid(field, e.to_string()))
}
