//! Service recovery for HR: the time-limit policy (limits per priority, working days and
//! hours, breaks, holidays and make-up working days), each department's group robot, and a
//! helpdesk's export to import. The forms go to the same use cases as the API's
//! (`app::sla`, `app::robots`, `app::complaint_import`).

use actix_multipart::Multipart;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};

use super::evidence::{read_upload, Uploaded};
use crate::app::robots::{RobotInput, RobotView};
use crate::app::App;
use crate::auth::Hr;
use crate::bulk;
use crate::domain::cycle::parse_sheet_date;
use crate::domain::problem::Problem;
use crate::domain::robot::Platform;
use crate::domain::sla::{Break, BusinessHours, Day, Limits, Priorities, Priority, SlaPolicy};
use crate::error::{AppError, FieldErrors};
use crate::i18n;
use crate::web::layout::{after_form, answer, button_form, csrf, recoverable, see_other, Alert};
use crate::web::session::{Ctx, Fields};

const DAYS: [Day; 7] = [
    Day::Mon,
    Day::Tue,
    Day::Wed,
    Day::Thu,
    Day::Fri,
    Day::Sat,
    Day::Sun,
];
const PRIORITIES: [Priority; 4] = [
    Priority::Urgent,
    Priority::High,
    Priority::Normal,
    Priority::Low,
];

/// What a refused form sent, to show again.
#[derive(Clone, Copy)]
enum Sent<'a> {
    Nothing,
    Policy(&'a Fields),
    Robot(i32, &'a Fields),
}

impl<'a> Sent<'a> {
    fn policy(self) -> Option<&'a Fields> {
        match self {
            Sent::Policy(form) => Some(form),
            _ => None,
        }
    }

    fn robot(self, department: i32) -> Option<&'a Fields> {
        match self {
            Sent::Robot(d, form) if d == department => Some(form),
            _ => None,
        }
    }
}

fn say(ctx: &Ctx, key: &str) -> String {
    i18n::text(ctx.lang, key)
}

fn day_code(day: Day) -> &'static str {
    match day {
        Day::Mon => "mon",
        Day::Tue => "tue",
        Day::Wed => "wed",
        Day::Thu => "thu",
        Day::Fri => "fri",
        Day::Sat => "sat",
        Day::Sun => "sun",
    }
}

pub async fn service(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    let alert = Alert::done(ctx.t, req.query_string());
    render(ctx, app, Sent::Nothing, alert).await
}

/// The page: the policy form (as stored, or as sent when refused), the robots, the import.
async fn render(
    ctx: Ctx,
    app: web::Data<App>,
    sent: Sent<'_>,
    alert: Option<Alert>,
) -> Result<HttpResponse, AppError> {
    let ctx = ctx.at("/hr/service");
    let caller = ctx.caller()?;
    let policy = app.sla_policy(caller).await?;
    let departments = app.all_departments(caller).await?;
    let robots = app.robots(caller).await?;
    // A refused robot form says whose it was.
    let mut alert = alert;
    if let (Sent::Robot(department, _), Some(Alert::Problem { message, .. })) = (&sent, &mut alert)
    {
        if let Some(d) = departments.iter().find(|d| d.id == *department) {
            *message = format!("{}: {message}", d.name);
        }
    }
    let body = html! {
        (policy_form(&ctx, &policy, sent.policy()))
        section.card #robots {
            h2 { (say(&ctx, "service-robots")) }
            p.meta { (say(&ctx, "service-robots-note")) }
            @for d in &departments {
                @let robot = robots.iter().find(|r| r.department_id == d.id);
                (robot_form(&ctx, d.id, &d.name, robot, sent.robot(d.id)))
            }
        }
        section.card #helpdesk {
            h2 { (say(&ctx, "service-import")) }
            p.meta { (say(&ctx, "service-import-note")) " "
                a href="/hr/service/template.csv" download { (say(&ctx, "service-template")) } }
            form #import-complaints method="post" action="/hr/service/import" enctype="multipart/form-data" {
                (csrf(&ctx))
                input type="hidden" name="kind" value="complaints";
                label { (say(&ctx, "service-file"))
                    input type="file" name="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; }
                button.primary type="submit" { (say(&ctx, "service-import-button")) }
            }
        }
    };
    Ok(answer(
        &ctx,
        &say(&ctx, "service-title"),
        alert.as_ref(),
        body,
    ))
}

