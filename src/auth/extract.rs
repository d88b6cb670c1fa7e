//! Role tiers as extractors: `AuthUser` (any valid token of an active user) → `Supervisor`
//! (supervisor or HR) → `Hr`. A handler's signature says who may call it.

use std::ops::Deref;

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::token::TokenKeys;
use crate::db::{Db, DbConn};
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::users::{self, User};

const REJECTED: &str = "a valid bearer token is required";

/// The authenticated caller, re-read from the database on every request (by
/// [`authenticate`]).
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

/// Middleware for the API scope: every request outside the public paths is authenticated
/// here, before routing and before any extractor reads its body, so a caller without a
/// valid token gets 401 (and one without the role 403) whatever the method, path or body,
/// and large bodies are never read for them. A public path ignores a token it does not
/// need only when none is sent; a token that is sent is always checked. On the GET paths of
/// [`crate::api::ONE_CALL`] the account check moves into the handler's database call (GET
/// has no body to read first).
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let public = crate::api::PUBLIC.contains(&req.path());
    if !public || req.headers().contains_key(AUTHORIZATION) {
        let caller = verify_token(req.request())?;
        let one_call = req.method() == actix_web::http::Method::GET
            && crate::api::ONE_CALL.contains(&req.path());
        if one_call {
            req.extensions_mut().insert(caller);
        } else {
            let user = load(req.request(), caller).await?;
            req.extensions_mut().insert(user);
        }
    }
    next.call(req).await
}

/// A caller whose token is verified (signature, claims) but whose account is still to be
/// checked: by [`Caller::user`], inside the handler's own database call.
#[derive(Debug, Clone)]
pub struct Caller {
    id: i32,
    role: String,
    version: i32,
}

impl Caller {
    /// The caller's account, while it is active at the token's version and role; 401
    /// otherwise (a deactivated user is locked out at once, whatever the token says).
    pub fn user(&self, conn: &mut DbConn) -> Result<User, AppError> {
        let user = match users::get(conn, self.id) {
            Ok(user) => user,
            Err(AppError::NotFound) => return Err(AppError::Unauthorized(REJECTED)),
            Err(other) => return Err(other),
        };
        if !user.active || user.token_version != self.version || user.role != self.role {
            tracing::info!(
                user_id = self.id,
                "token of an inactive user or an older version"
            );
            return Err(AppError::Unauthorized(REJECTED));
        }
        Ok(user)
    }
}

fn verify_token(req: &HttpRequest) -> Result<Caller, AppError> {
    verify(req, bearer(req).as_deref())
}

/// The caller a token names, once its signature and claims pass (the API reads the token
/// from the `Authorization` header, the pages from their session cookie).
pub fn verify(req: &HttpRequest, token: Option<&str>) -> Result<Caller, AppError> {
    let keys = req
        .app_data::<web::Data<TokenKeys>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("auth state not configured")))?;
    let token = token.ok_or(AppError::Unauthorized(REJECTED))?;
    let claims = keys.verify(token).map_err(|reason| {
        tracing::info!(reason = %reason, "token rejected");
        AppError::Unauthorized(REJECTED)
    })?;
    let id: i32 = claims
        .sub
        .parse()
        .map_err(|_| AppError::Unauthorized(REJECTED))?;
    Ok(Caller {
        id,
        role: claims.role,
        version: claims.ver,
    })
}

/// The caller's account, checked by [`Caller::user`] off the async workers.
pub async fn load(req: &HttpRequest, caller: Caller) -> Result<AuthUser, AppError> {
    let db = req
        .app_data::<web::Data<Db>>()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("auth state not configured")))?;
    let user = db.run(move |conn| caller.user(conn)).await?;
    Ok(AuthUser(user))
}

/// What [`authenticate`] left for the handler: a [`Caller`] or an [`AuthUser`].
fn left_by_middleware<T: Clone + 'static>(req: &HttpRequest) -> Ready<Result<T, AppError>> {
    ready(
        req.extensions()
            .get::<T>()
            .cloned()
            .ok_or(AppError::Unauthorized(REJECTED)),
    )
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        left_by_middleware(req)
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        left_by_middleware(req)
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
            type Future = Ready<Result<Self, AppError>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let user = req.extensions().get::<AuthUser>().cloned();
                ready(match user {
                    None => Err(AppError::Unauthorized(REJECTED)),
                    Some(user) if ($tier)(user.role()) => Ok($name(user)),
                    Some(_) => Err(AppError::Forbidden),
                })
            }
        }
    };
}

role_tier!(
    /// A supervisor or HR.
    Supervisor,
    |role: Role| role.at_least(Role::Supervisor)
);
role_tier!(
    /// HR only.
    Hr,
    |role: Role| role == Role::Hr
);
role_tier!(
    /// A supervisor and not HR: reviewing appraisals is the supervisors' own function (HR
    /// runs appraisals and does not review them).
    Reviewer,
    |role: Role| role == Role::Supervisor
);
