//! The web pages for HR, supervisors and staff: server-rendered HTML (maud) in zh-CN and
//! English, served by the same binary as the API: every form goes to the same use case as
//! the API's (`crate::app`), and every page reads through the same scope rules, so the pages
//! apply the API's role and data-scope rules. Every word comes from the one catalog
//! (`crate::i18n`). Everything essential works without JavaScript; `app.js` only adds the
//! scheme form's live sum of weights.
//!
//! Arrows: `web` → `app`, `auth`, `domain`, `store`, `bulk`, `i18n`. Like `api`, nobody
//! imports `web`.

mod chart;
mod colleagues;
mod complaints;
mod export;
mod hr;
mod layout;
mod password;
mod session;
mod staff;
mod status;
mod team;
mod text;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

pub use session::CsrfKey;

use crate::app::sign_in::Credentials;
use crate::app::App;
use crate::auth::extract::{load, verify};
use crate::domain::user::Role;
use crate::error::{AppError, PROBLEM_JSON};
use crate::i18n;
use layout::{html_response, page, recoverable, see_other, Alert};
use session::{Ctx, Fields, Visit, LANG_COOKIE, NONCE_COOKIE, SESSION_COOKIE};

/// The pages, under the site root (after the API and the probes, which keep their paths).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap(actix_web::middleware::from_fn(gate))
            // Pages, styles and scripts compressed for phones on slow links (when the browser
            // accepts it); the API's answers are left as they are (small, and its clients'
            // choice).
            .wrap(actix_web::middleware::Compress::default())
            .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
            .route("/", web::get().to(home))
            .route("/sign-in", web::get().to(sign_in_page))
            .route("/sign-in", web::post().to(sign_in_form))
            .route("/sign-out", web::post().to(sign_out))
            .route("/lang/{code}", web::get().to(switch_language))
            .route("/static/{file}", web::get().to(asset))
            .route("/favicon.ico", web::get().to(favicon))
            .route("/c/{token}", web::get().to(status::customer_status))
            .route("/complaints", web::get().to(complaints::list))
            .route("/complaints", web::post().to(complaints::log))
            .route("/complaints/{id}", web::get().to(complaints::complaint))
            .route("/complaints/{id}/events", web::post().to(complaints::event))
            .route("/forgot", web::get().to(password::forgot_page))
            .route("/forgot", web::post().to(password::forgot))
            .route("/reset", web::get().to(password::reset_page))
            .route("/reset", web::post().to(password::reset))
            .route("/me/password", web::get().to(password::change_page))
            .route("/me/password", web::post().to(password::change))
            .route("/me", web::get().to(staff::my_rating))
            .route("/appraisals/{id}", web::get().to(staff::appraisal))
            .route(
                "/appraisals/{id}/acknowledge",
                web::post().to(staff::acknowledge),
            )
            .route("/appraisals/{id}/appeal", web::post().to(staff::appeal))
            .route("/appraisals/{id}/review", web::post().to(team::review))
            .route("/inspections/{id}", web::get().to(staff::inspection))
            .route(
                "/cycles/{id}/collaboration",
                web::get().to(colleagues::colleagues),
            )
            .route(
                "/cycles/{id}/collaboration",
                web::post().to(colleagues::rate),
            )
            .route("/team", web::get().to(team::current))
            .route("/cycles/{id}/export", web::get().to(export::export))
            .route("/cycles/{id}/team", web::get().to(team::team))
            .route(
                "/cycles/{id}/team/review",
                web::post().to(team::review_many),
            )
            .route(
                "/cycles/{id}/team/{employee}/inspection",
                web::get().to(team::inspection_form),
            )
            .route(
                "/cycles/{id}/team/{employee}/inspection",
                web::post().to(team::record_inspection),
            )
            .route("/hr", web::get().to(hr::cycles::cycles))
            .route("/hr/cycles", web::post().to(hr::cycles::create_cycle))
            .route("/hr/cycles/{id}", web::get().to(hr::cycle_page::cycle))
            .route(
                "/hr/cycles/{id}/scheme",
                web::post().to(hr::scheme::save_scheme),
            )
            .route(
                "/hr/cycles/{id}/state",
                web::post().to(hr::cycles::change_state),
            )
            .route(
                "/hr/cycles/{id}/compute",
                web::post().to(hr::cycles::compute),
            )
            .route(
                "/hr/cycles/{id}/import",
                web::post().to(hr::evidence::import),
            )
            .route("/hr/cycles/{id}/report", web::get().to(hr::report::report))
            .route(
                "/hr/cycles/{id}/complaints",
                web::get().to(hr::complaint_report::report),
            )
            .route(
                "/hr/cycles/{id}/edit",
                web::post().to(hr::cycles::edit_cycle),
            )
            .route(
                "/hr/cycles/{id}/templates/{file}",
                web::get().to(hr::cycle_page::template),
            )
            .route("/hr/people", web::get().to(hr::people::people))
            .route("/hr/people", web::post().to(hr::people::create_person))
            .route(
                "/hr/people/import",
                web::post().to(hr::people::import_people),
            )
            .route(
                "/hr/people/template.csv",
                web::get().to(hr::people::people_template),
            )
            // Before `/hr/people/{id}`, which would take it for an id.
            .route(
                "/hr/people/setup-codes",
                web::post().to(hr::person::setup_codes_for_all_waiting),
            )
            .route("/hr/people/{id}", web::get().to(hr::person::person))
            .route("/hr/people/{id}", web::post().to(hr::person::save))
            .route(
                "/hr/people/{id}/reset-link",
                web::post().to(hr::person::send_reset_link),
            )
            .route(
                "/hr/people/{id}/setup-code",
                web::post().to(hr::person::setup_code),
            )
            .route(
                "/hr/people/{id}/active",
                web::post().to(hr::people::set_active),
            )
            .route(
                "/hr/departments",
                web::post().to(hr::people::create_department),
            )
            .route("/hr/checklists", web::get().to(hr::checklists::checklists))
            .route(
                "/hr/checklists/{id}",
                web::get().to(hr::checklists::checklist),
            )
            .route(
                "/hr/checklists/{id}",
                web::post().to(hr::checklists::save_checklist),
            )
            .route(
                "/hr/checklists/{id}/retire",
                web::post().to(hr::checklists::retire_checklist),
            )
            .route(
                "/hr/checklists",
                web::post().to(hr::checklists::create_checklist),
            )
            .route("/appeals", web::get().to(hr::appeals::appeals))
            .route("/appeals/{id}", web::get().to(hr::appeals::appeal))
            .route(
                "/appeals/{id}/target",
                web::post().to(hr::appeals::correct_target),
            )
            .route(
                "/appeals/{id}/decision",
                web::post().to(hr::appeals::decide),
            )
            .route("/hr/notices", web::get().to(hr::notices::notices))
            .route("/hr/service", web::get().to(hr::service::service))
            .route(
                "/hr/service/policy",
                web::post().to(hr::service::save_policy),
            )
            .route(
                "/hr/service/robots/{id}",
                web::post().to(hr::service::save_robot),
            )
            .route(
                "/hr/service/robots/{id}/delete",
                web::post().to(hr::service::delete_robot),
            )
            .route("/hr/service/import", web::post().to(hr::service::import))
            .route(
                "/hr/service/template.csv",
                web::get().to(hr::service::template),
            )
            .route(
                "/hr/notices/{id}/retry",
                web::post().to(hr::notices::retry_notice),
            )
            .default_service(web::to(|| async {
                Err::<HttpResponse, _>(AppError::NotFound)
            })),
    );
}