fn policy_form(ctx: &Ctx, policy: &SlaPolicy, sent: Option<&Fields>) -> Markup {
    // A refused form shows what was sent; otherwise what is stored.
    let value =
        |name: &str, stored: String| -> String { sent.map_or(stored, |f| f.text(name).to_owned()) };
    let hours = &policy.business_hours;
    let breaks = hours
        .breaks
        .iter()
        .map(|b| format!("{}-{}", b.start, b.end))
        .collect::<Vec<_>>()
        .join(", ");
    let dates = |list: &[chrono::NaiveDate]| {
        list.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    html! {
        section.card #policy {
            h2 { (say(ctx, "service-policy")) }
            p.meta { (say(ctx, "service-policy-note")) }
            form #policy-form method="post" action="/hr/service/policy" {
                (csrf(ctx))
                table #limits {
                    thead { tr {
                        th { (say(ctx, "complaint-priority")) }
                        th { (say(ctx, "service-first-response")) }
                        th { (say(ctx, "service-resolution")) }
                    } }
                    tbody {
                        @for p in PRIORITIES {
                            @let limits = policy.priorities.of(p);
                            @let first = format!("priorities.{}.first_response_minutes", p.as_str());
                            @let resolution = format!("priorities.{}.resolution_minutes", p.as_str());
                            tr {
                                th scope="row" { (say(ctx, &format!("priority-{}", p.as_str()))) }
                                td { input type="number" name=(first) min="1" max="525600" required
                                    aria-label={ (say(ctx, &format!("priority-{}", p.as_str()))) " — " (say(ctx, "service-first-response")) }
                                    value=(value(&first, limits.first_response_minutes.to_string())); }
                                td { input type="number" name=(resolution) min="1" max="525600" required
                                    aria-label={ (say(ctx, &format!("priority-{}", p.as_str()))) " — " (say(ctx, "service-resolution")) }
                                    value=(value(&resolution, limits.resolution_minutes.to_string())); }
                            }
                        }
                    }
                }
                fieldset #days {
                    legend { (say(ctx, "service-days")) }
                    @for d in DAYS {
                        @let name = format!("day_{}", day_code(d));
                        @let on = sent.map_or(hours.days.contains(&d), |f| f.checked(&name));
                        label.check { input type="checkbox" name=(name) value="true" checked[on];
                            " " (say(ctx, &format!("day-{}", day_code(d)))) }
                    }
                }
                label { (say(ctx, "service-start"))
                    input type="text" name="business_hours.start" inputmode="numeric" required
                        value=(value("business_hours.start", hours.start.clone())); }
                label { (say(ctx, "service-end"))
                    input type="text" name="business_hours.end" inputmode="numeric" required
                        value=(value("business_hours.end", hours.end.clone())); }
                label { (say(ctx, "service-breaks"))
                    input type="text" name="business_hours.breaks" placeholder="12:00-13:30"
                        value=(value("business_hours.breaks", breaks)); }
                label { (say(ctx, "service-holidays"))
                    textarea name="holidays" rows="4" placeholder="2027-02-05" { (value("holidays", dates(&policy.holidays))) } }
                label { (say(ctx, "service-workdays"))
                    textarea name="workdays" rows="2" placeholder="2027-02-14" { (value("workdays", dates(&policy.workdays))) } }
                button.primary #save-policy type="submit" { (say(ctx, "service-save-policy")) }
            }
        }
    }
}

