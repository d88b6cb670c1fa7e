//! A cycle's appraisals taken out to Excel (docs/PRODUCT.md §12): one row per appraisal with every
//! component's score, the weight that applied, its evidence and why it is missing, then the
//! total, grade, rank, state and review; and, in the XLSX, the department report with a
//! column chart of the mean totals. Headers are in the reader's language. The scope is the
//! one for reading appraisals: HR every appraisal, a supervisor their reports'.

use std::collections::{BTreeMap, HashMap};

use super::App;
use crate::auth::Caller;
use crate::db::{read_tx, DbConn};
use crate::domain::appraisal::{AppraisalState, ComponentInput, Inputs};
use crate::domain::component::Component;
use crate::domain::scoring::mean_of_hundredths;
use crate::error::AppError;
use crate::export::{Cell, ColumnChart, Format, Sheet, Writer};
use crate::i18n::{self, words, Locale};
use crate::store::appraisals::{self, Appraisal};
use crate::store::users::{self, User};
use crate::store::{cycles, departments};

/// A file to send: its name, media type and bytes.
pub struct Exported {
    pub filename: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Appraisals read per statement: a big cycle is written page by page, never held whole.
const PAGE: usize = 2_000;

impl App {
    pub async fn export_cycle(
        &self,
        caller: &Caller,
        cycle_id: i32,
        format: Format,
        locale: Locale,
    ) -> Result<Exported, AppError> {
        super::allowed(
            caller,
            &[
                crate::domain::user::Role::Supervisor,
                crate::domain::user::Role::Hr,
            ],
        )?;
        let rules = (self.time.zone(), self.complaints.warn_percent);
        // On the database's blocking thread, in one read snapshot: reading a page and
        // writing its rows take turns.
        self.read(caller, move |conn, me| {
            read_tx(conn, |conn| {
                cycles::get(conn, cycle_id)?;
                export(conn, me, cycle_id, format, locale, rules)
            })
        })
        .await
    }
}

fn export(
    conn: &mut DbConn,
    me: &User,
    cycle_id: i32,
    format: Format,
    locale: Locale,
    (zone, warn): (chrono_tz::Tz, u8),
) -> Result<Exported, AppError> {
    let people = users::labels(conn, me)?;
    let departments: HashMap<i32, String> = departments::all(conn)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let ids = appraisals::ids_for_cycle(conn, me, cycle_id)?;
    let mut writer = Writer::new(
        format,
        &i18n::text(locale, "export-appraisals-sheet"),
        &headers(locale),
    )?;
    let mut report = Report::default();
    let words = Words::of(locale);
    for page in ids.chunks(PAGE) {
        for a in appraisals::by_ids(conn, page)? {
            let inputs = a.inputs()?;
            let department = departments
                .get(&a.department_id)
                .cloned()
                .unwrap_or_default();
            report.add(&a, &inputs, &department);
            let person = people.get(&a.employee_id);
            writer.row(&row(&a, &inputs, person, department, &words))?;
        }
    }
    let bytes = match format {
        Format::Csv => writer.finish(Vec::new(), None)?,
        Format::Xlsx => {
            let chart = ColumnChart {
                title: i18n::text(locale, "export-chart-title"),
                category_column: 0,
                value_column: 3,
            };
            let mut sheets = vec![report.sheet(locale)];
            // HR's export also holds the cycle's complaints report (a supervisor's is their
            // team's appraisals only).
            if me.role == crate::domain::user::Role::Hr {
                let complaints = super::complaint_report::report_of(conn, cycle_id, zone, warn)?;
                sheets.push(complaints_sheet(&complaints, locale));
            }
            writer.finish(sheets, Some((1, chart)))?
        }
    };
    Ok(Exported {
        filename: format!("cycle-{cycle_id}-appraisals.{}", format.extension()),
        media_type: format.media_type(),
        bytes,
    })
}

fn headers(locale: Locale) -> Vec<String> {
    let t = |key: &str| i18n::text(locale, key);
    let mut headers = vec![
        t("employee_number"),
        t("field-display_name"),
        t("department"),
    ];
    for component in Component::ALL {
        let name = t(component.as_str());
        for key in [
            "export-score",
            "export-weight",
            "export-weight-used",
            "export-points",
            "export-evidence",
            "export-missing",
        ] {
            headers.push(i18n::format(
                locale,
                key,
                vec![("component", words(name.clone()))],
            ));
        }
    }
    headers.extend([
        t("total"),
        t("grade"),
        t("rank"),
        t("export-state"),
        t("export-reviewed"),
    ]);
    headers
}

/// The words a row repeats, looked up once.
struct Words {
    locale: Locale,
    yes: String,
    no: String,
    states: HashMap<AppraisalState, String>,
}

impl Words {
    fn of(locale: Locale) -> Words {
        Words {
            locale,
            yes: i18n::text(locale, "yes"),
            no: i18n::text(locale, "no"),
            states: AppraisalState::ALL
                .into_iter()
                .map(|s| (s, i18n::text(locale, &format!("appraisal_{}", s.as_str()))))
                .collect(),
        }
    }
}

/// A component's cells: its score, the weight set, the weight really used (a missing
/// component's weight spread over the others) and the points it adds to the total
/// (`scoring::contributions`, as the page shows them: they add up to 100 % and to the
/// total), its evidence and why it is missing.
fn component_cells(
    cells: &mut Vec<Cell>,
    c: &ComponentInput,
    used: Option<(f64, f64)>,
    component: Component,
    locale: Locale,
) {
    cells.push(c.score.into());
    cells.push(i64::from(c.weight).into());
    cells.push(used.map(|(share, _)| share).into());
    cells.push(used.map(|(_, points)| points).into());
    cells.push(c.evidence.into());
    cells.push(match &c.missing_reason {
        Some(reason) => Cell::Text(i18n::missing_reason(locale, component, reason)),
        None => Cell::Empty,
    });
}

/// One appraisal's row.
fn row(
    a: &Appraisal,
    inputs: &Inputs,
    person: Option<&(String, Option<String>)>,
    department: String,
    words: &Words,
) -> Vec<Cell> {
    let (name, number) = person.cloned().unwrap_or_default();
    let mut cells = vec![
        Cell::Text(number.unwrap_or_default()),
        Cell::Text(name),
        Cell::Text(department),
    ];
    for (component, input, used) in inputs.contributions() {
        component_cells(&mut cells, input, used, component, words.locale);
    }
    cells.push(a.total().into());
    cells.push(a.grade.clone().map_or(Cell::Empty, Cell::Text));
    cells.push(
        a.department_rank
            .map_or(Cell::Empty, |r| i64::from(r).into()),
    );
    cells.push(Cell::Text(words.states[&a.state].clone()));
    cells.push(Cell::Text(if a.reviewed_by.is_some() {
        words.yes.clone()
    } else {
        words.no.clone()
    }));
    cells
}

/// One department's figures, added up as the rows are written.
#[derive(Default)]
struct DepartmentFigures {
    count: i64,
    totals: i64,
    /// In hundredths, as stored.
    sum: i64,
    min: Option<f64>,
    max: Option<f64>,
    grades: HashMap<String, i64>,
}

/// Per department of the exported rows: how many, how many with a total, the mean, lowest
/// and highest total, and how many of each grade (in the order of the cycle's bands, then
/// any other grade in the order met).
#[derive(Default)]
struct Report {
    grades: Vec<String>,
    departments: BTreeMap<(String, i32), DepartmentFigures>,
}

impl Report {
    fn add(&mut self, a: &Appraisal, inputs: &Inputs, department: &str) {
        if self.departments.is_empty() && self.grades.is_empty() {
            self.grades = inputs.grade_bands.iter().map(|b| b.grade.clone()).collect();
        }
        let figures = self
            .departments
            .entry((department.to_owned(), a.department_id))
            .or_default();
        figures.count += 1;
        if let (Some(total), Some(centi)) = (a.total(), a.total_centi) {
            figures.totals += 1;
            figures.sum += i64::from(centi);
            figures.min = Some(figures.min.map_or(total, |m| m.min(total)));
            figures.max = Some(figures.max.map_or(total, |m| m.max(total)));
        }
        if let Some(g) = &a.grade {
            *figures.grades.entry(g.clone()).or_default() += 1;
            if !self.grades.contains(g) {
                self.grades.push(g.clone());
            }
        }
    }

