//! The first sheet of an XLSX workbook, read cell by cell in bounded memory.
//!
//! An XLSX file is a ZIP archive of XML parts, and what a part claims or unpacks to is the
//! sender's to choose. So, before calamine reads anything:
//! 1. the archive's directory may list at most [`MAX_PARTS`] parts (read from its end
//!    record, before the ZIP reader sizes anything by it);
//! 2. every part calamine will read (the relations, the workbook, the styles, the shared
//!    strings, and the first sheet, found as calamine finds it) is inflated once through
//!    [`xml_guard::look`], which counts what it produces against the part's cap (and the
//!    archive's), bounds every token and cell, refuses document types, checks every cell
//!    reference against Excel's last cell, counts the shared strings with the number their
//!    root claims, and counts the sheet's rows with values, stopping at the first past the
//!    limit; a part that fails its look refuses the file;
//! 3. those parts are copied, still compressed, into a new archive, and calamine reads
//!    only that one: nothing else of the file (pictures, other sheets) is ever inflated.
//!
//! Then calamine's cell reader gives the sheet one cell at a time; the rows, the columns
//! and the text are counted as they come ([`super::Collector`]), so reading stops at the
//! first cell past a limit.

use std::borrow::Cow;
use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

use super::xml_guard::{self, Limits, Refusal};
use super::{Cell, Collector, MAX_COLUMNS, MAX_IMPORT_ROWS};
use crate::domain::problem::Problem;
use crate::error::AppError;

/// Parts an archive may hold (a workbook from Excel has a dozen or two).
pub const MAX_PARTS: u64 = 1_000;
/// What all parts together may inflate to.
pub const MAX_INFLATED: u64 = 1 << 30;
/// What the sheet (or any part not named below) may inflate to.
pub const MAX_SHEET_INFLATED: u64 = 512 << 20;
/// What the shared strings' part may inflate to, and how many strings and how much text it
/// may hold (calamine keeps them all while the sheet is read).
pub const MAX_STRINGS_INFLATED: u64 = 256 << 20;
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;
pub const MAX_SHARED_TEXT: u64 = 64 << 20;
/// What the workbook, its relations and the styles may inflate to (calamine keeps what they
/// hold).
pub const MAX_SMALL_PART_INFLATED: u64 = 8 << 20;
/// One token, and one cell (or shared string) from its start tag to its end tag. Excel's
/// longest cell, 32,767 characters, escaped, stays well below.
pub const MAX_TOKEN: u64 = 1 << 20;
/// Excel's last row and column (XFD1048576).
pub const EXCEL_ROWS: u32 = 1_048_576;
pub const EXCEL_COLUMNS: u32 = 16_384;

/// The role a part's name gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The shared strings: calamine keeps all of them.
    Strings,
    /// The workbook, its relations, the styles: calamine must read them, and keeps them.
    Needed,
    /// Sheets and anything else: read only if it is the first sheet.
    Other,
}

fn role(name: &str) -> Role {
    let name = name.replace('\\', "/").to_ascii_lowercase();
    if name.ends_with("sharedstrings.xml") {
        Role::Strings
    } else if name.ends_with(".rels")
        || name.ends_with("workbook.xml")
        || name.ends_with("styles.xml")
    {
        Role::Needed
    } else {
        Role::Other
    }
}

fn limits(role: Role) -> Limits {
    match role {
        Role::Strings => Limits {
            inflated: MAX_STRINGS_INFLATED,
            token: MAX_TOKEN,
            element: MAX_TOKEN,
            deep_from: 2,
            entries: MAX_SHARED_STRINGS,
            text: MAX_SHARED_TEXT,
            rows: u64::MAX,
        },
        Role::Needed => Limits {
            inflated: MAX_SMALL_PART_INFLATED,
            token: MAX_TOKEN,
            element: MAX_TOKEN,
            deep_from: 4,
            entries: u64::MAX,
            text: u64::MAX,
            rows: u64::MAX,
        },
        Role::Other => Limits {
            inflated: MAX_SHEET_INFLATED,
            token: MAX_TOKEN,
            element: MAX_TOKEN,
            deep_from: 4,
            entries: u64::MAX,
            text: u64::MAX,
            rows: u64::MAX,
        },
    }
}

fn unreadable() -> AppError {
    AppError::validation("file", Problem::UploadUnreadable)
}

fn file_problem(problem: Problem) -> AppError {
    AppError::validation("file", problem)
}

