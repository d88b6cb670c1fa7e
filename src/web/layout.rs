//! The page shell (header, navigation by role, language switch, sign-out), alerts, and small
//! formatting helpers shared by every page.

use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;
use maud::{html, Markup, DOCTYPE};

use super::session::{Ctx, CSRF_FIELD};
use super::text::Texts;
use crate::app::view::Page;
use crate::domain::user::Role;
use crate::error::{AppError, MAX_REPORTED_ROW_ERRORS};
use crate::i18n::{self, Locale};

/// Something to tell the visitor at the top of a page: a success, or why a form was refused,
/// in their language.
pub enum Alert {
    Done(&'static str),
    /// A result to report, such as an import's counts.
    Note(String),
    Problem {
        status: StatusCode,
        message: String,
        /// Each refused field as the form labels it, and why.
        fields: Vec<(String, String)>,
        /// A refused upload's rows: the row as the spreadsheet numbers it, the column as
        /// the template names it, why.
        rows: Vec<(usize, String, String)>,
        /// The refused fields as the forms name their inputs (the API's field names):
        /// those inputs are marked `aria-invalid` and pointed at the alert.
        invalid: Vec<String>,
    },
}

impl Alert {
    pub fn status(&self) -> StatusCode {
        match self {
            Alert::Done(_) | Alert::Note(_) => StatusCode::OK,
            Alert::Problem { status, .. } => *status,
        }
    }

    /// The message for a success named in the `ok` query parameter of a redirect.
    pub fn done(t: &'static Texts, query: &str) -> Option<Alert> {
        let key = query.split('&').find_map(|pair| pair.strip_prefix("ok="))?;
        t.done(key).map(Alert::Done)
    }

    /// A refusal said in one sentence (the catalog words problems as the end of a
    /// sentence; alone at the top of a page, it starts with a capital).
    fn problem(status: StatusCode, message: String) -> Alert {
        let mut chars = message.chars();
        let message = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => message,
        };
        Alert::Problem {
            status,
            message,
            fields: Vec::new(),
            rows: Vec::new(),
            invalid: Vec::new(),
        }
    }
}

/// A refusal the visitor can act on becomes an alert on the page they submitted from;
/// anything else (not found, forbidden, internal) stays an error for the gate's error page.
pub fn recoverable(t: &'static Texts, error: AppError) -> Result<Alert, AppError> {
    recoverable_naming(t, error, |_, _| None)
}

/// [`recoverable`], with the rows of a list named by what they are (`row_name(list, i)`:
/// the department of a row of weights) instead of by their number.
pub fn recoverable_naming(
    t: &'static Texts,
    error: AppError,
    row_name: impl Fn(&str, usize) -> Option<String>,
) -> Result<Alert, AppError> {
    use actix_web::ResponseError;
    let lang = t.lang;
    let status = error.status_code();
    Ok(match error {
        AppError::Validation(errors) => Alert::Problem {
            status,
            message: t.invalid_form.to_owned(),
            fields: errors
                .iter()
                .map(|e| {
                    let target = list_row(&e.field).and_then(|(list, i)| row_name(list, i));
                    (
                        i18n::field(lang, &e.field, target.as_deref()),
                        i18n::problem(lang, &e.problem),
                    )
                })
                .collect(),
            rows: Vec::new(),
            invalid: errors.iter().map(|e| e.field.clone()).collect(),
        },
        AppError::Rows { errors, .. } => Alert::Problem {
            status,
            message: t.rows_refused.to_owned(),
            fields: Vec::new(),
            rows: errors
                .iter()
                .take(MAX_REPORTED_ROW_ERRORS)
                .map(|e| {
                    (
                        e.row,
                        crate::bulk::column_label(&e.column, lang),
                        i18n::problem(lang, &e.problem),
                    )
                })
                .collect(),
            invalid: Vec::new(),
        },
        AppError::Conflict(p)
        | AppError::Duplicate(p)
        | AppError::BadRequest(p)
        | AppError::UnsupportedMediaType(p)
        | AppError::Unauthorized(p) => Alert::problem(status, i18n::problem(lang, &p)),
        error @ (AppError::TooManyRequests { .. }
        | AppError::Busy { .. }
        | AppError::PayloadTooLarge
        | AppError::RequestTimeout
        | AppError::Contended) => Alert::problem(status, i18n::problem(lang, &error.problem())),
        other => return Err(other),
    })
}

/// A person as a picker offers them: the name, the employee number and the department, so
/// that two people of one name can be told apart ("张伟 (E0001) · 旗舰店").
pub fn person_choice(name: &str, number: Option<&str>, department: Option<&str>) -> String {
    let mut label = name.to_owned();
    if let Some(number) = number {
        label.push_str(&format!(" ({number})"));
    }
    if let Some(department) = department {
        label.push_str(&format!(" · {department}"));
    }
    label
}

/// People in the order a picker lists them: by the pinyin of their names.
pub fn by_name_order(people: &mut [crate::app::view::User]) {
    people.sort_by_cached_key(|u| (crate::domain::text::name_order(&u.display_name), u.id));
}

