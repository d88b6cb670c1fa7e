//! The API's bulk body: a JSON array of objects, `text/csv` (UTF-8 with or without BOM, or
//! GB18030/GBK, detected or named by `charset`), or an XLSX workbook (its first sheet)
//! whose header names the same columns; read into rows by [`crate::bulk`].

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::app::{App, UploadTurn};
use crate::bulk::{rows_from, Format, Upload};
use crate::domain::problem::Problem;
use crate::error::AppError;

pub use crate::bulk::IMPORT_BODY_LIMIT;

/// The rows of a bulk body, before typed parsing, and the upload's turn
/// ([`crate::app::UploadGate`]): taken before the body is read, held until the handler
/// ends.
pub struct ImportBody(pub Upload, pub UploadTurn);

impl FromRequest for ImportBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let format = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Format::of_media_type);
        let gate = req
            .app_data::<web::Data<App>>()
            .map(|app| app.uploads.clone());
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let Some(format) = format else {
                return Err(AppError::UnsupportedMediaType(Problem::MediaType {
                    expected: "application/json, text/csv (UTF-8 or GB18030) or XLSX",
                }));
            };
            let gate = gate.ok_or_else(|| AppError::internal(anyhow::anyhow!("no upload gate")))?;
            let turn = gate.turn().await?;
            let bytes = bytes.await.map_err(super::body::unreadable)?;
            // Reading 100k rows is work for the blocking threads, not the async workers.
            let rows = web::block(move || rows_from(&bytes, &format)).await??;
            // An empty file is the use case's to refuse (after it has checked the caller).
            Ok(ImportBody(rows, turn))
        })
    }
}
