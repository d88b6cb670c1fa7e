//! Bulk evidence rows, shared by the API (a JSON array or `text/csv`) and the HR pages (an
//! uploaded CSV file): each row becomes named cells; typed parsing collects every row's
//! problems with its number as the spreadsheet shows it (the header is row 1, the first
//! row of data row 2; a JSON array's first item is row 2 as well, so one import names the
//! same rows in either form) so nothing is applied on any error. One parser per kind of
//! evidence, so both doors read rows alike.

mod people;

pub use people::{people, PersonRow, PEOPLE_COLUMNS};

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;

use crate::domain::cycle::parse_sheet_date;
use crate::domain::evidence::{
    parse_amount, parse_channel, parse_external_ref, parse_rating, parse_target, parse_yuan,
};
use crate::domain::problem::Problem;
use crate::domain::user::{parse_employee_number, Email, PersonRef};
use crate::error::{AppError, RowError};
use crate::store::evidence::{DatedRow, Response, Sale, TargetRow};

/// Large enough for 100k CSV rows of evidence.
pub const IMPORT_BODY_LIMIT: usize = 32 * 1024 * 1024;
pub const MAX_IMPORT_ROWS: usize = 200_000;
pub const MAX_COLUMNS: usize = 20;
const MAX_CELL_CHARS: usize = 2_000;

#[derive(Debug, Clone)]
pub enum Cell {
    Json(Value),
    Text(String),
}

pub struct Row {
    /// As the spreadsheet numbers it (the header is row 1).
    pub number: usize,
    cells: Cells,
}

/// A row's cells by column name. A row has a few columns, so a list searched in order is
/// cheaper than a map (a file of 100,000 rows built 600,000 keys and hashed them); the
/// column names are shared by every row of a file.
#[derive(Debug, Clone, Default)]
struct Cells(Vec<(Arc<str>, Cell)>);

impl Cells {
    fn get(&self, column: &str) -> Option<&Cell> {
        self.0.iter().find(|(k, _)| &**k == column).map(|(_, c)| c)
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }
}

impl FromIterator<(Arc<str>, Cell)> for Cells {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, Cell)>>(cells: I) -> Cells {
        Cells(cells.into_iter().collect())
    }
}

/// The rows, or every row's problems (nothing is applied when any row has one).
fn all_or_none<T>(rows: Vec<T>, problems: Vec<RowError>) -> Result<Vec<T>, AppError> {
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(AppError::Rows {
            conflict: false,
            errors: problems,
        })
    }
}

fn too_many_rows() -> AppError {
    AppError::validation(
        "body",
        Problem::TooManyRows {
            max: MAX_IMPORT_ROWS,
        },
    )
}

/// The spreadsheet's number of the `i`-th row of data (from 0): the header is row 1.
fn spreadsheet_row(i: usize) -> usize {
    i + 2
}

pub fn rows_from_json(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        AppError::BadRequest(Problem::MalformedJson {
            line: e.line(),
            column: e.column(),
        })
    })?;
    let Value::Array(items) = value else {
        return Err(AppError::validation("body", Problem::NotJsonArray));
    };
    if items.len() > MAX_IMPORT_ROWS {
        return Err(too_many_rows());
    }
    let mut rows = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let number = spreadsheet_row(i);
        match item {
            Value::Object(map) if map.len() <= MAX_COLUMNS => rows.push(Row {
                number,
                cells: map
                    .into_iter()
                    .map(|(k, v)| (Arc::from(k), Cell::Json(v)))
                    .collect(),
            }),
            Value::Object(_) => problems.push(row_error(number, "row", Problem::RowTooManyFields)),
            _ => problems.push(row_error(number, "row", Problem::RowNotObject)),
        }
    }
    all_or_none(rows, problems)
}

/// The forms a bulk upload comes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Json,
    /// With the `charset` the sender named, if any.
    Csv {
        charset: Option<String>,
    },
    Xlsx,
}