fn robot_form(
    ctx: &Ctx,
    department: i32,
    name: &str,
    robot: Option<&RobotView>,
    sent: Option<&Fields>,
) -> Markup {
    // A refused form comes back open, with the platform and address as sent (never the
    // secret).
    let chosen = sent
        .and_then(|f| f.text("platform").parse::<Platform>().ok())
        .or(robot.map(|r| r.platform));
    let address = sent.map_or("", |f| f.text("webhook_url"));
    let platform = |p: Platform| match p {
        Platform::Wecom => say(ctx, "robot-wecom"),
        Platform::Dingtalk => say(ctx, "robot-dingtalk"),
        Platform::Feishu => say(ctx, "robot-feishu"),
    };
    html! {
        details.robot id={ "robot-" (department) } open[robot.is_some() || sent.is_some()] {
            summary { (name) ": "
                @match robot {
                    Some(r) => { (platform(r.platform)) " · " code { (r.webhook_url) }
                        @if r.has_secret { " · " (say(ctx, "robot-has-secret")) } }
                    None => { (say(ctx, "robot-none")) }
                }
            }
            @if let Some(post) = robot.and_then(|r| r.recent_posts.first()) {
                p.meta { (say(ctx, "robot-last-post")) ": " (say(ctx, &format!("robot-status-{}", post.status)))
                    @if let Some(error) = &post.last_error { " — " (error) } }
            }
            form method="post" action={ "/hr/service/robots/" (department) } {
                (csrf(ctx))
                label { (say(ctx, "robot-platform"))
                    select name="platform" {
                        @for p in [Platform::Wecom, Platform::Dingtalk, Platform::Feishu] {
                            option value=(p.as_str()) selected[chosen == Some(p)] { (platform(p)) }
                        }
                    }
                }
                label { (say(ctx, "robot-webhook"))
                    input type="url" name="webhook_url" required maxlength="500" autocomplete="off" value=(address); }
                label { (say(ctx, "robot-secret"))
                    input type="password" name="secret" maxlength="200" autocomplete="new-password"; }
                button type="submit" { (say(ctx, "robot-save")) }
            }
            @if robot.is_some() {
                (button_form(ctx, &format!("/hr/service/robots/{department}/delete"), &say(ctx, "robot-remove"), "danger"))
            }
        }
    }
}

