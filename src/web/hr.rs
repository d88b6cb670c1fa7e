//! HR's pages: cycles (create, scheme, state, compute, CSV upload), the cycle report,
//! departments and people, checklists, appeals and notice delivery. Every handler takes the
//! `Hr` extractor, as the API's do, and calls the same store functions.

use std::collections::{BTreeMap, HashMap};

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use maud::{html, Markup};

use super::chart;
use super::layout::{
    after_form, answer, button_form, csrf, html_response, page, recoverable, score, Alert,
};
use super::session::{check_csrf, Ctx, Fields, CSRF_FIELD};
use super::staff::{
    appeal_state_label, appraisal_state_label, component_name, cycle_state_label,
    departments_by_id, DepartmentChoice, ALL,
};
use crate::auth::{password, Hr};
use crate::bulk;
use crate::db::Db;
use crate::domain::checklist::{ChecklistDraft, ItemInput};
use crate::domain::cycle::{parse_appeal_window, parse_date, CycleState, Period, CYCLE_NAME_MAX};
use crate::domain::department::{parse_department_name, DepartmentKind};
use crate::domain::evidence::COMMENT_MAX;
use crate::domain::scheme::{
    DepartmentOverrideInput, GradeBandInput, MinEvidenceInput, Problems, Scheme, SchemeInput,
    WeightsInput,
};
use crate::domain::text::line;
use crate::domain::user::{parse_display_name, Email, Locale, NewPassword, Role};
use crate::error::{AppError, FieldErrors};
use crate::store::appeals::{self, Decision};
use crate::store::appraisals;
use crate::store::checklists;
use crate::store::cycles::{self, Cycle};
use crate::store::departments::{self, Department};
use crate::store::evidence::{self, ImportOutcome};
use crate::store::notices::{self, NoticeFilter};
use crate::store::users::{self, NewUser, UserChanges, UserFilter};
use crate::store::Page;

fn invalid(problems: Problems) -> AppError {
    let mut errors = FieldErrors::new();
    for (field, reason) in problems {
        errors.add(&field, reason);
    }
    AppError::Validation(errors)
}

// ---------------------------------------------------------------------------------------
// Cycles

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
                        td { (cycle_state_label(t, &c.state)) }
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
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", line(form.text("name"), CYCLE_NAME_MAX));
    let start = errors.take("period_start", parse_date(form.text("period_start")));
    let end = errors.take("period_end", parse_date(form.text("period_end")));
    let period = match (start, end) {
        (Some(s), Some(e)) => errors.take("period_end", Period::new(s, e)),
        _ => None,
    };
    let window = match form.text("appeal_window_days").trim() {
        "" => Some(crate::domain::cycle::DEFAULT_APPEAL_WINDOW_DAYS),
        days => match days.parse::<i64>() {
            Ok(days) => errors.take("appeal_window_days", parse_appeal_window(days)),
            Err(_) => {
                errors.add("appeal_window_days", "must be a whole number of days");
                None
            }
        },
    };
    let actor = hr.id();
    let outcome = match errors.into_result() {
        Ok(()) => {
            let (name, period, window) = (
                name.expect("checked"),
                period.expect("checked"),
                window.expect("checked"),
            );
            db.run(move |conn| cycles::create(conn, actor, &name, period, window))
                .await
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

struct CyclePage {
    cycle: Cycle,
    scheme: Option<Scheme>,
    departments: Vec<Department>,
    computed: i64,
    uncomputed: i64,
    stale: i64,
}

pub async fn cycle(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_cycle(ctx, db, id.into_inner(), None, alert).await
}

/// The form's values: what was sent (after a refusal) or what is stored.
struct SchemeValues<'a> {
    sent: Option<&'a Fields>,
    stored: Option<&'a Scheme>,
}

impl SchemeValues<'_> {
    fn get(
        &self,
        name: &str,
        stored: impl FnOnce(&Scheme) -> Option<String>,
        default: &str,
    ) -> String {
        match self.sent {
            Some(form) => form.text(name).to_owned(),
            None => self
                .stored
                .and_then(stored)
                .unwrap_or_else(|| default.to_owned()),
        }
    }
}

const WEIGHT_NAMES: [&str; 4] = ["sales", "satisfaction", "etiquette", "collaboration"];
const BAND_ROWS: usize = 6;

fn weight_of(w: &crate::domain::scheme::Weights, name: &str) -> i32 {
    match name {
        "sales" => w.sales,
        "satisfaction" => w.satisfaction,
        "etiquette" => w.etiquette,
        _ => w.collaboration,
    }
}

