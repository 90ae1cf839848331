//! The one place that knows how records become bytes: a version byte, then
//! bincode (standard config, serde). bincode is unmaintained upstream, so
//! keeping it behind these functions lets it be swapped (postcard, say) by
//! bumping the versions and decoding both.
//!
//! bincode is not self-describing: adding a field changes the layout. So
//! each record type carries its own layout version (`Record::VERSION`), and
//! a record written by an older release is converted by that type's
//! `decode_older`, never refused. To change a stored type: keep the old
//! layout as a private `...V1` struct, bump `VERSION`, convert in
//! `decode_older`, and test that bytes of the old layout still decode.

use super::error::StoreError;
use serde::{de::DeserializeOwned, Serialize};

/// A type stored as a record.
pub trait Record: Serialize + DeserializeOwned {
    /// The layout this release writes.
    const VERSION: u8 = 1;

    /// Converts a record written with an older layout (`version` <
    /// `VERSION`); `body` is what followed the version byte.
    fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
        let _ = body;
        Err(StoreError::Codec(format!(
            "unknown record version {version}"
        )))
    }
}

pub fn encode<T: Record>(value: &T) -> Result<Vec<u8>, StoreError> {
    let mut bytes = vec![T::VERSION];
    let body = bincode::serde::encode_to_vec(value, bincode::config::standard())?;
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

pub fn decode<T: Record>(bytes: &[u8]) -> Result<T, StoreError> {
    match bytes.split_first() {
        Some((&version, body)) if version == T::VERSION => layout(body),
        Some((&version, _)) if version > T::VERSION => Err(StoreError::Codec(format!(
            "record version {version} was written by a newer release (this one reads up to {})",
            T::VERSION
        ))),
        Some((&version, body)) => T::decode_older(version, body),
        None => Err(StoreError::Codec("empty record".into())),
    }
}

/// Decodes the body of one layout; `decode_older` implementations use it
/// to read their old structs.
pub fn layout<L: DeserializeOwned>(body: &[u8]) -> Result<L, StoreError> {
    bincode::serde::decode_from_slice(body, bincode::config::standard())
        .map(|(value, _)| value)
        .map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::EmailAddress;
    use crate::domain::ids::{CommunityId, PrincipalId, TenantId, UserId};
    use crate::domain::invitation::Invitation;
    use chrono::{Duration, Utc};
    use serde::Deserialize;

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
        assert_eq!(bytes[0], Invitation::VERSION);
        let back: Invitation = decode(&bytes).unwrap();
        assert_eq!(back, inv);
    }

    #[derive(Serialize, Deserialize, Debug)]
    struct GaugeV1 {
        name: String,
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Gauge {
        name: String,
        unit: Option<String>,
    }

    impl Record for GaugeV1 {}

    impl Record for Gauge {
        const VERSION: u8 = 2;
        fn decode_older(version: u8, body: &[u8]) -> Result<Self, StoreError> {
            match version {
                1 => {
                    let old: GaugeV1 = layout(body)?;
                    Ok(Gauge {
                        name: old.name,
                        unit: None,
                    })
                }
                _ => Err(StoreError::Codec(format!(
                    "unknown gauge version {version}"
                ))),
            }
        }
    }

    #[test]
    fn an_older_layout_is_converted_not_refused() {
        let old = encode(&GaugeV1 {
            name: "flow".into(),
        })
        .unwrap();
        let now: Gauge = decode(&old).unwrap();
        assert_eq!(
            now,
            Gauge {
                name: "flow".into(),
                unit: None
            }
        );
        let new = encode(&now).unwrap();
        assert_eq!(new[0], 2);
        assert_eq!(decode::<Gauge>(&new).unwrap(), now);
    }

    #[test]
    fn newer_and_unknown_versions_are_an_error_not_a_panic() {
        let err = decode::<GaugeV1>(&[2, 0]).unwrap_err().to_string();
        assert!(err.contains("newer release"), "{err}");
        assert!(decode::<Gauge>(&[0, 1]).is_err());
        assert!(decode::<Gauge>(&[]).is_err());
    }
}
