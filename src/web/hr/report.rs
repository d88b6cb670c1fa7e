//! A cycle's report: the grade distribution, each department's count, mean, lowest and
//! highest total, and one department's appraisals.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use crate::app::report::ReportPage;
use crate::app::App;
use crate::auth::Hr;
use crate::error::AppError;
use crate::web::chart;
use crate::web::colleagues::DepartmentChoice;
use crate::web::layout::{html_response, page, score};
use crate::web::session::Ctx;

pub async fn report(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    query: web::Query<DepartmentChoice>,
) -> Result<HttpResponse, AppError> {
    let (id, department) = (id.into_inner(), query.department_id);
    let ReportPage {
        cycle,
        report,
        departments,
        list,
        names,
    } = app.report_page(ctx.caller()?, id, department).await?;
    let t = ctx.t;
    let mut overall: BTreeMap<String, usize> = BTreeMap::new();
    let mut without = 0;
    for d in &report {
        for (grade, n) in &d.grades {
            *overall.entry(grade.clone()).or_default() += n;
        }
        without += d.count - d.with_total;
    }
    let bands: Vec<String> = cycle.scheme()?.map_or_else(Vec::new, |s| {
        s.grade_bands.into_iter().map(|b| b.grade).collect()
    });
    let mut counts: Vec<(String, usize)> = bands
        .iter()
        .map(|g| (g.clone(), overall.remove(g).unwrap_or(0)))
        .collect();
    counts.extend(overall);
    if without > 0 {
        counts.push((t.no_total.to_owned(), without));
    }
    let body = html! {
        p.meta { a href={ "/hr/cycles/" (cycle.id) } { (cycle.name) } " · " (t.cycle_state(cycle.state))
            " · " a #complaints-report href={ "/hr/cycles/" (cycle.id) "/complaints" } { (crate::i18n::text(t.lang, "report-complaints-title")) } }
        @if !report.is_empty() { (crate::web::export::buttons(t, cycle.id)) }
        h2 { (t.grade_distribution) }
        (chart::grades(t.grade_distribution, &counts))
        h2 { (t.by_department) }
        table #report {
            thead { tr {
                th { (t.department) } th.num { (t.count) } th.num { (t.mean) } th.num { (t.min) } th.num { (t.max) } th { (t.grades) }
            } }
            tbody {
                @for d in &report {
                    tr {
                        td { a href={ "/hr/cycles/" (cycle.id) "/report?department_id=" (d.department_id) } {
                            (departments.get(&d.department_id).map_or("?", |x| x.name.as_str())) } }
                        td.num { (d.count) }
                        td.num { (score(d.mean)) }
                        td.num { (score(d.min)) }
                        td.num { (score(d.max)) }
                        td { @for (g, n) in &d.grades { (g) ": " (n) " " } }
                    }
                }
            }
        }
        @if let Some(d) = department {
            h2 { (departments.get(&d).map_or("", |x| x.name.as_str())) }
            table #appraisals {
                thead { tr { th { (t.employee) } th.num { (t.total) } th { (t.grade) } th.num { (t.rank) } th { (t.status) } } }
                tbody {
                    @for a in &list {
                        tr {
                            td { a href={ "/appraisals/" (a.id) } { (names.get(&a.employee_id).map_or("?", String::as_str)) } }
                            td.num { (score(a.total())) }
                            td { (a.grade.as_deref().unwrap_or("—")) }
                            td.num { (a.department_rank.map_or("—".to_owned(), |r| r.to_string())) }
                            td { (t.appraisal_state(a.state)) }
                        }
                    }
                }
            }
        }
    };
    let title = format!("{} — {}", t.report, cycle.name);
    Ok(html_response(
        StatusCode::OK,
        page(&ctx, &title, None, body),
    ))
}