fn scheme_form(
    ctx: &Ctx,
    cycle: &Cycle,
    departments: &[Department],
    values: &SchemeValues,
) -> Markup {
    let t = ctx.t;
    let default_bands = [("A", "90"), ("B", "75"), ("C", "60"), ("D", "0")];
    let weights: Vec<(&str, String)> = WEIGHT_NAMES
        .iter()
        .map(|n| {
            (
                *n,
                values.get(
                    &format!("w_{n}"),
                    |s| Some(weight_of(&s.weights, n).to_string()),
                    "25",
                ),
            )
        })
        .collect();
    let sum: i64 = weights
        .iter()
        .filter_map(|(_, v)| v.trim().parse::<i64>().ok())
        .sum();
    html! {
        form.card #scheme-form method="post" action={ "/hr/cycles/" (cycle.id) "/scheme" } {
            (csrf(ctx))
            fieldset.weights {
                legend { (t.weights) }
                @for (name, value) in &weights {
                    label { (component_name(t, name)) " (%)"
                        input.weight type="number" name={ "w_" (name) } id={ "w-" (name) } min="0" max="100" step="1" required value=(value);
                    }
                }
                p.sum { (t.weight_sum) ": " output #weight-sum class=(if sum == 100 { "ok" } else { "bad" }) data-must=(t.weights_must_sum) { (sum) }
                    " / 100" }
            }
            fieldset {
                legend { (t.evidence_rules) }
                label { (t.full_marks_at)
                    input type="number" name="full_marks_at" min="1" max="1000" value=(values.get("full_marks_at", |s| Some(s.full_marks_at.to_string()), "100")); }
                label { (t.min_satisfaction)
                    input type="number" name="min_satisfaction" min="1" max="1000" value=(values.get("min_satisfaction", |s| Some(s.min_evidence.satisfaction.to_string()), "5")); }
                label { (t.min_etiquette)
                    input type="number" name="min_etiquette" min="1" max="1000" value=(values.get("min_etiquette", |s| Some(s.min_evidence.etiquette.to_string()), "1")); }
                label { (t.min_collaboration)
                    input type="number" name="min_collaboration" min="1" max="1000" value=(values.get("min_collaboration", |s| Some(s.min_evidence.collaboration.to_string()), "3")); }
            }
            fieldset.bands {
                legend { (t.grade_bands) }
                @for i in 0..BAND_ROWS {
                    @let default = default_bands.get(i).copied().unwrap_or(("", ""));
                    div.row {
                        input type="text" name={ "band_grade_" (i) } maxlength="20" aria-label=(t.grade)
                            value=(values.get(&format!("band_grade_{i}"), |s| s.grade_bands.get(i).map(|b| b.grade.clone()).or(Some(String::new())), default.0));
                        " ≥ "
                        input type="number" name={ "band_min_" (i) } min="0" max="100" aria-label=(t.min_total)
                            value=(values.get(&format!("band_min_{i}"), |s| s.grade_bands.get(i).map(|b| b.min_total.to_string()).or(Some(String::new())), default.1));
                    }
                }
                p.note { (t.bands_note) }
            }
            details.overrides {
                summary { (t.department_overrides) }
                p.note { (t.overrides_note) }
                table {
                    thead { tr { th { (t.department) } @for n in WEIGHT_NAMES { th { (component_name(t, n)) } } } }
                    tbody {
                        @for d in departments {
                            @let over = values.stored.and_then(|s| s.department_overrides.iter().find(|o| o.department_id == d.id));
                            tr {
                                td { (d.name) }
                                @for n in WEIGHT_NAMES {
                                    td { input type="number" min="0" max="100" name={ "o_" (d.id) "_" (n) } aria-label=(n)
                                        value=(values.get(&format!("o_{}_{n}", d.id), |_| Some(over.map_or(String::new(), |o| weight_of(&o.weights, n).to_string())), "")); }
                                }
                            }
                        }
                    }
                }
            }
            button.primary #save-scheme type="submit" { (t.save_scheme) }
        }
    }
}

fn next_state(state: CycleState) -> Option<(&'static str, CycleState)> {
    match state {
        CycleState::Draft => Some(("open", CycleState::Open)),
        CycleState::Open => Some(("review", CycleState::Review)),
        CycleState::Review => Some(("published", CycleState::Published)),
        CycleState::Published => Some(("archived", CycleState::Archived)),
        CycleState::Archived => None,
    }
}

