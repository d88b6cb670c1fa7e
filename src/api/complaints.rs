//! Complaints: adapters over `app::complaints`.

use actix_web::{web, HttpRequest, HttpResponse};

use utoipa::ToSchema;

use super::body::{JsonBody, PageParams, QueryParams};
use super::import::OneOrRows;
use super::views::PageView;
use crate::app::complaints::{
    ComplaintView, EventInput, NewComplaintInput, CHANNEL_MAX, REF_MAX, SUMMARY_MAX,
};
use crate::app::view::ComplaintFilter;
use crate::app::view::ImportOutcome;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::complaint::State;
use crate::domain::problem::Problem;
use crate::domain::text::{free_text_schema, required_text_schema};
use crate::error::{AppError, FieldErrors, ProblemBody};

/// A row of a helpdesk's export (HR), as a JSON array's item or a CSV or XLSX row with
/// the same columns (or their Chinese headers). Times without a zone are the company's.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct HelpdeskRow {
    /// The helpdesk's id: a row with one imported before adds the steps not recorded yet.
    #[schema(schema_with = required_text_schema::<REF_MAX>)]
    external_ref: String,
    /// `2026-11-05 14:30`, `2026/11/5 14:30:00` or RFC 3339.
    received_at: String,
    #[schema(schema_with = required_text_schema::<CHANNEL_MAX>)]
    channel: String,
    /// low, normal, high, urgent (or 低, 普通, 高, 紧急); normal when absent.
    priority: Option<String>,
    #[schema(schema_with = required_text_schema::<SUMMARY_MAX>)]
    summary: String,
    #[schema(schema_with = free_text_schema::<REF_MAX>)]
    customer_ref: Option<String>,
    /// zh-CN or en (or 中文, 英文); zh-CN when absent.
    customer_locale: Option<String>,
    /// The holding department by name, or `department_id`.
    department: Option<String>,
    #[schema(minimum = 1, maximum = 2147483647)]
    department_id: Option<i64>,
    /// The responsible person (optional), by one of `employee_id`, `employee_number` or
    /// `email`; `display_name` to check them.
    #[schema(minimum = 1, maximum = 2147483647)]
    employee_id: Option<i64>,
    #[schema(max_length = 32, pattern = r"^[A-Za-z0-9._/-]+$")]
    employee_number: Option<String>,
    #[schema(schema_with = crate::domain::user::email_schema::<true>)]
    email: Option<String>,
    display_name: Option<String>,
    first_response_at: Option<String>,
    resolved_at: Option<String>,
    /// The customer's follow-up rating, 1–5; needs `resolved_at`.
    #[schema(minimum = 1, maximum = 5)]
    follow_up_rating: Option<i64>,
}

/// `POST /complaints`'s JSON: one complaint, or (HR) a helpdesk's rows.
#[derive(serde::Deserialize, ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum ComplaintsBody {
    One(NewComplaintInput),
    Rows(Vec<HelpdeskRow>),
}

/// What a complaint posted again, or a helpdesk's rows, came to.
#[derive(serde::Serialize, ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum LoggedOrImported {
    Logged(Box<ComplaintView>),
    Imported(ImportOutcome),
}

