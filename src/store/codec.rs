//! The one place that knows how records become bytes: a version byte, then
//! bincode (standard config, serde). bincode is unmaintained upstream, so
//! keeping it behind these two functions lets it be swapped (postcard, say)
//! by bumping the version byte and decoding both.

use super::error::StoreError;
use serde::{de::DeserializeOwned, Serialize};

const VERSION: u8 = 1;

pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut bytes = vec![VERSION];
    let body = bincode::serde::encode_to_vec(value, bincode::config::standard())
        .map_err(|e| StoreError::Codec(e.to_string()))?;
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&VERSION, body)) => {
            bincode::serde::decode_from_slice(body, bincode::config::standard())
                .map(|(value, _)| value)
                .map_err(|e| StoreError::Codec(e.to_string()))
        }
        Some((version, _)) => Err(StoreError::Codec(format!(
            "unknown record version {version}"
        ))),
        None => Err(StoreError::Codec("empty record".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailAddress;
    use crate::domain::ids::{CommunityId, PrincipalId, TenantId, UserId};
    use crate::domain::invitation::Invitation;
    use chrono::{Duration, Utc};

    #[test]
    fn records_round_trip_with_a_version_byte() {
        let inv = Invitation::new(
            CommunityId::generate(),
            TenantId::generate(),
            PrincipalId::User(UserId::generate()),
            EmailAddress::parse("x@example.com").unwrap(),
            Utc::now(),
            Duration::days(14),
        );
        let bytes = encode(&inv).unwrap();
        assert_eq!(bytes[0], VERSION);
        let back: Invitation = decode(&bytes).unwrap();
        assert_eq!(back, inv);
    }

    #[test]
    fn unknown_versions_are_an_error_not_a_panic() {
        assert!(decode::<u32>(&[9, 1]).is_err());
        assert!(decode::<u32>(&[]).is_err());
    }
}
