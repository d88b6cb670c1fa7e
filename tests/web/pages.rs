//! The pages' rules, form by form, without a browser: CSRF, cookies, sign-in and lockout,
//! and role and data scope (the same answers as the API: 403 for a function, 404 for
//! another person's data).

use serde_json::json;

use crate::forms::Visitor;
use crate::support::{Person, TestApp};
use crate::{department_names, on_both_backends};

on_both_backends!(
    forms_without_our_token_or_origin_are_refused,
    the_session_cookie_is_httponly_samesite_strict_and_ends_at_sign_out,
    page_sign_in_follows_the_api_lockout,
    a_deactivated_person_is_signed_out_at_once,
    every_form_needs_the_token_of_its_page,
    staff_and_supervisors_see_only_their_scope,
    places_to_return_to_never_lead_to_another_site,
    an_appeal_about_a_missing_target_is_resolved_on_its_page,
    a_supervisor_reviews_several_drafts_at_once,
);

/// What browsers would resolve to another origin, or what cannot go into a header, as
/// sent in a query string: tabs and line breaks (dropped by browsers), backslashes (read as
/// `/`), other control characters, and plain other sites.
const HOSTILE_RETURNS: &[&str] = &[
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "/%0aX",
    "/%0d%0aSet-Cookie:%20x=1",
    "/%0b/x",
    "/%0c/x",
    "/%7f/x",
    "/%00/x",
    "/%5C/evil.example",
    "/%5C%5Cevil.example",
    "%5C%5Cevil.example",
    "//evil.example",
    "/%2F/evil.example",
    "%09//evil.example",
    "https://evil.example/",
    "/%E3%80%80/evil.example",
    "/%C2%85/evil.example",
    "/%20/evil.example",
];

