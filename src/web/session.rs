//! The pages' session and form protection.
//!
//! - The session is the API's own access token, kept in an `HttpOnly`, `SameSite=Strict`
//!   cookie (`Secure` when the page was served over https), so a page request is checked
//!   exactly like an API request: signature, claims, active account, token version.
//!   The API itself never reads the cookie (only `Authorization`), so it needs no CSRF guard.
//! - Every form carries a token: an HMAC, under a key derived from the JWT secret, of a
//!   random per-browser nonce (its own `HttpOnly`, `SameSite=Strict` cookie) and the session
//!   token. A forged form lacks it; a token taken from another browser or another session
//!   does not match. Unsafe requests must also come from our own origin when the browser
//!   says where they come from (`Sec-Fetch-Site`, `Origin`). Nothing is kept in process
//!   memory, so any instance checks any form.

use std::future::{ready, Ready};

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::text::{texts, Texts};
use crate::app::view::User;
use crate::auth::{AuthUser, Caller};
use crate::domain::clock::CompanyTime;
use crate::domain::problem::Problem;
use crate::error::AppError;
use crate::i18n::Locale;

pub const SESSION_COOKIE: &str = "sa_session";
pub const NONCE_COOKIE: &str = "sa_nonce";
pub const LANG_COOKIE: &str = "sa_lang";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";

type HmacSha256 = Hmac<Sha256>;

/// The key of the forms' tokens, derived from the JWT secret (never the secret itself).
pub struct CsrfKey([u8; 32]);

impl CsrfKey {
    pub fn new(jwt_secret: &[u8]) -> CsrfKey {
        let mut mac = HmacSha256::new_from_slice(jwt_secret).expect("HMAC takes any key");
        mac.update(b"service-appraisal form tokens v1");
        CsrfKey(mac.finalize().into_bytes().into())
    }

    fn mac(&self, nonce: &str, session: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes any key");
        mac.update(nonce.as_bytes());
        mac.update(b"\0");
        mac.update(session.as_bytes());
        mac
    }

    pub fn token(&self, nonce: &str, session: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(nonce, session).finalize().into_bytes())
    }

    /// Compares in constant time.
    pub fn check(&self, nonce: &str, session: &str, given: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(given) {
            Ok(bytes) => self.mac(nonce, session).verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

pub fn random_nonce() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A cookie with the attributes every cookie of ours has.
pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish()
}

/// A cookie that tells the browser to forget `name`.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut gone = cookie(name, String::new(), secure);
    gone.make_removal();
    gone
}

/// Whether the page was served over https (directly or, per `Forwarded` /
/// `X-Forwarded-Proto`, behind a proxy): cookies are then `Secure`.
pub fn is_https(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}

/// What the gate decided for this request, left in its extensions.
#[derive(Clone)]
pub struct Visit {
    pub lang: Locale,
    /// The browser's nonce (new when it had none; the gate then sets its cookie).
    pub nonce: String,
    /// The session token, when the browser sent one that checked out.
    pub session: Option<String>,
}

/// The language: the one chosen on the page (cookie), else the account's, else the
/// browser's first preference between Chinese and English.
pub fn language(req: &HttpRequest, user: Option<&User>) -> Locale {
    if let Some(chosen) = req.cookie(LANG_COOKIE) {
        return Locale::of(chosen.value());
    }
    if let Some(user) = user {
        return user.locale;
    }
    crate::error::reader_locale(req)
}

/// Everything a page needs about its visitor: who (if signed in), in which language, and
/// the token its forms carry.
pub struct Ctx {
    pub user: Option<User>,
    /// The signed-in visitor as the use cases take them (`app::App::write` checks the
    /// account again inside its transaction).
    pub caller: Option<Caller>,
    pub lang: Locale,
    pub t: &'static Texts,
    pub csrf: String,
    /// The path and query of this page (where the language switch returns to).
    pub here: String,
    /// The company's calendar: every date and time on a page is the company's.
    pub time: CompanyTime,
}

impl Ctx {
    /// The same visit, for a page rendered in answer to a form: the language switch then
    /// returns to the page's own address, not to the form's.
    pub fn at(self, here: impl Into<String>) -> Ctx {
        Ctx {
            here: here.into(),
            ..self
        }
    }

    /// The signed-in user (the gate lets no one else through to a non-public page).
    pub fn me(&self) -> Result<&User, AppError> {
        self.user
            .as_ref()
            .ok_or(AppError::Unauthorized(Problem::TokenRequired))
    }

    /// The signed-in visitor, for a use case.
    pub fn caller(&self) -> Result<&Caller, AppError> {
        self.caller
            .as_ref()
            .ok_or(AppError::Unauthorized(Problem::TokenRequired))
    }
}

impl FromRequest for Ctx {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let visit = req.extensions().get::<Visit>().cloned();
        let key = req.app_data::<web::Data<CsrfKey>>();
        let time = req
            .app_data::<web::Data<CompanyTime>>()
            .map(|t| t.get_ref().clone());
        ready(match (visit, key, time) {
            (Some(visit), Some(key), Some(time)) => Ok(Ctx {
                time,
                user: req.extensions().get::<AuthUser>().map(|u| u.0.clone()),
                caller: req.extensions().get::<Caller>().cloned(),
                lang: visit.lang,
                t: texts(visit.lang),
                csrf: key.token(&visit.nonce, visit.session.as_deref().unwrap_or("")),
                here: match req.query_string() {
                    "" => req.path().to_owned(),
                    query => format!("{}?{query}", req.path()),
                },
            }),
            _ => Err(AppError::internal(anyhow::anyhow!(
                "page state not configured"
            ))),
        })
    }
}

/// The fields of a submitted form whose CSRF token checked out (any name may repeat).
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// The value, or "" when the field was not sent.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }
    /// Every (name, value) sent, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Refuses a form whose token does not belong to this browser and session (403).
pub fn check_csrf(req: &HttpRequest, given: Option<&str>) -> Result<(), AppError> {
    let visit = req.extensions().get::<Visit>().cloned();
    let key = req.app_data::<web::Data<CsrfKey>>();
    let ok = match (visit, key, given) {
        (Some(visit), Some(key), Some(given)) => {
            key.check(&visit.nonce, visit.session.as_deref().unwrap_or(""), given)
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        tracing::info!(
            path = req.path(),
            "form refused: missing or foreign CSRF token"
        );
        Err(AppError::Forbidden)
    }
}

/// Form bodies are small; uploads use multipart and their own limit.
pub const FORM_LIMIT: usize = 64 * 1024;

impl FromRequest for Fields {
    type Error = AppError;
    type Future = futures_util::future::LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let body = body.await.map_err(crate::error::unreadable_body)?;
            if body.len() > FORM_LIMIT {
                return Err(AppError::PayloadTooLarge);
            }
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
                .map_err(|_| AppError::BadRequest(Problem::FormUnreadable))?;
            let given = pairs
                .iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v.as_str());
            check_csrf(&req, given)?;
            Ok(Fields(pairs))
        })
    }
}
