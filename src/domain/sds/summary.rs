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

/// How many samples wait before they are merged into their statistics:
/// merging a batch costs a few divisions for all of it, where updating
/// one sample at a time costs two each, and a summary feeds every stored
/// value through here.
const BATCH: usize = 32;

/// Statistics that take their samples a batch at a time.
trait Merge: Clone + Default {
    type Sample: Copy + Default;

    fn merge(&mut self, batch: &[Self::Sample]);
}

/// Statistics `S` with the samples not yet merged into them.
#[derive(Clone, Debug)]
struct Batched<S: Merge> {
    merged: S,
    waiting: [S::Sample; BATCH],
    len: usize,
}

impl<S: Merge> Default for Batched<S> {
    fn default() -> Self {
        Self {
            merged: S::default(),
            waiting: [S::Sample::default(); BATCH],
            len: 0,
        }
    }
}

impl<S: Merge> Batched<S> {
    fn add(&mut self, sample: S::Sample) {
        self.waiting[self.len] = sample;
        self.len += 1;
        if self.len == BATCH {
            self.merged.merge(&self.waiting);
            self.len = 0;
        }
    }

    /// The statistics of every sample so far.
    fn all(&self) -> S {
        let mut all = self.merged.clone();
        if self.len > 0 {
            all.merge(&self.waiting[..self.len]);
        }
        all
    }
}

/// Moments of equally weighted samples: each batch's central moments
/// about its own mean, merged into the running ones (Chan's pairwise
/// update, extended to the third and fourth moments by Pébay): no sum of
/// raw powers to lose precision in.
#[derive(Clone, Debug, Default)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
    sum: f64,
}

impl Merge for Moments {
    type Sample = f64;

    fn merge(&mut self, batch: &[f64]) {
        let nb = batch.len() as f64;
        let sum: f64 = batch.iter().sum();
        let mean_b = sum / nb;
        let (mut m2b, mut m3b, mut m4b) = (0.0, 0.0, 0.0);
        for x in batch {
            let d = x - mean_b;
            let d2 = d * d;
            m2b += d2;
            m3b += d2 * d;
            m4b += d2 * d2;
        }
        let (na, m2a, m3a) = (self.n, self.m2, self.m3);
        let n = na + nb;
        let delta = mean_b - self.mean;
        let delta_n = delta / n;
        let cross = delta * delta_n * na * nb;
        self.m4 += m4b
            + cross * delta_n * delta_n * (na * na - na * nb + nb * nb)
            + 6.0 * delta_n * delta_n * (na * na * m2b + nb * nb * m2a)
            + 4.0 * delta_n * (na * m3b - nb * m3a);
        self.m3 += m3b + cross * delta_n * (na - nb) + 3.0 * delta_n * (na * m2b - nb * m2a);
        self.m2 += m2b + cross;
        self.mean += delta_n * nb;
        self.n = n;
        self.sum += sum;
    }
}

impl Moments {
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

/// Mean and spread of weighted samples `(value, weight)`, merged a batch
/// at a time like `Moments`. The sample deviation uses reliability
/// weights (`V1 - V2 / V1`), so it does not depend on the index's unit.
#[derive(Clone, Debug, Default)]
struct WeightedMoments {
    weight: f64,
    weight_squares: f64,
    mean: f64,
    spread: f64,
}

impl Merge for WeightedMoments {
    type Sample = (f64, f64);

    fn merge(&mut self, batch: &[(f64, f64)]) {
        let (wb, weighted_sum, squares) =
            batch.iter().fold((0.0, 0.0, 0.0), |(w, s, q), (x, wx)| {
                (w + wx, s + wx * x, q + wx * wx)
            });
        let mean_b = weighted_sum / wb;
        let spread_b: f64 = batch
            .iter()
            .map(|(x, w)| w * (x - mean_b) * (x - mean_b))
            .sum();
        let wa = self.weight;
        let weight = wa + wb;
        let delta = mean_b - self.mean;
        self.spread += spread_b + delta * delta * wa * wb / weight;
        self.mean += delta * wb / weight;
        self.weight = weight;
        self.weight_squares += squares;
    }
}

impl WeightedMoments {
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
    events: Batched<Moments>,
    weighted: Batched<WeightedMoments>,
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
            events: Batched::default(),
            weighted: Batched::default(),
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
            let length = at - from;
            if let Some(held) = self.holding.across(left, value).filter(|_| length > 0.0) {
                self.weighted.add((held, length));
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
        let e = &self.events.all();
        let w = &self.weighted.all();
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

    /// Many batches merged give what two passes over all segments give.
    #[test]
    fn batches_merge_into_the_moments_of_all_segments() {
        let points: Vec<(f64, Option<f64>)> = (0..1_000)
            .map(|i| {
                let i = f64::from(i);
                (
                    i + (i % 3.0) * 0.25,
                    Some((i * 0.37).sin() * 100.0 + i * 0.01),
                )
            })
            .collect();
        let s = fed(Holding::Continuous, &points);
        let segments: Vec<(f64, f64)> = points
            .windows(2)
            .map(|w| {
                let (a, b) = (w[0].1.unwrap(), w[1].1.unwrap());
                ((a + b) / 2.0, w[1].0 - w[0].0)
            })
            .collect();
        let n = segments.len() as f64;
        let mean = segments.iter().map(|(x, _)| x).sum::<f64>() / n;
        let central = |p: i32| {
            segments
                .iter()
                .map(|(x, _)| (x - mean).powi(p))
                .sum::<f64>()
        };
        let (m2, m3, m4) = (central(2), central(3), central(4));
        let near = |found: Option<f64>, expected: f64| {
            let f = found.expect("a statistic");
            assert!(
                (f - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "{f} != {expected}"
            );
        };
        near(s[4], mean);
        near(s[5], (m2 / (n - 1.0)).sqrt());
        near(s[6], (m2 / n).sqrt());
        near(s[7], mean * n);
        near(s[8], n.sqrt() * m3 / m2.powf(1.5));
        near(s[9], n * m4 / (m2 * m2) - 3.0);
        let weight: f64 = segments.iter().map(|(_, w)| w).sum();
        let weighted = segments.iter().map(|(x, w)| x * w).sum::<f64>() / weight;
        let spread: f64 = segments
            .iter()
            .map(|(x, w)| w * (x - weighted).powi(2))
            .sum();
        let squares: f64 = segments.iter().map(|(_, w)| w * w).sum();
        near(s[10], weighted);
        near(s[11], (spread / (weight - squares / weight)).sqrt());
        near(s[12], (spread / weight).sqrt());
    }
}
