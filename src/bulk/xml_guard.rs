//! A look at one XML part of an XLSX file before anything parses it: the part is inflated
//! through a counter that stops at a cap, and its bytes are tokenised just enough to know
//! that no token (a tag, a run of text, a comment) and no cell is longer than a parser may
//! buffer, and that there is no document type (whose entities could expand). The shared
//! strings are counted as they pass, with the count their root claims. Nothing is kept but
//! a few numbers, so the look takes the same few kilobytes whatever the part holds.
//!
//! calamine, which reads the cells afterwards, buffers whole tokens and whole cells
//! (`read_to_end_into`, rich-text runs joined into one string) and reserves what the shared
//! strings' root claims; it has no cap of its own. This is the cap.

use std::io::Read;

/// What one part may be and hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes the part may inflate to.
    pub inflated: u64,
    /// Bytes of one token: a tag with its attributes, a run of text, a comment.
    pub token: u64,
    /// Bytes of one element at `deep_from` levels below the document (a cell of a sheet,
    /// an entry of the shared strings), from its start tag to its end tag.
    pub element: u64,
    /// The depth (the root element is 1) from which elements are bounded by `element`.
    pub deep_from: u32,
    /// Elements under the root (the shared strings' entries), and the number the root may
    /// claim of them.
    pub entries: u64,
    /// Bytes of text below the root's children.
    pub text: u64,
    /// Rows (elements three levels down) that hold a value (a `v` or `is` element in one
    /// of their cells): the header and the rows of data.
    pub rows: u64,
}

/// What the look found in a part that can be read safely.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// Bytes the part inflated to.
    pub inflated: u64,
    /// Elements directly under the root (the shared strings' entries).
    pub entries: u64,
    /// Bytes of text below the root's children (the shared strings' text).
    pub text: u64,
    /// The largest number the root's `uniqueCount` or `count` attribute claims.
    pub claimed: u64,
}

/// Why a part is not safe to hand to a parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It inflates to more than its cap (a compression bomb, or far too large).
    Inflates { cap: u64 },
    /// Not XML a spreadsheet writes: a document type, a token or a cell beyond its bound,
    /// tags that do not nest, or bytes the archive could not inflate.
    NotSheetXml,
    /// A cell (or row, or the sheet's dimension) referenced beyond Excel's last cell,
    /// XFD1048576.
    BeyondSheet { reference: String },
    /// A row numbered beyond Excel's last row, 1048576.
    RowBeyondSheet { row: String },
    /// More entries under the root than [`Limits::entries`], or a root claiming more.
    TooManyEntries { max: u64 },
    /// More text below the root's children than [`Limits::text`].
    TooMuchText { max: u64 },
    /// More rows with values than [`Limits::rows`].
    TooManyRows,
}

/// Start tags down to a cell are read for what their attributes claim; a longer one is not
/// a spreadsheet's.
const TAG_READ: usize = 16 * 1024;

/// Reads whole tokens out of a buffer; what is left of an unfinished one waits for more
/// bytes (at most [`Limits::token`] of them).
struct Lexer {
    limits: Limits,
    /// Bytes consumed before the buffer's start.
    consumed: u64,
    /// Bytes of the text run that the buffer starts in the middle of.
    text_run: u64,
    depth: u32,
    /// Where the element bounded by [`Limits::element`] started.
    deep_start: Option<u64>,
    /// Whether the row being read has shown a value yet, and how many rows have.
    row_valued: bool,
    valued_rows: u64,
    /// A row numbered beyond Excel's last row, refused at its first cell or its end.
    beyond_row: Option<String>,
    seen: Seen,
}

impl Lexer {
    fn new(limits: Limits) -> Lexer {
        Lexer {
            limits,
            consumed: 0,
            text_run: 0,
            depth: 0,
            deep_start: None,
            row_valued: false,
            valued_rows: 0,
            beyond_row: None,
            seen: Seen::default(),
        }
    }

