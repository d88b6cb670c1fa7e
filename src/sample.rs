//! A realistic sample company for a first look (`appraisal serve --sample`): front-line and
//! back-office departments, a supervisor and six staff each, an etiquette checklist, and an
//! open cycle over the current quarter with sales, satisfaction responses, inspections and
//! collaboration ratings for everyone, and a month of complaints (`sample_complaints`). Seeded in one transaction, once; later starts only
//! print the logins again. Every sample account shares [`SAMPLE_PASSWORD`].

use chrono::{Datelike, Duration, NaiveDate};

use crate::app;
use crate::app::departments::{ensure as ensure_department, HR_DEPARTMENT};
use crate::app::inspections::{NewInspection, ScoreInput};
use crate::auth::password;
use crate::db::{write_tx, DbConn};
use crate::domain::checklist::{ChecklistDraft, Item};
use crate::domain::cycle::{CycleState, Period};
use crate::domain::department::DepartmentKind;
use crate::domain::scheme::{DepartmentOverride, GradeBand, MinEvidence, Scheme, Weights};
use crate::domain::user::{Email, Locale, PersonRef, Role};
use crate::error::AppError;
use crate::store::evidence::{DatedRow, Response, Sale, TargetRow};
use crate::store::users::{self, NewUser, User};
use crate::store::{appraisals, checklists, cycles};

pub const SAMPLE_PASSWORD: &str = "sample-password-2026";
const DOMAIN: &str = "sample.example";

const DEPARTMENTS: [(&str, &str, DepartmentKind); 5] = [
    ("旗舰店 Flagship Store", "store", DepartmentKind::FrontLine),
    (
        "线上客服 Online Service Desk",
        "online",
        DepartmentKind::FrontLine,
    ),
    ("呼叫中心 Call Centre", "calls", DepartmentKind::FrontLine),
    (
        "仓储物流 Warehouse & Logistics",
        "warehouse",
        DepartmentKind::BackOffice,
    ),
    (
        "财务结算 Finance & Billing",
        "finance",
        DepartmentKind::BackOffice,
    ),
];

const NAMES: [&str; 35] = [
    "Li Na",
    "Wang Wei",
    "Zhang Min",
    "Liu Yang",
    "Chen Jing",
    "Yang Fan",
    "Zhao Lei",
    "Huang Li",
    "Zhou Tao",
    "Wu Xia",
    "Xu Qiang",
    "Sun Mei",
    "Ma Jun",
    "Zhu Hong",
    "Hu Bin",
    "Guo Ying",
    "He Ping",
    "Gao Yan",
    "Lin Feng",
    "Luo Hui",
    "Emma Clark",
    "Noah Patel",
    "Olivia Brown",
    "Liam Wong",
    "Ava Müller",
    "Lucas Rossi",
    "Mia Jensen",
    "Ethan Novak",
    "Sofia Alvarez",
    "Mason Kim",
    "Isla Murphy",
    "Leo Tanaka",
    "Chloe Dubois",
    "Ryan Singh",
    "Grace Okafor",
];

/// One login to show.
pub struct SampleLogin {
    pub role: &'static str,
    pub email: String,
    pub department: &'static str,
}

/// A small deterministic generator, so the sample is the same on every machine.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }
}

fn email(local: &str) -> String {
    format!("{local}@{DOMAIN}")
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect()
}

fn logins() -> Vec<SampleLogin> {
    let mut logins = vec![SampleLogin {
        role: "hr",
        email: email("hr"),
        department: HR_DEPARTMENT,
    }];
    for (i, (name, key, _)) in DEPARTMENTS.iter().enumerate() {
        logins.push(SampleLogin {
            role: "supervisor",
            email: email(&format!("lead.{key}")),
            department: name,
        });
        logins.push(SampleLogin {
            role: "staff",
            email: email(&slug(NAMES[i * 7 + 1])),
            department: name,
        });
    }
    logins
}

