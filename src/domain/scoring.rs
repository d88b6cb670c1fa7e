//! The scoring rules of PRODUCT §3, as pure functions. Components are normalised to 0–100;
//! the total is the weighted mean over the components that are present (a missing one's
//! weight is spread over the others pro rata); nothing is rounded until the end.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::scheme::GradeBand;

/// Why a component has no score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum MissingReason {
    /// No sales target was set for the employee in the cycle.
    NoTarget,
    /// Fewer pieces of evidence (responses, inspections, raters) than the scheme's minimum.
    TooFew { have: i64, need: i32 },
}

impl<'de> Deserialize<'de> for MissingReason {
    /// Snapshots before typed reasons stored English sentences ("no sales target",
    /// "2 of 5 required satisfaction responses"); they still read.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "code", rename_all = "snake_case")]
        enum Typed {
            NoTarget,
            TooFew { have: i64, need: i32 },
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Typed(Typed),
            Sentence(String),
        }
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Typed(Typed::NoTarget) => MissingReason::NoTarget,
            Stored::Typed(Typed::TooFew { have, need }) => MissingReason::TooFew { have, need },
            Stored::Sentence(text) => MissingReason::of_sentence(&text),
        })
    }
}

impl MissingReason {
    /// The reason an old snapshot stated in words.
    fn of_sentence(text: &str) -> MissingReason {
        let mut numbers = text.split(' ').filter_map(|w| w.parse::<i64>().ok());
        match (numbers.next(), numbers.next()) {
            (Some(have), Some(need)) => MissingReason::TooFew {
                have,
                need: need as i32,
            },
            _ => MissingReason::NoTarget,
        }
    }
}

/// One component's result: its score, how much evidence it rests on, and why it is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub score: Option<f64>,
    pub evidence: i64,
    pub missing_reason: Option<MissingReason>,
}

impl Outcome {
    fn present(score: f64, evidence: i64) -> Outcome {
        Outcome {
            score: Some(score),
            evidence,
            missing_reason: None,
        }
    }
    fn missing(evidence: i64, reason: MissingReason) -> Outcome {
        Outcome {
            score: None,
            evidence,
            missing_reason: Some(reason),
        }
    }
}

fn too_few(have: i64, minimum: i32) -> MissingReason {
    MissingReason::TooFew {
        have,
        need: minimum.max(1),
    }
}

/// (mean rating − 1) / 4 × 100 for ratings 1–5.
fn rating_score(sum: i64, count: i64) -> f64 {
    (sum as f64 / count as f64 - 1.0) / 4.0 * 100.0
}

/// 100 × min(1, attainment / full_marks_at); no target → missing. A negative total
/// (returns exceeding sales) scores 0.
pub fn sales(
    total_minor: i64,
    target_minor: Option<i64>,
    full_marks_at_percent: i32,
    records: i64,
) -> Outcome {
    let Some(target) = target_minor.filter(|t| *t > 0) else {
        return Outcome::missing(records, MissingReason::NoTarget);
    };
    let attainment = total_minor as f64 / target as f64;
    let full = f64::from(full_marks_at_percent) / 100.0;
    Outcome::present((100.0 * (attainment / full).min(1.0)).max(0.0), records)
}

pub fn satisfaction(rating_sum: i64, responses: i64, minimum: i32) -> Outcome {
    if responses < i64::from(minimum).max(1) {
        return Outcome::missing(responses, too_few(responses, minimum));
    }
    Outcome::present(rating_score(rating_sum, responses), responses)
}

/// The mean of the inspections' scores (each already 0 when a critical item failed).
pub fn etiquette(inspection_scores: &[f64], minimum: i32) -> Outcome {
    let n = inspection_scores.len() as i64;
    if n < i64::from(minimum).max(1) {
        return Outcome::missing(n, too_few(n, minimum));
    }
    Outcome::present(inspection_scores.iter().sum::<f64>() / n as f64, n)
}

pub fn collaboration(rating_sum: i64, raters: i64, minimum: i32) -> Outcome {
    if raters < i64::from(minimum).max(1) {
        return Outcome::missing(raters, too_few(raters, minimum));
    }
    Outcome::present(rating_score(rating_sum, raters), raters)
}

