//! Appeals: the list (open first, a page at a time) and one appeal with HR's decision (the
//! same use case as the API's, `app::App::decide`).

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use crate::app::appeal_pages::{AppealList, AppealPage};
use crate::app::appraisals::Decision;
use crate::app::view::Page;
use crate::app::App;
use crate::auth::Hr;
use crate::domain::appraisal::AppealState;
use crate::domain::evidence::COMMENT_MAX;
use crate::error::AppError;
use crate::web::layout::{after_form, answer, choices, csrf, pager, score, Alert};
use crate::web::session::{Ctx, Fields};

/// Appeals per page.
const APPEALS_PAGE: i64 = 50;

#[derive(serde::Deserialize)]
pub struct AppealsQuery {
    state: Option<String>,
    offset: Option<i64>,
}

pub async fn appeals(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    query: web::Query<AppealsQuery>,
) -> Result<HttpResponse, AppError> {
    // Open appeals unless another state (or all) is asked for.
    let state = match query.state.as_deref() {
        None => Some(AppealState::Open),
        Some(s) => AppealState::parse(s).ok(),
    };
    let page = Page {
        limit: APPEALS_PAGE,
        offset: query.offset.unwrap_or(0).max(0),
    };
    let AppealList { list, total, names } = app.appeal_list(ctx.caller()?, state, page).await?;
    let t = ctx.t;
    let alert = Alert::done(t, req.query_string());
    let shown = state.map_or("all", AppealState::as_str);
    let body = html! {
        (choices("departments", t.status, [("open", t.appeal_open), ("upheld", t.appeal_upheld), ("rejected", t.appeal_rejected), ("all", t.all)]
            .into_iter()
            .map(|(s, label)| (format!("/appeals?state={s}"), label.to_owned(), shown == s))
            .collect()))
        @if list.is_empty() { p.empty { (t.no_appeals) } }
        @else {
            table #appeals {
                thead { tr { th { (t.employee) } th { (t.reason) } th { (t.status) } th { (t.when) } } }
                tbody { @for a in &list { tr {
                    td { a href={ "/appeals/" (a.id) } { (names.get(&a.appraisal_id).map_or("?", String::as_str)) } }
                    td { (a.reason) }
                    td { (t.appeal_state(a.state)) }
                    td { (ctx.time.local(a.created_at).format("%Y-%m-%d %H:%M")) }
                } } }
            }
            (pager(&ctx, page, total, |at| format!("/appeals?state={shown}&offset={at}")))
        }
    };
    Ok(answer(&ctx, t.nav_appeals, alert.as_ref(), body))
}

pub async fn appeal(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    render_appeal(ctx, app, id.into_inner(), None).await
}

