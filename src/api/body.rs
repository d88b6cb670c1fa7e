//! Request parsing at the edge: JSON bodies and query strings become typed values or a
//! problem that names the field.

use std::collections::HashMap;

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::{AppError, FieldErrors};
use crate::store::Page;

pub const MAX_PAGE_SIZE: i64 = 200;
pub const DEFAULT_PAGE_SIZE: i64 = 50;

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

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return Err(AppError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code() == 413 {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest("the request body could not be read".into())
                }
            })?;
            parse_json(&bytes).map(JsonBody)
        })
    }
}

/// Parses an object body: unreadable JSON → 400; anything but an object, or an object of
/// the wrong shape → 422 naming the field. (serde's derive would otherwise take an array
/// for a struct.)
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest(format!("malformed JSON: {e}")))?;
    if !value.is_object() {
        return Err(AppError::validation("body", "must be a JSON object"));
    }
    if let Some(path) = nul_string(&value, String::new()) {
        return Err(AppError::validation(&path, NUL_REFUSED));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        json_shape_error(&path, e.inner())
    })
}

const NUL_REFUSED: &str = "must not contain the character U+0000";

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

/// serde names a missing or unknown field only in its message; lift it into the field map.
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
        return AppError::validation(&under(field), "is required");
    }
    if let Some(field) = quoted("unknown field `") {
        // Here the path already ends at the unknown field.
        let named = if path.ends_with(field.as_str()) {
            path.to_owned()
        } else {
            under(field)
        };
        return AppError::validation(&named, "is not a known field");
    }
    let field = if path == "." { "body" } else { path };
    AppError::validation(field, message)
}

/// For PATCH bodies: tells "absent" (`None`) from "null" (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Query-string parameters, parsed field by field so errors can name them.
pub struct QueryParams(HashMap<String, String>);

impl QueryParams {
    pub fn from_request(req: &HttpRequest) -> Result<QueryParams, AppError> {
        web::Query::<HashMap<String, String>>::from_query(req.query_string())
            .map(|q| QueryParams(q.into_inner()))
            .map_err(|_| AppError::BadRequest("the query string could not be read".into()))
    }

    /// Refuses parameters outside `known`, so a misspelt filter is not silently ignored.
    pub fn only(&self, known: &[&str], errors: &mut FieldErrors) {
        for name in self.0.keys() {
            if !known.contains(&name.as_str()) {
                errors.add(name, "is not a known parameter");
            }
        }
    }

    pub fn text(&self, name: &str, max: usize, errors: &mut FieldErrors) -> Option<String> {
        let value = self.0.get(name)?;
        if value.contains('\0') {
            errors.add(name, NUL_REFUSED);
            return None;
        }
        if value.chars().count() > max {
            errors.add(name, format!("must have at most {max} characters"));
            return None;
        }
        Some(value.clone())
    }

    pub fn int(&self, name: &str, min: i64, max: i64, errors: &mut FieldErrors) -> Option<i64> {
        let raw = self.0.get(name)?;
        match raw.trim().parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                errors.add(name, format!("must be a whole number from {min} to {max}"));
                None
            }
        }
    }

    pub fn id(&self, name: &str, errors: &mut FieldErrors) -> Option<i32> {
        self.int(name, 1, i64::from(i32::MAX), errors)
            .map(|n| n as i32)
    }

    pub fn boolean(&self, name: &str, errors: &mut FieldErrors) -> Option<bool> {
        match self.0.get(name)?.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => {
                errors.add(name, "must be true or false");
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

    fn field_error(result: Result<Sample, AppError>) -> (String, String) {
        match result {
            Err(AppError::Validation(errors)) => {
                let json = serde_json::to_value(&errors).unwrap();
                let (k, v) = json.as_object().unwrap().iter().next().unwrap();
                (k.clone(), v.as_str().unwrap().to_owned())
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn missing_unknown_and_mistyped_fields_are_named() {
        let (field, reason) = field_error(parse_json(br#"{"email":"a@b.co"}"#));
        assert_eq!(
            (field.as_str(), reason.as_str()),
            ("department_id", "is required")
        );
        let (field, _) = field_error(parse_json(
            br#"{"email":"a@b.co","department_id":1,"departmnt":2}"#,
        ));
        assert_eq!(field, "departmnt");
        let (field, reason) = field_error(parse_json(br#"{"email":"a@b.co","department_id":"x"}"#));
        assert_eq!(field, "department_id");
        assert!(reason.contains("invalid type"), "{reason}");
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(
            parse_json::<Sample>(b"{\"email\":"),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Sample>(br#"{"email":"a@b.co","department_id":1} trailing"#),
            Err(AppError::BadRequest(_))
        ));
    }

    #[test]
    fn nul_characters_are_refused_wherever_they_are() {
        let (field, reason) = field_error(parse_json(br#"{"email":"a\u0000b","department_id":1}"#));
        assert_eq!((field.as_str(), reason.as_str()), ("email", NUL_REFUSED));
        let nested: Result<serde_json::Value, _> = parse_json(br#"{"a":{"b":[1,"x\u0000"]}}"#);
        assert!(
            matches!(&nested, Err(AppError::Validation(e)) if serde_json::to_value(e).unwrap()["a.b[1]"] == NUL_REFUSED),
            "{nested:?}"
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