    /// Reads the complete tokens at the start of `buf`; answers how many bytes they took.
    /// At the end of the part (`last`), nothing may be left unfinished.
    fn scan(&mut self, buf: &[u8], last: bool) -> Result<usize, Refusal> {
        let mut i = 0;
        while i < buf.len() {
            // Text up to the next markup.
            let run = buf[i..]
                .iter()
                .position(|&b| b == b'<')
                .unwrap_or(buf.len() - i);
            self.text(run as u64)?;
            i += run;
            if i == buf.len() {
                break;
            }
            let Some(end) = self.markup(&buf[i..], self.consumed + i as u64)? else {
                if last {
                    return Err(Refusal::NotSheetXml);
                }
                break;
            };
            self.text_run = 0;
            i += end;
        }
        self.consumed += i as u64;
        if let Some(start) = self.deep_start {
            if self.consumed - start > self.limits.element {
                return Err(Refusal::NotSheetXml);
            }
        }
        Ok(i)
    }

    /// A run of text (or the part of one in this buffer); below the root's children it is
    /// the shared strings' text.
    fn text(&mut self, run: u64) -> Result<(), Refusal> {
        self.text_run += run;
        if self.text_run > self.limits.token {
            return Err(Refusal::NotSheetXml);
        }
        if self.depth >= 2 {
            self.seen.text += run;
            if self.seen.text > self.limits.text {
                return Err(Refusal::TooMuchText {
                    max: self.limits.text,
                });
            }
        }
        Ok(())
    }

    /// The markup at the start of `at` (which starts with `<`): its length, or None when it
    /// does not end in `at`.
    fn markup(&mut self, at: &[u8], offset: u64) -> Result<Option<usize>, Refusal> {
        let ends = |close: &[u8], from: usize| {
            at.get(from..)
                .and_then(|rest| rest.windows(close.len()).position(|w| w == close))
                .map(|p| from + p + close.len())
        };
        let Some(&second) = at.get(1) else {
            return Ok(None);
        };
        let end = match second {
            b'/' => match at.iter().position(|&b| b == b'>') {
                Some(p) => {
                    self.end_tag(offset + p as u64 + 1)?;
                    Some(p + 1)
                }
                None => None,
            },
            b'?' => ends(b"?>", 2),
            b'!' if at.starts_with(b"<!--") => ends(b"-->", 4),
            b'!' if at.starts_with(b"<![CDATA[") => {
                let end = ends(b"]]>", 9);
                if let Some(end) = end {
                    self.text(end as u64)?;
                }
                end
            }
            // A document type, or the start of one not yet in the buffer.
            b'!' if at.len() >= 9 || !(b"<!--".starts_with(at) || b"<![CDATA[".starts_with(at)) => {
                return Err(Refusal::NotSheetXml)
            }
            b'!' => None,
            _ => match start_tag_end(at) {
                Some(p) => {
                    let empty =
                        at[..p].iter().rev().find(|b| !b.is_ascii_whitespace()) == Some(&b'/');
                    self.start_tag(&at[..=p], empty, offset)?;
                    Some(p + 1)
                }
                None => None,
            },
        };
        match end {
            Some(end) if end as u64 > self.limits.token => Err(Refusal::NotSheetXml),
            None if at.len() as u64 > self.limits.token => Err(Refusal::NotSheetXml),
            _ => Ok(end),
        }
    }

    fn end_tag(&mut self, end: u64) -> Result<(), Refusal> {
        if self.depth == 0 {
            return Err(Refusal::NotSheetXml);
        }
        if self.depth == self.limits.deep_from {
            self.deep_ends(end)?;
        }
        if self.depth == 3 {
            self.row_beyond()?;
        }
        self.depth -= 1;
        Ok(())
    }

    fn start_tag(&mut self, tag: &[u8], empty: bool, offset: u64) -> Result<(), Refusal> {
        let depth = self.depth + 1;
        if depth <= 4 {
            if tag.len() > TAG_READ {
                return Err(Refusal::NotSheetXml);
            }
            self.check_tag(tag, depth)?;
            if empty && depth == 3 {
                self.row_beyond()?;
            }
        }
        match depth {
            2 => self.seen.entries += 1,
            3 => self.row_valued = false,
            5 if !self.row_valued && matches!(tag_name(tag), b"v" | b"is") => {
                self.row_valued = true;
                self.valued_rows += 1;
                if self.valued_rows > self.limits.rows {
                    return Err(Refusal::TooManyRows);
                }
            }
            _ => {}
        }
        if self.seen.entries > self.limits.entries || self.seen.claimed > self.limits.entries {
            return Err(Refusal::TooManyEntries {
                max: self.limits.entries,
            });
        }
        if depth == self.limits.deep_from {
            self.deep_start = Some(offset);
            if empty {
                self.deep_ends(offset + tag.len() as u64)?;
            }
        }
        if !empty {
            self.depth = depth;
        }
        Ok(())
    }

