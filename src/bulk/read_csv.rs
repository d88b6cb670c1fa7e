//! CSV, a record at a time, numbered as a spreadsheet shows the rows.
//!
//! The body is at most [`super::IMPORT_BODY_LIMIT`]; UTF-8 is read in place, GB18030 once
//! decoded (at most half as large again). Records are read one at a time into one reused
//! record, so what stays is only the rows' cells, counted by [`super::Collector`].

use std::borrow::Cow;

use super::Collector;
use crate::domain::problem::Problem;
use crate::error::AppError;

/// A CSV file's text: UTF-8 with or without a byte-order mark, or GB18030 (of which GBK
/// and GB2312 are subsets), as Excel in China saves it; a `charset` named by the sender
/// decides, else UTF-8 when the bytes are valid UTF-8, else GB18030. Bytes that are
/// neither are refused, never replaced.
pub fn decode_csv<'a>(bytes: &'a [u8], charset: Option<&str>) -> Result<Cow<'a, str>, AppError> {
    let unreadable = || AppError::validation("file", Problem::NotUtf8OrGb18030);
    let gb = |bytes: &'a [u8]| {
        let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
        if had_errors {
            Err(unreadable())
        } else {
            Ok(text)
        }
    };
    let utf8 = |bytes: &'a [u8]| {
        std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|_| unreadable())
    };
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    match charset {
        Some("gb18030" | "gbk" | "gb2312" | "cp936") => gb(bytes),
        Some("utf-8" | "utf8") => utf8(bytes),
        Some(_) => Err(AppError::UnsupportedMediaType(Problem::MediaType {
            expected: "text/csv; charset=utf-8 or gb18030",
        })),
        None => utf8(bytes).or_else(|_| gb(bytes)),
    }
}

/// The rows of a CSV body into `rows`. A row's number is the line a spreadsheet shows it
/// on: the line the record starts on (empty lines before it counted), less the line breaks
/// inside quoted cells of the records before it (a spreadsheet shows such a cell in one
/// row). The csv crate's own record positions are taken before the empty lines it skips,
/// so the lines are counted here from the bytes.
pub(super) fn read(
    bytes: &[u8],
    charset: Option<&str>,
    rows: &mut Collector,
) -> Result<(), AppError> {
    let text = decode_csv(bytes, charset)?;
    let text = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text);
    let mut record = csv::StringRecord::new();
    let (mut offset, mut line) = (0usize, 1usize);
    let mut breaks_inside = 0usize;
    let mut header = true;
    loop {
        let read = reader.read_record(&mut record);
        let end = usize::try_from(reader.position().byte())
            .unwrap_or(text.len())
            .min(text.len());
        let read_now = &text[offset.min(end)..end];
        let blank = read_now
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .filter(|b| **b == b'\n')
            .count();
        let number = (line + blank).saturating_sub(breaks_inside);
        line += read_now.iter().filter(|b| **b == b'\n').count();
        offset = end;
        match read {
            Ok(false) => break,
            Ok(true) if header => {
                header = false;
                breaks_inside += line_breaks(&record);
                rows.header(number, record.iter().map(|h| h.trim().to_owned()).collect())?;
            }
            Ok(true) => {
                breaks_inside += line_breaks(&record);
                if record.len() != rows.width() {
                    rows.unreadable_row(number, Problem::RowUnreadable)?;
                    continue;
                }
                let mut cells = Vec::with_capacity(record.len());
                for field in record.iter() {
                    cells.push(rows.text(field.trim())?);
                }
                rows.row(number, cells)?;
            }
            Err(_) if header => return Err(AppError::BadRequest(Problem::HeaderUnreadable)),
            Err(_) => rows.unreadable_row(number, Problem::RowUnreadable)?,
        }
    }
    if header {
        return Err(AppError::validation("header", Problem::NoHeader));
    }
    Ok(())
}

/// Line breaks inside a record's cells (each stands for one line of the file).
fn line_breaks(record: &csv::StringRecord) -> usize {
    record
        .iter()
        .map(|field| field.bytes().filter(|b| *b == b'\n').count())
        .sum()
}