    fn sheet(self, locale: Locale) -> Sheet {
        let t = |key: &str| i18n::text(locale, key);
        let mut headers = vec![
            t("department"),
            t("export-count"),
            t("export-with-total"),
            t("export-mean"),
            t("export-min"),
            t("export-max"),
        ];
        headers.extend(self.grades.iter().map(|g| {
            i18n::format(
                locale,
                "export-grade-count",
                vec![("grade", words(g.clone()))],
            )
        }));
        let rows = self
            .departments
            .into_iter()
            .map(|((name, _), f)| {
                let mean = mean_of_hundredths(f.sum, f.totals as usize);
                let mut cells = vec![
                    Cell::Text(name),
                    f.count.into(),
                    f.totals.into(),
                    mean.into(),
                    f.min.into(),
                    f.max.into(),
                ];
                for grade in &self.grades {
                    cells.push(f.grades.get(grade).copied().unwrap_or(0).into());
                }
                cells
            })
            .collect();
        Sheet {
            name: t("export-report-sheet"),
            headers,
            rows,
        }
    }
}

/// The complaints report as a sheet: each department, then each employee charged.
fn complaints_sheet(report: &super::complaint_report::ComplaintReport, locale: Locale) -> Sheet {
    let t = |key: &str| i18n::text(locale, key);
    let headers = vec![
        t("department"),
        t("employee"),
        t("report-complaints"),
        format!("{} (%)", t("report-first-in-time")),
        format!("{} (%)", t("report-resolution-in-time")),
        t("report-median-first"),
        t("report-median-resolution"),
        t("report-escalations"),
        format!("{} (%)", t("report-reopen-rate")),
    ];
    let rows = report
        .departments
        .iter()
        .chain(&report.employees)
        .map(|r| {
            vec![
                Cell::Text(r.department_name.clone()),
                r.employee_name.clone().map_or(Cell::Empty, Cell::Text),
                r.complaints.into(),
                r.first_response_in_time.into(),
                r.resolution_in_time.into(),
                r.median_first_response_minutes.map(|m| m as f64).into(),
                r.median_resolution_minutes.map(|m| m as f64).into(),
                r.escalations.into(),
                r.reopen_rate.into(),
            ]
        })
        .collect();
    Sheet {
        name: t("report-complaints-title"),
        headers,
        rows,
    }
}
