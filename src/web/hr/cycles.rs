//! The cycles: the list with the form for a new one, moving a cycle on, and computing it.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::cycle_page::render_cycle;
use crate::app::cycles::{CyclePatch, NewCycle};
use crate::app::App;
use crate::auth::Hr;
use crate::db::Db;
use crate::db::DbConn;
use crate::domain::cycle::{CycleState, CYCLE_NAME_MAX, DEFAULT_SERIES, SERIES_MAX};
use crate::error::{AppError, FieldErrors};
use crate::store::appeals;
use crate::store::cycles;
use crate::store::notices::{self, NoticeFilter, NoticeStatus};
use crate::store::{appraisals, inspections, users, Page};
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
    let today = ctx.time.today();
    let me = ctx.me()?.clone();
    let (mut all, todo) = db
        .run(move |conn| {
            let all = cycles::all(conn)?;
            let todo = to_do(conn, &me, &all, today)?;
            Ok((all, todo))
        })
        .await?;
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

/// How many people a to-do names; the rest are counted ("and 1,234 more"): at the start of
/// a cycle of a large company everyone lacks inspections, and the page stays small.
const NAMED_AT_MOST: usize = 100;

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

/// Someone a to-do names: an id to link to (the person or their appraisal), their name and
/// employee number.
struct Person {
    id: i32,
    name: String,
    number: Option<String>,
}

/// The people behind a count: the first [`NAMED_AT_MOST`] in order, and how many in all.
#[derive(Default)]
struct Named {
    first: Vec<Person>,
    total: usize,
}

/// A person's place in a to-do's order, the id to link to, their name and number.
type Placed<'a> = ((bool, String), i32, &'a String, &'a Option<String>);

