//! The synthetic company: departments of 20–200 people, one supervisor per ~12 staff, and per
//! employee per cycle ~12 sales records, ~5 CSAT responses, ~2 inspections of the 6-item
//! checklist and ~3 collaboration ratings from other departments. Deterministic for a seed.
//!
//! Rows go straight into the tables through each backend's bulk path (PostgreSQL `COPY`,
//! SQLite multi-row `INSERT`s in one transaction): the benchmark measures the service, not
//! the generator. Configuration (checklist, cycle, scheme) goes through the API instead.

use std::fmt::Write as _;
use std::io::Write as _;

use appraisal::db::schema;
use appraisal::db::DbConn;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// The password of every generated account (one argon2 hash shared by all rows).
pub const PASSWORD: &str = "bench-password-2026";
pub const HR_EMAIL: &str = "hr@bench.example";
/// Sales records in the import benchmark get references of their own.
pub const REF_PREFIX_IMPORT: &str = "IMP-";

/// Deterministic SplitMix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `low..=high`.
    pub fn range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }
    /// A count around `mean` (mean ± 50 %), so evidence is uneven as in life.
    fn around(&mut self, mean: i64) -> i64 {
        self.range(mean / 2, mean + mean / 2)
    }
}

/// One value of a generated row.
pub enum Cell {
    Int(i64),
    Text(String),
    Bool(bool),
    Date(NaiveDate),
    Stamp(NaiveDateTime),
    Null,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Int(v) => v.to_string(),
            Cell::Text(v) => v.clone(),
            Cell::Bool(v) => v.to_string(),
            Cell::Date(v) => v.format("%Y-%m-%d").to_string(),
            Cell::Stamp(v) => v.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Null => String::new(),
        }
    }
    /// PostgreSQL's COPY text format (generated text has no tab, newline or backslash).
    fn copy(&self, out: &mut Vec<u8>) {
        match self {
            Cell::Null => out.extend_from_slice(b"\\N"),
            Cell::Bool(v) => out.push(if *v { b't' } else { b'f' }),
            other => out.extend_from_slice(other.text().as_bytes()),
        }
    }
    /// A SQLite literal, stored the way diesel stores the type.
    fn literal(&self, out: &mut String) {
        match self {
            Cell::Int(v) => write!(out, "{v}").expect("writing to a string"),
            Cell::Bool(v) => out.push(if *v { '1' } else { '0' }),
            Cell::Null => out.push_str("NULL"),
            other => {
                out.push('\'');
                out.push_str(&other.text().replace('\'', "''"));
                out.push('\'');
            }
        }
    }
}

/// A table's bulk loader: the column list must be the table's columns in schema order.
pub struct Table {
    pub name: &'static str,
    pub columns: &'static str,
}

/// Rows per SQLite INSERT statement.
const SQLITE_ROWS_PER_INSERT: usize = 500;

/// Loads rows with the backend's native bulk path, in the caller's transaction if any.
pub fn load(conn: &mut DbConn, table: &Table, rows: &[Vec<Cell>]) -> anyhow::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        DbConn::Pg(c) => copy_pg(c, table, rows),
        DbConn::Sqlite(c) => {
            for chunk in rows.chunks(SQLITE_ROWS_PER_INSERT) {
                let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, table.columns);
                for (i, row) in chunk.iter().enumerate() {
                    sql.push_str(if i == 0 { "(" } else { ",(" });
                    for (j, cell) in row.iter().enumerate() {
                        if j > 0 {
                            sql.push(',');
                        }
                        cell.literal(&mut sql);
                    }
                    sql.push(')');
                }
                c.batch_execute(&sql)?;
            }
            Ok(())
        }
    }
}

fn copy_text(rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut data = Vec::with_capacity(rows.len() * 64);
    for row in rows {
        for (j, cell) in row.iter().enumerate() {
            if j > 0 {
                data.push(b'\t');
            }
            cell.copy(&mut data);
        }
        data.push(b'\n');
    }
    data
}

