//! The text of each notice, in English and Chinese (zh-CN), chosen by the recipient's locale.
//! A template is a list of blocks rendered twice, as plain text and as HTML, so the two
//! alternatives of one mail always say the same thing. Pure: the content arrives loaded.
//!
//! A template sees only its [`Content`], which the loader builds from what the recipient may
//! see (their own appraisal, their own inspection, their direct reports, or, for HR, the
//! appeal they must decide).

use chrono::NaiveDate;

use crate::i18n::{self, number, words, Args, Locale};

pub use crate::domain::component::Component as ComponentName;

/// One component of an appraisal as the employee sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentLine {
    pub name: ComponentName,
    pub weight: i32,
    pub score: Option<f64>,
    /// The weight really used and the points added to the total
    /// (`domain::scoring::contributions`); None when the component is missing.
    pub used: Option<(f64, f64)>,
    pub evidence: i64,
    pub minimum: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemLine {
    pub title: String,
    pub points: i32,
    pub max_points: i32,
    pub critical: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportLine {
    pub name: String,
    pub inspections: i64,
}

/// What a notice says, loaded for its recipient.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    AppraisalPublished {
        appraisal_id: i32,
        cycle: String,
        total: Option<f64>,
        grade: Option<String>,
        rank: Option<i32>,
        components: Vec<ComponentLine>,
        appeal_until: Option<NaiveDate>,
    },
    InspectionRecorded {
        inspection_id: i32,
        occurred_on: NaiveDate,
        inspector: String,
        checklist: String,
        items: Vec<ItemLine>,
        score: f64,
        critical_failed: bool,
        comment: Option<String>,
    },
    AppealFiled {
        appeal_id: i32,
        employee: String,
        department: String,
        cycle: String,
        reason: String,
    },
    AppealDecided {
        appraisal_id: i32,
        cycle: String,
        upheld: bool,
        note: Option<String>,
        total: Option<f64>,
        grade: Option<String>,
    },
    ReviewReminder {
        cycle_id: i32,
        cycle: String,
        period_end: NaiveDate,
        minimum: i32,
        reports: Vec<ReportLine>,
    },
    /// Appraisals the recipient had reviewed whose numbers a recompute changed.
    ReviewAgain {
        cycle_id: i32,
        cycle: String,
        names: Vec<String>,
    },
    CollaborationRequest {
        cycle_id: i32,
        cycle: String,
        period_end: NaiveDate,
    },
    /// Most of a complaint's time limit is used (to its holder).
    ComplaintReminder {
        complaint_id: i32,
        summary: String,
        department: String,
        received: chrono::NaiveDateTime,
        first_response: bool,
    },
    /// A complaint's holder let a time limit pass (level 1 to their supervisor, 2 to HR).
    ComplaintEscalated {
        complaint_id: i32,
        level: i32,
        summary: String,
        department: String,
        holder: Option<String>,
        received: chrono::NaiveDateTime,
    },
    /// A one-time link to set (`setup`) or reset a password; `token` is the link's secret,
    /// made when the mail is written and never stored.
    PasswordLink {
        setup: bool,
        email: String,
        token: String,
        /// In the company's time.
        expires: chrono::NaiveDateTime,
    },
}

/// A rendered mail: subject and the two alternatives of its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

enum Block {
    Para(String),
    /// Label and value pairs.
    Rows(Vec<(String, String)>),
    List(Vec<String>),
    Quote(String),
    Link {
        label: String,
        url: String,
    },
}

fn decimal(value: f64) -> String {
    format!("{value:.2}")
}