async fn places_to_return_to_never_lead_to_another_site(app: TestApp) {
    let mut visitor = Visitor::new(&app.base);
    for hostile in HOSTILE_RETURNS {
        let answer = visitor.get(&format!("/lang/en?back={hostile}")).await;
        assert_eq!(answer.status, 303, "{hostile}: {}", answer.body);
        assert_eq!(answer.location.as_deref(), Some("/"), "{hostile}");
    }
    let kept = visitor.get("/lang/zh-CN?back=/me%3Fx%3D1").await;
    assert_eq!(kept.location.as_deref(), Some("/me?x=1"));

    // The sign-in form's `next`, decoded as a form field.
    let hr = (app.hr_email.clone(), app.hr_password.clone());
    for hostile in HOSTILE_RETURNS {
        let next = percent_decoded(hostile);
        let mut wary = Visitor::new(&app.base);
        let token = wary.token("/sign-in").await;
        let landed = wary
            .post(
                "/sign-in",
                &[
                    ("csrf", &token),
                    ("email", &hr.0),
                    ("password", &hr.1),
                    ("next", &next),
                ],
            )
            .await;
        assert_eq!(landed.status, 303, "{hostile}: {}", landed.body);
        assert_eq!(landed.location.as_deref(), Some("/hr"), "{hostile}");
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn forms_without_our_token_or_origin_are_refused(app: TestApp) {
    let mut hr = Visitor::new(&app.base);
    let landed = hr.sign_in(&app.hr_email, &app.hr_password).await;
    assert_eq!(landed.status, 303);
    assert_eq!(landed.location.as_deref(), Some("/hr"));
    let token = hr.token("/hr/people").await;
    let mut other = Visitor::new(&app.base);
    other.sign_in(&app.hr_email, &app.hr_password).await;
    let foreign = other.token("/hr/people").await;
    assert_ne!(token, foreign, "tokens belong to one browser and session");

    let base = app.base.clone();
    let cases: [(&str, Option<&str>, (&str, &str)); 6] = [
        ("no token", None, ("origin", &base)),
        ("another browser's token", Some(&foreign), ("origin", &base)),
        ("a made-up token", Some("AAAA"), ("origin", &base)),
        (
            "another origin",
            Some(&token),
            ("origin", "http://evil.example"),
        ),
        ("an opaque origin", Some(&token), ("origin", "null")),
        (
            "a cross-site fetch",
            Some(&token),
            ("sec-fetch-site", "cross-site"),
        ),
    ];
    for (case, csrf, header) in cases {
        let mut fields = vec![("department_name", "Forged"), ("kind", "front_line")];
        if let Some(csrf) = csrf {
            fields.push(("csrf", csrf));
        }
        let answer = hr.post_with("/hr/departments", &fields, &[header]).await;
        assert_eq!(answer.status, 403, "{case}");
        assert!(
            answer.body.contains("Not allowed"),
            "{case}: an HTML page says why"
        );
    }
    assert!(!department_names(&app).await.contains(&"Forged".to_owned()));

    // Sign-in is a form too: without the token it is refused before any password check.
    let mut stranger = Visitor::new(&app.base);
    stranger.get("/sign-in").await;
    let answer = stranger
        .post(
            "/sign-in",
            &[("email", &app.hr_email), ("password", &app.hr_password)],
        )
        .await;
    assert_eq!(answer.status, 403);
    assert!(!stranger.cookies.contains_key("sa_session"));

    // Behind a proxy that does not pass the public host on, the configured public address
    // (`server.public_url`, here the default) is our origin too.
    let answer = hr
        .post_with(
            "/hr/departments",
            &[
                ("csrf", &token),
                ("department_name", "Via proxy"),
                ("kind", "back_office"),
            ],
            &[("origin", "http://127.0.0.1:8080")],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);

    // The genuine form, from the same browser, works (so the refusals above are the guard).
    let answer = hr
        .post(
            "/hr/departments",
            &[
                ("csrf", &token),
                ("department_name", "Genuine"),
                ("kind", "back_office"),
            ],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(department_names(&app).await.contains(&"Genuine".to_owned()));
}

async fn the_session_cookie_is_httponly_samesite_strict_and_ends_at_sign_out(app: TestApp) {
    let mut plain = Visitor::new(&app.base);
    let first = plain.get("/sign-in").await;
    let csp = first
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("form-action 'self'") && csp.contains("frame-ancestors 'none'"));
    plain.sign_in(&app.hr_email, &app.hr_password).await;
    let session = plain
        .set_cookies
        .iter()
        .find(|c| c.starts_with("sa_session="))
        .expect("a session cookie")
        .clone();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Strict")
            && session.contains("Path=/"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "plain http: no Secure flag");
    let nonce = plain
        .set_cookies
        .iter()
        .find(|c| c.starts_with("sa_nonce="))
        .unwrap();
    assert!(
        nonce.contains("HttpOnly") && nonce.contains("SameSite=Strict"),
        "{nonce}"
    );

    // Behind a TLS-terminating proxy the cookies are Secure.
    let mut tls = Visitor::new(&app.base);
    let token = tls.token("/sign-in").await;
    tls.post_with(
        "/sign-in",
        &[
            ("csrf", &token),
            ("email", &app.hr_email),
            ("password", &app.hr_password),
        ],
        &[("x-forwarded-proto", "https")],
    )
    .await;
    let session = tls
        .set_cookies
        .iter()
        .find(|c| c.starts_with("sa_session="))
        .unwrap();
    assert!(session.contains("Secure"), "{session}");

    // Sign-out forgets the session in this browser; pages then send to the sign-in page.
    assert_eq!(plain.get("/hr").await.status, 200);
    let token = plain.token("/hr").await;
    let out = plain.post("/sign-out", &[("csrf", &token)]).await;
    assert_eq!(out.location.as_deref(), Some("/sign-in"));
    assert!(!plain.cookies.contains_key("sa_session"));
    let after = plain.get("/me").await;
    assert_eq!(after.status, 303);
    assert_eq!(after.location.as_deref(), Some("/sign-in?next=/me"));

    // A session cookie that is not ours is dropped, not trusted.
    let mut forger = Visitor::new(&app.base);
    forger
        .cookies
        .insert("sa_session".into(), "eyJhbGciOiJub25lIn0.e30.".into());
    let answer = forger.get("/hr").await;
    assert_eq!(answer.status, 303);
    assert!(!forger.cookies.contains_key("sa_session"));
}

async fn page_sign_in_follows_the_api_lockout(app: TestApp) {
    let hr = app.hr_token().await;
    let dept = app.department(&hr, "Store", "front_line").await;
    let staff = app.user(&hr, "staff", dept, None).await;
    let mut v = Visitor::new(&app.base);
    for _ in 0..5 {
        let answer = v.sign_in(&staff.email, "not-the-password").await;
        assert_eq!(answer.status, 401);
        assert!(answer.body.contains("Invalid email or password"));
    }
    let locked = v.sign_in(&staff.email, &staff.password).await;
    assert_eq!(locked.status, 429, "locked even with the right password");
    assert!(!v.cookies.contains_key("sa_session"));
    app.try_login(&staff.email, &staff.password)
        .await
        .problem(429);
    // An unknown email gets the same answer as a wrong password.
    let unknown = v.sign_in("nobody@example.test", "whatever-password").await;
    assert_eq!(unknown.status, 401);
    assert!(unknown.body.contains("Invalid email or password"));
}

struct Company {
    cycle: i64,
    lead: Person,
    ann: Person,
    ben: Person,
    other_lead: Person,
    cara: Person,
    appraisal: std::collections::HashMap<i64, i64>,
    inspection: std::collections::HashMap<i64, i64>,
}

/// Two teams with published appraisals and an inspection each, set up through the API.
async fn company(app: &TestApp) -> Company {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let desk = app.department(&hr, "Desk", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let ann = app.user(&hr, "staff", store, Some(lead.id)).await;
    let ben = app.user(&hr, "staff", store, Some(lead.id)).await;
    let other_lead = app.user(&hr, "supervisor", desk, None).await;
    let cara = app.user(&hr, "staff", desk, Some(other_lead.id)).await;
    let cycle = app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    let state = format!("/api/v1/cycles/{cycle}/state");
    let checklist = app
        .post(
            "/api/v1/checklists",
            &hr,
            json!({"name": "Floor", "items": [{"title": "Greeting", "max_points": 5}]}),
        )
        .await
        .ok(201)
        .clone();
    let mut inspection = std::collections::HashMap::new();
    for (inspector, who) in [(&lead, &ann), (&lead, &ben), (&other_lead, &cara)] {
        let token = app.login(&inspector.email, &inspector.password).await;
        let created = app
            .post("/api/v1/inspections", &token, json!({"employee_id": who.id, "checklist_id": checklist["id"],
                "occurred_on": "2026-02-01", "scores": [{"item_id": checklist["items"][0]["id"], "points": 4}]}))
            .await;
        inspection.insert(who.id, created.ok(201)["id"].as_i64().unwrap());
    }
    app.post(&state, &hr, json!({"state": "review"}))
        .await
        .ok(200);
    app.post(&format!("/api/v1/cycles/{cycle}/compute"), &hr, json!({}))
        .await
        .ok(200);
    app.post(&state, &hr, json!({"state": "published"}))
        .await
        .ok(200);
    let list = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await;
    let appraisal = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["employee_id"].as_i64().unwrap(),
                a["id"].as_i64().unwrap(),
            )
        })
        .collect();
    Company {
        cycle,
        lead,
        ann,
        ben,
        other_lead,
        cara,
        appraisal,
        inspection,
    }
}

