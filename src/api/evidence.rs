//! Bulk evidence endpoints (HR): JSON arrays or CSV with the same columns; all rows or none.

use actix_web::{web, HttpResponse};

use super::import::{parse_rows, ImportBody, RowReader};
use crate::auth::Hr;
use crate::db::Db;
use crate::domain::evidence::{
    parse_amount, parse_channel, parse_external_ref, parse_rating, parse_target,
};
use crate::error::AppError;
use crate::store::evidence::{self, DatedRow, Response, Sale, TargetRow};

pub async fn sales_targets(
    hr: Hr,
    db: web::Data<Db>,
    body: ImportBody,
) -> Result<HttpResponse, AppError> {
    let rows = parse_rows(&body.0, &["employee_id", "cycle_id", "target"], |r| {
        let employee_id = r.id("employee_id");
        let cycle_id = r.id("cycle_id");
        let target = r
            .int("target")
            .and_then(|t| r.check("target", parse_target(t)));
        Some(TargetRow {
            row: r.number(),
            employee_id: employee_id?,
            cycle_id: cycle_id?,
            target: target?,
        })
    })?;
    let actor = hr.id();
    let outcome = db
        .run(move |conn| evidence::import_targets(conn, actor, &rows))
        .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

/// The columns every dated evidence row has, around the values particular to its kind.
fn dated<V>(
    r: &mut RowReader,
    values: impl FnOnce(&mut RowReader) -> Option<V>,
) -> Option<DatedRow<V>> {
    let employee_id = r.id("employee_id");
    let occurred_on = r.date("occurred_on");
    let values = values(r);
    let external_ref = r
        .text("external_ref")
        .and_then(|x| r.check("external_ref", parse_external_ref(&x)));
    Some(DatedRow {
        row: r.number(),
        employee_id: employee_id?,
        occurred_on: occurred_on?,
        external_ref: external_ref?,
        values: values?,
    })
}

pub async fn sales_records(
    hr: Hr,
    db: web::Data<Db>,
    body: ImportBody,
) -> Result<HttpResponse, AppError> {
    let rows = parse_rows(
        &body.0,
        &["employee_id", "occurred_on", "amount", "external_ref"],
        |r| {
            dated(r, |r| {
                let amount = r
                    .int("amount")
                    .and_then(|a| r.check("amount", parse_amount(a)));
                Some(Sale { amount: amount? })
            })
        },
    )?;
    let actor = hr.id();
    let outcome = db
        .run(move |conn| evidence::import_sales(conn, actor, &rows))
        .await?;
    Ok(HttpResponse::Ok().json(outcome))
}

pub async fn satisfaction_responses(
    hr: Hr,
    db: web::Data<Db>,
    body: ImportBody,
) -> Result<HttpResponse, AppError> {
    let rows = parse_rows(
        &body.0,
        &[
            "employee_id",
            "occurred_on",
            "rating",
            "channel",
            "external_ref",
        ],
        |r| {
            dated(r, |r| {
                let rating = r
                    .int("rating")
                    .and_then(|v| r.check("rating", parse_rating(v)));
                let channel = r
                    .text("channel")
                    .and_then(|c| r.check("channel", parse_channel(&c)));
                Some(Response {
                    rating: rating?,
                    channel: channel?,
                })
            })
        },
    )?;
    let actor = hr.id();
    let outcome = db
        .run(move |conn| evidence::import_satisfaction(conn, actor, &rows))
        .await?;
    Ok(HttpResponse::Ok().json(outcome))
}
