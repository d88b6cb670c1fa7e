//! The cycles: the list with the form for a new one, moving a cycle on, and computing it.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::cycle_page::render_cycle;
use crate::app::cycle_page::StepPreview;
use crate::app::cycles::{CyclePatch, NewCycle};
use crate::app::to_do::Named;
use crate::app::App;
use crate::auth::Hr;
use crate::domain::cycle::{CycleState, CYCLE_NAME_MAX, DEFAULT_SERIES, SERIES_MAX};
use crate::error::{AppError, FieldErrors};
use crate::web::layout::{after_form, answer, csrf, recoverable, Alert};
use crate::web::session::{Ctx, Fields};

pub async fn cycles(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_cycles(ctx, app, None, alert).await
}

async fn render_cycles(
    ctx: Ctx,
    app: web::Data<App>,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr");
    let (mut all, todo) = app.hr_to_do(ctx.caller()?).await?;
    all.sort_by_key(|c| std::cmp::Reverse(c.period_start));
    let series: std::collections::BTreeSet<&str> = all.iter().map(|c| c.series.as_str()).collect();
    let t = ctx.t;
    let value =
        |name: &str, default: &str| sent.and_then(|f| f.get(name)).unwrap_or(default).to_owned();
    let body = html! {
        section.card #todo {
            h2 { (t.todo) }
            @if todo.is_empty() {
                p.empty { (t.todo_nothing) }
            } @else {
                ul {
                    @if todo.open_appeals > 0 {
                        li { a href="/appeals?state=open" { (todo.open_appeals) " " (t.todo_open_appeals) } }
                    }
                    @if todo.failed_notices > 0 {
                        li { a href="/hr/notices?status=failed" { (todo.failed_notices) " " (t.todo_failed_notices) } }
                    }
                    @for c in &todo.cycles {
                        li data-cycle=(c.id) {
                            a href={ "/hr/cycles/" (c.id) } { (c.name) } " · " (t.cycle_state(c.state)) ": "
                            @if c.state == CycleState::Open {
                                (t.days_left) " " (c.days_left)
                                @if c.lacking_inspections > 0 { " · " (c.lacking_inspections) " " (t.todo_lacking_inspections)
                                    (who(t, &c.lacking, |id| format!("/cycles/{}/team/{id}/inspection", c.id))) }
                            } @else {
                                @if c.uncomputed > 0 { (c.uncomputed) " " (t.todo_uncomputed) " · " }
                                (c.unreviewed) " " (t.todo_unreviewed)
                                (who(t, &c.drafts, |id| format!("/appraisals/{id}")))
                                @if c.hr_reviews > 0 {
                                    " · " a href={ "/cycles/" (c.id) "/team" } { (c.hr_reviews) " " (t.todo_hr_reviews) }
                                }
                                @if c.stale > 0 { " · " strong { (c.stale) " " (t.todo_stale) } }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t.cycles) }
        table #cycles {
            thead { tr { th { (t.cycle) } th { (t.series) } th { (t.period) } th { (t.status) } th { (t.scheme) } } }
            tbody {
                @for c in &all {
                    tr data-cycle=(c.id) {
                        td { a href={ "/hr/cycles/" (c.id) } { (c.name) } }
                        td { (t.series_name(&c.series)) }
                        td { (c.period_start) " – " (c.period_end) }
                        td { (t.cycle_state(c.state)) }
                        td { @if c.scheme_json.is_some() { "✓" } @else { "—" } }
                    }
                }
            }
        }
        h2 { (t.new_cycle) }
        form.card.grid #new-cycle method="post" action="/hr/cycles" {
            (csrf(&ctx))
            label { (t.name) input #cycle-name type="text" name="name" required maxlength=(CYCLE_NAME_MAX) value=(value("name", "")); }
            label { (t.series) input #cycle-series type="text" name="series" list="series-names" maxlength=(SERIES_MAX) placeholder=(t.series_main) value=(value("series", "")); }
            datalist #series-names { @for s in series.iter().filter(|s| **s != DEFAULT_SERIES) { option value=(s) {} } }
            label { (t.period_start) input #period-start type="date" name="period_start" required value=(value("period_start", "")); }
            label { (t.period_end) input #period-end type="date" name="period_end" required value=(value("period_end", "")); }
            label { (t.appeal_window_days) input type="number" name="appeal_window_days" min="0" max="90" value=(value("appeal_window_days", "14")); }
            p.note { (t.series_note) }
            button.primary #create-cycle type="submit" { (t.create) }
        }
    };
    Ok(answer(&ctx, t.cycles, alert.as_ref(), body))
}

/// The people behind a count, folded away: each linked to where their item is done.
fn who(t: &crate::web::text::Texts, people: &Named, link: impl Fn(i32) -> String) -> maud::Markup {
    html! {
        @if !people.first.is_empty() {
            details.who {
                summary { (t.todo_who) }
                ul.names {
                    @for p in &people.first {
                        li { a href=(link(p.id)) { (p.name) @if let Some(n) = &p.number { " (" (n) ")" } } }
                    }
                    @if people.total > people.first.len() {
                        li.more { (t.and_more) " " (people.total - people.first.len()) }
                    }
                }
            }
        }
    }
}

pub async fn create_cycle(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let window = super::number(
        form.text("appeal_window_days"),
        "appeal_window_days",
        &mut errors,
    );
    let outcome = match errors.into_result() {
        Ok(()) => {
            let input = NewCycle {
                name: form.text("name").to_owned(),
                // A cleared field is the default series.
                series: form
                    .get("series")
                    .filter(|s| !s.trim().is_empty())
                    .map(str::to_owned),
                period_start: form.text("period_start").to_owned(),
                period_end: form.text("period_end").to_owned(),
                appeal_window_days: window,
            };
            app.create_cycle(ctx.caller()?, input).await
        }
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|created| format!("/hr/cycles/{}?ok=created", created.id)),
        |ctx, alert| render_cycles(ctx, app, Some(&form), Some(alert)),
    )
    .await
}

pub async fn change_state(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    // Opening mails everyone, publishing shows results to everyone, archiving ends the
    // cycle: each asks first, on a page of its own (no script needed).
    if let Ok(to) = CycleState::parse(form.text("state")) {
        if needs_confirmation(to) && form.text("confirm") != "yes" {
            return confirm_state(ctx, app, id, to).await;
        }
    }
    let outcome = app.move_cycle(ctx.caller()?, id, form.text("state")).await;
    after_form(
        ctx,
        outcome.map(|_| format!("/hr/cycles/{id}?ok=state_changed")),
        |ctx, alert| render_cycle(ctx, app, id, None, Some(alert)),
    )
    .await
}

/// The cycle's name, period and appeal window, as its state allows (the same use case as
/// `PATCH /cycles/{id}`; a field the state freezes is not sent by the form).
pub async fn edit_cycle(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let mut errors = FieldErrors::new();
    let window = form
        .get("appeal_window_days")
        .and_then(|w| super::number(w, "appeal_window_days", &mut errors));
    let field = |name: &str| form.get(name).map(str::to_owned);
    let outcome = match errors.into_result() {
        Ok(()) => {
            let patch = CyclePatch {
                name: field("name"),
                series: field("series"),
                period_start: field("period_start"),
                period_end: field("period_end"),
                appeal_window_days: window,
            };
            app.change_cycle(ctx.caller()?, id, patch).await.map(|_| ())
        }
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| format!("/hr/cycles/{id}?ok=saved")),
        |ctx, alert| render_cycle(ctx, app, id, None, Some(alert)),
    )
    .await
}

/// Every step that cannot be undone asks first.
fn needs_confirmation(to: CycleState) -> bool {
    matches!(
        to,
        CycleState::Open | CycleState::Review | CycleState::Published | CycleState::Archived
    )
}

/// What the step will do, and the button that does it.
async fn confirm_state(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    to: CycleState,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/hr/cycles/{id}"));
    let today = ctx.time.today();
    let StepPreview {
        cycle,
        people,
        total,
        reviewed,
        stale,
        uncomputed,
        lacking,
    } = app.step_preview(ctx.caller()?, id).await?;
    let days_left = (cycle.period_end - today).num_days().max(0);
    let t = ctx.t;
    let body = html! {
        section.card #confirm data-state=(to.as_str()) {
            p.meta { (cycle.name) " · " (cycle.period_start) " – " (cycle.period_end) " · " (t.cycle_state(cycle.state)) }
            @match to {
                CycleState::Open => {
                    p #confirm-what { strong { (people) } " " (t.confirm_open_mails) }
                }
                CycleState::Review => {
                    p #confirm-what { (t.confirm_review_note) }
                    p {
                        (t.confirm_lacking_inspections) ": " strong { (lacking) }
                        " · " (t.confirm_days_left) ": " strong { (days_left) }
                    }
                }
                CycleState::Published => {
                    p #confirm-what {
                        (t.confirm_reviewed) ": " strong { (reviewed) " / " (total) }
                        " · " (t.stale_count) ": " strong { (stale) }
                        " · " (t.confirm_uncomputed) ": " strong { (uncomputed) }
                    }
                    p { (t.confirm_publish_note) }
                }
                _ => { p #confirm-what { (t.confirm_archive_note) } }
            }
            form.inline method="post" action={ "/hr/cycles/" (id) "/state" } {
                (csrf(&ctx))
                input type="hidden" name="state" value=(to.as_str());
                input type="hidden" name="confirm" value="yes";
                button.primary #confirm-state type="submit" { (t.move_to(to)) }
            }
            " "
            a.button #cancel href={ "/hr/cycles/" (id) } { (t.cancel) }
        }
    };
    Ok(answer(&ctx, t.confirm_title, None, body))
}

pub async fn compute(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    match app.compute(ctx.caller()?, id).await {
        Ok(outcome) => {
            let note = format!(
                "{}: {} · {}: {} · {}: {} · {}: {} · {}: {}",
                ctx.t.computed_count,
                outcome.computed,
                ctx.t.insufficient_evidence,
                outcome.insufficient_evidence,
                ctx.t.changed,
                outcome.changed,
                ctx.t.reviews_kept,
                outcome.reviews_kept,
                ctx.t.reviews_reset,
                outcome.reviews_reset
            );
            render_cycle(ctx, app, id, None, Some(Alert::Note(note))).await
        }
        Err(error) => {
            let alert = recoverable(ctx.t, error)?;
            render_cycle(ctx, app, id, None, Some(alert)).await
        }
    }
}