async fn render_cycle(
    ctx: Ctx,
    db: web::Data<Db>,
    id: i32,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/hr/cycles/{id}"));
    let data = db
        .run(move |conn| {
            let cycle = cycles::get(conn, id)?;
            let uncomputed = appraisals::uncomputed(conn, id)?;
            let computed = appraisals::count_for_cycle(conn, id)?;
            let stale = appraisals::stale(conn, &cycle)?;
            Ok(CyclePage {
                stale,
                scheme: cycle.scheme()?,
                departments: departments::list(conn, ALL)?.items,
                cycle,
                computed,
                uncomputed,
            })
        })
        .await?;
    let t = ctx.t;
    let c = &data.cycle;
    let state = c.state();
    let values = SchemeValues {
        sent,
        stored: data.scheme.as_ref(),
    };
    let body = html! {
        p.meta { (c.period_start) " – " (c.period_end) " · " (t.status) ": " strong #cycle-state { (cycle_state_label(t, &c.state)) }
            " · " (t.appeal_window_days) ": " (c.appeal_window_days) }
        section.card.actions #cycle-actions {
            @if let Some((target, _)) = next_state(state) {
                form.inline method="post" action={ "/hr/cycles/" (c.id) "/state" } {
                    (csrf(&ctx))
                    input type="hidden" name="state" value=(target);
                    button.primary #next-state type="submit" data-state=(target) { (t.move_to(target)) }
                }
            }
            @if state == CycleState::Review {
                (button_form(&ctx, &format!("/hr/cycles/{}/compute", c.id), t.compute, "primary compute"))
            }
            a.button href={ "/hr/cycles/" (c.id) "/report" } { (t.report) }
            p.note { (t.computed_count) ": " (data.computed) " · " (t.uncomputed_count) ": " (data.uncomputed) }
            @if data.stale > 0 {
                p.alert.problem #stale-appraisals role="status" { (t.stale_count) ": " strong { (data.stale) } " · " (t.stale_note) }
            }
        }
        h2 { (t.scheme) }
        @if state == CycleState::Draft || state == CycleState::Open || state == CycleState::Review {
            (scheme_form(&ctx, c, &data.departments, &values))
        } @else if let Some(s) = &data.scheme {
            p { @for n in WEIGHT_NAMES { (component_name(t, n)) " " (weight_of(&s.weights, n)) "% · " } }
        }
        h2 { (t.upload_evidence) }
        form.card #upload-form method="post" action={ "/hr/cycles/" (c.id) "/import" } enctype="multipart/form-data" {
            (csrf(&ctx))
            label { (t.kind)
                select #upload-kind name="kind" {
                    option value="sales-targets" { (t.sales_targets) }
                    option value="sales-records" { (t.sales_records) }
                    option value="satisfaction-responses" { (t.satisfaction_responses) }
                }
            }
            label { (t.csv_file) input #upload-file type="file" name="file" accept=".csv,text/csv" required; }
            ul.note {
                li { (t.sales_targets) ": " code { "employee_id,cycle_id,target" } }
                li { (t.sales_records) ": " code { "employee_id,occurred_on,amount,external_ref" } }
                li { (t.satisfaction_responses) ": " code { "employee_id,occurred_on,rating,channel,external_ref" } }
            }
            p.note { (t.upload_note) " " (t.this_cycle_id) ": " code { (c.id) } }
            button.primary #upload-button type="submit" { (t.upload) }
        }
    };
    let title = format!("{} — {}", t.cycle, c.name);
    Ok(answer(&ctx, &title, alert.as_ref(), body))
}

pub async fn save_scheme(
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let departments = db
        .run(|conn| Ok(departments::list(conn, ALL)?.items))
        .await?;
    let outcome = match scheme_input(&form, &departments)
        .and_then(|input| Scheme::parse(&input).map_err(invalid))
    {
        Ok(scheme) => {
            let actor = hr.id();
            db.run(move |conn| cycles::set_scheme(conn, actor, id, &scheme))
                .await
                .map(|_| ())
        }
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| format!("/hr/cycles/{id}?ok=scheme_saved")),
        |ctx, alert| render_cycle(ctx, db, id, Some(&form), Some(alert)),
    )
    .await
}