fn copy_pg(conn: &mut PgConnection, table: &Table, rows: &[Vec<Cell>]) -> anyhow::Result<()> {
    let data = copy_text(rows);
    let write = |out: &mut dyn std::io::Write| -> Result<(), diesel::result::Error> {
        out.write_all(&data)
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
    };
    use schema::*;
    // COPY's column list is the table's, in schema order; the rows follow that order.
    let copied = match table.name {
        "departments" => diesel::copy_from(departments::table)
            .from_raw_data(departments::table, write)
            .execute(conn)?,
        "users" => diesel::copy_from(users::table)
            .from_raw_data(users::table, write)
            .execute(conn)?,
        "sales_targets" => diesel::copy_from(sales_targets::table)
            .from_raw_data(sales_targets::table, write)
            .execute(conn)?,
        "sales_records" => diesel::copy_from(sales_records::table)
            .from_raw_data(sales_records::table, write)
            .execute(conn)?,
        "satisfaction_responses" => diesel::copy_from(satisfaction_responses::table)
            .from_raw_data(satisfaction_responses::table, write)
            .execute(conn)?,
        "inspections" => diesel::copy_from(inspections::table)
            .from_raw_data(inspections::table, write)
            .execute(conn)?,
        "inspection_scores" => diesel::copy_from(inspection_scores::table)
            .from_raw_data(inspection_scores::table, write)
            .execute(conn)?,
        "collaboration_ratings" => diesel::copy_from(collaboration_ratings::table)
            .from_raw_data(collaboration_ratings::table, write)
            .execute(conn)?,
        other => anyhow::bail!("no COPY path for {other}"),
    };
    anyhow::ensure!(
        copied == rows.len(),
        "COPY wrote {copied} of {}",
        rows.len()
    );
    Ok(())
}

pub const DEPARTMENTS: Table = Table {
    name: "departments",
    columns: "id, name, kind, created_at, updated_at",
};
pub const USERS: Table = Table {
    name: "users",
    columns: "id, email, display_name, role, department_id, manager_id, locale, password_hash, \
              active, token_version, created_at, updated_at, employee_number",
};
pub const SALES_TARGETS: Table = Table {
    name: "sales_targets",
    columns: "cycle_id, employee_id, target_minor, updated_at",
};
pub const SALES_RECORDS: Table = Table {
    name: "sales_records",
    columns: "id, cycle_id, employee_id, occurred_on, amount_minor, external_ref, created_at",
};
pub const SATISFACTION: Table = Table {
    name: "satisfaction_responses",
    columns: "id, cycle_id, employee_id, occurred_on, rating, channel, external_ref, created_at",
};
pub const INSPECTIONS: Table = Table {
    name: "inspections",
    columns: "id, cycle_id, employee_id, inspector_id, checklist_id, occurred_on, comment, \
              created_at",
};
pub const INSPECTION_SCORES: Table = Table {
    name: "inspection_scores",
    columns: "inspection_id, item_id, points, note",
};
pub const COLLABORATION: Table = Table {
    name: "collaboration_ratings",
    columns: "id, cycle_id, rater_id, ratee_id, rating, comment, created_at, updated_at",
};

/// An appraised person of the generated company.
#[derive(Clone, Copy)]
pub struct Person {
    pub id: i32,
    pub department: i32,
    pub manager: Option<i32>,
}

pub struct Company {
    pub people: Vec<Person>,
    pub departments: usize,
}

fn stamp() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .expect("a valid time")
}

/// Loads rows in chunks, so memory stays flat at any size.
struct Loader<'a> {
    conn: &'a mut DbConn,
    table: &'static Table,
    rows: Vec<Vec<Cell>>,
    written: usize,
}

impl<'a> Loader<'a> {
    const CHUNK: usize = 50_000;
    fn new(conn: &'a mut DbConn, table: &'static Table) -> Loader<'a> {
        Loader {
            conn,
            table,
            rows: Vec::with_capacity(Self::CHUNK),
            written: 0,
        }
    }
    fn push(&mut self, row: Vec<Cell>) -> anyhow::Result<()> {
        self.rows.push(row);
        if self.rows.len() == Self::CHUNK {
            self.flush()?;
        }
        Ok(())
    }
    fn flush(&mut self) -> anyhow::Result<()> {
        load(self.conn, self.table, &self.rows)?;
        self.written += self.rows.len();
        self.rows.clear();
        Ok(())
    }
    fn finish(mut self) -> anyhow::Result<usize> {
        self.flush()?;
        Ok(self.written)
    }
}

