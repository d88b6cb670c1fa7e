//! The text of each notice, in English and Chinese (zh-CN), chosen by the recipient's locale.
//! A template is a list of blocks rendered twice, as plain text and as HTML, so the two
//! alternatives of one mail always say the same thing. Pure: the content arrives loaded.
//!
//! A template sees only its [`Content`], which the loader builds from what the recipient may
//! see (their own appraisal, their own inspection, their direct reports, or, for HR, the
//! appeal they must decide).

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn of_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    fn pick(self, en: String, zh: String) -> String {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentName {
    Sales,
    Satisfaction,
    Etiquette,
    Collaboration,
}

/// One component of an appraisal as the employee sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentLine {
    pub name: ComponentName,
    pub weight: i32,
    pub score: Option<f64>,
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
    CollaborationRequest {
        cycle_id: i32,
        cycle: String,
        period_end: NaiveDate,
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

fn number(value: f64) -> String {
    format!("{value:.2}")
}

fn day(value: NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

fn component_label(lang: Lang, line: &ComponentLine) -> String {
    let (en, zh) = match line.name {
        ComponentName::Sales => ("Sales", "销售业绩"),
        ComponentName::Satisfaction => ("Customer satisfaction", "顾客满意度"),
        ComponentName::Etiquette => ("Etiquette inspections", "礼仪检查"),
        ComponentName::Collaboration => ("Collaboration", "跨部门协作"),
    };
    lang.pick(
        format!("{en} (weight {}%)", line.weight),
        format!("{zh}（权重 {}%）", line.weight),
    )
}

/// The score, or why it is missing, in the reader's language.
fn component_value(lang: Lang, line: &ComponentLine) -> String {
    if let Some(score) = line.score {
        return number(score);
    }
    let (n, min) = (line.evidence, line.minimum.max(1));
    match line.name {
        ComponentName::Sales => lang.pick(
            "missing: no sales target was set".into(),
            "缺失：未设定销售目标".into(),
        ),
        ComponentName::Satisfaction => lang.pick(
            format!("missing: {n} of {min} required satisfaction responses"),
            format!("缺失：满意度评价 {n} 条，至少需要 {min} 条"),
        ),
        ComponentName::Etiquette => lang.pick(
            format!("missing: {n} of {min} required inspections"),
            format!("缺失：礼仪检查 {n} 次，至少需要 {min} 次"),
        ),
        ComponentName::Collaboration => lang.pick(
            format!("missing: {n} of {min} required collaboration ratings"),
            format!("缺失：协作评价 {n} 条，至少需要 {min} 条"),
        ),
    }
}

fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".to_owned())
}

/// Renders `content` for `name` in `lang`; links start at `public_url`.
pub fn render(content: &Content, lang: Lang, name: &str, public_url: &str) -> Rendered {
    let base = public_url.trim_end_matches('/');
    let link = |en: &str, zh: &str, path: String| Block::Link {
        label: lang.pick(en.into(), zh.into()),
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
            let subject = match total {
                Some(total) => lang.pick(
                    format!(
                        "Your service rating for {cycle}: {} ({})",
                        number(*total),
                        or_dash(grade.clone())
                    ),
                    format!(
                        "{cycle} 服务考评结果：{} 分（{}）",
                        number(*total),
                        or_dash(grade.clone())
                    ),
                ),
                None => lang.pick(
                    format!("Your service rating for {cycle} is published"),
                    format!("{cycle} 服务考评结果已发布"),
                ),
            };
            let mut blocks = vec![Block::Para(lang.pick(
                format!("Your appraisal for {cycle} has been published."),
                format!("您在 {cycle} 的服务考评已发布。"),
            ))];
            let total_text = match total {
                Some(t) => number(*t),
                None => lang.pick(
                    "none: not enough evidence for any component".into(),
                    "无：各项证据均不足".into(),
                ),
            };
            blocks.push(Block::Rows(vec![
                (lang.pick("Total".into(), "总分".into()), total_text),
                (
                    lang.pick("Grade".into(), "等级".into()),
                    or_dash(grade.clone()),
                ),
                (
                    lang.pick("Rank in your department".into(), "部门排名".into()),
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
                blocks.push(Block::Para(lang.pick(
                    format!(
                        "Please acknowledge it. If you disagree, you can appeal until {}.",
                        day(*until)
                    ),
                    format!(
                        "请确认考评结果。如有异议，可在 {} 前提出申诉。",
                        day(*until)
                    ),
                )));
            }
            blocks.push(link(
                "View your appraisal",
                "查看考评详情",
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
            let subject = lang.pick(
                format!(
                    "Etiquette inspection on {}: {} of 100",
                    day(*occurred_on),
                    number(*score)
                ),
                format!(
                    "{} 礼仪检查结果：{} 分（满分 100）",
                    day(*occurred_on),
                    number(*score)
                ),
            );
            let mut blocks = vec![Block::Para(lang.pick(
                format!(
                    "{inspector} recorded an etiquette inspection of your service on {} \
                     ({checklist}).",
                    day(*occurred_on)
                ),
                format!(
                    "{inspector} 于 {} 对您的服务进行了礼仪检查（{checklist}）。",
                    day(*occurred_on)
                ),
            ))];
            blocks.push(Block::Rows(
                items
                    .iter()
                    .map(|item| {
                        let title = if item.critical {
                            lang.pick(
                                format!("{} (critical)", item.title),
                                format!("{}（关键项）", item.title),
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
                blocks.push(Block::Para(lang.pick(
                    "A critical item was not met, so this inspection scores 0.".into(),
                    "有关键项未达标，本次检查计 0 分。".into(),
                )));
            }
            if let Some(comment) = comment {
                blocks.push(Block::Para(
                    lang.pick("Your supervisor's comment:".into(), "主管评语：".into()),
                ));
                blocks.push(Block::Quote(comment.clone()));
            }
            blocks.push(link(
                "View the inspection",
                "查看检查详情",
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
        } => (
            lang.pick(
                format!("Appeal filed by {employee} ({cycle})"),
                format!("{employee} 对 {cycle} 的考评提出申诉"),
            ),
            vec![
                Block::Para(lang.pick(
                    format!(
                        "{employee} ({department}) appealed their appraisal for {cycle}. \
                         Their reason:"
                    ),
                    format!("{employee}（{department}）对 {cycle} 的考评提出申诉，理由如下："),
                )),
                Block::Quote(reason.clone()),
                Block::Para(lang.pick(
                    "Evidence of this employee can be corrected while the appeal is open.".into(),
                    "申诉处理期间可更正该员工的考评证据。".into(),
                )),
                link(
                    "Decide the appeal",
                    "处理申诉",
                    format!("/appeals/{appeal_id}"),
                ),
            ],
        ),
        Content::AppealDecided {
            appraisal_id,
            cycle,
            upheld,
            note,
            total,
            grade,
        } => {
            let subject = match upheld {
                true => lang.pick(
                    format!("Your appeal for {cycle} was upheld"),
                    format!("您对 {cycle} 考评的申诉已被采纳"),
                ),
                false => lang.pick(
                    format!("Your appeal for {cycle} was rejected"),
                    format!("您对 {cycle} 考评的申诉未被采纳"),
                ),
            };
            let mut blocks = Vec::new();
            if *upheld {
                let total = total.map(number).unwrap_or_else(|| "—".into());
                let grade = or_dash(grade.clone());
                blocks.push(Block::Para(lang.pick(
                    format!("Your appraisal was recomputed: total {total} ({grade})."),
                    format!("您的考评已重新计算：总分 {total}（{grade}）。"),
                )));
            } else {
                blocks.push(Block::Para(lang.pick(
                    "Your appraisal stays as published.".into(),
                    "您的考评维持已发布的结果。".into(),
                )));
            }
            if let Some(note) = note {
                blocks.push(Block::Para(
                    lang.pick("HR's note:".into(), "人力资源部说明：".into()),
                ));
                blocks.push(Block::Quote(note.clone()));
            }
            blocks.push(link(
                "View your appraisal",
                "查看考评详情",
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
            let (n, end) = (reports.len(), day(*period_end));
            (
                lang.pick(
                    format!("{n} of your team still need inspections before {end}"),
                    format!("{end} 前还有 {n} 名下属需要礼仪检查"),
                ),
                vec![
                    Block::Para(lang.pick(
                        format!(
                            "{cycle} ends on {end}. These direct reports have fewer than \
                             {minimum} inspections so far:"
                        ),
                        format!(
                            "{cycle} 将于 {end} 结束。以下直属员工的礼仪检查仍少于 {minimum} 次："
                        ),
                    )),
                    Block::List(
                        reports
                            .iter()
                            .map(|r| {
                                lang.pick(
                                    format!("{}: {} inspections", r.name, r.inspections),
                                    format!("{}：{} 次", r.name, r.inspections),
                                )
                            })
                            .collect(),
                    ),
                    link(
                        "Open your team",
                        "查看我的团队",
                        format!("/cycles/{cycle_id}/team"),
                    ),
                ],
            )
        }
        Content::CollaborationRequest {
            cycle_id,
            cycle,
            period_end,
        } => {
            let end = day(*period_end);
            (
                lang.pick(
                    format!("Rate your colleagues in other departments ({cycle})"),
                    format!("请评价其他部门同事的协作（{cycle}）"),
                ),
                vec![
                    Block::Para(lang.pick(
                        format!(
                            "The appraisal cycle {cycle} is open until {end}. How colleagues \
                             of other departments worked with you counts towards their \
                             collaboration score; please rate those you worked with."
                        ),
                        format!(
                            "考评周期 {cycle} 开放至 {end}。您对合作过的其他部门同事的评价\
                             将计入他们的协作得分，请为他们评分。"
                        ),
                    )),
                    link(
                        "Rate colleagues",
                        "去评价",
                        format!("/cycles/{cycle_id}/collaboration"),
                    ),
                ],
            )
        }
    };
    let greeting = lang.pick(format!("Hello {name},"), format!("{name}，您好："));
    let footer = lang.pick(
        "This message was sent by Service Appraisal.".into(),
        "此邮件由服务考评系统发送。".into(),
    );
    Rendered {
        text: text(lang, &greeting, &blocks, &footer),
        html: html(lang, &subject, &greeting, &blocks, &footer),
        subject,
    }
}

fn text(lang: Lang, greeting: &str, blocks: &[Block], footer: &str) -> String {
    let colon = match lang {
        Lang::En => ": ",
        Lang::Zh => "：",
    };
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

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn html(lang: Lang, subject: &str, greeting: &str, blocks: &[Block], footer: &str) -> String {
    let code = match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\"><title>{}</title>\
         </head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n<p>{}</p>\n",
        escape(subject),
        escape(greeting)
    );
    for block in blocks {
        match block {
            Block::Para(p) => out.push_str(&format!("<p>{}</p>\n", escape(p))),
            Block::Rows(rows) => {
                out.push_str("<table cellpadding=\"4\">\n");
                for (k, v) in rows {
                    out.push_str(&format!(
                        "<tr><th align=\"left\">{}</th><td>{}</td></tr>\n",
                        escape(k),
                        escape(v)
                    ));
                }
                out.push_str("</table>\n");
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", escape(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Quote(q) => out.push_str(&format!(
                "<blockquote style=\"white-space: pre-wrap\">{}</blockquote>\n",
                escape(q)
            )),
            Block::Link { label, url } => out.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>\n",
                escape(url),
                escape(label)
            )),
        }
    }
    out.push_str(&format!(
        "<hr><p style=\"color: #666\">{}</p>\n</body></html>\n",
        escape(footer)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published(total: Option<f64>) -> Content {
        Content::AppraisalPublished {
            appraisal_id: 7,
            cycle: "2026 Q3".into(),
            total,
            grade: total.map(|_| "B".into()),
            rank: Some(2),
            components: vec![
                ComponentLine {
                    name: ComponentName::Sales,
                    weight: 40,
                    score: Some(87.5),
                    evidence: 12,
                    minimum: 1,
                },
                ComponentLine {
                    name: ComponentName::Satisfaction,
                    weight: 30,
                    score: None,
                    evidence: 2,
                    minimum: 5,
                },
            ],
            appeal_until: NaiveDate::from_ymd_opt(2026, 10, 15),
        }
    }

    #[test]
    fn published_in_english_names_numbers_reasons_and_link() {
        let mail = render(
            &published(Some(81.25)),
            Lang::En,
            "Ann Lee",
            "https://appraisal.example/",
        );
        assert_eq!(mail.subject, "Your service rating for 2026 Q3: 81.25 (B)");
        assert!(mail.text.starts_with("Hello Ann Lee,\n"));
        assert!(
            mail.text.contains("Sales (weight 40%): 87.50"),
            "{}",
            mail.text
        );
        assert!(mail
            .text
            .contains("missing: 2 of 5 required satisfaction responses"));
        assert!(mail.text.contains("appeal until 2026-10-15"));
        assert!(mail.text.contains("https://appraisal.example/appraisals/7"));
        assert!(mail
            .html
            .contains("<a href=\"https://appraisal.example/appraisals/7\">"));
    }

    #[test]
    fn published_in_chinese() {
        let mail = render(&published(Some(81.25)), Lang::Zh, "李安", "http://h:1");
        assert_eq!(mail.subject, "2026 Q3 服务考评结果：81.25 分（B）");
        assert!(mail.text.starts_with("李安，您好："));
        assert!(
            mail.text.contains("销售业绩（权重 40%）：87.50"),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("满意度评价 2 条，至少需要 5 条"));
        assert!(mail
            .html
            .starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    }

    #[test]
    fn a_total_that_could_not_be_computed_is_said_so() {
        let mail = render(&published(None), Lang::En, "A", "http://h:1");
        assert_eq!(mail.subject, "Your service rating for 2026 Q3 is published");
        assert!(mail.text.contains("Total: none: not enough evidence"));
    }

    #[test]
    fn locale_picks_the_language() {
        assert_eq!(Lang::of_locale("zh-CN"), Lang::Zh);
        assert_eq!(Lang::of_locale("en"), Lang::En);
        assert_eq!(Lang::of_locale("fr"), Lang::En);
    }

    #[test]
    fn user_text_is_escaped_in_html() {
        let content = Content::AppealFiled {
            appeal_id: 3,
            employee: "<b>Bob</b>".into(),
            department: "Floor & Co".into(),
            cycle: "Q1".into(),
            reason: "<script>alert(1)</script>".into(),
        };
        let mail = render(&content, Lang::En, "HR", "http://h:1");
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(mail.html.contains("Floor &amp; Co"));
        // Plain text is not HTML: it keeps the characters as typed.
        assert!(mail.text.contains("> <script>alert(1)</script>"));
    }
}
