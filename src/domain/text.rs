//! Text rules, each with the JSON Schema that describes it exactly, so the OpenAPI
//! document promises what the server enforces (lengths count characters as sent).
//!
//! - a **line** (references, grades): not blank, no control characters, at most `MAX`
//!   characters; stored trimmed;
//! - a **name** (of a person, a department, a cycle, a checklist and its items): a line
//!   with one visible character at least, and no bidirectional control character (which
//!   would make a list show other text than it holds);
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

/// The bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
const BIDI: &str = r"\u202A-\u202E\u2066-\u2069";

fn bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: Unicode's White_Space, Cc and Default_Ignorable_Code_Point
/// (zero-width spaces and joiners, Hangul fillers, variation selectors, tags…), from
/// regex-syntax's Unicode tables, plus U+2800 (the blank Braille pattern, a symbol that
/// draws nothing).
fn invisible_ranges() -> &'static [(char, char)] {
    static RANGES: std::sync::LazyLock<Vec<(char, char)>> = std::sync::LazyLock::new(|| {
        use regex_syntax::hir::{Class, HirKind};
        let hir = regex_syntax::Parser::new()
            .parse(r"[\p{White_Space}\p{Cc}\p{Default_Ignorable_Code_Point}\x{2800}]")
            .expect("the class of invisible characters parses");
        match hir.kind() {
            HirKind::Class(Class::Unicode(class)) => class
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect(),
            other => unreachable!("a Unicode class, not {other:?}"),
        }
    });
    &RANGES
}

pub fn invisible(c: char) -> bool {
    let ranges = invisible_ranges();
    let at = ranges.partition_point(|(_, end)| *end < c);
    ranges.get(at).is_some_and(|(start, _)| *start <= c)
}

/// [`invisible_ranges`] as a regex class body: BMP characters escaped (`\uXXXX`), others
/// written as themselves, which Rust's and Python's regexes both read as one character.
fn invisible_class() -> String {
    invisible_ranges()
        .iter()
        .map(|&(start, end)| {
            let one = |c: char| {
                if (c as u32) < 0x10000 {
                    format!("\\u{:04X}", c as u32)
                } else {
                    c.to_string()
                }
            };
            if start == end {
                one(start)
            } else {
                format!("{}-{}", one(start), one(end))
            }
        })
        .collect()
}

/// Control characters free text refuses: all but tab, line feed and carriage return.
const TEXT_CONTROL: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";

/// The regex of a line: no control character, and one character at least that is not
/// white space.
pub fn line_pattern() -> String {
    format!("^[^{CONTROL}]*[^{CONTROL}{SPACE}][^{CONTROL}]*$")
}

/// The regex of a name: no control or bidirectional control character, and one visible
/// character at least.
pub fn name_pattern() -> String {
    let invisible = invisible_class();
    format!("^[^{CONTROL}{BIDI}]*[^{CONTROL}{BIDI}{invisible}][^{CONTROL}{BIDI}]*$")
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

/// A name: a [`line`] that shows something and cannot reorder what is around it.
pub fn name(value: &str, max: usize) -> Result<String, Problem> {
    let line = line(value, max)?;
    if value.chars().any(bidi_control) {
        return Err(Problem::BidiControl);
    }
    if value.chars().all(invisible) {
        return Err(Problem::NothingVisible);
    }
    Ok(line)
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

/// Schema of [`name`]; `NULL` for optional fields where null means "absent".
pub fn name_schema<const MAX: usize, const NULL: bool>() -> RefOr<Schema> {
    schema(
        string(NULL)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .pattern(Some(name_pattern())),
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
                Just('\u{200b}'),
                Just('\u{202e}'),
                Just('\u{2067}'),
                Just('\u{2800}'),
                Just('\u{3164}'),
                Just('\u{e0041}'),
                Just('\u{1d173}'),
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
        fn name_schema_matches_the_rule(value in chars()) {
            let pattern = regex::Regex::new(&name_pattern()).unwrap();
            let documented = pattern.is_match(&value) && value.chars().count() <= 5;
            prop_assert_eq!(documented, name(&value, 5).is_ok(), "{:?}", value);
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
    fn names_must_show_something_and_keep_their_order() {
        assert_eq!(name(" 李娜 ", 10), Ok("李娜".into()));
        assert_eq!(name("\u{200b}", 10), Err(Problem::NothingVisible));
        assert_eq!(name("\u{3164}\u{feff}", 10), Err(Problem::NothingVisible));
        assert_eq!(name("\u{202e}evil", 10), Err(Problem::BidiControl));
        assert_eq!(name("a\u{2066}b", 10), Err(Problem::BidiControl));
        assert_eq!(name("   ", 10), Err(Problem::Empty));
        // A zero-width joiner inside a visible name is fine (emoji, Indic scripts).
        assert!(name("a\u{200d}b", 10).is_ok());
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

/// How names are put in order, as a Chinese office expects: by the pinyin of each character
/// (李 li, 刘 liu, 王 wang, 张 zhang; the `pinyin` crate's table), other letters in lower
/// case, so Latin and Chinese names interleave by sound.
pub fn name_order(name: &str) -> String {
    use pinyin::ToPinyin;
    let mut key = String::with_capacity(name.len() * 2);
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => {
                key.push_str(p.plain());
                key.push(' ');
            }
            None => key.extend(c.to_lowercase()),
        }
    }
    key
}

#[cfg(test)]
mod name_order_tests {
    use super::name_order;

    #[test]
    fn chinese_names_sort_by_pinyin() {
        let mut names = vec!["张伟", "王芳", "李娜", "刘洋", "Ann", "陈杰"];
        names.sort_by_key(|n| name_order(n));
        assert_eq!(names, ["Ann", "陈杰", "李娜", "刘洋", "王芳", "张伟"]);
    }
}
