//! Saving the scheme form (weights, evidence minimums, grade bands, weights per
//! department): the form is read into the API's scheme body, and `app::App::put_scheme`
//! applies the rules.

use actix_web::{web, HttpResponse};

use super::cycle_page::{render_cycle, BAND_ROWS};
use crate::app::view::Department;
use crate::app::App;
use crate::auth::Hr;
use crate::domain::component::Component;
use crate::domain::scheme::{
    DepartmentOverrideInput, GradeBandInput, MinEvidenceInput, SchemeInput, WeightsInput,
};
use crate::error::{AppError, FieldErrors};
use crate::web::layout::{recoverable_naming, see_other};
use crate::web::session::{Ctx, Fields};

pub async fn save_scheme(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let listed = app.all_departments(ctx.caller()?).await?;
    let (input, overrides) = scheme_input(&form, &listed);
    let outcome = match input {
        Ok(input) => app.put_scheme(ctx.caller()?, id, input).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(_) => Ok(see_other(format!("/hr/cycles/{id}?ok=scheme_saved"))),
        Err(error) => {
            // A row of weights per department is named by its department, not its number.
            let alert = recoverable_naming(ctx.t, error, |list, i| {
                (list == "department_overrides")
                    .then(|| overrides.get(i).cloned())
                    .flatten()
            })?;
            render_cycle(ctx, app, id, Some(&form), Some(alert)).await
        }
    }
}

/// The scheme form as the API's scheme body, and the department of each row of weights per
/// department in it; `Scheme::parse` then applies the rules. The form's fields are named as
/// the body's, so a refusal names the field the form shows.
fn scheme_input(
    form: &Fields,
    departments: &[Department],
) -> (Result<SchemeInput, AppError>, Vec<String>) {
    let mut errors = FieldErrors::new();
    let e = &mut errors;
    let number =
        |name: &str, field: &str, e: &mut FieldErrors| super::number(form.text(name), field, e);
    let weights = |prefix: &str, field: &str, e: &mut FieldErrors| {
        Component::ALL.map(|c| {
            let n = c.as_str();
            number(&format!("{prefix}{n}"), &format!("{field}.{n}"), e)
        })
    };
    let [s, sa, w_e, c, r] = weights("w_", "weights", e);
    let weights_input = WeightsInput {
        sales: s.unwrap_or(0),
        satisfaction: sa.unwrap_or(0),
        etiquette: w_e.unwrap_or(0),
        collaboration: c.unwrap_or(0),
        responsiveness: r.unwrap_or(0),
    };
    let mut department_overrides = Vec::new();
    let mut names = Vec::new();
    for d in departments {
        let field = format!(
            "department_overrides[{}].weights",
            department_overrides.len()
        );
        let [s, sa, o_e, c, r] = weights(&format!("o_{}_", d.id), &field, e);
        if [s, sa, o_e, c, r].iter().any(Option::is_some) {
            names.push(d.name.clone());
            department_overrides.push(DepartmentOverrideInput {
                department_id: i64::from(d.id),
                weights: WeightsInput {
                    sales: s.unwrap_or(0),
                    satisfaction: sa.unwrap_or(0),
                    etiquette: o_e.unwrap_or(0),
                    collaboration: c.unwrap_or(0),
                    responsiveness: r.unwrap_or(0),
                },
            });
        }
    }
    let full_marks_at = number("full_marks_at", "full_marks_at", e);
    let min_evidence = MinEvidenceInput {
        satisfaction: number("min_satisfaction", "min_evidence.satisfaction", e),
        etiquette: number("min_etiquette", "min_evidence.etiquette", e),
        collaboration: number("min_collaboration", "min_evidence.collaboration", e),
        responsiveness: number("min_responsiveness", "min_evidence.responsiveness", e),
    };
    let mut grade_bands = Vec::new();
    for i in 0..BAND_ROWS {
        let grade = form.text(&format!("band_grade_{i}")).trim().to_owned();
        let min = number(
            &format!("band_min_{i}"),
            &format!("grade_bands[{}].min_total", grade_bands.len()),
            e,
        );
        match (grade.is_empty(), min) {
            (true, None) => {}
            (_, min) => grade_bands.push(GradeBandInput {
                grade,
                min_total: min.unwrap_or(-1),
            }),
        }
    }
    let input = errors.into_result().map(|()| SchemeInput {
        weights: weights_input,
        full_marks_at,
        min_evidence,
        grade_bands,
        department_overrides,
    });
    (input, names)
}
