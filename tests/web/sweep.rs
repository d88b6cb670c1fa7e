//! Every page of every role, in both languages, on the sample company: at 375 px wide no
//! page scrolls sideways (`scrollWidth ≤ innerWidth`; wide tables scroll inside their own
//! box), and axe-core (from npm, `tests/web/axe`, injected into each page) finds nothing of
//! impact critical or serious, at desktop width and at 375 px, a refused form included. The report of every page
//! checked is kept in `target/axe-report-<backend>.json`; screenshots of the main pages
//! (desktop and 375 px, both languages) in `target/screenshots/`.

use std::io::Write;
use std::path::PathBuf;

use appraisal::db::Db;
use appraisal::sample::{seed, SAMPLE_PASSWORD};
use serde_json::{json, Value};

use crate::driver::{target_dir, Browser};
use crate::on_both_backends;
use crate::support::{test_settings, TestApp};

on_both_backends!(every_page_fits_a_phone_and_passes_axe);

const PHONE: u32 = 375;
const DESKTOP: u32 = 1280;

/// axe-core's script, installed by `npm ci --prefix tests/web/axe` (.ci/run does); None
/// with a notice where it is not installed and this is not CI.
pub(crate) fn axe_script() -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/web/axe/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(script) => Some(script),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("{} is missing: .ci/run installs it", path.display())
        }
        Err(_) => {
            let _ = writeln!(
                std::io::stderr(),
                "notice: axe-core not installed; the accessibility check is skipped \
                 (npm ci --prefix tests/web/axe)"
            );
            None
        }
    }
}

/// axe-core's violations on the page shown, each as `{id, impact, help, targets}`.
pub(crate) async fn axe(b: &Browser, script: &str) -> Vec<Value> {
    b.script(script, vec![]).await;
    let found = b
        .script_async(
            "var done = arguments[arguments.length - 1];\
             axe.run(document, { resultTypes: ['violations'] }).then(function (r) {\
               done(r.violations.map(function (v) {\
                 return { id: v.id, impact: v.impact, help: v.help,\
                   targets: v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); }) };\
               }));\
             }, function (e) { done([{ id: 'axe-error', impact: 'critical', help: String(e), targets: [] }]); });",
            vec![],
        )
        .await;
    found
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("axe answered {found}"))
}

/// How far the page reaches past the window's width (0: it fits), and the widest element
/// that sticks out, to say what to fix.
async fn overflow(b: &Browser) -> (i64, String) {
    let found = b
        .script(
            "var d = document.documentElement, w = window.innerWidth, worst = '', most = 0;\
             document.querySelectorAll('body *').forEach(function (e) {\
               var r = e.getBoundingClientRect();\
               if (r.right - w > most) {\
                 var inScroller = false;\
                 for (var p = e.parentElement; p; p = p.parentElement) {\
                   var o = getComputedStyle(p).overflowX;\
                   if (o === 'auto' || o === 'scroll' || o === 'hidden') { inScroller = true; break; }\
                 }\
                 if (!inScroller) { most = r.right - w;\
                   worst = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +\
                     (e.className && e.className.baseVal === undefined ? '.' + e.className : ''); }\
               }\
             });\
             return [d.scrollWidth - w, worst];",
            vec![],
        )
        .await;
    (
        found[0].as_i64().unwrap_or(0),
        found[1].as_str().unwrap_or("").to_owned(),
    )
}

/// Chart labels a phone shows smaller than 10 px (an SVG drawn wider than the screen shrinks
/// its text with it): each as "text: size".
async fn small_chart_text(b: &Browser) -> Vec<String> {
    let found = b
        .script(
            "return Array.from(document.querySelectorAll('svg text')).map(function (t) {\
               var ctm = t.getScreenCTM();\
               var px = parseFloat(getComputedStyle(t).fontSize) * (ctm ? ctm.a : 1);\
               return [t.textContent, px];\
             }).filter(function (x) { return x[1] < 10; })\
               .map(function (x) { return x[0] + ': ' + x[1].toFixed(1) + 'px'; });",
            vec![],
        )
        .await;
    serde_json::from_value(found).unwrap_or_default()
}

/// The password page, visited to be refused: its form sent with two new passwords that
/// differ, so the page comes back with the reason and the field marked.
const REFUSED: &str = "/me/password?refused";

async fn refuse_a_form(b: &Browser) {
    b.fill("#current-password", "not-the-password").await;
    b.fill("#new-password", "a-new-password-1").await;
    b.fill("#repeat-password", "a-new-password-2").await;
    b.submit("#change-password-button").await;
    b.find("#problem").await;
    b.find("#repeat-password[aria-invalid='true'][aria-describedby='problem']")
        .await;
}

