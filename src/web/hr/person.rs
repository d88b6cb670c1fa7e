//! One person's page (HR): every field the API's `PATCH /users/{id}` changes, the same use
//! case (`app::App::change_person`, with its rules: a supervisor who manages people keeps
//! the role, the last HR account stays, no loop of managers), and a button that mails the
//! person a link to choose a new password (or, for someone without email, gives a set-up
//! code, shown once on a slip to print).

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use crate::app::people::PersonChanges;
use crate::app::view::User;
use crate::app::App;
use crate::auth::Hr;
use crate::domain::problem::Problem;
use crate::domain::user::{Locale, Role};
use crate::error::{AppError, FieldErrors};
use crate::web::layout::{after_form, answer, button_form, csrf, Alert};
use crate::web::session::{Ctx, Fields};

pub async fn person(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render(ctx, app, id.into_inner(), None, alert).await
}

async fn render(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/hr/people/{id}"));
    let crate::app::lists::PersonPage {
        person,
        departments,
        supervisors: mut leads,
    } = app.person_page(ctx.caller()?, id).await?;
    crate::web::layout::by_name_order(&mut leads);
    let department_names: std::collections::HashMap<i32, &str> = departments
        .iter()
        .map(|d| (d.id, d.name.as_str()))
        .collect();
    let t = ctx.t;
    // After a refusal the form shows what was sent; else what is stored.
    let value =
        |name: &str, stored: String| sent.and_then(|f| f.get(name)).map_or(stored, str::to_owned);
    let manager = value(
        "manager_id",
        person.manager_id.map_or(String::new(), |m| m.to_string()),
    );
    let department = value("department_id", person.department_id.to_string());
    let role = value("role", person.role.as_str().to_owned());
    let locale = value("locale", person.locale.as_str().to_owned());
    let body = html! {
        form.card.grid #person-form method="post" action={ "/hr/people/" (id) } {
            (csrf(&ctx))
            label { (t.name) input #person-name type="text" name="display_name" required value=(value("display_name", person.display_name.clone())); }
            label { (t.email) input #person-email type="email" name="email" value=(value("email", person.email.clone().unwrap_or_default())); }
            label { (t.employee_number) input #person-number type="text" name="employee_number" maxlength="32"
                value=(value("employee_number", person.employee_number.clone().unwrap_or_default())); }
            label { (t.role_label) select #person-role name="role" {
                @for r in [Role::Staff, Role::Supervisor, Role::Hr] { option value=(r.as_str()) selected[role == r.as_str()] { (t.role(r)) } }
            } }
            label { (t.department) select #person-department name="department_id" {
                @for d in &departments { option value=(d.id) selected[department == d.id.to_string()] { (d.name) } }
            } }
            label { (t.manager) select #person-manager name="manager_id" {
                option value="" { "—" }
                @for u in leads.iter().filter(|u| u.id != id) { option value=(u.id) selected[manager == u.id.to_string()] {
                    (crate::web::layout::person_choice(&u.display_name, u.employee_number.as_deref(), department_names.get(&u.department_id).copied())) } }
            } }
            label { (t.language) select #person-locale name="locale" {
                option value="zh-CN" selected[locale == Locale::ZhCn.as_str()] { "中文" }
                option value="en" selected[locale == Locale::En.as_str()] { "English" }
            } }
            button.primary #save-person type="submit" { (t.save) }
        }
        section.card.actions #person-actions {
            p { (t.active) ": " strong { (if person.active { t.yes } else { t.no }) } }
            form.inline method="post" action={ "/hr/people/" (id) "/active" } {
                (csrf(&ctx))
                input type="hidden" name="active" value=(if person.active { "false" } else { "true" });
                button #toggle-active type="submit" { (if person.active { t.deactivate } else { t.reactivate }) }
            }
            @if person.active && person.email.is_some() {
                (button_form(&ctx, &format!("/hr/people/{id}/reset-link"), t.send_reset_link, ""))
            }
            @if person.active && person.email.is_none() {
                (button_form(&ctx, &format!("/hr/people/{id}/setup-code"), t.setup_code_give, ""))
            }
        }
        p { a href="/hr/people" { (t.nav_people) } }
    };
    let title = format!("{} — {}", t.nav_people, person.display_name);
    Ok(answer(&ctx, &title, alert.as_ref(), body))
}