/// The rows of the first sheet, into `rows`.
pub(super) fn read(bytes: &[u8], rows: &mut Collector) -> Result<(), AppError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(unreadable());
    }
    let vetted = vet(bytes)?;
    // A parser's panic on a hostile file is a refusal of the file, not a failed request.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_vetted(vetted, rows)))
        .unwrap_or_else(|_| Err(unreadable()))
}

/// The archive of the parts calamine may read: the parts named as the ones it reads first
/// (the package's and the workbook's relations, the workbook, the styles, the shared
/// strings), and the first sheet, each after its look.
fn vet(bytes: &[u8]) -> Result<Vec<u8>, AppError> {
    if claimed_parts(bytes) > MAX_PARTS {
        return Err(file_problem(Problem::TooManyParts { max: MAX_PARTS }));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if archive.len() as u64 > MAX_PARTS {
        return Err(file_problem(Problem::TooManyParts { max: MAX_PARTS }));
    }
    // Parts by their name as calamine looks them up (without case, `\` as `/`).
    let mut by_name = std::collections::HashMap::new();
    for i in 0..archive.len() {
        if let Some(name) = archive.name_for_index(i) {
            by_name.insert(normalised(name), i);
        }
    }
    let mut kept = Vec::new();
    let mut inflated = 0u64;
    for i in 0..archive.len() {
        let role = role(archive.name_for_index(i).unwrap_or(""));
        if role != Role::Other {
            inflated += look_at_part(&mut archive, i, limits(role), inflated)?;
            kept.push(i);
        }
    }
    let sheet = first_sheet(&mut archive, &by_name)?;
    if !kept.contains(&sheet) {
        let limits = Limits {
            // The header and the rows of data.
            rows: MAX_IMPORT_ROWS as u64 + 1,
            ..limits(Role::Other)
        };
        look_at_part(&mut archive, sheet, limits, inflated)?;
        kept.push(sheet);
    }
    let mut copy = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len())));
    for i in kept {
        let part = archive.by_index_raw(i).map_err(|_| unreadable())?;
        copy.raw_copy_file(part).map_err(|_| unreadable())?;
    }
    Ok(copy.finish().map_err(|_| unreadable())?.into_inner())
}

fn normalised(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

/// The look at part `i` ([`xml_guard::look`]), within what is left of the archive's cap;
/// answers what it inflated to.
fn look_at_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    i: usize,
    mut limits: Limits,
    inflated: u64,
) -> Result<u64, AppError> {
    limits.inflated = limits.inflated.min(MAX_INFLATED - inflated);
    let part = archive.by_index(i).map_err(|_| unreadable())?;
    let name = part.name().to_owned();
    match xml_guard::look(part, limits) {
        Ok(seen) => Ok(seen.inflated),
        Err(Refusal::TooManyEntries { max }) => {
            Err(file_problem(Problem::TooManySharedStrings { max }))
        }
        Err(Refusal::TooMuchText { max }) => Err(file_problem(Problem::SharedStringsTooLarge {
            max_mib: max >> 20,
        })),
        Err(Refusal::TooManyRows) => Err(super::too_many_rows()),
        Err(Refusal::Inflates { cap }) => Err(file_problem(Problem::UnpacksTooLarge {
            part: name,
            max_mib: cap.max(1) >> 20,
        })),
        Err(Refusal::BeyondSheet { reference }) => {
            Err(file_problem(Problem::CellBeyondSheet { cell: reference }))
        }
        Err(Refusal::RowBeyondSheet { row }) => Err(file_problem(Problem::RowBeyondSheet { row })),
        Err(Refusal::NotSheetXml) => Err(unreadable()),
    }
}

/// The part of the workbook's first sheet, found as calamine finds it: the package's
/// relations name the workbook, the workbook's first `sheet` names a relation of the
/// workbook, and that relation's target is the part (relative to the workbook's folder, or
/// absolute). Only parts already looked at are read here. Should calamine resolve it
/// otherwise, its sheet is simply not in the archive it is given, and the file is refused.
fn first_sheet(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    by_name: &std::collections::HashMap<String, usize>,
) -> Result<usize, AppError> {
    let mut read = |name: &str| -> Result<Vec<u8>, AppError> {
        let i = *by_name.get(&normalised(name)).ok_or_else(unreadable)?;
        let mut part = archive.by_index(i).map_err(|_| unreadable())?;
        let mut bytes = Vec::new();
        (&mut part)
            .take(MAX_SMALL_PART_INFLATED)
            .read_to_end(&mut bytes)
            .map_err(|_| unreadable())?;
        Ok(bytes)
    };
    let package = relations(&read("_rels/.rels")?)?;
    let workbook = package
        .iter()
        .find(|r| r.kind.ends_with("/relationships/officeDocument"))
        .ok_or_else(unreadable)?
        .target
        .clone();
    let folder = workbook
        .rfind('/')
        .map(|i| &workbook[..=i])
        .map(|p| p.strip_prefix('/').unwrap_or(p))
        .unwrap_or("")
        .to_owned();
    let workbook_relations = relations(&read(&format!("{folder}_rels/workbook.xml.rels"))?)?;
    let sheet_id = first_sheet_relation(&read(&format!("{folder}workbook.xml"))?)?;
    let target = &workbook_relations
        .iter()
        .find(|r| r.id == sheet_id)
        .ok_or_else(unreadable)?
        .target;
    let path = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{folder}{target}"),
    };
    by_name
        .get(&normalised(&path))
        .copied()
        .ok_or_else(unreadable)
}

