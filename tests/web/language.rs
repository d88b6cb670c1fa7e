//! Every page of every role, and every refusal a form can produce, read in Chinese holds no
//! English word, and read in English no Chinese character, outside what people typed (names,
//! titles, reasons), email addresses, machine codes (`employee_id`) and units. The company is
//! set up through the API with Chinese names, so whatever English a Chinese page shows came
//! from the program.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::forms::{Page, Visitor};
use crate::on_both_backends;
use crate::support::{random_text, Person, TestApp};

on_both_backends!(every_page_and_refusal_speaks_one_language);

/// What people typed: it is shown as they typed it, in either language.
const NAMES: &[&str] = &[
    // Made at start for the bootstrap account: names HR may change.
    "Human Resources",
    "HR Administrator",
    "周芳",
    "王伟",
    "李娜",
    "张敏",
    "赵磊",
    "旗舰店",
    "财务部",
    "上季度",
    "本季度",
    "服务礼仪检查",
    "仪容仪表",
    "文明用语",
    "少了两份回访",
    "态度很好",
    "重复",
    "新部门",
    "新周期",
    "新检查表",
    "新同事",
    // The Chinese values and date form an English refusal lists beside the codes, as a
    // Chinese office's sheet holds them.
    "员工, 主管, 人事",
    "英文, 中文",
    "是 / 否, 在职 / 离职",
    "YYYY年M月D日",
    "日期",
    // The department a refused people file names, as the file spells it.
    "Nowhere",
];

/// Words of Latin letters a Chinese page may hold: the switch to English, the grades HR named
/// A to D, the file format, how a date is written, and the machine values a refusal lists
/// (what a field takes, as the API spells it).
const ALLOWED: &[&str] = &[
    "English",
    "A",
    "B",
    "C",
    "D",
    "CSV",
    "XLSX",
    "GBK",
    "Excel",
    // Column names of the upload files, as the header row must spell them.
    "email",
    "amount",
    "target",
    "YYYY",
    "MM",
    "DD",
    "M",
    "true",
    "false",
    "draft",
    "open",
    "review",
    "published",
    "archived",
    "upheld",
    "rejected",
    "staff",
    "supervisor",
    "hr",
];

struct Seen {
    lang: &'static str,
    problems: Vec<String>,
}

impl Seen {
    fn check(&mut self, what: &str, page: &Page) {
        let mut text = strip_emails(&visible_text(&page.body));
        for name in NAMES {
            text = text.replace(name, " ");
        }
        if self.lang == "zh-CN" {
            let english = english_words(&text);
            if !english.is_empty() {
                self.problems
                    .push(format!("{what}: English {english:?} in:\n{text}\n"));
            }
        } else {
            // The switch to Chinese is written in Chinese.
            let rest = text.replace("中文", "");
            if rest.chars().any(is_chinese) {
                self.problems
                    .push(format!("{what}: Chinese in English:\n{text}\n"));
            }
        }
    }
}

fn is_chinese(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c)
}

/// Latin words that are neither codes (`employee_id`, `sales-targets`), nor tokens with digits
/// (`v1`, `2026`), nor allowed.
fn english_words(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| !w.contains('_') && !w.contains('-'))
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .filter(|w| !ALLOWED.contains(w))
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

