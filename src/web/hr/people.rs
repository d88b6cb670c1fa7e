//! Departments and people: the list of departments with the form for a new one, people a
//! page at a time (by department), the form for a new person, and deactivating or
//! reactivating someone. Creating a person is the same use case as the API's and the
//! CLI's (`app::App::create_person`).

use std::collections::HashMap;

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use crate::app::departments::NewDepartment;
use crate::app::people::{NewPerson, PersonChanges};
use crate::app::view::{Page, UserFilter};
use crate::app::App;
use crate::auth::Hr;
use crate::domain::problem::Problem;
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors};
use crate::web::layout::{after_form, answer, csrf, pager, Alert};
use crate::web::session::{Ctx, Fields};

#[derive(serde::Deserialize)]
pub struct PeopleQuery {
    department_id: Option<i32>,
    offset: Option<i64>,
    /// Part of a name, an email or an employee number.
    q: Option<String>,
}

/// What the people list shows: one department, a search, and where in the list.
#[derive(Clone, Default)]
struct Shown {
    department: Option<i32>,
    search: Option<String>,
    offset: i64,
    /// Departments a refused people file named that do not exist: the page asks whether to
    /// create them (not part of the address).
    missing_departments: Vec<String>,
}

impl Shown {
    fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(d) = self.department {
            parts.push(format!("department_id={d}"));
        }
        if let Some(q) = &self.search {
            parts.push(format!("q={}", crate::web::layout::urlencode(q)));
        }
        parts.join("&")
    }
}

const PEOPLE_PAGE: i64 = 200;

pub async fn people(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    query: web::Query<PeopleQuery>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    let shown = Shown {
        department: query.department_id,
        search: query
            .q
            .clone()
            .map(|q| q.chars().take(100).collect::<String>())
            .filter(|q| !q.trim().is_empty()),
        offset: query.offset.unwrap_or(0).max(0),
        ..Shown::default()
    };
    render_people(ctx, app, shown, None, alert).await
}