/// The scheme form as the API's scheme body; `Scheme::parse` then applies the rules.
fn scheme_input(form: &Fields, departments: &[Department]) -> Result<SchemeInput, AppError> {
    let mut errors = FieldErrors::new();
    let mut number = |name: &str, field: &str| -> Option<i64> {
        match form.text(name).trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.add(field, "must be a whole number");
                    None
                }
            },
        }
    };
    let weights = |number: &mut dyn FnMut(&str, &str) -> Option<i64>, prefix: &str, field: &str| {
        let [s, sa, e, c] =
            WEIGHT_NAMES.map(|n| number(&format!("{prefix}{n}"), &format!("{field}.{n}")));
        (s, sa, e, c)
    };
    let (s, sa, e, c) = weights(&mut number, "w_", "weights");
    let weights_input = WeightsInput {
        sales: s.unwrap_or(0),
        satisfaction: sa.unwrap_or(0),
        etiquette: e.unwrap_or(0),
        collaboration: c.unwrap_or(0),
    };
    let full_marks_at = number("full_marks_at", "full_marks_at");
    let min_evidence = MinEvidenceInput {
        satisfaction: number("min_satisfaction", "min_evidence.satisfaction"),
        etiquette: number("min_etiquette", "min_evidence.etiquette"),
        collaboration: number("min_collaboration", "min_evidence.collaboration"),
    };
    let mut grade_bands = Vec::new();
    for i in 0..BAND_ROWS {
        let grade = form.text(&format!("band_grade_{i}")).trim().to_owned();
        let min = number(
            &format!("band_min_{i}"),
            &format!("grade_bands[{}].min_total", grade_bands.len()),
        );
        match (grade.is_empty(), min) {
            (true, None) => {}
            (_, min) => grade_bands.push(GradeBandInput {
                grade,
                min_total: min.unwrap_or(-1),
            }),
        }
    }
    let mut department_overrides = Vec::new();
    for d in departments {
        let (s, sa, e, c) = weights(
            &mut number,
            &format!("o_{}_", d.id),
            &format!("department_overrides[{}]", d.name),
        );
        if [s, sa, e, c].iter().any(Option::is_some) {
            department_overrides.push(DepartmentOverrideInput {
                department_id: i64::from(d.id),
                weights: WeightsInput {
                    sales: s.unwrap_or(0),
                    satisfaction: sa.unwrap_or(0),
                    etiquette: e.unwrap_or(0),
                    collaboration: c.unwrap_or(0),
                },
            });
        }
    }
    errors.into_result()?;
    Ok(SchemeInput {
        weights: weights_input,
        full_marks_at,
        min_evidence,
        grade_bands,
        department_overrides,
    })
}

pub async fn change_state(
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = match CycleState::parse(form.text("state")) {
        Ok(to) => {
            let actor = hr.id();
            db.run(move |conn| cycles::transition(conn, actor, id, to))
                .await
                .map(|_| ())
        }
        Err(reason) => Err(AppError::validation("state", reason)),
    };
    after_form(
        ctx,
        outcome.map(|()| format!("/hr/cycles/{id}?ok=state_changed")),
        |ctx, alert| render_cycle(ctx, db, id, None, Some(alert)),
    )
    .await
}

pub async fn compute(
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    id: web::Path<i32>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (hr.id(), id.into_inner());
    match db
        .run(move |conn| appraisals::compute(conn, actor, id))
        .await
    {
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

/// The upload form: its CSRF token, the kind of evidence and the file, read with limits.
async fn read_upload(
    req: &HttpRequest,
    mut parts: Multipart,
) -> Result<(String, Vec<u8>), AppError> {
    let unreadable = || AppError::BadRequest("the upload could not be read".into());
    let (mut token, mut kind, mut file) = (None, None, None);
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| unreadable())?;
        let name = part.name().unwrap_or("").to_owned();
        let limit = if name == "file" {
            bulk::IMPORT_BODY_LIMIT
        } else {
            1024
        };
        let bytes = part
            .bytes(limit)
            .await
            .map_err(|_| AppError::PayloadTooLarge)?
            .map_err(|_| unreadable())?;
        match name.as_str() {
            CSRF_FIELD => token = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "kind" => kind = Some(String::from_utf8_lossy(&bytes).into_owned()),
            "file" => file = Some(bytes.to_vec()),
            _ => {}
        }
    }
    check_csrf(req, token.as_deref())?;
    let kind = kind.ok_or_else(|| AppError::validation("kind", "choose what the file holds"))?;
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::validation("file", "choose a CSV file"))?;
    Ok((kind, file))
}

fn import_rows(
    conn: &mut crate::db::DbConn,
    actor: i32,
    kind: &str,
    rows: &[bulk::Row],
    today: chrono::NaiveDate,
) -> Result<ImportOutcome, AppError> {
    match kind {
        "sales-targets" => evidence::import_targets(conn, actor, &bulk::targets(rows)?),
        "sales-records" => evidence::import_sales(conn, actor, &bulk::sales(rows)?, today),
        "satisfaction-responses" => {
            evidence::import_satisfaction(conn, actor, &bulk::satisfaction(rows)?, today)
        }
        _ => Err(AppError::validation(
            "kind",
            "must be sales-targets, sales-records or satisfaction-responses",
        )),
    }
}

