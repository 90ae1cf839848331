//! Sampled values (`Data/Sampled`): for each interval and each sampling
//! property, the stored events holding its first, last, smallest and
//! largest value, once each, in index order. Fed one stored value at a
//! time; it says which roles a value takes, and the caller keeps the
//! events that hold them.

/// The roles an event may hold for one property in one interval.
pub const FIRST: usize = 0;
pub const LAST: usize = 1;
pub const MINIMUM: usize = 2;
pub const MAXIMUM: usize = 3;
pub const ROLES: usize = 4;

/// The values seen of one property in the current interval.
#[derive(Clone, Debug, Default)]
pub struct PropertySample {
    seen: bool,
    min: f64,
    max: f64,
}

impl PropertySample {
    /// Takes the next stored number of the property; returns, by role,
    /// whether this value now holds it. The earliest of equal extremes
    /// keeps its role, so the answer does not depend on ties' order.
    pub fn observe(&mut self, v: f64) -> [bool; ROLES] {
        let first = !self.seen;
        let min = first || v < self.min;
        let max = first || v > self.max;
        self.seen = true;
        if min {
            self.min = v;
        }
        if max {
            self.max = v;
        }
        [first, true, min, max]
    }

    /// A new interval begins.
    pub fn reset(&mut self) {
        self.seen = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_takes_the_roles_it_holds() {
        let mut s = PropertySample::default();
        assert_eq!(s.observe(5.0), [true, true, true, true]);
        assert_eq!(s.observe(7.0), [false, true, false, true]);
        assert_eq!(
            s.observe(7.0),
            [false, true, false, false],
            "ties keep the earlier"
        );
        assert_eq!(s.observe(1.0), [false, true, true, false]);
        s.reset();
        assert_eq!(s.observe(9.0), [true, true, true, true]);
    }
}