async fn render_people(
    ctx: Ctx,
    app: web::Data<App>,
    shown: Shown,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let here = match shown.query().as_str() {
        "" => "/hr/people".to_owned(),
        q => format!("/hr/people?{q}"),
    };
    let ctx = ctx.at(here);
    let (department, offset) = (shown.department, shown.offset);
    let search = shown.search.clone();
    let filter = UserFilter {
        department_id: department,
        search,
        by_number: true,
        ..UserFilter::default()
    };
    let page = Page {
        limit: PEOPLE_PAGE,
        offset,
    };
    // Who may be someone's supervisor: the active supervisors.
    let crate::app::lists::PeoplePage {
        people,
        departments,
        supervisors: mut leads,
    } = app.people_page(ctx.caller()?, filter, page).await?;
    let (people, total) = (people.items, people.total);
    let t = ctx.t;
    let names: HashMap<i32, &str> = departments
        .iter()
        .map(|d| (d.id, d.name.as_str()))
        .collect();
    crate::web::layout::by_name_order(&mut leads);
    let managers: HashMap<i32, &str> = leads
        .iter()
        .map(|u| (u.id, u.display_name.as_str()))
        .collect();
    let value = |name: &str| sent.and_then(|f| f.get(name)).unwrap_or("").to_owned();
    let body = html! {
        h2 { (t.departments) }
        table #departments {
            thead { tr { th { (t.name) } th { (t.kind) } } }
            tbody { @for d in &departments { tr {
                td { a href={ "/hr/people?department_id=" (d.id) } { (d.name) } }
                td { (t.department_kind(d.kind)) }
            } } }
        }
        form.card.grid #new-department method="post" action="/hr/departments" {
            (csrf(&ctx))
            label { (t.name) input type="text" name="department_name" required value=(value("department_name")); }
            label { (t.kind) select name="kind" { option value="front_line" { (t.front_line) } option value="back_office" { (t.back_office) } } }
            button type="submit" { (t.add_department) }
        }
        h2 { (t.people) " (" (total) ")" }
        form.card.inline-search #people-search method="get" action="/hr/people" role="search" {
            @if let Some(d) = department { input type="hidden" name="department_id" value=(d); }
            label { (t.search_people) input #people-q type="search" name="q" value=(shown.search.as_deref().unwrap_or("")) maxlength="100"; }
            button type="submit" { (t.search) }
        }
        table #people {
            thead { tr { th { (t.employee_number) } th { (t.name) } th { (t.email) } th { (t.role_label) } th { (t.department) } th { (t.manager) } th { (t.active) } } }
            tbody { @for u in &people { tr class=(if u.active { "" } else { "inactive" }) data-person=(u.id) {
                td { (u.employee_number.as_deref().unwrap_or("—")) }
                td { a href={ "/hr/people/" (u.id) } { (u.display_name) } } td { (u.email.as_deref().unwrap_or("—")) } td { (t.role(u.role)) }
                td { (names.get(&u.department_id).copied().unwrap_or("?")) }
                td { (u.manager_id.and_then(|m| managers.get(&m).copied()).unwrap_or("—")) }
                td {
                    @if u.active { "✓ " } @else { "— " }
                    form.inline method="post" action={ "/hr/people/" (u.id) "/active" } {
                        (csrf(&ctx))
                        input type="hidden" name="active" value=(if u.active { "false" } else { "true" });
                        button type="submit" { (if u.active { t.deactivate } else { t.reactivate }) }
                    }
                }
            } } }
        }
        (pager(&ctx, Page { limit: PEOPLE_PAGE, offset }, total, |at| {
            match shown.query().as_str() {
                "" => format!("/hr/people?offset={at}"),
                q => format!("/hr/people?{q}&offset={at}"),
            }
        }))
        section.card #setup-codes {
            p.note { (t.setup_codes_all_note) }
            (crate::web::layout::button_form(&ctx, "/hr/people/setup-codes", t.setup_codes_all, ""))
        }
        h2 { (t.import_people) }
        @if !shown.missing_departments.is_empty() {
            form.card #create-departments method="post" action="/hr/people/import" enctype="multipart/form-data" {
                (csrf(&ctx))
                input type="hidden" name="kind" value="people";
                input type="hidden" name="create_departments" value="true";
                p { (t.departments_missing) " " strong { (crate::i18n::list(t.lang, &shown.missing_departments)) } }
                p.note { (t.departments_missing_note) }
                label { (t.upload_file) input #create-departments-file type="file" name="file" required
                    accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; }
                button.primary #create-departments-button type="submit" { (t.create_departments_and_import) }
            }
        }
        form.card #people-upload method="post" action="/hr/people/import" enctype="multipart/form-data" {
            (csrf(&ctx))
            input type="hidden" name="kind" value="people";
            label { (t.upload_file) input #people-file type="file" name="file" required
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; }
            p.note { code { (crate::bulk::PEOPLE_COLUMNS.join(",")) } " · " a href="/hr/people/template.csv" download { (t.download_template) } }
            p.note { (t.import_people_note) }
            button.primary #people-upload-button type="submit" { (t.upload) }
        }
        h2 { (t.add_person) }
        form.card.grid #new-person method="post" action="/hr/people" {
            (csrf(&ctx))
            label { (t.name) input type="text" name="display_name" required value=(value("display_name")); }
            label { (t.email) input type="email" name="email" value=(value("email")); }
            label { (t.employee_number) input type="text" name="employee_number" maxlength="32" value=(value("employee_number")); }
            label { (t.role_label) select name="role" {
                @for r in [Role::Staff, Role::Supervisor, Role::Hr] { option value=(r.as_str()) selected[value("role") == r.as_str()] { (t.role(r)) } }
            } }
            label { (t.department) select name="department_id" {
                @for d in &departments { option value=(d.id) selected[value("department_id") == d.id.to_string()] { (d.name) } }
            } }
            label { (t.manager) select name="manager_id" {
                option value="" { "—" }
                @for u in &leads { option value=(u.id) selected[value("manager_id") == u.id.to_string()] {
                    (crate::web::layout::person_choice(&u.display_name, u.employee_number.as_deref(), names.get(&u.department_id).copied())) } }
            } }
            label { (t.language) select name="locale" {
                option value="zh-CN" selected[value("locale") == "zh-CN"] { "中文" }
                option value="en" selected[value("locale") == "en"] { "English" }
            } }
            label { (t.initial_password) input type="password" name="password" autocomplete="new-password"; }
            p.note { (t.initial_password_note) }
            button.primary type="submit" { (t.add_person) }
        }
    };
    Ok(answer(&ctx, t.nav_people, alert.as_ref(), body))
}

/// Deactivates (locked out at once, kept in history) or reactivates a person.
pub async fn set_active(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let outcome = match form.text("active") {
        "true" | "false" => {
            let changes = PersonChanges {
                active: Some(form.text("active") == "true"),
                ..PersonChanges::default()
            };
            app.change_person(ctx.caller()?, id.into_inner(), changes)
                .await
                .map(|_| ())
        }
        _ => Err(AppError::validation("active", Problem::NotBoolean)),
    };
    after_form(
        ctx,
        outcome.map(|()| "/hr/people?ok=saved".to_owned()),
        |ctx, alert| render_people(ctx, app, Shown::default(), None, Some(alert)),
    )
    .await
}

