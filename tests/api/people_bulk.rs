//! People in bulk (`POST /api/v1/users/bulk`, DESIGN §12): matched by employee number, else
//! email, else new; departments by name; managers by number or email, also defined later in
//! the file; all or none with every row's problems; the same file twice changes nothing.

use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{answer, client, Answer, TestApp};

on_both_backends!(
    a_company_is_loaded_from_one_file_and_reloading_it_changes_nothing,
    a_bad_row_imports_nobody_and_every_row_says_why,
    two_imports_of_the_same_new_people_at_once_make_each_person_once,
    a_file_is_checked_against_the_company_it_leaves,
    an_import_is_one_audit_event_and_its_links_one_notice_per_person,
    departments_a_file_names_are_created_only_when_hr_says_so,
);

async fn post_csv_bytes(app: &TestApp, token: &str, body: Vec<u8>) -> Answer {
    let response = client()
        .post(format!("{}/api/v1/users/bulk", app.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .expect("request sent");
    answer(response).await
}

async fn people(app: &TestApp, hr: &str) -> Vec<Value> {
    let list = app.get("/api/v1/users?limit=200", hr).await;
    list.ok(200)["items"].as_array().unwrap().clone()
}

fn by_number<'a>(people: &'a [Value], number: &str) -> &'a Value {
    people
        .iter()
        .find(|p| p["employee_number"] == number)
        .unwrap_or_else(|| panic!("{number} in {people:?}"))
}

/// The store's supervisor first in the file would be ordinary; here the staff come first and
/// name a supervisor defined further down.
const COMPANY: &str =
    "employee_number,email,display_name,role,department,manager,locale,active\r\n\
    E0101,li.na@example.test,李娜,staff,旗舰店,E0001,zh-CN,\r\n\
    E0102,wang.fang@example.test,王芳,staff,旗舰店,zhang.wei@example.test,zh-CN,true\r\n\
    E0201,chen.jie@example.test,陈杰,staff,客服中心,E0002,,\r\n\
    E0001,zhang.wei@example.test,张伟,supervisor,旗舰店,,zh-CN,\r\n\
    E0002,liu.yang@example.test,刘洋,主管,客服中心,,en,\r\n";

async fn a_company_is_loaded_from_one_file_and_reloading_it_changes_nothing(app: TestApp) {
    let hr = app.hr_token().await;
    app.department(&hr, "旗舰店", "front_line").await;
    app.department(&hr, "客服中心", "front_line").await;

    // As Excel in China saves it: GBK.
    let (gbk, _, lossy) = encoding_rs::GBK.encode(COMPANY);
    assert!(!lossy);
    let first = post_csv_bytes(&app, &hr, gbk.to_vec()).await;
    assert_eq!(
        first.ok(200),
        &json!({"received": 5, "created": 5, "updated": 0, "unchanged": 0, "ignored_columns": [], "skipped_rows": [], "departments_created": []})
    );
    let all = people(&app, &hr).await;
    let (li, zhang) = (by_number(&all, "E0101"), by_number(&all, "E0001"));
    assert_eq!(li["display_name"], "李娜");
    assert_eq!(
        li["manager_id"], zhang["id"],
        "a manager defined later in the file"
    );
    assert_eq!(
        by_number(&all, "E0102")["manager_id"],
        zhang["id"],
        "by email"
    );
    assert_eq!(
        by_number(&all, "E0201")["manager_id"],
        by_number(&all, "E0002")["id"]
    );
    assert_eq!(by_number(&all, "E0201")["locale"], "en", "empty locale: en");
    assert_eq!(zhang["role"], "supervisor");
    assert_eq!(
        by_number(&all, "E0002")["role"],
        "supervisor",
        "the role in Chinese"
    );

    // The same file again: nothing changes, nothing is written.
    let audit_before = app.get("/api/v1/audit-events?limit=1", &hr).await.ok(200)["total"].clone();
    let again = post_csv_bytes(&app, &hr, gbk.to_vec()).await;
    assert_eq!(
        again.ok(200),
        &json!({"received": 5, "created": 0, "updated": 0, "unchanged": 5, "ignored_columns": [], "skipped_rows": [], "departments_created": []})
    );
    let audit_after = app.get("/api/v1/audit-events?limit=1", &hr).await.ok(200)["total"].clone();
    assert_eq!(
        audit_before, audit_after,
        "no audit event for an unchanged file"
    );

    // A row matched by number renames the person and moves them; a row matched by email
    // (no number given) updates that person. (A row giving a known email another number is
    // refused: tests/api/office.rs.)
    let moved = json!([
        {"employee_number": "E0101", "email": "li.na@example.test", "display_name": "李娜娜",
         "role": "staff", "department": "客服中心", "manager": "E0002"},
        {"email": "chen.jie@example.test", "display_name": "陈杰",
         "role": "staff", "department": "客服中心", "active": false}
    ]);
    let changed = app.post("/api/v1/users/bulk", &hr, moved).await;
    assert_eq!(
        changed.ok(200),
        &json!({"received": 2, "created": 0, "updated": 2, "unchanged": 0, "ignored_columns": [], "skipped_rows": [], "departments_created": []})
    );
    let all = people(&app, &hr).await;
    let li = by_number(&all, "E0101");
    assert_eq!(li["display_name"], "李娜娜");
    assert_eq!(li["manager_id"], by_number(&all, "E0002")["id"]);
    let chen = by_number(&all, "E0201");
    assert_eq!(chen["email"], "chen.jie@example.test");
    assert_eq!(chen["active"], false);

    // New people have no password: they cannot sign in until they set one by link.
    app.try_login("zhang.wei@example.test", "long-enough-password")
        .await
        .problem(401);
}

