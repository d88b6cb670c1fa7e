//! The export buttons' downloads: a cycle's appraisals as XLSX or CSV in the page's
//! language, through the same use case as `GET /api/v1/cycles/{id}/export` (HR: every
//! appraisal; a supervisor: their reports').

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::app::App;
use crate::auth::Supervisor;
use crate::error::AppError;
use crate::export::Format;
use crate::web::session::Ctx;

#[derive(Deserialize)]
pub struct Choice {
    format: Option<String>,
}

pub async fn export(
    _lead: Supervisor,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    choice: web::Query<Choice>,
) -> Result<HttpResponse, AppError> {
    // The buttons only ever ask for these two; anything else is no such file.
    let format = match choice.format.as_deref() {
        None => Format::Xlsx,
        Some(text) => Format::parse(text).map_err(|_| AppError::NotFound)?,
    };
    let file = app
        .export_cycle(ctx.caller()?, id.into_inner(), format, ctx.t.lang)
        .await?;
    Ok(crate::export::attachment(
        &file.filename,
        file.media_type,
        file.bytes,
    ))
}

/// The two download buttons of a cycle.
pub fn buttons(t: &crate::web::text::Texts, cycle: i32) -> maud::Markup {
    maud::html! {
        p.actions.no-print #export {
            a.button href={ "/cycles/" (cycle) "/export?format=xlsx" } download { (t.export_xlsx) }
            " "
            a.button href={ "/cycles/" (cycle) "/export?format=csv" } download { (t.export_csv) }
        }
    }
}
