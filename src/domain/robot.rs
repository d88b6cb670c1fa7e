//! Group robots (docs/PRODUCT.md, notices): the three platforms' custom robots as each
//! documents them: the request's body, DingTalk's and Feishu's signatures, what counts as
//! success in the answer, and which webhook addresses may be saved. Pure: the sending is
//! `notify::robot`'s.
//!
//! - WeCom (企业微信): `POST` `{"msgtype": "text", "text": {"content": …}}` to the webhook,
//!   whose `key` query parameter is the credential. Success: `{"errcode": 0}`.
//! - DingTalk (钉钉): the same kind of body to the webhook plus `&timestamp=T&sign=S`, T in
//!   milliseconds, S = urlencode(base64(HMAC-SHA256(key = secret, message = T + "\n" +
//!   secret))). Success: `{"errcode": 0}`.
//! - Feishu/Lark (飞书): `POST` `{"timestamp": "T", "sign": "S", "msg_type": "text",
//!   "content": {"text": …}}`, T in seconds, S = base64(HMAC-SHA256(key = T + "\n" + secret,
//!   message = empty)). Success: `{"code": 0}`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::problem::Problem;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Platform {
    Wecom,
    Dingtalk,
    Feishu,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// DingTalk and Feishu robots sign their requests with a secret; WeCom's key is in
    /// its address.
    pub fn signs(self) -> bool {
        matches!(self, Platform::Dingtalk | Platform::Feishu)
    }
}

/// The longest webhook address and secret kept.
pub const URL_MAX: usize = 500;
pub const SECRET_MAX: usize = 200;

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// DingTalk's `sign` for `timestamp_ms`, URL-encoded as it goes in the query.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    let message = format!("{timestamp_ms}\n{secret}");
    let signed = STANDARD.encode(hmac_sha256(secret.as_bytes(), message.as_bytes()));
    url_encode(&signed)
}

/// Feishu's `sign` for `timestamp_s`.
pub fn feishu_sign(secret: &str, timestamp_s: i64) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    STANDARD.encode(hmac_sha256(key.as_bytes(), b""))
}

/// Percent-encodes everything but unreserved characters (what base64 needs: `+`, `/`, `=`).
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The request for one post: the address (DingTalk's carries the signature) and the JSON
/// body. `now_ms` is the current time in milliseconds.
pub fn request(
    platform: Platform,
    webhook_url: &str,
    secret: Option<&str>,
    text: &str,
    now_ms: i64,
) -> (String, serde_json::Value) {
    let secret = secret.unwrap_or("");
    match platform {
        Platform::Wecom => (
            webhook_url.to_owned(),
            serde_json::json!({"msgtype": "text", "text": {"content": text}}),
        ),
        Platform::Dingtalk => {
            let join = if webhook_url.contains('?') { '&' } else { '?' };
            let url = format!(
                "{webhook_url}{join}timestamp={now_ms}&sign={}",
                dingtalk_sign(secret, now_ms)
            );
            (
                url,
                serde_json::json!({"msgtype": "text", "text": {"content": text}}),
            )
        }
        Platform::Feishu => {
            let seconds = now_ms / 1000;
            (
                webhook_url.to_owned(),
                serde_json::json!({
                    "timestamp": seconds.to_string(),
                    "sign": feishu_sign(secret, seconds),
                    "msg_type": "text",
                    "content": {"text": text},
                }),
            )
        }
    }
}

/// Whether the platform took the post: Ok, or the platform's own code and message.
pub fn read_answer(platform: Platform, status: u16, body: &str) -> Result<(), String> {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let (code, message) = match platform {
        Platform::Wecom | Platform::Dingtalk => (json.get("errcode"), json.get("errmsg")),
        // Older Feishu answers say `StatusCode` instead of `code`.
        Platform::Feishu => (
            json.get("code").or_else(|| json.get("StatusCode")),
            json.get("msg").or_else(|| json.get("StatusMessage")),
        ),
    };
    match code.and_then(serde_json::Value::as_i64) {
        Some(0) if (200..300).contains(&status) => Ok(()),
        Some(code) => Err(format!(
            "{} {code}: {}",
            platform.as_str(),
            message.and_then(|m| m.as_str()).unwrap_or("")
        )),
        None => Err(format!("HTTP {status}: no answer code")),
    }
}

/// A webhook address may be saved when it is `https://` on one of `allowed` hosts (a
/// loopback host listed there may use `http://`: tests), and WeCom's carries its `key`.
pub fn check_webhook(
    platform: Platform,
    webhook_url: &str,
    allowed: &[String],
) -> Result<(), Problem> {
    let url = url::Url::parse(webhook_url.trim()).map_err(|_| Problem::NotUrl)?;
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(&host)) {
        return Err(Problem::WebhookHost {
            hosts: allowed.join(", "),
        });
    }
    let loopback = host == "localhost"
        || host
            .trim_matches(|c| c == '[' || c == ']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => return Err(Problem::WebhookNotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Problem::NotUrl);
    }
    // An address on one platform's host saved as another's robot would never be signed
    // or answered right.
    let owner = match host.as_str() {
        "qyapi.weixin.qq.com" => Some(Platform::Wecom),
        "oapi.dingtalk.com" => Some(Platform::Dingtalk),
        "open.feishu.cn" | "open.larksuite.com" => Some(Platform::Feishu),
        _ => None,
    };
    if owner.is_some_and(|owner| owner != platform) {
        return Err(Problem::WebhookOtherPlatform);
    }
    if platform == Platform::Wecom && !url.query_pairs().any(|(k, v)| k == "key" && !v.is_empty()) {
        return Err(Problem::WebhookKeyMissing);
    }
    Ok(())
}

