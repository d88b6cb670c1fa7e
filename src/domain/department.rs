use std::fmt;

use serde::Serialize;

use super::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    FrontLine,
    BackOffice,
}

impl DepartmentKind {
    pub const VALUES: &'static [&'static str] = &["front_line", "back_office"];

    pub fn parse(value: &str) -> Result<Self, Problem> {
        match value {
            "front_line" => Ok(DepartmentKind::FrontLine),
            "back_office" => Ok(DepartmentKind::BackOffice),
            _ => Err(Problem::OneOf {
                options: DepartmentKind::VALUES,
            }),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DepartmentKind::FrontLine => "front_line",
            DepartmentKind::BackOffice => "back_office",
        }
    }
}

impl TryFrom<String> for DepartmentKind {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        DepartmentKind::parse(&value).map_err(|_| format!("unknown department kind {value:?}"))
    }
}

impl fmt::Display for DepartmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const DEPARTMENT_NAME_MAX: usize = 100;

pub fn parse_department_name(value: &str) -> Result<String, Problem> {
    super::text::name(value, DEPARTMENT_NAME_MAX)
}