/// The quarter that holds `today`.
pub fn quarter_of(today: NaiveDate) -> Period {
    let first_month = (today.month0() / 3) * 3 + 1;
    let start = NaiveDate::from_ymd_opt(today.year(), first_month, 1).expect("valid date");
    let next = if first_month == 10 {
        NaiveDate::from_ymd_opt(today.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(today.year(), first_month + 3, 1)
    }
    .expect("valid date");
    Period {
        start,
        end: next - Duration::days(1),
    }
}

/// One sample account.
struct Seat<'a> {
    local: &'a str,
    name: &'a str,
    role: Role,
    department_id: i32,
    manager_id: Option<i32>,
    locale: Locale,
    /// 工号: E and a running number.
    number: Option<String>,
}

fn person(conn: &mut DbConn, hash: &str, seat: Seat) -> Result<User, AppError> {
    let new = NewUser {
        email: Some(
            Email::parse(&email(seat.local))
                .map_err(|e| AppError::internal(anyhow::anyhow!("sample email: {e:?}")))?,
        ),
        display_name: seat.name.to_owned(),
        role: seat.role,
        department_id: seat.department_id,
        manager_id: seat.manager_id,
        locale: seat.locale,
        password_hash: hash.to_owned(),
        employee_number: seat.number.clone(),
    };
    users::insert(conn, None, &new)
}

fn scheme(back_office: &[i32]) -> Scheme {
    let internal = Weights {
        sales: 0,
        satisfaction: 30,
        etiquette: 30,
        collaboration: 40,
        responsiveness: 0,
    };
    Scheme {
        weights: Weights {
            sales: 30,
            satisfaction: 30,
            etiquette: 25,
            collaboration: 15,
            responsiveness: 0,
        },
        full_marks_at: 100,
        min_evidence: MinEvidence::default(),
        grade_bands: [("A", 90), ("B", 75), ("C", 60), ("D", 0)]
            .into_iter()
            .map(|(grade, min_total)| GradeBand {
                grade: grade.to_owned(),
                min_total,
            })
            .collect(),
        department_overrides: back_office
            .iter()
            .map(|&department_id| DepartmentOverride {
                department_id,
                weights: internal,
            })
            .collect(),
    }
}

fn checklist() -> ChecklistDraft {
    let items = [
        ("仪容仪表 Grooming and attire", 10, false),
        ("仪态 Posture", 10, false),
        ("表情与目光 Facial expression and eye contact", 10, false),
        ("声音语调 Voice and tone", 10, false),
        ("礼貌用语 Courteous language", 10, true),
        ("服务流程 Service procedure", 15, false),
    ];
    ChecklistDraft {
        name: "服务礼仪检查 Service etiquette inspection".to_owned(),
        items: items
            .into_iter()
            .map(|(title, max_points, critical)| Item {
                title: title.to_owned(),
                max_points,
                critical,
            })
            .collect(),
    }
}

/// Seeds the sample company (once) and answers the logins to show.
pub fn seed(conn: &mut DbConn, today: NaiveDate) -> Result<Vec<SampleLogin>, AppError> {
    if users::find_by_email(conn, &email("hr"))?.is_some() {
        return Ok(logins());
    }
    let hash = password::hash(SAMPLE_PASSWORD)?;
    write_tx(conn, |conn| seed_company(conn, &hash, today))?;
    Ok(logins())
}

