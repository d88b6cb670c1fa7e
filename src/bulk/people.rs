//! People in bulk: the rows of the people file (docs/PRODUCT.md §12), read like every other bulk
//! body and checked cell by cell; `app::people_bulk` applies them.

use foldhash::{HashMap, HashMapExt};

use serde_json::Value;

use super::{parse_rows, Cell, Parsed, RowReader, Spec, Upload};
use crate::domain::problem::Problem;
use crate::domain::user::{parse_display_name, parse_employee_number, Email, Locale, Role};

/// A person as a row of the people file names them (docs/PRODUCT.md §12). `department` is a
/// department's name; `manager` an employee number or an email, of someone already there or
/// of a row of the same file.
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub row: usize,
    pub employee_number: Option<String>,
    /// None for someone without email (they need an employee number).
    pub email: Option<Email>,
    pub display_name: String,
    pub role: Role,
    pub department: String,
    pub manager: Option<String>,
    pub locale: Option<Locale>,
    pub active: Option<bool>,
}

pub const PEOPLE_COLUMNS: [&str; 8] = [
    "employee_number",
    "email",
    "display_name",
    "role",
    "department",
    "manager",
    "locale",
    "active",
];

impl RowReader<'_> {
    /// An optional text cell: None when empty or absent.
    pub(super) fn optional_text(&mut self, column: &str) -> Option<Option<String>> {
        if self.has(column) {
            self.text(column).map(|t| Some(t.trim().to_owned()))
        } else {
            Some(None)
        }
    }

    /// A yes/no cell: JSON true/false, or `true`/`false`, `1`/`0`, `yes`/`no`, `是`/`否`,
    /// `在职`/`离职` (for `active`).
    fn flag(&mut self, column: &str) -> Option<Option<bool>> {
        match self.row.cells.get(column) {
            Some(Cell::Json(Value::Bool(b))) => Some(Some(*b)),
            _ if !self.has(column) => Some(None),
            _ => {
                let text = self.text(column)?;
                match text.trim().to_lowercase().as_str() {
                    "true" | "1" | "yes" | "y" | "是" | "在职" => Some(Some(true)),
                    "false" | "0" | "no" | "n" | "否" | "离职" => Some(Some(false)),
                    _ => {
                        self.fail(column, Problem::NotYesNo);
                        None
                    }
                }
            }
        }
    }
}

/// People in bulk: every cell checked; an email or employee number given twice in the file
/// is refused on its second row.
pub fn people(upload: &Upload) -> Parsed<PersonRow> {
    let mut emails: HashMap<String, usize> = HashMap::new();
    let mut numbers: HashMap<String, usize> = HashMap::new();
    let spec = Spec {
        known: &PEOPLE_COLUMNS,
        required: &[
            &["email", "employee_number"],
            &["display_name"],
            &["role"],
            &["department"],
        ],
        person: &["employee_number", "email"],
    };
    parse_rows(upload, &spec, |r| {
        let number = r.optional_text("employee_number").and_then(|n| match n {
            Some(n) if !n.is_empty() => r
                .check("employee_number", parse_employee_number(&n))
                .map(Some),
            _ => Some(None),
        });
        let email = r.optional_text("email").and_then(|e| match e {
            Some(e) if !e.is_empty() => r.check("email", Email::parse(&e)).map(Some),
            _ => Some(None),
        });
        if matches!((&email, &number), (Some(None), Some(None))) {
            r.fail("email", Problem::NoWayToSignIn);
        }
        let display_name = r
            .text("display_name")
            .and_then(|n| r.check("display_name", parse_display_name(&n)));
        // The role as the API writes it, or as the pages name it in Chinese.
        let role = r.text("role").and_then(|x| {
            let parsed = match x.trim() {
                "员工" => Ok(Role::Staff),
                "主管" => Ok(Role::Supervisor),
                "人事" | "人力资源" => Ok(Role::Hr),
                other => Role::parse(other).map_err(|_| Problem::NotRole),
            };
            r.check("role", parsed)
        });
        let department = r.text("department").map(|d| d.trim().to_owned());
        let manager = r.optional_text("manager");
        let locale = r.optional_text("locale").and_then(|l| match l {
            Some(l) => r.check("locale", sheet_locale(&l)).map(Some),
            None => Some(None),
        });
        let active = r.flag("active");
        if let Some(Some(email)) = &email {
            if emails
                .insert(email.as_str().to_owned(), r.number())
                .is_some()
            {
                r.fail("email", Problem::Twice);
            }
        }
        if let Some(Some(number)) = &number {
            if numbers.insert(number.clone(), r.number()).is_some() {
                r.fail("employee_number", Problem::Twice);
            }
        }
        Some(PersonRow {
            row: r.number(),
            employee_number: number?,
            email: email?,
            display_name: display_name?,
            role: role?,
            department: department?,
            manager: manager?.filter(|m| !m.is_empty()),
            locale: locale?,
            active: active?,
        })
    })
}

/// A language as a sheet names it: the code, or 中文 / 英文 (and their English names).
pub(super) fn sheet_locale(text: &str) -> Result<Locale, Problem> {
    match text.trim() {
        "中文" | "简体中文" | "汉语" | "Chinese" | "chinese" | "zh" => Ok(Locale::ZhCn),
        "英文" | "英语" | "English" | "english" => Ok(Locale::En),
        other => Locale::parse(other).map_err(|_| Problem::NotLanguage),
    }
}