/// `department_overrides[2].weights.sales` → ("department_overrides", 2).
fn list_row(path: &str) -> Option<(&str, usize)> {
    let (list, rest) = path.split_once('[')?;
    let index = rest.split(']').next()?.parse().ok()?;
    Some((list, index))
}

/// The end of every form handler: a success goes on to `location` (303, so a reload does
/// not repeat the form); a refusal the visitor can act on shows the form's page again with
/// the reasons (`again`); anything else becomes the gate's error page.
pub async fn after_form<Fut>(
    ctx: Ctx,
    outcome: Result<String, AppError>,
    again: impl FnOnce(Ctx, Alert) -> Fut,
) -> Result<HttpResponse, AppError>
where
    Fut: std::future::Future<Output = Result<HttpResponse, AppError>>,
{
    match outcome {
        Ok(location) => Ok(see_other(location)),
        Err(error) => {
            let alert = recoverable(ctx.t, error)?;
            again(ctx, alert).await
        }
    }
}

/// A page, answered with its alert's status (200, or the refusal's 4xx).
pub fn answer(ctx: &Ctx, title: &str, alert: Option<&Alert>, body: Markup) -> HttpResponse {
    let status = alert.map_or(StatusCode::OK, Alert::status);
    html_response(status, page(ctx, title, alert, body))
}

pub fn html_response(status: StatusCode, markup: Markup) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(markup.into_string())
}

/// After a successful form: back to a page (303, so a reload does not repeat the form).
pub fn see_other(location: impl Into<String>) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.into()))
        .finish()
}

/// The hidden field every form carries.
pub fn csrf(ctx: &Ctx) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(ctx.csrf); }
}

/// A one-button form that posts to `action`.
pub fn button_form(ctx: &Ctx, action: &str, label: &str, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf(ctx))
            button class=(class) type="submit" { (label) }
        }
    }
}

/// A team page (`/cycles/{id}/team…`, the inspection form under it).
fn is_team_page(path: &str) -> bool {
    path.starts_with("/cycles/") && path.contains("/team")
}

/// A section of the site: its address, its name, whether a path is in it.
type Section = (&'static str, &'static str, fn(&str) -> bool);

/// The sections of the site a role has.
fn sections(t: &Texts, role: Role) -> Vec<Section> {
    let mut all: Vec<Section> = vec![
        ("/me", t.nav_my_rating, |p| p == "/me"),
        ("/complaints", t.nav_complaints, |p| {
            p.starts_with("/complaints")
        }),
    ];
    if role == Role::Supervisor {
        all.push(("/team", t.nav_team, |p| p == "/team" || is_team_page(p)));
    }
    if role == Role::Hr {
        all.extend([
            (
                "/hr",
                t.nav_cycles,
                (|p| p == "/hr" || p.starts_with("/hr/cycles") || is_team_page(p))
                    as fn(&str) -> bool,
            ),
            ("/hr/people", t.nav_people, |p| p.starts_with("/hr/people")),
            ("/hr/checklists", t.nav_checklists, |p| {
                p.starts_with("/hr/checklists")
            }),
            ("/appeals", t.nav_appeals, |p| p.starts_with("/appeals")),
            ("/hr/service", t.nav_service, |p| {
                p.starts_with("/hr/service")
            }),
            ("/hr/notices", t.nav_notices, |p| {
                p.starts_with("/hr/notices")
            }),
        ]);
    }
    all
}

fn nav(ctx: &Ctx) -> Markup {
    let t = ctx.t;
    let path = ctx.here.split('?').next().unwrap_or(&ctx.here);
    let links = ctx.user.as_ref().map_or_else(Vec::new, |u| {
        sections(t, u.role)
            .into_iter()
            .map(|(href, name, covers)| (href.to_owned(), name.to_owned(), covers(path)))
            .collect()
    });
    choices("main", t.nav_main, links)
}

/// A row of links that narrow a page (a department, a status, a cycle): a navigation
/// named `label`, the one shown marked current.
pub fn choices(class: &str, label: &str, links: Vec<(String, String, bool)>) -> Markup {
    html! {
        nav class=(class) aria-label=(label) {
            @for (href, text, current) in links {
                @if current {
                    a.current href=(href) aria-current="page" { (text) }
                } @else {
                    a href=(href) { (text) }
                }
            }
        }
    }
}

fn language_switch(ctx: &Ctx) -> Markup {
    let back = urlencode(&ctx.here);
    html! {
        span.lang {
            @if ctx.lang == Locale::ZhCn {
                a #lang-en href={ "/lang/en?back=" (back) } hreflang="en" { "English" }
            } @else {
                a #lang-zh href={ "/lang/zh-CN?back=" (back) } hreflang="zh-CN" { "中文" }
            }
        }
    }
}