pub async fn create_department(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let input = NewDepartment {
        name: form.text("department_name").to_owned(),
        kind: form.text("kind").to_owned(),
    };
    let outcome = app.create_department(ctx.caller()?, input).await;
    after_form(
        ctx,
        outcome.map(|_| "/hr/people?ok=created".to_owned()),
        |ctx, alert| render_people(ctx, app, Shown::default(), Some(&form), Some(alert)),
    )
    .await
}

/// The person form as the use case's input (the same as the API's body and the CLI's
/// flags): only the choice of department and supervisor is read here.
fn person_from(form: &Fields) -> Result<NewPerson, AppError> {
    let mut errors = FieldErrors::new();
    let department_id = form.text("department_id").trim().parse::<i32>().ok();
    if department_id.is_none() {
        errors.add("department_id", Problem::Choose);
    }
    let manager_id = match form.text("manager_id").trim() {
        "" => None,
        id => match id.parse::<i32>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add("manager_id", Problem::Choose);
                None
            }
        },
    };
    match department_id {
        Some(department_id) if errors.is_empty() => Ok(NewPerson {
            email: form.get("email").map(str::to_owned),
            display_name: form.text("display_name").to_owned(),
            role: form.text("role").to_owned(),
            department_id,
            manager_id,
            locale: Some(form.text("locale").to_owned()),
            password: Some(form.text("password").to_owned()),
            employee_number: Some(form.text("employee_number").to_owned()),
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

pub async fn create_person(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let outcome = match person_from(&form) {
        Ok(input) => app.create_person(ctx.caller()?, input).await.map(|_| ()),
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| "/hr/people?ok=created".to_owned()),
        |ctx, alert| render_people(ctx, app, Shown::default(), Some(&form), Some(alert)),
    )
    .await
}

/// People in bulk from a file (CSV or XLSX): the same use case as `POST /api/v1/users/bulk`.
pub async fn import_people(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    parts: actix_multipart::Multipart,
) -> Result<HttpResponse, AppError> {
    // The upload's turn comes before its file is read (`App::uploads`).
    let upload = match app.uploads.turn().await {
        Ok(turn) => super::evidence::read_upload(&req, parts)
            .await
            .map(|upload| (upload, turn)),
        Err(busy) => Err(busy),
    };
    let outcome = match upload {
        Ok((
            super::evidence::Uploaded {
                file,
                create_departments,
                ..
            },
            _turn,
        )) => {
            // Reading a large file is work for the blocking threads.
            match web::block(move || {
                crate::bulk::rows_from(&file, &crate::bulk::Format::of_file(&file))
            })
            .await?
            {
                Ok(rows) if rows.is_empty() => Err(AppError::validation("file", Problem::NoRows)),
                Ok(rows) => {
                    app.import_people(ctx.caller()?, rows, create_departments)
                        .await
                }
                Err(error) => Err(error),
            }
        }
        Err(error) => Err(error),
    };
    let t = ctx.t;
    let mut shown = Shown::default();
    if let Err(AppError::Rows { errors, .. }) = &outcome {
        for e in errors {
            if let Problem::NoDepartmentNamed { name } = &e.problem {
                if !shown.missing_departments.contains(name) {
                    shown.missing_departments.push(name.clone());
                }
            }
        }
    }
    let alert = match outcome {
        Ok(o) => Alert::Note(format!(
            "{} — {}: {} · {}: {} · {}: {} · {}: {}{}{}",
            t.imported,
            t.received,
            o.received,
            t.created_count,
            o.created,
            t.updated,
            o.updated,
            t.unchanged,
            o.unchanged,
            if o.departments_created.is_empty() {
                String::new()
            } else {
                format!(
                    " · {}: {}",
                    t.departments_created,
                    crate::i18n::list(t.lang, &o.departments_created)
                )
            },
            crate::web::layout::set_aside(t, &o.ignored_columns, &o.skipped_rows)
        )),
        Err(AppError::Forbidden) => return Err(AppError::Forbidden),
        Err(error) => crate::web::layout::recoverable(t, error)?,
    };
    render_people(ctx, app, shown, None, Some(alert)).await
}

/// The people file's header (in the reader's language) and one example row that can
/// never match anyone, as Excel opens it (UTF-8 with BOM).
pub async fn people_template(_hr: Hr, ctx: Ctx) -> HttpResponse {
    let body = format!(
        "\u{feff}{}\r\nEXAMPLE-0001,example.0001@example.invalid,示例 李娜,staff,旗舰店,,zh-CN,true\r\n",
        crate::bulk::header_in(&crate::bulk::PEOPLE_COLUMNS.join(","), ctx.t.lang)
    );
    crate::export::attachment("people.csv", crate::export::CSV_MEDIA_TYPE, body)
}
