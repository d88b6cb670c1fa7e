//! Posting to a department's group robot (`robot_post` jobs): the text in the company's
//! language, the request as the platform documents it (`domain::robot`), the platform's
//! answer read by its own code. No redirect is followed and the webhook's host is checked
//! against `notices.robot_hosts` again before each post.

use std::time::Duration;

use serde::Deserialize;

use crate::db::DbConn;
use crate::domain::clock::CompanyTime;
use crate::domain::robot::{self, Platform};
use crate::domain::user::Locale;
use crate::error::AppError;
use crate::i18n::{self, number, words};
use crate::store::robots::RobotPost;
use crate::store::{complaints, cycles, departments};

/// An HTTPS client for the robots' webhooks.
pub struct RobotClient {
    client: reqwest::Client,
    hosts: Vec<String>,
}

impl RobotClient {
    pub fn new(timeout: Duration, hosts: Vec<String>) -> anyhow::Result<RobotClient> {
        // rustls with the web PKI's roots compiled in (nothing is fetched at run time).
        let client = reqwest::Client::builder()
            .https_only(false)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()?;
        Ok(RobotClient { client, hosts })
    }

    /// Posts `text`; Ok when the platform took it, else the platform's code and words (or
    /// why no answer came).
    pub async fn post(
        &self,
        platform: Platform,
        webhook_url: &str,
        secret: Option<&str>,
        text: &str,
        now_ms: i64,
    ) -> Result<(), String> {
        if let Err(problem) = robot::check_webhook(platform, webhook_url, &self.hosts) {
            return Err(format!(
                "not sent: the webhook is not allowed ({})",
                problem.code()
            ));
        }
        let (url, body) = robot::request(platform, webhook_url, secret, text, now_ms);
        let response = self
            .client
            .post(url)
            .json(&body)
            .send()
            .await
            // The error's words may hold the address, whose key is a credential.
            .map_err(|e| {
                if e.is_timeout() {
                    "no answer in time".to_owned()
                } else {
                    "could not reach the platform".to_owned()
                }
            })?;
        let status = response.status().as_u16();
        // The platforms answer a line of JSON; more than 64 KiB is not read.
        let mut response = response;
        let mut answer = Vec::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            answer.extend_from_slice(&chunk);
            if answer.len() > 64 * 1024 {
                break;
            }
        }
        robot::read_answer(platform, status, &String::from_utf8_lossy(&answer))
    }
}

#[derive(Deserialize)]
struct ComplaintPost {
    complaint_id: i32,
    level: i32,
}

#[derive(Deserialize)]
struct CyclePost {
    cycle_id: i32,
}

/// The text of a post, in the company's language: what happened, where, and a link; never
/// a person's name, score, grade or appeal.
pub fn text(
    conn: &mut DbConn,
    post: &RobotPost,
    lang: Locale,
    time: &CompanyTime,
    public_url: &str,
) -> Result<String, AppError> {
    let base = public_url.trim_end_matches('/');
    let payload = |json: &str| -> Result<serde_json::Value, AppError> {
        serde_json::from_str(json).map_err(AppError::internal)
    };
    let value = payload(&post.payload_json)?;
    if post.kind == "complaint_escalated" {
        let p: ComplaintPost = serde_json::from_value(value).map_err(AppError::internal)?;
        let complaint = complaints::get(conn, p.complaint_id)?;
        let department = departments::get(conn, complaint.department_id)?.name;
        let received = time.local(complaint.received_at).format("%Y-%m-%d %H:%M");
        return Ok(i18n::format(
            lang,
            "robot-complaint-escalated",
            vec![
                ("id", number(p.complaint_id)),
                ("level", number(p.level)),
                ("department", words(department)),
                ("received", words(received.to_string())),
                (
                    "link",
                    words(format!("{base}/complaints/{}", p.complaint_id)),
                ),
            ],
        ));
    }
    let p: CyclePost = serde_json::from_value(value).map_err(AppError::internal)?;
    let cycle = cycles::get(conn, p.cycle_id)?;
    Ok(i18n::format(
        lang,
        &format!("robot-{}", post.kind.replace('_', "-")),
        vec![
            ("cycle", words(cycle.name)),
            ("end", words(cycle.period_end.to_string())),
            ("link", words(format!("{base}/me"))),
        ],
    ))
}
