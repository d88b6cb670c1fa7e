//! The readers' tests: formats, encodings, limits and row numbers.

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
