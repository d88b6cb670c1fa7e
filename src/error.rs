//! The one error policy of the service.
//!
//! - Everything a client can cause is a 4xx `application/problem+json` (RFC 9457) that says
//!   what is wrong: 400 unreadable request, 401 not authenticated, 403 function not allowed
//!   for the role, 404 unknown *or out of scope* (never reveal existence), 409 conflict with
//!   the current state, 413 too large, 415 wrong media type, 422 validation with a
//!   field → message map, 429 throttled with `Retry-After`.
//! - Database "not found" is 404, a unique violation 409; any other database, pool or
//!   thread failure is a 500 whose body says nothing internal; the cause chain is logged.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Field name → reason, for 422 answers.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }
    /// Adds a reason; a second reason for the same field is appended.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        self.0
            .entry(field.to_owned())
            .and_modify(|m| {
                m.push_str("; ");
                m.push_str(&message);
            })
            .or_insert(message);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Field and reason, in field order.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.0.into_iter().collect()
    }
    /// `Ok(())` when nothing was collected, so handlers can `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
    /// Keeps the value of a parse, or records its reason under `field`.
    pub fn take<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(reason) => {
                self.add(field, reason);
                None
            }
        }
    }
}

/// One problem of one row of a bulk import (rows count from 1, in the order sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// At most this many row problems are listed in one answer.
pub const MAX_REPORTED_ROW_ERRORS: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// A unique or exclusion constraint refused a write (409). Under PostgreSQL's
    /// serializable isolation this can also mean a concurrent transaction won a race the
    /// application's own check could not see yet: `db::write_tx` runs the transaction once
    /// more, and the check then answers with what it finds.
    #[error("{0}")]
    Duplicate(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("validation failed")]
    Validation(FieldErrors),
    /// A bulk import refused as a whole: 409 when a row meets a cycle that is not open,
    /// 422 otherwise.
    #[error("import refused")]
    Rows {
        conflict: bool,
        errors: Vec<RowError>,
    },
    #[error("too many requests")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// More sign-ins at once than the password threads can take: try again shortly.
    #[error("busy")]
    Busy { retry_after_seconds: u64 },
    /// A write transaction lost a race with a concurrent one (a PostgreSQL serialization
    /// failure or deadlock). `db::write_tx` runs it again; a client sees it (503) only when
    /// every attempt lost.
    #[error("the transaction conflicted with a concurrent one")]
    Contended,
    /// The database could not store a write: a full disk, an I/O error, or its file gone.
    /// Nothing was written (the transaction rolled back); 503 until it is repaired.
    #[error("storage fault: {0}")]
    Storage(String),
    /// The request body did not arrive within `server.body_timeout_seconds`.
    #[error("request body timed out")]
    RequestTimeout,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(FieldErrors::single(field, message))
    }
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(error.into())
    }
    /// A database error where a unique violation means `conflict` (a 409 that names what
    /// clashed); any other error maps as usual.
    pub fn unique_or(error: DieselError, conflict: impl FnOnce() -> String) -> Self {
        match AppError::from(error) {
            AppError::Duplicate(_) => AppError::Duplicate(conflict()),
            other => other,
        }
    }

    /// A problem for a bare status (used for actix's own error responses, e.g. 405).
    pub fn problem_for_status(status: StatusCode) -> HttpResponse {
        problem_response(status, kind_of(status), None, None)
    }
}

fn kind_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        409 => "conflict",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "validation",
        408 => "request-timeout",
        429 => "too-many-requests",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "error",
    }
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a FieldErrors>,
}

fn problem_response(
    status: StatusCode,
    kind: &str,
    detail: Option<&str>,
    errors: Option<&FieldErrors>,
) -> HttpResponse {
    let body = Problem {
        kind: format!("urn:service-appraisal:problem:{kind}"),
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        errors,
    };
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(serde_json::to_string(&body).expect("problem serialises"))
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) | AppError::Duplicate(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Rows { conflict: true, .. } => StatusCode::CONFLICT,
            AppError::Rows { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_)
            | AppError::Busy { .. }
            | AppError::Contended
            | AppError::Storage(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let kind = kind_of(status);
        match self {
            AppError::BadRequest(detail)
            | AppError::Conflict(detail)
            | AppError::Duplicate(detail)
            | AppError::UnsupportedMediaType(detail) => {
                problem_response(status, kind, Some(detail), None)
            }
            AppError::Unauthorized(detail) => {
                let mut response = problem_response(status, kind, Some(detail), None);
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
                response
            }
            AppError::Forbidden => problem_response(
                status,
                kind,
                Some("your role may not use this function"),
                None,
            ),
            AppError::NotFound => problem_response(status, kind, Some("no such resource"), None),
            AppError::PayloadTooLarge => problem_response(
                status,
                kind,
                Some("the request body is larger than this endpoint accepts"),
                None,
            ),
            AppError::Validation(errors) => problem_response(
                status,
                kind,
                Some("some fields are invalid; see errors"),
                Some(errors),
            ),
            AppError::Rows { errors, .. } => rows_response(status, kind, errors),
            AppError::TooManyRequests {
                retry_after_seconds,
            } => {
                let detail = format!("too many attempts; try again in {retry_after_seconds} s");
                let mut response = problem_response(status, kind, Some(&detail), None);
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(*retry_after_seconds),
                );
                response
            }
            AppError::Busy {
                retry_after_seconds,
            } => {
                let detail = format!(
                    "too many sign-ins at this moment; try again in {retry_after_seconds} s"
                );
                let mut response = problem_response(status, kind, Some(&detail), None);
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(*retry_after_seconds),
                );
                response
            }
            AppError::Contended => {
                let mut response = problem_response(
                    status,
                    kind,
                    Some("the service is busy with conflicting changes; nothing was changed, try again"),
                    None,
                );
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                response
            }
            AppError::Storage(reason) => {
                tracing::error!(reason = %reason, "storage fault");
                problem_response(
                    status,
                    "storage",
                    Some("the service cannot store data at the moment (its storage is full or unavailable); nothing was changed"),
                    None,
                )
            }
            AppError::RequestTimeout => {
                let mut response = problem_response(
                    status,
                    kind,
                    Some("the request body did not arrive in time"),
                    None,
                );
                response.headers_mut().insert(
                    header::CONNECTION,
                    header::HeaderValue::from_static("close"),
                );
                response
            }
            AppError::Unavailable(reason) => {
                tracing::warn!(reason = %reason, "service unavailable");
                problem_response(status, kind, Some("the service is not ready"), None)
            }
            AppError::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                problem_response(status, kind, Some("an internal error occurred"), None)
            }
        }
    }
}

