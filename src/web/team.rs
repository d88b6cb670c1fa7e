//! Supervisors' pages: the team for a cycle (who still needs an inspection), the inspection
//! form built from the checklist, and the review of the team's draft appraisals.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use maud::html;

use super::layout::{
    after_form, answer, choices, csrf, html_response, page, score, see_other, Alert,
};
use super::session::{Ctx, Fields};
use super::staff::{inspection_heading, render_appraisal, review_form};
use crate::app::appraisals::Review;
use crate::app::inspections::{NewInspection, ScoreInput};
use crate::app::view::{Appraisal, InspectionDetail, User};
use crate::app::App;
use crate::auth::Supervisor;
use crate::domain::appraisal::AppraisalState;
use crate::domain::cycle::CycleState;
use crate::domain::evidence::{COMMENT_MAX, NOTE_MAX};
use crate::domain::problem::Problem;
use crate::error::{AppError, FieldErrors};

/// Reports with fewer inspections than the cycle's minimum are highlighted this many days
/// before the cycle ends (and always once it is this close).
const SOON_DAYS: i64 = 7;

/// The cycle a supervisor works in now: the open one, else the one in review, else the
/// latest. The team page lists the others with work to switch to.
pub async fn current(
    _lead: Supervisor,
    ctx: Ctx,
    app: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    match app.team_cycle(ctx.caller()?).await? {
        Some(cycle) => Ok(see_other(format!("/cycles/{cycle}/team"))),
        None => {
            let body = html! { p.empty { (ctx.t.no_cycles) } };
            Ok(html_response(
                StatusCode::OK,
                page(&ctx, ctx.t.my_team, None, body),
            ))
        }
    }
}

pub async fn team(
    _lead: Supervisor,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_team(ctx, app, id.into_inner(), alert).await
}