impl Format {
    /// The media type `text/csv`, `application/json` or XLSX's (with a charset parameter
    /// for CSV); None for any other.
    pub fn of_media_type(content_type: &str) -> Option<Format> {
        let mut parts = content_type.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let charset = parts
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
        match essence.as_str() {
            "application/json" => Some(Format::Json),
            "text/csv" => Some(Format::Csv { charset }),
            XLSX_MEDIA_TYPE => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// An uploaded file, by its content: XLSX files are ZIP archives, anything else is
    /// read as CSV.
    pub fn of_file(bytes: &[u8]) -> Format {
        if bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv { charset: None }
        }
    }
}

pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The rows of an upload in any of its forms.
pub fn rows_from(bytes: &[u8], format: &Format) -> Result<Vec<Row>, AppError> {
    match format {
        Format::Json => rows_from_json(bytes),
        Format::Csv { charset } => rows_from_csv_text(&decode_csv(bytes, charset.as_deref())?),
        Format::Xlsx => rows_from_xlsx(bytes),
    }
}

/// A CSV file's text: UTF-8 with or without a byte-order mark, or GB18030 (of which GBK
/// and GB2312 are subsets), as Excel in China saves it; a `charset` named by the sender
/// decides, else UTF-8 when the bytes are valid UTF-8, else GB18030. Bytes that are
/// neither are refused, never replaced.
pub fn decode_csv(bytes: &[u8], charset: Option<&str>) -> Result<String, AppError> {
    let unreadable = || AppError::validation("file", Problem::NotUtf8OrGb18030);
    let gb = |bytes: &[u8]| {
        let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
        if had_errors {
            Err(unreadable())
        } else {
            Ok(text.into_owned())
        }
    };
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8(rest.to_vec()).map_err(|_| unreadable());
    }
    match charset {
        Some("gb18030" | "gbk" | "gb2312" | "cp936") => gb(bytes),
        Some("utf-8" | "utf8") => String::from_utf8(bytes.to_vec()).map_err(|_| unreadable()),
        Some(_) => Err(AppError::UnsupportedMediaType(Problem::MediaType {
            expected: "text/csv; charset=utf-8 or gb18030",
        })),
        None => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => gb(bytes),
        },
    }
}

/// The first sheet of an XLSX workbook: the first row names the columns. Dates come as
/// `YYYY-MM-DD`, whole numbers as numbers, other numbers as the shortest text that reads
/// back as the same number (so `1234.56` stays `1234.56`).
pub fn rows_from_xlsx(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    use calamine::{Data, Reader};
    let unreadable = || AppError::validation("file", Problem::UploadUnreadable);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())?;
    let mut lines = range.rows();
    let Some(header) = lines.next() else {
        return Err(AppError::validation("header", Problem::NoHeader));
    };
    let text = |cell: &Data| -> String {
        match cell {
            Data::Empty => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
            Data::Int(n) => n.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => format!("{f}"),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => d
                .as_datetime()
                .map(|d| d.date().format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            Data::Error(_) => String::new(),
        }
    };
    let headers: Vec<String> = header.iter().map(text).collect();
    check_headers(&headers)?;
    let names: Vec<Arc<str>> = headers.iter().map(|h| Arc::from(h.as_str())).collect();
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate() {
        if line.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        if rows.len() >= MAX_IMPORT_ROWS {
            return Err(too_many_rows());
        }
        rows.push(Row {
            number: spreadsheet_row(i),
            cells: names
                .iter()
                .zip(line.iter())
                .filter(|(h, _)| !h.is_empty())
                .map(|(h, c)| (h.clone(), Cell::Text(text(c))))
                .collect(),
        });
    }
    Ok(rows)
}

/// The header row names each column once, and not too many.
fn check_headers(headers: &[String]) -> Result<(), AppError> {
    if headers.is_empty() || headers.iter().all(String::is_empty) {
        return Err(AppError::validation("header", Problem::NoHeader));
    }
    if headers.len() > MAX_COLUMNS {
        return Err(AppError::validation(
            "header",
            Problem::TooManyColumns { max: MAX_COLUMNS },
        ));
    }
    // Two columns of one name would leave it to chance which one a row's value comes from.
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = headers
        .iter()
        .find(|h| !h.is_empty() && !seen.insert(h.as_str()))
    {
        return Err(AppError::validation(
            "header",
            Problem::ColumnTwice {
                column: twice.clone(),
            },
        ));
    }
    Ok(())
}

