//! `SdsInterpolationMode` and `SdsExtrapolationMode`, which a property of a
//! type may carry: by name (what AVEVA's libraries send) or number (what
//! SDS answers, and all the OCS-era library reads back).

const INTERPOLATION: &[(&str, u16)] = &[
    ("Continuous", 0),
    ("Default", 0),
    ("StepwiseContinuousLeading", 1),
    ("StepwiseContinuousTrailing", 2),
    ("Discrete", 3),
    ("ContinuousNullableLeading", 4),
    ("ContinuousNullableTrailing", 5),
];

const EXTRAPOLATION: &[(&str, u16)] = &[("All", 0), ("None", 1), ("Forward", 2), ("Backward", 3)];

fn number(table: &[(&str, u16)], name: &str) -> Option<u16> {
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .map(|(_, c)| *c)
}

/// The number of an interpolation mode's name, any case.
pub fn interpolation(name: &str) -> Option<u16> {
    number(INTERPOLATION, name)
}

/// The number of an extrapolation mode's name, any case (the Python
/// libraries spell `None` as `none`).
pub fn extrapolation(name: &str) -> Option<u16> {
    number(EXTRAPOLATION, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_numbered_as_sds_numbers_them() {
        assert_eq!(interpolation("Continuous"), Some(0));
        assert_eq!(interpolation("discrete"), Some(3));
        assert_eq!(interpolation("ContinuousNullableTrailing"), Some(5));
        assert_eq!(interpolation("Sideways"), None);
        assert_eq!(extrapolation("none"), Some(1));
        assert_eq!(extrapolation("Backward"), Some(3));
    }
}
