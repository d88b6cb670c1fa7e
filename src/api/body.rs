//! Request parsing at the edge: JSON bodies and query strings become typed values or a
//! problem that names the field.

use std::collections::HashMap;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
#[cfg(test)]
use serde::Deserialize;

use crate::app::view::Page;
use crate::domain::problem::Problem;
use crate::error::{AppError, FieldErrors};

pub const MAX_PAGE_SIZE: i64 = 200;
pub const DEFAULT_PAGE_SIZE: i64 = 50;

/// `limit` and `offset` of every list (for the OpenAPI document; read by
/// [`QueryParams::page`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// At most 200; 50 when absent.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(minimum = 0, maximum = 2147483647)]
    pub offset: Option<i64>,
}

/// A JSON request body. Wrong media type → 415, unreadable JSON → 400, JSON of the wrong
/// shape → 422 naming the field, too large → 413 (limit: the app's `PayloadConfig`).
pub struct JsonBody<T>(pub T);

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| {
            let essence = essence.trim().to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
        .unwrap_or(false)
}

pub use crate::error::unreadable_body as unreadable;

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(AppError::UnsupportedMediaType(Problem::MediaType {
                    expected: "application/json",
                }));
            }
            let bytes = bytes.await.map_err(unreadable)?;
            parse_json(&bytes).map(JsonBody)
        })
    }
}

/// Parses an object body: unreadable JSON → 400; anything but an object, or an object of
/// the wrong shape → 422 naming the field. (serde's derive would otherwise take an array
/// for a struct.)
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        AppError::BadRequest(Problem::MalformedJson {
            line: e.line(),
            column: e.column(),
        })
    })?;
    if !value.is_object() {
        return Err(AppError::validation("body", Problem::NotJsonObject));
    }
    if let Some(path) = nul_string(&value, String::new()) {
        return Err(AppError::validation(&path, Problem::NulCharacter));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        json_shape_error(&path, e.inner())
    })
}

/// The path of the first string (value or key) that holds U+0000, which no field accepts
/// and PostgreSQL cannot store.
fn nul_string(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    let field = |p: &str| {
        if p.is_empty() {
            "body".to_owned()
        } else {
            p.to_owned()
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => Some(field(&path)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| nul_string(v, format!("{}[{i}]", field(&path)))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(child)
            } else {
                nul_string(v, child)
            }
        }),
        _ => None,
    }
}

/// serde says what went wrong only in its message (a missing or unknown field, a value of
/// the wrong type); read it into the field and a typed problem.
fn json_shape_error(path: &str, error: &serde_json::Error) -> AppError {
    let message = error.to_string();
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    let under = |field: String| {
        if path == "." {
            field
        } else {
            format!("{path}.{field}")
        }
    };
    if let Some(field) = quoted("missing field `") {
        return AppError::validation(&under(field), Problem::Required);
    }
    if let Some(field) = quoted("unknown field `") {
        // Here the path already ends at the unknown field.
        let named = if path.ends_with(field.as_str()) {
            path.to_owned()
        } else {
            under(field)
        };
        return AppError::validation(&named, Problem::UnknownField);
    }
    let field = if path == "." { "body" } else { path };
    AppError::validation(field, wrong_value(&message))
}

/// The problem of a value serde refused, from what it expected.
fn wrong_value(message: &str) -> Problem {
    if message.starts_with("unknown variant") {
        return Problem::UnknownValue;
    }
    let expected = message
        .split_once("expected ")
        .map_or("", |(_, rest)| rest)
        .split(" at line")
        .next()
        .unwrap_or("");
    if [
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "integer",
    ]
    .iter()
    .any(|t| expected.contains(t))
    {
        Problem::NotWholeNumber
    } else if expected.contains("boolean") {
        Problem::NotBoolean
    } else if expected.contains("sequence") {
        Problem::NotList
    } else if expected.contains("string") || expected.contains("char") {
        Problem::NotText
    } else if [
        "premature end of input",
        "input contains invalid",
        "input is out of range",
    ]
    .iter()
    .any(|m| message.contains(m))
    {
        // chrono's words for a date it could not read.
        Problem::NotDate
    } else {
        Problem::WrongShape
    }
}

pub use crate::domain::text::double_option;

/// Query-string parameters, parsed field by field so errors can name them.
pub struct QueryParams(HashMap<String, String>);

impl QueryParams {
    pub fn from_request(req: &HttpRequest) -> Result<QueryParams, AppError> {
        web::Query::<HashMap<String, String>>::from_query(req.query_string())
            .map(|q| QueryParams(q.into_inner()))
            .map_err(|_| AppError::BadRequest(Problem::QueryUnreadable))
    }