/// CSV upload of targets, sales or satisfaction: all rows or none, with the per-row report.
pub async fn import(
    hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    db: web::Data<Db>,
    time: web::Data<crate::domain::clock::CompanyTime>,
    id: web::Path<i32>,
    parts: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let (actor, today) = (hr.id(), time.today());
    let outcome = match read_upload(&req, parts).await {
        Ok((kind, file)) => match bulk::rows_from_csv(&file) {
            Ok(rows) if rows.is_empty() => Err(AppError::validation("file", "contains no rows")),
            Ok(rows) => {
                db.run(move |conn| import_rows(conn, actor, &kind, &rows, today))
                    .await
            }
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    let alert = match outcome {
        Ok(o) => Alert::Note(format!(
            "{} — {}: {} · {}: {} · {}: {} · {}: {}",
            ctx.t.imported,
            ctx.t.received,
            o.received,
            ctx.t.inserted,
            o.inserted,
            ctx.t.updated,
            o.updated,
            ctx.t.unchanged,
            o.unchanged
        )),
        Err(AppError::Forbidden) => return Err(AppError::Forbidden),
        Err(error) => recoverable(ctx.t, error)?,
    };
    render_cycle(ctx, db, id, None, Some(alert)).await
}

// ---------------------------------------------------------------------------------------
// Report

pub async fn report(
    _hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    id: web::Path<i32>,
    query: web::Query<DepartmentChoice>,
) -> Result<HttpResponse, AppError> {
    let (id, department) = (id.into_inner(), query.department_id);
    let me = ctx.me()?.clone();
    let (cycle, report, departments, list, names) = db
        .run(move |conn| {
            let cycle = cycles::get(conn, id)?;
            let report = appraisals::report(conn, id)?;
            let departments = departments_by_id(departments::list(conn, ALL)?.items);
            let list = match department {
                Some(d) => appraisals::list_for_cycle(conn, &me, id, Some(d))?,
                None => Vec::new(),
            };
            let ids: Vec<i32> = list.iter().map(|a| a.employee_id).collect();
            let names = users::names(conn, &ids)?;
            Ok((cycle, report, departments, list, names))
        })
        .await?;
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
        p.meta { a href={ "/hr/cycles/" (cycle.id) } { (cycle.name) } " · " (cycle_state_label(t, &cycle.state)) }
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
                            td { (appraisal_state_label(t, &a.state)) }
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

// ---------------------------------------------------------------------------------------
// Departments and people

#[derive(serde::Deserialize)]
pub struct PeopleQuery {
    department_id: Option<i32>,
    offset: Option<i64>,
}

const PEOPLE_PAGE: i64 = 200;

pub async fn people(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    db: web::Data<Db>,
    query: web::Query<PeopleQuery>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_people(
        ctx,
        db,
        query.department_id,
        query.offset.unwrap_or(0).max(0),
        None,
        alert,
    )
    .await
}

async fn render_people(
    ctx: Ctx,
    db: web::Data<Db>,
    department: Option<i32>,
    offset: i64,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr/people");
    let (departments, people, total, leads) = db
        .run(move |conn| {
            let departments = departments::list(conn, ALL)?.items;
            let filter = UserFilter {
                department_id: department,
                ..UserFilter::default()
            };
            let page = Page {
                limit: PEOPLE_PAGE,
                offset,
            };
            let people = users::list(conn, filter, page)?;
            let leads = |role| UserFilter {
                role: Some(role),
                active: Some(true),
                ..UserFilter::default()
            };
            let mut managers = users::list(conn, leads(Role::Supervisor), ALL)?.items;
            managers.extend(users::list(conn, leads(Role::Hr), ALL)?.items);
            Ok((departments, people.items, people.total, managers))
        })
        .await?;
    let t = ctx.t;
    let names: HashMap<i32, &str> = departments
        .iter()
        .map(|d| (d.id, d.name.as_str()))
        .collect();
    let managers: HashMap<i32, &str> = leads
        .iter()
        .map(|u| (u.id, u.display_name.as_str()))
        .collect();
    let value = |name: &str| sent.and_then(|f| f.get(name)).unwrap_or("").to_owned();
    let body = html! {
        h2 { (t.departments) }
        table #departments {
            thead { tr { th { (t.name) } th { (t.kind) } } }
            tbody { @for d in &departments { tr {
                td { a href={ "/hr/people?department_id=" (d.id) } { (d.name) } }
                td { (if d.kind == "front_line" { t.front_line } else { t.back_office }) }
            } } }
        }
        form.card.grid #new-department method="post" action="/hr/departments" {
            (csrf(&ctx))
            label { (t.name) input type="text" name="department_name" required value=(value("department_name")); }
            label { (t.kind) select name="kind" { option value="front_line" { (t.front_line) } option value="back_office" { (t.back_office) } } }
            button type="submit" { (t.add_department) }
        }
        h2 { (t.people) " (" (total) ")" }
        table #people {
            thead { tr { th { (t.name) } th { (t.email) } th { (t.role_label) } th { (t.department) } th { (t.manager) } th { (t.active) } } }
            tbody { @for u in &people { tr class=(if u.active { "" } else { "inactive" }) {
                td { (u.display_name) } td { (u.email) } td { (t.role(&u.role)) }
                td { (names.get(&u.department_id).copied().unwrap_or("?")) }
                td { (u.manager_id.and_then(|m| managers.get(&m).copied()).unwrap_or("—")) }
                td {
                    @if u.active { "✓ " } @else { "— " }
                    form.inline method="post" action={ "/hr/people/" (u.id) "/active" } {
                        (csrf(&ctx))
                        input type="hidden" name="active" value=(if u.active { "false" } else { "true" });
                        button type="submit" { (if u.active { t.deactivate } else { t.reactivate }) }
                    }
                }
            } } }
        }
        @if total > offset + PEOPLE_PAGE {
            p { a href={ "/hr/people?offset=" (offset + PEOPLE_PAGE) (department.map_or(String::new(), |d| format!("&department_id={d}"))) } { (t.more) } }
        }
        h2 { (t.add_person) }
        form.card.grid #new-person method="post" action="/hr/people" {
            (csrf(&ctx))
            label { (t.name) input type="text" name="display_name" required value=(value("display_name")); }
            label { (t.email) input type="email" name="email" required value=(value("email")); }
            label { (t.role_label) select name="role" {
                @for r in ["staff", "supervisor", "hr"] { option value=(r) selected[value("role") == r] { (t.role(r)) } }
            } }
            label { (t.department) select name="department_id" {
                @for d in &departments { option value=(d.id) selected[value("department_id") == d.id.to_string()] { (d.name) } }
            } }
            label { (t.manager) select name="manager_id" {
                option value="" { "—" }
                @for u in &leads { option value=(u.id) selected[value("manager_id") == u.id.to_string()] { (u.display_name) } }
            } }
            label { (t.language) select name="locale" {
                option value="zh-CN" selected[value("locale") == "zh-CN"] { "中文" }
                option value="en" selected[value("locale") == "en"] { "English" }
            } }
            label { (t.initial_password) input type="password" name="password" required autocomplete="new-password"; }
            button.primary type="submit" { (t.add_person) }
        }
    };
    Ok(answer(&ctx, t.nav_people, alert.as_ref(), body))
}

