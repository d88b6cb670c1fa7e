//! The one error policy of the service.
//!
//! - Everything a client can cause is a 4xx `application/problem+json` (RFC 9457) that says
//!   what is wrong: 400 unreadable request, 401 not authenticated, 403 function not allowed
//!   for the role, 404 unknown *or out of scope* (never reveal existence), 408 a body too
//!   slow, 409 conflict with the current state, 413 too large, 415 wrong media type, 422
//!   validation naming each field, 429 throttled with `Retry-After`.
//! - Every reason is a typed [`Problem`]; the answer carries its stable `code` and its words
//!   in the reader's language (`Accept-Language`, zh-CN or en, default en), from the one
//!   catalog (`crate::i18n`).
//! - Database "not found" is 404, a unique violation 409; a storage fault (disk full, I/O
//!   error, database file gone) or a race lost on every attempt is 503; any other database,
//!   pool or thread failure is a 500 whose body says nothing internal; the cause chain is
//!   logged.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;

use crate::domain::problem::Problem;
use crate::i18n::{self, Locale};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One field's problem: the field as a path (`grade_bands[2].min_total`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

/// Every field problem of a request, in the order found (422 answers).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn single(field: &str, problem: Problem) -> Self {
        let mut errors = Self::new();
        errors.add(field, problem);
        errors
    }
    pub fn add(&mut self, field: impl Into<String>, problem: Problem) {
        self.0.push(FieldError {
            field: field.into(),
            problem,
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }
    /// `Ok(())` when nothing was collected, so callers can `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), AppError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self))
        }
    }
    /// Keeps the value of a parse, or records its problem under `field`.
    pub fn take<T>(&mut self, field: &str, parsed: Result<T, Problem>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(problem) => {
                self.add(field, problem);
                None
            }
        }
    }
}

/// One problem of one row of a bulk import. `row` is the row as the spreadsheet shows it:
/// an XLSX row's own number in the sheet, the line a spreadsheet shows a CSV row on (empty
/// lines counted, a quoted cell over several lines one row); a JSON array's first item is
/// row 2, as if a header were row 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub problem: Problem,
}

/// At most this many row problems are listed in one answer.
pub const MAX_REPORTED_ROW_ERRORS: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0:?}")]
    BadRequest(Problem),
    #[error("authentication required")]
    Unauthorized(Problem),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0:?}")]
    Conflict(Problem),
    /// A unique or exclusion constraint refused a write (409). Under PostgreSQL's
    /// serializable isolation this can also mean a concurrent transaction won a race the
    /// application's own check could not see yet: `db::write_tx` runs the transaction once
    /// more, and the check then answers with what it finds.
    #[error("duplicate: {0:?}")]
    Duplicate(Problem),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType(Problem),
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
    /// Not ready (the reason is for the log, never for the client).
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
    pub fn validation(field: &str, problem: Problem) -> Self {
        AppError::Validation(FieldErrors::single(field, problem))
    }
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(error.into())
    }
    /// A database error where a unique violation means `conflict` (a 409 that names what
    /// clashed); any other error maps as usual.
    pub fn unique_or(error: DieselError, conflict: impl FnOnce() -> Problem) -> Self {
        match AppError::from(error) {
            AppError::Duplicate(_) => AppError::Duplicate(conflict()),
            other => other,
        }
    }

    /// The problem that heads the answer (its code and words).
    pub fn problem(&self) -> Problem {
        match self {
            AppError::BadRequest(p)
            | AppError::Unauthorized(p)
            | AppError::Conflict(p)
            | AppError::Duplicate(p)
            | AppError::UnsupportedMediaType(p) => p.clone(),
            AppError::Forbidden => Problem::Forbidden,
            AppError::NotFound => Problem::NotFound,
            AppError::PayloadTooLarge => Problem::TooLarge,
            AppError::Validation(_) => Problem::Required,
            AppError::Rows { .. } => Problem::NoRows,
            AppError::TooManyRequests {
                retry_after_seconds,
            } => Problem::Locked {
                seconds: *retry_after_seconds,
            },
            AppError::Busy {
                retry_after_seconds,
            } => Problem::Busy {
                seconds: *retry_after_seconds,
            },
            AppError::Contended => Problem::Contended,
            AppError::Storage(_) => Problem::Storage,
            AppError::RequestTimeout => Problem::TooSlow,
            AppError::Unavailable(_) => Problem::Unavailable,
            AppError::Internal(_) => Problem::Internal,
        }
    }

    /// A problem for a bare status (used for actix's own error responses, e.g. 405).
    pub fn problem_for_status(status: StatusCode, locale: Locale) -> HttpResponse {
        let problem = match status.as_u16() {
            404 => Problem::NotFound,
            405 => Problem::MethodNotAllowed,
            413 => Problem::TooLarge,
            400 => Problem::BodyUnreadable,
            s if s >= 500 => Problem::Internal,
            _ => Problem::BodyUnreadable,
        };
        problem_response(status, locale, &problem, Body::Plain)
    }

    /// The answer in the reader's language.
    pub fn render(&self, locale: Locale) -> HttpResponse {
        let status = self.status_code();
        let mut response = match self {
            AppError::Validation(errors) => {
                problem_response(status, locale, &Problem::Required, Body::Fields(errors))
            }
            AppError::Rows { errors, .. } => {
                problem_response(status, locale, &Problem::NoRows, Body::Rows(errors))
            }
            other => {
                match other {
                    AppError::Unavailable(reason) => {
                        tracing::warn!(reason = %reason, "service unavailable")
                    }
                    AppError::Storage(reason) => tracing::error!(reason = %reason, "storage fault"),
                    AppError::Internal(error) => {
                        tracing::error!(error = format!("{error:#}"), "internal error")
                    }
                    _ => {}
                }
                problem_response(status, locale, &other.problem(), Body::Plain)
            }
        };
        let headers = response.headers_mut();
        match self {
            AppError::Unauthorized(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
            }
            AppError::TooManyRequests {
                retry_after_seconds,
            }
            | AppError::Busy {
                retry_after_seconds,
            } => {
                headers.insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(*retry_after_seconds),
                );
            }
            AppError::Contended => {
                headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            }
            AppError::RequestTimeout => {
                headers.insert(
                    header::CONNECTION,
                    header::HeaderValue::from_static("close"),
                );
            }
            _ => {}
        }
        response
    }
}

