//! A cycle's page: its state and the next step, compute, what is computed and what is
//! stale, the scheme form (filled with what is stored, or with what was sent when it was
//! refused) and the evidence upload. The handlers of those forms (`cycles`, `scheme`,
//! `evidence`) answer with this page.

use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use crate::app::view::{Cycle, Department};
use crate::app::App;
use crate::auth::Hr;
use crate::domain::component::Component;
use crate::domain::cycle::CycleState;
use crate::domain::scheme::Scheme;
use crate::error::AppError;
use crate::web::layout::{answer, button_form, csrf, Alert};
use crate::web::session::{Ctx, Fields};
use crate::web::staff::component_name;

pub async fn cycle(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_cycle(ctx, app, id.into_inner(), None, alert).await
}

pub async fn render_cycle(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/hr/cycles/{id}"));
    let data = app.cycle_page(ctx.caller()?, id).await?;
    let t = ctx.t;
    let c = &data.cycle;
    let state = c.state;
    let values = SchemeValues {
        sent,
        stored: data.scheme.as_ref(),
    };
    let body = html! {
        p.meta #cycle-meta { (t.series) ": " (t.series_name(&c.series)) " · " (c.period_start) " – " (c.period_end) " · " (t.status) ": " strong #cycle-state { (t.cycle_state(c.state)) }
            " · " (t.appeal_window_days) ": " (c.appeal_window_days) }
        section.card.actions #cycle-actions {
            @if let Some(target) = state.next() {
                form.inline method="post" action={ "/hr/cycles/" (c.id) "/state" } {
                    (csrf(&ctx))
                    input type="hidden" name="state" value=(target.as_str());
                    button.primary #next-state type="submit" data-state=(target.as_str()) { (t.move_to(target)) }
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
        details.card #edit-cycle {
            summary { (t.edit_cycle) }
            form method="post" action={ "/hr/cycles/" (c.id) "/edit" } {
                (csrf(&ctx))
                label { (t.name) input #edit-cycle-name type="text" name="name" required maxlength=(crate::domain::cycle::CYCLE_NAME_MAX) value=(c.name) disabled[state == CycleState::Archived]; }
                label { (t.series) input type="text" name="series" required maxlength=(crate::domain::cycle::SERIES_MAX) value=(t.series_name(&c.series)) disabled[state == CycleState::Archived]; }
                label { (t.period_start) input type="date" name="period_start" required value=(c.period_start) disabled[state != CycleState::Draft]; }
                label { (t.period_end) input type="date" name="period_end" required value=(c.period_end) disabled[state != CycleState::Draft]; }
                label { (t.appeal_window_days) input type="number" name="appeal_window_days" min="0" max="90" value=(c.appeal_window_days)
                    disabled[matches!(state, CycleState::Published | CycleState::Archived)]; }
                p.note { (t.edit_cycle_note) }
                @if state != CycleState::Archived { button.primary #save-cycle type="submit" { (t.save) } }
            }
        }
        h2 { (t.scheme) }
        @if state.scheme_editable() {
            (scheme_form(&ctx, c, &data.departments, &values))
        } @else if let Some(s) = &data.scheme {
            p { @for n in Component::ALL { (component_name(t, n)) " " (s.weights.of(n)) "% · " } }
        }
        h2 { (t.upload_evidence) }
        (upload_form(&ctx, c, data.appealed))
    };
    let title = format!("{} — {}", t.cycle, c.name);
    Ok(answer(&ctx, &title, alert.as_ref(), body))
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

pub const BAND_ROWS: usize = 6;

fn scheme_form(
    ctx: &Ctx,
    cycle: &Cycle,
    departments: &[Department],
    values: &SchemeValues,
) -> Markup {
    let t = ctx.t;
    let default_bands = [("A", "90"), ("B", "75"), ("C", "60"), ("D", "0")];
    let weights: Vec<(Component, String)> = Component::ALL
        .iter()
        .map(|&n| {
            (
                n,
                values.get(
                    &format!("w_{}", n.as_str()),
                    |s| Some(s.weights.of(n).to_string()),
                    // The four of the appraisal's first design share 100; responsiveness
                    // starts at 0 until HR gives it a weight.
                    if n == Component::Responsiveness {
                        "0"
                    } else {
                        "25"
                    },
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
                @for &(name, ref value) in &weights {
                    label { (component_name(t, name)) " (%)"
                        input.weight type="number" name={ "w_" (name.as_str()) } id={ "w-" (name.as_str()) } min="0" max="100" step="1" required value=(value);
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
                label { (t.min_responsiveness)
                    input type="number" name="min_responsiveness" min="1" max="1000" value=(values.get("min_responsiveness", |s| Some(s.min_evidence.responsiveness.to_string()), "3")); }
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
                    thead { tr { th { (t.department) } @for n in Component::ALL { th { (component_name(t, n)) } } } }
                    tbody {
                        @for d in departments {
                            @let over = values.stored.and_then(|s| s.department_overrides.iter().find(|o| o.department_id == d.id));
                            tr {
                                td { (d.name) }
                                @for n in Component::ALL {
                                    td { input type="number" min="0" max="100" name={ "o_" (d.id) "_" (n.as_str()) } aria-label={ (d.name) " · " (component_name(t, n)) }
                                        value=(values.get(&format!("o_{}_{}", d.id, n.as_str()), |_| Some(over.map_or(String::new(), |o| o.weights.of(n).to_string())), "")); }
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

/// What the upload form offers: targets from the draft on, dated evidence while the cycle is
/// open, and corrections for people with an open appeal after that.
fn accepted_kinds(state: CycleState, appealed: bool) -> &'static [&'static str] {
    match state {
        CycleState::Draft => &["sales-targets"],
        CycleState::Open => &["sales-targets", "sales-records", "satisfaction-responses"],
        CycleState::Published if appealed => {
            &["sales-targets", "sales-records", "satisfaction-responses"]
        }
        CycleState::Review if appealed => &["sales-records", "satisfaction-responses"],
        _ => &[],
    }
}

/// The columns of each kind's template (the API also takes `employee_id` or `email` for
/// the person, and amounts in fen).
pub fn template_columns(kind: &str) -> &'static str {
    match kind {
        "sales-targets" => "employee_number,target_yuan",
        "sales-records" => "employee_number,occurred_on,amount_yuan,external_ref",
        _ => "employee_number,occurred_on,rating,channel,external_ref",
    }
}

fn upload_form(ctx: &Ctx, c: &Cycle, appealed: bool) -> Markup {
    let t = ctx.t;
    let kinds = accepted_kinds(c.state, appealed);
    let label = |kind: &str| match kind {
        "sales-targets" => t.sales_targets,
        "sales-records" => t.sales_records,
        _ => t.satisfaction_responses,
    };
    html! {
        @if kinds.is_empty() {
            p.note #no-upload { (t.upload_closed) }
        } @else {
            form.card #upload-form method="post" action={ "/hr/cycles/" (c.id) "/import" } enctype="multipart/form-data" {
                (csrf(ctx))
                label { (t.kind)
                    select #upload-kind name="kind" {
                        @for kind in kinds { option value=(kind) { (label(kind)) } }
                    }
                }
                label { (t.upload_file) input #upload-file type="file" name="file"
                    accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required; }
                ul.note #templates {
                    @for kind in kinds {
                        li { (label(kind)) ": " code { (template_columns(kind)) } " · "
                            a href={ "/hr/cycles/" (c.id) "/templates/" (kind) ".csv" } download { (t.download_template) } }
                    }
                }
                p.note { (t.upload_note) }
                button.primary #upload-button type="submit" { (t.upload) }
            }
        }
    }
}

/// A kind's template: its header in the reader's language (the Chinese column names on a
/// Chinese page, the codes on an English one; both are read) and one example row whose
/// employee number is nobody's, so that the template uploaded unedited changes nothing
/// (it is refused, naming the row). UTF-8 with a byte-order mark so that Excel opens it
/// with the Chinese intact.
pub async fn template(
    _hr: Hr,
    ctx: Ctx,
    path: web::Path<(i32, String)>,
) -> Result<HttpResponse, AppError> {
    let (_, file) = path.into_inner();
    let kind = file.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let example = match kind {
        "sales-targets" => "EXAMPLE-0001,\"80,000.00\"",
        "sales-records" => "EXAMPLE-0001,2026-11-26,1299.50,POS-20261126-0001",
        "satisfaction-responses" => "EXAMPLE-0001,2026/11/26,5,phone,CSAT-20261126-0001",
        _ => return Err(AppError::NotFound),
    };
    let header = crate::bulk::header_in(template_columns(kind), ctx.t.lang);
    let body = format!("\u{feff}{header}\r\n{example}\r\n");
    Ok(crate::export::attachment(
        &format!("{kind}.csv"),
        crate::export::CSV_MEDIA_TYPE,
        body,
    ))
}