/// CSV bytes in UTF-8 or GB18030, told apart as [`decode_csv`] does.
pub fn rows_from_csv(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    rows_from_csv_text(&decode_csv(bytes, None)?)
}

fn rows_from_csv_text(text: &str) -> Result<Vec<Row>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|_| AppError::BadRequest(Problem::HeaderUnreadable))?
        .iter()
        .map(str::to_owned)
        .collect();
    check_headers(&headers)?;
    let names: Vec<Arc<str>> = headers.iter().map(|h| Arc::from(h.as_str())).collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let number = spreadsheet_row(i);
        if rows.len() + problems.len() >= MAX_IMPORT_ROWS {
            return Err(too_many_rows());
        }
        match record {
            Ok(record) => rows.push(Row {
                number,
                cells: names
                    .iter()
                    .cloned()
                    .zip(record.iter().map(|v| Cell::Text(v.to_owned())))
                    .collect(),
            }),
            Err(_) => problems.push(row_error(number, "row", Problem::RowUnreadable)),
        }
    }
    all_or_none(rows, problems)
}

fn row_error(row: usize, column: &str, problem: Problem) -> RowError {
    RowError {
        row,
        column: column.to_owned(),
        problem,
    }
}

/// Typed access to a row's cells, recording problems as it goes.
pub struct RowReader<'a> {
    row: &'a Row,
    pub problems: &'a mut Vec<RowError>,
}

impl<'a> RowReader<'a> {
    pub fn new(row: &'a Row, known: &[&str], problems: &'a mut Vec<RowError>) -> Self {
        let mut unknown: Vec<&str> = row.cells.keys().filter(|k| !known.contains(k)).collect();
        unknown.sort();
        for column in unknown {
            problems.push(row_error(row.number, column, Problem::UnknownColumn));
        }
        RowReader { row, problems }
    }

    pub fn number(&self) -> usize {
        self.row.number
    }

    pub fn fail(&mut self, column: &str, problem: Problem) {
        self.problems
            .push(row_error(self.row.number, column, problem));
    }

    fn cell(&mut self, column: &str) -> Option<&'a Cell> {
        match self.row.cells.get(column) {
            None | Some(Cell::Json(Value::Null)) => {
                self.fail(column, Problem::Required);
                None
            }
            Some(Cell::Text(t)) if t.is_empty() => {
                self.fail(column, Problem::Required);
                None
            }
            Some(cell) => Some(cell),
        }
    }

    pub fn int(&mut self, column: &str) -> Option<i64> {
        let parsed = match self.cell(column)? {
            Cell::Json(Value::Number(n)) => n.as_i64(),
            Cell::Text(t) => t.parse::<i64>().ok(),
            Cell::Json(_) => None,
        };
        if parsed.is_none() {
            self.fail(column, Problem::NotWholeNumber);
        }
        parsed
    }

    pub fn id(&mut self, column: &str) -> Option<i32> {
        let value = self.int(column)?;
        match i32::try_from(value) {
            Ok(id) if id > 0 => Some(id),
            _ => {
                self.fail(column, Problem::NotPositiveId);
                None
            }
        }
    }

    pub fn text(&mut self, column: &str) -> Option<String> {
        match self.cell(column)? {
            Cell::Json(Value::String(s)) | Cell::Text(s) if s.chars().count() <= MAX_CELL_CHARS => {
                Some(s.clone())
            }
            Cell::Json(Value::String(_)) | Cell::Text(_) => {
                self.fail(
                    column,
                    Problem::TooLong {
                        max: MAX_CELL_CHARS,
                    },
                );
                None
            }
            Cell::Json(_) => {
                self.fail(column, Problem::NotText);
                None
            }
        }
    }

    pub fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let text = self.text(column)?;
        self.check(column, parse_sheet_date(&text))
    }

    /// Keeps a parsed value or records its reason.
    pub fn check<T>(&mut self, column: &str, parsed: Result<T, Problem>) -> Option<T> {
        parsed.map_err(|reason| self.fail(column, reason)).ok()
    }
}

