//! A cycle's complaints report for HR: per department and per employee charged, the share of
//! each time limit met, the median working minutes to the first answer and to the
//! resolution, the escalations and the reopen rate, with a chart of each department's
//! share of first answers in time (the same use case as the API's,
//! `app::App::complaint_report`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};

use crate::app::complaint_report::ComplaintReportRow;
use crate::app::App;
use crate::auth::Hr;
use crate::error::AppError;
use crate::i18n;
use crate::web::chart;
use crate::web::layout::{html_response, page};
use crate::web::session::Ctx;

fn say(ctx: &Ctx, key: &str) -> String {
    i18n::text(ctx.lang, key)
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}%"))
}

fn minutes(value: Option<i64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| v.to_string())
}

fn table(ctx: &Ctx, id: &str, rows: &[ComplaintReportRow], people: bool) -> Markup {
    html! {
        table id=(id) tabindex="0" {
            thead { tr {
                th { (say(ctx, "department")) }
                @if people { th { (say(ctx, "employee")) } }
                th.num { (say(ctx, "report-complaints")) }
                th.num { (say(ctx, "report-first-in-time")) }
                th.num { (say(ctx, "report-resolution-in-time")) }
                th.num { (say(ctx, "report-median-first")) }
                th.num { (say(ctx, "report-median-resolution")) }
                th.num { (say(ctx, "report-escalations")) }
                th.num { (say(ctx, "report-reopen-rate")) }
            } }
            tbody {
                @for r in rows {
                    tr {
                        td { (r.department_name) }
                        @if people { td { (r.employee_name.as_deref().unwrap_or("—")) } }
                        td.num { (r.complaints) }
                        td.num { (percent(r.first_response_in_time)) }
                        td.num { (percent(r.resolution_in_time)) }
                        td.num { (minutes(r.median_first_response_minutes)) }
                        td.num { (minutes(r.median_resolution_minutes)) }
                        td.num { (r.escalations) }
                        td.num { (percent(r.reopen_rate)) }
                    }
                }
            }
        }
    }
}

pub async fn report(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let ctx = ctx.at(format!("/hr/cycles/{id}/complaints"));
    let caller = ctx.caller()?;
    let report = app.complaint_report(caller, id).await?;
    let cycle = app.cycle(caller, id).await?;
    let shares: Vec<(String, Option<f64>)> = report
        .departments
        .iter()
        .map(|d| (d.department_name.clone(), d.first_response_in_time))
        .collect();
    let chart_title = say(&ctx, "report-chart-first-in-time");
    let body = html! {
        p.meta { a href={ "/hr/cycles/" (cycle.id) } { (cycle.name) } " · "
            (i18n::format(ctx.lang, "report-complaints-received", vec![("count", i18n::number(report.complaints))])) }
        p.meta { (say(&ctx, "report-complaints-note")) }
        @if report.departments.is_empty() {
            p.empty { (say(&ctx, "complaint-none")) }
        } @else {
            h2 { (chart_title) }
            (chart::shares(&chart_title, &shares, "—"))
            h2 { (say(&ctx, "by_department")) }
            (table(&ctx, "complaints-by-department", &report.departments, false))
            h2 { (say(&ctx, "report-by-employee")) }
            (table(&ctx, "complaints-by-employee", &report.employees, true))
        }
    };
    let title = format!("{} — {}", say(&ctx, "report-complaints-title"), cycle.name);
    Ok(html_response(
        StatusCode::OK,
        page(&ctx, &title, None, body),
    ))
}
