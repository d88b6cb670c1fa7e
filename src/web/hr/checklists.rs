//! Checklists: the current version of each, and the form for a new one (the same use case
//! as the API's, `app::App::create_checklist`).

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use crate::app::checklists::ChecklistInput;
use crate::app::App;
use crate::auth::Hr;
use crate::db::Db;
use crate::domain::checklist::ItemInput;
use crate::error::{AppError, FieldErrors};
use crate::store::checklists;
use crate::web::layout::{after_form, answer, csrf, Alert};
use crate::web::session::{Ctx, Fields};

const ITEM_ROWS: usize = 10;

pub async fn checklists(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render_checklists(ctx, db, None, alert).await
}

async fn render_checklists(
    ctx: Ctx,
    db: web::Data<Db>,
    sent: Option<&Fields>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr/checklists");
    let list = db.run(checklists::current).await?;
    let t = ctx.t;
    let value = |name: &str| sent.and_then(|f| f.get(name)).unwrap_or("").to_owned();
    let body = html! {
        @for c in &list {
            section.card.checklist {
                h3 { (c.checklist.name) " v" (c.checklist.version) }
                table.items { tbody { @for i in &c.items { tr {
                    td { (i.title) @if i.critical { " " span.critical { "★ " (t.critical) } } }
                    td.num { (i.max_points) }
                } } } }
            }
        }
        h2 { (t.new_checklist) }
        form.card #new-checklist method="post" action="/hr/checklists" {
            (csrf(&ctx))
            label { (t.name) input type="text" name="name" required value=(value("name")); }
            table.items {
                thead { tr { th { (t.item) } th { (t.max_points) } th { (t.critical) } } }
                tbody {
                    @for i in 0..ITEM_ROWS { tr {
                        td { input type="text" name={ "title_" (i) } aria-label=(t.item) value=(value(&format!("title_{i}"))); }
                        td { input type="number" name={ "max_" (i) } min="1" max="100" aria-label=(t.max_points) value=(value(&format!("max_{i}"))); }
                        td { input type="checkbox" name={ "critical_" (i) } aria-label=(t.critical) checked[sent.is_some_and(|f| f.checked(&format!("critical_{i}")))]; }
                    } }
                }
            }
            p.note { (t.checklist_note) }
            button.primary type="submit" { (t.create) }
        }
    };
    Ok(answer(&ctx, t.nav_checklists, alert.as_ref(), body))
}

pub async fn create_checklist(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    db: web::Data<Db>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
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
    let outcome = match errors.into_result() {
        Ok(()) => {
            let input = ChecklistInput {
                name: form.text("name").to_owned(),
                items,
            };
            app.create_checklist(ctx.caller()?, input).await.map(|_| ())
        }
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        outcome.map(|()| "/hr/checklists?ok=created".to_owned()),
        |ctx, alert| render_checklists(ctx, db, Some(&form), Some(alert)),
    )
    .await
}