fn day(value: NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

fn component_key(name: ComponentName) -> (&'static str, &'static str) {
    (name.as_str(), name.missing_key())
}

/// The component with the weight really used (a missing component's weight is spread over
/// the others), so that the points shown add up to the total.
fn component_label(lang: Locale, line: &ComponentLine) -> String {
    let (name, _) = component_key(line.name);
    i18n::format(
        lang,
        "published-component",
        vec![
            ("component", words(i18n::text(lang, name))),
            (
                "used",
                words(decimal(line.used.map_or(0.0, |(share, _)| share))),
            ),
        ],
    )
}

/// The score and the points it adds to the total, or why it is missing, in the reader's
/// language.
fn component_value(lang: Lang, line: &ComponentLine) -> String {
    if let (Some(score), Some((_, points))) = (line.score, line.used) {
        return i18n::format(
            lang,
            "published-points",
            vec![
                ("score", words(decimal(score))),
                ("points", words(decimal(points))),
            ],
        );
    }
    if let Some(score) = line.score {
        return decimal(score);
    }
    let (_, missing) = component_key(line.name);
    i18n::format(
        lang,
        missing,
        vec![
            ("have", number(line.evidence)),
            ("need", number(line.minimum.max(1))),
        ],
    )
}

/// A complaint's particulars in a mail (received in the company's time).
fn complaint_rows(
    lang: Lang,
    summary: &str,
    department: &str,
    holder: Option<&str>,
    received: chrono::NaiveDateTime,
) -> Block {
    let mut rows = vec![
        (
            i18n::text(lang, "complaint-received"),
            received.format("%Y-%m-%d %H:%M").to_string(),
        ),
        (
            i18n::text(lang, "complaint-department"),
            department.to_owned(),
        ),
    ];
    if let Some(holder) = holder {
        rows.push((i18n::text(lang, "complaint-holder"), holder.to_owned()));
    }
    rows.push((i18n::text(lang, "complaint-summary"), summary.to_owned()));
    Block::Rows(rows)
}

fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".to_owned())
}

type Lang = Locale;