fn seed_company(conn: &mut DbConn, hash: &str, today: NaiveDate) -> Result<(), AppError> {
    let mut dice = Dice(0x5eed_2026);
    let hr_department = ensure_department(conn, HR_DEPARTMENT, DepartmentKind::BackOffice)?;
    let hr = person(
        conn,
        hash,
        Seat {
            local: "hr",
            name: "Helen Ruan",
            role: Role::Hr,
            department_id: hr_department.id,
            manager_id: None,
            locale: Locale::ZhCn,
            number: Some("E0001".to_owned()),
        },
    )?;

    let mut teams = Vec::new();
    for (i, (name, key, kind)) in DEPARTMENTS.iter().enumerate() {
        let department = ensure_department(conn, name, *kind)?;
        let locale = |n: usize| if n % 2 == 0 { Locale::ZhCn } else { Locale::En };
        let lead = person(
            conn,
            hash,
            Seat {
                local: &format!("lead.{key}"),
                name: NAMES[i * 7],
                role: Role::Supervisor,
                department_id: department.id,
                manager_id: None,
                locale: locale(i),
                number: Some(format!("E{:04}", 100 + i * 10)),
            },
        )?;
        let mut staff = Vec::new();
        for n in 1..=6 {
            let name = NAMES[i * 7 + n];
            staff.push(person(
                conn,
                hash,
                Seat {
                    local: &slug(name),
                    name,
                    role: Role::Staff,
                    department_id: department.id,
                    manager_id: Some(lead.id),
                    locale: locale(i + n),
                    number: Some(format!("E{:04}", 100 + i * 10 + n)),
                },
            )?);
        }
        teams.push(Team {
            kind: *kind,
            lead,
            staff,
        });
    }

    let list = checklists::create(conn, hr.id, &checklist())?;
    let back_office: Vec<i32> = teams
        .iter()
        .filter(|t| t.kind == DepartmentKind::BackOffice)
        .map(|t| t.lead.department_id)
        .collect();
    // Last quarter: complete, computed, reviewed and published, with one open appeal.
    let current = quarter_of(today);
    let previous = quarter_of(current.start - Duration::days(1));
    let company = Company {
        hr,
        teams,
        list,
        back_office,
        today,
    };
    let (hr, teams) = (&company.hr, &company.teams);
    let past = seed_cycle(conn, &company, previous, previous.end, &mut dice)?;
    app::cycles::move_cycle(conn, hr.id, past, CycleState::Review)?;
    app::appraisals::compute(conn, hr.id, past)?;
    let computed = appraisals::list_for_cycle(conn, hr, past, None)?;
    for team in teams {
        for a in computed
            .iter()
            .filter(|a| team.staff.iter().any(|s| s.id == a.employee_id))
        {
            let comment = Some("Reviewed with the team lead".to_owned());
            app::appraisals::review(conn, &team.lead, a.id, comment)?;
        }
    }
    app::cycles::move_cycle(conn, hr.id, past, CycleState::Published)?;
    let appellant = &teams[0].staff[0];
    let theirs = computed
        .iter()
        .find(|a| a.employee_id == appellant.id)
        .expect("every employee has an appraisal");
    app::appraisals::appeal(
        conn,
        appellant,
        theirs.id,
        "Two customer surveys from the December promotion are missing",
        // Only a refusal's message would show a time; this appeal is in its window.
        &crate::domain::clock::CompanyTime::UTC,
    )?;

    // This quarter: open, with evidence up to today.
    seed_cycle(conn, &company, current, today.min(current.end), &mut dice)?;
    // A month of complaints at the flagship store, some for the warehouse.
    let warehouse = &teams[3];
    crate::sample_complaints::seed(
        conn,
        today,
        &teams[0].staff,
        &warehouse.staff,
        &warehouse.lead,
    )?;
    Ok(())
}

struct Team {
    kind: DepartmentKind,
    lead: User,
    staff: Vec<User>,
}

struct Company {
    hr: User,
    teams: Vec<Team>,
    list: checklists::ChecklistWithItems,
    back_office: Vec<i32>,
    /// The company's date: evidence is dated up to it.
    today: NaiveDate,
}