/// Pages anyone may open; every other page needs a session.
fn is_public(path: &str) -> bool {
    matches!(path, "/sign-in" | "/forgot" | "/reset")
        || path.starts_with("/lang/")
        || path.starts_with("/c/")
        || path.starts_with("/static/")
        || path == "/favicon.ico"
}

/// The site's own origin as configured (`server.public_url`), for requests that arrive
/// through a proxy which does not pass the public host on.
pub struct PublicOrigin(String);

impl PublicOrigin {
    /// `scheme://host[:port]` of a URL (settings make sure it is http or https).
    pub fn of(public_url: &str) -> PublicOrigin {
        let (scheme, rest) = public_url.split_once("://").unwrap_or(("http", public_url));
        let host = rest.split('/').next().unwrap_or(rest);
        PublicOrigin(format!("{scheme}://{host}"))
    }

    /// `scheme://host[:port]`, as links to this site begin.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An unsafe request must come from one of our own pages when the browser says where it
/// comes from (every current browser does): `Sec-Fetch-Site` and `Origin`, which must be
/// the address the request was made to or the configured public address.
fn from_our_pages(req: &HttpRequest) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return false;
        }
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let info = req.connection_info();
    let requested = format!("{}://{}", info.scheme(), info.host());
    let public = req.app_data::<web::Data<PublicOrigin>>();
    origin.as_bytes() == requested.as_bytes()
        || public.is_some_and(|p| origin.as_bytes() == p.0.as_bytes())
}

