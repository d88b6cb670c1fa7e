//! One employee's appraisal as the rules make it: the inputs it is computed from (kept with
//! it as a snapshot, so a later change of configuration never rewrites what the employee was
//! shown), its states, and the scoring of one employee from their evidence (pure).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::checklist::InspectionScore;
use super::component::Component;
use super::problem::Problem;
use super::scheme::{GradeBand, MinEvidence, Scheme, Weights};
pub use super::scoring::MissingReason;
use super::scoring::{self, round2, Outcome};

/// Where an appraisal is in its life: draft, reviewed, published, then acknowledged or
/// appealed.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum AppraisalState {
    Draft,
    Reviewed,
    Published,
    Acknowledged,
    Appealed,
}

impl AppraisalState {
    pub const ALL: [AppraisalState; 5] = [
        AppraisalState::Draft,
        AppraisalState::Reviewed,
        AppraisalState::Published,
        AppraisalState::Acknowledged,
        AppraisalState::Appealed,
    ];
    pub const VALUES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Result<AppraisalState, Problem> {
        value.parse().map_err(|_| Problem::OneOf {
            options: Self::VALUES,
        })
    }

    /// Visible to the employee.
    pub fn is_published(self) -> bool {
        matches!(
            self,
            AppraisalState::Published | AppraisalState::Acknowledged | AppraisalState::Appealed
        )
    }
}

impl fmt::Display for AppraisalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for AppraisalState {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        AppraisalState::parse(&value).map_err(|_| format!("unknown appraisal state {value:?}"))
    }
}

/// An appeal's state.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum AppealState {
    Open,
    Upheld,
    Rejected,
}

impl AppealState {
    pub const VALUES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(value: &str) -> Result<AppealState, Problem> {
        value.parse().map_err(|_| Problem::OneOf {
            options: Self::VALUES,
        })
    }
}

impl TryFrom<String> for AppealState {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        AppealState::parse(&value).map_err(|_| format!("unknown appeal state {value:?}"))
    }
}

/// The rule shown with every etiquette score: a critical item scored 0 makes the
/// inspection 0. (Old snapshots stored it in English; any stored text reads as the rule.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CriticalRule {
    /// An inspection in which a critical item scored 0 counts as 0.
    #[default]
    CriticalZeroCountsZero,
}

impl<'de> Deserialize<'de> for CriticalRule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|_| CriticalRule::CriticalZeroCountsZero)
    }
}

/// One component as computed, with the weight that applied to the employee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentInput {
    /// Rounded to two decimals.
    pub score: Option<f64>,
    pub weight: i32,
    pub evidence: i64,
    pub missing_reason: Option<MissingReason>,
}

impl ComponentInput {
    /// A component an old snapshot does not have: no weight, no evidence, no score.
    pub fn absent() -> ComponentInput {
        ComponentInput {
            score: None,
            weight: 0,
            evidence: 0,
            missing_reason: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InspectionInput {
    pub id: i32,
    pub occurred_on: NaiveDate,
    pub score: f64,
    pub critical_failed: bool,
}

/// Everything an appraisal was computed from: kept with it, so a later change of
/// configuration or evidence never rewrites what the employee was shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    pub weights: Weights,
    pub full_marks_at: i32,
    pub min_evidence: MinEvidence,
    pub grade_bands: Vec<GradeBand>,
    pub sales: ComponentInput,
    pub satisfaction: ComponentInput,
    pub etiquette: ComponentInput,
    pub collaboration: ComponentInput,
    /// Absent in appraisals computed before the fifth component: weight 0, no score.
    #[serde(default = "ComponentInput::absent")]
    pub responsiveness: ComponentInput,
    /// The responsiveness points earned and possible (`evidence` counts the complaints).
    #[serde(default)]
    pub responsiveness_points: (i64, i64),
    pub sales_total: i64,
    pub sales_target: Option<i64>,
    pub inspections: Vec<InspectionInput>,
    #[serde(default)]
    pub critical_rule: CriticalRule,
}

impl Inputs {
    /// The scheme these inputs were computed with (an upheld appeal recomputes with it).
    pub fn scheme(&self) -> Scheme {
        Scheme {
            weights: self.weights,
            full_marks_at: self.full_marks_at,
            min_evidence: self.min_evidence,
            grade_bands: self.grade_bands.clone(),
            department_overrides: Vec::new(),
        }
    }
}

/// What a cycle holds for one employee: counts and sums, never who rated whom.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EmployeeEvidence {
    pub employee_id: i32,
    pub sales_target: Option<i64>,
    pub sales_records: i64,
    pub sales_total: i64,
    pub satisfaction_responses: i64,
    pub satisfaction_rating_sum: i64,
    pub inspections: i64,
    pub collaboration_raters: i64,
    pub collaboration_rating_sum: i64,
    /// Complaints of the period charged to the employee, and the points they earned of
    /// those they could.
    pub complaints: i64,
    pub responsiveness_earned: i64,
    pub responsiveness_possible: i64,
}

/// One employee scored: the snapshot, the total and the grade.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    pub employee_id: i32,
    pub department_id: i32,
    pub inputs: Inputs,
    pub total: Option<f64>,
    pub grade: Option<String>,
}

