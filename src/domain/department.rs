use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepartmentKind {
    FrontLine,
    BackOffice,
}

impl DepartmentKind {
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "front_line" => Ok(DepartmentKind::FrontLine),
            "back_office" => Ok(DepartmentKind::BackOffice),
            _ => Err("must be front_line or back_office".to_owned()),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            DepartmentKind::FrontLine => "front_line",
            DepartmentKind::BackOffice => "back_office",
        }
    }
}

impl fmt::Display for DepartmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const DEPARTMENT_NAME_MAX: usize = 100;

pub fn parse_department_name(value: &str) -> Result<String, String> {
    super::text::line(value, DEPARTMENT_NAME_MAX)
}
