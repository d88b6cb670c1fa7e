//! Uploading evidence on the cycle page: a CSV of sales targets, sales records or
//! satisfaction responses, read like the API's CSV body and imported by the same use case
//! (`app::App::import`): all rows or none, with every refused row listed as the spreadsheet
//! numbers it.

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::cycle_page::render_cycle;
use crate::app::evidence::Kind;
use crate::app::App;
use crate::auth::Hr;
use crate::bulk;
use crate::domain::problem::Problem;
use crate::error::AppError;
use crate::web::layout::{recoverable, Alert};
use crate::web::session::{check_csrf, Ctx, CSRF_FIELD};

/// The upload form: its CSRF token, the kind of evidence and the file, read with limits.
pub(super) async fn read_upload(
    req: &HttpRequest,
    mut parts: Multipart,
) -> Result<Uploaded, AppError> {
    let unreadable = || AppError::BadRequest(Problem::UploadUnreadable);
    let (mut token, mut kind, mut file) = (None, None, None);
    let mut create_departments = false;
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
            "create_departments" => create_departments = &bytes[..] == b"true",
            _ => {}
        }
    }
    check_csrf(req, token.as_deref())?;
    let kind = kind.ok_or_else(|| AppError::validation("kind", Problem::Choose))?;
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::validation("file", Problem::Choose))?;
    Ok(Uploaded {
        kind,
        file,
        create_departments,
    })
}

/// An upload form's file and what was chosen with it.
pub(super) struct Uploaded {
    pub kind: String,
    pub file: Vec<u8>,
    /// The people form's "create the departments the file names" (ticked: `true`).
    pub create_departments: bool,
}

/// CSV upload of targets, sales or satisfaction: all rows or none, with the per-row report.
pub async fn import(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    id: web::Path<i32>,
    parts: Multipart,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    // The upload's turn comes before its file is read (`App::uploads`).
    let upload = match app.uploads.turn().await {
        Ok(turn) => read_upload(&req, parts).await.map(|upload| (upload, turn)),
        Err(busy) => Err(busy),
    };
    let outcome = match upload {
        Ok((Uploaded { kind, file, .. }, _turn)) => match Kind::parse(&kind) {
            Ok(kind) => {
                // Reading a large file is work for the blocking threads.
                match web::block(move || bulk::rows_from(&file, &bulk::Format::of_file(&file)))
                    .await?
                {
                    Ok(rows) if rows.is_empty() => {
                        Err(AppError::validation("file", Problem::NoRows))
                    }
                    Ok(rows) => app.import(ctx.caller()?, kind, rows, Some(id)).await,
                    Err(error) => Err(error),
                }
            }
            Err(problem) => Err(AppError::validation("kind", problem)),
        },
        Err(error) => Err(error),
    };
    let t = ctx.t;
    let alert = match outcome {
        Ok(o) => Alert::Note(import_note(t, &o)),
        Err(AppError::Forbidden) => return Err(AppError::Forbidden),
        Err(error) => recoverable(t, error)?,
    };
    render_cycle(ctx, app, id, None, Some(alert)).await
}

/// What an import did, in the reader's words: the counts, the returns among sales, and what
/// the file held that was left aside.
pub(super) fn import_note(
    t: &'static crate::web::text::Texts,
    o: &crate::app::view::ImportOutcome,
) -> String {
    let mut note = format!(
        "{} — {}: {} · {}: {} · {}: {} · {}: {}",
        t.imported,
        t.received,
        o.received,
        t.inserted,
        o.inserted,
        t.updated,
        o.updated,
        t.unchanged,
        o.unchanged
    );
    if o.returns > 0 {
        note.push_str(&format!(
            " · {}: {} ({})",
            t.returns,
            o.returns,
            crate::web::layout::money(t, o.returns_amount)
        ));
    }
    note.push_str(&crate::web::layout::set_aside(
        t,
        &o.ignored_columns,
        &o.skipped_rows,
    ));
    note
}
