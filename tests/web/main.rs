//! The web pages, driven through the real server on both backends: a whole cycle walked in
//! headless Chromium (`walk`), and the pages' security rules checked form by form
//! (`pages`: CSRF, scope, sign-in).

#[allow(dead_code)]
#[path = "../api/support.rs"]
mod support;

mod driver;
mod forms;
mod pages;
mod walk;
