//! Bulk evidence endpoints (HR): JSON arrays or CSV with the same columns; all rows or none.

use actix_web::{web, HttpResponse};

use super::import::ImportBody;
use crate::app::evidence::Kind;
use crate::app::view::ImportOutcome;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::evidence::{CHANNEL_MAX, EXTERNAL_REF_MAX};
use crate::domain::text::line_schema;
use crate::error::{AppError, ProblemBody};

// The rows as documented. The handlers read rows cell by cell (the same code reads CSV),
// so these types only describe them.

/// A sales target: the amount an employee should sell in a cycle.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SalesTargetRow {
    /// The employee, by exactly one of `employee_id`, `employee_number` or `email`.
    #[schema(minimum = 1, maximum = 2147483647)]
    employee_id: Option<i64>,
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9._/-]+$")]
    employee_number: Option<String>,
    #[schema(schema_with = crate::domain::user::email_schema::<true>)]
    email: Option<String>,
    #[schema(minimum = 1, maximum = 2147483647)]
    cycle_id: i64,
    /// Minor units (cents, fen); or `target_yuan`.
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    target: Option<i64>,
    /// Yuan with up to two decimals (exact), instead of `target`.
    #[schema(pattern = r"^[+]?[0-9]{0,15}(\.[0-9]{1,2})?$")]
    target_yuan: Option<String>,
}

/// One sale (negative: a return or refund); `external_ref` is unique, and a row with a
/// known one updates it.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SalesRecordRow {
    /// The employee, by exactly one of `employee_id`, `employee_number` or `email`.
    #[schema(minimum = 1, maximum = 2147483647)]
    employee_id: Option<i64>,
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9._/-]+$")]
    employee_number: Option<String>,
    #[schema(schema_with = crate::domain::user::email_schema::<true>)]
    email: Option<String>,
    /// `YYYY-MM-DD` or `YYYY/M/D`.
    #[schema(format = Date)]
    occurred_on: String,
    /// Minor units (fen); or `amount_yuan`.
    #[schema(minimum = -1_000_000_000_000_i64, maximum = 1_000_000_000_000_i64)]
    amount: Option<i64>,
    /// Yuan with up to two decimals (exact), instead of `amount`.
    #[schema(pattern = r"^[+-]?[0-9]{0,15}(\.[0-9]{1,2})?$")]
    amount_yuan: Option<String>,
    #[schema(schema_with = line_schema::<EXTERNAL_REF_MAX, false>)]
    external_ref: String,
}

/// One customer-satisfaction response; `external_ref` is unique, and a row with a known one
/// updates it.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SatisfactionRow {
    /// The employee, by exactly one of `employee_id`, `employee_number` or `email`.
    #[schema(minimum = 1, maximum = 2147483647)]
    employee_id: Option<i64>,
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9._/-]+$")]
    employee_number: Option<String>,
    #[schema(schema_with = crate::domain::user::email_schema::<true>)]
    email: Option<String>,
    #[schema(format = Date)]
    occurred_on: String,
    #[schema(minimum = 1, maximum = 5)]
    rating: i64,
    #[schema(schema_with = line_schema::<CHANNEL_MAX, false>)]
    channel: String,
    #[schema(schema_with = line_schema::<EXTERNAL_REF_MAX, false>)]
    external_ref: String,
}

#[utoipa::path(
post, path = "/api/v1/sales-targets", tag = "evidence", security(("bearer" = ["hr"])),
request_body(content(
    (Vec<SalesTargetRow> = "application/json"),
    (String = "text/csv", example = json!("employee_id,cycle_id,target\n7,3,5000000\n")),
    (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)),
responses(
    (status = 200, description = "Every row applied; the counts", body = ImportOutcome),
    (status = 409, description = "A row meets a cycle that is not open; nothing was applied (`row_errors` names each row as the spreadsheet shows it: the sheet's own row number for XLSX, the line a spreadsheet shows for CSV, item n as row n + 1 for JSON)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn sales_targets(
    caller: Caller,
    app: web::Data<App>,
    body: ImportBody,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        app.import(&caller, Kind::SalesTargets, body.0, None)
            .await?,
    ))
}

#[utoipa::path(
post, path = "/api/v1/sales-records", tag = "evidence", security(("bearer" = ["hr"])),
request_body(content(
    (Vec<SalesRecordRow> = "application/json"),
    (String = "text/csv", example = json!("employee_id,occurred_on,amount,external_ref\n7,2026-10-02,129900,POS-1\n")),
    (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)),
responses(
    (status = 200, description = "Every row applied; the counts", body = ImportOutcome),
    (status = 409, description = "A row meets a cycle that is not open; nothing was applied (`row_errors` names each row as the spreadsheet shows it: the sheet's own row number for XLSX, the line a spreadsheet shows for CSV, item n as row n + 1 for JSON)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn sales_records(
    caller: Caller,
    app: web::Data<App>,
    body: ImportBody,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        app.import(&caller, Kind::SalesRecords, body.0, None)
            .await?,
    ))
}

#[utoipa::path(
post, path = "/api/v1/satisfaction-responses", tag = "evidence", security(("bearer" = ["hr"])),
request_body(content(
    (Vec<SatisfactionRow> = "application/json"),
    (String = "text/csv", example = json!("employee_id,occurred_on,rating,channel,external_ref\n7,2026-10-02,5,phone,CSAT-1\n")),
    (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)),
responses(
    (status = 200, description = "Every row applied; the counts", body = ImportOutcome),
    (status = 409, description = "A row meets a cycle that is not open; nothing was applied (`row_errors` names each row as the spreadsheet shows it: the sheet's own row number for XLSX, the line a spreadsheet shows for CSV, item n as row n + 1 for JSON)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn satisfaction_responses(
    caller: Caller,
    app: web::Data<App>,
    body: ImportBody,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        app.import(&caller, Kind::SatisfactionResponses, body.0, None)
            .await?,
    ))
}