struct Role {
    name: &'static str,
    email: String,
    pages: Vec<String>,
}

async fn id(app: &TestApp, token: &str, path: &str, pick: impl Fn(&Value) -> bool) -> i64 {
    let list = app.get(path, token).await;
    list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| pick(x))
        .unwrap_or_else(|| panic!("nothing fits in {path}"))["id"]
        .as_i64()
        .unwrap()
}

/// The pages of each role on the sample company, and a customer's status page.
async fn roles(app: &TestApp) -> (Vec<Role>, String) {
    let hr = app.login("hr@sample.example", SAMPLE_PASSWORD).await;
    let open = id(app, &hr, "/api/v1/cycles", |c| c["state"] == "open").await;
    let past = id(app, &hr, "/api/v1/cycles", |c| c["state"] == "published").await;
    // Wang Wei: staff with an open appeal; their supervisor; one of their inspections.
    let wang = id(app, &hr, "/api/v1/users?q=wang.wei&limit=5", |_| true).await;
    let person = app.get(&format!("/api/v1/users/{wang}"), &hr).await;
    let person = person.ok(200).clone();
    let lead = person["manager_id"].as_i64().unwrap();
    let lead_email = app.get(&format!("/api/v1/users/{lead}"), &hr).await.ok(200)["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let appraisal = id(
        app,
        &hr,
        &format!("/api/v1/cycles/{past}/appraisals"),
        |a| a["employee_id"] == wang,
    )
    .await;
    let inspection = id(
        app,
        &hr,
        &format!("/api/v1/inspections?employee_id={wang}&cycle_id={open}"),
        |_| true,
    )
    .await;
    let other_department = id(app, &hr, "/api/v1/departments", |d| {
        d["id"] != person["department_id"] && d["kind"] == "front_line"
    })
    .await;
    let appeal = id(app, &hr, "/api/v1/appeals?state=open", |_| true).await;
    // A complaint Wang Wei holds, handed to him by HR.
    let complaint = app
        .post(
            "/api/v1/complaints",
            &hr,
            json!({"channel": "phone", "summary": "退货款一周未到账，客户第三次来电",
                   "department_id": person["department_id"], "employee_id": wang}),
        )
        .await;
    let status_page = complaint.ok(201)["status_url"].as_str().unwrap().to_owned();
    let complaint = complaint.ok(201)["id"].as_i64().unwrap();
    // A cycle in review as well, so that drafts to review and their forms are checked.
    let review = app
        .open_cycle(&hr, "2026 Q2", "2026-04-01", "2026-06-30")
        .await;
    app.review_and_compute(&hr, review).await;
    let checklist = id(app, &hr, "/api/v1/checklists", |_| true).await;
    let roles = vec![
        Role {
            name: "staff",
            email: "wang.wei@sample.example".into(),
            pages: vec![
                "/me".into(),
                format!("/appraisals/{appraisal}"),
                format!("/inspections/{inspection}"),
                format!("/cycles/{open}/collaboration"),
                format!("/cycles/{open}/collaboration?department_id={other_department}"),
                "/complaints".into(),
                format!("/complaints/{complaint}"),
                "/me/password".into(),
                REFUSED.into(),
            ],
        },
        Role {
            name: "supervisor",
            email: lead_email,
            pages: vec![
                format!("/cycles/{open}/team"),
                format!("/cycles/{past}/team"),
                format!("/cycles/{open}/team/{wang}/inspection"),
                format!("/cycles/{review}/team"),
                format!("/appraisals/{appraisal}"),
                format!("/inspections/{inspection}"),
                "/complaints?held=true".into(),
                "/complaints?escalated=true".into(),
                format!("/complaints/{complaint}"),
                "/me".into(),
            ],
        },
        Role {
            name: "hr",
            email: "hr@sample.example".into(),
            pages: vec![
                "/hr".into(),
                format!("/hr/cycles/{open}"),
                format!("/hr/cycles/{open}/scheme"),
                format!("/hr/cycles/{open}/edit"),
                format!("/hr/cycles/{past}"),
                format!("/hr/cycles/{past}/report"),
                format!("/hr/cycles/{review}"),
                format!("/cycles/{review}/team"),
                "/hr/people".into(),
                format!("/hr/people/{wang}"),
                "/hr/checklists".into(),
                format!("/hr/checklists/{checklist}"),
                "/appeals".into(),
                format!("/appeals/{appeal}"),
                "/hr/notices".into(),
                "/hr/service".into(),
                format!("/hr/cycles/{past}/complaints"),
                "/complaints".into(),
                format!("/complaints/{complaint}"),
                format!("/appraisals/{appraisal}"),
            ],
        },
    ];
    (roles, status_page)
}