async fn status_of(v: &mut Visitor, path: &str) -> u16 {
    v.get(path).await.status.as_u16()
}

async fn staff_and_supervisors_see_only_their_scope(app: TestApp) {
    let c = company(&app).await;
    let mut ann = Visitor::new(&app.base);
    ann.sign_in(&c.ann.email, &c.ann.password).await;
    let cycle = c.cycle;

    // Staff: their own rating and inspection; nobody else's; no supervisor or HR page.
    let me = ann.get("/me").await;
    assert_eq!(me.status, 200);
    assert!(me.body.contains("id=\"total\""));
    // Responsiveness has no weight here: no row says it is missing.
    assert!(me.body.contains("data-component=\"sales\""));
    assert!(!me.body.contains("data-component=\"responsiveness\""));
    assert_eq!(
        status_of(&mut ann, &format!("/appraisals/{}", c.appraisal[&c.ann.id])).await,
        200
    );
    assert_eq!(
        status_of(
            &mut ann,
            &format!("/inspections/{}", c.inspection[&c.ann.id])
        )
        .await,
        200
    );
    for other in [c.ben.id, c.cara.id] {
        let page = ann
            .get(&format!("/appraisals/{}", c.appraisal[&other]))
            .await;
        assert_eq!(page.status, 404);
        assert!(page.body.contains("Not found"));
        assert_eq!(
            status_of(&mut ann, &format!("/inspections/{}", c.inspection[&other])).await,
            404
        );
    }
    for page in [
        format!("/cycles/{cycle}/team"),
        format!("/cycles/{cycle}/team/{}/inspection", c.ben.id),
        "/hr".to_owned(),
        format!("/hr/cycles/{cycle}/report"),
        "/hr/people".to_owned(),
        "/appeals".to_owned(),
        "/hr/notices".to_owned(),
        "/hr/service".to_owned(),
        "/hr/service/template.csv".to_owned(),
        format!("/hr/cycles/{cycle}/complaints"),
    ] {
        let answer = ann.get(&page).await;
        assert_eq!(answer.status, 403, "{page}");
        assert!(answer.body.contains("Not allowed"), "{page}");
    }
    let token = ann.token("/me").await;
    let review = ann
        .post(
            &format!("/appraisals/{}/review", c.appraisal[&c.ben.id]),
            &[("csrf", &token), ("comment", "x")],
        )
        .await;
    assert_eq!(review.status, 403, "staff may not review");

    // Supervisor: their reports, not another team's; no HR page.
    let mut lead = Visitor::new(&app.base);
    lead.sign_in(&c.lead.email, &c.lead.password).await;
    let team = lead.get(&format!("/cycles/{cycle}/team")).await;
    assert_eq!(team.status, 200);
    assert!(team
        .body
        .contains(&format!("data-employee=\"{}\"", c.ben.id)));
    assert!(!team
        .body
        .contains(&format!("data-employee=\"{}\"", c.cara.id)));
    assert_eq!(
        status_of(
            &mut lead,
            &format!("/appraisals/{}", c.appraisal[&c.ben.id])
        )
        .await,
        200
    );
    assert_eq!(
        status_of(
            &mut lead,
            &format!("/appraisals/{}", c.appraisal[&c.cara.id])
        )
        .await,
        404
    );
    assert_eq!(
        status_of(
            &mut lead,
            &format!("/inspections/{}", c.inspection[&c.cara.id])
        )
        .await,
        404
    );
    assert_eq!(
        status_of(
            &mut lead,
            &format!("/cycles/{cycle}/team/{}/inspection", c.cara.id)
        )
        .await,
        404
    );
    assert_eq!(
        status_of(
            &mut lead,
            &format!("/cycles/{cycle}/team/{}/inspection", c.ben.id)
        )
        .await,
        200
    );
    assert_eq!(status_of(&mut lead, "/hr").await, 403);
    assert_eq!(status_of(&mut lead, "/hr/service").await, 403);
    assert_eq!(
        status_of(&mut lead, &format!("/hr/cycles/{cycle}/complaints")).await,
        403
    );
    let token = lead.token("/complaints").await;
    let robot = lead
        .post(
            "/hr/service/robots/1",
            &[
                ("csrf", &token),
                ("platform", "wecom"),
                (
                    "webhook_url",
                    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
                ),
            ],
        )
        .await;
    assert_eq!(robot.status, 403, "a supervisor may not set a robot");
    let mut other = Visitor::new(&app.base);
    other
        .sign_in(&c.other_lead.email, &c.other_lead.password)
        .await;
    assert_eq!(
        status_of(
            &mut other,
            &format!("/appraisals/{}", c.appraisal[&c.ann.id])
        )
        .await,
        404
    );

    // Not signed in: every page leads to the sign-in page, which returns there afterwards.
    let mut anonymous = Visitor::new(&app.base);
    let answer = anonymous
        .get(&format!("/appraisals/{}", c.appraisal[&c.ann.id]))
        .await;
    assert_eq!(answer.status, 303);
    let back = answer.location.unwrap();
    assert!(back.starts_with("/sign-in?next="), "{back}");
    let form = anonymous.get(&back).await;
    let (token, next) = (form.csrf(), form.field("next"));
    let landed = anonymous
        .post(
            "/sign-in",
            &[
                ("csrf", &token),
                ("email", &c.ann.email),
                ("password", &c.ann.password),
                ("next", &next),
            ],
        )
        .await;
    assert_eq!(
        landed.location,
        Some(format!("/appraisals/{}", c.appraisal[&c.ann.id]))
    );
    // ... but never to another site.
    let mut wary = Visitor::new(&app.base);
    let token = wary.token("/sign-in?next=//evil.example/").await;
    let landed = wary
        .post(
            "/sign-in",
            &[
                ("csrf", &token),
                ("email", &c.ann.email),
                ("password", &c.ann.password),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(landed.location.as_deref(), Some("/me"));
}

async fn a_deactivated_person_is_signed_out_at_once(app: TestApp) {
    let hr_api = app.hr_token().await;
    let dept = app.department(&hr_api, "Store", "front_line").await;
    let staff = app.user(&hr_api, "staff", dept, None).await;
    let mut employee = Visitor::new(&app.base);
    employee.sign_in(&staff.email, &staff.password).await;
    assert_eq!(employee.get("/me").await.status, 200);

    let mut hr = Visitor::new(&app.base);
    hr.sign_in(&app.hr_email, &app.hr_password).await;
    let token = hr.token("/hr/people").await;
    let path = format!("/hr/people/{}/active", staff.id);
    let done = hr
        .post(&path, &[("csrf", &token), ("active", "false")])
        .await;
    assert_eq!(done.location.as_deref(), Some("/hr/people?ok=saved"));
    let after = employee.get("/me").await;
    assert_eq!(after.status, 303, "the open session ends with the account");
    assert!(!employee.cookies.contains_key("sa_session"));

    // HR cannot lock themselves out from the page either (the store's rule).
    let me = app.get("/api/v1/me", &hr_api).await.ok(200)["id"]
        .as_i64()
        .unwrap();
    let own = hr
        .post(
            &format!("/hr/people/{me}/active"),
            &[("csrf", &token), ("active", "false")],
        )
        .await;
    assert_eq!(own.status, 409);
    assert!(
        own.body.contains("another HR account"),
        "the reason is shown"
    );
    assert_eq!(hr.get("/hr").await.status, 200);
}

type Form<'a> = (u8, String, Vec<(&'a str, String)>);