/// Deactivates (locked out at once, kept in history) or reactivates a person.
pub async fn set_active(
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (hr.id(), id.into_inner());
    let outcome = match form.text("active") {
        "true" | "false" => {
            let changes = UserChanges {
                active: Some(form.text("active") == "true"),
                ..UserChanges::default()
            };
            db.run(move |conn| users::change_person(conn, actor, id, changes))
                .await
                .map(|_| ())
        }
        _ => Err(AppError::validation("active", "must be true or false")),
    };
    after_form(
        ctx,
        outcome.map(|()| "/hr/people?ok=saved".to_owned()),
        |ctx, alert| render_people(ctx, db, None, 0, None, Some(alert)),
    )
    .await
}

pub async fn create_department(
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", parse_department_name(form.text("department_name")));
    let kind = errors.take("kind", DepartmentKind::parse(form.text("kind")));
    let actor = hr.id();
    let outcome = match errors.into_result() {
        Ok(()) => {
            let (name, kind) = (name.expect("checked"), kind.expect("checked"));
            db.run(move |conn| departments::create(conn, Some(actor), &name, kind))
                .await
                .map(|_| ())
        }
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| "/hr/people?ok=created".to_owned()),
        |ctx, alert| render_people(ctx, db, None, 0, Some(&form), Some(alert)),
    )
    .await
}

pub async fn create_person(
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let email = errors.take("email", Email::parse(form.text("email")));
    let display_name = errors.take(
        "display_name",
        parse_display_name(form.text("display_name")),
    );
    let role = errors.take("role", Role::parse(form.text("role")));
    let locale = errors.take("locale", Locale::parse(form.text("locale")));
    let password = errors.take("password", NewPassword::parse(form.text("password")));
    let department_id = form.text("department_id").parse::<i32>().ok();
    if department_id.is_none() {
        errors.add("department_id", "choose a department");
    }
    let manager_id = match form.text("manager_id") {
        "" => None,
        id => match id.parse::<i32>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("manager_id", "choose a supervisor");
                None
            }
        },
    };
    let actor = hr.id();
    let outcome = match errors.into_result() {
        Ok(()) => {
            let new = (email, display_name, role, locale, password, department_id);
            db.run(move |conn| {
                let (email, display_name, role, locale, password, department_id) = new;
                let user = NewUser {
                    email: email.expect("checked"),
                    display_name: display_name.expect("checked"),
                    role: role.expect("checked"),
                    department_id: department_id.expect("checked"),
                    manager_id,
                    locale: locale.expect("checked"),
                    password_hash: password::hash(password.expect("checked").expose())?,
                };
                users::create(conn, Some(actor), user)
            })
            .await
            .map(|_| ())
        }
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| "/hr/people?ok=created".to_owned()),
        |ctx, alert| render_people(ctx, db, None, 0, Some(&form), Some(alert)),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Checklists

const ITEM_ROWS: usize = 10;