#[derive(Serialize)]
struct RowsProblem<'a> {
    #[serde(rename = "type")]
    kind: String,
    title: &'a str,
    status: u16,
    detail: String,
    errors: FieldErrors,
    row_errors: &'a [RowError],
}

fn rows_response(status: StatusCode, kind: &str, errors: &[RowError]) -> HttpResponse {
    let rows: std::collections::BTreeSet<usize> = errors.iter().map(|e| e.row).collect();
    let shown = &errors[..errors.len().min(MAX_REPORTED_ROW_ERRORS)];
    let mut fields = FieldErrors::new();
    for e in shown {
        fields.add(&format!("rows[{}].{}", e.row, e.column), e.message.clone());
    }
    let more = errors.len() - shown.len();
    let detail = format!(
        "{} row(s) have problems; nothing was imported{}",
        rows.len(),
        if more > 0 {
            format!(" ({more} further problems not listed)")
        } else {
            String::new()
        }
    );
    let body = RowsProblem {
        kind: format!("urn:service-appraisal:problem:{kind}"),
        title: status.canonical_reason().unwrap_or("Error"),
        status: status.as_u16(),
        detail,
        errors: fields,
        row_errors: shown,
    };
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .body(serde_json::to_string(&body).expect("problem serialises"))
}

impl From<DieselError> for AppError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => AppError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::Duplicate("a record with the same unique value already exists".into())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ExclusionViolation, _) => {
                AppError::Duplicate("the period overlaps another cycle".into())
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::Contended
            }
            DieselError::DatabaseError(_, ref info) => {
                let message = info.message();
                if is_deadlock(message) {
                    AppError::Contended
                } else if message.contains("cycle periods overlap") {
                    // SQLite's trigger for the rule PostgreSQL states as an exclusion.
                    AppError::Duplicate("the period overlaps another cycle".into())
                } else if let Some(fault) = storage_fault(message) {
                    AppError::Storage(format!("{fault}: {message}"))
                } else {
                    AppError::Internal(error.into())
                }
            }
            other => AppError::Internal(other.into()),
        }
    }
}

/// PostgreSQL's deadlock detector (SQLSTATE 40P01, which diesel does not name), or SQLite's
/// write lock still held by another writer after the busy timeout.
fn is_deadlock(message: &str) -> bool {
    message.contains("deadlock detected") || message.contains("database is locked")
}

/// A database error that says the storage could not take a write, by the backends' own
/// words (diesel names neither SQLITE_FULL / SQLITE_IOERR nor SQLSTATE class 53 / 58).
fn storage_fault(message: &str) -> Option<&'static str> {
    const FAULTS: &[(&str, &str)] = &[
        ("database or disk is full", "disk full"),
        ("No space left on device", "disk full"),
        ("could not extend file", "disk full"),
        ("disk I/O error", "I/O error"),
        ("attempt to write a readonly database", "read-only storage"),
        ("unable to open database file", "database file unavailable"),
        ("could not write", "I/O error"),
    ];
    FAULTS
        .iter()
        .find(|(words, _)| message.contains(words))
        .map(|(_, fault)| *fault)
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {error}"))
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("no database connection: {error}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    fn body_of(response: HttpResponse) -> serde_json::Value {
        let bytes = response.into_body().try_into_bytes().unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn internal_errors_reveal_nothing() {
        let error = AppError::internal(anyhow::anyhow!("password_hash column exploded"));
        let response = error.error_response();
        assert_eq!(response.status(), 500);
        let body = body_of(response);
        assert!(!body.to_string().contains("password_hash"));
        assert_eq!(body["detail"], "an internal error occurred");
    }

    #[test]
    fn validation_lists_fields() {
        let mut errors = FieldErrors::new();
        errors.add("email", "is not an email address");
        errors.add("email", "is too long");
        let response = AppError::Validation(errors).error_response();
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        let body = body_of(response);
        assert_eq!(
            body["errors"]["email"],
            "is not an email address; is too long"
        );
    }

    #[test]
    fn unique_violation_is_conflict() {
        struct Info;
        impl diesel::result::DatabaseErrorInformation for Info {
            fn message(&self) -> &str {
                "UNIQUE constraint failed: users.email"
            }
            fn details(&self) -> Option<&str> {
                None
            }
            fn hint(&self) -> Option<&str> {
                None
            }
            fn table_name(&self) -> Option<&str> {
                None
            }
            fn column_name(&self) -> Option<&str> {
                None
            }
            fn constraint_name(&self) -> Option<&str> {
                None
            }
            fn statement_position(&self) -> Option<i32> {
                None
            }
        }
        let error: AppError =
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, Box::new(Info)).into();
        assert_eq!(error.status_code(), 409);
        assert!(!body_of(error.error_response())
            .to_string()
            .contains("users.email"));
    }
}
