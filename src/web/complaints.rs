//! Complaints on the pages (every role): the desk logs one in a few fields on a phone and
//! gets the customer's status link; the list shows each one's holder, state and time left
//! (what the caller must act on first, red once a limit has passed); a complaint's page shows
//! its limits and history and the steps the caller may take. The forms go to the same use
//! cases as the API's (`app::complaints`).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use maud::{html, Markup};

use super::layout::{after_form, answer, choices, csrf, Alert};
use super::session::{Ctx, Fields};
use crate::app::complaints::{
    ComplaintView, EventInput, NewComplaintInput, NOTE_MAX, REF_MAX, SUMMARY_MAX,
};
use crate::app::view::{ComplaintFilter, Page};
use crate::app::App;
use crate::domain::complaint::{Action, Outcome, State};
use crate::domain::sla::Priority;
use crate::error::AppError;
use crate::i18n::{self, words};

const CHANNELS: [&str; 4] = ["counter", "phone", "online", "wechat"];

fn say(ctx: &Ctx, key: &str) -> String {
    i18n::text(ctx.lang, key)
}

/// `?held=true`: only what the caller must act on; `?escalated=true`: only what was
/// escalated and is not resolved yet (a supervisor's escalations).
#[derive(serde::Deserialize)]
pub struct Which {
    pub held: Option<bool>,
    pub escalated: Option<bool>,
}

/// The limit still running soonest to end, and whether it has passed.
fn time_left(c: &ComplaintView, now: DateTime<Utc>) -> Option<(DateTime<Utc>, bool)> {
    if matches!(c.state, State::Resolved | State::Closed) {
        return None;
    }
    c.limits
        .iter()
        .filter(|l| l.met_at.is_none())
        .filter_map(|l| l.due_at)
        .min()
        .map(|due| (due, due <= now))
}

fn left_text(ctx: &Ctx, c: &ComplaintView, now: DateTime<Utc>) -> Markup {
    match time_left(c, now) {
        None if c.state == State::WaitingCustomer => html! { (say(ctx, "complaint-paused")) },
        None => html! { "—" },
        Some((due, true)) => html! {
            span.must { (i18n::format(ctx.lang, "complaint-passed", vec![
                ("at", words(ctx.time.local(due.naive_utc()).format("%m-%d %H:%M").to_string()))])) }
        },
        Some((due, false)) => html! {
            (i18n::format(ctx.lang, "complaint-due", vec![
                ("at", words(ctx.time.local(due.naive_utc()).format("%m-%d %H:%M").to_string()))]))
        },
    }
}

/// A channel in the reader's words, or as it was written (a helpdesk's own).
fn channel_text(ctx: &Ctx, channel: &str) -> String {
    i18n::exact(
        ctx.lang,
        &format!("complaint-channel-{channel}"),
        Vec::new(),
    )
    .unwrap_or_else(|| channel.to_owned())
}

fn state_text(ctx: &Ctx, state: State) -> String {
    say(ctx, &format!("complaint-state-{}", state.as_str()))
}

pub async fn list(
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    query: web::Query<Which>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    let filter = ComplaintFilter {
        held: query.held.unwrap_or(false),
        escalated: query.escalated.unwrap_or(false),
        ..ComplaintFilter::default()
    };
    render_list(ctx, app, filter, None, alert).await
}