pub async fn checklists(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_checklists(ctx, db, None, alert).await
}

async fn render_checklists(
    ctx: Ctx,
    db: web::Data<Db>,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr/checklists");
    let list = db
        .run(|conn| Ok(checklists::list(conn, false, ALL)?.items))
        .await?;
    let t = ctx.t;
    let value = |name: &str| sent.and_then(|f| f.get(name)).unwrap_or("").to_owned();
    let body = html! {
        @for c in &list {
            section.card.checklist {
                h3 { (c.checklist.name) " v" (c.checklist.version) }
                table.items { tbody { @for i in &c.items { tr {
                    td { (i.title) @if i.critical { " " span.critical { "★ " (t.critical) } } }
                    td.num { (i.max_points) }
                } } } }
            }
        }
        h2 { (t.new_checklist) }
        form.card #new-checklist method="post" action="/hr/checklists" {
            (csrf(&ctx))
            label { (t.name) input type="text" name="name" required value=(value("name")); }
            table.items {
                thead { tr { th { (t.item) } th { (t.max_points) } th { (t.critical) } } }
                tbody {
                    @for i in 0..ITEM_ROWS { tr {
                        td { input type="text" name={ "title_" (i) } aria-label=(t.item) value=(value(&format!("title_{i}"))); }
                        td { input type="number" name={ "max_" (i) } min="1" max="100" aria-label=(t.max_points) value=(value(&format!("max_{i}"))); }
                        td { input type="checkbox" name={ "critical_" (i) } aria-label=(t.critical) checked[sent.is_some_and(|f| f.checked(&format!("critical_{i}")))]; }
                    } }
                }
            }
            p.note { (t.checklist_note) }
            button.primary type="submit" { (t.create) }
        }
    };
    Ok(answer(&ctx, t.nav_checklists, alert.as_ref(), body))
}

pub async fn create_checklist(
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let mut items = Vec::new();
    let mut errors = FieldErrors::new();
    for i in 0..ITEM_ROWS {
        let title = form.text(&format!("title_{i}")).trim().to_owned();
        let max = form.text(&format!("max_{i}")).trim().to_owned();
        if title.is_empty() && max.is_empty() {
            continue;
        }
        let max_points = match max.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                errors.add(
                    &format!("items[{}].max_points", items.len()),
                    "must be a whole number",
                );
                0
            }
        };
        items.push(ItemInput {
            title,
            max_points,
            critical: form.checked(&format!("critical_{i}")),
        });
    }
    let actor = hr.id();
    let outcome = match errors
        .into_result()
        .and_then(|()| ChecklistDraft::parse(form.text("name"), &items).map_err(invalid))
    {
        Ok(draft) => db
            .run(move |conn| checklists::create(conn, actor, &draft))
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| "/hr/checklists?ok=created".to_owned()),
        |ctx, alert| render_checklists(ctx, db, Some(&form), Some(alert)),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Appeals

#[derive(serde::Deserialize)]
pub struct AppealsQuery {
    state: Option<String>,
}

pub async fn appeals(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    db: web::Data<Db>,
    query: web::Query<AppealsQuery>,
) -> Result<HttpResponse, AppError> {
    let state = match query.state.as_deref() {
        None | Some("open") => Some("open".to_owned()),
        Some("upheld") => Some("upheld".to_owned()),
        Some("rejected") => Some("rejected".to_owned()),
        Some(_) => None,
    };
    let shown = state.clone();
    let (list, names) = db
        .run(move |conn| {
            let list = appeals::list(conn, state, ALL)?.items;
            let ids: Vec<i32> = list.iter().map(|a| a.appraisal_id).collect();
            let employees = appraisals::employees_of(conn, &ids)?;
            let people: Vec<i32> = employees.values().copied().collect();
            let names = users::names(conn, &people)?;
            let by_appraisal: HashMap<i32, String> = employees
                .into_iter()
                .map(|(a, e)| (a, names.get(&e).cloned().unwrap_or_default()))
                .collect();
            Ok((list, by_appraisal))
        })
        .await?;
    let t = ctx.t;
    let alert = Alert::done(t, req.query_string());
    let body = html! {
        nav.departments {
            @for (s, label) in [("open", t.appeal_open), ("upheld", t.appeal_upheld), ("rejected", t.appeal_rejected), ("all", t.all)] {
                a class=(if shown.as_deref().unwrap_or("all") == s { "current" } else { "" }) href={ "/appeals?state=" (s) } { (label) }
            }
        }
        @if list.is_empty() { p.empty { (t.no_appeals) } }
        @else {
            table #appeals {
                thead { tr { th { (t.employee) } th { (t.reason) } th { (t.status) } th { (t.when) } } }
                tbody { @for a in &list { tr {
                    td { a href={ "/appeals/" (a.id) } { (names.get(&a.appraisal_id).map_or("?", String::as_str)) } }
                    td { (a.reason) }
                    td { (appeal_state_label(t, &a.state)) }
                    td { (ctx.time.local(a.created_at).format("%Y-%m-%d %H:%M")) }
                } } }
            }
        }
    };
    Ok(answer(&ctx, t.nav_appeals, alert.as_ref(), body))
}

