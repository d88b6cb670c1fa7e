//! Spreadsheets out: sheets of cells written as CSV (UTF-8 with BOM, so Excel in China reads
//! the Chinese) or as an XLSX workbook (`rust_xlsxwriter`) with a native chart. Words and
//! rows come from the use case (`app::export`); this module only writes them.
//!
//! Text that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, or a
//! tab or carriage return before one) is written with a leading `'`, in both forms, so a
//! name or note typed as `=HYPERLINK(…)` stays text when the file is opened or re-saved.

use std::borrow::Cow;

use rust_xlsxwriter::{Chart, ChartType, Format as CellFormat, Workbook, Worksheet, XlsxError};

use crate::domain::problem::Problem;
use crate::error::AppError;

pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_MEDIA_TYPE: &str = "text/csv; charset=utf-8";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn parse(text: &str) -> Result<Format, Problem> {
        match text {
            "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            _ => Err(Problem::OneOf {
                options: &["xlsx", "csv"],
            }),
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Xlsx => XLSX_MEDIA_TYPE,
            Format::Csv => CSV_MEDIA_TYPE,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<Option<f64>> for Cell {
    fn from(value: Option<f64>) -> Cell {
        value.map_or(Cell::Empty, Cell::Number)
    }
}

impl From<i64> for Cell {
    fn from(value: i64) -> Cell {
        Cell::Number(value as f64)
    }
}

/// One sheet: its name, the header row and the rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A column chart over one sheet: categories in one column, values in another.
#[derive(Debug, Clone)]
pub struct ColumnChart {
    pub title: String,
    pub category_column: u16,
    pub value_column: u16,
}

/// A file the browser saves rather than shows (`Content-Disposition: attachment`): the
/// exports of the API and the pages, and the pages' upload templates.
pub fn attachment(
    filename: &str,
    media_type: &str,
    body: impl actix_web::body::MessageBody + 'static,
) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type(media_type)
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body)
}