/// The share of the points the employee's complaints could earn that they earned, × 100
/// (`earned` of `possible`: a limit met in time, a satisfied follow-up), if at least
/// `minimum` complaints were charged to them.
pub fn responsiveness(earned: i64, possible: i64, complaints: i64, minimum: i32) -> Outcome {
    if complaints < i64::from(minimum).max(1) || possible <= 0 {
        return Outcome::missing(complaints, too_few(complaints, minimum));
    }
    Outcome::present(100.0 * earned as f64 / possible as f64, complaints)
}

/// Σ wᵢ·sᵢ / Σ wᵢ over the present components with a positive weight; None when there is
/// none ("insufficient evidence").
pub fn total(parts: &[(i32, Option<f64>)]) -> Option<f64> {
    let (weighted, weights) = parts
        .iter()
        .filter_map(|(w, s)| s.map(|s| (f64::from(*w), s)))
        .filter(|(w, _)| *w > 0.0)
        .fold((0.0, 0.0), |(ws, wt), (w, s)| (ws + w * s, wt + w));
    (weights > 0.0).then(|| weighted / weights)
}

/// What each component counts for and adds, for a page that explains the total: per part,
/// `(weight used in %, points added to the total)` when it is present with a positive
/// weight, else None. A missing component's weight is spread over the others (as in
/// [`total`]), so the weights used add up to 100 and the points to the total. Both are
/// given in hundredths, rounded by largest remainder so that the rounded figures shown add
/// up exactly: to 100.00 and to the rounded total.
pub fn contributions(parts: &[(i32, Option<f64>)]) -> Vec<Option<(f64, f64)>> {
    let counted: Vec<Option<(f64, f64)>> = parts
        .iter()
        .map(|(w, s)| s.filter(|_| *w > 0).map(|s| (f64::from(*w), s)))
        .collect();
    let weights: f64 = counted.iter().flatten().map(|(w, _)| w).sum();
    if weights <= 0.0 {
        return vec![None; parts.len()];
    }
    let present: Vec<(usize, f64, f64)> = counted
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|(w, s)| (i, w, s)))
        .collect();
    let shares: Vec<f64> = present
        .iter()
        .map(|(_, w, _)| w / weights * 100.0)
        .collect();
    let points: Vec<f64> = present.iter().map(|(_, w, s)| w * s / weights).collect();
    let total = round2(points.iter().sum());
    let shares = apportion(&shares, 100.0);
    let points = apportion(&points, total);
    let mut out = vec![None; parts.len()];
    for (k, (i, _, _)) in present.iter().enumerate() {
        out[*i] = Some((shares[k], points[k]));
    }
    out
}

/// `values` in hundredths, rounded so that they add up to `sum` (itself in hundredths):
/// each rounded down, then the hundredths still missing go to the largest remainders.
fn apportion(values: &[f64], sum: f64) -> Vec<f64> {
    let scaled: Vec<f64> = values.iter().map(|v| v * 100.0 + 1e-9).collect();
    let mut centi: Vec<i64> = scaled.iter().map(|v| v.floor() as i64).collect();
    let target = (sum * 100.0).round() as i64;
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| {
        let fraction = |i: usize| scaled[i] - scaled[i].floor();
        fraction(*b).total_cmp(&fraction(*a))
    });
    let missing = target - centi.iter().sum::<i64>();
    for i in order.iter().cycle().take(missing.max(0) as usize) {
        centi[*i] += 1;
    }
    centi.into_iter().map(|c| c as f64 / 100.0).collect()
}

/// Rounds half away from zero to two decimals. The nudge of 1e-9 undoes binary
/// representation error (2.675 is stored as 2.67499999…), far below any real difference.
pub fn round2(value: f64) -> f64 {
    let scaled = value * 100.0;
    (scaled + scaled.signum() * 1e-9).round() / 100.0
}

/// The mean of totals kept in hundredths (`sum` of `count` of them), rounded half away from
/// zero to two decimals in whole numbers, so that every place that shows a department's
/// mean (the report page, the API, the spreadsheet) shows the same cent.
pub fn mean_of_hundredths(sum: i64, count: usize) -> Option<f64> {
    let n = i64::try_from(count).ok().filter(|n| *n > 0)?;
    let rounded = (2 * sum.abs() + n) / (2 * n) * sum.signum();
    Some(rounded as f64 / 100.0)
}