/// The problem type URN of a status (`urn:service-appraisal:problem:{kind}`).
fn kind_of(status: StatusCode, problem: &Problem) -> &'static str {
    if *problem == Problem::Storage {
        return "storage";
    }
    match status.as_u16() {
        400 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        408 => "request-timeout",
        409 => "conflict",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "validation",
        429 => "too-many-requests",
        503 => "unavailable",
        s if s >= 500 => "internal",
        _ => "error",
    }
}

/// The body of every error answer (RFC 9457, plus the machine codes).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    /// `urn:service-appraisal:problem:{kind}`.
    #[serde(rename = "type")]
    kind: String,
    /// What the status means, in the reader's language.
    title: String,
    status: u16,
    /// The stable machine name of the problem (`weights_sum`, `stale`, `locked`, …).
    code: &'static str,
    /// What is wrong, in the reader's language.
    detail: String,
    /// Field → reason in the reader's language, for 422 answers (`rows[N].column` for bulk
    /// imports, N as the spreadsheet numbers the row).
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<std::collections::BTreeMap<String, String>>,
    /// Each field's problem: the field's path and its label as the form names it, the code
    /// and the reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    field_errors: Option<Vec<FieldErrorBody>>,
    /// A refused bulk import's problems, row by row (numbered as the spreadsheet shows them).
    #[serde(skip_serializing_if = "Option::is_none")]
    row_errors: Option<Vec<RowErrorBody>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    field: String,
    label: String,
    code: &'static str,
    message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RowErrorBody {
    /// As the spreadsheet shows it: the sheet's row number for XLSX, the line a spreadsheet
    /// shows for CSV (empty lines counted), item n of a JSON array as row n + 1.
    row: usize,
    column: String,
    label: String,
    code: &'static str,
    message: String,
}