/// Creates and opens a cycle over `period` and enters evidence dated up to `last`.
fn seed_cycle(
    conn: &mut DbConn,
    company: &Company,
    period: Period,
    last: NaiveDate,
    dice: &mut Dice,
) -> Result<i32, AppError> {
    let Company {
        hr,
        teams,
        list,
        back_office,
        today,
    } = company;
    let cycle = cycles::insert(
        conn,
        hr.id,
        &format!("{} Q{}", period.start.year(), period.start.month0() / 3 + 1),
        crate::domain::cycle::DEFAULT_SERIES,
        period,
        14,
    )?;
    app::cycles::put_scheme(conn, hr.id, cycle.id, &scheme(back_office))?;
    app::cycles::move_cycle(conn, hr.id, cycle.id, CycleState::Open)?;

    // Evidence is dated from the start of the period up to `last`.
    let span = (last - period.start).num_days().max(0);
    let day = |dice: &mut Dice| period.start + Duration::days(dice.between(0, span));
    let mut targets = Vec::new();
    let mut sales = Vec::new();
    let mut responses = Vec::new();
    let mut row = 0;
    for team in teams.iter().filter(|t| t.kind == DepartmentKind::FrontLine) {
        for member in &team.staff {
            row += 1;
            let target = dice.between(40, 90) * 1_000_000;
            targets.push(TargetRow {
                row,
                person: PersonRef::Id(member.id),
                name: None,
                employee_id: member.id,
                cycle_id: cycle.id,
                target,
            });
            for n in 0..12 {
                sales.push(DatedRow {
                    row: sales.len() + 1,
                    person: PersonRef::Id(member.id),
                    name: None,
                    employee_id: member.id,
                    occurred_on: day(dice),
                    external_ref: format!("SAMPLE-POS-{}-{}-{n}", cycle.id, member.id),
                    values: Sale {
                        amount: target * dice.between(4, 13) / 100,
                    },
                });
            }
            // Some people have fewer responses than the minimum of 5.
            for n in 0..dice.between(3, 8) {
                responses.push(DatedRow {
                    row: responses.len() + 1,
                    person: PersonRef::Id(member.id),
                    name: None,
                    employee_id: member.id,
                    occurred_on: day(dice),
                    external_ref: format!("SAMPLE-CSAT-{}-{}-{n}", cycle.id, member.id),
                    values: Response {
                        rating: dice.between(2, 5) as i32,
                        channel: ["phone", "email", "in store", "chat"][n as usize % 4].to_owned(),
                    },
                });
            }
        }
    }
    app::evidence::import_targets(conn, hr.id, &targets)?;
    app::evidence::import_sales(conn, hr.id, &sales, *today)?;
    app::evidence::import_responses(conn, hr.id, &responses, *today)?;

    for team in teams {
        for member in &team.staff {
            for _ in 0..dice.between(1, 2) {
                let scores = list
                    .items
                    .iter()
                    .map(|item| {
                        // Rarely, a critical item fails.
                        let points = if item.critical && dice.between(1, 20) == 1 {
                            0
                        } else {
                            dice.between(i64::from(item.max_points) / 2, i64::from(item.max_points))
                        };
                        ScoreInput {
                            item_id: i64::from(item.id),
                            points,
                            note: None,
                        }
                    })
                    .collect();
                let inspection = NewInspection {
                    employee_id: member.id,
                    checklist_id: list.checklist.id,
                    occurred_on: day(dice).to_string(),
                    scores,
                    comment: Some("On-site etiquette check".to_owned()),
                };
                app::inspections::record(conn, &team.lead, &inspection.parse(*today)?)?;
            }
        }
    }

    // Everyone is rated by three people of other departments.
    let everyone: Vec<&User> = teams
        .iter()
        .flat_map(|t| std::iter::once(&t.lead).chain(t.staff.iter()))
        .collect();
    for ratee in &everyone {
        let mut raters = std::collections::HashSet::new();
        while raters.len() < 3 {
            let rater = everyone[dice.between(0, everyone.len() as i64 - 1) as usize];
            if rater.department_id == ratee.department_id || !raters.insert(rater.id) {
                continue;
            }
            let rating = dice.between(3, 5) as i32;
            app::collaboration::rate(conn, rater, ratee.id, cycle.id, rating, None)?;
        }
    }
    Ok(cycle.id)
}