/// The main pages photographed (desktop and phone, both languages): a role's page by its
/// place in the role's list.
fn photographed(role: &str, index: usize) -> Option<&'static str> {
    match (role, index) {
        ("staff", 0) => Some("staff-me"),
        ("supervisor", 0) => Some("supervisor-team"),
        ("supervisor", 2) => Some("supervisor-inspection"),
        ("hr", 0) => Some("hr-dashboard"),
        ("hr", 1) => Some("hr-cycle"),
        _ => None,
    }
}

async fn sign_in(b: &Browser, app: &TestApp, email: &str) {
    b.goto(&format!("{}/sign-in", app.base)).await;
    b.fill("#email", email).await;
    b.fill("#password", SAMPLE_PASSWORD).await;
    b.submit("#sign-in-button").await;
    b.find("#sign-out").await;
}

async fn every_page_fits_a_phone_and_passes_axe(app: TestApp) {
    let settings = test_settings(&app.database.url());
    let db = Db::connect(&settings.database).unwrap();
    seed(&mut db.get().unwrap(), chrono::Utc::now().date_naive()).unwrap();
    let (roles, status_page) = roles(&app).await;
    let Some(b) = Browser::start().await else {
        return;
    };
    let axe_script = axe_script();
    let backend = if app.database.url().starts_with("sqlite") {
        "sqlite"
    } else {
        "postgres"
    };
    let photos = backend == "sqlite";
    let mut report = Vec::new();
    let mut failures = Vec::new();
    let mut visit =
        |role: &str, lang: &str, page: &str, width: u32, found: Vec<Value>, wide: (i64, String)| {
            let grave = |v: &&Value| v["impact"] == "critical" || v["impact"] == "serious";
            for v in found.iter().filter(grave) {
                failures.push(format!(
                    "{role} {lang} {page} @{width}px: axe {} ({}): {} at {:?}",
                    v["id"], v["impact"], v["help"], v["targets"]
                ));
            }
            if wide.0 > 0 {
                failures.push(format!(
                    "{role} {lang} {page} @{width}px: {} px too wide ({})",
                    wide.0, wide.1
                ));
            }
            report.push(
                json!({"role": role, "lang": lang, "page": page, "width": width,
                           "violations": found, "overflow_px": wide.0}),
            );
        };
    let public = vec![
        "/sign-in".to_owned(),
        "/forgot".to_owned(),
        "/reset?token=unknown".to_owned(),
        status_page,
    ];
    let visitors = std::iter::once(("public", public, None)).chain(
        roles
            .iter()
            .map(|r| (r.name, r.pages.clone(), Some(r.email.clone()))),
    );
    for (who, pages, email) in visitors {
        if let Some(email) = &email {
            sign_in(&b, &app, email).await;
        }
        for lang in ["en", "zh-CN"] {
            b.goto(&format!("{}/lang/{lang}?back=/", app.base)).await;
            for (index, page) in pages.iter().enumerate() {
                for width in [DESKTOP, PHONE] {
                    b.resize(width, 900).await;
                    b.goto(&format!("{}{page}", app.base)).await;
                    if page == REFUSED {
                        refuse_a_form(&b).await;
                    }
                    b.find(&format!("html[lang='{lang}'] main h1")).await;
                    // Every page: a skip link to its content; the role's home page says
                    // which section of the menu it is.
                    assert!(b.exists("a.skip[href='#main']").await && b.exists("main#main").await);
                    if index == 0 && email.is_some() {
                        assert!(
                            !b.text("nav.main a[aria-current='page']").await.is_empty(),
                            "{page}"
                        );
                    }
                    let found = match &axe_script {
                        Some(script) => axe(&b, script).await,
                        None => Vec::new(),
                    };
                    let wide = if width == PHONE {
                        let tiny = small_chart_text(&b).await;
                        assert!(
                            tiny.is_empty(),
                            "{page} ({lang}, phone): chart text {tiny:?}"
                        );
                        overflow(&b).await
                    } else {
                        (0, String::new())
                    };
                    visit(who, lang, page, width, found, wide);
                    if let (true, Some(name)) = (photos, photographed(who, index)) {
                        let size = if width == PHONE { "phone" } else { "desktop" };
                        b.screenshot(&format!("{name}-{size}-{lang}")).await;
                    }
                }
            }
        }
        b.resize(DESKTOP, 900).await;
        if email.is_some() {
            b.submit("#sign-out").await;
        }
    }
    let dir = target_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("axe-report-{backend}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    let _ = writeln!(
        std::io::stderr(),
        "sweep ({backend}): {} page views checked ({} with axe), report in {}",
        report.len(),
        if axe_script.is_some() {
            report.len()
        } else {
            0
        },
        path.display()
    );
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
    b.quit().await;
}