impl RowReader<'_> {
    /// Whether the row has a non-empty cell in `column`.
    pub fn has(&self, column: &str) -> bool {
        match self.row.cells.get(column) {
            None | Some(Cell::Json(Value::Null)) => false,
            Some(Cell::Text(t)) => !t.is_empty(),
            Some(_) => true,
        }
    }

    /// The person the row names: by exactly one of `employee_id`, `employee_number` or
    /// `email`.
    pub fn person(&mut self) -> Option<PersonRef> {
        let given: Vec<&str> = ["employee_id", "employee_number", "email"]
            .into_iter()
            .filter(|c| self.has(c))
            .collect();
        match given.as_slice() {
            ["employee_id"] => self.id("employee_id").map(PersonRef::Id),
            ["employee_number"] => self
                .text("employee_number")
                .and_then(|n| self.check("employee_number", parse_employee_number(&n)))
                .map(PersonRef::Number),
            ["email"] => self
                .text("email")
                .and_then(|e| self.check("email", Email::parse(e.trim())))
                .map(|e| PersonRef::Email(e.into_string())),
            [] => {
                self.fail("employee_id", Problem::NoPersonReference);
                None
            }
            _ => {
                self.fail(given[1], Problem::OnePersonReference);
                None
            }
        }
    }

    /// A sales amount: `amount` in fen, or `amount_yuan` with up to two decimals (exactly
    /// one of them).
    pub fn amount(&mut self) -> Option<i64> {
        match (self.has("amount"), self.has("amount_yuan")) {
            (true, true) => {
                self.fail(
                    "amount_yuan",
                    Problem::BothGiven {
                        first: "amount",
                        second: "amount_yuan",
                    },
                );
                None
            }
            (false, true) => self
                .text("amount_yuan")
                .and_then(|y| self.check("amount_yuan", parse_yuan(&y))),
            _ => self
                .int("amount")
                .and_then(|a| self.check("amount", parse_amount(a))),
        }
    }
}

/// The columns that name a person, in every kind of evidence.
const PERSON_COLUMNS: [&str; 3] = ["employee_id", "employee_number", "email"];

