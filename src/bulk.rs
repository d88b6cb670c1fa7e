//! Bulk evidence rows, shared by the API (a JSON array, `text/csv` or XLSX) and the HR pages
//! (an uploaded CSV or XLSX file): each row becomes named cells; typed parsing collects
//! every row's problems with its number as the spreadsheet shows it, so nothing is applied
//! on any error. One parser per kind of evidence, so both doors read rows alike.
//!
//! Files from outside are hostile until read: every form is read as a stream, a row or a
//! cell at a time, and every limit (rows, columns, the length of a cell, the text of all
//! cells, and for XLSX what the archive's parts unpack to) is enforced while reading, so
//! that reading stops at the first thing past one; nothing is sized by what a file claims.
//! What an upload may take in memory is in `docs/DECISIONS.md` ("Files from outside").
//!
//! Rows are numbered as the spreadsheet shows them: an XLSX row by the sheet's own number
//! (empty rows above the header or between rows counted); a CSV row by the line a
//! spreadsheet would show it on (empty lines counted, a quoted cell over several lines one
//! row); a JSON array's first item is row 2, as if a header were row 1.

mod columns;
mod complaints;
mod evidence;
mod people;
mod read_csv;
mod read_json;
mod read_xlsx;
mod xml_guard;

pub use complaints::{complaints, ComplaintRow, DepartmentRef, COMPLAINT_COLUMNS};
pub use evidence::{sales, satisfaction, targets};
pub use people::{people, PersonRow, PEOPLE_COLUMNS};
pub use read_csv::decode_csv;
pub use read_xlsx::cell_name;