/// Departments and people: `employees` appraised people (staff and supervisors) plus one
/// HR account, all with the password [`PASSWORD`].
pub fn company(conn: &mut DbConn, employees: usize, seed: u64) -> anyhow::Result<Company> {
    let hash = appraisal::auth::password::hash(PASSWORD)?;
    let mut rng = Rng::new(seed);
    let at = stamp();
    let mut sizes = Vec::new();
    let mut left = employees;
    while left > 0 {
        let size = (rng.range(20, 200) as usize).min(left);
        sizes.push(size);
        left -= size;
    }
    // HR gets a department of its own, after the others.
    let hr_department = sizes.len() as i32 + 1;
    let departments: Vec<Vec<Cell>> = (1..=hr_department)
        .map(|id| {
            let kind = if id == hr_department || id % 10 >= 7 {
                "back_office"
            } else {
                "front_line"
            };
            vec![
                Cell::Int(id.into()),
                Cell::Text(format!("Department {id:05}")),
                Cell::Text(kind.into()),
                Cell::Stamp(at),
                Cell::Stamp(at),
            ]
        })
        .collect();
    write(conn, |conn| load(conn, &DEPARTMENTS, &departments))?;

    let mut people = Vec::with_capacity(employees);
    let mut next_id = 1;
    for (index, size) in sizes.iter().enumerate() {
        let department = index as i32 + 1;
        let supervisors = size.div_ceil(13);
        let first = next_id;
        for k in 0..*size {
            let manager = (k >= supervisors).then(|| first + (k % supervisors) as i32);
            people.push(Person {
                id: next_id,
                department,
                manager,
            });
            next_id += 1;
        }
    }
    let hr_id = next_id;
    let user = |id: i32, role: &str, department: i32, manager: Option<i32>| {
        vec![
            Cell::Int(id.into()),
            Cell::Text(if role == "hr" {
                HR_EMAIL.into()
            } else {
                format!("e{id}@bench.example")
            }),
            Cell::Text(format!("Employee {id}")),
            Cell::Text(role.into()),
            Cell::Int(department.into()),
            manager.map_or(Cell::Null, |m| Cell::Int(m.into())),
            Cell::Text(if id % 2 == 0 { "zh-CN" } else { "en" }.into()),
            Cell::Text(hash.clone()),
            Cell::Bool(true),
            Cell::Int(0),
            Cell::Stamp(at),
            Cell::Stamp(at),
            Cell::Text(format!("E{id:06}")),
        ]
    };
    write(conn, |conn| {
        let mut users = Loader::new(conn, &USERS);
        for p in &people {
            let role = if p.manager.is_some() {
                "staff"
            } else {
                "supervisor"
            };
            users.push(user(p.id, role, p.department, p.manager))?;
        }
        users.push(user(hr_id, "hr", hr_department, None))?;
        users.finish()?;
        Ok(())
    })?;
    reset_sequences(conn)?;
    Ok(Company {
        people,
        departments: sizes.len(),
    })
}

/// `n` new people for the bulk-people figure, from id `first` on, in `department` (named
/// `department_name` in the CSV): the rows the native path loads and the same people as the
/// CSV `POST /users/bulk` takes.
pub fn new_people(
    first: i32,
    n: usize,
    department: i32,
    department_name: &str,
) -> (Vec<Vec<Cell>>, String) {
    let at = NaiveDate::from_ymd_opt(2026, 1, 1)
        .expect("date")
        .and_hms_opt(8, 0, 0)
        .expect("time");
    let mut csv = String::from("employee_number,email,display_name,role,department,locale\n");
    let rows = (0..n as i32)
        .map(|k| {
            let id = first + k;
            let (number, email, name) = (
                format!("N{id:07}"),
                format!("n{id}@bulk.example"),
                format!("New Person {id}"),
            );
            writeln!(csv, "{number},{email},{name},staff,{department_name},zh-CN")
                .expect("writing to a string");
            vec![
                Cell::Int(id.into()),
                Cell::Text(email),
                Cell::Text(name),
                Cell::Text("staff".into()),
                Cell::Int(department.into()),
                Cell::Null,
                Cell::Text("zh-CN".into()),
                Cell::Text("!".into()),
                Cell::Bool(true),
                Cell::Int(0),
                Cell::Stamp(at),
                Cell::Stamp(at),
                Cell::Text(number),
            ]
        })
        .collect();
    (rows, csv)
}