fn strip_emails(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| !w.contains('@'))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a person reads on a page: its text, the document title, and the words in the
/// attributes a reader meets (labels for screen readers, placeholders, tooltips), without
/// scripts, styles and what is marked as code (column names, stored records).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let tag_end = rest[open..].find('>').map_or(rest.len(), |e| open + e + 1);
        let tag = &rest[open..tag_end];
        for attribute in ["aria-label=\"", "placeholder=\"", "title=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                out.push_str(value.split('"').next().unwrap_or(""));
                out.push(' ');
            }
        }
        rest = &rest[tag_end..];
        for skipped in ["<script", "<style", "<code"] {
            if tag.starts_with(skipped) {
                let close = format!("</{}", &skipped[1..]);
                rest = rest.find(&close).map_or("", |c| &rest[c..]);
            }
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

struct Company {
    hr: Person,
    lead: Person,
    ann: Person,
    past: i64,
    current: i64,
    store: i64,
    finance: i64,
    checklist: serde_json::Value,
    ann_appraisal: i64,
    inspection: i64,
    appeal: i64,
}

async fn person(
    app: &TestApp,
    hr: &str,
    name: &str,
    role: &str,
    dept: i64,
    manager: Option<i64>,
) -> Person {
    let email = format!("{}.{}@example.test", role, random_text(8));
    let password = random_text(14);
    let answer = app
        .post(
            "/api/v1/users",
            hr,
            json!({"email": email, "display_name": name, "role": role, "department_id": dept,
                   "manager_id": manager, "password": password, "locale": "zh-CN"}),
        )
        .await;
    Person {
        id: answer.ok(201)["id"].as_i64().unwrap(),
        email,
        password,
    }
}

async fn company(app: &TestApp) -> Company {
    let admin = app.hr_token().await;
    let store = app.department(&admin, "旗舰店", "front_line").await;
    let finance = app.department(&admin, "财务部", "back_office").await;
    let hr = person(app, &admin, "周芳", "hr", finance, None).await;
    let token = app.login(&hr.email, &hr.password).await;
    let lead = person(app, &token, "王伟", "supervisor", store, None).await;
    let ann = person(app, &token, "李娜", "staff", store, Some(lead.id)).await;
    person(app, &token, "张敏", "staff", store, Some(lead.id)).await;
    person(app, &token, "赵磊", "staff", finance, None).await;
    let today = Utc::now().date_naive();
    let day = |d: i64| (today + Duration::days(d)).to_string();
    let checklist = app
        .post(
            "/api/v1/checklists",
            &token,
            json!({"name": "服务礼仪检查", "items": [{"title": "仪容仪表", "max_points": 10},
                   {"title": "文明用语", "max_points": 10, "critical": true}]}),
        )
        .await
        .ok(201)
        .clone();
    let scores = json!([{"item_id": checklist["items"][0]["id"], "points": 8},
                        {"item_id": checklist["items"][1]["id"], "points": 9}]);
    // Last quarter: inspected, computed, published, appealed.
    let past = app
        .open_cycle(&token, "上季度", &day(-200), &day(-110))
        .await;
    let lead_token = app.login(&lead.email, &lead.password).await;
    let inspection = app
        .post(
            "/api/v1/inspections",
            &lead_token,
            json!({"employee_id": ann.id,
            "checklist_id": checklist["id"], "occurred_on": day(-150), "scores": scores,
            "comment": "态度很好"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    let state = format!("/api/v1/cycles/{past}/state");
    app.post(&state, &token, json!({"state": "review"}))
        .await
        .ok(200);
    app.post(&format!("/api/v1/cycles/{past}/compute"), &token, json!({}))
        .await
        .ok(200);
    app.post(&state, &token, json!({"state": "published"}))
        .await
        .ok(200);
    let mine = app
        .get(
            "/api/v1/me/appraisals",
            &app.login(&ann.email, &ann.password).await,
        )
        .await;
    let ann_appraisal = mine.ok(200)["items"][0]["id"].as_i64().unwrap();
    let appeal = app
        .post(
            &format!("/api/v1/appraisals/{ann_appraisal}/appeal"),
            &app.login(&ann.email, &ann.password).await,
            json!({"reason": "少了两份回访"}),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    // This quarter: open.
    let current = app.open_cycle(&token, "本季度", &day(-30), &day(30)).await;
    Company {
        hr,
        lead,
        ann,
        past,
        current,
        store,
        finance,
        checklist,
        ann_appraisal,
        inspection,
        appeal,
    }
}

async fn visitor(app: &TestApp, who: &Person, lang: &str) -> Visitor {
    let mut v = Visitor::new(&app.base);
    v.cookies.insert("sa_lang".into(), lang.into());
    let signed_in = v.sign_in(&who.email, &who.password).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    v
}

/// Posts a form of `page` (its token) and checks the answer.
async fn submit(
    seen: &mut Seen,
    v: &mut Visitor,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) {
    let token = v.token(page).await;
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    let answer = v.post(action, &all).await;
    assert!(
        answer.status.is_client_error()
            || answer.status.is_success()
            || answer.status.is_redirection(),
        "{action}: {}",
        answer.status
    );
    seen.check(
        &format!("POST {action} {fields:?} → {}", answer.status),
        &answer,
    );
}

async fn every_page_and_refusal_speaks_one_language(app: TestApp) {
    let c = company(&app).await;
    for lang in ["zh-CN", "en"] {
        let mut seen = Seen {
            lang: if lang == "zh-CN" { "zh-CN" } else { "en" },
            problems: Vec::new(),
        };
        // Signed out: the sign-in page, a refused sign-in.
        let mut anonymous = Visitor::new(&app.base);
        anonymous.cookies.insert("sa_lang".into(), lang.into());
        let page = anonymous.get("/sign-in").await;
        seen.check("GET /sign-in", &page);
        let refused = anonymous.sign_in(&c.ann.email, "not-the-password").await;
        seen.check("a refused sign-in", &refused);
        for path in ["/forgot", "/reset?token=made-up"] {
            let page = anonymous.get(path).await;
            seen.check(&format!("GET {path}"), &page);
        }

        // HR.
        let mut hr = visitor(&app, &c.hr, lang).await;
        let (past, current) = (c.past, c.current);
        for path in [
            "/hr".to_owned(),
            format!("/hr/cycles/{past}"),
            format!("/hr/cycles/{current}"),
            format!("/hr/cycles/{past}/report"),
            format!("/hr/cycles/{past}/report?department_id={}", c.store),
            "/hr/people".to_owned(),
            format!("/hr/people?department_id={}", c.finance),
            "/hr/checklists".to_owned(),
            "/appeals".to_owned(),
            "/appeals?state=all".to_owned(),
            format!("/appeals/{}", c.appeal),
            "/hr/notices".to_owned(),
            "/hr/service".to_owned(),
            format!("/hr/cycles/{past}/complaints"),
            format!("/hr/people/{}", c.ann.id),
            format!("/hr/checklists/{}", c.checklist["id"]),
            "/me/password".to_owned(),
            format!("/appraisals/{}", c.ann_appraisal),
            format!("/inspections/{}", c.inspection),
            "/me".to_owned(),
            "/no-such-page".to_owned(),
        ] {
            let page = hr.get(&path).await;
            seen.check(&format!("HR GET {path}"), &page);
        }
        let cycle_page = format!("/hr/cycles/{current}");
        let weights = [
            ("w_sales", "40"),
            ("w_satisfaction", "30"),
            ("w_etiquette", "20"),
            ("w_collaboration", "20"),
        ];
        let mut scheme: Vec<(&str, &str)> = weights.to_vec();
        scheme.extend([
            ("band_grade_0", "B"),
            ("band_min_0", "75"),
            ("band_grade_1", "A"),
            ("band_min_1", "90"),
            ("band_grade_2", "C"),
            ("band_min_2", "x"),
            ("full_marks_at", "0"),
            ("min_satisfaction", "5"),
            ("min_etiquette", "1"),
            ("min_collaboration", "3"),
        ]);
        let override_field = format!("o_{}_sales", c.finance);
        scheme.push((&override_field, "10"));
        submit(
            &mut seen,
            &mut hr,
            &cycle_page,
            &format!("{cycle_page}/scheme"),
            &scheme,
        )
        .await;
        for (state, why) in [
            ("published", "one step at a time"),
            ("sideways", "no such state"),
        ] {
            submit(
                &mut seen,
                &mut hr,
                &cycle_page,
                &format!("{cycle_page}/state"),
                &[("state", state)],
            )
            .await;
            let _ = why;
        }
        submit(
            &mut seen,
            &mut hr,
            &cycle_page,
            &format!("{cycle_page}/compute"),
            &[],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            &format!("/hr/cycles/{past}"),
            &format!("/hr/cycles/{past}/state"),
            &[("state", "archived")],
        )
        .await;
        // Editing a cycle, a checklist and a person with mistakes; a people file with bad rows.
        submit(
            &mut seen,
            &mut hr,
            &cycle_page,
            &format!("{cycle_page}/edit"),
            &[("name", ""), ("appeal_window_days", "x")],
        )
        .await;
        let checklist_page = format!("/hr/checklists/{}", c.checklist["id"]);
        submit(
            &mut seen,
            &mut hr,
            &checklist_page,
            &checklist_page,
            &[("name", ""), ("title_0", "Greeting"), ("max_0", "x")],
        )
        .await;
        let person_page = format!("/hr/people/{}", c.ann.id);
        let lead = c.lead.id.to_string();
        submit(
            &mut seen,
            &mut hr,
            &person_page,
            &person_page,
            &[
                ("display_name", ""),
                ("email", "x"),
                ("role", "staff"),
                ("manager_id", &lead),
            ],
        )
        .await;
        let token = hr.token("/hr/people").await;
        let people = "employee_number,email,display_name,role,department,manager
                      E1,not-an-email,,boss,Nowhere,E404
";
        let answer = hr
            .post_multipart(
                "/hr/people/import",
                &[("csrf", &token), ("kind", "people"), ("file", people)],
            )
            .await;
        seen.check("upload people", &answer);
        // Uploads: bad rows, a column named twice, no rows, a kind that does not exist.
        let token = hr.token(&cycle_page).await;
        let future = (Utc::now().date_naive() + Duration::days(3)).to_string();
        for (kind, file) in [
            ("sales-records", format!("employee_id,occurred_on,amount,external_ref\n{},{future},12x,R-1\n999999,2001-01-01,5,R-2\n{},2026-02-30,5,R-3\n", c.ann.id, c.hr.id)),
            ("sales-targets", format!("employee_id,cycle_id,target\n{},{past},100\n{},999999,-5\n", c.ann.id, c.ann.id)),
            ("satisfaction-responses", format!("employee_id,occurred_on,rating,channel,external_ref,extra\n{},2026-01-01,9,,X-1,1\n", c.ann.id)),
            ("sales-records", "employee_id,amount,employee_id\n1,2,3\n".to_owned()),
            ("sales-records", "employee_id,occurred_on,amount,external_ref\n".to_owned()),
            ("gifts", "a\n1\n".to_owned()),
        ] {
            let answer = hr
                .post_multipart(&format!("{cycle_page}/import"), &[("csrf", &token), ("kind", kind), ("file", &file)])
                .await;
            seen.check(&format!("upload {kind}"), &answer);
        }
        // Cycles: nothing filled in; an end before the start; a period that overlaps.
        submit(
            &mut seen,
            &mut hr,
            "/hr",
            "/hr/cycles",
            &[
                ("name", ""),
                ("period_start", "soon"),
                ("period_end", ""),
                ("appeal_window_days", "x"),
            ],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            "/hr",
            "/hr/cycles",
            &[
                ("name", "新周期"),
                ("period_start", "2027-03-01"),
                ("period_end", "2027-01-01"),
                ("appeal_window_days", "200"),
            ],
        )
        .await;
        let start = (Utc::now().date_naive() - Duration::days(5)).to_string();
        let end = (Utc::now().date_naive() + Duration::days(5)).to_string();
        submit(
            &mut seen,
            &mut hr,
            "/hr",
            "/hr/cycles",
            &[
                ("name", "本季度"),
                ("period_start", &start),
                ("period_end", &end),
            ],
        )
        .await;
        // People and departments.
        let finance = c.finance.to_string();
        submit(
            &mut seen,
            &mut hr,
            "/hr/people",
            "/hr/people",
            &[
                ("display_name", ""),
                ("email", "nobody"),
                ("role", "boss"),
                ("department_id", ""),
                ("manager_id", "x"),
                ("locale", "fr"),
                ("password", "short"),
            ],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            "/hr/people",
            "/hr/people",
            &[
                ("display_name", "新同事"),
                ("email", &c.ann.email),
                ("role", "staff"),
                ("department_id", &finance),
                ("manager_id", &c.ann.id.to_string()),
                ("locale", "zh-CN"),
                ("password", "long-enough-password"),
            ],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            "/hr/people",
            "/hr/departments",
            &[("department_name", "旗舰店"), ("kind", "front_line")],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            "/hr/people",
            "/hr/departments",
            &[("department_name", ""), ("kind", "middle")],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            "/hr/people",
            &format!("/hr/people/{}/active", c.hr.id),
            &[("active", "false")],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            "/hr/people",
            &format!("/hr/people/{}/active", c.lead.id),
            &[("active", "maybe")],
        )
        .await;
        // Checklists: no name, no points, the same item twice.
        submit(
            &mut seen,
            &mut hr,
            "/hr/checklists",
            "/hr/checklists",
            &[
                ("name", ""),
                ("title_0", "重复"),
                ("max_0", "x"),
                ("title_1", "重复"),
                ("max_1", "500"),
            ],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            "/hr/checklists",
            "/hr/checklists",
            &[("name", "新检查表")],
        )
        .await;
        // Appeals: a rejection without a note, no decision.
        let appeal = format!("/appeals/{}", c.appeal);
        submit(
            &mut seen,
            &mut hr,
            &appeal,
            &format!("{appeal}/decision"),
            &[("decision", "rejected")],
        )
        .await;
        submit(
            &mut seen,
            &mut hr,
            &appeal,
            &format!("{appeal}/decision"),
            &[("decision", "maybe")],
        )
        .await;

        // The supervisor.
        let mut lead = visitor(&app, &c.lead, lang).await;
        let form = format!("/cycles/{current}/team/{}/inspection", c.ann.id);
        for path in [
            format!("/cycles/{current}/team"),
            format!("/cycles/{past}/team"),
            form.clone(),
            format!("/appraisals/{}", c.ann_appraisal),
            format!(
                "/cycles/{current}/collaboration?department_id={}",
                c.finance
            ),
            "/me".to_owned(),
            "/hr".to_owned(),
        ] {
            let page = lead.get(&path).await;
            seen.check(&format!("supervisor GET {path}"), &page);
        }
        let (first, second) = (
            format!("points_{}", c.checklist["items"][0]["id"]),
            format!("points_{}", c.checklist["items"][1]["id"]),
        );
        let checklist_id = c.checklist["id"].to_string();
        let future = (Utc::now().date_naive() + Duration::days(2)).to_string();
        submit(
            &mut seen,
            &mut lead,
            &form,
            &form,
            &[
                ("checklist_id", &checklist_id),
                ("occurred_on", &future),
                (&first, "11"),
            ],
        )
        .await;
        submit(
            &mut seen,
            &mut lead,
            &form,
            &form,
            &[
                ("checklist_id", &checklist_id),
                ("occurred_on", "someday"),
                (&first, "x"),
                (&second, "-1"),
            ],
        )
        .await;
        let past_day = (Utc::now().date_naive() - Duration::days(150)).to_string();
        submit(
            &mut seen,
            &mut lead,
            &form,
            &form,
            &[
                ("checklist_id", &checklist_id),
                ("occurred_on", &past_day),
                (&first, "5"),
                (&second, "5"),
            ],
        )
        .await;
        let appraisal = format!("/appraisals/{}", c.ann_appraisal);
        submit(
            &mut seen,
            &mut lead,
            &appraisal,
            &format!("{appraisal}/review"),
            &[("comment", "态度很好")],
        )
        .await;

        // The employee.
        let mut ann = visitor(&app, &c.ann, lang).await;
        for path in [
            "/me".to_owned(),
            format!("/appraisals/{}", c.ann_appraisal),
            format!("/inspections/{}", c.inspection),
            format!("/cycles/{current}/collaboration"),
            format!("/cycles/{current}/collaboration?department_id={}", c.store),
            format!(
                "/cycles/{current}/collaboration?department_id={}",
                c.finance
            ),
            format!("/cycles/{past}/collaboration"),
            "/hr/people".to_owned(),
            "/team".to_owned(),
        ] {
            let page = ann.get(&path).await;
            seen.check(&format!("staff GET {path}"), &page);
        }
        let rate = format!("/cycles/{current}/collaboration");
        let lead_id = c.lead.id.to_string();
        submit(
            &mut seen,
            &mut ann,
            &rate,
            &rate,
            &[("ratee_id", &lead_id), ("rating", "4")],
        )
        .await;
        submit(
            &mut seen,
            &mut ann,
            &rate,
            &rate,
            &[("ratee_id", ""), ("rating", "9")],
        )
        .await;
        let past_rate = format!("/cycles/{past}/collaboration");
        submit(
            &mut seen,
            &mut ann,
            &past_rate,
            &past_rate,
            &[("ratee_id", &lead_id), ("rating", "4")],
        )
        .await;
        submit(
            &mut seen,
            &mut ann,
            "/me",
            &format!("{appraisal}/appeal"),
            &[("reason", "   ")],
        )
        .await;
        submit(
            &mut seen,
            &mut ann,
            "/me",
            &format!("{appraisal}/acknowledge"),
            &[],
        )
        .await;
        submit(
            &mut seen,
            &mut ann,
            "/me/password",
            "/me/password",
            &[
                ("current_password", "not-the-password"),
                ("new_password", "a-new-password-1"),
                ("repeat_password", "another-password-2"),
            ],
        )
        .await;

        assert!(
            seen.problems.is_empty(),
            "{} pages or answers not in {lang}:\n{}",
            seen.problems.len(),
            seen.problems.join("\n")
        );
    }
}