/// The webhook as it may be shown again: WeCom's `key` (its credential) and any other query
/// value hidden.
pub fn shown_url(webhook_url: &str) -> String {
    let Ok(url) = url::Url::parse(webhook_url) else {
        return String::new();
    };
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or(""));
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    // Feishu's hook carries its token as the path's last segment (`/bot/v2/hook/<token>`).
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    let token_in_path = segments.contains(&"hook");
    for (i, segment) in segments.iter().enumerate() {
        shown.push('/');
        if token_in_path && i + 1 == segments.len() && !segment.is_empty() && *segment != "hook" {
            shown.push('…');
        } else {
            shown.push_str(segment);
        }
    }
    let keys: Vec<String> = url.query_pairs().map(|(k, _)| format!("{k}=…")).collect();
    if !keys.is_empty() {
        shown.push('?');
        shown.push_str(&keys.join("&"));
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_as_the_platforms_document_them() {
        // Recomputed here by their definitions: DingTalk keys with the secret and signs
        // "T\nsecret"; Feishu keys with "T\nsecret" and signs nothing.
        let d = dingtalk_sign("SEC000", 1_700_000_000_000);
        let raw = STANDARD.encode(hmac_sha256(b"SEC000", b"1700000000000\nSEC000"));
        assert_eq!(
            d,
            raw.replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D")
        );
        let f = feishu_sign("abc", 1_700_000_000);
        assert_eq!(f, STANDARD.encode(hmac_sha256(b"1700000000\nabc", b"")));
        assert_ne!(f, feishu_sign("abd", 1_700_000_000));
    }

    #[test]
    fn only_the_platforms_hosts_and_https() {
        let allowed: Vec<String> = ["qyapi.weixin.qq.com", "127.0.0.1"]
            .map(str::to_owned)
            .into();
        let ok = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc";
        assert_eq!(check_webhook(Platform::Wecom, ok, &allowed), Ok(()));
        assert_eq!(
            check_webhook(
                Platform::Wecom,
                "https://qyapi.weixin.qq.com/send",
                &allowed
            ),
            Err(Problem::WebhookKeyMissing)
        );
        assert!(matches!(
            check_webhook(Platform::Dingtalk, "https://10.0.0.8/robot/send", &allowed),
            Err(Problem::WebhookHost { .. })
        ));
        assert_eq!(
            check_webhook(Platform::Feishu, "http://qyapi.weixin.qq.com/x", &allowed),
            Err(Problem::WebhookNotHttps)
        );
        assert_eq!(
            check_webhook(Platform::Feishu, "http://127.0.0.1:9/hook", &allowed),
            Ok(())
        );
        assert_eq!(
            check_webhook(Platform::Feishu, "not a url", &allowed),
            Err(Problem::NotUrl)
        );
        assert_eq!(
            check_webhook(Platform::Dingtalk, ok, &allowed),
            Err(Problem::WebhookOtherPlatform)
        );
        assert_eq!(
            shown_url(ok),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
        );
        assert_eq!(
            shown_url("https://open.feishu.cn/open-apis/bot/v2/hook/0f3a-secret-token"),
            "https://open.feishu.cn/open-apis/bot/v2/hook/…"
        );
        assert_eq!(
            shown_url("https://oapi.dingtalk.com/robot/send?access_token=abc&x=1"),
            "https://oapi.dingtalk.com/robot/send?access_token=…&x=…"
        );
    }

    #[test]
    fn answers_are_read_by_each_platforms_code() {
        assert_eq!(
            read_answer(Platform::Wecom, 200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Ok(())
        );
        assert_eq!(
            read_answer(
                Platform::Dingtalk,
                200,
                r#"{"errcode":310000,"errmsg":"sign not match"}"#
            ),
            Err("dingtalk 310000: sign not match".into())
        );
        assert_eq!(
            read_answer(Platform::Feishu, 200, r#"{"code":0,"msg":"success"}"#),
            Ok(())
        );
        assert!(read_answer(
            Platform::Feishu,
            200,
            r#"{"code":19021,"msg":"sign match fail"}"#
        )
        .unwrap_err()
        .contains("19021"));
        assert!(read_answer(Platform::Wecom, 502, "<html>").is_err());
    }
}