/// People named by `ids` (with the id to link to), in the order a Chinese office reads a
/// list: by employee number, then those without one by the pinyin of their name; the first
/// [`NAMED_AT_MOST`] of them.
fn named(
    labels: &std::collections::HashMap<i32, (String, Option<String>)>,
    ids: impl Iterator<Item = (i32, i32)>,
) -> Named {
    // Each person's place in the order: their number, else (after everyone with one) the
    // pinyin of their name, worked out only for them.
    let mut keyed: Vec<Placed> = ids
        .filter_map(|(link, person)| {
            labels.get(&person).map(|(name, number)| {
                let key = match number {
                    Some(n) => (false, n.clone()),
                    None => (true, crate::domain::text::name_order(name)),
                };
                (key, link, name, number)
            })
        })
        .collect();
    let total = keyed.len();
    // Only the first ones are shown: put them first, then in order.
    if keyed.len() > NAMED_AT_MOST {
        keyed.select_nth_unstable_by(NAMED_AT_MOST, |a, b| a.0.cmp(&b.0));
        keyed.truncate(NAMED_AT_MOST);
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Named {
        total,
        first: keyed
            .into_iter()
            .map(|(_, id, name, number)| Person {
                id,
                name: name.clone(),
                number: number.clone(),
            })
            .collect(),
    }
}

/// What needs HR's hand, each with where it is fixed.
struct ToDo {
    open_appeals: i64,
    failed_notices: i64,
    cycles: Vec<CycleToDo>,
}

struct CycleToDo {
    id: i32,
    name: String,
    state: CycleState,
    days_left: i64,
    lacking_inspections: usize,
    /// Who they are, by employee number then name.
    lacking: Named,
    /// The drafts not yet reviewed (linked by appraisal).
    drafts: Named,
    uncomputed: i64,
    unreviewed: i64,
    /// Drafts of people without a manager: HR's own to review.
    hr_reviews: i64,
    stale: i64,
}

impl ToDo {
    fn is_empty(&self) -> bool {
        self.open_appeals == 0 && self.failed_notices == 0 && self.cycles.is_empty()
    }
}

fn to_do(
    conn: &mut DbConn,
    me: &crate::store::users::User,
    all: &[cycles::Cycle],
    today: chrono::NaiveDate,
) -> Result<ToDo, AppError> {
    let one = Page {
        limit: 1,
        offset: 0,
    };
    let open_appeals =
        appeals::list(conn, Some(crate::domain::appraisal::AppealState::Open), one)?.total;
    let failed = NoticeFilter {
        status: Some(NoticeStatus::Failed),
        kind: None,
        newest_first: false,
    };
    let failed_notices = notices::list(conn, &failed, one)?.total;
    let mut todo = Vec::new();
    let appraised = users::appraised_ids(conn)?;
    let reviewed_by_hr = users::reviewed_by_hr_ids(conn)?;
    let mut labels = None;
    for c in all {
        match c.state {
            CycleState::Open => {
                let minimum = c.inspections_needed()?;
                let counts = inspections::count_by_employee(conn, c.id)?;
                let lacking: Vec<i32> = appraised
                    .iter()
                    .copied()
                    .filter(|id| counts.get(id).copied().unwrap_or(0) < i64::from(minimum))
                    .collect();
                let named_lacking = if lacking.is_empty() {
                    Named::default()
                } else {
                    let labels = match &labels {
                        Some(l) => l,
                        None => labels.insert(users::labels(conn, me)?),
                    };
                    named(labels, lacking.iter().map(|&id| (id, id)))
                };
                todo.push(CycleToDo {
                    id: c.id,
                    name: c.name.clone(),
                    state: c.state,
                    days_left: (c.period_end - today).num_days().max(0),
                    lacking_inspections: lacking.len(),
                    lacking: named_lacking,
                    drafts: Named::default(),
                    uncomputed: 0,
                    unreviewed: 0,
                    hr_reviews: 0,
                    stale: 0,
                });
            }
            CycleState::Review => todo.push(CycleToDo {
                id: c.id,
                name: c.name.clone(),
                state: c.state,
                days_left: 0,
                lacking_inspections: 0,
                lacking: Named::default(),
                drafts: {
                    let drafts = appraisals::draft_ids(conn, c.id)?;
                    if drafts.is_empty() {
                        Named::default()
                    } else {
                        let labels = match &labels {
                            Some(l) => l,
                            None => labels.insert(users::labels(conn, me)?),
                        };
                        named(labels, drafts.into_iter())
                    }
                },
                uncomputed: appraisals::uncomputed(conn, c.id)?,
                unreviewed: appraisals::unreviewed(conn, c.id)?,
                hr_reviews: appraisals::drafts_among(conn, c.id, &reviewed_by_hr)?,
                stale: appraisals::stale(conn, c)?,
            }),
            _ => {}
        }
    }
    Ok(ToDo {
        open_appeals,
        failed_notices,
        cycles: todo,
    })
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
    // Opening mails everyone, publishing shows results to everyone, archiving ends the
    // cycle: each asks first, on a page of its own (no script needed).
    if let Ok(to) = CycleState::parse(form.text("state")) {
        if needs_confirmation(to) && form.text("confirm") != "yes" {
            return confirm_state(ctx, db, id, to).await;
        }
    }
    let outcome = app.move_cycle(ctx.caller()?, id, form.text("state")).await;
    after_form(
        ctx,
        outcome.map(|_| format!("/hr/cycles/{id}?ok=state_changed")),
        |ctx, alert| render_cycle(ctx, db, id, None, Some(alert)),
    )
    .await
}

/// The cycle's name, period and appeal window, as its state allows (the same use case as
/// `PATCH /cycles/{id}`; a field the state freezes is not sent by the form).
pub async fn edit_cycle(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    db: web::Data<Db>,
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
        |ctx, alert| render_cycle(ctx, db, id, None, Some(alert)),
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
    db: web::Data<Db>,
    id: i32,
    to: CycleState,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/hr/cycles/{id}"));
    let today = ctx.time.today();
    let (cycle, people, total, reviewed, stale, uncomputed, lacking) = db
        .run(move |conn| {
            let cycle = cycles::get(conn, id)?;
            let appraised = users::appraised_ids(conn)?;
            let total = appraisals::count_for_cycle(conn, id)?;
            let unreviewed = appraisals::unreviewed(conn, id)?;
            let stale = appraisals::stale(conn, &cycle)?;
            let uncomputed = appraisals::uncomputed(conn, id)?;
            let minimum = cycle.inspections_needed()?;
            let counts = inspections::count_by_employee(conn, id)?;
            let lacking = appraised
                .iter()
                .filter(|p| counts.get(p).copied().unwrap_or(0) < i64::from(minimum))
                .count();
            Ok((
                cycle,
                appraised.len(),
                total,
                total - unreviewed,
                stale,
                uncomputed,
                lacking,
            ))
        })
        .await?;
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
    db: web::Data<Db>,
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
            render_cycle(ctx, db, id, None, Some(Alert::Note(note))).await
        }
        Err(error) => {
            let alert = recoverable(ctx.t, error)?;
            render_cycle(ctx, db, id, None, Some(alert)).await
        }
    }
}
