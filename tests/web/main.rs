//! The web pages, driven through the real server on both backends: a whole cycle walked in
//! headless Chromium (`walk`), and the pages' security rules checked form by form
//! (`pages`: CSRF, scope, sign-in).

#[allow(dead_code)]
#[path = "../api/support.rs"]
mod support;

mod complaints;
mod docs;
mod driver;
mod forms;
mod hr_pages;
mod language;
mod office_walk;
mod pages;
mod service;
mod sweep;
mod team;
mod walk;
mod walk_hr;

/// The names of the departments, as HR reads them through the API.
async fn department_names(app: &support::TestApp) -> Vec<String> {
    let hr = app.hr_token().await;
    let list = app.get("/api/v1/departments", &hr).await;
    list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect()
}