pub async fn appeal(
    _hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    render_appeal(ctx, db, id.into_inner(), None).await
}

async fn render_appeal(
    ctx: Ctx,
    db: web::Data<Db>,
    id: i32,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/appeals/{id}"));
    let (appeal, appraisal, employee) = db
        .run(move |conn| {
            let appeal = appeals::get(conn, id)?;
            let appraisal = appraisals::get(conn, appeal.appraisal_id)?;
            let employee = users::get(conn, appraisal.employee_id)?;
            Ok((appeal, appraisal, employee))
        })
        .await?;
    let t = ctx.t;
    let body = html! {
        p.meta { (t.employee) ": " strong { (employee.display_name) } " · "
            a href={ "/appraisals/" (appraisal.id) } { (t.appraisal) " " (score(appraisal.total())) " " (appraisal.grade.as_deref().unwrap_or("")) } }
        section.card { h2 { (t.reason) } p #appeal-reason-text { (appeal.reason) } p { (t.status) ": " strong #appeal-state { (appeal_state_label(t, &appeal.state)) } }
            @if let Some(note) = &appeal.decision_note { p { (t.decision_note) ": " (note) } } }
        @if appeal.state == "open" {
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
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let actor = hr.0 .0.clone();
    let outcome = match Decision::parse(form.text("decision"), form.get("note")) {
        Ok((decision, note)) => db
            .run(move |conn| appeals::decide(conn, &actor, id, decision, note))
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| "/appeals?ok=decided".to_owned()),
        |ctx, alert| render_appeal(ctx, db, id, Some(alert)),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Notices

#[derive(serde::Deserialize)]
pub struct NoticesQuery {
    status: Option<String>,
}

pub async fn notices(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    db: web::Data<Db>,
    query: web::Query<NoticesQuery>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    let status = query
        .status
        .clone()
        .filter(|s| ["pending", "sent", "failed"].contains(&s.as_str()));
    render_notices(ctx, db, status, alert).await
}

async fn render_notices(
    ctx: Ctx,
    db: web::Data<Db>,
    status: Option<String>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr/notices");
    let shown = status.clone();
    let (list, total, names) = db
        .run(move |conn| {
            let filter = NoticeFilter { status, kind: None };
            let page = Page {
                limit: 200,
                offset: 0,
            };
            let paged = notices::list(conn, &filter, page)?;
            let ids: Vec<i32> = paged.items.iter().map(|n| n.recipient_id).collect();
            let names = users::names(conn, &ids)?;
            Ok((paged.items, paged.total, names))
        })
        .await?;
    let t = ctx.t;
    let body = html! {
        nav.departments {
            @for (s, label) in [("failed", t.notice_failed), ("pending", t.notice_pending), ("sent", t.notice_sent)] {
                a class=(if shown.as_deref() == Some(s) { "current" } else { "" }) href={ "/hr/notices?status=" (s) } { (label) }
            }
            a class=(if shown.is_none() { "current" } else { "" }) href="/hr/notices" { (t.all) }
        }
        p.meta { (t.count) ": " (total) }
        table #notices {
            thead { tr { th { (t.kind) } th { (t.recipient) } th { (t.status) } th.num { (t.attempts) } th { (t.last_error) } th {} } }
            tbody { @for n in &list { tr class=(n.status.as_str()) {
                td { code { (n.kind) } }
                td { (names.get(&n.recipient_id).map_or("?", String::as_str)) }
                td { (match n.status.as_str() { "sent" => t.notice_sent, "failed" => t.notice_failed, _ => t.notice_pending }) }
                td.num { (n.attempts) }
                td { (n.last_error.as_deref().unwrap_or("")) }
                td { @if n.status == "failed" { (button_form(&ctx, &format!("/hr/notices/{}/retry", n.id), t.retry, "")) } }
            } } }
        }
    };
    Ok(answer(&ctx, t.nav_notices, alert.as_ref(), body))
}

pub async fn retry_notice(
    hr: Hr,
    ctx: Ctx,
    db: web::Data<Db>,
    id: web::Path<i64>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let (actor, id) = (hr.id(), id.into_inner());
    let outcome = db.run(move |conn| notices::requeue(conn, actor, id)).await;
    after_form(
        ctx,
        outcome.map(|_| "/hr/notices?ok=requeued".to_owned()),
        |ctx, alert| render_notices(ctx, db, Some("failed".into()), Some(alert)),
    )
    .await
}