async fn a_bad_row_imports_nobody_and_every_row_says_why(app: TestApp) {
    let hr = app.hr_token().await;
    app.department(&hr, "旗舰店", "front_line").await;
    let staff = app
        .post(
            "/api/v1/users",
            &hr,
            json!({"email": "taken@example.test", "display_name": "Taken", "role": "staff",
                   "department_id": 1, "employee_number": "E0900", "password": "long-enough-password"}),
        )
        .await;
    staff.ok(201);
    let file = "employee_number,email,display_name,role,department,manager\n\
        E0101,li.na@example.test,李娜,staff,旗舰店,E0001\n\
        E0102,wang.fang@example.test,王芳,boss,旗舰店,\n\
        E0103,chen.jie@example.test,陈杰,staff,没有的部门,\n\
        E0104,li.na@example.test,李娜二,staff,旗舰店,\n\
        E0105,zhao@example.test,赵,staff,旗舰店,E0900\n\
        E0001,zhang.wei@example.test,张伟,supervisor,旗舰店,E0101\n";
    let refused = app
        .post_csv("/api/v1/users/bulk", &hr, file.to_owned())
        .await;
    refused.problem(422);
    let rows: Vec<(i64, String, String)> = refused.body["row_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Every problem in one answer: an unknown role (row 3), an email given twice (row 5),
    // no such department (row 4), a manager who is not a supervisor (row 6), and a loop
    // (E0101 → E0001 → E0101: row 2 or 7).
    assert_eq!(
        rows[1..4],
        [
            (3, "role".to_owned(), "not_role".to_owned()),
            (4, "department".to_owned(), "no_department_named".to_owned()),
            (5, "email".to_owned(), "twice".to_owned()),
        ],
        "{:?}",
        refused.body
    );
    let codes = refused.row_codes();
    assert!(
        codes.contains(&(4, "no_department_named".to_owned())),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(6, "manager_not_supervisor".to_owned())),
        "{codes:?}"
    );
    assert!(
        codes.iter().any(|(row, code)| (*row == 2 || *row == 7)
            && (code == "management_loop" || code == "manager_not_supervisor")),
        "{codes:?}"
    );
    // Nobody was imported.
    let list = app.get("/api/v1/users?q=example.test&limit=200", &hr).await;
    let emails: Vec<String> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(emails, ["hr@example.test", "taken@example.test"]);
    assert!(
        expand_batches(&app).is_empty(),
        "and nobody is mailed a link"
    );
    // HR cannot demote itself through a file.
    let me = app.get("/api/v1/me", &hr).await.ok(200).clone();
    let own = app
        .post(
            "/api/v1/users/bulk",
            &hr,
            json!([{"email": me["email"], "display_name": "HR", "role": "staff", "department": "旗舰店"}]),
        )
        .await;
    assert_eq!(
        own.body["row_errors"][0]["code"], "own_account",
        "{:?}",
        own.body
    );
}

