//! Who calls, and whether they may: the token verified (signature and claims) and the
//! route's role tier checked from it before anything else happens, by [`gate`], which the
//! route table puts in front of every handler; the account itself (active, at the token's
//! version and role) checked by [`Caller::account`] inside the use case's own database call
//! (`app::App::write` / `read`), so there is one blocking call per request and a person
//! deactivated a moment ago can no longer act.
//!
//! The pages read their session cookie with [`verify`] and load the account for their
//! header and language with [`load`]; their handlers take the role tiers ([`Hr`],
//! [`Supervisor`]) built on [`AuthUser`].

use std::future::{ready, Ready};
use std::ops::Deref;

use actix_web::body::BoxBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::token::TokenKeys;
use crate::db::{Db, DbConn};
use crate::domain::problem::Problem;
use crate::domain::user::Role;
use crate::error::AppError;
use crate::store::users::{self, User};

fn rejected() -> AppError {
    AppError::Unauthorized(Problem::TokenRequired)
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; a token, when one is sent, must still be valid.
    Public,
    /// Any role.
    Any,
    /// Supervisors and HR (reviewing too: `domain::user::may_review` decides per
    /// appraisal).
    Supervisor,
    /// HR only.
    Hr,
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Any => true,
            Access::Supervisor => role.at_least(Role::Supervisor),
            Access::Hr => role == Role::Hr,
        }
    }

    /// The roles that may call, as the OpenAPI document lists them.
    pub fn roles(self) -> &'static [&'static str] {
        match self {
            Access::Public => &[],
            Access::Any => &["staff", "supervisor", "hr"],
            Access::Supervisor => &["supervisor", "hr"],
            Access::Hr => &["hr"],
        }
    }
}

/// A caller whose token is verified (signature, claims, and the route's role tier by its
/// claim) but whose account is still to be checked, by [`Caller::account`], in the use
/// case's own database call.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: i32,
    pub role: Role,
    version: i32,
}

impl Caller {
    /// The caller's account, while it is active at the token's version and role; 401
    /// otherwise (a deactivated user is locked out at once, whatever the token says).
    pub fn account(&self, conn: &mut DbConn) -> Result<User, AppError> {
        let user = match users::get(conn, self.id) {
            Ok(user) => user,
            Err(AppError::NotFound) => return Err(rejected()),
            Err(other) => return Err(other),
        };
        if !user.active || user.token_version != self.version || user.role != self.role {
            tracing::info!(
                user_id = self.id,
                "token of an inactive user or an older version"
            );
            return Err(rejected());
        }
        Ok(user)
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

/// The caller a token names, once its signature and claims pass (the API reads the token
/// from the `Authorization` header, the pages from their session cookie).
pub fn verify(req: &HttpRequest, token: Option<&str>) -> Result<Caller, AppError> {
    let keys = req
        .app_data::<web::Data<TokenKeys>>()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("auth state not configured")))?;
    let token = token.ok_or_else(rejected)?;
    let claims = keys.verify(token).map_err(|reason| {
        tracing::info!(reason = %reason, "token rejected");
        rejected()
    })?;
    let id: i32 = claims.sub.parse().map_err(|_| rejected())?;
    let role = Role::parse(&claims.role).map_err(|_| rejected())?;
    Ok(Caller {
        id,
        role,
        version: claims.ver,
    })
}

/// The caller of an API request, by its bearer token, allowed by `access`: 401 without a
/// valid token, 403 for a role the tier does not admit.
pub fn admit(req: &HttpRequest, access: Access) -> Result<Option<Caller>, AppError> {
    if access == Access::Public && !req.headers().contains_key(AUTHORIZATION) {
        return Ok(None);
    }
    let caller = verify(req, bearer(req).as_deref())?;
    let tiers = req
        .app_data::<actix_web::web::Data<crate::settings::RouteTiers>>()
        .is_none_or(|t| t.0);
    if tiers && !access.allows(caller.role) {
        return Err(AppError::Forbidden);
    }
    Ok(Some(caller))
}

/// The answer of [`gate`]'s middleware, when it comes.
pub type Gated = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>>>,
>;

/// Middleware in front of one route (the route table puts it there with the route's
/// [`Access`]): before routing to the handler and before any extractor reads a body, a
/// caller without a valid token gets 401 and one without the role 403, and large bodies are
/// never read for them. A public route ignores a token it does not need only when none is
/// sent; a token that is sent is always checked.
pub fn gate(access: Access) -> impl Fn(ServiceRequest, Next<BoxBody>) -> Gated + Clone + 'static {
    move |req: ServiceRequest, next: Next<BoxBody>| {
        Box::pin(async move {
            if let Some(caller) = admit(req.request(), access)? {
                req.extensions_mut().insert(caller);
            }
            Ok(next.call(req).await?.map_into_boxed_body())
        })
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or_else(rejected),
        )
    }
}

/// The authenticated visitor of a page, re-read from the database by the pages' gate.
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

/// The account of a verified caller, checked off the async workers (the pages' gate).
pub async fn load(req: &HttpRequest, caller: Caller) -> Result<AuthUser, AppError> {
    let db = req
        .app_data::<web::Data<Db>>()
        .cloned()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("auth state not configured")))?;
    let user = db.run(move |conn| caller.account(conn)).await?;
    Ok(AuthUser(user))
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<AuthUser>()
                .cloned()
                .ok_or_else(rejected),
        )
    }
}

macro_rules! role_tier {
    ($(#[$doc:meta])* $name:ident, $access:expr) => {
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
                    None => Err(rejected()),
                    Some(user) if $access.allows(user.role()) => Ok($name(user)),
                    Some(_) => Err(AppError::Forbidden),
                })
            }
        }
    };
}

role_tier!(
    /// A page for supervisors and HR.
    Supervisor,
    Access::Supervisor
);
role_tier!(
    /// A page for HR only.
    Hr,
    Access::Hr
);
