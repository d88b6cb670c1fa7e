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
mod people;
mod read_csv;
mod read_json;
mod read_xlsx;
mod xml_guard;

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

/// The person columns, the name to check them against, and `extra`.
fn known(extra: &[&'static str]) -> Vec<&'static str> {
    PERSON_COLUMNS
        .iter()
        .chain(&["display_name"])
        .chain(extra)
        .copied()
        .collect()
}

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

/// Sales targets: a person, `cycle_id` (which an upload made on a cycle's page may leave
/// out: `cycle`), and `target` in fen or `target_yuan`.
pub fn targets(upload: &Upload, cycle: Option<i32>) -> Parsed<TargetRow> {
    let known = known(&["cycle_id", "target", "target_yuan"]);
    let spec = Spec {
        known: &known,
        required: &[&PERSON_COLUMNS, &["target_yuan", "target"]],
        person: &PERSON_COLUMNS,
    };
    parse_rows(upload, &spec, |r| {
        let person = r.person();
        let name = name_to_check(r);
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
            name,
            cycle_id: cycle_id?,
            target: target?,
        })
    })
}

/// A person's name given beside their number or email, for checking (`姓名`).
fn name_to_check(r: &mut RowReader) -> Option<String> {
    if r.has("display_name") {
        r.text("display_name").map(|n| n.trim().to_owned())
    } else {
        None
    }
}

/// The columns every dated evidence row has, around the values particular to its kind.
fn dated<V>(
    r: &mut RowReader,
    values: impl FnOnce(&mut RowReader) -> Option<V>,
) -> Option<DatedRow<V>> {
    let person = r.person();
    let name = name_to_check(r);
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
        name,
        occurred_on: occurred_on?,
        external_ref: external_ref?,
        values: values?,
    })
}

/// Sales records: `employee_id, occurred_on, amount, external_ref`.
pub fn sales(upload: &Upload) -> Parsed<DatedRow<Sale>> {
    let known = known(&["occurred_on", "amount", "amount_yuan", "external_ref"]);
    let spec = Spec {
        known: &known,
        required: &[
            &PERSON_COLUMNS,
            &["occurred_on"],
            &["amount_yuan", "amount"],
            &["external_ref"],
        ],
        person: &PERSON_COLUMNS,
    };
    parse_rows(upload, &spec, |r| {
        dated(r, |r| {
            let amount = r.amount();
            Some(Sale { amount: amount? })
        })
    })
}