const SECURITY_HEADERS: &[(&str, &str)] = &[
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
];

/// Middleware of every page: refuses cross-site form posts, reads the session cookie
/// (checked like a bearer token, account re-read), sends visitors without a session to the
/// sign-in page, gives the browser its form nonce, and turns the API's problem answers into
/// pages in the visitor's language.
async fn gate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.path().starts_with("/static/") || req.path() == "/favicon.ico" {
        // The stylesheet and script: public, cacheable, no session to read.
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let secure = session::is_https(req.request());
    let (nonce, new_nonce) = match req.cookie(NONCE_COOKIE) {
        Some(c) if c.value().len() == 43 => (c.value().to_owned(), false),
        _ => (session::random_nonce(), true),
    };
    let new_nonce = new_nonce.then(|| nonce.clone());
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD);
    if unsafe_method && !from_our_pages(req.request()) {
        // Refused before any other work (no session read, no body).
        tracing::info!(path = req.path(), "cross-site form post refused");
        let lang = session::language(req.request(), None);
        req.extensions_mut().insert(Visit {
            lang,
            nonce,
            session: None,
        });
        let page = error_page(req.request(), StatusCode::FORBIDDEN, None);
        return finish(req.into_response(page), new_nonce, false, secure);
    }

    let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
    let user = match &token {
        Some(token) => match verify(req.request(), Some(token)) {
            Ok(caller) => match load(req.request(), caller.clone()).await {
                Ok(user) => Some((user, caller)),
                Err(AppError::Unauthorized(_)) => None,
                Err(other) => return Err(other.into()),
            },
            Err(_) => None,
        },
        None => None,
    };
    let stale_session = token.is_some() && user.is_none();
    let lang = session::language(req.request(), user.as_ref().map(|(u, _)| &u.0));
    req.extensions_mut().insert(Visit {
        lang,
        nonce,
        session: user.as_ref().and(token),
    });
    let signed_in = user.is_some();
    if let Some((user, caller)) = user {
        req.extensions_mut().insert(user);
        req.extensions_mut().insert(caller);
    }

    let response = if !signed_in && !is_public(req.path()) {
        let back = match req.query_string() {
            "" => req.path().to_owned(),
            q => format!("{}?{q}", req.path()),
        };
        let target = if unsafe_method || req.path() == "/" {
            "/sign-in".to_owned()
        } else {
            format!("/sign-in?next={}", layout::urlencode(&back))
        };
        req.into_response(see_other(target))
    } else {
        let response = next.call(req).await?.map_into_boxed_body();
        as_page(response).await
    };
    finish(response, new_nonce, stale_session, secure)
}

/// What every page answer gets: the security headers, `no-store` unless the handler chose
/// otherwise, the browser's new form nonce, and the removal of a session cookie that no
/// longer holds (unless the answer sets a new one, as signing in does).
fn finish(
    mut response: ServiceResponse<BoxBody>,
    new_nonce: Option<String>,
    stale_session: bool,
    secure: bool,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if let Some(nonce) = new_nonce {
        let cookie = session::cookie(NONCE_COOKIE, nonce, secure);
        response.response_mut().add_cookie(&cookie)?;
    }
    let sets_session = response
        .response()
        .cookies()
        .any(|c| c.name() == SESSION_COOKIE);
    if stale_session && !sets_session {
        let gone = session::removal(SESSION_COOKIE, secure);
        response.response_mut().add_cookie(&gone)?;
    }
    Ok(response)
}