fn known(extra: &[&'static str]) -> Vec<&'static str> {
    PERSON_COLUMNS.iter().chain(extra).copied().collect()
}

/// Parses every row with `parse`; any problem anywhere refuses the whole body.
pub fn parse_rows<T>(
    rows: &[Row],
    known: &[&str],
    mut parse: impl FnMut(&mut RowReader) -> Option<T>,
) -> Result<Vec<T>, AppError> {
    let mut problems = Vec::new();
    let mut parsed = Vec::with_capacity(rows.len());
    for row in rows {
        let before = problems.len();
        let mut reader = RowReader::new(row, known, &mut problems);
        let value = parse(&mut reader);
        if let (Some(value), true) = (value, problems.len() == before) {
            parsed.push(value);
        }
    }
    all_or_none(parsed, problems)
}

/// Sales targets: a person, `cycle_id` (which an upload made on a cycle's page may leave
/// out: `cycle`), and `target` in fen or `target_yuan`.
pub fn targets(rows: &[Row], cycle: Option<i32>) -> Result<Vec<TargetRow>, AppError> {
    parse_rows(rows, &known(&["cycle_id", "target", "target_yuan"]), |r| {
        let person = r.person();
        let cycle_id = match (cycle, r.has("cycle_id")) {
            (Some(c), false) => Some(c),
            _ => r.id("cycle_id"),
        };
        let target = if r.has("target_yuan") && r.has("target") {
            r.fail(
                "target_yuan",
                Problem::BothGiven {
                    first: "target",
                    second: "target_yuan",
                },
            );
            None
        } else if r.has("target_yuan") {
            r.text("target_yuan")
                .and_then(|y| r.check("target_yuan", parse_yuan(&y)))
                .and_then(|t| r.check("target_yuan", parse_target(t)))
        } else {
            r.int("target")
                .and_then(|t| r.check("target", parse_target(t)))
        };
        let person = person?;
        Some(TargetRow {
            row: r.number(),
            employee_id: match person {
                PersonRef::Id(id) => id,
                _ => 0,
            },
            person,
            cycle_id: cycle_id?,
            target: target?,
        })
    })
}

/// The columns every dated evidence row has, around the values particular to its kind.
fn dated<V>(
    r: &mut RowReader,
    values: impl FnOnce(&mut RowReader) -> Option<V>,
) -> Option<DatedRow<V>> {
    let person = r.person();
    let occurred_on = r.date("occurred_on");
    let values = values(r);
    let external_ref = r
        .text("external_ref")
        .and_then(|x| r.check("external_ref", parse_external_ref(&x)));
    let person = person?;
    Some(DatedRow {
        row: r.number(),
        employee_id: match person {
            PersonRef::Id(id) => id,
            _ => 0,
        },
        person,
        occurred_on: occurred_on?,
        external_ref: external_ref?,
        values: values?,
    })
}

/// Sales records: `employee_id, occurred_on, amount, external_ref`.
pub fn sales(rows: &[Row]) -> Result<Vec<DatedRow<Sale>>, AppError> {
    parse_rows(
        rows,
        &known(&["occurred_on", "amount", "amount_yuan", "external_ref"]),
        |r| {
            dated(r, |r| {
                let amount = r.amount();
                Some(Sale { amount: amount? })
            })
        },
    )
}

/// Satisfaction responses: `employee_id, occurred_on, rating, channel, external_ref`.
pub fn satisfaction(rows: &[Row]) -> Result<Vec<DatedRow<Response>>, AppError> {
    parse_rows(
        rows,
        &known(&["occurred_on", "rating", "channel", "external_ref"]),
        |r| {
            dated(r, |r| {
                let rating = r
                    .int("rating")
                    .and_then(|v| r.check("rating", parse_rating(v)));
                let channel = r
                    .text("channel")
                    .and_then(|c| r.check("channel", parse_channel(&c)));
                Some(Response {
                    rating: rating?,
                    channel: channel?,
                })
            })
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(result: Result<Vec<Row>, AppError>) -> Vec<RowError> {
        match result {
            Err(AppError::Rows { errors, .. }) => errors,
            Ok(_) => panic!("accepted"),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn csv_and_json_give_the_same_cells() {
        let csv = rows_from_csv(b"employee_id,amount\n 7 , 100\n8,-5\n").unwrap();
        let json =
            rows_from_json(br#"[{"employee_id":7,"amount":100},{"employee_id":8,"amount":-5}]"#)
                .unwrap();
        for rows in [csv, json] {
            let parsed = parse_rows(&rows, &["employee_id", "amount"], |r| {
                Some((r.id("employee_id")?, r.int("amount")?))
            })
            .unwrap();
            assert_eq!(parsed, vec![(7, 100), (8, -5)]);
        }
    }

    /// Found by the property test below: cells are trimmed of Unicode white space too
    /// (here U+205F and U+3000), so a cell of only such spaces is empty, i.e. missing.
    #[test]
    fn unicode_spaces_are_trimmed_from_cells() {
        let rows = rows_from_csv("a,b\n\u{205f},\u{3000}x\u{3000}\n".as_bytes()).unwrap();
        assert!(matches!(rows[0].cells.get("a"), Some(Cell::Text(t)) if t.is_empty()));
        assert!(matches!(rows[0].cells.get("b"), Some(Cell::Text(t)) if t == "x"));
    }

    #[test]
    fn row_problems_are_numbered_and_named() {
        let rows = rows_from_csv(b"employee_id,amount,extra\n1,x,\n,5,\n").unwrap();
        let problems = match parse_rows(&rows, &["employee_id", "amount"], |r| {
            Some((r.id("employee_id")?, r.int("amount")?))
        }) {
            Err(AppError::Rows { errors, .. }) => errors,
            _ => panic!("accepted"),
        };
        let seen: Vec<(usize, &str)> = problems
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        // As the spreadsheet numbers them: the header is row 1.
        assert_eq!(
            seen,
            [
                (2, "extra"),
                (2, "amount"),
                (3, "extra"),
                (3, "employee_id")
            ]
        );
    }

    #[test]
    fn a_column_named_twice_is_refused_naming_it() {
        match rows_from_csv(b"employee_id,amount,employee_id\n1,5,2\n") {
            Err(AppError::Validation(fields)) => {
                let first = fields.iter().next().unwrap();
                assert_eq!(first.field, "header");
                assert_eq!(
                    first.problem,
                    Problem::ColumnTwice {
                        column: "employee_id".into()
                    }
                );
            }
            other => panic!(
                "accepted or otherwise refused: {:?}",
                other.map(|r| r.len())
            ),
        }
    }

    #[test]
    fn ragged_csv_and_non_objects_are_refused() {
        assert_eq!(errors(rows_from_csv(b"a,b\n1,2\n3\n"))[0].row, 3);
        assert_eq!(errors(rows_from_json(b"[{}, 5]"))[0].row, 3);
        assert!(rows_from_json(b"{}").is_err());
        assert!(matches!(
            rows_from_json(b"[1,"),
            Err(AppError::BadRequest(_))
        ));
    }

    mod fuzz {
        use super::super::*;
        use proptest::collection::vec;
        use proptest::prelude::*;

        /// Cells that stress quoting: separators, quotes, line breaks, spaces, non-ASCII.
        fn cell() -> impl Strategy<Value = String> {
            prop_oneof!["[0-9]{0,6}", "[ ,\"\r\na-z]{0,12}", "[\\PC]{0,8}",]
        }

        fn csv_of(header: &[String], records: &[Vec<String>]) -> Vec<u8> {
            let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(vec![]);
            writer.write_record(header).unwrap();
            for record in records {
                writer.write_record(record).unwrap();
            }
            writer.into_inner().unwrap()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Whatever arrives is parsed or refused with an answer; nothing panics.
            #[test]
            fn any_bytes_are_parsed_or_refused(bytes in vec(any::<u8>(), 0..2048)) {
                let _ = rows_from_csv(&bytes);
                let _ = rows_from_json(&bytes);
            }

            /// A well-quoted CSV gives one row per record with each cell as written (trimmed);
            /// with ragged records it is refused whole, naming exactly those rows.
            #[test]
            fn csv_rows_come_back_whole_or_the_bad_ones_are_named(
                columns in 1usize..6,
                records in vec((vec(cell(), 6), any::<bool>()), 0..20),
            ) {
                let header: Vec<String> = (0..columns).map(|i| format!("c{i}")).collect();
                let records: Vec<Vec<String>> = records
                    .into_iter()
                    .map(|(cells, ragged)| {
                        cells[..columns + usize::from(ragged && columns < 6)].to_vec()
                    })
                    .collect();
                let ragged: Vec<usize> = records
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.len() != columns)
                    .map(|(i, _)| i + 2)
                    .collect();
                match rows_from_csv(&csv_of(&header, &records)) {
                    Ok(rows) => {
                        prop_assert!(ragged.is_empty());
                        prop_assert_eq!(rows.len(), records.len());
                        for (row, record) in rows.iter().zip(&records) {
                            for (name, value) in header.iter().zip(record) {
                                // The reader trims white space as `str::trim` does (csv's
                                // Trim::All on string records), Unicode spaces included.
                                let trimmed = value.trim();
                                match row.cells.get(name) {
                                    Some(Cell::Text(text)) => prop_assert_eq!(text, trimmed),
                                    other => prop_assert!(false, "{name}: {other:?}"),
                                }
                            }
                        }
                    }
                    Err(AppError::Rows { errors, .. }) => {
                        let named: Vec<usize> = errors.iter().map(|e| e.row).collect();
                        prop_assert_eq!(named, ragged);
                    }
                    Err(other) => prop_assert!(false, "unexpected {other:?}"),
                }
            }
        }
    }
}
