//! The append-only audit trail (the migrations also refuse UPDATE and DELETE on it).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{now, Page, Paged};
use crate::db::schema::audit_events;
use crate::db::DbConn;
use crate::error::AppError;

// Every column, in the order of the row struct.
use crate::db::schema::audit_events::all_columns as COLUMNS;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr, strum::VariantNames,
)]
#[strum(serialize_all = "snake_case")]
pub enum Entity {
    User,
    Department,
    Cycle,
    Checklist,
    Inspection,
    CollaborationRating,
    Appraisal,
    Notice,
    SlaPolicy,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Queryable)]
pub struct AuditEvent {
    pub id: i64,
    pub actor_id: Option<i32>,
    pub action: String,
    pub entity: String,
    pub entity_id: i32,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub at: NaiveDateTime,
}

/// Who did it (None: the system, e.g. bootstrap or the CLI), what, to which object, and
/// the object's state before and after.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub actor: Option<i32>,
    pub action: crate::domain::audit::Action,
    pub entity: Entity,
    pub entity_id: i32,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

fn to_json<T: Serialize>(value: Option<&T>) -> Result<Option<String>, AppError> {
    value
        .map(|v| serde_json::to_string(v).map_err(AppError::internal))
        .transpose()
}

pub fn record<B: Serialize, A: Serialize>(
    conn: &mut DbConn,
    change: Change<'_, B, A>,
) -> Result<(), AppError> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::actor_id.eq(change.actor),
            audit_events::action.eq(change.action.as_str()),
            audit_events::entity.eq(change.entity.as_str()),
            audit_events::entity_id.eq(change.entity_id),
            audit_events::before_json.eq(to_json(change.before)?),
            audit_events::after_json.eq(to_json(change.after)?),
            audit_events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<i32>,
}

/// Every event of one object (`entity`, `id`), oldest first: an appraisal's or a cycle's
/// history is short (a few computes, state changes and decisions).
/// The fields whose values differ between an event's before and after (both JSON objects),
/// as (field, before, after). Only plain values (text, numbers, yes/no, none) are listed:
/// bookkeeping (timestamps, versions, ids) and nested values (a stored snapshot, a scheme)
/// are left out. An event with only an after (a creation, an import's counts) lists its
/// fields against none.
pub fn changed_fields(
    before: Option<&str>,
    after: Option<&str>,
) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    use serde_json::{Map, Value};
    const BOOKKEEPING: &[&str] = &[
        "created_at",
        "updated_at",
        "computed_at",
        "published_at",
        "token_version",
        "version",
        "id",
    ];
    let parse = |text: Option<&str>| -> Map<String, Value> {
        text.and_then(|t| serde_json::from_str::<Value>(t).ok())
            .and_then(|v| match v {
                Value::Object(map) => Some(map),
                _ => None,
            })
            .unwrap_or_default()
    };
    // An object's fields count one by one, as `parent-field` (a scheme's `weights-sales`);
    // a list counts as one value.
    let flat = |map: Map<String, Value>| -> Map<String, Value> {
        let mut out = Map::new();
        for (k, v) in map {
            match v {
                Value::Object(inner) => {
                    for (field, value) in inner {
                        if !matches!(value, Value::Object(_)) {
                            out.insert(format!("{k}-{field}"), value);
                        }
                    }
                }
                other => {
                    out.insert(k, other);
                }
            }
        }
        out
    };
    let (before, after) = (flat(parse(before)), flat(parse(after)));
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| !BOOKKEEPING.contains(&k.as_str()))
        .filter(|k| before.get(*k) != after.get(*k))
        .map(|k| {
            let value = |m: &Map<String, Value>| m.get(k).cloned().unwrap_or(Value::Null);
            (k.clone(), value(&before), value(&after))
        })
        .collect()
}

/// The fields of an audited row that name a person by id.
pub const PERSON_FIELDS: &[&str] = &[
    "employee_id",
    "manager_id",
    "inspector_id",
    "reviewed_by",
    "decided_by",
    "ratee_id",
    "rater_id",
    "recipient_id",
];

/// The people an event's changes name by id (so that the page can say their names).
pub fn people_named(event: &AuditEvent) -> Vec<i32> {
    changed_fields(event.before_json.as_deref(), event.after_json.as_deref())
        .into_iter()
        .filter(|(field, _, _)| PERSON_FIELDS.contains(&field.as_str()))
        .flat_map(|(_, before, after)| [before.as_i64(), after.as_i64()])
        .flatten()
        .filter_map(|id| i32::try_from(id).ok())
        .collect()
}

pub fn of_object(conn: &mut DbConn, entity: &str, id: i32) -> Result<Vec<AuditEvent>, AppError> {
    Ok(audit_events::table
        .filter(audit_events::entity.eq(entity))
        .filter(audit_events::entity_id.eq(id))
        .select(COLUMNS)
        .order(audit_events::id.asc())
        .load(conn)?)
}

pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    page: Page,
) -> Result<Paged<AuditEvent>, AppError> {
    let query = || {
        let mut query = audit_events::table.into_boxed();
        if let Some(entity) = &filter.entity {
            query = query.filter(audit_events::entity.eq(entity.clone()));
        }
        if let Some(id) = filter.entity_id {
            query = query.filter(audit_events::entity_id.eq(id));
        }
        query
    };
    let total = query().count().get_result(conn)?;
    let items = query()
        .select(COLUMNS)
        .order(audit_events::id.asc())
        .limit(page.limit)
        .offset(page.offset)
        .load(conn)?;
    Ok(Paged { items, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_lists_only_what_changed() {
        use serde_json::json;
        let before = r#"{"manager_id": 3, "display_name": "Li Na", "updated_at": "x", "locale": "en", "inputs": {"a": 1}}"#;
        let after = r#"{"manager_id": 5, "display_name": "Li Na", "updated_at": "y", "locale": null, "inputs": {"a": 2}}"#;
        assert_eq!(
            changed_fields(Some(before), Some(after)),
            [
                ("inputs-a".to_owned(), json!(1), json!(2)),
                ("locale".to_owned(), json!("en"), json!(null)),
                ("manager_id".to_owned(), json!(3), json!(5)),
            ]
        );
        // A scheme: its weights one by one, its bands as one list.
        let before = r#"{"weights": {"sales": 40, "etiquette": 20}, "grade_bands": [{"grade": "A", "min_total": 90}]}"#;
        let after = r#"{"weights": {"sales": 50, "etiquette": 20}, "grade_bands": [{"grade": "A", "min_total": 85}]}"#;
        let changed = changed_fields(Some(before), Some(after));
        assert_eq!(
            changed,
            [
                (
                    "grade_bands".to_owned(),
                    json!([{"grade": "A", "min_total": 90}]),
                    json!([{"grade": "A", "min_total": 85}])
                ),
                ("weights-sales".to_owned(), json!(40), json!(50)),
            ]
        );
        let created = changed_fields(None, Some(r#"{"inserted": 2}"#));
        assert_eq!(created, [("inserted".to_owned(), json!(null), json!(2))]);
    }
}
