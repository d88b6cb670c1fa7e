//! Group robots (`/api/v1/departments/{id}/robot`): a local HTTP server plays WeCom, DingTalk
//! and Feishu, checks each request as the platform documents it (DingTalk's and Feishu's
//! signatures recomputed from the secret and the timestamp, WeCom's key in the address) and
//! answers with the platform's codes. An error is recorded with the platform's code and
//! retried; a webhook on a host not allowed is refused when saved; the secret is never
//! shown again; no person's name reaches a group.

use std::sync::{Arc, Mutex};

use appraisal::db::Db;
use appraisal::notify::Notifier;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::on_both_backends_with;
use crate::support::{spawn_with, Backend, TestApp};

on_both_backends_with!(local_robots; each_platform_gets_what_it_documents_and_errors_are_retried);

async fn local_robots(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, |s| {
        s.notices.worker = false;
        s.notices.robot_hosts = "127.0.0.1".into();
    })
    .await
}

/// One request as the platform received it.
#[derive(Debug, Clone)]
struct Received {
    target: String,
    body: Value,
}

/// A local server playing the three platforms: WeCom refuses its first post (errcode
/// 93000), everything else is taken.
struct Platforms {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Platforms {
    async fn start() -> Platforms {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let seen = received.clone();
        actix_rt::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let seen = seen.clone();
                actix_rt::spawn(async move {
                    let mut data = Vec::new();
                    let mut buf = [0u8; 4096];
                    let (head, body) = loop {
                        let n = socket.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        data.extend_from_slice(&buf[..n]);
                        let text = String::from_utf8_lossy(&data).to_string();
                        if let Some(at) = text.find("\r\n\r\n") {
                            let head = text[..at].to_owned();
                            let length: usize = head
                                .lines()
                                .find_map(|l| {
                                    l.to_ascii_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse().unwrap())
                                })
                                .unwrap_or(0);
                            if data.len() >= at + 4 + length {
                                let body = data[at + 4..at + 4 + length].to_vec();
                                break (head, body);
                            }
                        }
                    };
                    let target = head.split(' ').nth(1).unwrap_or("").to_owned();
                    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let answer = {
                        let mut all = seen.lock().unwrap();
                        let earlier_wecom = all
                            .iter()
                            .filter(|r: &&Received| r.target.starts_with("/cgi-bin"))
                            .count();
                        all.push(Received {
                            target: target.clone(),
                            body,
                        });
                        if target.starts_with("/cgi-bin") && earlier_wecom == 0 {
                            r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#
                        } else if target.starts_with("/open-apis") {
                            r#"{"code":0,"msg":"success"}"#
                        } else {
                            r#"{"errcode":0,"errmsg":"ok"}"#
                        }
                    };
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                        answer.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                });
            }
        });
        Platforms { port, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn hmac(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

fn query(target: &str, name: &str) -> String {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} in {target}"))
        .to_owned()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

async fn each_platform_gets_what_it_documents_and_errors_are_retried(app: TestApp) {
    let platforms = Platforms::start().await;
    let port = platforms.port;
    let hr = app.hr_token().await;
    let store = app.department(&hr, "旗舰店", "front_line").await;
    let warehouse = app.department(&hr, "仓储物流部", "back_office").await;
    let calls = app.department(&hr, "客服热线", "front_line").await;
    let robot = |d: i64| format!("/api/v1/departments/{d}/robot");

    // Refused when saved: a host not allowed, plain http elsewhere, a signing robot without
    // its secret, WeCom without its key.
    let refused = app
        .put(
            &robot(store),
            &hr,
            json!({"platform": "wecom", "webhook_url": "https://10.0.0.8/send?key=x"}),
        )
        .await;
    assert_eq!(refused.field_codes("webhook_url"), ["webhook_host"]);
    let refused = app
        .put(
            &robot(warehouse),
            &hr,
            json!({"platform": "dingtalk",
            "webhook_url": format!("http://127.0.0.1:{port}/robot/send?access_token=T2")}),
        )
        .await;
    assert_eq!(refused.field_codes("secret"), ["secret_required"]);
    let refused = app
        .put(
            &robot(store),
            &hr,
            json!({"platform": "wecom",
            "webhook_url": format!("http://127.0.0.1:{port}/cgi-bin/webhook/send")}),
        )
        .await;
    assert_eq!(refused.field_codes("webhook_url"), ["webhook_key_missing"]);
    assert_eq!(app.get(&robot(store), &hr).await.code(404), "not_found");

    // One robot of each platform.
    let wecom = app
        .put(&robot(store), &hr, json!({"platform": "wecom",
            "webhook_url": format!("http://127.0.0.1:{port}/cgi-bin/webhook/send?key=K1-SECRET-KEY")}))
        .await;
    let wecom = wecom.ok(200);
    assert!(!wecom.to_string().contains("K1-SECRET-KEY"), "{wecom}");
    app.put(
        &robot(warehouse),
        &hr,
        json!({"platform": "dingtalk", "secret": "SEC-DING",
        "webhook_url": format!("http://127.0.0.1:{port}/robot/send?access_token=T2")}),
    )
    .await
    .ok(200);
    let feishu = app
        .put(
            &robot(calls),
            &hr,
            json!({"platform": "feishu", "secret": "SEC-FEI",
            "webhook_url": format!("http://127.0.0.1:{port}/open-apis/bot/v2/hook/H3")}),
        )
        .await;
    assert_eq!(feishu.ok(200)["has_secret"], true);
    let shown = app.get(&robot(calls), &hr).await;
    assert!(!shown.ok(200).to_string().contains("SEC-FEI"));
    let audit = app.get("/api/v1/audit-events?entity=department", &hr).await;
    let audit = audit.ok(200).to_string();
    assert!(
        !audit.contains("SEC-") && !audit.contains("K1-SECRET-KEY"),
        "{audit}"
    );

    // A cycle opens: each group hears of it, each as its platform documents.
    let db = Db::connect(&app.settings.database).unwrap();
    let notifier = Notifier::new(db, &app.settings).unwrap();
    let cycle = app
        .open_cycle(&hr, "2026年12月", "2026-12-01", "2026-12-31")
        .await;
    notifier.deliver_due().await.unwrap();
    let now_ms = app.clock().now().timestamp_millis();
    let got = platforms.received();
    assert_eq!(got.len(), 3, "{got:?}");
    let of = |prefix: &str| {
        got.iter()
            .find(|r| r.target.starts_with(prefix))
            .unwrap()
            .clone()
    };
    let w = of("/cgi-bin");
    assert_eq!(query(&w.target, "key"), "K1-SECRET-KEY");
    assert_eq!(w.body["msgtype"], "text");
    assert!(w.body["text"]["content"]
        .as_str()
        .unwrap()
        .contains("2026年12月"));
    let d = of("/robot/send");
    let timestamp = query(&d.target, "timestamp");
    let ts: i64 = timestamp.parse().unwrap();
    assert!((now_ms - ts).abs() < 60_000, "milliseconds, now: {ts}");
    let expected = hmac(b"SEC-DING", format!("{timestamp}\nSEC-DING").as_bytes());
    assert_eq!(percent_decode(&query(&d.target, "sign")), expected);
    assert_eq!(query(&d.target, "access_token"), "T2");
    assert_eq!(d.body["msgtype"], "text");
    let f = of("/open-apis");
    let timestamp = f.body["timestamp"].as_str().unwrap().to_owned();
    let ts: i64 = timestamp.parse().unwrap();
    assert!((now_ms / 1000 - ts).abs() < 60, "seconds: {ts}");
    let expected = hmac(format!("{timestamp}\nSEC-FEI").as_bytes(), b"");
    assert_eq!(f.body["sign"], expected);
    assert_eq!(f.body["msg_type"], "text");
    assert!(f.body["content"]["text"]
        .as_str()
        .unwrap()
        .contains("2026年12月"));

    // WeCom refused: its code is recorded and shown, and the post is tried again.
    let posts = app.get(&robot(store), &hr).await;
    let post = posts.ok(200)["recent_posts"][0].clone();
    assert_eq!(post["status"], "pending");
    assert_eq!(post["last_error"], "wecom 93000: invalid webhook url");
    app.clock().advance(Duration::seconds(31));
    notifier.deliver_due().await.unwrap();
    let posts = app.get(&robot(store), &hr).await;
    assert_eq!(posts.ok(200)["recent_posts"][0]["status"], "sent");
    assert_eq!(platforms.received().len(), 4);

    // An escalation of the warehouse's complaint goes to its group, naming no one.
    let will = app.user(&hr, "supervisor", warehouse, None).await;
    let wes = app.user(&hr, "staff", warehouse, Some(will.id)).await;
    let long_ago = (app.clock().now() - Duration::days(7)).to_rfc3339();
    app.post(
        "/api/v1/complaints",
        &hr,
        json!({"channel": "phone", "summary": "冷库温度异常", "priority": "urgent",
               "department_id": warehouse, "employee_id": wes.id, "received_at": long_ago}),
    )
    .await
    .ok(201);
    notifier.deliver_due().await.unwrap();
    let escalated: Vec<Received> = platforms
        .received()
        .into_iter()
        .filter(|r| r.target.starts_with("/robot/send"))
        .filter(|r| r.body.to_string().contains("投诉") || r.body.to_string().contains("omplaint"))
        .collect();
    assert_eq!(escalated.len(), 1, "{escalated:?}");
    let text = escalated[0].body.to_string();
    assert!(
        !text.contains("Test staff") && !text.contains("Test supervisor"),
        "{text}"
    );
    assert!(
        !text.contains("冷库温度异常"),
        "the summary stays inside: {text}"
    );

    // Removed: the department has no robot any more.
    assert_eq!(
        app.send(reqwest::Method::DELETE, &robot(calls), Some(&hr), None)
            .await
            .status
            .as_u16(),
        204
    );
    assert_eq!(app.get(&robot(calls), &hr).await.code(404), "not_found");
    let _ = cycle;
}
