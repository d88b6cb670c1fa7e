//! Pages every role has: "My service rating", one appraisal (with the review form for a
//! supervisor and the audit trail for HR) and one inspection (rating colleagues of other
//! departments: `colleagues.rs`). Access is decided by the store's scope functions, as for the API; every
//! form goes to the same use case as the API's (`crate::app`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::chart;
use super::layout::Alert;
use super::layout::{after_form, answer, button_form, csrf, html_response, money, page, score};
use super::session::{Ctx, Fields};
use super::text::Texts;
use crate::app::appraisals::NewAppeal;
use crate::app::view::{
    changed_fields, Appeal, Appraisal, AuditEvent, Cycle, InspectionDetail, PERSON_FIELDS,
};
use crate::app::App;
use crate::domain::appraisal::{AppraisalState, ComponentInput, Inputs};
use crate::domain::component::Component;
use crate::domain::cycle::CycleState;
use crate::domain::evidence::COMMENT_MAX;
use crate::domain::user::{may_review, Role};
use crate::error::AppError;
use crate::i18n;

/// Why a component is missing, in the visitor's language, from the snapshot's typed reason.
fn missing_reason(t: &Texts, name: Component, c: &ComponentInput) -> String {
    c.missing_reason
        .as_ref()
        .map(|reason| i18n::missing_reason(t.lang, name, reason))
        .unwrap_or_default()
}

fn evidence_label(t: &Texts, name: Component, c: &ComponentInput, inputs: &Inputs) -> String {
    let minimum = inputs.min_evidence.of(name);
    let counted = |label: &str| format!("{label}: {} ({} {minimum})", c.evidence, t.at_least);
    match name {
        Component::Sales => {
            let sold = format!("{} {}", t.sold, money(t, inputs.sales_total));
            let target = inputs.sales_target.map_or(String::new(), |target| {
                format!(" / {} {}", t.target, money(t, target))
            });
            format!("{sold}{target} · {}: {}", t.records, c.evidence)
        }
        Component::Satisfaction => counted(t.responses),
        Component::Etiquette => counted(t.inspections_n),
        Component::Collaboration => counted(t.raters),
        Component::Responsiveness => {
            let (earned, possible) = inputs.responsiveness_points;
            format!(
                "{} · {}",
                counted(t.complaints_n),
                i18n::format(
                    t.lang,
                    "responsiveness-points",
                    vec![
                        ("earned", i18n::number(earned)),
                        ("possible", i18n::number(possible)),
                    ],
                )
            )
        }
    }
}

/// How a present component's score follows from its evidence, in words: the average rating
/// of 5, the attainment and where the score stops, the inspections averaged.
fn explanation(t: &Texts, name: Component, c: &ComponentInput, inputs: &Inputs) -> Option<String> {
    let score = c.score?;
    let two = |v: f64| i18n::words(format!("{v:.2}"));
    Some(match name {
        Component::Sales => {
            let target = inputs.sales_target.filter(|t| *t > 0)?;
            let attainment = inputs.sales_total as f64 / target as f64 * 100.0;
            let key = if attainment >= f64::from(inputs.full_marks_at) {
                "explain-sales-capped"
            } else {
                "explain-sales"
            };
            i18n::format(
                t.lang,
                key,
                vec![
                    ("attainment", two(attainment)),
                    ("full", i18n::number(inputs.full_marks_at)),
                ],
            )
        }
        Component::Etiquette => i18n::format(
            t.lang,
            "explain-etiquette",
            vec![("count", i18n::number(c.evidence))],
        ),
        Component::Responsiveness => {
            let (earned, possible) = inputs.responsiveness_points;
            i18n::format(
                t.lang,
                "explain-responsiveness",
                vec![
                    ("earned", i18n::number(earned)),
                    ("possible", i18n::number(possible)),
                    ("score", two(score)),
                ],
            )
        }
        // A rating score is (average − 1) / 4 × 100, so the average is read back from it.
        Component::Satisfaction | Component::Collaboration => i18n::format(
            t.lang,
            "explain-rating",
            vec![
                ("average", two(1.0 + score * 4.0 / 100.0)),
                ("score", two(score)),
            ],
        ),
    })
}