/// Reads the policy form into a policy; what cannot be read is said per field.
fn policy_of(form: &Fields, errors: &mut FieldErrors) -> SlaPolicy {
    let mut limits = |p: Priority| {
        let field = |what: &str| format!("priorities.{}.{what}", p.as_str());
        let first = super::number(
            form.text(&field("first_response_minutes")),
            &field("first_response_minutes"),
            errors,
        );
        let resolution = super::number(
            form.text(&field("resolution_minutes")),
            &field("resolution_minutes"),
            errors,
        );
        Limits {
            first_response_minutes: first.unwrap_or(0),
            resolution_minutes: resolution.unwrap_or(0),
        }
    };
    let priorities = Priorities {
        urgent: limits(Priority::Urgent),
        high: limits(Priority::High),
        normal: limits(Priority::Normal),
        low: limits(Priority::Low),
    };
    let mut breaks = Vec::new();
    for (i, part) in form
        .text("business_hours.breaks")
        .replace('：', ":")
        .replace("——", "-")
        .split([',', '，', ';', '；', '、', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        match part.split_once(['-', '–', '—', '~', '～', '至']) {
            Some((start, end)) => breaks.push(Break {
                start: start.trim().to_owned(),
                end: end.trim().to_owned(),
            }),
            None => errors.add(format!("business_hours.breaks[{i}]"), Problem::NotTimeOfDay),
        }
    }
    let mut dates = |name: &str| {
        let mut out = Vec::new();
        for (i, text) in form
            .text(name)
            .split([',', '，', ';', '；', '、', '\n', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .enumerate()
        {
            match parse_sheet_date(text) {
                Ok(date) => out.push(date),
                Err(problem) => errors.add(format!("{name}[{i}]"), problem),
            }
        }
        out
    };
    let holidays = dates("holidays");
    let workdays = dates("workdays");
    SlaPolicy {
        priorities,
        business_hours: BusinessHours {
            days: DAYS
                .into_iter()
                .filter(|d| form.checked(&format!("day_{}", day_code(*d))))
                .collect(),
            start: form.text("business_hours.start").trim().replace('：', ":"),
            end: form.text("business_hours.end").trim().replace('：', ":"),
            breaks,
        },
        holidays,
        workdays,
    }
}

pub async fn save_policy(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let mut errors = FieldErrors::new();
    let policy = policy_of(&form, &mut errors);
    let saved = match errors.into_result() {
        Ok(()) => app.set_sla_policy(ctx.caller()?, policy).await.map(|_| ()),
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        saved.map(|_| "/hr/service?ok=saved".to_owned()),
        |ctx, alert| async move { render(ctx, app, Sent::Policy(&form), Some(alert)).await },
    )
    .await
}

pub async fn save_robot(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    department: web::Path<i32>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let department = department.into_inner();
    let platform = form
        .text("platform")
        .parse::<Platform>()
        .map_err(|_| AppError::validation("platform", Problem::Choose));
    let saved = match platform {
        Ok(platform) => {
            let input = RobotInput {
                platform,
                webhook_url: form.text("webhook_url").to_owned(),
                secret: Some(form.text("secret").to_owned()).filter(|s| !s.trim().is_empty()),
            };
            app.set_robot(ctx.caller()?, department, input)
                .await
                .map(|_| ())
        }
        Err(error) => Err(error),
    };
    after_form(
        ctx,
        saved.map(|_| "/hr/service?ok=saved".to_owned()),
        |ctx, alert| async move {
            render(ctx, app, Sent::Robot(department, &form), Some(alert)).await
        },
    )
    .await
}

pub async fn delete_robot(
    _hr: Hr,
    ctx: Ctx,
    app: web::Data<App>,
    department: web::Path<i32>,
    // Read for its CSRF token (checked by the extractor).
    _form: Fields,
) -> Result<HttpResponse, AppError> {
    app.delete_robot(ctx.caller()?, department.into_inner())
        .await?;
    Ok(see_other("/hr/service?ok=removed"))
}

/// A helpdesk's CSV or XLSX: all rows or none, with every refused row listed.
pub async fn import(
    _hr: Hr,
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    parts: Multipart,
) -> Result<HttpResponse, AppError> {
    // The upload's turn comes before its file is read (`App::uploads`).
    let upload = match app.uploads.turn().await {
        Ok(turn) => read_upload(&req, parts).await.map(|upload| (upload, turn)),
        Err(busy) => Err(busy),
    };
    let outcome = match upload {
        Ok((Uploaded { file, .. }, _turn)) => {
            match web::block(move || bulk::rows_from(&file, &bulk::Format::of_file(&file))).await? {
                Ok(rows) if rows.is_empty() => Err(AppError::validation("file", Problem::NoRows)),
                Ok(rows) => app.import_complaints(ctx.caller()?, rows).await,
                Err(error) => Err(error),
            }
        }
        Err(error) => Err(error),
    };
    let t = ctx.t;
    let alert = match outcome {
        Ok(o) => Alert::Note(super::evidence::import_note(t, &o)),
        Err(AppError::Forbidden) => return Err(AppError::Forbidden),
        Err(error) => recoverable(t, error)?,
    };
    render(ctx, app, Sent::Nothing, Some(alert)).await
}

/// The helpdesk template: the header in the reader's language and one example row.
pub async fn template(_hr: Hr, ctx: Ctx, app: web::Data<App>) -> Result<HttpResponse, AppError> {
    // A department of this company, so that the example imports as it stands.
    let department = app
        .all_departments(ctx.caller()?)
        .await?
        .into_iter()
        .next()
        .map_or_else(|| "仓储物流部".to_owned(), |d| d.name);
    // Quoted (a name may hold a comma), and never a formula when a spreadsheet opens it.
    let department = format!(
        "\"{}\"",
        crate::export::neutralise(&department).replace('"', "\"\"")
    );
    // Yesterday's times, so that the example imports as it stands.
    let day = (ctx.time.today() - chrono::Duration::days(1)).to_string();
    let (received, answered, resolved) = (
        format!("{day} 14:30"),
        format!("{day} 15:10"),
        format!("{day} 17:00"),
    );
    let header = bulk::header_in(&bulk::COMPLAINT_COLUMNS.join(","), ctx.lang);
    // One value a column, in the header's order (`COMPLAINT_COLUMNS`).
    let example = [
        "HD-1001",
        received.as_str(),
        "电话",
        "高",
        "冰箱送货延误三天",
        "ORDER-8812",
        department.as_str(),
        "",
        "",
        answered.as_str(),
        resolved.as_str(),
        "5",
        "zh-CN",
    ]
    .join(",");
    let body = format!("\u{feff}{header}\r\n{example}\r\n");
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"complaints-template.csv\"",
        ))
        .body(body))
}