async fn two_imports_of_the_same_new_people_at_once_make_each_person_once(app: TestApp) {
    let hr = app.hr_token().await;
    app.department(&hr, "旗舰店", "front_line").await;
    app.department(&hr, "客服中心", "front_line").await;
    for round in 0..5 {
        let file = COMPANY
            .replace("E0", &format!("R{round}E0"))
            .replace("@example.test", &format!(".{round}@example.test"));
        let answers = futures_util::future::join_all(
            (0..2).map(|_| app.post_csv("/api/v1/users/bulk", &hr, file.clone())),
        )
        .await;
        let mut created: Vec<i64> = answers
            .iter()
            .map(|a| a.ok(200)["created"].as_i64().unwrap())
            .collect();
        created.sort_unstable();
        assert_eq!(
            created,
            [0, 5],
            "round {round}: one import made them, the other found them"
        );
        let list = app
            .get(
                &format!("/api/v1/users?q=.{round}@example.test&limit=200"),
                &hr,
            )
            .await;
        assert_eq!(list.ok(200)["total"], 5);
    }
}

/// The rules hold for the company once the whole file is applied, not row by row: a
/// supervisor may be demoted by the same file that moves their people to another one, but
/// not while someone still reports to them; an email stays unique against people the file
/// does not name.
async fn a_file_is_checked_against_the_company_it_leaves(app: TestApp) {
    let hr = app.hr_token().await;
    app.department(&hr, "旗舰店", "front_line").await;
    app.department(&hr, "客服中心", "front_line").await;
    app.post_csv("/api/v1/users/bulk", &hr, COMPANY.to_owned())
        .await
        .ok(200);
    let header = "employee_number,email,display_name,role,department,manager\n";

    // 张伟 (E0001) still manages 李娜 and 王芳 when only he is in the file.
    let demoted = format!("{header}E0001,zhang.wei@example.test,张伟,staff,旗舰店,\n");
    let refused = app
        .post_csv("/api/v1/users/bulk", &hr, demoted.clone())
        .await;
    refused.problem(422);
    assert_eq!(
        refused.body["row_errors"][0]["row"], 2,
        "{:?}",
        refused.body
    );
    assert_eq!(refused.body["row_errors"][0]["code"], "manages_people");
    assert_eq!(refused.body["row_errors"][0]["column"], "role");

    // The same file moving both to 刘洋 (E0002) first is fine, in any order of its rows.
    let moved = format!(
        "{demoted}\
        E0101,li.na@example.test,李娜,staff,客服中心,E0002\n\
        E0102,wang.fang@example.test,王芳,staff,客服中心,liu.yang@example.test\n"
    );
    let done = app.post_csv("/api/v1/users/bulk", &hr, moved).await;
    assert_eq!(
        done.ok(200),
        &json!({"received": 3, "created": 0, "updated": 3, "unchanged": 0, "ignored_columns": [], "skipped_rows": [], "departments_created": []})
    );
    let all = people(&app, &hr).await;
    assert_eq!(by_number(&all, "E0001")["role"], "staff");
    assert_eq!(
        by_number(&all, "E0102")["manager_id"],
        by_number(&all, "E0002")["id"]
    );

    // A row that would give 陈杰 (E0201) the email of 王芳, whom the file does not name.
    let taken = format!("{header}E0201,wang.fang@example.test,陈杰,staff,客服中心,\n");
    let refused = app.post_csv("/api/v1/users/bulk", &hr, taken).await;
    refused.problem(422);
    assert_eq!(
        refused.body["row_errors"][0]["code"], "email_of_another",
        "{:?}",
        refused.body
    );
    assert_eq!(refused.body["row_errors"][0]["column"], "email");

    // Two rows naming one person (one by number, the other by email).
    let twice = format!(
        "{header}E0201,chen.jie@example.test,陈杰,staff,客服中心,\n\
        ,chen.jie@example.test,陈杰,staff,客服中心,\n"
    );
    let refused = app.post_csv("/api/v1/users/bulk", &hr, twice).await;
    refused.problem(422);
    let codes = refused.row_codes();
    assert_eq!(codes, [(3, "twice".to_owned())], "{:?}", refused.body);

    // Nothing of the refused files was kept.
    let all = people(&app, &hr).await;
    assert_eq!(by_number(&all, "E0201")["email"], "chen.jie@example.test");
}