/// The band of a (rounded) total; bands are highest first and the last starts at 0.
pub fn grade(bands: &[GradeBand], total: f64) -> Option<&str> {
    let rounded = round2(total);
    bands
        .iter()
        .find(|b| rounded >= f64::from(b.min_total))
        .map(|b| b.grade.as_str())
}

/// Competition ranking (1, 2, 2, 4) by rounded total, highest first; equal rounded totals
/// share a rank. Employees without a total get no rank.
pub fn ranks<K: Copy + Eq + std::hash::Hash>(totals: &[(K, Option<f64>)]) -> HashMap<K, u32> {
    let mut ranked: Vec<(K, f64)> = totals
        .iter()
        .filter_map(|(k, t)| t.map(|t| (*k, round2(t))))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut result = HashMap::new();
    let mut previous: Option<(f64, u32)> = None;
    for (position, (key, value)) in ranked.into_iter().enumerate() {
        let rank = match previous {
            Some((p, r)) if p == value => r,
            _ => position as u32 + 1,
        };
        previous = Some((value, rank));
        result.insert(key, rank);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bands() -> Vec<GradeBand> {
        [("A", 90), ("B", 75), ("C", 60), ("D", 0)]
            .into_iter()
            .map(|(g, m)| GradeBand {
                grade: g.into(),
                min_total: m,
            })
            .collect()
    }

    #[test]
    fn worked_example_by_hand() {
        // Sales 450,000 of 500,000 with full marks at 90 %: attainment 0.9 → 100.
        let s = sales(450_000, Some(500_000), 90, 12);
        assert_eq!(s.score, Some(100.0));
        // Above full marks is still 100; half-way is 50 at full marks 100 %.
        assert_eq!(sales(900_000, Some(500_000), 100, 3).score, Some(100.0));
        assert_eq!(sales(250_000, Some(500_000), 100, 3).score, Some(50.0));
        assert_eq!(sales(-10, Some(500), 100, 1).score, Some(0.0));
        // Ratings 5, 4, 4, 3, 5: mean 4.2 → (4.2 − 1) / 4 × 100 = 80.
        let c = satisfaction(21, 5, 5);
        assert!((c.score.unwrap() - 80.0).abs() < 1e-9);
        // Inspections 92 and 0 (critical failure) → 46.
        assert_eq!(etiquette(&[92.0, 0.0], 1).score, Some(46.0));
        // Collaboration 3 raters, sum 13: mean 4.333… → 83.333…
        let k = collaboration(13, 3, 3);
        assert_eq!(round2(k.score.unwrap()), 83.33);
        // Weights 40/30/20/10: (40·100 + 30·80 + 20·46 + 10·83.333…) / 100 = 81.5333…
        let t = total(&[
            (40, s.score),
            (30, c.score),
            (20, Some(46.0)),
            (10, k.score),
        ])
        .unwrap();
        assert_eq!(round2(t), 81.53);
        assert_eq!(grade(&bands(), t), Some("B"));
    }

    #[test]
    fn missing_components_say_why_and_spread_their_weight() {
        assert_eq!(
            sales(100, None, 100, 4).missing_reason,
            Some(MissingReason::NoTarget)
        );
        assert_eq!(
            satisfaction(8, 2, 5).missing_reason,
            Some(MissingReason::TooFew { have: 2, need: 5 })
        );
        assert_eq!(
            etiquette(&[], 1).missing_reason,
            Some(MissingReason::TooFew { have: 0, need: 1 })
        );
        // Sales missing: 30·80 + 20·46 + 10·60 over 60 → 65.333…
        let t = total(&[
            (40, None),
            (30, Some(80.0)),
            (20, Some(46.0)),
            (10, Some(60.0)),
        ]);
        assert_eq!(round2(t.unwrap()), 65.33);
        assert_eq!(total(&[(40, None), (60, None)]), None);
        assert_eq!(total(&[(0, Some(50.0)), (100, None)]), None);
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round2(2.675), 2.68);
        assert_eq!(round2(89.995), 90.0);
        assert_eq!(round2(-1.005), -1.01);
        assert_eq!(round2(74.994), 74.99);
        // A total just under a band edge that rounds up to it takes the band.
        assert_eq!(grade(&bands(), 89.996), Some("A"));
        assert_eq!(grade(&bands(), 89.994), Some("B"));
    }

    #[test]
    fn ties_share_a_rank() {
        let r = ranks(&[
            (1, Some(90.0)),
            (2, Some(85.001)),
            (3, Some(85.0)),
            (4, Some(70.0)),
            (5, None),
        ]);
        assert_eq!((r[&1], r[&2], r[&3], r[&4]), (1, 2, 2, 4));
        assert!(!r.contains_key(&5));
    }

    fn component() -> impl Strategy<Value = Option<f64>> {
        prop::option::weighted(0.8, 0.0..=100.0f64)
    }

    fn parts() -> impl Strategy<Value = Vec<(i32, Option<f64>)>> {
        prop::collection::vec((0..=100i32, component()), 4)
    }

    proptest! {
        #[test]
        fn total_lies_between_the_present_components(parts in parts()) {
            if let Some(t) = total(&parts) {
                let present: Vec<f64> = parts.iter().filter(|(w, _)| *w > 0).filter_map(|(_, s)| *s).collect();
                let lo = present.iter().cloned().fold(f64::INFINITY, f64::min);
                let hi = present.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(t >= lo - 1e-9 && t <= hi + 1e-9, "{t} outside {lo}..{hi}");
            }
        }

        #[test]
        fn scaling_all_weights_keeps_the_total(parts in parts(), k in 1..=10i32) {
            let scaled: Vec<_> = parts.iter().map(|(w, s)| (w * k, *s)).collect();
            match (total(&parts), total(&scaled)) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9),
                (a, b) => prop_assert_eq!(a, b),
            }
        }

        #[test]
        fn a_zero_weight_has_no_effect(parts in parts(), i in 0..4usize, other in component()) {
            let mut zeroed = parts.clone();
            zeroed[i].0 = 0;
            let mut changed = zeroed.clone();
            changed[i].1 = other;
            prop_assert_eq!(total(&zeroed), total(&changed));
        }

        #[test]
        fn raising_a_component_never_lowers_the_total(parts in parts(), i in 0..4usize, raise in 0.0..=100.0f64) {
            if let (Some(before), Some(score)) = (total(&parts), parts[i].1) {
                let mut raised = parts.clone();
                raised[i].1 = Some((score + raise).min(100.0));
                prop_assert!(total(&raised).unwrap() >= before - 1e-9);
            }
        }
    }

    #[test]
    fn contributions_add_up_to_the_total_and_weights_used_to_100() {
        // Sales missing: its 30 % is spread over 30 / 20 / 20.
        let parts = [
            (30, None),
            (30, Some(62.5)),
            (20, Some(81.0)),
            (20, Some(70.0)),
        ];
        let shown = contributions(&parts);
        assert_eq!(shown[0], None);
        let used: Vec<f64> = shown.iter().flatten().map(|(w, _)| *w).collect();
        assert_eq!(used, [42.86, 28.57, 28.57]);
        let points: f64 = shown.iter().flatten().map(|(_, p)| p).sum();
        let expected = round2(total(&parts).unwrap());
        assert!((points - expected).abs() < 1e-9, "{points} vs {expected}");
        // Many awkward thirds still add up exactly.
        for a in 0..50 {
            let parts = [
                (33, Some(f64::from(a) + 0.335)),
                (33, Some(66.665)),
                (34, Some(99.995 - f64::from(a))),
            ];
            let shown = contributions(&parts);
            let points: f64 = shown.iter().flatten().map(|(_, p)| p).sum();
            let expected = round2(total(&parts).unwrap());
            assert!(
                (round2(points) - expected).abs() < 1e-9,
                "{a}: {points} vs {expected}"
            );
            let used: f64 = shown.iter().flatten().map(|(w, _)| w).sum();
            assert!((round2(used) - 100.0).abs() < 1e-9);
        }
        assert_eq!(contributions(&[(0, Some(50.0)), (10, None)]), [None, None]);
    }

    #[test]
    fn a_mean_of_hundredths_rounds_half_away_from_zero_exactly() {
        // 80.00 and 80.01: 80.005, which float sums put on either side of the cent.
        assert_eq!(mean_of_hundredths(16_001, 2), Some(80.01));
        assert_eq!(mean_of_hundredths(16_000, 2), Some(80.0));
        assert_eq!(mean_of_hundredths(10_000, 3), Some(33.33));
        assert_eq!(mean_of_hundredths(-16_001, 2), Some(-80.01));
        assert_eq!(mean_of_hundredths(0, 0), None);
    }
}
