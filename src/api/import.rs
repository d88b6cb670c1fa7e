//! The API's bulk body: a JSON array of objects, or `text/csv` whose header names the same
//! columns; read into rows by [`crate::bulk`].

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::bulk::{rows_from_csv, rows_from_json, Row};
use crate::domain::problem::Problem;
use crate::error::AppError;

pub use crate::bulk::IMPORT_BODY_LIMIT;

/// The rows of a bulk body, before typed parsing.
pub struct ImportBody(pub Vec<Row>);

impl FromRequest for ImportBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let essence = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let csv = match essence.as_str() {
                "application/json" => false,
                "text/csv" => true,
                _ => {
                    return Err(AppError::UnsupportedMediaType(Problem::MediaType {
                        expected: "application/json or text/csv",
                    }))
                }
            };
            let bytes = bytes.await.map_err(super::body::unreadable)?;
            // Reading 100k rows is work for the blocking threads, not the async workers.
            let rows = web::block(move || {
                if csv {
                    rows_from_csv(&bytes)
                } else {
                    rows_from_json(&bytes)
                }
            })
            .await??;
            if rows.is_empty() {
                return Err(AppError::validation("body", Problem::NoRows));
            }
            Ok(ImportBody(rows))
        })
    }
}
