//! The cycles: the list with the form for a new one, moving a cycle on, and computing it.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::cycle_page::render_cycle;
use crate::app::cycles::NewCycle;
use crate::app::App;
use crate::auth::Hr;
use crate::db::Db;
use crate::domain::cycle::CYCLE_NAME_MAX;
use crate::error::{AppError, FieldErrors};
use crate::store::cycles;
use crate::web::layout::{after_form, answer, csrf, recoverable, Alert};
use crate::web::session::{Ctx, Fields};

pub async fn cycles(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_cycles(ctx, db, None, alert).await
}

async fn render_cycles(
    ctx: Ctx,
    db: web::Data<Db>,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr");
    let mut all = db.run(cycles::all).await?;
    all.sort_by_key(|c| std::cmp::Reverse(c.period_start));
    let t = ctx.t;
    let value =
        |name: &str, default: &str| sent.and_then(|f| f.get(name)).unwrap_or(default).to_owned();
    let body = html! {
        table #cycles {
            thead { tr { th { (t.cycle) } th { (t.period) } th { (t.status) } th { (t.scheme) } } }
            tbody {
                @for c in &all {
                    tr data-cycle=(c.id) {
                        td { a href={ "/hr/cycles/" (c.id) } { (c.name) } }
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
            label { (t.period_start) input #period-start type="date" name="period_start" required value=(value("period_start", "")); }
            label { (t.period_end) input #period-end type="date" name="period_end" required value=(value("period_end", "")); }
            label { (t.appeal_window_days) input type="number" name="appeal_window_days" min="0" max="90" value=(value("appeal_window_days", "14")); }
            button.primary #create-cycle type="submit" { (t.create) }
        }
    };
    Ok(answer(&ctx, t.cycles, alert.as_ref(), body))
}

pub async fn create_cycle(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    db: web::Data<Db>,
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
        |ctx, alert| render_cycles(ctx, db, Some(&form), Some(alert)),
    )
    .await
}

pub async fn change_state(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    db: web::Data<Db>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = app.move_cycle(ctx.caller()?, id, form.text("state")).await;
    after_form(
        ctx,
        outcome.map(|_| format!("/hr/cycles/{id}?ok=state_changed")),
        |ctx, alert| render_cycle(ctx, db, id, None, Some(alert)),
    )
    .await
}

pub async fn compute(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    db: web::Data<Db>,
    id: web::Path<i32>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    match app.compute(ctx.caller()?, id).await {
        Ok(outcome) => {
            let note = format!(
                "{}: {} · {}: {} · {}: {}",
                ctx.t.computed_count,
                outcome.computed,
                ctx.t.insufficient_evidence,
                outcome.insufficient_evidence,
                ctx.t.changed,
                outcome.changed
            );
            render_cycle(ctx, db, id, None, Some(Alert::Note(note))).await
        }
        Err(error) => {
            let alert = recoverable(ctx.t, error)?;
            render_cycle(ctx, db, id, None, Some(alert)).await
        }
    }
}
