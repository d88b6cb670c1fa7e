//! Response bodies. Timestamps are UTC in RFC 3339.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::department::DepartmentKind;
use crate::domain::user::{Locale, Role};

use crate::app::view::{AuditEvent, Department, Page, Paged, User};

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

#[derive(Debug, Serialize, ToSchema)]
/// One page of a list; `total` counts every match.
pub struct PageView<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl<T> PageView<T> {
    pub fn new<S>(paged: Paged<S>, page: Page, view: impl Fn(S) -> T) -> Self {
        PageView {
            items: paged.items.into_iter().map(view).collect(),
            total: paged.total,
            limit: page.limit,
            offset: page.offset,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(value_type = String, pattern = "^Bearer$")]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentView {
    pub id: i32,
    pub name: String,
    pub kind: DepartmentKind,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        DepartmentView {
            id: d.id,
            name: d.name,
            kind: d.kind,
            created_at: utc(d.created_at),
            updated_at: utc(d.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i32,
    /// Null for someone without email (they sign in with their employee number).
    #[schema(schema_with = crate::domain::user::email_schema::<true>)]
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub department_id: i32,
    pub manager_id: Option<i32>,
    pub locale: Locale,
    pub active: bool,
    /// The number HR's spreadsheets key the person by (工号), when given.
    pub employee_number: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            department_id: u.department_id,
            manager_id: u.manager_id,
            locale: u.locale,
            active: u.active,
            employee_number: u.employee_number,
            created_at: utc(u.created_at),
            updated_at: utc(u.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: i64,
    pub actor_id: Option<i32>,
    pub action: String,
    pub entity: String,
    pub entity_id: i32,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub at: DateTime<Utc>,
}

impl From<AuditEvent> for AuditEventView {
    fn from(e: AuditEvent) -> Self {
        // Stored by us from serde_json, so it parses; a damaged row shows as null.
        let parse = |json: Option<String>| json.and_then(|j| serde_json::from_str(&j).ok());
        AuditEventView {
            id: e.id,
            actor_id: e.actor_id,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: parse(e.before_json),
            after: parse(e.after_json),
            at: utc(e.at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView {
    #[schema(value_type = String)]
    pub status: &'static str,
}
