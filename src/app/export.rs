//! A cycle's appraisals taken out to Excel (DESIGN §12): one row per appraisal with every
//! component's score, the weight that applied, its evidence and why it is missing, then the
//! total, grade, rank, state and review; and, in the XLSX, the department report with a
//! column chart of the mean totals. Headers are in the reader's language. The scope is the
//! one for reading appraisals: HR every appraisal, a supervisor their reports'.

use std::collections::{BTreeMap, HashMap};

use super::App;
use crate::auth::Caller;
use crate::domain::appraisal::{AppraisalState, ComponentInput};
use crate::error::AppError;
use crate::export::{self, Cell, ColumnChart, Format, Sheet};
use crate::i18n::{self, words, Locale};
use crate::store::appraisals::{self, Appraisal};
use crate::store::{cycles, departments, users};

/// A file to send: its name, media type and bytes.
pub struct Exported {
    pub filename: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// What the sheets are made from, read in one call.
struct Loaded {
    cycle_id: i32,
    appraisals: Vec<Appraisal>,
    people: HashMap<i32, (String, Option<String>)>,
    departments: HashMap<i32, String>,
}

const COMPONENTS: [&str; 4] = ["sales", "satisfaction", "etiquette", "collaboration"];

impl App {
    pub async fn export_cycle(
        &self,
        caller: &Caller,
        cycle_id: i32,
        format: Format,
        locale: Locale,
    ) -> Result<Exported, AppError> {
        let loaded = self
            .read(caller, move |conn, me| {
                cycles::get(conn, cycle_id)?;
                Ok(Loaded {
                    cycle_id,
                    appraisals: appraisals::list_for_cycle(conn, me, cycle_id, None)?,
                    people: users::labels(conn, me)?,
                    departments: departments::all(conn)?
                        .into_iter()
                        .map(|d| (d.id, d.name))
                        .collect(),
                })
            })
            .await?;
        // Writing 100k rows is work for the blocking threads, not the async workers.
        actix_web::web::block(move || build(loaded, format, locale)).await?
    }
}

fn build(loaded: Loaded, format: Format, locale: Locale) -> Result<Exported, AppError> {
    let cycle_id = loaded.cycle_id;
    // The report first: the appraisals' sheet then consumes the rows read.
    let report = match format {
        Format::Xlsx => Some(report_sheet(&loaded, locale)?),
        Format::Csv => None,
    };
    let appraisals = appraisal_sheet(loaded, locale)?;
    let bytes = match report {
        None => export::csv(&appraisals)?,
        Some(report) => {
            let chart = ColumnChart {
                title: i18n::text(locale, "export-chart-title"),
                category_column: 0,
                value_column: 3,
            };
            export::xlsx(&[appraisals, report], Some((1, chart)))?
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
    for component in COMPONENTS {
        let name = t(component);
        for key in [
            "export-score",
            "export-weight",
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

fn state_word(locale: Locale, state: AppraisalState) -> String {
    i18n::text(locale, &format!("appraisal_{}", state.as_str()))
}

fn component_cells(cells: &mut Vec<Cell>, c: &ComponentInput, name: &str, locale: Locale) {
    cells.push(c.score.into());
    cells.push(i64::from(c.weight).into());
    cells.push(c.evidence.into());
    cells.push(match &c.missing_reason {
        Some(reason) => Cell::Text(i18n::missing_reason(locale, name, reason)),
        None => Cell::Empty,
    });
}

/// One row per appraisal; each appraisal's stored snapshot is dropped once its row is made.
fn appraisal_sheet(loaded: Loaded, locale: Locale) -> Result<Sheet, AppError> {
    let yes = i18n::text(locale, "yes");
    let no = i18n::text(locale, "no");
    let mut rows = Vec::with_capacity(loaded.appraisals.len());
    for a in loaded.appraisals {
        let inputs = a.inputs()?;
        let (name, number) = loaded
            .people
            .get(&a.employee_id)
            .cloned()
            .unwrap_or_default();
        let mut cells = vec![
            Cell::Text(number.unwrap_or_default()),
            Cell::Text(name),
            Cell::Text(
                loaded
                    .departments
                    .get(&a.department_id)
                    .cloned()
                    .unwrap_or_default(),
            ),
        ];
        for (component, input) in COMPONENTS.iter().zip([
            &inputs.sales,
            &inputs.satisfaction,
            &inputs.etiquette,
            &inputs.collaboration,
        ]) {
            component_cells(&mut cells, input, component, locale);
        }
        cells.push(a.total().into());
        cells.push(a.grade.clone().map_or(Cell::Empty, Cell::Text));
        cells.push(
            a.department_rank
                .map_or(Cell::Empty, |r| i64::from(r).into()),
        );
        cells.push(Cell::Text(state_word(locale, a.state)));
        cells.push(Cell::Text(if a.reviewed_by.is_some() {
            yes.clone()
        } else {
            no.clone()
        }));
        rows.push(cells);
    }
    Ok(Sheet {
        name: i18n::text(locale, "export-appraisals-sheet"),
        headers: headers(locale),
        rows,
    })
}

/// Per department of the exported rows: how many, how many with a total, the mean, lowest
/// and highest total, and how many of each grade (in the order of the cycle's bands).
fn report_sheet(loaded: &Loaded, locale: Locale) -> Result<Sheet, AppError> {
    let mut grades: Vec<String> = Vec::new();
    if let Some(first) = loaded.appraisals.first() {
        grades = first
            .inputs()?
            .grade_bands
            .into_iter()
            .map(|b| b.grade)
            .collect();
    }
    let mut by_department: BTreeMap<(String, i32), Vec<&Appraisal>> = BTreeMap::new();
    for a in &loaded.appraisals {
        let name = loaded
            .departments
            .get(&a.department_id)
            .cloned()
            .unwrap_or_default();
        by_department
            .entry((name, a.department_id))
            .or_default()
            .push(a);
        if let Some(g) = &a.grade {
            if !grades.contains(g) {
                grades.push(g.clone());
            }
        }
    }
    let t = |key: &str| i18n::text(locale, key);
    let mut headers = vec![
        t("department"),
        t("export-count"),
        t("export-with-total"),
        t("export-mean"),
        t("export-min"),
        t("export-max"),
    ];
    headers.extend(grades.iter().map(|g| {
        i18n::format(
            locale,
            "export-grade-count",
            vec![("grade", words(g.clone()))],
        )
    }));
    let rows = by_department
        .into_iter()
        .map(|((name, _), list)| {
            let totals: Vec<f64> = list.iter().filter_map(|a| a.total()).collect();
            let mean = (!totals.is_empty()).then(|| {
                (totals.iter().sum::<f64>() / totals.len() as f64 * 100.0).round() / 100.0
            });
            let min = totals.iter().copied().reduce(f64::min);
            let max = totals.iter().copied().reduce(f64::max);
            let mut cells = vec![
                Cell::Text(name),
                (list.len() as i64).into(),
                (totals.len() as i64).into(),
                mean.into(),
                min.into(),
                max.into(),
            ];
            for grade in &grades {
                let n = list
                    .iter()
                    .filter(|a| a.grade.as_deref() == Some(grade))
                    .count();
                cells.push((n as i64).into());
            }
            cells
        })
        .collect();
    Ok(Sheet {
        name: t("export-report-sheet"),
        headers,
        rows,
    })
}
