//! A cycle's scoring scheme: weights (and per-department overrides) that sum to 100, the
//! sales attainment that earns full marks, the minimum evidence per component, grade bands.
//! Parsed whole from the loose input, collecting every problem with the field it concerns.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::component::Component;
use super::problem::Problem;
pub use super::problem::Problems;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Weights {
    pub sales: i32,
    pub satisfaction: i32,
    pub etiquette: i32,
    pub collaboration: i32,
    /// 0 in schemes made before it (and when a client leaves it out).
    #[serde(default)]
    pub responsiveness: i32,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
/// Whole percentages that sum to 100; `responsiveness` is 0 when absent.
pub struct WeightsInput {
    #[schema(minimum = 0, maximum = 100)]
    pub sales: i64,
    #[schema(minimum = 0, maximum = 100)]
    pub satisfaction: i64,
    #[schema(minimum = 0, maximum = 100)]
    pub etiquette: i64,
    #[schema(minimum = 0, maximum = 100)]
    pub collaboration: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub responsiveness: i64,
}

impl Weights {
    pub fn parse(input: &WeightsInput, field: &str, problems: &mut Problems) -> Option<Weights> {
        let parts = Component::ALL.map(|c| (c.as_str(), input.of(c)));
        let mut ok = true;
        for (name, value) in parts {
            if !(0..=100).contains(&value) {
                problems.push((
                    format!("{field}.{name}"),
                    Problem::OutOfRange { min: 0, max: 100 },
                ));
                ok = false;
            }
        }
        let sum: i64 = parts.iter().map(|(_, v)| v).sum();
        if ok && sum != 100 {
            problems.push((field.to_owned(), Problem::WeightsSum { sum }));
            ok = false;
        }
        ok.then_some(Weights {
            sales: input.sales as i32,
            satisfaction: input.satisfaction as i32,
            etiquette: input.etiquette as i32,
            collaboration: input.collaboration as i32,
            responsiveness: input.responsiveness as i32,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MinEvidence {
    pub satisfaction: i32,
    pub etiquette: i32,
    pub collaboration: i32,
    /// Complaints charged to the employee; 3 in schemes made before it.
    #[serde(default = "default_min_complaints")]
    pub responsiveness: i32,
}

fn default_min_complaints() -> i32 {
    3
}

/// How many inspections each person should have in a cycle: its scheme's minimum, the
/// default one while it has no scheme, never fewer than one (the to-do list, the team page
/// and the reminders all count against this).
pub fn inspections_needed(scheme: Option<&Scheme>) -> i32 {
    scheme
        .map_or(MinEvidence::default().etiquette, |s| {
            s.min_evidence.etiquette
        })
        .max(1)
}

impl Default for MinEvidence {
    fn default() -> Self {
        MinEvidence {
            satisfaction: 5,
            etiquette: 1,
            collaboration: 3,
            responsiveness: default_min_complaints(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
/// Minimum evidence per component; an absent or null value takes the default (5, 1, 3, 3).
pub struct MinEvidenceInput {
    #[schema(minimum = 1, maximum = 1000)]
    pub satisfaction: Option<i64>,
    #[schema(minimum = 1, maximum = 1000)]
    pub etiquette: Option<i64>,
    #[schema(minimum = 1, maximum = 1000)]
    pub collaboration: Option<i64>,
    #[schema(minimum = 1, maximum = 1000)]
    pub responsiveness: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GradeBand {
    pub grade: String,
    pub min_total: i32,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeBandInput {
    #[schema(schema_with = super::text::line_schema::<20, false>)]
    pub grade: String,
    #[schema(minimum = 0, maximum = 100)]
    pub min_total: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DepartmentOverride {
    pub department_id: i32,
    pub weights: Weights,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentOverrideInput {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub department_id: i64,
    pub weights: WeightsInput,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scheme {
    pub weights: Weights,
    /// Sales attainment, in percent of target, that earns full marks.
    pub full_marks_at: i32,
    pub min_evidence: MinEvidence,
    /// Highest band first; the last one starts at 0.
    pub grade_bands: Vec<GradeBand>,
    pub department_overrides: Vec<DepartmentOverride>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
/// Weights must sum to 100 (a 422 names the sum); bands are strictly decreasing, highest
/// grade first, and the last starts at 0; each department has at most one override.
pub struct SchemeInput {
    pub weights: WeightsInput,
    /// Sales attainment, in percent of target, that earns full marks (default 100).
    #[schema(minimum = 1, maximum = 1000)]
    pub full_marks_at: Option<i64>,
    #[serde(default)]
    pub min_evidence: MinEvidenceInput,
    #[schema(min_items = 1, max_items = 10)]
    pub grade_bands: Vec<GradeBandInput>,
    #[serde(default)]
    #[schema(max_items = 200)]
    pub department_overrides: Vec<DepartmentOverrideInput>,
}

pub const DEFAULT_FULL_MARKS_AT: i32 = 100;
pub const MAX_FULL_MARKS_AT: i64 = 1000;
pub const MAX_MIN_EVIDENCE: i64 = 1000;
pub const MAX_GRADE_BANDS: usize = 10;
pub const MAX_GRADE_LEN: usize = 20;
pub const MAX_OVERRIDES: usize = 200;

fn bounded(
    value: Option<i64>,
    default: i32,
    min: i64,
    max: i64,
    field: &str,
    problems: &mut Problems,
) -> i32 {
    match value {
        None => default,
        Some(v) if (min..=max).contains(&v) => v as i32,
        Some(_) => {
            problems.push((field.to_owned(), Problem::OutOfRange { min, max }));
            default
        }
    }
}

fn parse_bands(input: &[GradeBandInput], problems: &mut Problems) -> Vec<GradeBand> {
    if input.is_empty() || input.len() > MAX_GRADE_BANDS {
        problems.push((
            "grade_bands".into(),
            Problem::BandCount {
                max: MAX_GRADE_BANDS,
            },
        ));
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut bands = Vec::with_capacity(input.len());
    for (i, band) in input.iter().enumerate() {
        let field = format!("grade_bands[{i}]");
        let grade = match super::text::line(&band.grade, MAX_GRADE_LEN) {
            Ok(grade) if !seen.insert(grade.clone()) => {
                problems.push((format!("{field}.grade"), Problem::Twice));
                grade
            }
            Ok(grade) => grade,
            Err(reason) => {
                problems.push((format!("{field}.grade"), reason));
                String::new()
            }
        };
        if !(0..=100).contains(&band.min_total) {
            problems.push((
                format!("{field}.min_total"),
                Problem::OutOfRange { min: 0, max: 100 },
            ));
        }
        bands.push(GradeBand {
            grade,
            min_total: band.min_total.clamp(0, 100) as i32,
        });
    }
    let decreasing = input
        .windows(2)
        .all(|pair| pair[0].min_total > pair[1].min_total);
    if !decreasing {
        problems.push(("grade_bands".into(), Problem::BandsNotDecreasing));
    }
    if input.last().is_some_and(|last| last.min_total != 0) {
        problems.push(("grade_bands".into(), Problem::LastBandNotZero));
    }
    bands
}

impl Scheme {
    /// The scheme, or every problem found. Whether override departments exist is the
    /// caller's to check (it needs the database).
    pub fn parse(input: &SchemeInput) -> Result<Scheme, Problems> {
        let mut problems = Problems::new();
        let weights = Weights::parse(&input.weights, "weights", &mut problems);
        let full_marks_at = bounded(
            input.full_marks_at,
            DEFAULT_FULL_MARKS_AT,
            1,
            MAX_FULL_MARKS_AT,
            "full_marks_at",
            &mut problems,
        );
        let defaults = MinEvidence::default();
        let evidence = &input.min_evidence;
        let min_evidence = MinEvidence {
            satisfaction: bounded(
                evidence.satisfaction,
                defaults.satisfaction,
                1,
                MAX_MIN_EVIDENCE,
                "min_evidence.satisfaction",
                &mut problems,
            ),
            etiquette: bounded(
                evidence.etiquette,
                defaults.etiquette,
                1,
                MAX_MIN_EVIDENCE,
                "min_evidence.etiquette",
                &mut problems,
            ),
            collaboration: bounded(
                evidence.collaboration,
                defaults.collaboration,
                1,
                MAX_MIN_EVIDENCE,
                "min_evidence.collaboration",
                &mut problems,
            ),
            responsiveness: bounded(
                evidence.responsiveness,
                defaults.responsiveness,
                1,
                MAX_MIN_EVIDENCE,
                "min_evidence.responsiveness",
                &mut problems,
            ),
        };
        let grade_bands = parse_bands(&input.grade_bands, &mut problems);
        if input.department_overrides.len() > MAX_OVERRIDES {
            problems.push((
                "department_overrides".into(),
                Problem::TooManyOverrides { max: MAX_OVERRIDES },
            ));
        }
        let mut departments = HashSet::new();
        let mut department_overrides = Vec::new();
        for (i, o) in input.department_overrides.iter().enumerate() {
            let field = format!("department_overrides[{i}]");
            if o.department_id < 1 || o.department_id > i64::from(i32::MAX) {
                problems.push((format!("{field}.department_id"), Problem::NoSuchDepartment));
                continue;
            }
            if !departments.insert(o.department_id) {
                problems.push((format!("{field}.department_id"), Problem::OverrideTwice));
            }
            if let Some(weights) =
                Weights::parse(&o.weights, &format!("{field}.weights"), &mut problems)
            {
                department_overrides.push(DepartmentOverride {
                    department_id: o.department_id as i32,
                    weights,
                });
            }
        }
        match weights {
            Some(weights) if problems.is_empty() => Ok(Scheme {
                weights,
                full_marks_at,
                min_evidence,
                grade_bands,
                department_overrides,
            }),
            _ => Err(problems),
        }
    }

    /// The weights that apply to a department.
    pub fn weights_for(&self, department_id: i32) -> Weights {
        self.department_overrides
            .iter()
            .find(|o| o.department_id == department_id)
            .map_or(self.weights, |o| o.weights)
    }
}

// What each component reads of the scheme (docs/ARCHITECTURE.md, "Components").

impl Weights {
    pub fn of(&self, c: Component) -> i32 {
        match c {
            Component::Sales => self.sales,
            Component::Satisfaction => self.satisfaction,
            Component::Etiquette => self.etiquette,
            Component::Collaboration => self.collaboration,
            Component::Responsiveness => self.responsiveness,
        }
    }
}

impl WeightsInput {
    pub fn of(&self, c: Component) -> i64 {
        match c {
            Component::Sales => self.sales,
            Component::Satisfaction => self.satisfaction,
            Component::Etiquette => self.etiquette,
            Component::Collaboration => self.collaboration,
            Component::Responsiveness => self.responsiveness,
        }
    }
}

impl MinEvidence {
    /// The least evidence that scores `c` (sales needs a target, not a count: 1 record).
    pub fn of(&self, c: Component) -> i32 {
        match c {
            Component::Sales => 1,
            Component::Satisfaction => self.satisfaction,
            Component::Etiquette => self.etiquette,
            Component::Collaboration => self.collaboration,
            Component::Responsiveness => self.responsiveness,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(value: serde_json::Value) -> SchemeInput {
        serde_json::from_value(value).unwrap()
    }

    fn standard() -> serde_json::Value {
        json!({
            "weights": {"sales": 40, "satisfaction": 30, "etiquette": 20, "collaboration": 10},
            "grade_bands": [
                {"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 75},
                {"grade": "C", "min_total": 60}, {"grade": "D", "min_total": 0}
            ],
            "department_overrides": [
                {"department_id": 7, "weights": {"sales": 0, "satisfaction": 50, "etiquette": 25, "collaboration": 25}}
            ]
        })
    }

    fn problem(value: serde_json::Value, field: &str) -> Problem {
        let problems = Scheme::parse(&input(value)).unwrap_err();
        problems
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, r)| r.clone())
            .unwrap_or_else(|| panic!("no problem for {field}: {problems:?}"))
    }

    #[test]
    fn a_valid_scheme_takes_defaults() {
        let scheme = Scheme::parse(&input(standard())).unwrap();
        assert_eq!(scheme.full_marks_at, 100);
        assert_eq!(scheme.min_evidence, MinEvidence::default());
        assert_eq!(scheme.weights_for(7).sales, 0);
        assert_eq!(scheme.weights_for(8).sales, 40);
    }

    #[test]
    fn weights_must_sum_to_100_and_the_sum_is_named() {
        let mut v = standard();
        v["weights"] =
            json!({"sales": 40, "satisfaction": 30, "etiquette": 20, "collaboration": 20});
        assert_eq!(problem(v, "weights"), Problem::WeightsSum { sum: 110 });
        let mut v = standard();
        v["department_overrides"][0]["weights"]["sales"] = json!(10);
        assert_eq!(
            problem(v, "department_overrides[0].weights"),
            Problem::WeightsSum { sum: 110 }
        );
        let mut v = standard();
        v["weights"]["sales"] = json!(-10);
        assert_eq!(
            problem(v, "weights.sales"),
            Problem::OutOfRange { min: 0, max: 100 }
        );
    }

    #[test]
    fn bands_are_ordered_bounded_and_complete() {
        let mut v = standard();
        v["grade_bands"] = json!([{"grade": "B", "min_total": 75}, {"grade": "A", "min_total": 90}, {"grade": "D", "min_total": 0}]);
        assert_eq!(problem(v, "grade_bands"), Problem::BandsNotDecreasing);
        let mut v = standard();
        v["grade_bands"] =
            json!([{"grade": "A", "min_total": 90}, {"grade": "B", "min_total": 50}]);
        assert_eq!(problem(v, "grade_bands"), Problem::LastBandNotZero);
        let mut v = standard();
        v["grade_bands"][0]["min_total"] = json!(101);
        assert_eq!(
            problem(v, "grade_bands[0].min_total"),
            Problem::OutOfRange { min: 0, max: 100 }
        );
        let mut v = standard();
        v["grade_bands"][1]["grade"] = json!("A");
        assert_eq!(problem(v, "grade_bands[1].grade"), Problem::Twice);
        let mut v = standard();
        v["grade_bands"] = json!([]);
        assert_eq!(problem(v, "grade_bands"), Problem::BandCount { max: 10 });
    }

    #[test]
    fn limits_and_duplicate_overrides() {
        let mut v = standard();
        v["full_marks_at"] = json!(0);
        problem(v, "full_marks_at");
        let mut v = standard();
        v["min_evidence"] = json!({"satisfaction": 0});
        problem(v, "min_evidence.satisfaction");
        let mut v = standard();
        let o = v["department_overrides"][0].clone();
        v["department_overrides"] = json!([o.clone(), o]);
        assert_eq!(
            problem(v, "department_overrides[1].department_id"),
            Problem::OverrideTwice
        );
    }
}