/// Turns every waiting notice batch into notices, as their jobs do; returns how many
/// notices each call queued.
fn expand_batches(app: &TestApp) -> Vec<usize> {
    use appraisal::store::notices;
    let db = appraisal::db::Db::connect(&app.settings.database).expect("database reachable");
    let mut conn = db.get().expect("a connection");
    let mut queued = Vec::new();
    for batch in waiting_batches(&mut conn) {
        loop {
            let (n, more) = notices::expand_batch(&mut conn, batch).expect("a batch expands");
            queued.push(n);
            if !more {
                break;
            }
        }
    }
    queued
}

fn waiting_batches(conn: &mut appraisal::db::DbConn) -> Vec<i64> {
    use appraisal::db::schema::notice_batches;
    use diesel::prelude::*;
    notice_batches::table
        .select(notice_batches::id)
        .order(notice_batches::id)
        .load(conn)
        .expect("batches read")
}

/// An import that makes more people than one slice of a notice batch: the import writes one
/// audit event naming the ids it made (not one per person) and one batch of set-password
/// links, which becomes exactly one notice per active new person, a slice per transaction,
/// and never twice.
async fn an_import_is_one_audit_event_and_its_links_one_notice_per_person(app: TestApp) {
    use appraisal::store::notices::BATCH_SLICE;
    let hr = app.hr_token().await;
    app.department(&hr, "旗舰店", "front_line").await;
    let n = BATCH_SLICE + 2;
    let mut file = String::from("employee_number,email,display_name,role,department,active\n");
    for k in 0..n {
        // The last one is inactive: no link until HR sends one.
        let active = k + 1 < n;
        file.push_str(&format!(
            "N{k:05},n{k}@example.test,新人 {k},staff,旗舰店,{active}\n"
        ));
    }
    let events_before = app.get("/api/v1/audit-events?limit=1", &hr).await.ok(200)["total"]
        .as_i64()
        .unwrap();
    let outcome = post_csv_bytes(&app, &hr, file.into_bytes()).await;
    assert_eq!(outcome.ok(200)["created"], n);

    let path = format!("/api/v1/audit-events?limit=5&offset={events_before}");
    let events = app.get(&path, &hr).await;
    let events = events.ok(200);
    assert_eq!(
        events["total"].as_i64().unwrap(),
        events_before + 1,
        "one audit event for the import"
    );
    let event = &events["items"][0];
    assert_eq!(event["action"], "import_people");
    let after = &event["after"];
    assert_eq!(after["created"], n);
    let made: i64 = after["created_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_i64().unwrap() - r[0].as_i64().unwrap() + 1)
        .sum();
    assert_eq!(made, n as i64, "the event names every id it made");
    let first = after["created_ids"][0][0].as_i64().unwrap();
    assert_eq!(event["entity"], "user");
    assert_eq!(event["entity_id"].as_i64(), Some(first));

    let links = "/api/v1/notices?kind=password_setup&limit=1";
    assert_eq!(
        app.get(links, &hr).await.ok(200)["total"],
        0,
        "the links wait in one batch"
    );
    assert_eq!(
        expand_batches(&app),
        [BATCH_SLICE, 1],
        "a slice per transaction"
    );
    assert_eq!(app.get(links, &hr).await.ok(200)["total"], n - 1);
    assert!(expand_batches(&app).is_empty(), "a batch is expanded once");
    assert_eq!(app.get(links, &hr).await.ok(200)["total"], n - 1);
}

async fn department_names(app: &TestApp, hr: &str) -> Vec<(String, String)> {
    let list = app.get("/api/v1/departments?limit=200", hr).await;
    let mut names: Vec<(String, String)> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    names.sort();
    names
}

/// A people file naming departments that do not exist is refused naming each, unless HR
/// confirms (`?create_departments=true`): then they are made (front line), matched to
/// existing ones regardless of case, width and spacing, and undone with a refused file.
async fn departments_a_file_names_are_created_only_when_hr_says_so(app: TestApp) {
    let hr = app.hr_token().await;
    let flagship = app.department(&hr, "旗舰店 Flagship", "front_line").await;
    let before = department_names(&app, &hr).await;
    let file = "工号,姓名,邮箱,角色,部门\n\
        D01,甲,d01@example.test,员工,旗舰店\u{3000}ＦＬＡＧＳＨＩＰ\n\
        D02,乙,d02@example.test,员工,客服中心\n\
        D03,丙,d03@example.test,员工,客服中心\n\
        D04,丁,d04@example.test,员工,后勤部 Back Office\n\
        D05,戊,d05@example.test,员工,后勤部  back office\n";

    // Not asked to: each row naming a missing department is refused, naming it.
    let refused = app
        .post_csv("/api/v1/users/bulk", &hr, file.to_owned())
        .await;
    refused.problem(422);
    assert_eq!(
        refused.row_codes(),
        [
            (3, "no_department_named".to_owned()),
            (4, "no_department_named".to_owned()),
            (5, "no_department_named".to_owned()),
            (6, "no_department_named".to_owned()),
        ],
        "the full-width, upper-case spelling of an existing department is that department"
    );
    let message = refused.body["row_errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("客服中心"), "{message}");
    assert_eq!(department_names(&app, &hr).await, before);

    // Asked to, but another row is wrong: nothing is made.
    let wrong = format!("{file}D06,己,d06@example.test,店长,仓库\n");
    let refused = app
        .post_csv("/api/v1/users/bulk?create_departments=true", &hr, wrong)
        .await;
    assert_eq!(refused.row_codes(), [(7, "not_role".to_owned())]);
    assert_eq!(department_names(&app, &hr).await, before);

    // Asked to: made once each, as the file first spells them, as front line.
    let done = app
        .post_csv(
            "/api/v1/users/bulk?create_departments=true",
            &hr,
            file.to_owned(),
        )
        .await;
    let outcome = done.ok(200);
    assert_eq!(outcome["created"], 5, "{outcome:?}");
    assert_eq!(
        outcome["departments_created"],
        json!(["客服中心", "后勤部 Back Office"])
    );
    let mut expected = before.clone();
    expected.push(("后勤部 Back Office".to_owned(), "front_line".to_owned()));
    expected.push(("客服中心".to_owned(), "front_line".to_owned()));
    expected.sort();
    assert_eq!(department_names(&app, &hr).await, expected);
    let all = people(&app, &hr).await;
    assert_eq!(by_number(&all, "D01")["department_id"], flagship);
    assert_eq!(
        by_number(&all, "D04")["department_id"],
        by_number(&all, "D05")["department_id"]
    );

    // The same file again changes nothing and makes nothing.
    let again = app
        .post_csv(
            "/api/v1/users/bulk?create_departments=true",
            &hr,
            file.to_owned(),
        )
        .await;
    assert_eq!(again.ok(200)["unchanged"], 5);
    assert_eq!(again.ok(200)["departments_created"], json!([]));

    // A flag that is not a yes or a no is named.
    let odd = app
        .post_csv(
            "/api/v1/users/bulk?create_departments=yes",
            &hr,
            file.to_owned(),
        )
        .await;
    odd.field_error("create_departments");
}