pub fn component_name(t: &Texts, name: Component) -> &'static str {
    match name {
        Component::Sales => t.sales,
        Component::Satisfaction => t.satisfaction,
        Component::Etiquette => t.etiquette,
        Component::Collaboration => t.collaboration,
        Component::Responsiveness => t.responsiveness,
    }
}

/// The breakdown: total, grade, rank, and each component with its weight, evidence and why
/// it is missing.
/// `ranked` is how many in the employee's department have a rank in the cycle.
pub(crate) fn breakdown(
    ctx: &Ctx,
    a: &Appraisal,
    inputs: &Inputs,
    cycle: &Cycle,
    ranked: i64,
) -> Markup {
    let t = ctx.t;
    let components = inputs.counted_contributions();
    let any_missing = components.iter().any(|(_, c, _)| c.score.is_none());
    let rank = a.department_rank.map_or("—".to_owned(), |r| {
        i18n::format(
            t.lang,
            "rank-of",
            vec![
                ("rank", i18n::number(r)),
                ("of", i18n::number(ranked.max(1))),
            ],
        )
    });
    html! {
        section.card.summary #summary {
            div.big {
                span.label { (t.total) }
                span.total #total { (score(a.total())) }
            }
            div.big { span.label { (t.grade) } span.grade #grade { (a.grade.as_deref().unwrap_or("—")) } }
            div.big { span.label { (t.rank) } span #rank { (rank) } }
            div.meta {
                p { (t.cycle) ": " strong { (cycle.name) } " (" (cycle.period_start) " – " (cycle.period_end) ")" }
                p { (t.status) ": " span #appraisal-state { (t.appraisal_state(a.state)) } }
                @if a.total_centi.is_none() { p.warn { (t.insufficient_evidence) } }
            }
        }
        table.components #components {
            thead { tr {
                th scope="col" { (t.component) } th.num scope="col" { (t.score) }
                th.num scope="col" { (t.weight) } th.num scope="col" { (t.weight_used) }
                th.num scope="col" { (t.contribution) }
                th scope="col" { (t.evidence) } th scope="col" { (t.missing_because) }
            } }
            tbody {
                @for &(name, c, share) in &components {
                    tr class=(if c.score.is_none() { "missing" } else { "" }) data-component=(name.as_str()) {
                        th scope="row" { (component_name(t, name)) }
                        // data-label: the column's name, shown beside the value where the
                        // table is stacked (phones).
                        td.num.score data-label=(t.score) { (score(c.score)) }
                        td.num.weight data-label=(t.weight) { (c.weight) "%" }
                        td.num.weight-used data-label=(t.weight_used) { (share.map_or("—".to_owned(), |(w, _)| format!("{w:.2}%"))) }
                        td.num.contribution data-label=(t.contribution) { (share.map_or("—".to_owned(), |(_, p)| format!("{p:.2}"))) }
                        td data-label=(t.evidence) {
                            (evidence_label(t, name, c, inputs))
                            @if let Some(words) = explanation(t, name, c, inputs) {
                                br; span.explain { (words) }
                            }
                        }
                        td data-label=(t.missing_because) { @if c.score.is_none() { (missing_reason(t, name, c)) } }
                    }
                }
            }
            tfoot { tr {
                th scope="row" { (t.total) } td.num data-label=(t.score) { (score(a.total())) } td {}
                td.num data-label=(t.weight_used) { @if a.total().is_some() { "100.00%" } }
                td.num #contributions-total data-label=(t.contribution) { (score(a.total())) } td {} td {}
            } }
        }
        @if any_missing { p.note { (t.pro_rata_note) } }
        p.note { (t.critical_rule) }
        @if let Some(comment) = &a.supervisor_comment {
            p.comment { strong { (t.supervisor_comment) ": " } (comment) }
        }
    }
}

/// An inspection in one line: its date and checklist, linked to it, and its score.
pub(crate) fn inspection_heading(i: &InspectionDetail) -> Markup {
    html! {
        a href={ "/inspections/" (i.id) } { (i.occurred_on) " · " (i.checklist_name) " v" (i.checklist_version) }
        " — " span.score { (score(Some(i.score))) }
    }
}

pub(crate) fn inspection_card(
    ctx: &Ctx,
    i: &InspectionDetail,
    inspector: Option<&String>,
) -> Markup {
    let t = ctx.t;
    let heading = inspection_heading(i);
    html! {
        article.card.inspection id={ "inspection-" (i.id) } {
            // Under a page's "Inspections" heading, or alone on its own page.
            @if ctx.here.starts_with("/inspections/") { h2 { (heading) } } @else { h3 { (heading) } }
            @if let Some(name) = inspector { p.meta { (t.inspector) ": " (name) } }
            @if i.critical_failed { p.warn { (t.critical_failed) } }
            table.items {
                thead { tr { th { (t.item) } th.num { (t.points) } th { (t.note) } } }
                tbody {
                    @for item in &i.items {
                        tr class=(if item.critical && item.points == 0 { "missing" } else { "" }) {
                            td { (item.title) @if item.critical { " " span.critical title=(t.critical) { "★" } } }
                            td.num { (item.points) " / " (item.max_points) }
                            td { (item.note.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
            @if let Some(comment) = &i.comment { p.comment { strong { (t.comment) ": " } (comment) } }
        }
    }
}

/// Acknowledge and appeal, for the employee's own published appraisal.
/// `on_me`: shown on `/me` (a refusal comes back there), else on the appraisal's own page.
fn own_actions(
    ctx: &Ctx,
    a: &Appraisal,
    cycle: &Cycle,
    appeal: Option<&Appeal>,
    on_me: bool,
) -> Markup {
    let t = ctx.t;
    let deadline = a
        .published_at
        .map(|_| ctx.time.local(a.appeal_closes(cycle)).date());
    html! {
        @if a.state == AppraisalState::Published {
            section.card.actions #actions {
                (button_form(ctx, &format!("/appraisals/{}/acknowledge", a.id), t.acknowledge, "primary"))
                form #appeal-form method="post" action={ "/appraisals/" (a.id) "/appeal" } {
                    (csrf(ctx))
                    @if on_me { input type="hidden" name="from" value="me"; }
                    label { (t.appeal_reason) textarea #appeal-reason name="reason" rows="3" maxlength=(COMMENT_MAX) required {} }
                    @if let Some(deadline) = deadline { p.note { (t.appeal_until) " " (deadline) } }
                    button #appeal-button type="submit" { (t.appeal) }
                }
            }
        }
        @if let Some(appeal) = appeal {
            section.card #appeal {
                h2 { (t.your_appeal) }
                p { (appeal.reason) }
                p { (t.status) ": " strong #appeal-state { (t.appeal_state(appeal.state)) } }
                @if let Some(note) = &appeal.decision_note { p { (t.decision_note) ": " (note) } }
            }
        }
    }
}

/// "My service rating": the latest published appraisal with its breakdown and the
/// inspections behind it, the trend across cycles, and acknowledge / appeal.
pub async fn my_rating(
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    origin: web::Data<crate::web::PublicOrigin>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_my_rating(ctx, Shown { app, origin }, alert).await
}

/// What `/me` needs: the use cases and the site's address (for the notices of someone
/// without email).
struct Shown {
    app: web::Data<App>,
    origin: web::Data<crate::web::PublicOrigin>,
}

async fn render_my_rating(
    ctx: Ctx,
    shown: Shown,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    // Someone without email reads here what others are mailed.
    let notices = if ctx.me()?.email.is_none() {
        let caller = ctx.caller()?.clone();
        shown
            .app
            .notices_on_my_pages(&caller, shown.origin.as_str().to_owned())
            .await?
    } else {
        Vec::new()
    };
    let ctx = ctx.at("/me");
    let data = shown.app.my_rating(ctx.caller()?).await?;
    let t = ctx.t;
    let latest = data.mine.first();
    let body = html! {
        @if !notices.is_empty() {
            section.card #my-notices {
                h2 { (t.my_notices) }
                @for n in &notices {
                    details.notice {
                        summary { (ctx.time.local(n.at).format("%Y-%m-%d %H:%M")) " · " (n.subject) }
                        p.notice-text { (n.text) }
                    }
                }
            }
        }
        @for cycle in &data.open_cycles {
            p.card.hint { a.rate-link href={ "/cycles/" (cycle.id) "/collaboration" } { (t.rate_colleagues) " — " (cycle.name) } }
        }
        @match latest {
            None => p.empty #no-appraisal { (t.no_published_appraisal) },
            Some(a) => {
                @let inputs = a.inputs()?;
                @if let Some(cycle) = data.cycles.get(&a.cycle_id) {
                    (breakdown(&ctx, a, &inputs, cycle, data.ranked))
                    (own_actions(&ctx, a, cycle, data.appeal.as_ref(), true))
                }
                h2 { (t.inspections) }
                @if data.inspections.is_empty() { p.empty { (t.no_inspections) } }
                @for i in &data.inspections { (inspection_card(&ctx, i, data.inspectors.get(&i.inspector_id))) }
                h2 { (t.trend) }
                @let points: Vec<(String, Option<f64>)> = data.mine.iter().rev()
                    .map(|a| (data.cycles.get(&a.cycle_id).map_or(String::new(), |c| c.name.clone()), a.total()))
                    .collect();
                (chart::trend(t.trend, &points))
                h2 { (t.history) }
                table #history {
                    thead { tr { th { (t.cycle) } th.num { (t.total) } th { (t.grade) } th { (t.status) } } }
                    tbody {
                        @for a in &data.mine {
                            tr {
                                td { a href={ "/appraisals/" (a.id) } { (data.cycles.get(&a.cycle_id).map_or("", |c| c.name.as_str())) } }
                                td.num { (score(a.total())) }
                                td { (a.grade.as_deref().unwrap_or("—")) }
                                td { (t.appraisal_state(a.state)) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(answer(&ctx, t.my_rating, alert.as_ref(), body))
}

/// One appraisal, for whoever may see it (the API's `appraisals::get_for` decides).
pub async fn appraisal(
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_appraisal(ctx, app, id.into_inner(), alert).await
}

pub async fn render_appraisal(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/appraisals/{id}"));
    let data = app.appraisal_page(ctx.caller()?, id).await?;
    let t = ctx.t;
    let me = ctx.me()?;
    let a = &data.appraisal;
    let inputs = a.inputs()?;
    let own = a.employee_id == me.id;
    let reviewer = may_review((me.id, me.role), a.employee_id, data.manager) == Some(true);
    let body = html! {
        p.meta { (t.employee) ": " strong #employee { (data.employee.display_name) }
            @if let Some(n) = &data.employee.employee_number { " · " (t.employee_number) " " span #employee-number { (n) } }
            " · " (t.department) " " (data.department) " · " (t.cycle) " " (data.cycle.name) }
        (breakdown(&ctx, a, &inputs, &data.cycle, data.ranked))
        @if own { (own_actions(&ctx, a, &data.cycle, data.appeal.as_ref(), false)) }
        @else if let Some(appeal) = &data.appeal {
            section.card #appeal {
                h2 { (t.appeal) }
                p { (appeal.reason) }
                p { (t.status) ": " strong { (t.appeal_state(appeal.state)) } }
                @if me.role == Role::Hr { p { a href={ "/appeals/" (appeal.id) } { (t.decide_appeal) } } }
            }
        }
        @if reviewer && data.cycle.state == CycleState::Review && matches!(a.state, AppraisalState::Draft | AppraisalState::Reviewed) {
            (review_form(&ctx, a))
        }
        h2 { (t.inspections) }
        @if data.inspections.is_empty() { p.empty { (t.no_inspections) } }
        @for i in &data.inspections { (inspection_card(&ctx, i, data.names.get(&i.inspector_id))) }
        // Printed, the page is a review sheet: when it was printed and where each signs.
        section.print-only #sign-off {
            p { (t.printed_on) " " (ctx.time.today()) }
            p.signature { (t.employee_signature) span.line {} (t.date_signed) span.line.short {} }
            p.signature { (t.supervisor_signature) span.line {} (t.date_signed) span.line.short {} }
        }
        @if me.role == Role::Hr {
            // The cycle's history is HR's to read, not part of a printed sheet.
            section.no-print #audit-trail {
                h2 { (t.audit_trail) }
                (audit_table(&ctx, &data.audit, &Labels { people: &data.names, departments: &data.departments }))
            }
        }
    };
    let title = format!("{} — {}", t.appraisal, data.employee.display_name);
    Ok(answer(&ctx, &title, alert.as_ref(), body))
}

pub fn review_form(ctx: &Ctx, a: &Appraisal) -> Markup {
    let t = ctx.t;
    html! {
        form.card.review method="post" action={ "/appraisals/" (a.id) "/review" } {
            (csrf(ctx))
            label { (t.review_comment)
                textarea name="comment" rows="2" maxlength=(COMMENT_MAX) { (a.supervisor_comment.as_deref().unwrap_or("")) }
            }
            @if a.state == AppraisalState::Reviewed {
                button type="submit" { (t.update_review) }
            } @else {
                button.primary type="submit" { (t.mark_reviewed) }
            }
        }
    }
}

/// Fields an event changed, each as "label: before → after" in the reader's words (states,
/// roles and yes/no as the pages name them); fields without a label in the catalog, and
/// nested values, are left out.
/// What an audit trail names by id: people and departments.
struct Labels<'a> {
    people: &'a HashMap<i32, String>,
    departments: &'a HashMap<i32, String>,
}

fn changes_list(t: &Texts, e: &AuditEvent, names: &Labels) -> Markup {
    let changed: Vec<(String, String, String)> =
        changed_fields(e.before_json.as_deref(), e.after_json.as_deref())
            .into_iter()
            .filter_map(|(field, before, after)| {
                let label = i18n::exact(t.lang, &format!("field-{field}"), Vec::new())?;
                let word = |v: &serde_json::Value| audit_value(t, &e.entity, &field, v, names);
                Some((label, word(&before), word(&after)))
            })
            .collect();
    html! {
        @if changed.is_empty() { "—" }
        @else {
            ul.changes { @for (label, before, after) in &changed {
                li { (label) ": " (before) " → " (after) }
            } }
        }
    }
}

/// One value of an audit event as the pages say it: a person by name (not their id), grade
/// bands as "A ≥ 90 · B ≥ 75 · C ≥ 0", states, roles and yes/no in the reader's words.
fn audit_value(
    t: &Texts,
    entity: &str,
    field: &str,
    value: &serde_json::Value,
    names: &Labels,
) -> String {
    use serde_json::Value;
    let named = |map: &HashMap<i32, String>, n: &serde_json::Number| {
        n.as_i64()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(|id| map.get(&id).cloned())
            .unwrap_or_else(|| format!("#{n}"))
    };
    match value {
        Value::Null => "—".to_owned(),
        Value::Number(n) if PERSON_FIELDS.contains(&field) => named(names.people, n),
        Value::Number(n) if field == "department_id" => named(names.departments, n),
        Value::Array(bands) if field == "grade_bands" => bands
            .iter()
            .map(|b| {
                format!(
                    "{} ≥ {}",
                    b["grade"].as_str().unwrap_or("?"),
                    b["min_total"]
                )
            })
            .collect::<Vec<_>>()
            .join(" · "),
        Value::Array(items) => items.len().to_string(),
        Value::Bool(b) => (if *b { t.yes } else { t.no }).to_owned(),
        Value::String(s) => {
            let word = match (entity, field) {
                ("appraisal", "state") => {
                    AppraisalState::parse(s).ok().map(|x| t.appraisal_state(x))
                }
                ("cycle", "state") => CycleState::parse(s).ok().map(|x| t.cycle_state(x)),
                ("cycle", "series") if s == crate::domain::cycle::DEFAULT_SERIES => {
                    Some(t.series_main)
                }
                ("appeal", "state") => crate::domain::appraisal::AppealState::parse(s)
                    .ok()
                    .map(|x| t.appeal_state(x)),
                (_, "role") => Role::parse(s).ok().map(|r| t.role(r)),
                (_, "locale") => match s.as_str() {
                    "zh-CN" => Some("中文"),
                    "en" => Some("English"),
                    _ => None,
                },
                _ => None,
            };
            word.map_or_else(|| s.chars().take(80).collect(), str::to_owned)
        }
        other => other.to_string(),
    }
}

fn audit_table(ctx: &Ctx, events: &[AuditEvent], names: &Labels) -> Markup {
    let t = ctx.t;
    html! {
        // Focusable: on a phone the table scrolls sideways, by keyboard too.
        table.audit #audit tabindex="0" {
            thead { tr { th { (t.when) } th { (t.who) } th { (t.action) } th { (t.change) } } }
            tbody {
                @for e in events {
                    tr {
                        td { (ctx.time.local(e.at).format("%Y-%m-%d %H:%M:%S")) }
                        td { (e.actor_id.and_then(|id| names.people.get(&id).cloned()).unwrap_or_else(|| t.system.to_owned())) }
                        td { (i18n::audit_event(t.lang, &e.entity, &e.action)) }
                        td { (changes_list(t, e, names)) }
                    }
                }
            }
        }
    }
}

pub async fn acknowledge(
    ctx: Ctx,
    app: web::Data<App>,
    origin: web::Data<crate::web::PublicOrigin>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    // Acknowledging ends the right to appeal: said first, on a page of its own.
    if form.text("confirm") != "yes" {
        let ctx = ctx.at("/me");
        let t = ctx.t;
        let body = html! {
            section.card #confirm {
                p #confirm-what { (t.confirm_acknowledge_note) }
                form.inline method="post" action={ "/appraisals/" (id) "/acknowledge" } {
                    (csrf(&ctx))
                    input type="hidden" name="confirm" value="yes";
                    button.primary #confirm-acknowledge type="submit" { (t.acknowledge) }
                }
                " "
                a.button #cancel href="/me" { (t.cancel) }
            }
        };
        return Ok(answer(&ctx, t.confirm_title, None, body));
    }
    let outcome = app.acknowledge(ctx.caller()?, id).await;
    after_form(
        ctx,
        outcome.map(|_| "/me?ok=acknowledged".to_owned()),
        |ctx, alert| render_my_rating(ctx, Shown { app, origin }, Some(alert)),
    )
    .await
}

pub async fn appeal(
    ctx: Ctx,
    app: web::Data<App>,
    origin: web::Data<crate::web::PublicOrigin>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let input = NewAppeal {
        reason: form.text("reason").to_owned(),
    };
    let outcome = app.appeal(ctx.caller()?, id, input).await;
    // A refusal comes back above the form it belongs to: on /me for the latest appraisal,
    // on the appraisal's own page for an earlier one.
    let on_me = form.get("from") == Some("me");
    after_form(
        ctx,
        outcome.map(|_| "/me?ok=appealed".to_owned()),
        |ctx, alert| async move {
            if on_me {
                render_my_rating(ctx, Shown { app, origin }, Some(alert)).await
            } else {
                render_appraisal(ctx, app, id, Some(alert)).await
            }
        },
    )
    .await
}

/// One inspection, for whoever may see its employee's data.
pub async fn inspection(
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let (detail, names) = app.inspection(ctx.caller()?, id.into_inner()).await?;
    let t = ctx.t;
    let body = html! {
        p.meta { (t.employee) ": " strong { (names.get(&detail.employee_id).map_or("", String::as_str)) } }
        (inspection_card(&ctx, &detail, names.get(&detail.inspector_id)))
        p.note { (t.critical_rule) }
    };
    Ok(html_response(
        StatusCode::OK,
        page(&ctx, t.inspection, None, body),
    ))
}