async fn render_appeal(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/appeals/{id}"));
    let AppealPage {
        appeal,
        appraisal,
        employee,
        cycle,
        inspections,
        names,
        ranked,
        target,
    } = app.appeal_page(ctx.caller()?, id).await?;
    let inputs = appraisal.inputs()?;
    let t = ctx.t;
    let body = html! {
        p.meta { (t.employee) ": " strong { (employee.display_name) } " · "
            a href={ "/appraisals/" (appraisal.id) } { (t.appraisal) " " (score(appraisal.total())) " " (appraisal.grade.as_deref().unwrap_or("")) } }
        section.card { h2 { (t.reason) } p #appeal-reason-text { (appeal.reason) } p { (t.status) ": " strong #appeal-state { (t.appeal_state(appeal.state)) } }
            @if let Some(note) = &appeal.decision_note { p { (t.decision_note) ": " (note) } } }
        // What the appeal is about: the appraisal as computed, and the evidence behind it.
        (crate::web::staff::breakdown(&ctx, &appraisal, &inputs, &cycle, ranked))
        h2 { (t.inspections) }
        @if inspections.is_empty() { p.empty { (t.no_inspections) } }
        @for i in &inspections { (crate::web::staff::inspection_card(&ctx, i, names.get(&i.inspector_id))) }
        @if appeal.state == AppealState::Open {
            section.card #correct-evidence {
                h2 { (t.correct_evidence) }
                p.note { (t.correct_evidence_note) }
                form #target-form method="post" action={ "/appeals/" (appeal.id) "/target" } {
                    (csrf(&ctx))
                    label { (t.appeal_target)
                        input #target-yuan type="text" inputmode="decimal" name="target_yuan" required maxlength="30"; }
                    p.note #target-now { (t.appeal_target_now) " "
                        (target.map_or_else(|| "—".to_owned(), |fen| crate::web::layout::money(t, fen))) }
                    button #save-target type="submit" { (t.save_target) }
                }
                p.actions {
                    a.button href={ "/cycles/" (cycle.id) "/team/" (employee.id) "/inspection" } { (t.record_inspection) }
                    " "
                    a.button href={ "/hr/cycles/" (cycle.id) } { (t.upload_evidence) }
                    " "
                    a.button href={ "/appraisals/" (appraisal.id) } { (t.appraisal) }
                }
            }
        }
        @if appeal.state == AppealState::Open {
            form.card #decision-form method="post" action={ "/appeals/" (appeal.id) "/decision" } {
                (csrf(&ctx))
                fieldset {
                    legend { (t.decision) }
                    label.choice { input #decision-upheld type="radio" name="decision" value="upheld" required; " " (t.uphold) }
                    label.choice { input #decision-rejected type="radio" name="decision" value="rejected"; " " (t.reject) }
                }
                p.note { (t.uphold_note) }
                label { (t.decision_note) textarea #decision-note name="note" rows="3" maxlength=(COMMENT_MAX) {} }
                button.primary #decide type="submit" { (t.decide) }
            }
        }
    };
    let title = format!("{} — {}", t.appeal, employee.display_name);
    Ok(answer(&ctx, &title, alert.as_ref(), body))
}

pub async fn decide(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = Decision {
        decision: form.text("decision").to_owned(),
        note: form.get("note").map(str::to_owned),
    };
    let outcome = app.decide(ctx.caller()?, id, input).await;
    match outcome {
        // An upheld appeal stays on its page, saying what the recompute changed.
        Ok((appeal, _, changed)) if appeal.state == AppealState::Upheld => {
            let t = ctx.t;
            let note = if changed.is_empty() {
                t.upheld_unchanged.to_owned()
            } else {
                let lines: Vec<String> = changed
                    .iter()
                    .map(|c| {
                        let what = match c.what {
                            "total" => t.total,
                            "grade" => t.grade,
                            other => other
                                .parse::<crate::domain::component::Component>()
                                .map_or(other, |c| crate::web::staff::component_name(t, c)),
                        };
                        let shown =
                            |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
                        format!("{what} {} → {}", shown(&c.before), shown(&c.after))
                    })
                    .collect();
                format!("{} {}", t.upheld_changed, crate::i18n::list(t.lang, &lines))
            };
            render_appeal(ctx, app, id, Some(Alert::Note(note))).await
        }
        outcome => {
            after_form(
                ctx,
                outcome.map(|_| "/appeals?ok=decided".to_owned()),
                |ctx, alert| render_appeal(ctx, app, id, Some(alert)),
            )
            .await
        }
    }
}

/// HR sets the appealing employee's sales target from the appeal's page.
pub async fn correct_target(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = app
        .correct_target(ctx.caller()?, id, form.text("target_yuan"))
        .await;
    match outcome {
        Ok(_) => {
            let note = Alert::Note(ctx.t.target_saved.to_owned());
            render_appeal(ctx, app, id, Some(note)).await
        }
        Err(error) => {
            let alert = crate::web::layout::recoverable(ctx.t, error)?;
            render_appeal(ctx, app, id, Some(alert)).await
        }
    }
}