/// Renders `content` for `name` in `lang`; links start at `public_url`.
pub fn render(content: &Content, lang: Lang, name: &str, public_url: &str) -> Rendered {
    let base = public_url.trim_end_matches('/');
    let say = |key: &str, args: Args| i18n::format(lang, key, args);
    let link = |key: &str, path: String| Block::Link {
        label: i18n::text(lang, key),
        url: format!("{base}{path}"),
    };
    let (subject, blocks) = match content {
        Content::AppraisalPublished {
            appraisal_id,
            cycle,
            total,
            grade,
            rank,
            components,
            appeal_until,
        } => {
            let cycle_arg = || ("cycle", words(cycle.clone()));
            let subject = match total {
                Some(total) => say(
                    "published-subject-total",
                    vec![
                        cycle_arg(),
                        ("total", words(decimal(*total))),
                        ("grade", words(or_dash(grade.clone()))),
                    ],
                ),
                None => say("published-subject", vec![cycle_arg()]),
            };
            let mut blocks = vec![Block::Para(say("published-intro", vec![cycle_arg()]))];
            let total_text = match total {
                Some(t) => decimal(*t),
                None => i18n::text(lang, "published-no-total"),
            };
            blocks.push(Block::Rows(vec![
                (i18n::text(lang, "published-total"), total_text),
                (i18n::text(lang, "published-grade"), or_dash(grade.clone())),
                (
                    i18n::text(lang, "published-rank"),
                    or_dash(rank.map(|r| r.to_string())),
                ),
            ]));
            blocks.push(Block::Rows(
                components
                    .iter()
                    .map(|c| (component_label(lang, c), component_value(lang, c)))
                    .collect(),
            ));
            if let Some(until) = appeal_until {
                blocks.push(Block::Para(say(
                    "published-appeal-until",
                    vec![("date", words(day(*until)))],
                )));
            }
            blocks.push(link(
                "published-link",
                format!("/appraisals/{appraisal_id}"),
            ));
            (subject, blocks)
        }
        Content::InspectionRecorded {
            inspection_id,
            occurred_on,
            inspector,
            checklist,
            items,
            score,
            critical_failed,
            comment,
        } => {
            let date = || ("date", words(day(*occurred_on)));
            let subject = say(
                "inspection-subject",
                vec![date(), ("score", words(decimal(*score)))],
            );
            let mut blocks = vec![Block::Para(say(
                "inspection-intro",
                vec![
                    ("inspector", words(inspector.clone())),
                    date(),
                    ("checklist", words(checklist.clone())),
                ],
            ))];
            blocks.push(Block::Rows(
                items
                    .iter()
                    .map(|item| {
                        let title = if item.critical {
                            say(
                                "inspection-item-critical",
                                vec![("item", words(item.title.clone()))],
                            )
                        } else {
                            item.title.clone()
                        };
                        let mut value = format!("{} / {}", item.points, item.max_points);
                        if let Some(note) = &item.note {
                            value.push_str(&format!(" — {note}"));
                        }
                        (title, value)
                    })
                    .collect(),
            ));
            if *critical_failed {
                blocks.push(Block::Para(i18n::text(lang, "inspection-critical-failed")));
            }
            if let Some(comment) = comment {
                blocks.push(Block::Para(i18n::text(lang, "inspection-comment")));
                blocks.push(Block::Quote(comment.clone()));
            }
            blocks.push(link(
                "inspection-link",
                format!("/inspections/{inspection_id}"),
            ));
            (subject, blocks)
        }
        Content::AppealFiled {
            appeal_id,
            employee,
            department,
            cycle,
            reason,
        } => {
            let who = vec![
                ("employee", words(employee.clone())),
                ("department", words(department.clone())),
                ("cycle", words(cycle.clone())),
            ];
            (
                say("appeal-filed-subject", who.clone()),
                vec![
                    Block::Para(say("appeal-filed-intro", who)),
                    Block::Quote(reason.clone()),
                    Block::Para(i18n::text(lang, "appeal-filed-correct")),
                    link("appeal-filed-link", format!("/appeals/{appeal_id}")),
                ],
            )
        }
        Content::AppealDecided {
            appraisal_id,
            cycle,
            upheld,
            note,
            total,
            grade,
        } => {
            let key = if *upheld {
                "appeal-decided-subject-upheld"
            } else {
                "appeal-decided-subject-rejected"
            };
            let subject = say(key, vec![("cycle", words(cycle.clone()))]);
            let mut blocks = Vec::new();
            if *upheld {
                blocks.push(Block::Para(say(
                    "appeal-decided-recomputed",
                    vec![
                        (
                            "total",
                            words(total.map(decimal).unwrap_or_else(|| "—".into())),
                        ),
                        ("grade", words(or_dash(grade.clone()))),
                    ],
                )));
            } else {
                blocks.push(Block::Para(i18n::text(lang, "appeal-decided-stays")));
            }
            if let Some(note) = note {
                blocks.push(Block::Para(i18n::text(lang, "appeal-decided-note")));
                blocks.push(Block::Quote(note.clone()));
            }
            blocks.push(link(
                "published-link",
                format!("/appraisals/{appraisal_id}"),
            ));
            (subject, blocks)
        }
        Content::ReviewReminder {
            cycle_id,
            cycle,
            period_end,
            minimum,
            reports,
        } => {
            let end = || ("end", words(day(*period_end)));
            (
                say(
                    "reminder-subject",
                    vec![("count", number(reports.len() as i64)), end()],
                ),
                vec![
                    Block::Para(say(
                        "reminder-intro",
                        vec![
                            ("cycle", words(cycle.clone())),
                            end(),
                            ("minimum", number(*minimum)),
                        ],
                    )),
                    Block::List(
                        reports
                            .iter()
                            .map(|r| {
                                say(
                                    "reminder-line",
                                    vec![
                                        ("name", words(r.name.clone())),
                                        ("count", number(r.inspections)),
                                    ],
                                )
                            })
                            .collect(),
                    ),
                    link("reminder-link", format!("/cycles/{cycle_id}/team")),
                ],
            )
        }
        Content::ReviewAgain {
            cycle_id,
            cycle,
            names,
        } => (
            say(
                "review-again-subject",
                vec![
                    ("count", number(names.len() as i64)),
                    ("cycle", words(cycle.clone())),
                ],
            ),
            vec![
                Block::Para(say(
                    "review-again-intro",
                    vec![("cycle", words(cycle.clone()))],
                )),
                Block::List(names.clone()),
                link("review-again-link", format!("/cycles/{cycle_id}/team")),
            ],
        ),
        Content::CollaborationRequest {
            cycle_id,
            cycle,
            period_end,
        } => {
            let args = vec![
                ("cycle", words(cycle.clone())),
                ("end", words(day(*period_end))),
            ];
            (
                say("collaboration-subject", args.clone()),
                vec![
                    Block::Para(say("collaboration-intro", args)),
                    link(
                        "collaboration-link",
                        format!("/cycles/{cycle_id}/collaboration"),
                    ),
                ],
            )
        }
        Content::ComplaintReminder {
            complaint_id,
            summary,
            department,
            received,
            first_response,
        } => {
            let limit = if *first_response {
                "complaint-limit-first_response"
            } else {
                "complaint-limit-resolution"
            };
            let args = vec![
                ("id", number(i64::from(*complaint_id))),
                ("limit", words(i18n::text(lang, limit))),
            ];
            (
                say("complaint-reminder-subject", args.clone()),
                vec![
                    Block::Para(say("complaint-reminder-intro", args)),
                    complaint_rows(lang, summary, department, None, *received),
                    link("complaint-link", format!("/complaints/{complaint_id}")),
                ],
            )
        }
        Content::ComplaintEscalated {
            complaint_id,
            level,
            summary,
            department,
            holder,
            received,
        } => {
            let args = vec![
                ("id", number(i64::from(*complaint_id))),
                ("level", number(i64::from(*level))),
            ];
            let intro = if *level >= 2 {
                "complaint-escalated-intro-2"
            } else {
                "complaint-escalated-intro-1"
            };
            (
                say("complaint-escalated-subject", args.clone()),
                vec![
                    Block::Para(say(intro, args)),
                    complaint_rows(lang, summary, department, holder.as_deref(), *received),
                    link("complaint-link", format!("/complaints/{complaint_id}")),
                ],
            )
        }
        Content::PasswordLink {
            setup,
            email,
            token,
            expires,
        } => {
            let (subject, intro, action) = if *setup {
                (
                    "password-setup-subject",
                    "password-setup-intro",
                    "password-setup-link",
                )
            } else {
                (
                    "password-reset-subject",
                    "password-reset-intro",
                    "password-reset-link",
                )
            };
            (
                i18n::text(lang, subject),
                vec![
                    Block::Para(say(intro, vec![("email", words(email.clone()))])),
                    link(action, format!("/reset?token={token}")),
                    Block::Para(say(
                        "password-link-expires",
                        vec![("until", words(expires.format("%Y-%m-%d %H:%M").to_string()))],
                    )),
                    Block::Para(i18n::text(lang, "password-link-not-you")),
                ],
            )
        }
    };
    let greeting = say("mail-greeting", vec![("name", words(name.to_owned()))]);
    let footer = i18n::text(lang, "mail-footer");
    Rendered {
        text: text(lang, &greeting, &blocks, &footer),
        html: html(lang, &subject, &greeting, &blocks, &footer),
        subject,
    }
}