    fn deep_ends(&mut self, end: u64) -> Result<(), Refusal> {
        if let Some(start) = self.deep_start.take() {
            if end - start > self.limits.element {
                return Err(Refusal::NotSheetXml);
            }
        }
        Ok(())
    }
}

/// The local name of a start tag (`<x:c r="A1">` → `c`).
fn tag_name(tag: &[u8]) -> &[u8] {
    let tag = &tag[1..];
    let end = tag
        .iter()
        .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        .unwrap_or(tag.len());
    local_name(&tag[..end])
}

/// Where a start tag's closing `>` is (quoted attribute values may hold `>`).
fn start_tag_end(at: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < at.len() {
        match at[i] {
            b'>' => return Some(i),
            quote @ (b'"' | b'\'') => {
                i += 1 + at[i + 1..].iter().position(|&b| b == quote)?;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

impl Lexer {
    /// What a kept start tag at `depth` claims: the root's count of shared strings, the
    /// sheet's dimension, a row's number, a cell's reference.
    fn check_tag(&mut self, tag: &[u8], depth: u32) -> Result<(), Refusal> {
        let local = tag_name(tag);
        let name_end = 1 + tag[1..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
            .unwrap_or(tag.len() - 1);
        let mut rest = &tag[name_end..];
        while let Some((attribute, value, after)) = next_attribute(rest) {
            match (depth, local, local_name(attribute)) {
                (1, _, b"count" | b"uniqueCount") => {
                    self.seen.claimed = self.seen.claimed.max(all_digits(value));
                }
                (2, b"dimension", b"ref") => {
                    for reference in value.split(|b| *b == b':') {
                        check_reference(reference)?;
                    }
                }
                // Refused at its first cell (named by its reference) or at its end.
                (3, b"row", b"r") if all_digits(value) > 1_048_576 => {
                    self.beyond_row =
                        Some(String::from_utf8_lossy(value).chars().take(24).collect());
                }
                (4, b"c", b"r") => check_reference(value)?,
                _ => {}
            }
            rest = after;
        }
        if depth == 4 {
            self.row_beyond()?;
        }
        Ok(())
    }

    fn row_beyond(&mut self) -> Result<(), Refusal> {
        match self.beyond_row.take() {
            Some(row) => Err(Refusal::RowBeyondSheet { row }),
            None => Ok(()),
        }
    }
}

fn local_name(name: &[u8]) -> &[u8] {
    name.rsplit(|b| *b == b':').next().unwrap_or(name)
}

/// The next `name="value"` (or `'value'`) of a start tag's attributes, and what follows it.
fn next_attribute(rest: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let at = rest.iter().position(|b| *b == b'=')?;
    let name = rest[..at].trim_ascii_end();
    let name = name
        .rsplit(|b| b.is_ascii_whitespace())
        .next()
        .unwrap_or(name);
    let value = rest[at + 1..].trim_ascii_start();
    let quote = *value.first().filter(|q| **q == b'"' || **q == b'\'')?;
    let value = &value[1..];
    let end = value
        .iter()
        .position(|b| *b == quote)
        .unwrap_or(value.len());
    Some((name, &value[..end], value.get(end + 1..).unwrap_or(&[])))
}

/// Every digit of a value, read as one number (so no way of writing it hides a large one).
fn all_digits(value: &[u8]) -> u64 {
    value
        .iter()
        .filter(|b| b.is_ascii_digit())
        .fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        })
}

/// A reference (`B7`) must lie within Excel's grid; one beyond it is refused naming it.
/// Other malformed references are left to the reader, which refuses them.
fn check_reference(reference: &[u8]) -> Result<(), Refusal> {
    let letters = reference
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let column = reference[..letters].iter().fold(0u64, |n, c| {
        n.saturating_mul(26)
            .saturating_add(u64::from(c.to_ascii_uppercase() - b'A' + 1))
    });
    let row = all_digits(&reference[letters..]);
    if column > 16_384 || row > 1_048_576 {
        Err(Refusal::BeyondSheet {
            reference: String::from_utf8_lossy(reference)
                .chars()
                .take(24)
                .collect(),
        })
    } else {
        Ok(())
    }
}

/// Reads `part` to its end (or its cap) through the look.
pub fn look(part: impl Read, limits: Limits) -> Result<Seen, Refusal> {
    const CHUNK: usize = 64 * 1024;
    let mut capped = part.take(limits.inflated + 1);
    let mut lexer = Lexer::new(limits);
    let mut buffer: Vec<u8> = Vec::with_capacity(2 * CHUNK);
    let mut inflated = 0u64;
    loop {
        let start = buffer.len();
        buffer.resize(start + CHUNK, 0);
        let n = loop {
            match capped.read(&mut buffer[start..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => return Err(Refusal::NotSheetXml),
            }
        };
        buffer.truncate(start + n);
        inflated += n as u64;
        if inflated > limits.inflated {
            return Err(Refusal::Inflates {
                cap: limits.inflated,
            });
        }
        let last = n == 0;
        let used = lexer.scan(&buffer, last)?;
        buffer.drain(..used);
        if last {
            break;
        }
    }
    if lexer.depth != 0 || !buffer.is_empty() {
        return Err(Refusal::NotSheetXml);
    }
    lexer.seen.inflated = inflated;
    Ok(lexer.seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        inflated: 1 << 20,
        token: 64,
        element: 256,
        deep_from: 4,
        entries: u64::MAX,
        text: u64::MAX,
        rows: u64::MAX,
    };

    fn look_at(xml: &str, limits: Limits) -> Result<Seen, Refusal> {
        look(xml.as_bytes(), limits)
    }

    const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="x"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/></row></sheetData></worksheet>"#;

    #[test]
    fn a_plain_sheet_passes() {
        let seen = look_at(SHEET, LIMITS).unwrap();
        assert_eq!(seen.inflated, SHEET.len() as u64);
    }

    #[test]
    fn a_long_token_or_cell_is_refused() {
        let long_text = SHEET.replace("<v>0</v>", &format!("<v>{}</v>", "9".repeat(100)));
        assert_eq!(look_at(&long_text, LIMITS), Err(Refusal::NotSheetXml));
        let runs = format!("<is>{}</is>", "<r><t>abcdefgh</t></r>".repeat(20));
        let long_cell = SHEET.replace("<v>0</v>", &runs);
        assert_eq!(look_at(&long_cell, LIMITS), Err(Refusal::NotSheetXml));
        // The same runs in a row (not a cell) are not bounded: a row is not buffered.
        let limits = Limits {
            element: 1 << 20,
            ..LIMITS
        };
        assert!(look_at(&long_cell, limits).is_ok());
    }

    #[test]
    fn quotes_hide_markup_and_are_bounded_too() {
        let quoted = SHEET.replace(r#"r="B1""#, r#"r="B1" x="a>b<c""#);
        assert!(look_at(&quoted, LIMITS).is_ok());
        let long = SHEET.replace(r#"r="B1""#, &format!(r#"r="B1" x="{}""#, "<>".repeat(40)));
        assert_eq!(look_at(&long, LIMITS), Err(Refusal::NotSheetXml));
    }

    #[test]
    fn document_types_are_refused_and_comments_bounded() {
        let doctype = format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{SHEET}");
        assert_eq!(look_at(&doctype, LIMITS), Err(Refusal::NotSheetXml));
        let comment = SHEET.replace("<sheetData>", "<!-- a < b -- c --><sheetData>");
        assert!(look_at(&comment, LIMITS).is_ok());
        let long = SHEET.replace(
            "<sheetData>",
            &format!("<!--{}--><sheetData>", "<a>".repeat(30)),
        );
        assert_eq!(look_at(&long, LIMITS), Err(Refusal::NotSheetXml));
        let cdata = SHEET.replace("<v>0</v>", "<v><![CDATA[1<2]]></v>");
        assert!(look_at(&cdata, LIMITS).is_ok());
    }

    #[test]
    fn inflating_past_the_cap_is_refused() {
        let limits = Limits {
            inflated: 100,
            ..LIMITS
        };
        assert_eq!(look_at(SHEET, limits), Err(Refusal::Inflates { cap: 100 }));
    }

    #[test]
    fn shared_strings_are_counted_with_their_claim() {
        let sst = r#"<sst xmlns="x" count="7" uniqueCount = '3'><si><t>ab</t></si><si><r><t>c</t></r><r><t>de</t></r></si><si><t/></si></sst>"#;
        let limits = Limits {
            deep_from: 2,
            ..LIMITS
        };
        let seen = look_at(sst, limits).unwrap();
        assert_eq!((seen.entries, seen.text, seen.claimed), (3, 5, 7));
        let claim = r#"<sst uniqueCount="4000000000000"><si><t>a</t></si></sst>"#;
        assert_eq!(look_at(claim, limits).unwrap().claimed, 4_000_000_000_000);
        let few = Limits {
            entries: 2,
            ..limits
        };
        assert_eq!(look_at(sst, few), Err(Refusal::TooManyEntries { max: 2 }));
        assert_eq!(look_at(claim, few), Err(Refusal::TooManyEntries { max: 2 }));
        let short = Limits { text: 4, ..limits };
        assert_eq!(look_at(sst, short), Err(Refusal::TooMuchText { max: 4 }));
    }

    #[test]
    fn references_beyond_excels_last_cell_are_named() {
        let at = |r: &str| SHEET.replace(r#"r="B1""#, &format!(r#"r="{r}""#));
        assert!(look_at(&at("XFD1048576"), LIMITS).is_ok());
        for beyond in [
            "A1048577",
            "XFE1",
            "A99999999",
            "A99999999999",
            "AAAAAAAAAAAAA1",
        ] {
            assert_eq!(
                look_at(&at(beyond), LIMITS),
                Err(Refusal::BeyondSheet {
                    reference: beyond.into()
                })
            );
        }
        let row = SHEET.replace(r#"<row r="1">"#, r#"<row r="2000000">"#);
        // Named by its first cell's reference where that is beyond…
        assert!(matches!(
            look_at(&row, LIMITS),
            Err(Refusal::RowBeyondSheet { .. })
        ));
        let row = SHEET.replace(
            r#"<row r="1"><c r="A1" t="s">"#,
            r#"<row r="2000000"><c r="A2000000" t="s">"#,
        );
        assert_eq!(
            look_at(&row, LIMITS),
            Err(Refusal::BeyondSheet {
                reference: "A2000000".into()
            })
        );
        // … else by its number.
        let row = SHEET.replace(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/></row>"#,
            r#"<row r="2000000"/>"#,
        );
        assert_eq!(
            look_at(&row, LIMITS),
            Err(Refusal::RowBeyondSheet {
                row: "2000000".into()
            })
        );
        let dimension = SHEET.replace(
            "<sheetData>",
            r#"<dimension ref="A1:A99999999999"/><sheetData>"#,
        );
        assert!(matches!(
            look_at(&dimension, LIMITS),
            Err(Refusal::BeyondSheet { .. })
        ));
    }

    #[test]
    fn rows_with_values_are_counted_and_bounded() {
        let rows = |n: usize| {
            format!(
                "<worksheet><sheetData>{}<row><c r=\"A9\"/></row></sheetData></worksheet>",
                "<row><c><v>1</v></c><c t=\"inlineStr\"><is><t>x</t></is></c></row>".repeat(n)
            )
        };
        let limits = Limits { rows: 3, ..LIMITS };
        assert!(look_at(&rows(3), limits).is_ok());
        assert_eq!(look_at(&rows(4), limits), Err(Refusal::TooManyRows));
    }

    #[test]
    fn unbalanced_or_unfinished_markup_is_refused() {
        assert_eq!(look_at("<a></a></a>", LIMITS), Err(Refusal::NotSheetXml));
        assert_eq!(look_at("<a><b>", LIMITS), Err(Refusal::NotSheetXml));
        assert_eq!(look_at("<a x=\"", LIMITS), Err(Refusal::NotSheetXml));
    }
}