async fn render_list(
    ctx: Ctx,
    app: web::Data<App>,
    filter: ComplaintFilter,
    logged: Option<(i32, String)>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let (held, escalated) = (filter.held, filter.escalated);
    let ctx = ctx.at(if held {
        "/complaints?held=true"
    } else if escalated {
        "/complaints?escalated=true"
    } else {
        "/complaints"
    });
    let caller = ctx.caller()?;
    let page = Page {
        limit: 200,
        offset: 0,
    };
    let found = app.complaints(caller, filter, page).await?;
    let departments = app.all_departments(caller).await?;
    let now = ctx.time.clock().now();
    let mut items = found.items;
    if held || escalated {
        // What must be done first, first: the nearest end of a limit.
        items.sort_by_key(|c| time_left(c, now).map_or(DateTime::<Utc>::MAX_UTC, |(d, _)| d));
    }
    let body = html! {
        @if let Some((id, url)) = &logged {
            section.card #logged {
                p { (i18n::format(ctx.lang, "complaint-logged", vec![("id", i18n::number(*id))])) }
                p { (say(&ctx, "complaint-link-for-customer")) }
                p { code #status-link { (url) } }
            }
        }
        details.card #log open[found.total == 0] {
            summary { (say(&ctx, "complaint-log")) }
            form #log-complaint method="post" action="/complaints" {
                (csrf(&ctx))
                label { (say(&ctx, "complaint-summary"))
                    textarea name="summary" required maxlength=(SUMMARY_MAX) rows="3" {} }
                label { (say(&ctx, "complaint-channel"))
                    select name="channel" {
                        @for c in CHANNELS { option value=(c) { (say(&ctx, &format!("complaint-channel-{c}"))) } }
                    }
                }
                label { (say(&ctx, "complaint-priority"))
                    select name="priority" {
                        @for p in [Priority::Normal, Priority::High, Priority::Urgent, Priority::Low] {
                            option value=(p.as_str()) { (say(&ctx, &format!("priority-{}", p.as_str()))) }
                        }
                    }
                }
                label { (say(&ctx, "complaint-customer-ref"))
                    input type="text" name="customer_ref" maxlength=(REF_MAX) autocomplete="off"; }
                label { (say(&ctx, "complaint-department"))
                    select name="department_id" {
                        option value="" { (say(&ctx, "complaint-own-department")) }
                        @for d in &departments { option value=(d.id) { (d.name) } }
                    }
                }
                button.primary #log-button type="submit" { (say(&ctx, "complaint-log-button")) }
            }
        }
        (choices("filter", &say(&ctx, "complaint-which"), vec![
            ("/complaints".into(), say(&ctx, "complaint-all-mine"), !held && !escalated),
            ("/complaints?held=true".into(), say(&ctx, "complaint-held"), held),
            ("/complaints?escalated=true".into(), say(&ctx, "complaint-escalated"), escalated),
        ]))
        @if items.is_empty() {
            p.empty { (say(&ctx, "complaint-none")) }
        } @else {
            table #complaints tabindex="0" {
                thead { tr {
                    th { "#" } th { (say(&ctx, "complaint-summary")) } th { (say(&ctx, "complaint-department")) }
                    th { (say(&ctx, "complaint-state")) } th { (say(&ctx, "complaint-time-left")) }
                } }
                tbody {
                    @for c in &items {
                        tr {
                            td.num { a href={ "/complaints/" (c.id) } { (c.id) } }
                            td { a href={ "/complaints/" (c.id) } { (short(&c.summary)) } }
                            td { (c.department_name) }
                            td { (state_text(&ctx, c.state))
                                @if c.escalation_level > 0 {
                                    " · " span.must { (i18n::format(ctx.lang, "complaint-level", vec![("level", i18n::number(c.escalation_level))])) }
                                }
                            }
                            td { (left_text(&ctx, c, now)) }
                        }
                    }
                }
            }
        }
    };
    Ok(answer(
        &ctx,
        &say(&ctx, "complaints-title"),
        alert.as_ref(),
        body,
    ))
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn optional(form: &Fields, name: &str) -> Option<String> {
    form.get(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn id_field(form: &Fields, name: &str) -> Option<i32> {
    optional(form, name).and_then(|v| v.parse().ok())
}

pub async fn log(
    ctx: Ctx,
    app: web::Data<App>,
    origin: web::Data<crate::web::PublicOrigin>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let input = NewComplaintInput {
        received_at: None,
        channel: optional(&form, "channel").unwrap_or_else(|| "counter".into()),
        priority: optional(&form, "priority").and_then(|p| p.parse().ok()),
        summary: form.text("summary").to_owned(),
        customer_ref: optional(&form, "customer_ref"),
        customer_locale: None,
        department_id: id_field(&form, "department_id"),
        employee_id: None,
        external_ref: None,
    };
    match app.log_complaint(ctx.caller()?, input).await {
        Ok((view, _)) => {
            let url = format!(
                "{}{}",
                origin.as_str(),
                view.status_url.clone().unwrap_or_default()
            );
            render_list(
                ctx,
                app,
                ComplaintFilter::default(),
                Some((view.id, url)),
                None,
            )
            .await
        }
        Err(error) => {
            let alert = super::layout::recoverable(ctx.t, error)?;
            render_list(ctx, app, ComplaintFilter::default(), None, Some(alert)).await
        }
    }
}

pub async fn complaint(
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_complaint(ctx, app, id.into_inner(), alert).await
}

async fn render_complaint(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/complaints/{id}"));
    let caller = ctx.caller()?;
    let c = app.complaint(caller, id).await?;
    let departments = app.all_departments(caller).await?;
    let now = ctx.time.clock().now();
    let names: std::collections::HashMap<i32, String> = c
        .names
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let name = |id: Option<i32>| {
        id.and_then(|i| names.get(&i).cloned())
            .unwrap_or_else(|| "—".into())
    };
    let local = |at: DateTime<Utc>| {
        ctx.time
            .local(at.naive_utc())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    let step = |action: Action| action.next_state(c.state).is_some();
    let action_form = |action: Action, key: &str, extra: Markup| {
        html! {
            form.inline method="post" action={ "/complaints/" (id) "/events" } {
                (csrf(&ctx))
                input type="hidden" name="kind" value=(action.as_str());
                (extra)
                button type="submit" id={ "do-" (action.as_str()) } { (say(&ctx, key)) }
            }
        }
    };
    let body = html! {
        section.card #complaint {
            p { (c.summary) }
            dl {
                dt { (say(&ctx, "complaint-state")) } dd #complaint-state { (state_text(&ctx, c.state)) }
                dt { (say(&ctx, "complaint-department")) } dd { (c.department_name) }
                dt { (say(&ctx, "complaint-responsible")) } dd { (name(c.employee_id)) }
                dt { (say(&ctx, "complaint-received")) } dd { (local(c.received_at)) " · " (channel_text(&ctx, &c.channel)) }
                dt { (say(&ctx, "complaint-priority")) } dd { (say(&ctx, &format!("priority-{}", c.priority.as_str()))) }
                dt { (say(&ctx, "complaint-time-left")) } dd { (left_text(&ctx, &c, now)) }
                @if let Some(r) = &c.customer_ref { dt { (say(&ctx, "complaint-customer-ref")) } dd { (r) } }
                @if let Some(r) = c.follow_up_rating { dt { (say(&ctx, "complaint-rating")) } dd { (r) " / 5" } }
            }
        }
        table #limits tabindex="0" {
            thead { tr { th { (say(&ctx, "complaint-limit")) } th { (say(&ctx, "complaint-limit-minutes")) } th { (say(&ctx, "complaint-used")) } th { (say(&ctx, "complaint-due-at")) } th { (say(&ctx, "complaint-outcome")) } } }
            tbody {
                @for l in &c.limits {
                    tr {
                        td { (say(&ctx, &format!("complaint-limit-{}", l.limit.as_str()))) }
                        td.num { (l.minutes) }
                        td.num { (l.used_minutes) }
                        td { (l.due_at.map(local).unwrap_or_else(|| "—".into())) }
                        td { @if l.outcome == Outcome::Missed { span.must { (say(&ctx, "outcome-missed")) } }
                             @else if l.outcome == Outcome::InTime { (say(&ctx, "outcome-in_time")) }
                             @else { (say(&ctx, "outcome-running")) } }
                    }
                }
            }
        }
        section.card #actions {
            @if step(Action::Respond) { (action_form(Action::Respond, "complaint-do-respond", html! {
                input type="text" name="note" maxlength=(NOTE_MAX) placeholder=(say(&ctx, "complaint-note")) aria-label=(say(&ctx, "complaint-note"));
            })) }
            @if step(Action::Wait) { (action_form(Action::Wait, "complaint-do-wait", html! {})) }
            @if step(Action::Resume) { (action_form(Action::Resume, "complaint-do-resume", html! {})) }
            @if step(Action::Resolve) { (action_form(Action::Resolve, "complaint-do-resolve", html! {})) }
            @if step(Action::HandOff) { (action_form(Action::HandOff, "complaint-do-hand_off", html! {
                select name="to_department_id" required aria-label=(say(&ctx, "complaint-department")) {
                    @for d in &departments { option value=(d.id) selected[d.id == c.department_id] { (d.name) } }
                }
            })) }
            @if step(Action::Reopen) { (action_form(Action::Reopen, "complaint-do-reopen", html! {})) }
            @if step(Action::FollowUp) { (action_form(Action::FollowUp, "complaint-do-follow_up", html! {
                select name="rating" required aria-label=(say(&ctx, "complaint-rating")) {
                    option value="" { (say(&ctx, "complaint-choose-rating")) }
                    @for r in (1..=5).rev() { option value=(r) { (r) } }
                }
            })) }
        }
        @if let Some(events) = &c.events {
            h2 { (say(&ctx, "complaint-history")) }
            ol #history {
                @for e in events {
                    li {
                        (local(e.at)) " · " (say(&ctx, &format!("complaint-event-{}", e.kind.as_str())))
                        @if let Some(who) = e.actor_id { " · " (name(Some(who))) }
                        @if let Some(level) = e.level { " · " (i18n::format(ctx.lang, "complaint-level", vec![("level", i18n::number(level))])) }
                        @if let Some(note) = &e.note { " — " (note) }
                    }
                }
            }
        }
        p { a href="/complaints" { (say(&ctx, "complaints-title")) } }
    };
    let title = format!("#{} {}", c.id, short(&c.summary));
    Ok(answer(&ctx, &title, alert.as_ref(), body))
}

pub async fn event(
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let kind = form.text("kind").parse::<Action>();
    let outcome = match kind {
        Ok(kind) => app
            .complaint_event(
                ctx.caller()?,
                id,
                EventInput {
                    kind,
                    to_department_id: id_field(&form, "to_department_id"),
                    to_employee_id: id_field(&form, "to_employee_id"),
                    priority: optional(&form, "priority").and_then(|p| p.parse().ok()),
                    rating: id_field(&form, "rating"),
                    note: optional(&form, "note"),
                },
            )
            .await
            .map(|_| {
                if kind == Action::HandOff {
                    "/complaints?ok=saved".to_owned()
                } else {
                    format!("/complaints/{id}?ok=saved")
                }
            }),
        Err(_) => Err(AppError::validation(
            "kind",
            crate::domain::problem::Problem::Choose,
        )),
    };
    after_form(ctx, outcome, |ctx, alert| {
        render_complaint(ctx, app, id, Some(alert))
    })
    .await
}
