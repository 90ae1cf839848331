//! The statistics of one property over one summary interval, as SDS's
//! `Data/Summaries` answers them (`SdsSummaryType`): fed the interval's
//! points in index order (the interpolated event at its start, the stored
//! events inside, the interpolated event at its end), in one pass, with
//! constant memory.
//!
//! What the SDS docs' worked examples pin down, and this follows:
//!
//! - `Count`, `Minimum`, `Maximum`, `Range` are of the stored values only
//!   (both ends of the interval included; nulls not counted).
//! - The other statistics are of *segments*: the stretch between two
//!   consecutive points. `Mean`, `StandardDeviation` (n - 1),
//!   `PopulationStandardDeviation` (n), `Skewness` (population, g1),
//!   `Kurtosis` (population excess, g2) and `Total` (their sum) weigh each
//!   segment between consecutive non-null points once; nulls are skipped.
//! - `WeightedMean`, `WeightedStandardDeviation` and
//!   `WeightedPopulationStandardDeviation` weigh each segment between
//!   consecutive points by its length on the index; a segment with a null
//!   end holds a value only where the interpolation mode carries one across
//!   it (leading modes: the left value; trailing modes: the right).
//! - A segment's value is what the mode makes of it: the midpoint for the
//!   continuous modes, the left value for stepwise leading, the right for
//!   stepwise trailing.
//!
//! A statistic with nothing to describe (no segment, no spread for
//! skewness) is `None`, answered as null.

/// How a property's value holds between two points: from its
/// interpolation mode (Discrete properties are not summarised).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    Continuous,
    StepwiseLeading,
    StepwiseTrailing,
    NullableLeading,
    NullableTrailing,
}

impl Holding {
    /// The value of a segment between two non-null points.
    fn between(self, left: f64, right: f64) -> f64 {
        match self {
            Holding::StepwiseLeading => left,
            Holding::StepwiseTrailing => right,
            _ => left + (right - left) / 2.0,
        }
    }

    /// The value a segment holds across the index, with its ends as they
    /// are (`None` when it holds none: it then weighs nothing).
    fn across(self, left: Option<f64>, right: Option<f64>) -> Option<f64> {
        match (left, right) {
            (Some(l), Some(r)) => Some(self.between(l, r)),
            (Some(l), None) if self.leads() => Some(l),
            (None, Some(r)) if self.trails() => Some(r),
            _ => None,
        }
    }

    fn leads(self) -> bool {
        matches!(self, Holding::StepwiseLeading | Holding::NullableLeading)
    }

    fn trails(self) -> bool {
        matches!(self, Holding::StepwiseTrailing | Holding::NullableTrailing)
    }
}

/// Moments of equally weighted samples, updated one at a time (Welford,
/// extended to the third and fourth moments by Terriberry): no sum of
/// powers to lose precision in.
#[derive(Clone, Debug, Default)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
    sum: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        let n1 = self.n;
        self.n += 1.0;
        let n = self.n;
        let delta = x - self.mean;
        let delta_n = delta / n;
        let delta_n2 = delta_n * delta_n;
        let term1 = delta * delta_n * n1;
        self.mean += delta_n;
        self.m4 += term1 * delta_n2 * (n * n - 3.0 * n + 3.0) + 6.0 * delta_n2 * self.m2
            - 4.0 * delta_n * self.m3;
        self.m3 += term1 * delta_n * (n - 2.0) - 3.0 * delta_n * self.m2;
        self.m2 += term1;
        self.sum += x;
    }

    fn mean(&self) -> Option<f64> {
        (self.n > 0.0).then_some(self.mean)
    }

    fn deviation(&self, less: f64) -> Option<f64> {
        (self.n - less > 0.0).then(|| (self.m2 / (self.n - less)).sqrt())
    }

    fn skewness(&self) -> Option<f64> {
        (self.n > 0.0 && self.m2 > 0.0).then(|| self.n.sqrt() * self.m3 / self.m2.powf(1.5))
    }

    fn kurtosis(&self) -> Option<f64> {
        (self.n > 0.0 && self.m2 > 0.0).then(|| self.n * self.m4 / (self.m2 * self.m2) - 3.0)
    }
}

