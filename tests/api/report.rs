//! A department's mean total is one figure wherever it is shown: the report page, the API's
//! report and the spreadsheet's report sheet agree to the cent, also where a float sum would
//! round the other way (the two methods the code had before did not).

use serde_json::json;

use crate::hr_work::{csv_header, csv_lines, download};
use crate::on_both_backends;
use crate::support::TestApp;
use crate::uploads::signed_in;

on_both_backends!(a_department_mean_is_the_same_cent_everywhere);

async fn a_department_mean_is_the_same_cent_everywhere(app: TestApp) {
    use calamine::{Data, Reader};
    let hr = app.hr_token().await;
    let desk = app.department(&hr, "Service Desk", "front_line").await;
    let lead = app.user(&hr, "supervisor", desk, None).await;
    for number in ["E1", "E2"] {
        app.post(
            "/api/v1/users",
            &hr,
            json!({"email": format!("{number}@example.test"), "display_name": number, "role": "staff",
                   "department_id": desk, "manager_id": lead.id, "employee_number": number,
                   "password": "long-enough-password"}),
        )
        .await
        .ok(201);
    }
    // All weight on sales, full marks at 100 % of the target: totals 60.11 and 60.12, whose
    // mean is 60.115: 60.12 half away from zero. The report page rounded the mean of the
    // stored hundredths to 60.12, the spreadsheet a float sum of the totals to 60.11.
    let cycle = app.open_cycle(&hr, "Q3", "2026-07-01", "2026-09-30").await;
    let targets = format!("employee_number,cycle_id,target_yuan\nE1,{cycle},100\nE2,{cycle},100\n");
    app.post_csv("/api/v1/sales-targets", &hr, targets)
        .await
        .ok(200);
    let sales = "employee_number,occurred_on,amount_yuan,external_ref\n\
                 E1,2026-08-01,60.11,S-1\nE2,2026-08-02,60.12,S-2\n";
    app.post_csv("/api/v1/sales-records", &hr, sales.to_owned())
        .await
        .ok(200);
    app.review_and_compute(&hr, cycle).await;

    // The API.
    let report = app
        .get(&format!("/api/v1/cycles/{cycle}/report"), &hr)
        .await;
    let desk_figures = report.ok(200)["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department_id"] == desk)
        .cloned()
        .unwrap_or_else(|| panic!("no figures for the desk: {}", report.body));
    assert_eq!(desk_figures["mean"], 60.12, "{desk_figures}");

    // The spreadsheet's report sheet (and the rows' totals in the CSV).
    let path = format!("/api/v1/cycles/{cycle}/export");
    let (status, _, xlsx) = download(&app, &path, &hr, None).await;
    assert_eq!(status, 200);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = book.worksheet_range_at(1).unwrap().unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mean_at = header
        .iter()
        .position(|h| h == "Mean total")
        .unwrap_or_else(|| panic!("{header:?}"));
    let row = sheet
        .rows()
        .find(|r| r[0] == "Service Desk")
        .expect("the desk's row");
    assert_eq!(row[mean_at], Data::Float(60.12), "{row:?}");
    let (_, _, csv) = download(&app, &format!("{path}?format=csv"), &hr, None).await;
    let total_at = csv_header(&csv).iter().position(|h| h == "Total").unwrap();
    let mut totals: Vec<String> = csv_lines(&csv)
        .into_iter()
        .filter(|r| r[0].starts_with('E'))
        .map(|r| r[total_at].clone())
        .collect();
    totals.sort();
    assert_eq!(totals, ["60.11", "60.12"]);

    // The report page.
    let (_, page) = signed_in(
        &app.http,
        &app.hr_email,
        &app.hr_password,
        &format!("/hr/cycles/{cycle}/report"),
    )
    .await;
    let table = page
        .split("id=\"report\"")
        .nth(1)
        .expect("the report table");
    let text = table.split("Service Desk").nth(1).unwrap_or_default();
    let row = &text[..text.find("</tr>").unwrap_or(text.len())];
    // Count, mean, lowest, highest.
    let numbers: Vec<&str> = row
        .split("<td class=\"num\">")
        .skip(1)
        .map(|cell| cell.split('<').next().unwrap_or_default())
        .collect();
    assert_eq!(
        numbers,
        ["3", "60.12", "60.11", "60.12"],
        "the page's row: {row}"
    );
}