/// A problem+json answer (from an extractor or a handler) as a page; 401 (a session that
/// ended while the page was open) goes to the sign-in page.
async fn as_page(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if !is_problem {
        return response;
    }
    let status = response.status();
    let (req, res) = response.into_parts();
    if status == StatusCode::UNAUTHORIZED {
        return ServiceResponse::new(req, see_other("/sign-in"));
    }
    // The problem itself, when it is ours, in the visitor's language (a body made by actix,
    // such as an unreadable path, says only its status).
    let lang = req.extensions().get::<Visit>().map(|v| v.lang);
    let detail = res
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .zip(lang)
        .map(|(e, lang)| i18n::problem(lang, &e.problem()));
    let page = error_page(&req, status, detail);
    ServiceResponse::new(req, page)
}

/// The page for an error: what it means in the visitor's language; the detail only for
/// conflicts and bad requests (403 and 404 say nothing about what exists).
fn error_page(req: &HttpRequest, status: StatusCode, detail: Option<String>) -> HttpResponse {
    let Ok(ctx) = Ctx::extract(req).into_inner() else {
        return AppError::problem_for_status(status, crate::error::reader_locale(req));
    };
    let t = ctx.t;
    let (title, explain) = match status.as_u16() {
        403 => (t.forbidden_title, t.forbidden_text),
        404 => (t.not_found_title, t.not_found_text),
        405 => (t.not_found_title, t.not_found_text),
        409 | 400 | 413 | 415 | 422 => (t.refused_title, ""),
        _ => (t.error_title, t.error_text),
    };
    let detail = if matches!(status.as_u16(), 400 | 409 | 413 | 415 | 422) {
        detail
    } else {
        None
    };
    let body = html! {
        section.error {
            @if !explain.is_empty() { p { (explain) } }
            @if let Some(detail) = detail { p.detail { (detail) } }
            p { a href="/" { (t.back_home) } }
        }
    };
    html_response(status, page(&ctx, title, None, body))
}

/// Each role's main page.
fn home_of(role: Role) -> &'static str {
    match role {
        Role::Hr => "/hr",
        Role::Supervisor => "/team",
        Role::Staff => "/me",
    }
}

async fn home(ctx: Ctx) -> Result<HttpResponse, AppError> {
    Ok(see_other(home_of(ctx.me()?.role)))
}

/// Only a path of this site is a place to return to. Browsers drop tabs and line breaks
/// from a `Location` and read `\` as `/`, so `/\t/evil.example` and `/\\evil.example` would
/// lead to another site: a place to return to is printable ASCII without `\`, starting with
/// one `/` (paths and queries of our own pages arrive percent-encoded, so nothing else is
/// needed), and it never breaks a header.
fn local_path(next: Option<&str>) -> Option<String> {
    next.filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
    })
    .map(str::to_owned)
}

#[derive(Deserialize)]
struct ReturnTo {
    next: Option<String>,
}