impl Computed {
    pub fn total_centi(&self) -> Option<i32> {
        centi(self.total)
    }
}

/// A score as stored: hundredths, rounded half away from zero once.
pub fn centi(score: Option<f64>) -> Option<i32> {
    score.map(|s| (round2(s) * 100.0).round() as i32)
}

fn component(outcome: &Outcome, weight: i32) -> ComponentInput {
    ComponentInput {
        score: outcome.score.map(round2),
        weight,
        evidence: outcome.evidence,
        missing_reason: outcome.missing_reason.clone(),
    }
}

/// Scores one employee from the cycle's evidence and scheme (PRODUCT §3).
pub fn score_employee(
    scheme: &Scheme,
    employee_id: i32,
    department_id: i32,
    e: &EmployeeEvidence,
    inspections: Vec<InspectionInput>,
) -> Computed {
    let min = scheme.min_evidence;
    let scores: Vec<f64> = inspections.iter().map(|i| i.score).collect();
    let w = scheme.weights_for(department_id);
    let sales = scoring::sales(
        e.sales_total,
        e.sales_target,
        scheme.full_marks_at,
        e.sales_records,
    );
    let satisfaction = scoring::satisfaction(
        e.satisfaction_rating_sum,
        e.satisfaction_responses,
        min.satisfaction,
    );
    let etiquette = scoring::etiquette(&scores, min.etiquette);
    let collaboration = scoring::collaboration(
        e.collaboration_rating_sum,
        e.collaboration_raters,
        min.collaboration,
    );
    let responsiveness = scoring::responsiveness(
        e.responsiveness_earned,
        e.responsiveness_possible,
        e.complaints,
        min.responsiveness,
    );
    let total = scoring::total(&[
        (w.sales, sales.score),
        (w.satisfaction, satisfaction.score),
        (w.etiquette, etiquette.score),
        (w.collaboration, collaboration.score),
        (w.responsiveness, responsiveness.score),
    ]);
    let grade = total.and_then(|t| scoring::grade(&scheme.grade_bands, t).map(str::to_owned));
    Computed {
        employee_id,
        department_id,
        total,
        grade,
        inputs: Inputs {
            weights: w,
            full_marks_at: scheme.full_marks_at,
            min_evidence: min,
            grade_bands: scheme.grade_bands.clone(),
            sales: component(&sales, w.sales),
            satisfaction: component(&satisfaction, w.satisfaction),
            etiquette: component(&etiquette, w.etiquette),
            collaboration: component(&collaboration, w.collaboration),
            responsiveness: component(&responsiveness, w.responsiveness),
            responsiveness_points: (e.responsiveness_earned, e.responsiveness_possible),
            sales_total: e.sales_total,
            sales_target: e.sales_target,
            inspections,
            critical_rule: CriticalRule::CriticalZeroCountsZero,
        },
    }
}

/// An inspection's totals as the scorer takes them.
pub fn inspection_input(
    id: i32,
    occurred_on: NaiveDate,
    score: InspectionScore,
) -> InspectionInput {
    InspectionInput {
        id,
        occurred_on,
        score: score.score,
        critical_failed: score.critical_failed,
    }
}

/// The last instant an employee may appeal: the appraisal's publication plus the cycle's
/// appeal window. The appeal itself, the employee's page and the results mail all use it.
pub fn appeal_closes(
    published_at: chrono::NaiveDateTime,
    window_days: i32,
) -> chrono::NaiveDateTime {
    published_at + chrono::Duration::days(i64::from(window_days))
}

/// A component's input and what it adds to the total: the weight really used and the
/// points (None when it is missing).
pub type Contribution<'a> = (Component, &'a ComponentInput, Option<(f64, f64)>);

