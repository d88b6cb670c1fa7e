//! Text rules, each with the JSON Schema that describes it exactly, so the OpenAPI
//! document promises what the server enforces (lengths count characters as sent).
//!
//! - a **line** (names, titles, references): not blank, no control characters, at most
//!   `MAX` characters; stored trimmed;
//! - **free text** (comments, notes): at most `MAX` characters; tabs and line breaks are the
//!   only control characters allowed; blank means "none";
//! - **required text** (an appeal's reason): free text that is not blank.
//!
//! No string anywhere may hold U+0000 (PostgreSQL cannot store it); the edge refuses it in
//! any body or query string, so the rules here need not repeat it.

use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};

use super::problem::Problem;
use utoipa::openapi::{RefOr, Schema};

/// Rust's `char::is_whitespace` (Unicode White_Space), as a regex class body.
pub(crate) const SPACE: &str =
    r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// Rust's `char::is_control` (Unicode Cc), as a regex class body.
pub(crate) const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";

/// Control characters free text refuses: all but tab, line feed and carriage return.
const TEXT_CONTROL: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";

/// The regex of a line: no control character, and one character at least that is not
/// white space.
pub fn line_pattern() -> String {
    format!("^[^{CONTROL}]*[^{CONTROL}{SPACE}][^{CONTROL}]*$")
}

/// The regex of free text.
pub fn free_text_pattern() -> String {
    format!("^[^{TEXT_CONTROL}]*$")
}

/// The regex of required text: free text with one character at least that is not white
/// space.
pub fn required_text_pattern() -> String {
    format!("^[^{TEXT_CONTROL}]*[^{TEXT_CONTROL}{SPACE}][^{TEXT_CONTROL}]*$")
}

/// The regex of a secret that is not blank and holds no U+0000 (new passwords).
pub fn secret_pattern() -> String {
    format!(r"^[^\x00]*[^\x00{SPACE}][^\x00]*$")
}

fn text_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

pub fn line(value: &str, max: usize) -> Result<String, Problem> {
    if value.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    if value.chars().any(char::is_control) {
        return Err(Problem::ControlCharacters);
    }
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Problem::Empty);
    }
    Ok(trimmed.to_owned())
}

/// Optional free text: trimmed; blank becomes `None`.
pub fn free_text(value: Option<&str>, max: usize) -> Result<Option<String>, Problem> {
    let Some(value) = value else { return Ok(None) };
    if value.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    if value.chars().any(text_control) {
        return Err(Problem::ControlCharactersInText);
    }
    let trimmed = value.trim();
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

pub fn required_text(value: &str, max: usize) -> Result<String, Problem> {
    free_text(Some(value), max)?.ok_or(Problem::Empty)
}

/// A string schema; `nullable` for fields where null means "absent".
pub(crate) fn string(nullable: bool) -> ObjectBuilder {
    let kind = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new().schema_type(kind)
}

pub(crate) fn schema(builder: ObjectBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Object(builder.build()))
}

/// Schema of [`line`]; `NULL` for optional fields where null means "absent".
pub fn line_schema<const MAX: usize, const NULL: bool>() -> RefOr<Schema> {
    schema(
        string(NULL)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .pattern(Some(line_pattern())),
    )
}

/// Schema of [`free_text`] (null or absent means none).
pub fn free_text_schema<const MAX: usize>() -> RefOr<Schema> {
    schema(
        string(true)
            .max_length(Some(MAX))
            .pattern(Some(free_text_pattern())),
    )
}

/// Schema of [`required_text`].
pub fn required_text_schema<const MAX: usize>() -> RefOr<Schema> {
    schema(
        string(false)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .pattern(Some(required_text_pattern())),
    )
}

/// For bodies that change something: tells "absent" (`None`) from "null" (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chars() -> impl Strategy<Value = String> {
        // Spaces, controls, line breaks, non-ASCII white space, letters, CJK.
        proptest::collection::vec(
            prop_oneof![
                Just(' '),
                Just('\t'),
                Just('\n'),
                Just('\u{0}'),
                Just('\r'),
                Just('\u{7}'),
                Just('\u{85}'),
                Just('\u{a0}'),
                Just('\u{3000}'),
                Just('\u{1c}'),
                Just('\u{feff}'),
                Just('a'),
                Just('客'),
                any::<char>(),
            ],
            0..8,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        /// The documented pattern and lengths accept exactly what the rule accepts.
        #[test]
        fn line_schema_matches_the_rule(value in chars()) {
            let pattern = regex::Regex::new(&line_pattern()).unwrap();
            let documented = pattern.is_match(&value) && value.chars().count() <= 5;
            prop_assert_eq!(documented, line(&value, 5).is_ok(), "{:?}", value);
        }

        #[test]
        fn required_text_schema_matches_the_rule(value in chars()) {
            let pattern = regex::Regex::new(&required_text_pattern()).unwrap();
            let documented = pattern.is_match(&value) && value.chars().count() <= 5;
            prop_assert_eq!(documented, required_text(&value, 5).is_ok(), "{:?}", value);
        }

        #[test]
        fn free_text_schema_matches_the_rule(value in chars()) {
            let pattern = regex::Regex::new(&free_text_pattern()).unwrap();
            let documented = pattern.is_match(&value) && value.chars().count() <= 5;
            prop_assert_eq!(documented, free_text(Some(&value), 5).is_ok(), "{:?}", value);
        }
    }

    #[test]
    fn lengths_count_what_was_sent() {
        assert_eq!(line(" Front desk ", 12), Ok("Front desk".into()));
        assert!(line(" Front desk  ", 12).is_err());
        assert!(line("a\tb", 10).is_err());
        assert!(line("   ", 10).is_err());
        assert_eq!(free_text(Some("  "), 10), Ok(None));
        assert_eq!(
            free_text(Some(" two\nlines "), 11),
            Ok(Some("two\nlines".into()))
        );
        assert!(free_text(Some(&"x".repeat(11)), 10).is_err());
        assert!(required_text(" \n ", 10).is_err());
    }
}