/// Every form of the pages (each POST route), sent by a role that may use it: refused
/// (403) without the page's token, and not refused for that reason with it.
async fn every_form_needs_the_token_of_its_page(app: TestApp) {
    let c = company(&app).await;
    let (cycle, mine, bens) = (c.cycle, c.appraisal[&c.ann.id], c.appraisal[&c.ben.id]);
    let mut staff = Visitor::new(&app.base);
    staff.sign_in(&c.ann.email, &c.ann.password).await;
    let mut lead = Visitor::new(&app.base);
    lead.sign_in(&c.lead.email, &c.lead.password).await;
    let mut hr = Visitor::new(&app.base);
    hr.sign_in(&app.hr_email, &app.hr_password).await;
    let ann = c.ann.id.to_string();
    // (who sends it: 0 staff, 1 supervisor, 2 HR, 3 nobody signed in; path; fields)
    let cases: [Form; 26] = [
        (0, format!("/appraisals/{mine}/acknowledge"), vec![]),
        (
            0,
            format!("/appraisals/{mine}/appeal"),
            vec![("reason", "Please look again".into())],
        ),
        (
            0,
            format!("/cycles/{cycle}/collaboration"),
            vec![("ratee_id", c.cara.id.to_string()), ("rating", "4".into())],
        ),
        (
            1,
            format!("/appraisals/{bens}/review"),
            vec![("comment", "Fine".into())],
        ),
        (
            1,
            format!("/cycles/{cycle}/team/{ann}/inspection"),
            vec![
                ("checklist_id", "1".into()),
                ("occurred_on", "2026-02-02".into()),
            ],
        ),
        (
            2,
            "/hr/cycles".into(),
            vec![
                ("name", "Q2".into()),
                ("period_start", "2026-04-01".into()),
                ("period_end", "2026-06-30".into()),
            ],
        ),
        (
            2,
            format!("/hr/cycles/{cycle}/scheme"),
            vec![("w_sales", "100".into())],
        ),
        (2, format!("/hr/cycles/{cycle}/compute"), vec![]),
        (
            2,
            "/hr/people".into(),
            vec![
                ("display_name", "New Person".into()),
                ("email", "new.person@example.test".into()),
            ],
        ),
        (
            2,
            format!("/hr/people/{}/active", c.ben.id),
            vec![("active", "true".into())],
        ),
        (
            2,
            "/hr/departments".into(),
            vec![
                ("department_name", "Kiosk".into()),
                ("kind", "front_line".into()),
            ],
        ),
        (
            2,
            "/hr/checklists".into(),
            vec![
                ("name", "Phone".into()),
                ("title_0", "Greeting".into()),
                ("max_0", "5".into()),
            ],
        ),
        (
            1,
            format!("/cycles/{cycle}/team/review"),
            vec![("appraisal", bens.to_string())],
        ),
        (2, "/hr/people/setup-codes".into(), vec![]),
        (2, format!("/hr/people/{}/setup-code", c.ben.id), vec![]),
        (
            2,
            "/appeals/999/target".into(),
            vec![("target_yuan", "80,000".into())],
        ),
        (
            2,
            "/appeals/999/decision".into(),
            vec![("decision", "rejected".into()), ("note", "No".into())],
        ),
        (2, "/hr/notices/999/retry".into(), vec![]),
        (
            2,
            format!("/hr/cycles/{cycle}/state"),
            vec![("state", "archived".into())],
        ),
        (
            0,
            "/me/password".into(),
            vec![
                ("current_password", "not-the-password".into()),
                ("new_password", "another-password-1".into()),
                ("repeat_password", "another-password-1".into()),
            ],
        ),
        (
            2,
            format!("/hr/people/{}", c.ben.id),
            vec![
                ("display_name", "Ben".into()),
                ("email", c.ben.email.clone()),
            ],
        ),
        (2, format!("/hr/people/{}/reset-link", c.ben.id), vec![]),
        (
            3,
            "/forgot".into(),
            vec![("email", "nobody@example.test".into())],
        ),
        (
            3,
            "/reset".into(),
            vec![
                ("token", "made-up".into()),
                ("new_password", "another-password-1".into()),
                ("repeat_password", "another-password-1".into()),
            ],
        ),
        (0, "/sign-out".into(), vec![]),
        (
            3,
            "/sign-in".into(),
            vec![
                ("email", c.ann.email.clone()),
                ("password", c.ann.password.clone()),
            ],
        ),
    ];
    let mut anonymous = Visitor::new(&app.base);
    for (who, path, fields) in cases {
        let visitor = match who {
            0 => &mut staff,
            1 => &mut lead,
            2 => &mut hr,
            _ => &mut anonymous,
        };
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = visitor.post(&path, &fields).await;
        assert_eq!(refused.status, 403, "{path} without the token");
        assert!(refused.body.contains("Not allowed"), "{path}");
        let page = if who == 3 { "/sign-in" } else { "/me" };
        let token = visitor.token(page).await;
        let mut with_token = fields.clone();
        with_token.push(("csrf", &token));
        let accepted = visitor.post(&path, &with_token).await;
        assert_ne!(
            accepted.status, 403,
            "{path} with the token: {}",
            accepted.body
        );
    }
    // The upload is multipart: the same rule.
    let csv = format!("employee_id,cycle_id,target\n{},{cycle},1000\n", c.ann.id);
    let path = format!("/hr/cycles/{cycle}/import");
    let refused = hr
        .post_multipart(&path, &[("kind", "sales-targets"), ("file", &csv)])
        .await;
    assert_eq!(refused.status, 403);
    let token = hr.token("/hr").await;
    let accepted = hr
        .post_multipart(
            &path,
            &[("csrf", &token), ("kind", "sales-targets"), ("file", &csv)],
        )
        .await;
    assert_ne!(accepted.status, 403, "{}", accepted.body);
    assert!(
        accepted.body.contains("is archived") || accepted.body.contains("not open"),
        "the import reached the store's rule"
    );
}