/// Satisfaction responses: `employee_id, occurred_on, rating, channel, external_ref`.
pub fn satisfaction(upload: &Upload) -> Parsed<DatedRow<Response>> {
    let known = known(&["occurred_on", "rating", "channel", "external_ref"]);
    let spec = Spec {
        known: &known,
        required: &[
            &PERSON_COLUMNS,
            &["occurred_on"],
            &["rating"],
            &["channel"],
            &["external_ref"],
        ],
        person: &PERSON_COLUMNS,
    };
    parse_rows(upload, &spec, |r| {
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
    })
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

    const PAIRS: Spec = Spec {
        known: &["employee_id", "amount"],
        required: &[&["employee_id"], &["amount"]],
        person: &["employee_id"],
    };

    fn pairs(upload: &Upload) -> Parsed<(i32, i64)> {
        parse_rows(upload, &PAIRS, |r| {
            Some((r.id("employee_id")?, r.int("amount")?))
        })
    }

    fn csv(bytes: &[u8]) -> Upload {
        rows_from(bytes, &Format::Csv { charset: None }).unwrap()
    }

    #[test]
    fn csv_and_json_give_the_same_cells() {
        let csv = csv(b"employee_id,amount\n 7 , 100\n8,-5\n");
        let json = rows_from(
            br#"[{"employee_id":7,"amount":100},{"employee_id":8,"amount":-5}]"#,
            &Format::Json,
        )
        .unwrap();
        for upload in [csv, json] {
            let parsed = pairs(&upload).into_result().unwrap();
            assert_eq!(parsed, vec![(7, 100), (8, -5)]);
        }
    }

    /// A file's header is checked once: a column it lacks is one problem on the header,
    /// not one on every row; its extra columns are left aside and named; a totals row is
    /// skipped.
    #[test]
    fn a_header_is_checked_once() {
        let parsed = pairs(&csv("工号,amount,备注\n1,5,x\n2,6,\n".as_bytes()));
        let seen: Vec<(usize, &str, &str)> = parsed
            .problems
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.problem.code()))
            .collect();
        assert_eq!(seen, [(1, "employee_id", "missing_column")]);
        assert_eq!(parsed.ignored, ["工号", "备注"]);
        let parsed = pairs(&csv("employee_id,amount\n1,5\n合计,5\n".as_bytes()));
        assert_eq!((parsed.rows.len(), parsed.skipped.clone()), (1, vec![3]));
        assert!(parsed.problems.is_empty());
    }

    /// Found by the property test below: cells are trimmed of Unicode white space too
    /// (here U+205F and U+3000), so a cell of only such spaces is empty, i.e. missing.
    #[test]
    fn unicode_spaces_are_trimmed_from_cells() {
        let rows = rows_from_csv("a,b\n\u{205f},\u{3000}x\u{3000}\n".as_bytes()).unwrap();
        assert!(rows[0].cells.get("a").is_none());
        assert!(matches!(rows[0].cells.get("b"), Some(Cell::Text(t)) if t == "x"));
    }

    #[test]
    fn row_problems_are_numbered_and_named() {
        let problems = pairs(&csv(b"employee_id,amount,extra\n1,x,y\n,5,z\n,,\n")).problems;
        let seen: Vec<(usize, &str)> = problems
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect();
        // As the spreadsheet numbers them: the header is row 1.
        assert_eq!(seen, [(2, "amount"), (3, "employee_id")]);
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

    fn numbers(rows: &[Row]) -> Vec<usize> {
        rows.iter().map(|r| r.number).collect()
    }

    /// As a spreadsheet shows them: empty lines count, a quoted cell over two lines is one
    /// row.
    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let rows = rows_from_csv(b"a,b\n\n1,2\n\"x\ny\",3\n4,5\r\n\r\n6,7\n").unwrap();
        assert_eq!(numbers(&rows), [3, 4, 5, 7]);
        assert!(matches!(rows[1].cells.get("a"), Some(Cell::Text(t)) if t == "x\ny"));
        // The header may itself come after empty lines.
        let rows = rows_from_csv(b"\n\na,b\n1,2\n").unwrap();
        assert_eq!(numbers(&rows), [4]);
        assert_eq!(
            errors(rows_from_csv(b"a,b\n\n1\n")).first().map(|e| e.row),
            Some(3)
        );
    }

    fn xlsx(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (row, column, text) in cells {
            match text.parse::<f64>() {
                Ok(n) => sheet.write_number(*row, *column, n).unwrap(),
                Err(_) => sheet.write_string(*row, *column, *text).unwrap(),
            };
        }
        book.save_to_buffer().unwrap()
    }

    /// The sheet's own row numbers, whatever rows are empty above the header or between.
    #[test]
    fn xlsx_rows_are_the_sheets_own_numbers() {
        let bytes = xlsx(&[
            (4, 0, "employee_id"),
            (4, 1, "amount"),
            (5, 0, "7"),
            (5, 1, "100"),
            (8, 0, "8"),
            (8, 1, "12.5"),
        ]);
        let rows = rows_from_xlsx(&bytes).unwrap();
        assert_eq!(numbers(&rows), [6, 9]);
        assert!(matches!(rows[1].cells.get("amount"), Some(Cell::Text(t)) if t == "12.5"));
        // A missing cell of a row reads as an empty one, as in a CSV.
        let rows = rows_from_xlsx(&xlsx(&[(0, 0, "a"), (0, 1, "b"), (1, 1, "x")])).unwrap();
        assert!(rows[0].cells.get("a").is_none());
    }

    #[test]
    fn xlsx_values_past_the_columns_are_named() {
        let wide = xlsx(&[(0, 0, "a"), (1, 0, "1"), (3, 25, "far")]);
        match rows_from_xlsx(&wide) {
            Err(AppError::Validation(fields)) => assert_eq!(
                fields.iter().next().unwrap().problem,
                Problem::CellBeyondColumns {
                    cell: "Z4".into(),
                    max: MAX_COLUMNS
                }
            ),
            other => panic!("{:?}", other.map(|r| r.len())),
        }
        assert!(rows_from_xlsx(b"PK\x03\x04 not an archive").is_err());
        assert!(rows_from_xlsx(b"\xD0\xCF\x11\xE0 an old .xls").is_err());
    }

    /// JSON is read an item at a time: many items, or items holding large arrays, are
    /// refused or skipped without being built.
    #[test]
    fn json_items_are_bounded_as_they_are_read() {
        let many = format!("[{}{{}}]", "{},".repeat(MAX_IMPORT_ROWS));
        assert!(matches!(
            rows_from_json(many.as_bytes()),
            Err(AppError::Validation(_))
        ));
        let nested = format!(
            r#"[{{"employee_id": [{}0], "amount": 5}}]"#,
            "0,".repeat(100_000)
        );
        let rows = rows_from_json(nested.as_bytes()).unwrap();
        assert!(
            matches!(rows[0].cells.get("employee_id"), Some(Cell::Json(Value::Array(a))) if a.is_empty())
        );
        let wide = format!(
            "[{{{}}}]",
            (0..=MAX_COLUMNS)
                .map(|i| format!(r#""c{i}": 1"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(
            errors(rows_from_json(wide.as_bytes()))[0].problem,
            Problem::RowTooManyFields
        );
        let long = format!(r#"[{{"a": "{}"}}]"#, "x".repeat(MAX_CELL_CHARS + 1));
        let rows = rows_from_json(long.as_bytes()).unwrap();
        assert!(matches!(rows[0].cells.get("a"), Some(Cell::TooLong)));
        assert!(matches!(
            rows_from_json(b"{}"),
            Err(AppError::Validation(_))
        ));
        assert!(matches!(
            rows_from_json(b"[{}] x"),
            Err(AppError::BadRequest(_))
        ));
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
                        // A record of only empty cells is an empty row, skipped; each
                        // record is one row of the sheet, whatever line breaks it holds.
                        let filled: Vec<(usize, &Vec<String>)> = records
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
                            .map(|(i, r)| (i + 2, r))
                            .collect();
                        prop_assert_eq!(rows.len(), filled.len());
                        for (row, (number, record)) in rows.iter().zip(&filled) {
                            prop_assert_eq!(row.number, *number);
                            for (name, value) in header.iter().zip(*record) {
                                // The reader trims white space as `str::trim` does,
                                // Unicode spaces included; an empty cell is absent.
                                let trimmed = value.trim();
                                match row.cells.get(name) {
                                    None => prop_assert!(trimmed.is_empty()),
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