fn text(lang: Lang, greeting: &str, blocks: &[Block], footer: &str) -> String {
    let colon = i18n::text(lang, "mail-colon");
    let mut out = format!("{greeting}\n\n");
    for block in blocks {
        match block {
            Block::Para(p) => out.push_str(p),
            Block::Rows(rows) => {
                let lines: Vec<String> =
                    rows.iter().map(|(k, v)| format!("{k}{colon}{v}")).collect();
                out.push_str(&lines.join("\n"));
            }
            Block::List(items) => {
                let lines: Vec<String> = items.iter().map(|i| format!("- {i}")).collect();
                out.push_str(&lines.join("\n"));
            }
            Block::Quote(q) => {
                let lines: Vec<String> = q.lines().map(|l| format!("> {l}")).collect();
                out.push_str(&lines.join("\n"));
            }
            Block::Link { label, url } => out.push_str(&format!("{label}{colon}{url}")),
        }
        out.push_str("\n\n");
    }
    out.push_str("-- \n");
    out.push_str(footer);
    out.push('\n');
    out
}

/// The HTML alternative, written with maud (which escapes every value it is given).
fn html(lang: Lang, subject: &str, greeting: &str, blocks: &[Block], footer: &str) -> String {
    use maud::{html, DOCTYPE};
    let page = html! {
        (DOCTYPE)
        html lang=(lang.as_str()) {
            head { meta charset="utf-8"; title { (subject) } }
            body style="font-family: sans-serif; line-height: 1.5" {
                p { (greeting) }
                @for block in blocks {
                    @match block {
                        Block::Para(p) => p { (p) },
                        Block::Rows(rows) => table cellpadding="4" {
                            @for (k, v) in rows { tr { th align="left" { (k) } td { (v) } } }
                        },
                        Block::List(items) => ul { @for item in items { li { (item) } } },
                        Block::Quote(q) => blockquote style="white-space: pre-wrap" { (q) },
                        Block::Link { label, url } => p { a href=(url) { (label) } },
                    }
                }
                hr;
                p style="color: #666" { (footer) }
            }
        }
    };
    page.into_string()
}

#[cfg(test)]
mod tests;
