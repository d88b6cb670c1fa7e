//! Notice delivery: every notice a page at a time (by status), with the failed ones to send
//! again (the same use case as the API's, `app::App::retry_notice`).

use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

use crate::app::view::{NoticeFilter, NoticeStatus, Page};
use crate::app::App;
use crate::auth::Hr;
use crate::error::AppError;
use crate::i18n;
use crate::web::layout::{after_form, answer, button_form, choices, pager, Alert};
use crate::web::session::{Ctx, Fields};

/// Notices per page.
const NOTICES_PAGE: i64 = 100;

#[derive(serde::Deserialize)]
pub struct NoticesQuery {
    status: Option<String>,
    offset: Option<i64>,
}

pub async fn notices(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    query: web::Query<NoticesQuery>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    let status = query
        .status
        .as_deref()
        .and_then(|s| NoticeStatus::parse(s).ok());
    let offset = query.offset.unwrap_or(0).max(0);
    render_notices(ctx, app, status, offset, alert).await
}

async fn render_notices(
    ctx: Ctx,
    app: web::Data<App>,
    status: Option<NoticeStatus>,
    offset: i64,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr/notices");
    let shown = status.map(NoticeStatus::as_str);
    let page = Page {
        limit: NOTICES_PAGE,
        offset,
    };
    let filter = NoticeFilter {
        status,
        kind: None,
        newest_first: true,
    };
    let outbox = app.outbox(ctx.caller()?, filter, page).await?;
    let posts = app.robot_posts(ctx.caller()?).await?;
    let (list, total, names) = (outbox.notices.items, outbox.notices.total, outbox.names);
    let t = ctx.t;
    let body = html! {
        (choices("departments", t.status, [("failed", t.notice_failed), ("pending", t.notice_pending), ("sent", t.notice_sent), ("on_page", t.notice_on_page)]
            .into_iter()
            .map(|(s, label)| (format!("/hr/notices?status={s}"), label.to_owned(), shown == Some(s)))
            .chain([("/hr/notices".to_owned(), t.all.to_owned(), shown.is_none())])
            .collect()))
        p.meta { (t.count) ": " (total) }
        // Focusable: on a phone the table scrolls sideways, by keyboard too.
        table #notices tabindex="0" {
            thead { tr { th { (t.when) } th { (t.kind) } th { (t.recipient) } th { (t.status) } th.num { (t.attempts) } th { (t.last_error) } th { (t.action) } } }
            tbody { @for n in &list { tr class=(n.status.as_str()) {
                td { (ctx.time.local(n.created_at).format("%Y-%m-%d %H:%M")) }
                td { (i18n::notice_kind(t.lang, &n.kind)) }
                td { (names.get(&n.recipient_id).map_or("?", String::as_str)) }
                td { (match n.status { NoticeStatus::Sent => t.notice_sent, NoticeStatus::Failed => t.notice_failed, NoticeStatus::Pending => t.notice_pending, NoticeStatus::OnPage => t.notice_on_page }) }
                td.num { (n.attempts) }
                // The words in the reader's language; what the server said, as it said it, on
                // hover.
                td title=(n.last_error.as_deref().map_or("", |e| crate::domain::delivery::read_stored(e).1)) {
                    (n.last_error.as_deref().map_or(String::new(), |e| i18n::delivery_failure(t.lang, e)))
                }
                td { @if n.status == NoticeStatus::Failed { (button_form(&ctx, &format!("/hr/notices/{}/retry", n.id), t.retry, "")) } }
            } } }
        }
        (pager(&ctx, page, total, |at| match shown {
            Some(s) => format!("/hr/notices?status={s}&offset={at}"),
            None => format!("/hr/notices?offset={at}"),
        }))
        @if !posts.is_empty() {
            h2 { (i18n::text(t.lang, "robot-posts")) }
            // What each platform answered, in its own code and words.
            table #robot-posts tabindex="0" {
                thead { tr { th { (t.when) } th { (t.kind) } th { (i18n::text(t.lang, "robot-group")) } th { (t.status) } th.num { (t.attempts) } th { (t.last_error) } } }
                tbody { @for (p, department) in &posts { tr class=(p.status.as_str()) {
                    td { (ctx.time.local(p.created_at).format("%Y-%m-%d %H:%M")) }
                    td { (i18n::text(t.lang, &format!("robot-kind-{}", p.kind))) }
                    td { (department) }
                    td { (i18n::text(t.lang, &format!("robot-status-{}", p.status))) }
                    td.num { (p.attempts) }
                    td { (p.last_error.as_deref().unwrap_or("")) }
                } } }
            }
        }
    };
    Ok(answer(&ctx, t.nav_notices, alert.as_ref(), body))
}

pub async fn retry_notice(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    id: web::Path<i64>,
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    let outcome = app.retry_notice(ctx.caller()?, id.into_inner()).await;
    after_form(
        ctx,
        outcome.map(|_| "/hr/notices?ok=requeued".to_owned()),
        |ctx, alert| render_notices(ctx, app, Some(NoticeStatus::Failed), 0, Some(alert)),
    )
    .await
}
