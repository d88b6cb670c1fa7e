//! One-time links to set or reset a password, and set-up codes (for people without email:
//! HR hands the code over, the person types it). The link carries a random token, the code
//! is one; only its SHA-256 is stored, so the table does not hold anything that opens an
//! account. A token or code is used once, and not after it expires.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::now;
use super::secret_digest as digest;
use crate::db::schema::password_tokens;
use crate::db::DbConn;
use crate::error::AppError;

/// What a link is for: a first password (an account made without one) or a new one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr, strum::VariantNames,
)]
#[strum(serialize_all = "lowercase")]
pub enum Purpose {
    Setup,
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// How long a link stays good: a week to set a first password (the person may be on
    /// leave), a day to reset one.
    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::Setup => Duration::days(7),
            Purpose::Reset => Duration::hours(24),
        }
    }
}

/// A new token for `user`, and when it expires. Earlier unused tokens of the same purpose
/// stop working: only the newest link opens the form.
pub fn issue(
    conn: &mut DbConn,
    user: i32,
    purpose: Purpose,
) -> Result<(String, NaiveDateTime), AppError> {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    store(conn, user, purpose, &token)
}

/// The letters of a set-up code: capitals and digits without the ones read alike (0/O,
/// 1/I/L), 31 of them.
const CODE_LETTERS: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Letters in a code: 12 of 31, about 59 bits, for a code good for a week and once.
const CODE_LENGTH: usize = 12;

/// A new set-up code for `user` (a first password, for someone without email), shown as
/// `ABCD-EFGH-JKMN`, and when it expires (as a mailed set-up link: a week). Earlier unused
/// set-up links and codes stop working.
pub fn issue_code(conn: &mut DbConn, user: i32) -> Result<(String, NaiveDateTime), AppError> {
    let mut code = String::with_capacity(CODE_LENGTH);
    while code.len() < CODE_LENGTH {
        let mut byte = [0u8; 1];
        OsRng.fill_bytes(&mut byte);
        // Rejection sampling: only bytes below the largest multiple of the alphabet's size.
        let n = CODE_LETTERS.len();
        if usize::from(byte[0]) < 256 - 256 % n {
            code.push(char::from(CODE_LETTERS[usize::from(byte[0]) % n]));
        }
    }
    // A code replaces every link still open for the person, reset links included: whoever
    // holds an old mail cannot use it once HR has handed over a code.
    expire_all(conn, user)?;
    let (_, expires) = store(conn, user, Purpose::Setup, &code)?;
    let shown = code
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("ASCII"))
        .collect::<Vec<_>>()
        .join("-");
    Ok((shown, expires))
}

/// A token as typed: a set-up code with its dashes or spaces and in any case becomes the
/// code as issued; anything else (a link's token) stays as it is.
fn typed(token: &str) -> String {
    let squeezed: String = token
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if squeezed.len() == CODE_LENGTH && squeezed.bytes().all(|b| CODE_LETTERS.contains(&b)) {
        squeezed
    } else {
        token.to_owned()
    }
}

/// Every unused link and code of `user` stops working (a code was given, or their email
/// changed: a link mailed to the old address must not open the account).
pub fn expire_all(conn: &mut DbConn, user: i32) -> Result<(), AppError> {
    let at = now();
    diesel::update(
        password_tokens::table
            .filter(password_tokens::user_id.eq(user))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(at)),
    )
    .set(password_tokens::expires_at.eq(at))
    .execute(conn)?;
    Ok(())
}

/// Whether `user` holds a set-up link or code that still works.
pub fn has_live_setup(conn: &mut DbConn, user: i32) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(
        password_tokens::table
            .filter(password_tokens::user_id.eq(user))
            .filter(password_tokens::purpose.eq(Purpose::Setup.as_str()))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(now())),
    ))
    .get_result(conn)?)
}

fn store(
    conn: &mut DbConn,
    user: i32,
    purpose: Purpose,
    token: &str,
) -> Result<(String, NaiveDateTime), AppError> {
    let token = token.to_owned();
    let at = now();
    let expires = at + purpose.lifetime();
    diesel::update(
        password_tokens::table
            .filter(password_tokens::user_id.eq(user))
            .filter(password_tokens::purpose.eq(purpose.as_str()))
            .filter(password_tokens::used_at.is_null()),
    )
    .set(password_tokens::expires_at.eq(at))
    .execute(conn)?;
    diesel::insert_into(password_tokens::table)
        .values((
            password_tokens::user_id.eq(user),
            password_tokens::token_hash.eq(digest(&token)),
            password_tokens::purpose.eq(purpose.as_str()),
            password_tokens::created_at.eq(at),
            password_tokens::expires_at.eq(expires),
        ))
        .execute(conn)?;
    Ok((token, expires))
}

/// The person a token was issued to, marking it used; `None` for a token that is unknown,
/// used or expired (the three answer alike).
pub fn redeem(conn: &mut DbConn, token: &str) -> Result<Option<i32>, AppError> {
    let at = now();
    // One statement: two requests with the same token cannot both use it.
    let user: Option<i32> = diesel::update(
        password_tokens::table
            .filter(password_tokens::token_hash.eq(digest(&typed(token))))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(at)),
    )
    .set(password_tokens::used_at.eq(Some(at)))
    .returning(password_tokens::user_id)
    .get_result(conn)
    .optional()?;
    Ok(user)
}

/// Whether `token` would open the form now (the reset page shows the form only then).
pub fn is_valid(conn: &mut DbConn, token: &str) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(
        password_tokens::table
            .filter(password_tokens::token_hash.eq(digest(&typed(token))))
            .filter(password_tokens::used_at.is_null())
            .filter(password_tokens::expires_at.gt(now())),
    ))
    .get_result(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_digest_is_kept() {
        let d = digest("abc");
        assert_eq!(d.len(), 64);
        assert_ne!(d, "abc");
        assert_eq!(d, digest("abc"));
    }
}

#[cfg(test)]
mod code_tests {
    use super::{typed, CODE_LENGTH, CODE_LETTERS};

    #[test]
    fn a_code_is_read_as_typed_and_a_link_token_as_it_is() {
        assert_eq!(typed("abcd-efgh-jkmn"), "ABCDEFGHJKMN");
        assert_eq!(typed(" ABCD EFGH JKMN "), "ABCDEFGHJKMN");
        // A letter a code never has, or another length: not a code.
        assert_eq!(typed("ABCD-EFGH-JKMO"), "ABCD-EFGH-JKMO");
        let link = "q8Yx0Zl3v9KqJpXw1mRkzS2bT4cUeV5fW6gYh7iAj8o";
        assert_eq!(typed(link), link);
        assert_eq!(CODE_LETTERS.len(), 31);
        assert_eq!(CODE_LENGTH, 12);
    }
}
