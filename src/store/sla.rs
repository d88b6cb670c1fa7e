//! The time-limit policy's history: each change a row that applies from its instant on.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::audit::{self, Change, Entity};
use super::now;
use crate::db::schema::sla_policies;
use crate::db::DbConn;
use crate::domain::audit::Action;
use crate::domain::sla::SlaPolicy;
use crate::error::AppError;

fn read(json: &str) -> Result<SlaPolicy, AppError> {
    serde_json::from_str(json).map_err(AppError::internal)
}

/// The policy in force (the latest change), or None while HR has set none.
pub fn current(conn: &mut DbConn) -> Result<Option<SlaPolicy>, AppError> {
    let latest: Option<String> = sla_policies::table
        .order((sla_policies::effective_from.desc(), sla_policies::id.desc()))
        .select(sla_policies::policy_json)
        .first(conn)
        .optional()?;
    latest.as_deref().map(read).transpose()
}

/// Every change, oldest first, with the instant it applies from (for counting a
/// complaint's time across a change).
pub fn history(conn: &mut DbConn) -> Result<Vec<(NaiveDateTime, SlaPolicy)>, AppError> {
    let rows: Vec<(NaiveDateTime, String)> = sla_policies::table
        .order((sla_policies::effective_from, sla_policies::id))
        .select((sla_policies::effective_from, sla_policies::policy_json))
        .load(conn)?;
    rows.into_iter()
        .map(|(at, json)| Ok((at, read(&json)?)))
        .collect()
}

/// Sets a checked policy from now on (in the caller's transaction), audited with the policy
/// it replaces.
pub fn set(
    conn: &mut DbConn,
    actor: i32,
    before: &SlaPolicy,
    policy: &SlaPolicy,
) -> Result<(), AppError> {
    let at = now();
    let json = serde_json::to_string(policy).map_err(AppError::internal)?;
    let id: i64 = diesel::insert_into(sla_policies::table)
        .values((
            sla_policies::policy_json.eq(json),
            sla_policies::effective_from.eq(at),
            sla_policies::set_by.eq(Some(actor)),
            sla_policies::created_at.eq(at),
        ))
        .returning(sla_policies::id)
        .get_result(conn)?;
    audit::record(
        conn,
        Change {
            actor: Some(actor),
            action: Action::SetSlaPolicy,
            entity: Entity::SlaPolicy,
            entity_id: i32::try_from(id).map_err(AppError::internal)?,
            before: Some(before),
            after: Some(policy),
        },
    )
}
