//! Checklists: the current version of each with its edit page, the form for a new one, and
//! retiring one (the same use cases as the API's: an edit of a version an inspection used
//! makes a new version; an unused one is edited in place).

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use crate::app::checklists::ChecklistInput;
use crate::app::App;
use crate::auth::Hr;
use crate::domain::checklist::ItemInput;
use crate::error::{AppError, FieldErrors};
use crate::web::layout::{after_form, answer, csrf, Alert};
use crate::web::session::{Ctx, Fields};

const ITEM_ROWS: usize = 10;

pub async fn checklists(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_checklists(ctx, app, None, alert).await
}

async fn render_checklists(
    ctx: Ctx,
    app: web::Data<App>,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr/checklists");
    let list = app.current_checklists(ctx.caller()?).await?;
    let t = ctx.t;
    let value = |name: &str| sent.and_then(|f| f.get(name)).unwrap_or("").to_owned();
    let body = html! {
        @for c in &list {
            section.card.checklist data-checklist=(c.checklist.id) {
                h2 { (c.checklist.name) " v" (c.checklist.version) " "
                    a.button href={ "/hr/checklists/" (c.checklist.id) } { (t.edit) } }
                table.items { tbody { @for i in &c.items { tr {
                    td { (i.title) @if i.critical { " " span.critical { "★ " (t.critical) } } }
                    td.num { (i.max_points) }
                } } } }
            }
        }
        h2 { (t.new_checklist) }
        form.card #new-checklist method="post" action="/hr/checklists" {
            (csrf(&ctx))
            (fields(t, &value, &|name| sent.is_some_and(|f| f.checked(name))))
            button.primary type="submit" { (t.create) }
        }
    };
    Ok(answer(&ctx, t.nav_checklists, alert.as_ref(), body))
}

/// The name and the item rows, filled with `value` / `checked` (what was sent, or stored).
fn fields(
    t: &crate::web::text::Texts,
    value: &dyn Fn(&str) -> String,
    checked: &dyn Fn(&str) -> bool,
) -> maud::Markup {
    html! {
        label { (t.name) input type="text" name="name" required value=(value("name")); }
        table.items {
            thead { tr { th { (t.item) } th { (t.max_points) } th { (t.critical) } } }
            tbody {
                @for i in 0..ITEM_ROWS { tr {
                    td { input type="text" name={ "title_" (i) } aria-label=(t.item) value=(value(&format!("title_{i}"))); }
                    td { input type="number" name={ "max_" (i) } min="1" max="100" aria-label=(t.max_points) value=(value(&format!("max_{i}"))); }
                    td { input type="checkbox" name={ "critical_" (i) } aria-label=(t.critical) checked[checked(&format!("critical_{i}"))]; }
                } }
            }
        }
        p.note { (t.checklist_note) }
    }
}

/// The items a form sent (empty rows skipped).
fn input_from(form: &Fields) -> Result<ChecklistInput, AppError> {
    let mut items = Vec::new();
    let mut errors = FieldErrors::new();
    for i in 0..ITEM_ROWS {
        let title = form.text(&format!("title_{i}")).trim().to_owned();
        let max = form.text(&format!("max_{i}"));
        if title.is_empty() && max.trim().is_empty() {
            continue;
        }
        let field = format!("items[{}].max_points", items.len());
        let max_points = super::number(max, &field, &mut errors).unwrap_or(0);
        items.push(ItemInput {
            title,
            max_points,
            critical: form.checked(&format!("critical_{i}")),
        });
    }
    errors.into_result()?;
    Ok(ChecklistInput {
        name: form.text("name").to_owned(),
        items,
    })
}

pub async fn checklist(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    id: web::Path<i32>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_checklist(ctx, app, id.into_inner(), None, alert).await
}

async fn render_checklist(
    ctx: Ctx,
    app: web::Data<App>,
    id: i32,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at(format!("/hr/checklists/{id}"));
    let (stored, used) = app.checklist_for_editing(ctx.caller()?, id).await?;
    let t = ctx.t;
    let c = &stored.checklist;
    let value = |name: &str| -> String {
        if let Some(f) = sent {
            return f.get(name).unwrap_or("").to_owned();
        }
        if name == "name" {
            return c.name.clone();
        }
        let row = |prefix: &str| {
            name.strip_prefix(prefix)
                .and_then(|n| n.parse::<usize>().ok())
        };
        if let Some(i) = row("title_") {
            return stored
                .items
                .get(i)
                .map_or(String::new(), |item| item.title.clone());
        }
        if let Some(i) = row("max_") {
            return stored
                .items
                .get(i)
                .map_or(String::new(), |item| item.max_points.to_string());
        }
        String::new()
    };
    let checked = |name: &str| -> bool {
        match sent {
            Some(f) => f.checked(name),
            None => name
                .strip_prefix("critical_")
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|i| stored.items.get(i))
                .is_some_and(|item| item.critical),
        }
    };
    let body = html! {
        p.meta { (c.name) " v" (c.version) " · "
            @if c.retired { (t.checklist_retired) } @else if !c.current { (t.checklist_old_version) }
            @else if used { (t.checklist_used_note) } @else { (t.checklist_unused_note) } }
        @if c.current {
            form.card #edit-checklist method="post" action={ "/hr/checklists/" (id) } {
                (csrf(&ctx))
                (fields(t, &value, &checked))
                button.primary #save-checklist type="submit" { (t.save) }
            }
            form.inline #retire-checklist method="post" action={ "/hr/checklists/" (id) "/retire" } {
                (csrf(&ctx))
                button type="submit" { (t.retire_checklist) }
            }
        }
    };
    Ok(answer(
        &ctx,
        &format!("{} — {}", t.nav_checklists, c.name),
        alert.as_ref(),
        body,
    ))
}

pub async fn save_checklist(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = match input_from(&form) {
        Ok(input) => app.edit_checklist(ctx.caller()?, id, input).await,
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|saved| format!("/hr/checklists/{}?ok=saved", saved.checklist.id)),
        |ctx, alert| render_checklist(ctx, app, id, Some(&form), Some(alert)),
    )
    .await
}

pub async fn retire_checklist(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i32>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let outcome = app.retire_checklist(ctx.caller()?, id).await;
    after_form(
        ctx,
        outcome.map(|_| "/hr/checklists?ok=retired".to_owned()),
        |ctx, alert| render_checklist(ctx, app, id, None, Some(alert)),
    )
    .await
}

pub async fn create_checklist(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let outcome = match input_from(&form) {
        Ok(input) => app.create_checklist(ctx.caller()?, input).await.map(|_| ()),
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| "/hr/checklists?ok=created".to_owned()),
        |ctx, alert| render_checklists(ctx, app, Some(&form), Some(alert)),
    )
    .await
}
