//! Role tiers as extractors: `AuthUser` (any valid token of an active user) → `Supervisor`
//! (supervisor or HR) → `Hr`. A handler's signature says who may call it.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::token::TokenKeys;
use crate::db::Db;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::users::{self, User};

const REJECTED: &str = "a valid bearer token is required";

/// The authenticated caller, re-read from the database on every request.
#[derive(Debug, Clone)]
pub struct AuthUser(pub User);

impl AuthUser {
    pub fn id(&self) -> i32 {
        self.0.id
    }
    pub fn role(&self) -> Role {
        self.0.role()
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let keys = req.app_data::<web::Data<TokenKeys>>().cloned();
        let db = req.app_data::<web::Data<Db>>().cloned();
        Box::pin(async move {
            let (Some(keys), Some(db)) = (keys, db) else {
                return Err(AppError::internal(anyhow::anyhow!(
                    "auth state not configured"
                )));
            };
            let token = token.ok_or(AppError::Unauthorized(REJECTED))?;
            let claims = keys.verify(&token).map_err(|reason| {
                tracing::info!(reason = %reason, "token rejected");
                AppError::Unauthorized(REJECTED)
            })?;
            let id: i32 = claims
                .sub
                .parse()
                .map_err(|_| AppError::Unauthorized(REJECTED))?;
            let user = match db.run(move |conn| users::get(conn, id)).await {
                Ok(user) => user,
                Err(AppError::NotFound) => return Err(AppError::Unauthorized(REJECTED)),
                Err(other) => return Err(other),
            };
            if !user.active || user.token_version != claims.ver || user.role != claims.role {
                tracing::info!(
                    user_id = id,
                    "token of an inactive user or an older version"
                );
                return Err(AppError::Unauthorized(REJECTED));
            }
            Ok(AuthUser(user))
        })
    }
}

macro_rules! role_tier {
    ($(#[$doc:meta])* $name:ident, $tier:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub AuthUser);

        impl Deref for $name {
            type Target = AuthUser;
            fn deref(&self) -> &AuthUser {
                &self.0
            }
        }

        impl FromRequest for $name {
            type Error = AppError;
            type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

            fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
                let user = AuthUser::from_request(req, payload);
                Box::pin(async move {
                    let user = user.await?;
                    if user.role().at_least($tier) {
                        Ok($name(user))
                    } else {
                        Err(AppError::Forbidden)
                    }
                })
            }
        }
    };
}

role_tier!(
    /// A supervisor or HR.
    Supervisor,
    Role::Supervisor
);
role_tier!(
    /// HR only.
    Hr,
    Role::Hr
);