/// The form as the API's changes: every field is sent, so each is compared with what is
/// stored (and nothing changes when nothing differs).
fn changes_from(form: &Fields) -> Result<PersonChanges, AppError> {
    let mut errors = FieldErrors::new();
    let department_id = form.text("department_id").trim().parse::<i32>().ok();
    if department_id.is_none() {
        errors.add("department_id", Problem::Choose);
    }
    let manager_id = match form.text("manager_id").trim() {
        "" => Some(None),
        id => match id.parse::<i32>() {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                errors.add("manager_id", Problem::Choose);
                None
            }
        },
    };
    errors.into_result()?;
    let number = form.text("employee_number").trim();
    Ok(PersonChanges {
        email: Some(form.text("email").trim().to_owned()),
        display_name: Some(form.text("display_name").to_owned()),
        role: Some(form.text("role").to_owned()),
        department_id,
        manager_id,
        locale: Some(form.text("locale").to_owned()),
        password: None,
        active: None,
        employee_number: Some((!number.is_empty()).then(|| number.to_owned())),
    })
}

pub async fn save(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = match changes_from(&form) {
        Ok(changes) => app
            .change_person(ctx.caller()?, id, changes)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| format!("/hr/people/{id}?ok=saved")),
        |ctx, alert| render(ctx, app, id, Some(&form), Some(alert)),
    )
    .await
}

/// Mails the person a link to choose a new password (or, for an account that never had
/// one, to set it).
pub async fn send_reset_link(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = app.send_reset_link(ctx.caller()?, id).await;
    after_form(
        ctx,
        outcome.map(|()| format!("/hr/people/{id}?ok=link_sent")),
        |ctx, alert| render(ctx, app, id, None, Some(alert)),
    )
    .await
}

/// A set-up code for one person without email, shown once on a slip to print.
pub async fn setup_code(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    origin: web::Data<crate::web::PublicOrigin>,
    id: web::Path<i32>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = app.setup_code(ctx.caller()?, id).await;
    match outcome {
        Ok(issued) => slips(ctx, app, &origin, vec![issued]).await,
        Err(error) => {
            let alert = crate::web::layout::recoverable(ctx.t, error)?;
            render(ctx, app, id, None, Some(alert)).await
        }
    }
}

/// Set-up codes for everyone waiting for one (the people page's button), as slips.
pub async fn setup_codes_for_all_waiting(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    origin: web::Data<crate::web::PublicOrigin>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let codes = app.setup_codes_for_all_waiting(ctx.caller()?).await?;
    slips(ctx, app, &origin, codes).await
}

/// The codes as slips to cut apart: the person's name, employee number and department, the
/// code, until when it works, and where to type it. Never cached: the codes are shown once.
async fn slips(
    ctx: Ctx,
    app: web::Data<App>,
    origin: &crate::web::PublicOrigin,
    codes: Vec<(User, crate::app::passwords::SetupCode)>,
) -> Result<HttpResponse, AppError> {
    let names: std::collections::HashMap<i32, String> = app
        .all_departments(ctx.caller()?)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let ctx = ctx.at("/hr/people");
    let t = ctx.t;
    let address = format!("{}/reset", origin.as_str());
    let body = html! {
        p.note.no-print { (t.setup_codes_intro) }
        p.actions.no-print { button type="button" data-print hidden { (t.print) } " " a href="/hr/people" { (t.nav_people) } }
        @if codes.is_empty() { p.empty #no-codes { (t.setup_codes_none) } }
        div.slips #slips {
            @for (person, code) in &codes {
                section.slip {
                    p { strong { (person.display_name) } " · " (t.employee_number) " " (person.employee_number.as_deref().unwrap_or("—"))
                        " · " (names.get(&person.department_id).map_or("", String::as_str)) }
                    p { (t.setup_code) ": " span.code { (code.code) } }
                    p { (t.valid_until) " " (ctx.time.local(code.expires_at.naive_utc()).format("%Y-%m-%d %H:%M")) }
                    p.note { (t.setup_code_how) }
                    p.address { code { (address) } }
                }
            }
        }
    };
    let mut response = answer(&ctx, t.setup_codes_title, None, body);
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}
