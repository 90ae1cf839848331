//! How many values one read of a stream may name: a window's page (`count`
//! with a continuation token), a range (`Transform?count`), or a whole
//! window. One maximum for every value read, as SDS's 250,000; a number
//! outside it is refused, never clamped or wrapped (a `count` of
//! 2^64 - 1 once wrapped to an empty page with no continuation token).

/// The most values one read returns.
pub const MAX_VALUES: usize = 250_000;

/// The most bytes of values one answer holds, whatever their count: a
/// value may be as large as a request body, so the count alone does not
/// bound a read's memory. A page stops early (with a continuation token)
/// at this size; a read that cannot page is refused past it.
pub const MAX_ANSWER_BYTES: usize = 32 << 20;

/// The most stored values a filtered read examines (see
/// `app::sds::data::scan`): a filter's cost is what it scans.
pub const MAX_FILTER_SCAN: usize = 1_000_000;

/// A range's `count` when none is given.
pub const DEFAULT_RANGE_COUNT: usize = 100;

/// A number of values from 1 to `MAX_VALUES`: reading one more than it
/// (to learn whether another page follows) cannot overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueCount(usize);

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("must be a whole number from 1 to {MAX_VALUES}")]
pub struct OutOfRange;

impl ValueCount {
    pub fn parse(text: &str) -> Result<Self, OutOfRange> {
        let n = text.trim().parse::<usize>().map_err(|_| OutOfRange)?;
        Self::new(n)
    }

    pub fn new(n: usize) -> Result<Self, OutOfRange> {
        if (1..=MAX_VALUES).contains(&n) {
            Ok(Self(n))
        } else {
            Err(OutOfRange)
        }
    }

    /// The most a read returns: a window without `count` is refused when
    /// it holds more.
    pub fn most() -> Self {
        Self(MAX_VALUES)
    }

    pub fn range_default() -> Self {
        Self(DEFAULT_RANGE_COUNT)
    }

    pub fn get(self) -> usize {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_outside_one_to_the_maximum_are_refused_not_clamped() {
        assert_eq!(ValueCount::parse("1").map(ValueCount::get), Ok(1));
        assert_eq!(
            ValueCount::parse("250000").map(ValueCount::get),
            Ok(MAX_VALUES)
        );
        for bad in [
            "0",
            "250001",
            "1000000000",
            "18446744073709551615",
            "18446744073709551616",
            "-1",
            "x",
            "",
        ] {
            assert_eq!(ValueCount::parse(bad), Err(OutOfRange), "{bad}");
        }
    }
}
