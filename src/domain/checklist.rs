//! Etiquette checklists and the score of one inspection against one.

use std::collections::HashSet;

use serde::Deserialize;

use super::problem::{Problem, Problems};

pub const CHECKLIST_NAME_MAX: usize = 100;
pub const ITEM_TITLE_MAX: usize = 200;
pub const MAX_ITEMS: usize = 50;
pub const MAX_ITEM_POINTS: i64 = 100;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    #[schema(schema_with = super::text::name_schema::<ITEM_TITLE_MAX, false>)]
    pub title: String,
    #[schema(minimum = 1, maximum = 100)]
    pub max_points: i64,
    /// A critical item scored 0 makes the whole inspection count as 0.
    #[serde(default)]
    pub critical: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub title: String,
    pub max_points: i32,
    pub critical: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistDraft {
    pub name: String,
    pub items: Vec<Item>,
}

impl ChecklistDraft {
    pub fn parse(name: &str, items: &[ItemInput]) -> Result<ChecklistDraft, Problems> {
        let mut problems = Problems::new();
        let name = super::text::name(name, CHECKLIST_NAME_MAX)
            .map_err(|r| problems.push(("name".into(), r)))
            .unwrap_or_default();
        if items.is_empty() || items.len() > MAX_ITEMS {
            problems.push(("items".into(), Problem::ItemCount { max: MAX_ITEMS }));
        }
        let mut titles = HashSet::new();
        let mut parsed = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let field = format!("items[{i}]");
            match super::text::name(&item.title, ITEM_TITLE_MAX) {
                Ok(title) if !titles.insert(title.to_lowercase()) => {
                    problems.push((format!("{field}.title"), Problem::Twice))
                }
                Ok(_) => {}
                Err(reason) => problems.push((format!("{field}.title"), reason)),
            }
            if !(1..=MAX_ITEM_POINTS).contains(&item.max_points) {
                problems.push((
                    format!("{field}.max_points"),
                    Problem::OutOfRange {
                        min: 1,
                        max: MAX_ITEM_POINTS,
                    },
                ));
            }
            parsed.push(Item {
                title: item.title.trim().to_owned(),
                max_points: item.max_points.clamp(0, MAX_ITEM_POINTS) as i32,
                critical: item.critical,
            });
        }
        if problems.is_empty() {
            Ok(ChecklistDraft {
                name,
                items: parsed,
            })
        } else {
            Err(problems)
        }
    }
}

/// One scored item of an inspection.
#[derive(Debug, Clone, Copy)]
pub struct ScoredItem {
    pub points: i32,
    pub max_points: i32,
    pub critical: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InspectionScore {
    pub points: i32,
    pub max_points: i32,
    /// A critical item scored 0: the inspection counts as 0.
    pub critical_failed: bool,
    /// 0–100, unrounded (rounding happens only when presenting).
    pub score: f64,
}

/// Σ points / Σ max points × 100, or 0 when a critical item scored 0 (PRODUCT §3).
pub fn inspection_score(items: &[ScoredItem]) -> InspectionScore {
    let points = items.iter().map(|i| i.points).sum();
    let max_points: i32 = items.iter().map(|i| i.max_points).sum();
    let critical_failed = items.iter().any(|i| i.critical && i.points == 0);
    score_from_totals(points, max_points, critical_failed)
}

/// The same score from an inspection's totals, as a database aggregates them.
pub fn score_from_totals(points: i32, max_points: i32, critical_failed: bool) -> InspectionScore {
    let score = if critical_failed || max_points == 0 {
        0.0
    } else {
        f64::from(points) / f64::from(max_points) * 100.0
    };
    InspectionScore {
        points,
        max_points,
        critical_failed,
        score,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(points: i32, max_points: i32, critical: bool) -> ScoredItem {
        ScoredItem {
            points,
            max_points,
            critical,
        }
    }

    #[test]
    fn scores_are_the_share_of_points() {
        let s = inspection_score(&[item(8, 10, false), item(5, 10, true)]);
        assert_eq!((s.points, s.max_points, s.critical_failed), (13, 20, false));
        assert!((s.score - 65.0).abs() < 1e-9);
    }

    #[test]
    fn a_failed_critical_item_zeroes_the_inspection() {
        let s = inspection_score(&[item(10, 10, false), item(0, 5, true)]);
        assert!(s.critical_failed);
        assert_eq!(s.score, 0.0);
        assert_eq!(s.points, 10, "the points are still shown");
    }

    #[test]
    fn drafts_are_validated() {
        let items = vec![
            ItemInput {
                title: "Grooming".into(),
                max_points: 10,
                critical: false,
            },
            ItemInput {
                title: "grooming ".into(),
                max_points: 0,
                critical: true,
            },
        ];
        let problems = ChecklistDraft::parse(" ", &items).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["name", "items[1].title", "items[1].max_points"]);
        assert!(ChecklistDraft::parse("Etiquette", &items[..1]).is_ok());
        assert!(ChecklistDraft::parse("Etiquette", &[]).is_err());
    }
}
