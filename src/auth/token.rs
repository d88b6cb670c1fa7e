//! HS256 access tokens. Verification is strict: only HS256, a valid signature, `exp`,
//! `iat`, `iss`, `aud` and `sub` all present and right; `nbf` honoured when present; an `iat`
//! in the future is refused. Whether the user is still active and the token version still
//! current is checked by the extractor against the database on every request.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::store::users::User;

pub const ISSUER: &str = "service-appraisal";
pub const AUDIENCE: &str = "service-appraisal-api";
/// Clock skew tolerated between instances, in seconds.
const LEEWAY_SECONDS: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The user's token version when the token was issued.
    pub ver: i32,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_seconds: i64,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_minutes: u32) -> TokenKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_seconds: i64::from(ttl_minutes) * 60,
            validation,
        }
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    pub fn issue(&self, user: &User) -> Result<String, AppError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.to_string(),
            role: user.role.as_str().to_owned(),
            iat: now,
            exp: now + self.ttl_seconds,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            ver: user.token_version,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(anyhow::anyhow!("cannot sign token: {e}")))
    }

    /// The claims of a token that passes every check, or the reason it does not (for logs;
    /// clients only ever learn that the token was not accepted).
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| e.to_string())?
            .claims;
        if claims.iat > Utc::now().timestamp() + LEEWAY_SECONDS as i64 {
            return Err("issued in the future".into());
        }
        Ok(claims)
    }
}