/// Text as a spreadsheet must not run it.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    let first = text
        .trim_start_matches([' ', '\t', '\r', '\n'])
        .chars()
        .next();
    let runs = matches!(first, Some('=' | '+' | '-' | '@')) || text.starts_with(['\t', '\r']);
    if runs {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A file written row by row as its rows are made, so that the rows of a big export never
/// sit in memory all at once: the first sheet (the one that opens) streams, as CSV (a
/// UTF-8 BOM, then RFC 4180 with CRLF line ends) or as an XLSX sheet kept in a temporary
/// file ("constant memory"); [`Writer::finish`] may add small sheets after it (XLSX only),
/// one of them with a chart.
pub struct Writer {
    out: Out,
    rows: u32,
    columns: u16,
    /// Each column's width (XLSX), as wide as its widest header or text.
    widths: Vec<f64>,
}

enum Out {
    Csv(Box<csv::Writer<Vec<u8>>>),
    Xlsx(Box<Workbook>),
}

impl Writer {
    pub fn new(format: Format, name: &str, headers: &[String]) -> Result<Writer, AppError> {
        let out = match format {
            Format::Csv => {
                let mut bom = Vec::with_capacity(1 << 16);
                bom.extend_from_slice("\u{feff}".as_bytes());
                let mut writer = csv::WriterBuilder::new()
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(bom);
                writer
                    .write_record(headers.iter().map(|h| neutralise(h).into_owned()))
                    .map_err(AppError::internal)?;
                Out::Csv(Box::new(writer))
            }
            Format::Xlsx => {
                let mut book = Workbook::new();
                let page = book.add_worksheet_with_constant_memory();
                head(page, name, headers).map_err(AppError::internal)?;
                Out::Xlsx(Box::new(book))
            }
        };
        Ok(Writer {
            out,
            rows: 0,
            columns: headers.len() as u16,
            widths: headers.iter().map(|h| header_width(h)).collect(),
        })
    }

    pub fn row(&mut self, row: &[Cell]) -> Result<(), AppError> {
        self.rows += 1;
        widen(&mut self.widths, row);
        match &mut self.out {
            Out::Csv(writer) => writer
                .write_record(row.iter().map(|cell| match cell {
                    Cell::Text(t) => neutralise(t).into_owned(),
                    Cell::Number(n) => format_number(*n),
                    Cell::Empty => String::new(),
                }))
                .map_err(AppError::internal),
            Out::Xlsx(book) => {
                let page = book.worksheet_from_index(0).map_err(AppError::internal)?;
                cells(page, self.rows, row).map_err(AppError::internal)
            }
        }
    }

    /// The file: the first sheet, then (XLSX) `more` with its chart, if any.
    pub fn finish(
        self,
        more: Vec<Sheet>,
        chart: Option<(usize, ColumnChart)>,
    ) -> Result<Vec<u8>, AppError> {
        match self.out {
            Out::Csv(writer) => writer.into_inner().map_err(AppError::internal),
            Out::Xlsx(mut book) => {
                let first = book.worksheet_from_index(0).map_err(AppError::internal)?;
                set_widths(first, &self.widths).map_err(AppError::internal)?;
                tail(first, self.rows, self.columns).map_err(AppError::internal)?;
                for (index, sheet) in more.iter().enumerate() {
                    let charted = chart.as_ref().filter(|(on, _)| *on == index + 1);
                    add_sheet(&mut book, sheet, charted.map(|(_, c)| c))
                        .map_err(AppError::internal)?;
                }
                book.save_to_buffer().map_err(AppError::internal)
            }
        }
    }
}

/// A whole sheet as a file ([`Writer`] over rows already made).
pub fn write(format: Format, sheet: &Sheet) -> Result<Vec<u8>, AppError> {
    let mut writer = Writer::new(format, &sheet.name, &sheet.headers)?;
    for row in &sheet.rows {
        writer.row(row)?;
    }
    writer.finish(Vec::new(), None)
}

/// Numbers as people write them: integers without a decimal point, others as they are
/// (the scores are already rounded to two decimals).
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A sheet's name and bold header row (wrapped, so a long header does not widen its
/// column), set up to print as an office reads it: A4 landscape at 80 %, the header row and
/// the first two columns (工号, 姓名) on every page, "page n / m" at the foot. (Fitting every
/// column of an export onto one page's width printed them too small to read.)
fn head(page: &mut Worksheet, name: &str, headers: &[String]) -> Result<(), XlsxError> {
    let header = CellFormat::new().set_bold().set_text_wrap();
    page.set_name(sheet_name(name))?;
    for (col, text) in headers.iter().enumerate() {
        page.write_string_with_format(0, col as u16, neutralise(text), &header)?;
    }
    // Three lines for a wrapped header.
    page.set_row_height(0, 45)?;
    page.set_landscape();
    page.set_paper_size(9);
    page.set_print_scale(80);
    page.set_repeat_rows(0, 0)?;
    if headers.len() > 2 {
        page.set_repeat_columns(0, 1)?;
    }
    page.set_footer("&C&P / &N");
    Ok(())
}

/// A header's share of its column's width: up to 12 places (it wraps beyond).
fn header_width(text: &str) -> f64 {
    width_of(text).min(12.0)
}

/// How wide a text shows in a sheet's column: a Chinese character takes two places.
fn width_of(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum()
}

/// Widens each column to its longest text in `row`.
fn widen(widths: &mut [f64], row: &[Cell]) {
    for (width, cell) in widths.iter_mut().zip(row) {
        if let Cell::Text(t) = cell {
            *width = width.max(width_of(t));
        }
    }
}

/// Each column as wide as its widest text, within reason (8 to 30 places; longer text is
/// cut off on screen and in print, and read in full in the cell).
fn set_widths(page: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
    for (col, width) in widths.iter().enumerate() {
        page.set_column_width(col as u16, (width + 2.0).clamp(8.0, 30.0))?;
    }
    Ok(())
}

fn cells(page: &mut Worksheet, r: u32, row: &[Cell]) -> Result<(), XlsxError> {
    for (col, cell) in row.iter().enumerate() {
        match cell {
            Cell::Text(t) => {
                page.write_string(r, col as u16, neutralise(t))?;
            }
            Cell::Number(n) => {
                page.write_number(r, col as u16, *n)?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}

/// The header row frozen and filtering the `rows` below it.
fn tail(page: &mut Worksheet, rows: u32, columns: u16) -> Result<(), XlsxError> {
    page.set_freeze_panes(1, 0)?;
    if columns > 0 {
        page.autofilter(0, 0, rows, columns - 1)?;
    }
    Ok(())
}

/// A small sheet, kept in memory, with `chart` drawn below its table.
fn add_sheet(
    book: &mut Workbook,
    sheet: &Sheet,
    chart: Option<&ColumnChart>,
) -> Result<(), XlsxError> {
    let page = book.add_worksheet();
    head(page, &sheet.name, &sheet.headers)?;
    let mut widths: Vec<f64> = sheet.headers.iter().map(|h| header_width(h)).collect();
    for (r, row) in sheet.rows.iter().enumerate() {
        cells(page, r as u32 + 1, row)?;
        widen(&mut widths, row);
    }
    set_widths(page, &widths)?;
    tail(page, sheet.rows.len() as u32, sheet.headers.len() as u16)?;
    if let Some(spec) = chart.filter(|_| !sheet.rows.is_empty()) {
        let name = sheet_name(&sheet.name);
        let last = sheet.rows.len() as u32;
        let mut drawn = Chart::new(ChartType::Column);
        drawn
            .add_series()
            .set_categories((
                name.as_str(),
                1,
                spec.category_column,
                last,
                spec.category_column,
            ))
            .set_values((name.as_str(), 1, spec.value_column, last, spec.value_column))
            .set_name(sheet.headers[spec.value_column as usize].as_str());
        drawn.title().set_name(&spec.title);
        drawn.legend().set_hidden();
        // Totals and means are read against zero: an axis from 72 makes 75 look twice 73.
        drawn.y_axis().set_min(0);
        page.insert_chart(last + 2, 0, &drawn)?;
    }
    Ok(())
}

/// A name Excel accepts for a sheet: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet".to_owned()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parts of an XLSX file, by name.
    fn parts(file: &[u8]) -> std::collections::HashMap<String, String> {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(file)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut part = zip.by_index(i).unwrap();
                let mut text = String::new();
                let _ = part.read_to_string(&mut text);
                (part.name().to_owned(), text)
            })
            .collect()
    }

    /// An export prints as an office reads it: A4 landscape at 80 %, the header row and the
    /// first two columns (工号, 姓名) on every page, page numbers; name columns as wide as the
    /// longest name; the report's chart from zero.
    #[test]
    fn an_export_is_set_up_to_print() {
        let headers: Vec<String> = ["工号", "姓名", "总分"].map(str::to_owned).to_vec();
        let mut writer = Writer::new(Format::Xlsx, "考评", &headers).unwrap();
        let long = "欧阳娜娜娜娜娜娜娜娜";
        writer
            .row(&[
                Cell::Text("E0001".into()),
                Cell::Text(long.into()),
                Cell::Number(88.5),
            ])
            .unwrap();
        let report = Sheet {
            name: "部门".into(),
            headers: vec!["部门".into(), "平均".into()],
            rows: vec![vec![Cell::Text("旗舰店".into()), Cell::Number(75.0)]],
        };
        let chart = ColumnChart {
            title: "平均".into(),
            category_column: 0,
            value_column: 1,
        };
        let file = writer.finish(vec![report], Some((1, chart))).unwrap();
        let parts = parts(&file);
        let sheet = &parts["xl/worksheets/sheet1.xml"];
        for setting in [
            r#"orientation="landscape""#,
            r#"paperSize="9""#,
            r#"scale="80""#,
            "&amp;C&amp;P / &amp;N",
        ] {
            assert!(sheet.contains(setting), "{setting} in {sheet}");
        }
        // The name column: ten Chinese characters take 20 places, and 2 of margin.
        assert!(
            sheet.contains(r#"<col min="2" max="2" width="22.7109375" customWidth="1"/>"#),
            "{sheet}"
        );
        // The header row and the first two columns on every page.
        assert!(
            parts["xl/workbook.xml"].contains("!$A:$B,"),
            "{}",
            parts["xl/workbook.xml"]
        );
        assert!(
            parts["xl/workbook.xml"].contains("_xlnm.Print_Titles"),
            "{}",
            parts["xl/workbook.xml"]
        );
        let drawn = &parts["xl/charts/chart1.xml"];
        assert!(drawn.contains(r#"<c:min val="0"/>"#), "{drawn}");
    }

    #[test]
    fn formula_looking_text_is_neutralised() {
        for text in [
            "=1+1",
            "+1",
            "-2",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            " =1",
            "=HYPERLINK(\"x\")",
        ] {
            assert!(neutralise(text).starts_with('\''), "{text:?}");
        }
        for text in ["李娜", "Ann", "E0107", "1-2", "a=b", ""] {
            assert_eq!(neutralise(text), text);
        }
    }

    #[test]
    fn csv_has_a_bom_crlf_and_neutral_cells() {
        let sheet = Sheet {
            name: "考评".into(),
            headers: vec!["工号".into(), "总分".into()],
            rows: vec![
                vec![Cell::Text("=cmd|' /C calc'!A0".into()), Cell::Number(83.5)],
                vec![Cell::Text("E, \"1\"".into()), Cell::Empty],
            ],
        };
        let bytes = write(Format::Csv, &sheet).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "\u{feff}工号,总分\r\n'=cmd|' /C calc'!A0,83.5\r\n\"E, \"\"1\"\"\",\r\n"
        );
    }

    #[test]
    fn sheet_names_are_ones_excel_accepts() {
        assert_eq!(sheet_name("a/b[c]"), "a-b-c-");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
        assert_eq!(sheet_name(" "), "Sheet");
    }
}