/// What [`evidence`] wrote.
#[derive(Default)]
pub struct Written {
    pub rows: usize,
}

/// The cycle's evidence, dated inside `period`. Items are the checklist's `(id, max_points,
/// critical)`.
pub fn evidence(
    conn: &mut DbConn,
    company: &Company,
    cycle_id: i32,
    checklist: (i32, &[(i32, i32, bool)]),
    period: (NaiveDate, NaiveDate),
    seed: u64,
) -> anyhow::Result<Written> {
    let mut rng = Rng::new(seed ^ 0x5EED);
    let at = stamp();
    let days = (period.1 - period.0).num_days();
    let day = |rng: &mut Rng| period.0 + Duration::days(rng.range(0, days));
    let mut written = Written::default();
    write(conn, |conn| {
        let mut targets = Loader::new(conn, &SALES_TARGETS);
        for p in &company.people {
            // One in twenty has no target: their sales component is missing, as happens.
            if rng.range(0, 19) > 0 {
                targets.push(vec![
                    Cell::Int(cycle_id.into()),
                    Cell::Int(p.id.into()),
                    Cell::Int(rng.range(500_000, 2_000_000)),
                    Cell::Stamp(at),
                ])?;
            }
        }
        written.rows += targets.finish()?;

        let mut sales = Loader::new(conn, &SALES_RECORDS);
        let mut id = 0i64;
        for p in &company.people {
            for _ in 0..rng.around(12) {
                id += 1;
                sales.push(vec![
                    Cell::Int(id),
                    Cell::Int(cycle_id.into()),
                    Cell::Int(p.id.into()),
                    Cell::Date(day(&mut rng)),
                    Cell::Int(rng.range(1_000, 200_000)),
                    Cell::Text(format!("S-{cycle_id}-{id}")),
                    Cell::Stamp(at),
                ])?;
            }
        }
        written.rows += sales.finish()?;

        let mut csat = Loader::new(conn, &SATISFACTION);
        let mut id = 0i64;
        for p in &company.people {
            for _ in 0..rng.around(5) {
                id += 1;
                csat.push(vec![
                    Cell::Int(id),
                    Cell::Int(cycle_id.into()),
                    Cell::Int(p.id.into()),
                    Cell::Date(day(&mut rng)),
                    Cell::Int(rng.range(1, 5).max(rng.range(2, 5))),
                    Cell::Text(if id % 3 == 0 { "phone" } else { "survey" }.into()),
                    Cell::Text(format!("C-{cycle_id}-{id}")),
                    Cell::Stamp(at),
                ])?;
            }
        }
        written.rows += csat.finish()?;

        let (checklist_id, items) = checklist;
        let mut inspections = Vec::new();
        let mut scores = Vec::new();
        let mut id = 0i64;
        for p in &company.people {
            // Supervisors are inspected by nobody in this model; their reports are.
            let Some(inspector) = p.manager else { continue };
            for _ in 0..rng.around(2) {
                id += 1;
                inspections.push(vec![
                    Cell::Int(id),
                    Cell::Int(cycle_id.into()),
                    Cell::Int(p.id.into()),
                    Cell::Int(inspector.into()),
                    Cell::Int(checklist_id.into()),
                    Cell::Date(day(&mut rng)),
                    Cell::Text("Friendly, tidy; greet sooner".into()),
                    Cell::Stamp(at),
                ]);
                for &(item, max_points, critical) in items {
                    // Critical items are rarely failed; others vary over their range.
                    let points = if critical && rng.range(0, 49) == 0 {
                        0
                    } else {
                        rng.range(i64::from(max_points) / 2, max_points.into())
                    };
                    scores.push(vec![
                        Cell::Int(id),
                        Cell::Int(item.into()),
                        Cell::Int(points),
                        Cell::Null,
                    ]);
                }
            }
        }
        let mut loader = Loader::new(conn, &INSPECTIONS);
        for row in inspections {
            loader.push(row)?;
        }
        written.rows += loader.finish()?;
        let mut loader = Loader::new(conn, &INSPECTION_SCORES);
        for row in scores {
            loader.push(row)?;
        }
        written.rows += loader.finish()?;

        let mut ratings = Loader::new(conn, &COLLABORATION);
        let mut id = 0i64;
        let people = &company.people;
        for p in people {
            let mut raters: Vec<i32> = Vec::new();
            let wanted = rng.around(3);
            while (raters.len() as i64) < wanted {
                let other = people[rng.range(0, people.len() as i64 - 1) as usize];
                if other.department != p.department && !raters.contains(&other.id) {
                    raters.push(other.id);
                }
                if company.departments < 2 {
                    break;
                }
            }
            for rater in raters {
                id += 1;
                ratings.push(vec![
                    Cell::Int(id),
                    Cell::Int(cycle_id.into()),
                    Cell::Int(rater.into()),
                    Cell::Int(p.id.into()),
                    Cell::Int(rng.range(2, 5)),
                    Cell::Null,
                    Cell::Stamp(at),
                    Cell::Stamp(at),
                ])?;
            }
        }
        written.rows += ratings.finish()?;
        Ok(())
    })?;
    reset_sequences(conn)?;
    Ok(written)
}