async fn render_team(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/cycles/{id}/team"));
    let data = app.team(ctx.caller()?, id).await?;
    let t = ctx.t;
    let cycle = &data.cycle;
    let open = cycle.state == CycleState::Open;
    let in_review = cycle.state == CycleState::Review;
    let today = ctx.time.today();
    let days_left = (cycle.period_end - today).num_days();
    let soon = open && days_left <= SOON_DAYS;
    let mut inspected: HashMap<i32, Vec<&InspectionDetail>> = HashMap::new();
    for i in &data.inspections {
        inspected.entry(i.employee_id).or_default().push(i);
    }
    let count = |r: &User| inspected.get(&r.id).map_or(0, Vec::len);
    let lacking = data
        .reports
        .iter()
        .filter(|r| (count(r) as i32) < data.minimum)
        .count();
    let in_state = |state: AppraisalState| -> Vec<(&User, &Appraisal)> {
        data.reports
            .iter()
            .filter_map(|r| data.appraisals.get(&r.id).map(|a| (r, a)))
            .filter(|(_, a)| a.state == state)
            .collect()
    };
    let drafts = in_state(AppraisalState::Draft);
    let reviewed = in_state(AppraisalState::Reviewed);
    let body = html! {
        @if data.cycles.len() > 1 {
            (choices("cycles", t.team_cycles, data.cycles.iter().map(|c| (
                format!("/cycles/{}/team", c.id),
                format!("{} · {}", c.name, t.cycle_state(c.state)),
                c.id == cycle.id,
            )).collect()))
        }
        p.meta {
            (t.cycle) ": " strong { (cycle.name) } " · " (cycle.period_start) " – " (cycle.period_end)
            " · " (t.cycle_state(cycle.state))
        }
        @if open && lacking > 0 {
            p class=(if soon { "alert problem" } else { "alert" }) #needs-inspection {
                (lacking) " " (t.need_inspection)
                @if days_left >= 0 { " · " (t.days_left) " " (days_left) }
            }
        }
        @if data.reports.is_empty() { p.empty { (t.no_reports) } }
        @else {
            div.scroll {
            table #team {
                thead { tr {
                    th { (t.employee) } th.num { (t.inspections_done_needed) } th { (t.action) }
                    th.num { (t.total) } th { (t.grade) } th { (t.status) }
                } }
                tbody {
                    @for r in &data.reports {
                        @let count = count(r);
                        @let needs = (count as i32) < data.minimum;
                        tr class=(if needs && open { "needs" } else { "" }) data-employee=(r.id) {
                            td { (r.display_name) }
                            td.num { (count) " / " (data.minimum) }
                            td {
                                @if open {
                                    a.button href={ "/cycles/" (cycle.id) "/team/" (r.id) "/inspection" } { (t.record_inspection) }
                                }
                            }
                            @match data.appraisals.get(&r.id) {
                                Some(a) => {
                                    td.num { a href={ "/appraisals/" (a.id) } { (score(a.total())) } }
                                    td { (a.grade.as_deref().unwrap_or("—")) }
                                    td { (t.appraisal_state(a.state)) }
                                }
                                None => { td.num { "—" } td { "—" } td { "—" } }
                            }
                        }
                    }
                }
            }
            }
            p.note { (t.inspections_done_needed_note) }
        }
        @if !data.appraisals.is_empty() { (crate::web::export::buttons(t, cycle.id)) }
        @if in_review && !data.appraisals.is_empty() {
            h2 { (t.review_drafts) }
            @if drafts.is_empty() { p.empty #no-drafts { (t.no_drafts_left) } }
            @if drafts.len() > 1 {
                form.card #review-many method="post" action={ "/cycles/" (cycle.id) "/team/review" } {
                    (csrf(&ctx))
                    fieldset {
                        legend { (t.review_several) }
                        @for (r, a) in &drafts {
                            label.choice { input type="checkbox" name="appraisal" value=(a.id);
                                " " (r.display_name) @if let Some(n) = &r.employee_number { " (" (n) ")" }
                                " — " (score(a.total())) " " (a.grade.as_deref().unwrap_or("")) }
                        }
                    }
                    label { (t.review_comment_all)
                        textarea name="comment" rows="2" maxlength=(crate::domain::evidence::COMMENT_MAX) {} }
                    button.primary #review-selected type="submit" { (t.mark_selected_reviewed) }
                }
            }
            @for (r, a) in &drafts {
                section.card.draft data-employee=(r.id) {
                    (draft_heading(r, a))
                    (review_form(&ctx, a))
                }
            }
            @if !reviewed.is_empty() {
                h2 { (t.reviewed_appraisals) }
                @for (r, a) in &reviewed {
                    section.card.reviewed data-employee=(r.id) {
                        (draft_heading(r, a))
                        p { (t.appraisal_state(a.state)) @if let Some(c) = &a.supervisor_comment { ": " (c) } }
                        details {
                            summary { (t.update_review) }
                            (review_form(&ctx, a))
                        }
                    }
                }
            }
        }
        @if !data.reports.is_empty() {
            h2 { (t.past_inspections) }
            @if data.inspections.is_empty() { p.empty { (t.no_inspections) } }
            @for r in data.reports.iter().filter(|r| inspected.contains_key(&r.id)) {
                details.past data-employee=(r.id) {
                    summary { (r.display_name) " (" (count(r)) ")" }
                    ul {
                        @for i in &inspected[&r.id] {
                            li {
                                (inspection_heading(i))
                                @if i.critical_failed { " · " span.critical { "★ " (t.critical) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(answer(&ctx, t.my_team, alert.as_ref(), body))
}

/// A draft's heading on the team page: who, linked to the appraisal, the total and grade.
fn draft_heading(r: &User, a: &Appraisal) -> maud::Markup {
    html! {
        h3 { a href={ "/appraisals/" (a.id) } { (r.display_name) } " — " (score(a.total())) " " (a.grade.as_deref().unwrap_or("")) }
    }
}

#[derive(serde::Deserialize)]
pub struct ChecklistChoice {
    checklist_id: Option<i32>,
}

pub async fn inspection_form(
    lead: Supervisor,
    ctx: Ctx,
    app: web::Data<App>,
    path: web::Path<(i32, i32)>,
    query: web::Query<ChecklistChoice>,
) -> Result<HttpResponse, AppError> {
    let (cycle, employee) = path.into_inner();
    render_form(
        lead,
        ctx,
        app,
        cycle,
        employee,
        query.checklist_id,
        None,
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    _lead: Supervisor,
    ctx: Ctx,
    app: web::Data<App>,
    cycle_id: i32,
    employee_id: i32,
    checklist: Option<i32>,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/cycles/{cycle_id}/team/{employee_id}/inspection"));
    // The same rule as recording it: HR for anyone, a supervisor for direct reports.
    let data = app
        .inspection_form(ctx.caller()?, cycle_id, employee_id)
        .await?;
    let t = ctx.t;
    let chosen = checklist
        .and_then(|id| data.checklists.iter().find(|c| c.checklist.id == id))
        .or(data.checklists.first());
    let today = ctx.time.today();
    let default_day: NaiveDate = today.clamp(data.cycle.period_start, data.cycle.period_end);
    let value = |name: &str, default: String| {
        sent.and_then(|f| f.get(name))
            .map_or(default, str::to_owned)
    };
    let action = format!("/cycles/{cycle_id}/team/{employee_id}/inspection");
    let body = html! {
        p.meta { (t.employee) ": " strong { (data.employee.display_name) } " · " (t.cycle) ": " (data.cycle.name) }
        @if data.checklists.len() > 1 {
            (choices("departments", t.nav_checklists, data.checklists.iter().map(|c| (
                format!("{action}?checklist_id={}", c.checklist.id),
                format!("{} v{}", c.checklist.name, c.checklist.version),
                chosen.is_some_and(|x| x.checklist.id == c.checklist.id),
            )).collect()))
        }
        @match chosen {
            None => p.empty { (t.no_checklists) },
            Some(c) => {
                form.card #inspection-form method="post" action=(action) {
                    (csrf(&ctx))
                    input type="hidden" name="checklist_id" value=(c.checklist.id);
                    label { (t.occurred_on)
                        input #occurred-on type="date" name="occurred_on" required
                            min=(data.cycle.period_start) max=(data.cycle.period_end)
                            value=(value("occurred_on", default_day.to_string()));
                    }
                    table.items {
                        thead { tr { th { (t.item) } th.num { (t.points) } th { (t.note) } } }
                        tbody {
                            @for item in &c.items {
                                tr {
                                    td {
                                        (item.title)
                                        @if item.critical { " " span.critical title=(t.critical) { "★ " (t.critical) } }
                                    }
                                    td.num {
                                        input.points type="number" name={ "points_" (item.id) } required min="0" max=(item.max_points) step="1"
                                            data-critical=(item.critical)
                                            value=(value(&format!("points_{}", item.id), String::new())) aria-label=(item.title);
                                        " / " (item.max_points)
                                    }
                                    td { input.note type="text" name={ "note_" (item.id) } maxlength=(NOTE_MAX)
                                        aria-label={ (t.note) ": " (item.title) } placeholder=(t.note)
                                        value=(value(&format!("note_{}", item.id), String::new())); }
                                }
                            }
                        }
                    }
                    p.note { (t.critical_rule) }
                    // Filled in by app.js as points are typed (the server scores it either way).
                    p #running-total hidden data-critical-zero=(t.running_total_critical) {
                        (t.running_total) ": " output for="inspection-form" { "—" }
                    }
                    label { (t.comment) textarea name="comment" rows="3" maxlength=(COMMENT_MAX) { (value("comment", String::new())) } }
                    button.primary #save-inspection type="submit" { (t.save_inspection) }
                }
            }
        }
    };
    Ok(answer(&ctx, t.record_inspection, alert.as_ref(), body))
}

/// Reads the form the checklist built (one points field and an optional note per item) as
/// the use case's input, the same as the API's body.
fn inspection_from(form: &Fields, employee_id: i32) -> Result<NewInspection, AppError> {
    let mut errors = FieldErrors::new();
    let checklist_id = form.text("checklist_id").trim().parse::<i32>().ok();
    if checklist_id.is_none() {
        errors.add("checklist_id", Problem::Choose);
    }
    let mut scores = Vec::new();
    for (name, value) in form.pairs() {
        let Some(item) = name
            .strip_prefix("points_")
            .and_then(|i| i.parse::<i64>().ok())
        else {
            continue;
        };
        let points = match value.trim().parse::<i64>() {
            Ok(points) => points,
            Err(_) => {
                errors.add(
                    format!("scores[{}].points", scores.len()),
                    Problem::NotWholeNumber,
                );
                continue;
            }
        };
        scores.push(ScoreInput {
            item_id: item,
            points,
            note: form.get(&format!("note_{item}")).map(str::to_owned),
        });
    }
    match checklist_id {
        Some(checklist_id) if errors.is_empty() => Ok(NewInspection {
            employee_id,
            checklist_id,
            occurred_on: form.text("occurred_on").to_owned(),
            scores,
            comment: form.get("comment").map(str::to_owned),
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

pub async fn record_inspection(
    lead: Supervisor,
    ctx: Ctx,
    app: web::Data<App>,
    path: web::Path<(i32, i32)>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let (cycle, employee) = path.into_inner();
    let outcome = match inspection_from(&form, employee) {
        Ok(new) => app.record_inspection(ctx.caller()?, new).await,
        Err(error) => Err(error),
    };
    // Back to the page the form was on: the inspection counts in every cycle whose period
    // holds its date, this one among them if the date is in its period.
    let page_period = app.cycle_period(ctx.caller()?, cycle).await.ok();
    let location = |created: InspectionDetail| {
        let here = page_period.is_some_and(|p| p.contains(created.occurred_on));
        let back = if here { cycle } else { created.cycle_id };
        format!("/cycles/{back}/team?ok=inspection_recorded")
    };
    let checklist = form.text("checklist_id").parse().ok();
    after_form(ctx, outcome.map(location), |ctx, alert| {
        render_form(
            lead,
            ctx,
            app,
            cycle,
            employee,
            checklist,
            Some(&form),
            Some(alert),
        )
    })
    .await
}

/// A supervisor reviews the drafts ticked on the team page, with one comment (all or none).
pub async fn review_many(
    _lead: Supervisor,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let cycle = id.into_inner();
    let mut ids = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut errors = crate::error::FieldErrors::new();
    for (name, value) in form.pairs() {
        if name == "appraisal" {
            match value.parse::<i32>() {
                Ok(id) if id > 0 && seen.insert(id) => ids.push(id),
                Ok(_) => {}
                Err(_) => errors.add("appraisal", crate::domain::problem::Problem::NotPositiveId),
            }
        }
    }
    let outcome = match errors.into_result() {
        Ok(()) => {
            let comment = form.get("comment").map(str::to_owned);
            app.review_many(ctx.caller()?, cycle, ids, comment).await
        }
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|n| format!("/cycles/{cycle}/team?ok=reviewed&n={n}")),
        |ctx, alert| render_team(ctx, app, cycle, Some(alert)),
    )
    .await
}

/// A supervisor's review of a direct report's appraisal (HR runs appraisals and does not
/// review: 403, as in the API).
pub async fn review(
    _lead: Supervisor,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = Review {
        comment: form.get("comment").map(str::to_owned),
    };
    let outcome = app.review(ctx.caller()?, id, input).await;
    let location = |a: Appraisal| format!("/cycles/{}/team?ok=reviewed", a.cycle_id);
    after_form(ctx, outcome.map(location), |ctx, alert| {
        render_appraisal(ctx, app, id, Some(alert))
    })
    .await
}