    /// Refuses parameters outside `known`, so a misspelt filter is not silently ignored.
    pub fn only(&self, known: &[&str], errors: &mut FieldErrors) {
        for name in self.0.keys() {
            if !known.contains(&name.as_str()) {
                errors.add(name, Problem::UnknownParameter);
            }
        }
    }

    pub fn text(&self, name: &str, max: usize, errors: &mut FieldErrors) -> Option<String> {
        let value = self.0.get(name)?;
        if value.contains('\0') {
            errors.add(name, Problem::NulCharacter);
            return None;
        }
        if value.chars().count() > max {
            errors.add(name, Problem::TooLong { max });
            return None;
        }
        Some(value.clone())
    }

    /// A value read by `parse` (a state, a kind); its problem is recorded under `name`.
    pub fn parsed<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, Problem>,
        errors: &mut FieldErrors,
    ) -> Option<T> {
        let raw = self.0.get(name)?;
        errors.take(name, parse(raw))
    }

    pub fn int(&self, name: &str, min: i64, max: i64, errors: &mut FieldErrors) -> Option<i64> {
        let raw = self.0.get(name)?;
        match raw.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                errors.add(name, Problem::OutOfRange { min, max });
                None
            }
        }
    }

    pub fn id(&self, name: &str, errors: &mut FieldErrors) -> Option<i32> {
        let raw = self.0.get(name)?;
        match raw.trim().parse::<i32>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                errors.add(name, Problem::NotPositiveId);
                None
            }
        }
    }

    pub fn boolean(&self, name: &str, errors: &mut FieldErrors) -> Option<bool> {
        match self.0.get(name)?.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                errors.add(name, Problem::NotBoolean);
                None
            }
        }
    }

    pub fn page(&self, errors: &mut FieldErrors) -> Page {
        Page {
            limit: self
                .int("limit", 1, MAX_PAGE_SIZE, errors)
                .unwrap_or(DEFAULT_PAGE_SIZE),
            offset: self
                .int("offset", 0, i64::from(i32::MAX), errors)
                .unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        email: String,
        department_id: i32,
        #[serde(default, deserialize_with = "double_option")]
        manager_id: Option<Option<i32>>,
    }

    fn field_error<T: std::fmt::Debug>(result: Result<T, AppError>) -> (String, Problem) {
        match result {
            Err(AppError::Validation(errors)) => {
                let first = errors.iter().next().unwrap();
                (first.field.clone(), first.problem.clone())
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn missing_unknown_and_mistyped_fields_are_named() {
        assert_eq!(
            field_error(parse_json::<Sample>(br#"{"email":"a@b.co"}"#)),
            ("department_id".into(), Problem::Required)
        );
        assert_eq!(
            field_error(parse_json::<Sample>(
                br#"{"email":"a@b.co","department_id":1,"departmnt":2}"#,
            )),
            ("departmnt".into(), Problem::UnknownField)
        );
        assert_eq!(
            field_error(parse_json::<Sample>(
                br#"{"email":"a@b.co","department_id":"x"}"#
            )),
            ("department_id".into(), Problem::NotWholeNumber)
        );
        assert_eq!(
            field_error(parse_json::<Sample>(br#"{"email":5,"department_id":1}"#)),
            ("email".into(), Problem::NotText)
        );
    }

    #[test]
    fn malformed_json_is_a_bad_request_that_says_where() {
        assert!(matches!(
            parse_json::<Sample>(b"{\"email\":"),
            Err(AppError::BadRequest(Problem::MalformedJson { line: 1, .. }))
        ));
        assert!(matches!(
            parse_json::<Sample>(br#"{"email":"a@b.co","department_id":1} trailing"#),
            Err(AppError::BadRequest(Problem::MalformedJson { .. }))
        ));
    }

    #[test]
    fn nul_characters_are_refused_wherever_they_are() {
        assert_eq!(
            field_error(parse_json::<Sample>(
                br#"{"email":"a\u0000b","department_id":1}"#
            )),
            ("email".into(), Problem::NulCharacter)
        );
        assert_eq!(
            field_error(parse_json::<serde_json::Value>(
                br#"{"a":{"b":[1,"x\u0000"]}}"#
            )),
            ("a.b[1]".into(), Problem::NulCharacter)
        );
    }

    #[test]
    fn null_and_absent_differ_in_patches() {
        let absent: Sample = parse_json(br#"{"email":"a@b.co","department_id":1}"#).unwrap();
        assert_eq!(absent.manager_id, None);
        let null: Sample =
            parse_json(br#"{"email":"a@b.co","department_id":1,"manager_id":null}"#).unwrap();
        assert_eq!(null.manager_id, Some(None));
    }
}
