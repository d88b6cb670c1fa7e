//! HR's to-do list: what needs HR's hand across the open and in-review cycles, each item
//! with the people behind it (the first hundred, by employee number, then by the pinyin of
//! their name). One read for the page; the rule of who lacks inspections is
//! `scheme::inspections_needed`.

use chrono::NaiveDate;

use super::App;
use crate::auth::Caller;
use crate::db::DbConn;
use crate::domain::cycle::CycleState;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::cycles::{self, Cycle};
use crate::store::notices::{self, NoticeFilter, NoticeStatus};
use crate::store::users::User;
use crate::store::{appeals, appraisals, inspections, users, Page};

impl App {
    /// HR's to-do list, with every cycle (the page lists them beside it). HR only.
    pub async fn hr_to_do(&self, caller: &Caller) -> Result<(Vec<Cycle>, ToDo), AppError> {
        let today = self.today();
        super::allowed(caller, &[Role::Hr])?;
        self.read(caller, move |conn, me| {
            let all = cycles::all(conn)?;
            let todo = to_do(conn, me, &all, today)?;
            Ok((all, todo))
        })
        .await
    }
}

/// How many people a to-do names; the rest are counted ("and 1,234 more"): at the start of
/// a cycle of a large company everyone lacks inspections, and the page stays small.
pub const NAMED_AT_MOST: usize = 100;

/// Someone a to-do names: an id to link to (the person or their appraisal), their name and
/// employee number.
pub struct NamedPerson {
    pub id: i32,
    pub name: String,
    pub number: Option<String>,
}

/// The people behind a count: the first [`NAMED_AT_MOST`] in order, and how many in all.
#[derive(Default)]
pub struct Named {
    pub first: Vec<NamedPerson>,
    pub total: usize,
}

/// A person's place in a to-do's order, the id to link to, their name and number.
type Placed<'a> = ((bool, String), i32, &'a String, &'a Option<String>);

/// People named by `ids` (with the id to link to), in the order a Chinese office reads a
/// list: by employee number, then those without one by the pinyin of their name; the first
/// [`NAMED_AT_MOST`] of them.
fn named(
    labels: &std::collections::HashMap<i32, (String, Option<String>)>,
    ids: impl Iterator<Item = (i32, i32)>,
) -> Named {
    // Each person's place in the order: their number, else (after everyone with one) the
    // pinyin of their name, worked out only for them.
    let mut keyed: Vec<Placed> = ids
        .filter_map(|(link, person)| {
            labels.get(&person).map(|(name, number)| {
                let key = match number {
                    Some(n) => (false, n.clone()),
                    None => (true, crate::domain::text::name_order(name)),
                };
                (key, link, name, number)
            })
        })
        .collect();
    let total = keyed.len();
    // Only the first ones are shown: put them first, then in order.
    if keyed.len() > NAMED_AT_MOST {
        keyed.select_nth_unstable_by(NAMED_AT_MOST, |a, b| a.0.cmp(&b.0));
        keyed.truncate(NAMED_AT_MOST);
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Named {
        total,
        first: keyed
            .into_iter()
            .map(|(_, id, name, number)| NamedPerson {
                id,
                name: name.clone(),
                number: number.clone(),
            })
            .collect(),
    }
}

/// What needs HR's hand, each with where it is fixed.
pub struct ToDo {
    pub open_appeals: i64,
    pub failed_notices: i64,
    pub cycles: Vec<CycleToDo>,
}

pub struct CycleToDo {
    pub id: i32,
    pub name: String,
    pub state: CycleState,
    pub days_left: i64,
    pub lacking_inspections: usize,
    /// Who they are, by employee number then name.
    pub lacking: Named,
    /// The drafts not yet reviewed (linked by appraisal).
    pub drafts: Named,
    pub uncomputed: i64,
    pub unreviewed: i64,
    /// Drafts of people without a manager: HR's own to review.
    pub hr_reviews: i64,
    pub stale: i64,
}

impl ToDo {
    pub fn is_empty(&self) -> bool {
        self.open_appeals == 0 && self.failed_notices == 0 && self.cycles.is_empty()
    }
}

/// Who among `appraised` has fewer inspections in `cycle`'s period than its scheme asks
/// for (`scheme::inspections_needed`): the to-do list names them, the step to review
/// counts them.
pub fn lacking_inspections(
    conn: &mut DbConn,
    cycle: &Cycle,
    appraised: &[i32],
) -> Result<Vec<i32>, AppError> {
    let minimum = i64::from(cycle.inspections_needed()?);
    let counts = inspections::count_by_employee(conn, cycle.id)?;
    Ok(appraised
        .iter()
        .copied()
        .filter(|id| counts.get(id).copied().unwrap_or(0) < minimum)
        .collect())
}

fn to_do(conn: &mut DbConn, me: &User, all: &[Cycle], today: NaiveDate) -> Result<ToDo, AppError> {
    let one = Page {
        limit: 1,
        offset: 0,
    };
    let open_appeals =
        appeals::list(conn, Some(crate::domain::appraisal::AppealState::Open), one)?.total;
    let failed = NoticeFilter {
        status: Some(NoticeStatus::Failed),
        kind: None,
        newest_first: false,
    };
    let failed_notices = notices::list(conn, &failed, one)?.total;
    let mut todo = Vec::new();
    let appraised = users::appraised_ids(conn)?;
    let reviewed_by_hr = users::reviewed_by_hr_ids(conn)?;
    let mut labels = None;
    for c in all {
        match c.state {
            CycleState::Open => {
                let lacking = lacking_inspections(conn, c, &appraised)?;
                let named_lacking = if lacking.is_empty() {
                    Named::default()
                } else {
                    let labels = match &labels {
                        Some(l) => l,
                        None => labels.insert(users::labels(conn, me)?),
                    };
                    named(labels, lacking.iter().map(|&id| (id, id)))
                };
                todo.push(CycleToDo {
                    id: c.id,
                    name: c.name.clone(),
                    state: c.state,
                    days_left: (c.period_end - today).num_days().max(0),
                    lacking_inspections: lacking.len(),
                    lacking: named_lacking,
                    drafts: Named::default(),
                    uncomputed: 0,
                    unreviewed: 0,
                    hr_reviews: 0,
                    stale: 0,
                });
            }
            CycleState::Review => todo.push(CycleToDo {
                id: c.id,
                name: c.name.clone(),
                state: c.state,
                days_left: 0,
                lacking_inspections: 0,
                lacking: Named::default(),
                drafts: {
                    let drafts = appraisals::draft_ids(conn, c.id)?;
                    if drafts.is_empty() {
                        Named::default()
                    } else {
                        let labels = match &labels {
                            Some(l) => l,
                            None => labels.insert(users::labels(conn, me)?),
                        };
                        named(labels, drafts.into_iter())
                    }
                },
                uncomputed: appraisals::uncomputed(conn, c.id)?,
                unreviewed: appraisals::unreviewed(conn, c.id)?,
                hr_reviews: appraisals::drafts_among(conn, c.id, &reviewed_by_hr)?,
                stale: appraisals::stale(conn, c)?,
            }),
            _ => {}
        }
    }
    Ok(ToDo {
        open_appeals,
        failed_notices,
        cycles: todo,
    })
}