/// `count` sales records as the CSV the import endpoint takes (same columns as its JSON),
/// dated inside `period`, for people of the company. References never repeat.
pub fn sales_csv(company: &Company, period: (NaiveDate, NaiveDate), count: usize) -> String {
    let mut rng = Rng::new(count as u64);
    let days = (period.1 - period.0).num_days();
    let mut csv = String::with_capacity(count * 40);
    csv.push_str("employee_id,occurred_on,amount,external_ref\n");
    for i in 0..count {
        let p = company.people[rng.range(0, company.people.len() as i64 - 1) as usize];
        let day = period.0 + Duration::days(rng.range(0, days));
        writeln!(
            csv,
            "{},{},{},{REF_PREFIX_IMPORT}{i:07}",
            p.id,
            day.format("%Y-%m-%d"),
            rng.range(1_000, 200_000)
        )
        .expect("writing to a string");
    }
    csv
}

/// The same rows as full `sales_records` rows for the native bulk load.
pub fn sales_rows(csv: &str, cycle_id: i32, first_id: i64) -> anyhow::Result<Vec<Vec<Cell>>> {
    let at = stamp();
    csv.lines()
        .skip(1)
        .enumerate()
        .map(|(i, line)| {
            let cells: Vec<&str> = line.split(',').collect();
            anyhow::ensure!(cells.len() == 4, "bad line {line}");
            Ok(vec![
                Cell::Int(first_id + i as i64),
                Cell::Int(cycle_id.into()),
                Cell::Int(cells[0].parse()?),
                Cell::Date(cells[1].parse()?),
                Cell::Int(cells[2].parse()?),
                Cell::Text(cells[3].to_owned()),
                Cell::Stamp(at),
            ])
        })
        .collect()
}

/// Runs `f` in one plain transaction: the generator writes a fresh database alone, so the
/// service's serializable write transactions (and their retries) are not needed here.
pub fn write<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    use diesel::Connection;
    conn.transaction(|conn| f(conn).map_err(Failed))
        .map_err(|Failed(e)| e)
}

/// An error that carries an anyhow error through a transaction.
struct Failed(anyhow::Error);

impl From<diesel::result::Error> for Failed {
    fn from(e: diesel::result::Error) -> Failed {
        Failed(e.into())
    }
}

/// PostgreSQL's serial sequences continue after the explicit ids written here.
pub fn reset_sequences(conn: &mut DbConn) -> anyhow::Result<()> {
    if let DbConn::Pg(c) = conn {
        for table in [
            "departments",
            "users",
            "sales_records",
            "satisfaction_responses",
            "inspections",
            "collaboration_ratings",
        ] {
            c.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))?;
        }
    }
    Ok(())
}

/// Writes `data` to stderr without failing the run (progress lines).
pub fn progress(data: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr(), "  {data}");
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The rows of a CSV (header first) as the first sheet of an XLSX workbook, numbers as
/// numbers and dates as text, as Excel saves a sheet typed in.
pub fn xlsx_of_csv(csv: &str) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory();
    for (row, line) in csv.lines().enumerate() {
        for (column, cell) in line.split(',').enumerate() {
            let (row, column) = (row as u32, column as u16);
            match cell.parse::<f64>() {
                Ok(n) if row > 0 => sheet.write_number(row, column, n)?,
                _ => sheet.write_string(row, column, cell)?,
            };
        }
    }
    Ok(book.save_to_buffer()?)
}