/// Mean and spread of weighted samples, updated one at a time (West's
/// algorithm). The sample deviation uses reliability weights
/// (`V1 - V2 / V1`), so it does not depend on the index's unit.
#[derive(Clone, Debug, Default)]
struct WeightedMoments {
    weight: f64,
    weight_squares: f64,
    mean: f64,
    spread: f64,
}

impl WeightedMoments {
    fn add(&mut self, x: f64, w: f64) {
        if w <= 0.0 {
            return;
        }
        self.weight += w;
        self.weight_squares += w * w;
        let delta = x - self.mean;
        self.mean += delta * w / self.weight;
        self.spread += w * delta * (x - self.mean);
    }

    fn mean(&self) -> Option<f64> {
        (self.weight > 0.0).then_some(self.mean)
    }

    fn population_deviation(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| (self.spread / self.weight).sqrt())
    }

    fn deviation(&self) -> Option<f64> {
        let reliable = self.weight - self.weight_squares / self.weight;
        (self.weight > 0.0 && reliable > 0.0).then(|| (self.spread / reliable).sqrt())
    }
}

/// The summary types, in the order SDS numbers them.
pub const SUMMARY_TYPES: [&str; 13] = [
    "Count",
    "Minimum",
    "Maximum",
    "Range",
    "Mean",
    "StandardDeviation",
    "PopulationStandardDeviation",
    "Total",
    "Skewness",
    "Kurtosis",
    "WeightedMean",
    "WeightedStandardDeviation",
    "WeightedPopulationStandardDeviation",
];

/// One property's statistics over one interval, being gathered.
#[derive(Clone, Debug)]
pub struct PropertySummary {
    holding: Holding,
    count: u64,
    min: f64,
    max: f64,
    events: Moments,
    weighted: WeightedMoments,
    /// The last point (its index position and value), for weighted segments.
    last: Option<(f64, Option<f64>)>,
    /// The last non-null point's value, for event-weighted segments.
    last_value: Option<f64>,
}

impl PropertySummary {
    pub fn new(holding: Holding) -> Self {
        Self {
            holding,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            events: Moments::default(),
            weighted: WeightedMoments::default(),
            last: None,
            last_value: None,
        }
    }