impl Inputs {
    pub fn component(&self, c: Component) -> &ComponentInput {
        match c {
            Component::Sales => &self.sales,
            Component::Satisfaction => &self.satisfaction,
            Component::Etiquette => &self.etiquette,
            Component::Collaboration => &self.collaboration,
            Component::Responsiveness => &self.responsiveness,
        }
    }

    /// Every component with its input, in order.
    pub fn components(&self) -> [(Component, &ComponentInput); 5] {
        Component::ALL.map(|c| (c, self.component(c)))
    }

    /// Every component with its input and what it adds to the total (the weight really
    /// used and the points, `scoring::contributions`; None when it is missing).
    pub fn contributions(&self) -> Vec<Contribution<'_>> {
        let parts = self.components();
        let used = scoring::contributions(&parts.map(|(_, c)| (c.weight, c.score)));
        parts
            .into_iter()
            .zip(used)
            .map(|((c, input), used)| (c, input, used))
            .collect()
    }

    /// The components a person is shown: those weighted in the cycle, and any other that
    /// has a score. A weight of 0 is HR not counting a component (responsiveness, until HR
    /// gives it one): nothing is missing, and no row saying so.
    pub fn counted_contributions(&self) -> Vec<Contribution<'_>> {
        self.contributions()
            .into_iter()
            .filter(|(_, c, _)| c.weight > 0 || c.score.is_some())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_snapshots_still_read() {
        let old = r#"{"score":null,"weight":30,"evidence":2,
            "missing_reason":"2 of 5 required satisfaction responses"}"#;
        let c: ComponentInput = serde_json::from_str(old).unwrap();
        assert_eq!(
            c.missing_reason,
            Some(MissingReason::TooFew { have: 2, need: 5 })
        );
        let old = r#"{"score":null,"weight":40,"evidence":0,"missing_reason":"no sales target"}"#;
        let c: ComponentInput = serde_json::from_str(old).unwrap();
        assert_eq!(c.missing_reason, Some(MissingReason::NoTarget));
        let new = serde_json::to_string(&ComponentInput {
            score: None,
            weight: 10,
            evidence: 1,
            missing_reason: Some(MissingReason::TooFew { have: 1, need: 3 }),
        })
        .unwrap();
        assert!(
            new.contains(r#""missing_reason":{"code":"too_few","have":1,"need":3}"#),
            "{new}"
        );
        let again: ComponentInput = serde_json::from_str(&new).unwrap();
        assert_eq!(
            again.missing_reason,
            Some(MissingReason::TooFew { have: 1, need: 3 })
        );
        let rule: CriticalRule = serde_json::from_str(
            r#""an inspection in which a critical item scored 0 counts as 0""#,
        )
        .unwrap();
        assert_eq!(rule, CriticalRule::CriticalZeroCountsZero);
    }

    #[test]
    fn a_component_not_weighted_and_without_a_score_is_not_shown() {
        let mut inputs: Inputs = serde_json::from_value(serde_json::json!({
            "weights": {"sales": 50, "satisfaction": 50, "etiquette": 0, "collaboration": 0},
            "full_marks_at": 100,
            "min_evidence": {"satisfaction": 5, "etiquette": 1, "collaboration": 3},
            "grade_bands": [],
            "sales": {"score": 80.0, "weight": 50, "evidence": 3},
            "satisfaction": {"score": 90.0, "weight": 50, "evidence": 6},
            "etiquette": {"score": null, "weight": 0, "evidence": 0},
            "collaboration": {"score": 70.0, "weight": 0, "evidence": 4},
            "sales_total": 0,
            "sales_target": null,
            "inspections": [],
        }))
        .unwrap_or_else(|e| panic!("{e}"));
        inputs.responsiveness.missing_reason = Some(MissingReason::TooFew { have: 0, need: 3 });
        let shown: Vec<Component> = inputs
            .counted_contributions()
            .into_iter()
            .map(|(c, _, _)| c)
            .collect();
        assert_eq!(
            shown,
            [
                Component::Sales,
                Component::Satisfaction,
                Component::Collaboration
            ]
        );
    }

    #[test]
    fn unknown_stored_states_are_errors() {
        assert!(AppraisalState::try_from("draft".to_owned()).is_ok());
        assert!(AppraisalState::try_from("gone".to_owned()).is_err());
        assert!(AppealState::try_from("maybe".to_owned()).is_err());
    }
}