fn sign_in_markup(ctx: &Ctx, email: &str, next: Option<&str>) -> maud::Markup {
    let t = ctx.t;
    html! {
        form.card.narrow #sign-in method="post" action="/sign-in" {
            (layout::csrf(ctx))
            @if let Some(next) = next { input type="hidden" name="next" value=(next); }
            label { (t.email_or_number) input #email type="text" name="email" value=(email) required autocomplete="username" autocapitalize="none" spellcheck="false" autofocus; }
            label { (t.password) input #password type="password" name="password" required autocomplete="current-password"; }
            button.primary #sign-in-button type="submit" { (t.sign_in) }
            p { a #forgot-link href="/forgot" { (t.forgot_password) } }
            p { a #code-link href="/reset" { (t.have_a_code) } }
        }
    }
}

async fn sign_in_page(
    ctx: Ctx,
    req: HttpRequest,
    query: web::Query<ReturnTo>,
) -> Result<HttpResponse, AppError> {
    if let Some(user) = &ctx.user {
        return Ok(see_other(home_of(user.role)));
    }
    let next = local_path(query.next.as_deref());
    let body = sign_in_markup(&ctx, "", next.as_deref());
    let alert = Alert::done(ctx.t, req.query_string());
    Ok(html_response(
        StatusCode::OK,
        page(&ctx, ctx.t.sign_in, alert.as_ref(), body),
    ))
}

/// The API's sign-in rules (lockout, one answer for every failure, the password threads);
/// the token becomes the session cookie.
async fn sign_in_form(
    ctx: Ctx,
    req: HttpRequest,
    form: Fields,
    app: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    let email = form.text("email").to_owned();
    let next = local_path(form.get("next"));
    let outcome = app
        .sign_in(Credentials::from_one_box(
            &email,
            form.text("password").to_owned(),
        ))
        .await;
    let keys = &app.keys;
    match outcome {
        Ok(user) => {
            let token = keys.issue(&user)?;
            let mut cookie = session::cookie(SESSION_COOKIE, token, session::is_https(&req));
            cookie.set_max_age(actix_web::cookie::time::Duration::seconds(
                keys.ttl_seconds(),
            ));
            let target = next.unwrap_or_else(|| home_of(user.role).to_owned());
            let mut response = see_other(target);
            response.add_cookie(&cookie).map_err(AppError::internal)?;
            Ok(response)
        }
        Err(error) => {
            let ctx = ctx.at("/sign-in");
            let alert = recoverable(ctx.t, error)?;
            let body = sign_in_markup(&ctx, &email, next.as_deref());
            let mut response = html_response(
                alert.status(),
                page(&ctx, ctx.t.sign_in, Some(&alert), body),
            );
            if let Alert::Problem {
                status: StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE,
                ..
            } = alert
            {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            Ok(response)
        }
    }
}

/// Forgets the session in this browser. (The token itself stays valid until it expires or
/// the account's token version changes; it lived only in this HttpOnly cookie.)
async fn sign_out(req: HttpRequest, _form: Fields) -> Result<HttpResponse, AppError> {
    let mut response = see_other("/sign-in");
    let gone = session::removal(SESSION_COOKIE, session::is_https(&req));
    response.add_cookie(&gone).map_err(AppError::internal)?;
    Ok(response)
}

#[derive(Deserialize)]
struct Back {
    back: Option<String>,
}

/// Chooses the display language for this browser and, for someone signed in, for their
/// account (so their mails follow it too); returns to the page it came from.
async fn switch_language(
    req: HttpRequest,
    ctx: session::Ctx,
    app: web::Data<crate::app::App>,
    code: web::Path<String>,
    query: web::Query<Back>,
) -> Result<HttpResponse, AppError> {
    let code = match code.as_str() {
        "en" => "en",
        "zh-CN" => "zh-CN",
        _ => return Err(AppError::NotFound),
    };
    // Saved to the account only when the switch comes from our own pages (a GET: another
    // site's link must not change what a signed-in person's mails are written in).
    if let (Some(caller), true) = (&ctx.caller, from_our_pages(&req)) {
        let locale = crate::domain::user::Locale::of(code);
        app.choose_language(caller, locale).await?;
    }
    let back = local_path(query.back.as_deref()).unwrap_or_else(|| "/".to_owned());
    let mut cookie = session::cookie(LANG_COOKIE, code.to_owned(), session::is_https(&req));
    cookie.set_max_age(actix_web::cookie::time::Duration::days(365));
    let mut response = see_other(back);
    response.add_cookie(&cookie).map_err(AppError::internal)?;
    Ok(response)
}

const APP_CSS: &str = include_str!("static/app.css");
const APP_JS: &str = include_str!("static/app.js");

async fn asset(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (body, kind) = match file.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        _ => return Err(AppError::NotFound),
    };
    Ok(HttpResponse::Ok()
        .content_type(kind)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(body))
}

/// The site's icon (32 × 32), for the browser's tab and bookmarks.
const FAVICON: &[u8] = include_bytes!("static/favicon.ico");

async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/x-icon")
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(FAVICON)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_origin_is_scheme_and_host_of_the_public_url() {
        assert_eq!(
            PublicOrigin::of("https://appraisal.example/").0,
            "https://appraisal.example"
        );
        assert_eq!(
            PublicOrigin::of("http://10.0.0.5:8080/base/").0,
            "http://10.0.0.5:8080"
        );
    }

    #[test]
    fn only_paths_of_this_site_are_places_to_return_to() {
        assert_eq!(local_path(Some("/me?x=1")).as_deref(), Some("/me?x=1"));
        for outside in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "me",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\u{b}/x",
            "/\u{7f}/x",
            "/ /evil.example",
            "/\u{85}/evil.example",
            "/\u{3000}/x",
            "/%0a\nX",
        ] {
            assert_eq!(local_path(Some(outside)), None, "{outside}");
        }
    }
}