struct Relation {
    id: String,
    kind: String,
    target: String,
}

/// The `Relationship` elements of a relations part.
fn relations(xml: &[u8]) -> Result<Vec<Relation>, AppError> {
    let mut found = Vec::new();
    for_each_element(xml, |name, attributes| {
        if name == b"Relationship" {
            let get = |key: &str| {
                attributes
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            };
            found.push(Relation {
                id: get("Id").unwrap_or_default(),
                kind: get("Type").unwrap_or_default(),
                target: get("Target").unwrap_or_default(),
            });
        }
        true
    })?;
    Ok(found)
}

/// The relation id (`r:id`) of the workbook's first `sheet`.
fn first_sheet_relation(xml: &[u8]) -> Result<String, AppError> {
    let mut id = None;
    for_each_element(xml, |name, attributes| {
        if name == b"sheet" {
            id = attributes
                .iter()
                .find(|(k, _)| k.rsplit(':').next() == Some("id"))
                .map(|(_, v)| v.clone());
            return false;
        }
        true
    })?;
    id.ok_or_else(unreadable)
}

/// Calls `visit` with the local name and the attributes of each element, until it answers
/// false.
fn for_each_element(
    xml: &[u8],
    mut visit: impl FnMut(&[u8], &[(String, String)]) -> bool,
) -> Result<(), AppError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Start(e) | Event::Empty(e) => {
                let attributes: Vec<(String, String)> = e
                    .attributes()
                    .filter_map(Result::ok)
                    .filter_map(|a| {
                        let key = String::from_utf8(a.key.as_ref().to_vec()).ok()?;
                        let raw = std::str::from_utf8(a.value.as_ref()).ok()?;
                        let value = quick_xml::escape::unescape(raw).ok()?.into_owned();
                        Some((key, value))
                    })
                    .collect();
                if !visit(e.local_name().as_ref(), &attributes) {
                    return Ok(());
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The largest number of parts any end-of-central-directory record near the end of the
/// archive claims (its own count, or its ZIP64 record's), read before the ZIP reader
/// reserves room by it.
fn claimed_parts(bytes: &[u8]) -> u64 {
    const EOCD: &[u8] = b"PK\x05\x06";
    const LOCATOR: &[u8] = b"PK\x06\x07";
    const EOCD64: &[u8] = b"PK\x06\x06";
    let u16_at = |at: usize| -> u64 {
        bytes
            .get(at..at + 2)
            .map_or(0, |b| u64::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u64_at = |at: usize| -> u64 {
        bytes.get(at..at + 8).map_or(0, |b| {
            u64::from_le_bytes(b.try_into().expect("eight bytes"))
        })
    };
    let from = bytes.len().saturating_sub(22 + u16::MAX as usize);
    let mut largest = 0;
    for at in (from..bytes.len().saturating_sub(3)).rev() {
        if &bytes[at..at + 4] != EOCD {
            continue;
        }
        largest = largest.max(u16_at(at + 8)).max(u16_at(at + 10));
        if at >= 20 && &bytes[at - 20..at - 16] == LOCATOR {
            let record = u64_at(at - 20 + 8);
            if let Ok(record) = usize::try_from(record) {
                if bytes.get(record..record + 4) == Some(EOCD64) {
                    largest = largest.max(u64_at(record + 24)).max(u64_at(record + 32));
                } else {
                    largest = u64::MAX;
                }
            } else {
                largest = u64::MAX;
            }
        }
    }
    largest
}

fn read_vetted(vetted: Vec<u8>, rows: &mut Collector) -> Result<(), AppError> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(vetted)).map_err(|_| unreadable())?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(unreadable)?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable())?;
    let mut sheet = SheetRows::default();
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let (row, column) = cell.get_position();
        let Some(text) = text(cell.get_value()) else {
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        sheet.cell(rows, row, column, text)?;
    }
    sheet.row_ends(rows)
}

/// The rows as cells arrive: the first row with a value is the header.
#[derive(Default)]
struct SheetRows {
    /// The row being read (0-based, as calamine numbers it).
    current: Option<u32>,
    /// The header's cells while it is read, by column.
    header: Vec<String>,
    /// Whether the header has been read (and `rows` knows the columns).
    has_header: bool,
    /// The current data row's cells, by column (as wide as the header).
    cells: Vec<Option<Cell>>,
}

impl SheetRows {
    fn cell(
        &mut self,
        rows: &mut Collector,
        row: u32,
        column: u32,
        text: &str,
    ) -> Result<(), AppError> {
        if row >= EXCEL_ROWS || column >= EXCEL_COLUMNS {
            return Err(file_problem(Problem::CellBeyondSheet {
                cell: cell_name(row, column),
            }));
        }
        if column as usize >= MAX_COLUMNS {
            return Err(file_problem(Problem::CellBeyondColumns {
                cell: cell_name(row, column),
                max: MAX_COLUMNS,
            }));
        }
        match self.current {
            Some(current) if row < current => return Err(unreadable()),
            Some(current) if row == current => {}
            _ => {
                self.row_ends(rows)?;
                self.current = Some(row);
            }
        }
        let column = column as usize;
        if !self.has_header {
            if self.header.len() <= column {
                self.header.resize(column + 1, String::new());
            }
            self.header[column] = text.to_owned();
        } else if column < self.cells.len() {
            self.cells[column] = Some(rows.text(text)?);
        }
        Ok(())
    }

    /// The current row is complete.
    fn row_ends(&mut self, rows: &mut Collector) -> Result<(), AppError> {
        let Some(current) = self.current.take() else {
            return Ok(());
        };
        if !self.has_header {
            rows.header(current as usize + 1, std::mem::take(&mut self.header))?;
            self.has_header = true;
            self.cells = vec![None; rows.width()];
            return Ok(());
        }
        if self.cells.iter().all(Option::is_none) {
            return Ok(());
        }
        let cells = self
            .cells
            .iter_mut()
            .map(|c| c.take().unwrap_or_else(|| Cell::Text(String::new())));
        rows.row(current as usize + 1, cells)
    }
}

/// A cell's value as the text a person sees: dates as `YYYY-MM-DD` (and ` HH:MM:SS` when
/// the cell holds a time of day), whole numbers without a decimal point, other numbers as
/// the shortest text that reads back as the same number (so `1234.56` stays `1234.56`).
/// None for an empty cell or an error value.
fn text<'a>(value: &'a DataRef<'_>) -> Option<Cow<'a, str>> {
    Some(match value {
        DataRef::Empty | DataRef::Error(_) => return None,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cow::Borrowed(s.as_str())
        }
        DataRef::SharedString(s) => Cow::Borrowed(*s),
        DataRef::Int(n) => Cow::Owned(n.to_string()),
        DataRef::Float(f) => Cow::Owned(number(*f)),
        DataRef::Bool(b) => Cow::Owned(b.to_string()),
        // Excel's dates run from 1900 to 9999 (serial 2,958,465); anything else is a
        // number in a date's format, and calamine's conversion panics far out of range.
        DataRef::DateTime(d) if (0.0..2_958_466.0).contains(&d.as_f64()) => {
            d.as_datetime().map_or_else(
                || Cow::Owned(number(d.as_f64())),
                |d| Cow::Owned(date_time(d)),
            )
        }
        DataRef::DateTime(d) => Cow::Owned(number(d.as_f64())),
    })
}

/// A date cell as written: the date, and the time of day (to the second) when it has one.
fn date_time(at: chrono::NaiveDateTime) -> String {
    // Excel keeps a time as a fraction of a day: 14:30 may come back a hair before it.
    let at = at + chrono::Duration::milliseconds(500);
    if at.time() < chrono::NaiveTime::from_hms_opt(0, 0, 1).expect("a time") {
        at.format("%Y-%m-%d").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// `A1`-style name of a 0-based position.
pub fn cell_name(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8(letters).expect("ASCII letters"),
        u64::from(row) + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1, 25), "Z2");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn a_claimed_part_count_is_read_from_the_end_record() {
        let mut eocd = vec![0u8; 100];
        eocd.extend_from_slice(b"PK\x05\x06\0\0\0\0\x07\0\x09\0");
        eocd.extend_from_slice(&[0u8; 10]);
        assert_eq!(claimed_parts(&eocd), 9);
        assert_eq!(claimed_parts(b"no archive"), 0);
    }
}
