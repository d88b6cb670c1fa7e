//! Rating colleagues of other departments (every role): choose a department among those
//! with someone to rate, then rate its people; the form goes to the same use case as the
//! API's (`app::collaboration`).

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use super::layout::{after_form, answer, choices, csrf, Alert};
use super::session::{Ctx, Fields};
use crate::app::collaboration::NewRating;
use crate::app::App;
use crate::domain::cycle::CycleState;
use crate::domain::evidence::COMMENT_MAX;
use crate::domain::problem::Problem;
use crate::error::{AppError, FieldErrors};

/// `?department_id=`: the department a page is narrowed to.
#[derive(serde::Deserialize)]
pub struct DepartmentChoice {
    pub department_id: Option<i32>,
}

/// Rating colleagues of other departments: choose a department, then rate its people.
pub async fn colleagues(
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    id: web::Path<i32>,
    query: web::Query<DepartmentChoice>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_colleagues(ctx, app, id.into_inner(), query.department_id, alert).await
}

async fn render_colleagues(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    department: Option<i32>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(match department {
        Some(d) => format!("/cycles/{id}/collaboration?department_id={d}"),
        None => format!("/cycles/{id}/collaboration"),
    });
    let data = app.colleagues(ctx.caller()?, id, department).await?;
    let t = ctx.t;
    let open = data.cycle.state == CycleState::Open;
    let body = html! {
        p { (t.rate_intro) }
        @if !open { p.warn { (t.rating_closed) } }
        (choices("departments", t.departments, data.departments.iter().map(|d| (
            format!("/cycles/{id}/collaboration?department_id={}", d.id),
            d.name.clone(),
            department == Some(d.id),
        )).collect()))
        @if department.is_some() && data.people.is_empty() { p.empty { (t.nobody_to_rate) } }
        @if !data.people.is_empty() {
            table.rate #colleagues {
                thead { tr { th { (t.colleague) } th { (t.your_rating) } th { (t.rate) } } }
                tbody {
                    @for person in &data.people {
                        tr {
                            td { (person.display_name) }
                            td.num { (data.given.get(&person.id).map_or("—".to_owned(), |r| r.to_string())) }
                            td {
                                @if open {
                                    form.inline.rating method="post" action={ "/cycles/" (id) "/collaboration" } {
                                        (csrf(&ctx))
                                        input type="hidden" name="ratee_id" value=(person.id);
                                        input type="hidden" name="department_id" value=(person.department_id);
                                        @let given = data.given.get(&person.id);
                                        // No default: a rating is chosen, never sent by leaving the field alone.
                                        select name="rating" required aria-label={ (t.rating) ": " (person.display_name) } {
                                            option value="" selected[given.is_none()] { (t.choose_rating) }
                                            @for r in (1..=5).rev() { option value=(r) selected[given == Some(&r)] { (r) } }
                                        }
                                        input type="text" name="comment" maxlength=(COMMENT_MAX) placeholder=(t.comment_optional)
                                            aria-label={ (t.comment_optional) ": " (person.display_name) };
                                        button type="submit" data-ratee=(person.id) { (t.rate) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = format!("{} — {}", t.rate_colleagues, data.cycle.name);
    Ok(answer(&ctx, &title, alert.as_ref(), body))
}

pub async fn rate(
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let cycle = id.into_inner();
    let department = form.text("department_id").parse::<i32>().ok();
    let outcome = match rating_from(&form, cycle) {
        Ok(input) => app.rate(ctx.caller()?, input).await.map(|_| ()),
        Err(error) => Err(error),
    };
    let back = department.map_or(String::new(), |d| format!("&department_id={d}"));
    let location = format!("/cycles/{cycle}/collaboration?ok=rated{back}");
    after_form(ctx, outcome.map(|()| location), |ctx, alert| {
        render_colleagues(ctx, app, cycle, department, Some(alert))
    })
    .await
}

/// The rating form as the use case's input (the same as the API's body).
fn rating_from(form: &Fields, cycle: i32) -> Result<NewRating, AppError> {
    let mut errors = FieldErrors::new();
    let ratee = form.text("ratee_id").trim().parse::<i32>().ok();
    if ratee.is_none() {
        errors.add("ratee_id", Problem::Choose);
    }
    let rating = form.text("rating").trim().parse::<i64>().ok();
    if rating.is_none() {
        errors.add("rating", Problem::OutOfRange { min: 1, max: 5 });
    }
    match (ratee, rating) {
        (Some(ratee_id), Some(rating)) if errors.is_empty() => Ok(NewRating {
            ratee_id,
            cycle_id: cycle,
            rating,
            comment: form.get("comment").map(str::to_owned),
        }),
        _ => Err(AppError::Validation(errors)),
    }
}
