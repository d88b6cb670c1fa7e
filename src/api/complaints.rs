//! Complaints: adapters over `app::complaints`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::{JsonBody, PageParams, QueryParams};
use super::views::PageView;
use crate::app::complaints::{ComplaintView, EventInput, NewComplaintInput};
use crate::app::view::ComplaintFilter;
use crate::app::App;
use crate::auth::Caller;
use crate::domain::complaint::State;
use crate::domain::problem::Problem;
use crate::error::{AppError, FieldErrors, ProblemBody};

/// Anyone who takes a complaint logs it: for their own department (and then they hold it)
/// or for the department that must act.
#[utoipa::path(
post, path = "/api/v1/complaints", tag = "complaints", security(("bearer" = ["staff", "supervisor", "hr"])),
request_body = NewComplaintInput,
responses(
    (status = 201, description = "Logged; the answer carries the customer's status link (`status_url`), shown this once", body = ComplaintView),
    (status = 200, description = "A complaint with this `external_ref` was logged before: that one, unchanged", body = ComplaintView),
    (status = 409, description = "The `external_ref` belongs to a complaint outside the caller's scope (`reference_taken`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn create(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<NewComplaintInput>,
) -> Result<HttpResponse, AppError> {
    let (view, new) = app.log_complaint(&caller, body.0).await?;
    Ok(if new {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
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
        &["limit", "offset", "state", "department_id", "held"],
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