fn alert_box(ctx: &Ctx, alert: &Alert) -> Markup {
    let t = ctx.t;
    match alert {
        Alert::Done(message) => html! { p.alert.ok role="status" { (message) } },
        Alert::Note(message) => html! { p.alert.ok role="status" { (message) } },
        Alert::Problem {
            message,
            fields,
            rows,
            ..
        } => html! {
            div.alert.problem #problem role="alert" {
                p { strong { (message) } }
                @if !fields.is_empty() {
                    ul.fields {
                        @for (field, reason) in fields {
                            li { strong { (field) } ": " (reason) }
                        }
                    }
                }
                @if !rows.is_empty() {
                    table.rows {
                        thead { tr { th { (t.row) } th { (t.column) } th { (t.problem) } } }
                        tbody {
                            @for (row, column, reason) in rows {
                                tr { td.num { (row) } td { code { (column) } } td { (reason) } }
                            }
                        }
                    }
                }
            }
        },
    }
}

/// A whole page: `title` in the header and the document title.
pub fn page(ctx: &Ctx, title: &str, alert: Option<&Alert>, body: Markup) -> Markup {
    let t = ctx.t;
    html! {
        (DOCTYPE)
        html lang=(lang_tag(ctx.lang)) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t.product) }
                link rel="stylesheet" href="/static/app.css";
                link rel="icon" href="/favicon.ico" sizes="32x32";
                script src="/static/app.js" defer {}
            }
            body {
                a.skip href="#main" { (t.skip_to_content) }
                header.top {
                    a.brand href="/" { (t.product) }
                    (nav(ctx))
                    div.who {
                        (language_switch(ctx))
                        @if let Some(user) = &ctx.user {
                            span.name { (user.display_name) " · " (t.role(user.role)) }
                            a #password-link href="/me/password" { (t.nav_password) }
                            form.inline method="post" action="/sign-out" {
                                (csrf(ctx))
                                button.link #sign-out type="submit" { (t.sign_out) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    @if let Some(alert) = alert { (alert_box(ctx, alert)) }
                    (mark_invalid(body, alert))
                }
            }
        }
    }
}

/// The inputs of the refused fields marked for assistive technology: `aria-invalid` and a
/// pointer to the alert that says why. Done on the rendered page: maud escapes quotes in
/// text, so `name="…"` can only be an attribute. A name that several visible inputs share
/// (one rating form per colleague) is left unmarked, since the page cannot tell which of
/// them was sent; hidden inputs are never marked.
fn mark_invalid(body: Markup, alert: Option<&Alert>) -> Markup {
    let Some(Alert::Problem { invalid, .. }) = alert else {
        return body;
    };
    let mut html = body.into_string();
    let mut done: Vec<&str> = Vec::new();
    for field in invalid {
        if done.contains(&field.as_str()) {
            continue;
        }
        done.push(field);
        let attribute = format!("name=\"{}\"", html! { (field) }.into_string());
        let visible: Vec<usize> = html
            .match_indices(&attribute)
            .map(|(at, _)| at)
            .filter(|at| !html[..*at].ends_with("type=\"hidden\" "))
            .collect();
        if let [at] = visible[..] {
            html.insert_str(at, "aria-invalid=\"true\" aria-describedby=\"problem\" ");
        }
    }
    maud::PreEscaped(html)
}

pub fn lang_tag(lang: Locale) -> &'static str {
    lang.as_str()
}

/// The links between the pages of a long list: where this page is in it, the previous and
/// the next page (`href(offset)` is a page's address).
pub fn pager(ctx: &Ctx, page: Page, total: i64, href: impl Fn(i64) -> String) -> Markup {
    let t = ctx.t;
    let shown = |n: i64| i18n::number(n);
    let to = (page.offset + page.limit).min(total);
    html! {
        @if total > page.limit || page.offset > 0 {
            nav.pager aria-label=(t.more) {
                span.meta { (i18n::format(t.lang, "shown_of", vec![
                    ("from", shown((page.offset + 1).min(total))),
                    ("to", shown(to)),
                    ("total", shown(total)),
                ])) }
                @if page.offset > 0 {
                    " " a rel="prev" href=(href((page.offset - page.limit).max(0))) { (t.previous_page) }
                }
                @if to < total {
                    " " a rel="next" href=(href(to)) { (t.next_page) }
                }
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A score or total as shown: two decimals, or a dash when there is none.
pub fn score(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.2}"))
}

/// What an upload left aside, for its summary: " · columns not read: 备注 · totals rows
/// skipped: 61" (empty when nothing was).
pub fn set_aside(t: &Texts, ignored: &[String], skipped: &[usize]) -> String {
    let mut said = String::new();
    if !ignored.is_empty() {
        said.push_str(&format!(
            " · {}: {}",
            t.ignored_columns,
            i18n::list(t.lang, ignored)
        ));
    }
    if !skipped.is_empty() {
        let rows: Vec<String> = skipped.iter().map(usize::to_string).collect();
        said.push_str(&format!(
            " · {}: {}",
            t.skipped_totals_rows,
            i18n::list(t.lang, &rows)
        ));
    }
    said
}

/// Integer minor units as an amount in yuan, with thousands separators and the unit in
/// the reader's language (1234567 → "12,345.67 元", or "¥12,345.67" in English).
pub fn money(t: &Texts, minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let amount = format!("{grouped}.{:02}", abs % 100);
    match t.lang {
        Locale::ZhCn => format!("{sign}{amount} 元"),
        Locale::En => format!("{sign}¥{amount}"),
    }
}
