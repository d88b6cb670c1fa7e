//! The API's bulk body: a JSON array of objects, `text/csv` (UTF-8 with or without BOM, or
//! GB18030/GBK, detected or named by `charset`), or an XLSX workbook (its first sheet)
//! whose header names the same columns; read into rows by [`crate::bulk`].

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::app::{App, UploadTurn};
use crate::bulk::{rows_from, Format, Upload};
use crate::domain::problem::Problem;
use crate::error::AppError;

pub use crate::bulk::IMPORT_BODY_LIMIT;

/// The bulk form a request's `Content-Type` names, if any.
fn format_of(req: &HttpRequest) -> Option<Format> {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(Format::of_media_type)
}

/// The gate uploads take their turns at.
fn gate_of(req: &HttpRequest) -> Option<crate::app::UploadGate> {
    req.app_data::<web::Data<App>>()
        .map(|app| app.uploads.clone())
}

/// The rows of a bulk body, before typed parsing, and the upload's turn
/// ([`crate::app::UploadGate`]): taken before the body is read, held until the handler
/// ends.
pub struct ImportBody(pub Upload, pub UploadTurn);

impl FromRequest for ImportBody {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (format, gate) = (format_of(req), gate_of(req));
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

/// A body that is one JSON object from anyone, or, from HR only, rows in bulk (a JSON
/// array, CSV or XLSX), as `POST /complaints` takes them. A caller of another role is
/// refused bulk rows before their body is read, and their object is read up to the
/// ordinary JSON limit; HR's body is read in an upload's turn, up to the import limit.
pub enum OneOrRows<T> {
    One(T),
    Rows(Upload, UploadTurn),
}

/// Reads a body up to `limit` bytes (decompressed), as a stream: nothing larger is held.
async fn read_at_most(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<web::Bytes, AppError> {
    use futures_util::StreamExt;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|l| l > limit) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut stream = actix_web::dev::Decompress::from_headers(payload, req.headers());
    let mut body = web::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| super::body::unreadable(e.into()))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for OneOrRows<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (format, gate) = (format_of(req), gate_of(req));
        let hr = req
            .extensions()
            .get::<crate::auth::Caller>()
            .is_some_and(|c| c.role == crate::domain::user::Role::Hr);
        let payload = payload.take();
        let req = req.clone();
        Box::pin(async move {
            let format = match format {
                Some(format) => format,
                None if hr => {
                    return Err(AppError::UnsupportedMediaType(Problem::MediaType {
                        expected: "application/json, text/csv (UTF-8 or GB18030) or XLSX",
                    }))
                }
                None => {
                    return Err(AppError::UnsupportedMediaType(Problem::MediaType {
                        expected: "application/json",
                    }))
                }
            };
            if !hr {
                if format != Format::Json {
                    return Err(AppError::Forbidden);
                }
                let bytes = read_at_most(&req, payload, crate::startup::JSON_BODY_LIMIT).await?;
                if first_byte(&bytes) == Some(b'[') {
                    return Err(AppError::Forbidden);
                }
                return super::body::parse_json(&bytes).map(OneOrRows::One);
            }
            let gate = gate.ok_or_else(|| AppError::internal(anyhow::anyhow!("no upload gate")))?;
            let turn = gate.turn().await?;
            let bytes = read_at_most(&req, payload, IMPORT_BODY_LIMIT).await?;
            if format == Format::Json && first_byte(&bytes) != Some(b'[') {
                return super::body::parse_json(&bytes).map(OneOrRows::One);
            }
            let rows = web::block(move || rows_from(&bytes, &format)).await??;
            Ok(OneOrRows::Rows(rows, turn))
        })
    }
}

/// The first byte of a JSON text past its white space (and a byte-order mark).
fn first_byte(bytes: &[u8]) -> Option<u8> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes.iter().copied().find(|b| !b.is_ascii_whitespace())
}
