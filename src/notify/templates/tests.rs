//! The mails' tests: every kind in both languages.

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
                used: Some((100.0, 87.5)),
                evidence: 12,
                minimum: 1,
            },
            ComponentLine {
                name: ComponentName::Satisfaction,
                weight: 30,
                score: None,
                used: None,
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
        Locale::En,
        "Ann Lee",
        "https://appraisal.example/",
    );
    assert_eq!(mail.subject, "Your service rating for 2026 Q3: 81.25 (B)");
    assert!(mail.text.starts_with("Hello Ann Lee,\n"));
    assert!(
        mail.text
            .contains("Sales (weight used 100.00%): 87.50, adding 87.50 to the total"),
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
    let mail = render(&published(Some(81.25)), Locale::ZhCn, "李安", "http://h:1");
    assert_eq!(mail.subject, "2026 Q3 服务考评结果：81.25 分（B）");
    assert!(mail.text.starts_with("李安，您好："));
    assert!(
        mail.text
            .contains("销售业绩（实际权重 100.00%）：87.50，计入总分 87.50"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("满意度评价 2 条，至少需要 5 条"));
    assert!(mail
        .html
        .starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"));
}

#[test]
fn a_total_that_could_not_be_computed_is_said_so() {
    let mail = render(&published(None), Locale::En, "A", "http://h:1");
    assert_eq!(mail.subject, "Your service rating for 2026 Q3 is published");
    assert!(mail.text.contains("Total: none: not enough evidence"));
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
    let mail = render(&content, Locale::En, "HR", "http://h:1");
    assert!(!mail.html.contains("<script>"));
    assert!(mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(mail.html.contains("Floor &amp; Co"));
    // Plain text is not HTML: it keeps the characters as typed.
    assert!(mail.text.contains("> <script>alert(1)</script>"));
}

/// One notice of every kind (and both outcomes of an appeal), with Chinese names, as
/// people of the company would get them.
fn every_kind() -> Vec<Content> {
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    vec![
        published(Some(81.25)),
        published(None),
        Content::InspectionRecorded {
            inspection_id: 3,
            occurred_on: day,
            inspector: "王伟".into(),
            checklist: "服务礼仪检查".into(),
            items: vec![
                ItemLine {
                    title: "仪容仪表".into(),
                    points: 8,
                    max_points: 10,
                    critical: false,
                    note: Some("工牌未佩戴".into()),
                },
                ItemLine {
                    title: "文明用语".into(),
                    points: 0,
                    max_points: 10,
                    critical: true,
                    note: None,
                },
            ],
            score: 0.0,
            critical_failed: true,
            comment: Some("请注意用语".into()),
        },
        Content::AppealFiled {
            appeal_id: 4,
            employee: "李娜".into(),
            department: "旗舰店".into(),
            cycle: "2026 Q4".into(),
            reason: "少了两份回访".into(),
        },
        Content::AppealDecided {
            appraisal_id: 7,
            cycle: "2026 Q4".into(),
            upheld: true,
            note: None,
            total: Some(88.0),
            grade: Some("B".into()),
        },
        Content::AppealDecided {
            appraisal_id: 7,
            cycle: "2026 Q4".into(),
            upheld: false,
            note: Some("回访记录齐全".into()),
            total: Some(80.0),
            grade: Some("C".into()),
        },
        Content::ReviewReminder {
            cycle_id: 2,
            cycle: "2026 Q4".into(),
            period_end: day,
            minimum: 2,
            reports: vec![ReportLine {
                name: "张敏".into(),
                inspections: 1,
            }],
        },
        Content::ReviewAgain {
            cycle_id: 2,
            cycle: "2026 Q4".into(),
            names: vec!["张敏".into()],
        },
        Content::CollaborationRequest {
            cycle_id: 2,
            cycle: "2026 Q4".into(),
            period_end: day,
        },
        Content::ComplaintReminder {
            complaint_id: 12,
            summary: "冰箱送货延误".into(),
            department: "仓储物流部".into(),
            received: day.and_hms_opt(9, 0, 0).unwrap(),
            first_response: true,
        },
        Content::ComplaintEscalated {
            complaint_id: 12,
            level: 1,
            summary: "冰箱送货延误".into(),
            department: "仓储物流部".into(),
            holder: Some("王伟".into()),
            received: day.and_hms_opt(9, 0, 0).unwrap(),
        },
        Content::ComplaintEscalated {
            complaint_id: 12,
            level: 2,
            summary: "冰箱送货延误".into(),
            department: "仓储物流部".into(),
            holder: None,
            received: day.and_hms_opt(9, 0, 0).unwrap(),
        },
        Content::PasswordLink {
            setup: true,
            email: "li.na@example.cn".into(),
            token: "abc".into(),
            expires: day.and_hms_opt(9, 30, 0).unwrap(),
        },
        Content::PasswordLink {
            setup: false,
            email: "li.na@example.cn".into(),
            token: "abc".into(),
            expires: day.and_hms_opt(9, 30, 0).unwrap(),
        },
    ]
}

#[test]
fn every_mail_kind_is_in_the_recipients_language_only() {
    use crate::i18n::tests::{english_words, has_chinese};
    // What a Chinese mail may hold in Latin letters: the link and the grade.
    let url = "https://appraisal.example";
    for content in every_kind() {
        let zh = render(&content, Locale::ZhCn, "李安", url);
        for text in [&zh.subject, &zh.text] {
            // The link, whose path is an address, not words, and the address mailed to.
            let text = text.replace(url, " ").replace("li.na@example.cn", " ");
            let text: String = text
                .split(' ')
                .filter(|w| !w.starts_with('/'))
                .collect::<Vec<_>>()
                .join(" ");
            let english = english_words(&text, &["B", "C"]);
            assert!(
                english.is_empty(),
                "{content:?} in zh-CN: {text}\n{english:?}"
            );
        }
        let en = render(&content, Locale::En, "Ann Lee", url);
        for text in [&en.subject, &en.text] {
            let outside_names = strip_names(text);
            assert!(
                !outside_names.contains("{ $"),
                "an argument is missing: {text}"
            );
            assert!(!has_chinese(&outside_names), "{content:?} in en: {text}");
        }
    }
}

/// An English mail quotes what people typed (names, titles, notes) as they typed it.
fn strip_names(text: &str) -> String {
    let mut rest = text.to_owned();
    for name in [
        "王伟",
        "服务礼仪检查",
        "仪容仪表",
        "工牌未佩戴",
        "文明用语",
        "请注意用语",
        "李娜",
        "旗舰店",
        "少了两份回访",
        "回访记录齐全",
        "张敏",
        "冰箱送货延误",
        "仓储物流部",
    ] {
        rest = rest.replace(name, "");
    }
    rest
}
