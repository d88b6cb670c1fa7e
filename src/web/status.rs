//! The customer's status page (`/c/{token}`): no sign-in, in the customer's language, on a
//! phone. It names the state, the holding department, when the complaint was received and
//! the last step; never a staff name, an internal note or a score (`app::complaint_status`
//! reads only those). A guessed or expired link is 404.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, DOCTYPE};

use super::layout::{html_response, lang_tag};
use crate::app::App;
use crate::domain::user::Locale;
use crate::error::AppError;
use crate::i18n::text;

pub async fn customer_status(
    req: HttpRequest,
    app: web::Data<App>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let status = app.complaint_status(token.clone()).await?;
    // The customer's language, unless the visitor chose one with the switch.
    let chosen = req
        .cookie(super::LANG_COOKIE)
        .map(|c| Locale::of(c.value()));
    let lang = chosen.unwrap_or_else(|| status.as_ref().map_or(Locale::ZhCn, |s| s.locale));
    let back = super::layout::urlencode(&format!("/c/{token}"));
    let switch = if lang == Locale::ZhCn {
        html! { a #lang-en href={ "/lang/en?back=" (back) } hreflang="en" lang="en" { "English" } }
    } else {
        html! { a #lang-zh href={ "/lang/zh-CN?back=" (back) } hreflang="zh-CN" lang="zh-CN" { "中文" } }
    };
    let t = |key: &str| text(lang, key);
    let title = t("status-title");
    let body = match &status {
        None => html! {
            p #status-gone { (t("status-gone")) }
            p lang="en" { (text(Locale::En, "status-gone")) }
        },
        Some(s) => html! {
            dl.card #status {
                dt { (t("status-state")) }
                dd #status-state { (t(&format!("complaint-state-{}", s.state.as_str()))) }
                dt { (t("status-department")) }
                dd #status-department { (s.department) }
                dt { (t("status-received")) }
                dd { (s.received_at.format("%Y-%m-%d %H:%M")) }
                dt { (t("status-last-step")) }
                dd #status-last-step {
                    (t(&format!("status-step-{}", s.last_step.0.as_str())))
                    " · " (s.last_step.1.format("%Y-%m-%d %H:%M"))
                }
            }
            p.note { (t("status-note")) }
        },
    };
    let page = html! {
        (DOCTYPE)
        html lang=(lang_tag(lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a.skip href="#main" { (text(lang, "skip_to_content")) }
                header.top { span.lang { (switch) } }
                main #main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    let code = if status.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let mut response = html_response(code, page);
    // The secret is in the address: not kept, not sent on as a referrer.
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}