enum Body<'a> {
    Plain,
    Fields(&'a FieldErrors),
    Rows(&'a [RowError]),
}

fn problem_response(
    status: StatusCode,
    locale: Locale,
    problem: &Problem,
    body: Body<'_>,
) -> HttpResponse {
    let title = i18n::text(locale, &format!("status-{}", status.as_u16()));
    let mut out = ProblemBody {
        kind: format!("urn:service-appraisal:problem:{}", kind_of(status, problem)),
        title,
        status: status.as_u16(),
        code: problem.code(),
        detail: i18n::problem(locale, problem),
        errors: None,
        field_errors: None,
        row_errors: None,
    };
    match body {
        Body::Plain => {}
        Body::Fields(errors) => {
            out.code = "validation";
            out.detail = i18n::text(locale, "problem-fields");
            let mut map = std::collections::BTreeMap::new();
            let mut list = Vec::new();
            for e in errors.iter() {
                let message = i18n::problem(locale, &e.problem);
                map.entry(e.field.clone())
                    .and_modify(|m: &mut String| {
                        m.push_str("; ");
                        m.push_str(&message);
                    })
                    .or_insert_with(|| message.clone());
                list.push(FieldErrorBody {
                    label: i18n::field(locale, &e.field, None),
                    field: e.field.clone(),
                    code: e.problem.code(),
                    message,
                });
            }
            out.errors = Some(map);
            out.field_errors = Some(list);
        }
        Body::Rows(errors) => {
            let rows: std::collections::BTreeSet<usize> = errors.iter().map(|e| e.row).collect();
            let shown = &errors[..errors.len().min(MAX_REPORTED_ROW_ERRORS)];
            out.code = "rows";
            out.detail = i18n::format(
                locale,
                "problem-rows",
                vec![
                    ("rows", i18n::number(rows.len() as i64)),
                    ("more", i18n::number((errors.len() - shown.len()) as i64)),
                ],
            );
            let mut map = std::collections::BTreeMap::new();
            let mut list = Vec::new();
            for e in shown {
                let message = i18n::problem(locale, &e.problem);
                map.entry(format!("rows[{}].{}", e.row, e.column))
                    .and_modify(|m: &mut String| {
                        m.push_str("; ");
                        m.push_str(&message);
                    })
                    .or_insert_with(|| message.clone());
                list.push(RowErrorBody {
                    row: e.row,
                    label: i18n::field(locale, &e.column, None),
                    column: e.column.clone(),
                    code: e.problem.code(),
                    message,
                });
            }
            out.errors = Some(map);
            out.row_errors = Some(list);
        }
    }
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .insert_header((header::CONTENT_LANGUAGE, locale.as_str()))
        .body(serde_json::to_string(&out).expect("problem serialises"))
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

    /// English; [`localize`] answers again in the reader's language.
    fn error_response(&self) -> HttpResponse {
        self.render(Locale::En)
    }
}

/// The reader's language for the API: the first of zh (any Chinese) or en that the
/// `Accept-Language` header prefers; English when it names neither.
pub fn reader_locale(req: &HttpRequest) -> Locale {
    let header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Locale::negotiate(header).unwrap_or(Locale::En)
}

/// Middleware: an error answer (ours, made in English by `error_response`) is made again in
/// the language the request asks for. Actix's own answers (an unknown route) are made in it
/// by the app's bare-error handler.
pub async fn localize(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let locale = reader_locale(req.request());
    match next.call(req).await {
        Ok(response) => {
            let again = response
                .response()
                .error()
                .and_then(|e| e.as_error::<AppError>())
                .filter(|_| locale != Locale::En)
                .map(|e| e.render(locale));
            Ok(match again {
                Some(localized) => response.into_response(localized),
                None => response.map_into_boxed_body(),
            })
        }
        Err(error) => match error.as_error::<AppError>() {
            Some(app) if locale != Locale::En => {
                Err(actix_web::error::InternalError::from_response(
                    app.problem().code(),
                    app.render(locale),
                )
                .into())
            }
            _ => Err(error),
        },
    }
}

/// A body that could not be read: too large (413), too slow (408) or broken (400).
pub fn unreadable_body(error: actix_web::Error) -> AppError {
    match error.as_response_error().status_code().as_u16() {
        413 => AppError::PayloadTooLarge,
        408 => AppError::RequestTimeout,
        _ => AppError::BadRequest(Problem::BodyUnreadable),
    }
}

impl From<crate::domain::problem::Problems> for AppError {
    fn from(problems: crate::domain::problem::Problems) -> Self {
        let mut errors = FieldErrors::new();
        for (field, problem) in problems {
            errors.add(field, problem);
        }
        AppError::Validation(errors)
    }
}

impl From<DieselError> for AppError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => AppError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::Duplicate(Problem::Duplicate)
            }
            DieselError::DatabaseError(DatabaseErrorKind::ExclusionViolation, _) => {
                AppError::Duplicate(Problem::Duplicate)
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
                    AppError::Duplicate(Problem::Duplicate)
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
        assert_eq!(body["code"], "internal");
    }

    #[test]
    fn validation_lists_fields_with_codes_in_the_readers_language() {
        let mut errors = FieldErrors::new();
        errors.add("email", Problem::NotEmail);
        errors.add("email", Problem::TooLong { max: 254 });
        errors.add("weights", Problem::WeightsSum { sum: 110 });
        let response = AppError::Validation(errors.clone()).render(Locale::En);
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        let body = body_of(response);
        assert_eq!(
            body["errors"]["email"],
            "is not a valid email address; must have at most 254 characters"
        );
        assert_eq!(body["field_errors"][2]["code"], "weights_sum");
        assert_eq!(body["field_errors"][2]["label"], "Weights");
        let chinese = body_of(AppError::Validation(errors).render(Locale::ZhCn));
        assert_eq!(
            chinese["errors"]["weights"],
            "权重合计必须为 100（当前为 110）"
        );
        assert_eq!(chinese["field_errors"][2]["label"], "权重");
        assert_eq!(chinese["title"], "无法处理的内容");
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