/// A template's header (codes separated by commas) in `locale`: the Chinese column names
/// in Chinese, the codes in English.
pub fn header_in(codes: &str, locale: crate::i18n::Locale) -> String {
    match locale {
        crate::i18n::Locale::En => codes.to_owned(),
        crate::i18n::Locale::ZhCn => codes
            .split(',')
            .map(|code| columns::accepted(code).swap_remove(0))
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// A column as a template in `locale` names it (a row error's column on the pages): its
/// Chinese header in Chinese, its code in English; a column as the file wrote it, as it is.
pub fn column_label(column: &str, locale: crate::i18n::Locale) -> String {
    match locale {
        crate::i18n::Locale::En => column.to_owned(),
        crate::i18n::Locale::ZhCn => columns::accepted(column).swap_remove(0),
    }
}

use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;

use crate::domain::cycle::parse_sheet_date;
use crate::domain::evidence::{parse_amount, parse_yuan};
use crate::domain::problem::Problem;
use crate::domain::user::{parse_employee_number, Email, PersonRef};
use crate::error::{AppError, RowError};

/// Large enough for 100k CSV rows of evidence.
pub const IMPORT_BODY_LIMIT: usize = 32 * 1024 * 1024;
/// Rows of data an upload may have (the header and empty rows not counted).
pub const MAX_IMPORT_ROWS: usize = 200_000;
/// Columns a header may name.
pub const MAX_COLUMNS: usize = 20;
/// Characters of one cell.
pub const MAX_CELL_CHARS: usize = 2_000;
/// Cells with something in them an upload may hold: ten full columns of the most rows.
pub const MAX_CELLS: usize = 2_000_000;
/// Bytes of text all cells of an upload may hold together (only XLSX, whose shared strings
/// may repeat one text in every cell, can hold more than its own size).
pub const MAX_TEXT_BYTES: usize = 64 << 20;

#[derive(Debug, Clone)]
pub enum Cell {
    /// A JSON value: null, a boolean, a number or a string. An array or object stands as an
    /// empty one (no column takes one, and its content is not kept).
    Json(Value),
    Text(String),
    /// Text longer than [`MAX_CELL_CHARS`], not kept.
    TooLong,
}

pub struct Row {
    /// As the spreadsheet shows it (the module's comment says how).
    pub number: usize,
    cells: Cells,
}

/// An upload's rows, and its header when it has one (a CSV or XLSX file; not a JSON
/// array, whose rows name their own fields).
pub struct Upload {
    pub rows: Vec<Row>,
    pub header: Option<Header>,
    /// Rows that could not be read at all (a CSV row of another width, a JSON item that is
    /// not an object): said with every other problem of the upload.
    pub problems: Vec<RowError>,
}

impl Upload {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.problems.is_empty()
    }

    /// The rows, or the rows that could not be read.
    fn readable(self) -> Result<Vec<Row>, AppError> {
        all_or_none(self.rows, self.problems)
    }
}

/// A file's header row.
pub struct Header {
    /// As the spreadsheet shows it.
    pub row: usize,
    /// Each named column: as the file wrote it, and the column it is (its code; a header
    /// that names no known column keeps its own words).
    pub columns: Vec<(String, String)>,
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

/// Rows as a reader finds them, counted against the limits as they come.
struct Collector {
    /// The header's column names, as codes (an unnamed column is empty).
    names: Vec<Arc<str>>,
    header: Option<Header>,
    rows: Vec<Row>,
    problems: Vec<RowError>,
    /// Rows of data seen (kept or refused).
    seen: usize,
    /// Bytes of text kept.
    text: usize,
    /// Cells kept.
    cells: usize,
}

/// An empty cell, which reads as an absent one.
fn blank(cell: &Cell) -> bool {
    matches!(cell, Cell::Text(t) if t.is_empty()) || matches!(cell, Cell::Json(Value::Null))
}

impl Collector {
    fn new() -> Collector {
        Collector {
            names: Vec::new(),
            header: None,
            rows: Vec::new(),
            problems: Vec::new(),
            seen: 0,
            text: 0,
            cells: 0,
        }
    }

    /// The header row (`number`, as the spreadsheet shows it): it names each column once,
    /// in Chinese or by its code, and not too many (empty names after the last one do not
    /// count).
    fn header(&mut self, number: usize, mut headers: Vec<String>) -> Result<(), AppError> {
        while headers.last().is_some_and(String::is_empty) {
            headers.pop();
        }
        let codes: Vec<String> = headers
            .iter()
            .map(|h| {
                if h.trim().is_empty() {
                    String::new()
                } else {
                    columns::code_of(h)
                }
            })
            .collect();
        check_headers(&codes)?;
        self.names = codes.iter().map(|h| Arc::from(h.as_str())).collect();
        self.header = Some(Header {
            row: number,
            columns: headers
                .into_iter()
                .zip(codes)
                .filter(|(_, code)| !code.is_empty())
                .collect(),
        });
        Ok(())
    }

    fn width(&self) -> usize {
        self.names.len()
    }

    /// A cell's text, kept unless it is too long; the text of all cells is bounded.
    fn text(&mut self, text: &str) -> Result<Cell, AppError> {
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            return Ok(Cell::TooLong);
        }
        self.text += text.len();
        if self.text > MAX_TEXT_BYTES {
            return Err(AppError::validation(
                "file",
                Problem::UploadTextTooLarge {
                    max_mib: (MAX_TEXT_BYTES >> 20) as u64,
                },
            ));
        }
        Ok(Cell::Text(text.to_owned()))
    }

    /// Counts a row of data against the limit.
    fn count_row(&mut self) -> Result<(), AppError> {
        self.seen += 1;
        if self.seen > MAX_IMPORT_ROWS {
            return Err(too_many_rows());
        }
        Ok(())
    }

    /// A row of data: its cells in the header's order. Empty cells and cells past the
    /// header's named columns are not kept (an empty cell reads as an absent one); a row
    /// with nothing in it is an empty row, skipped as a spreadsheet shows it.
    fn row(
        &mut self,
        number: usize,
        cells: impl IntoIterator<Item = Cell>,
    ) -> Result<(), AppError> {
        let kept: Vec<(Arc<str>, Cell)> = self
            .names
            .iter()
            .zip(cells)
            .filter(|(name, cell)| !name.is_empty() && !blank(cell))
            .map(|(name, cell)| (name.clone(), cell))
            .collect();
        if kept.is_empty() {
            return Ok(());
        }
        self.keep(number, kept)
    }

    /// A JSON item's fields (null ones not kept: they read as absent).
    fn json_row(
        &mut self,
        number: usize,
        mut cells: Vec<(Arc<str>, Cell)>,
    ) -> Result<(), AppError> {
        cells.retain(|(_, cell)| !blank(cell));
        self.keep(number, cells)
    }

    fn keep(&mut self, number: usize, mut cells: Vec<(Arc<str>, Cell)>) -> Result<(), AppError> {
        self.count_row()?;
        self.cells += cells.len();
        if self.cells > MAX_CELLS {
            return Err(AppError::validation(
                "file",
                Problem::UploadTooManyCells { max: MAX_CELLS },
            ));
        }
        cells.shrink_to_fit();
        self.rows.push(Row {
            number,
            cells: Cells(cells),
        });
        Ok(())
    }

    /// A row of data that could not be read.
    fn unreadable_row(&mut self, number: usize, problem: Problem) -> Result<(), AppError> {
        self.count_row()?;
        self.problems.push(row_error(number, "row", problem));
        Ok(())
    }

    fn finish(self) -> Upload {
        Upload {
            rows: self.rows,
            header: self.header,
            problems: self.problems,
        }
    }
}

/// A JSON array of objects, one a row.
pub fn rows_from_json(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    rows_from(bytes, &Format::Json)?.readable()
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
pub fn rows_from(bytes: &[u8], format: &Format) -> Result<Upload, AppError> {
    let mut rows = Collector::new();
    match format {
        Format::Json => read_json::read(bytes, &mut rows)?,
        Format::Csv { charset } => read_csv::read(bytes, charset.as_deref(), &mut rows)?,
        Format::Xlsx => read_xlsx::read(bytes, &mut rows)?,
    }
    Ok(rows.finish())
}

/// The first sheet of an XLSX workbook: the first row with a value names the columns.
pub fn rows_from_xlsx(bytes: &[u8]) -> Result<Vec<Row>, AppError> {
    rows_from(bytes, &Format::Xlsx)?.readable()
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
    rows_from(bytes, &Format::Csv { charset: None })?.readable()
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
    /// Columns the file's header lacks (said once, on the header): not asked of each row.
    absent: &'a [&'a str],
}

impl<'a> RowReader<'a> {
    /// A row of a JSON array names its own fields: one no rule reads is a problem of the
    /// row. (A file's extra columns are listed once instead: [`parse_rows`].)
    pub fn new(row: &'a Row, known: &[&str], problems: &'a mut Vec<RowError>) -> Self {
        let mut unknown: Vec<&str> = row.cells.keys().filter(|k| !known.contains(k)).collect();
        unknown.sort();
        for column in unknown {
            problems.push(row_error(row.number, column, Problem::UnknownColumn));
        }
        RowReader {
            row,
            problems,
            absent: &[],
        }
    }

    /// A row of a file with a header: its extra columns and the header's missing ones are
    /// the header's problems, not the row's.
    fn of_sheet(row: &'a Row, absent: &'a [&'a str], problems: &'a mut Vec<RowError>) -> Self {
        RowReader {
            row,
            problems,
            absent,
        }
    }

    pub fn number(&self) -> usize {
        self.row.number
    }

    pub fn fail(&mut self, column: &str, problem: Problem) {
        self.problems
            .push(row_error(self.row.number, column, problem));
    }

    fn cell(&mut self, column: &str) -> Option<&'a Cell> {
        if self.absent.contains(&column) {
            return None;
        }
        match self.row.cells.get(column) {
            None | Some(Cell::Json(Value::Null)) => {
                self.fail(column, Problem::Required);
                None
            }
            Some(Cell::Text(t)) if t.is_empty() => {
                self.fail(column, Problem::Required);
                None
            }
            Some(Cell::TooLong) => {
                self.fail(
                    column,
                    Problem::TooLong {
                        max: MAX_CELL_CHARS,
                    },
                );
                None
            }
            Some(cell) => Some(cell),
        }
    }

    pub fn int(&mut self, column: &str) -> Option<i64> {
        let parsed = match self.cell(column)? {
            Cell::Json(Value::Number(n)) => n.as_i64(),
            Cell::Text(t) => t.parse::<i64>().ok(),
            Cell::Json(_) | Cell::TooLong => None,
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
            Cell::Json(Value::String(_)) | Cell::Text(_) | Cell::TooLong => {
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
            [] if PERSON_COLUMNS.iter().all(|c| self.absent.contains(c)) => None,
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

/// What one kind of upload reads.
pub struct Spec<'a> {
    /// The columns its rules read.
    pub known: &'a [&'a str],
    /// The columns it needs: one of each group.
    pub required: &'a [&'a [&'a str]],
    /// The columns that name the row's person: a row with none of them and a totals label
    /// ("合计", "Total") is a totals row, skipped.
    pub person: &'a [&'a str],
}

/// The rows read, the problems found, and what was left aside.
pub struct Parsed<T> {
    /// The rows without a problem.
    pub rows: Vec<T>,
    pub problems: Vec<RowError>,
    /// Columns of the file that no rule reads, as the file names them.
    pub ignored: Vec<String>,
    /// Totals rows, skipped.
    pub skipped: Vec<usize>,
}

impl<T> Parsed<T> {
    /// The rows, or every problem (nothing is applied when any row has one).
    pub fn into_result(self) -> Result<Vec<T>, AppError> {
        all_or_none(self.rows, self.problems)
    }
}

/// Reads every row with `parse`, collecting every row's problems. A file's header is
/// checked once: a column it needs and lacks is one problem on the header row (listing the
/// names it may have), and is not asked of each row; a column no rule reads is listed in
/// `ignored`. A JSON row's unknown field is a problem of that row.
pub fn parse_rows<T>(
    upload: &Upload,
    spec: &Spec,
    mut parse: impl FnMut(&mut RowReader) -> Option<T>,
) -> Parsed<T> {
    let mut problems = upload.problems.clone();
    let mut ignored = Vec::new();
    let mut absent: Vec<&str> = Vec::new();
    if let Some(header) = &upload.header {
        let has = |code: &str| header.columns.iter().any(|(_, c)| c == code);
        for (written, code) in &header.columns {
            if !spec.known.contains(&code.as_str()) {
                ignored.push(written.clone());
            }
        }
        for group in spec.required {
            if !group.iter().any(|c| has(c)) {
                problems.push(row_error(
                    header.row,
                    group[0],
                    Problem::MissingColumn {
                        accepted: group.iter().flat_map(|c| columns::accepted(c)).collect(),
                    },
                ));
                absent.extend(group.iter().copied());
            }
        }
    }
    let mut parsed = Vec::with_capacity(upload.rows.len());
    let mut skipped = Vec::new();
    for row in &upload.rows {
        if upload.header.is_some() && is_totals_row(row, spec.person) {
            skipped.push(row.number);
            continue;
        }
        let before = problems.len();
        let mut reader = if upload.header.is_some() {
            RowReader::of_sheet(row, &absent, &mut problems)
        } else {
            RowReader::new(row, spec.known, &mut problems)
        };
        let value = parse(&mut reader);
        if let (Some(value), true) = (value, problems.len() == before) {
            parsed.push(value);
        }
    }
    Parsed {
        rows: parsed,
        problems,
        ignored,
        skipped,
    }
}

/// A row that holds a totals label ("合计", "Total") and names nobody: its person cells,
/// if any, hold only the label (an office writes 合计 in the first column, often 工号's).
fn is_totals_row(row: &Row, person: &[&str]) -> bool {
    let label = |cell: &Cell| matches!(cell, Cell::Text(text) if columns::is_totals_label(text));
    let names_someone = person
        .iter()
        .filter_map(|c| row.cells.get(c))
        .any(|cell| !label(cell));
    !names_someone && row.cells.0.iter().any(|(_, cell)| label(cell))
}

#[cfg(test)]
mod tests;