    /// A stored value of the interval (a point is fed separately).
    pub fn stored(&mut self, value: Option<f64>) {
        if let Some(v) = value {
            self.count += 1;
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
    }

    /// The next point, at `at` on the index (positions never decrease).
    pub fn point(&mut self, at: f64, value: Option<f64>) {
        if let Some((from, left)) = self.last {
            if let Some(held) = self.holding.across(left, value) {
                self.weighted.add(held, at - from);
            }
        }
        if let Some(v) = value {
            if let Some(previous) = self.last_value {
                self.events.add(self.holding.between(previous, v));
            }
            self.last_value = Some(v);
        }
        self.last = Some((at, value));
    }

    /// The statistics, in the order of `SUMMARY_TYPES`.
    pub fn finish(&self) -> [Option<f64>; 13] {
        let any = self.count > 0;
        let e = &self.events;
        let w = &self.weighted;
        [
            Some(self.count as f64),
            any.then_some(self.min),
            any.then_some(self.max),
            any.then_some(self.max - self.min),
            e.mean(),
            e.deviation(1.0),
            e.deviation(0.0),
            (e.n > 0.0).then_some(e.sum),
            e.skewness(),
            e.kurtosis(),
            w.mean(),
            w.deviation(),
            w.population_deviation(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(found: Option<f64>, expected: f64) {
        let f = found.expect("a statistic");
        assert!((f - expected).abs() < 1e-12, "{f} != {expected}");
    }

    fn fed(holding: Holding, points: &[(f64, Option<f64>)]) -> [Option<f64>; 13] {
        let mut s = PropertySummary::new(holding);
        for (at, v) in points {
            s.stored(*v);
            s.point(*at, *v);
        }
        s.finish()
    }

    #[test]
    fn the_sds_docs_nullable_example_gives_its_numbers() {
        // Seconds 1..8: 2, 2, null, 1, 2, null, null, 3 (Continuous).
        let values = [
            Some(2.0),
            Some(2.0),
            None,
            Some(1.0),
            Some(2.0),
            None,
            None,
            Some(3.0),
        ];
        let points: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64 + 1.0, *v))
            .collect();
        let s = fed(Holding::Continuous, &points);
        assert_eq!(s[0], Some(5.0));
        assert_eq!((s[1], s[2], s[3]), (Some(1.0), Some(3.0), Some(2.0)));
        close(s[4], 1.875);
        close(s[5], 0.478713553878169);
        close(s[6], 0.414578098794425);
        close(s[7], 7.5);
        close(s[8], 0.49338220021815865);
        close(s[9], -1.3719008264462809);
        close(s[10], 1.75);
        close(s[11], 0.353_553_390_593_273_8);
        close(s[12], 0.25);
    }

    #[test]
    fn the_sds_docs_first_interval_gives_its_numbers() {
        // Hours 12, 13, 14: 0, 10, 20.
        let s = fed(
            Holding::Continuous,
            &[(0.0, Some(0.0)), (3600.0, Some(10.0)), (7200.0, Some(20.0))],
        );
        assert_eq!(s[0], Some(3.0));
        close(s[4], 10.0);
        close(s[5], 50f64.sqrt());
        close(s[6], 5.0);
        close(s[7], 20.0);
        close(s[8], 0.0);
        close(s[9], -2.0);
        close(s[10], 10.0);
        close(s[11], 50f64.sqrt());
        close(s[12], 5.0);
    }

    #[test]
    fn stepwise_modes_hold_one_end_over_uneven_spacing() {
        // At 0, 1, 4: 10, 20, 40.
        let points = [(0.0, Some(10.0)), (1.0, Some(20.0)), (4.0, Some(40.0))];
        let leading = fed(Holding::StepwiseLeading, &points);
        close(leading[10], (10.0 + 20.0 * 3.0) / 4.0);
        close(leading[4], 15.0);
        let trailing = fed(Holding::StepwiseTrailing, &points);
        close(trailing[10], (20.0 + 40.0 * 3.0) / 4.0);
        close(trailing[4], 30.0);
        let continuous = fed(Holding::Continuous, &points);
        close(continuous[10], (15.0 + 30.0 * 3.0) / 4.0);
        // Population spread of 15 (weight 1) and 30 (weight 3) about 26.25.
        let spread = (1.0 * 11.25f64.powi(2) + 3.0 * 3.75f64.powi(2)) / 4.0;
        close(continuous[12], spread.sqrt());
        // Reliability weights: V1 - V2 / V1 = 4 - 10 / 4.
        close(continuous[11], (spread * 4.0 / 1.5).sqrt());
    }

    #[test]
    fn nulls_hold_a_value_only_where_the_mode_carries_one() {
        let points = [(0.0, Some(2.0)), (1.0, None), (2.0, Some(4.0))];
        assert_eq!(fed(Holding::Continuous, &points)[10], None);
        close(fed(Holding::NullableLeading, &points)[10], 2.0);
        close(fed(Holding::NullableTrailing, &points)[10], 4.0);
        // Event-weighted statistics skip the null: one segment, 3.
        let s = fed(Holding::Continuous, &points);
        close(s[4], 3.0);
        assert_eq!(s[5], None, "no sample deviation of one segment");
        close(s[6], 0.0);
        assert_eq!(s[8], None, "no skewness without spread");
    }

    #[test]
    fn an_interval_without_values_has_only_a_count() {
        let s = PropertySummary::new(Holding::Continuous).finish();
        assert_eq!(s[0], Some(0.0));
        assert!(s[1..].iter().all(Option::is_none));
    }
}