/// A published cycle computed without Ann's sales target: she appeals; HR sets the target on
/// the appeal's page (and adds her sale through the API), upholds, and the page says what
/// the recompute changed.
async fn an_appeal_about_a_missing_target_is_resolved_on_its_page(app: TestApp) {
    let c = company(&app).await;
    let hr_token = app.hr_token().await;
    let ann_token = app.login(&c.ann.email, &c.ann.password).await;
    let mine = c.appraisal[&c.ann.id];
    // An appeal without a reason, sent from the appraisal's own page, is refused on that
    // page (the form it belongs to), not on /me.
    let mut ann = Visitor::new(&app.base);
    ann.sign_in(&c.ann.email, &c.ann.password).await;
    let own_page = format!("/appraisals/{mine}");
    let token = ann.token(&own_page).await;
    let blank = ann
        .post(
            &format!("{own_page}/appeal"),
            &[("csrf", &token), ("reason", "  ")],
        )
        .await;
    assert_eq!(blank.status, 422, "{}", blank.body);
    assert!(blank.body.contains("id=\"employee\""), "{}", blank.body);
    assert!(!blank.body.contains("name=\"from\""), "{}", blank.body);
    let filed = app
        .post(
            &format!("/api/v1/appraisals/{mine}/appeal"),
            &ann_token,
            json!({"reason": "我的销售目标没有录入"}),
        )
        .await;
    let appeal = filed.ok(201)["id"].as_i64().unwrap();
    let page = format!("/appeals/{appeal}");

    let mut hr = Visitor::new(&app.base);
    hr.sign_in(&app.hr_email, &app.hr_password).await;
    let shown = hr.get(&page).await;
    assert!(shown.body.contains("id=\"target-form\""), "{}", shown.body);
    let token = hr.token(&page).await;
    let wrong = hr
        .post(
            &format!("{page}/target"),
            &[("csrf", &token), ("target_yuan", "eighty")],
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let saved = hr
        .post(
            &format!("{page}/target"),
            &[("csrf", &token), ("target_yuan", "80,000.00")],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Target saved"), "{}", saved.body);
    assert!(saved.body.contains("80,000.00"), "{}", saved.body);
    // Ben has not appealed: his target stays frozen.
    let frozen = app
        .post(
            "/api/v1/sales-targets",
            &hr_token,
            json!([{"employee_id": c.ben.id, "cycle_id": c.cycle, "target": 100}]),
        )
        .await;
    assert_eq!(frozen.row_codes(), [(2, "targets_frozen".to_owned())]);
    frozen.problem(409);
    app.post(
        "/api/v1/sales-records",
        &hr_token,
        json!([{"employee_id": c.ann.id, "occurred_on": "2026-02-01", "amount": 4_000_000,
                "external_ref": "POS-APPEAL-1"}]),
    )
    .await
    .ok(200);

    let decided = hr
        .post(
            &format!("{page}/decision"),
            &[
                ("csrf", &token),
                ("decision", "upheld"),
                ("note", "目标已补录"),
            ],
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.body);
    assert!(
        decided.body.contains("What changed:") && decided.body.contains("Sales — → 50.00"),
        "{}",
        decided.body
    );
    let after = app
        .get(&format!("/api/v1/appraisals/{mine}"), &hr_token)
        .await;
    assert_eq!(
        after.ok(200)["components"]["sales"]["score"],
        50.0,
        "{:?}",
        after.body
    );
    // Decided: the target can no longer be changed from the page.
    let late = hr
        .post(
            &format!("{page}/target"),
            &[("csrf", &token), ("target_yuan", "1")],
        )
        .await;
    assert_eq!(late.status, 409, "{}", late.body);
}

/// A supervisor ticks two of three drafts on the team page and reviews them with one
/// comment; a list naming someone else's appraisal reviews nothing.
async fn a_supervisor_reviews_several_drafts_at_once(app: TestApp) {
    let hr = app.hr_token().await;
    let store = app.department(&hr, "Store", "front_line").await;
    let desk = app.department(&hr, "Desk", "front_line").await;
    let lead = app.user(&hr, "supervisor", store, None).await;
    let team: Vec<Person> = vec![
        app.user(&hr, "staff", store, Some(lead.id)).await,
        app.user(&hr, "staff", store, Some(lead.id)).await,
        app.user(&hr, "staff", store, Some(lead.id)).await,
    ];
    let other_lead = app.user(&hr, "supervisor", desk, None).await;
    let stranger = app.user(&hr, "staff", desk, Some(other_lead.id)).await;
    let cycle = app.open_cycle(&hr, "Q1", "2026-01-01", "2026-03-31").await;
    app.review_and_compute(&hr, cycle).await;
    let list = app
        .get(&format!("/api/v1/cycles/{cycle}/appraisals"), &hr)
        .await;
    let of = |person: i64| -> i64 {
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["employee_id"] == person)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (a, b, c, theirs) = (
        of(team[0].id),
        of(team[1].id),
        of(team[2].id),
        of(stranger.id),
    );

    let mut visitor = Visitor::new(&app.base);
    visitor.sign_in(&lead.email, &lead.password).await;
    let page = visitor.get(&format!("/cycles/{cycle}/team")).await;
    assert!(page.body.contains("id=\"review-many\""), "{}", page.body);
    let csrf = page.csrf();
    let path = format!("/cycles/{cycle}/team/review");
    let (a, b, c, theirs) = (
        a.to_string(),
        b.to_string(),
        c.to_string(),
        theirs.to_string(),
    );
    let refused = visitor
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("appraisal", &a),
                ("appraisal", &theirs),
                ("comment", "Good"),
            ],
        )
        .await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    let state = |id: &str| {
        let path = format!("/api/v1/appraisals/{id}");
        let hr = hr.clone();
        let app = &app;
        async move { app.get(&path, &hr).await.body.clone() }
    };
    assert_eq!(state(&a).await["state"], "draft", "all or none");
    let done = visitor
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("appraisal", &a),
                ("appraisal", &b),
                ("comment", "Warm and quick"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    for id in [&a, &b] {
        let reviewed = state(id).await;
        assert_eq!(reviewed["state"], "reviewed", "{reviewed}");
        assert_eq!(reviewed["supervisor_comment"], "Warm and quick");
    }
    assert_eq!(state(&c).await["state"], "draft");
    // Nothing ticked: said so, nothing changes.
    let none = visitor
        .post(&path, &[("csrf", &csrf), ("comment", "x")])
        .await;
    assert_eq!(none.status, 422, "{}", none.body);
}