/// Anyone who takes a complaint logs it: for their own department (and then they hold it)
/// or for the department that must act. HR also imports a helpdesk's export: a JSON array,
/// CSV or XLSX, all rows or none.
#[utoipa::path(
post, path = "/api/v1/complaints", tag = "complaints", security(("bearer" = ["staff", "supervisor", "hr"])),
request_body(content(
    (ComplaintsBody = "application/json"),
    (String = "text/csv", example = json!("external_ref,received_at,channel,summary,department,employee_number,first_response_at\nHD-1,2026-11-05 14:30,phone,Late delivery,Warehouse,E0101,2026-11-05 15:10\n")),
    (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)),
responses(
    (status = 201, description = "Logged; the answer carries the customer's status link (`status_url`), shown this once", body = ComplaintView),
    (status = 200, description = "A complaint with this `external_ref` was logged before: that one, unchanged; or a helpdesk's rows imported: the counts", body = LoggedOrImported),
    (status = 403, description = "Rows in bulk from a caller who is not HR", body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, description = "The `external_ref` belongs to a complaint outside the caller's scope (`reference_taken`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn create(
    caller: Caller,
    app: web::Data<App>,
    body: OneOrRows<NewComplaintInput>,
) -> Result<HttpResponse, AppError> {
    match body {
        OneOrRows::One(input) => {
            let (view, new) = app.log_complaint(&caller, input).await?;
            Ok(if new {
                HttpResponse::Created().json(view)
            } else {
                HttpResponse::Ok().json(view)
            })
        }
        OneOrRows::Rows(rows, _turn) => {
            Ok(HttpResponse::Ok().json(app.import_complaints(&caller, rows).await?))
        }
    }
}

/// The complaints in the caller's scope, newest first: those they logged or hold; a
/// supervisor's also those their department holds or their direct reports hold or logged;
/// HR all.
#[utoipa::path(
get, path = "/api/v1/complaints", tag = "complaints", security(("bearer" = ["staff", "supervisor", "hr"])),
params(
    PageParams,
    ("state" = Option<State>, Query),
    ("department_id" = Option<i32>, Query, minimum = 1, description = "The holding department"),
    ("held" = Option<bool>, Query, description = "Only those the caller must act on"),
    ("escalated" = Option<bool>, Query, description = "Only those escalated and not resolved yet"),
),
responses((status = 200, description = "With how each limit stands", body = PageView<ComplaintView>))
)]
pub async fn list(
    caller: Caller,
    app: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = QueryParams::from_request(&req)?;
    let mut errors = FieldErrors::new();
    params.only(
        &[
            "limit",
            "offset",
            "state",
            "department_id",
            "held",
            "escalated",
        ],
        &mut errors,
    );
    let page = params.page(&mut errors);
    let filter = ComplaintFilter {
        state: params.parsed(
            "state",
            |s| {
                s.parse::<State>().map_err(|_| Problem::OneOf {
                    options: <State as strum::VariantNames>::VARIANTS,
                })
            },
            &mut errors,
        ),
        department_id: params.id("department_id", &mut errors),
        held: params.boolean("held", &mut errors).unwrap_or(false),
        escalated: params.boolean("escalated", &mut errors).unwrap_or(false),
    };
    errors.into_result()?;
    let paged = app.complaints(&caller, filter, page).await?;
    Ok(HttpResponse::Ok().json(PageView::new(paged, page, |c: ComplaintView| c)))
}

/// One complaint with its history.
#[utoipa::path(
get, path = "/api/v1/complaints/{id}", tag = "complaints", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, minimum = 1)),
responses((status = 200, description = "The complaint, how its limits stand and every step", body = ComplaintView))
)]
pub async fn get(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(app.complaint(&caller, id.into_inner()).await?))
}

/// A step: the holder, its supervisors and HR answer, hand off, wait for the customer,
/// resume, resolve and change the priority; the one who logged it may also reopen it and
/// take the customer's follow-up.
#[utoipa::path(
post, path = "/api/v1/complaints/{id}/events", tag = "complaints", security(("bearer" = ["staff", "supervisor", "hr"])),
params(("id" = i32, Path, minimum = 1)),
request_body = EventInput,
responses(
    (status = 200, description = "Done; the complaint as it now stands, with its history", body = ComplaintView),
    (status = 403, description = "The caller sees the complaint but this step is not theirs to take (only the holder, its supervisors and HR move it on)", body = ProblemBody, content_type = "application/problem+json"),
    (status = 409, description = "Not possible in the complaint's state (`complaint_not_now`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn event(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
    body: JsonBody<EventInput>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(
        app.complaint_event(&caller, id.into_inner(), body.0)
            .await?,
    ))
}

/// The complaints received in the cycle's period, per department and per employee charged:
/// the share of each limit met in time, the median working minutes to the first answer and
/// to the resolution, escalations and the reopen rate.
#[utoipa::path(
get, path = "/api/v1/cycles/{id}/complaints/report", tag = "complaints", security(("bearer" = ["hr"])),
params(("id" = i32, Path, minimum = 1)),
responses((status = 200, description = "A limit still running counts for nobody yet", body = crate::app::complaint_report::ComplaintReport))
)]
pub async fn report(
    caller: Caller,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(app.complaint_report(&caller, id.into_inner()).await?))
}
