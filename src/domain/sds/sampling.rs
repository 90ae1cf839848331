//! Sampled values (`Data/Sampled`): for each interval and each sampling
//! property, the stored events holding its first, last, smallest and
//! largest value, once each, in index order. Fed one stored value at a
//! time; it says which roles a value takes, and the caller keeps the
//! events that hold them.

/// `SdsBoundaryType`: what a read adds at an end of its range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// Nothing: a stored event at the end is inside the range anyway.
    Exact,
    Inside,
    /// The stored event just outside the end.
    Outside,
    /// The event at the end: stored, else interpolated.
    ExactOrCalculated,
}

impl Boundary {
    /// By name (any case) or number, as SDS numbers them.
    pub fn parse(text: &str) -> Option<Self> {
        let all = [
            ("Exact", Self::Exact),
            ("Inside", Self::Inside),
            ("Outside", Self::Outside),
            ("ExactOrCalculated", Self::ExactOrCalculated),
        ];
        let text = text.trim();
        all.iter()
            .enumerate()
            .find(|(i, (name, _))| name.eq_ignore_ascii_case(text) || i.to_string() == text)
            .map(|(_, (_, b))| *b)
    }
}

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
        assert_eq!(s.observe(7.0), [false, true, false, false], "ties keep the earlier");
        assert_eq!(s.observe(1.0), [false, true, true, false]);
        s.reset();
        assert_eq!(s.observe(9.0), [true, true, true, true]);
    }

    #[test]
    fn boundary_types_are_read_by_name_or_number() {
        assert_eq!(Boundary::parse("outside"), Some(Boundary::Outside));
        assert_eq!(Boundary::parse("3"), Some(Boundary::ExactOrCalculated));
        assert_eq!(Boundary::parse("4"), None);
        assert_eq!(Boundary::parse("Sideways"), None);
    }
}
