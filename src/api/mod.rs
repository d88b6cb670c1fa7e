//! HTTP handlers, one file per resource (thin adapters over `crate::app`), and the route
//! table: each route's method, path, handler, who may call it, and how large a body it
//! takes, in one place.

pub mod appeals;
pub mod appraisals;
pub mod audit;
pub mod auth;
pub mod body;
pub mod checklists;
pub mod collaboration;
pub mod complaints;
pub mod cycles;
pub mod departments;
pub mod evidence;
pub mod health;
pub mod import;
pub mod inspections;
pub mod me;
pub mod notices;
pub mod openapi;
pub mod robots;
pub mod sla;
pub mod swagger;
pub mod users;
pub mod views;

use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::auth::extract::{admit, gate, Access};
use crate::error::{reader_locale, AppError};

/// How large a body a route reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// Ordinary JSON (the app's `PayloadConfig`, 64 KiB).
    Small,
    /// Bulk imports: 100k CSV rows.
    Import,
}

/// Declares the API's routes once: registers each under `/api/v1` behind the gate of its
/// access tier (401 / 403 before the handler or any extractor runs), with its body limit,
/// and lists them in [`ROUTES`], which the tests compare with the OpenAPI document. Every
/// path answers other methods with 405 and an `Allow` header.
macro_rules! api_routes {
    ($($path:literal $(, $body:ident)? => [$($method:ident $handler:path as $access:ident),+ $(,)?]),+ $(,)?) => {
        /// Every route under `/api/v1`: method, path, who may call.
        pub const ROUTES: &[(&str, &str, Access)] =
            &[$($((stringify!($method), $path, Access::$access)),+),+];

        fn api_v1(scope: actix_web::Scope) -> actix_web::Scope {
            scope$(.service(
                resource($path, &[$((stringify!($method), Access::$access)),+], api_routes!(@body $($body)?))
                    $(.route(
                        web::method(Method::$method)
                            .to($handler)
                            .wrap(actix_web::middleware::from_fn(gate(Access::$access))),
                    ))+
            ))+
        }
    };
    (@body) => { Body::Small };
    (@body import) => { Body::Import };
}

api_routes! {
    "/auth/login" => [POST auth::login as Public],
    "/auth/forgot" => [POST auth::forgot as Public],
    "/auth/reset" => [POST auth::reset as Public],
    "/openapi.json" => [GET openapi::document as Public],
    "/me" => [GET me::get_me as Any],
    "/me/password" => [PUT me::change_password as Any],
    "/me/appraisals" => [GET appraisals::mine as Any],
    "/departments" => [GET departments::list as Any, POST departments::create as Hr],
    "/departments/{id}" => [GET departments::get as Any, PATCH departments::patch as Hr],
    "/departments/{id}/robot" => [GET robots::get as Hr, PUT robots::put as Hr, DELETE robots::delete as Hr],
    "/users/bulk", import => [POST users::bulk as Hr],
    "/users" => [GET users::list as Hr, POST users::create as Hr],
    "/users/{id}" => [GET users::get as Hr, PATCH users::patch as Hr],
    "/users/{id}/setup-code" => [POST users::setup_code as Hr],
    "/cycles" => [GET cycles::list as Any, POST cycles::create as Hr],
    "/cycles/{id}" => [GET cycles::get as Any, PATCH cycles::patch as Hr],
    "/cycles/{id}/state" => [POST cycles::change_state as Hr],
    "/cycles/{id}/scheme" => [GET cycles::get_scheme as Hr, PUT cycles::put_scheme as Hr],
    "/cycles/{id}/evidence" => [GET cycles::evidence as Hr],
    "/cycles/{id}/compute" => [POST appraisals::compute as Hr],
    "/cycles/{id}/appraisals" => [GET appraisals::for_cycle as Supervisor],
    "/cycles/{id}/report" => [GET appraisals::report as Hr],
    "/cycles/{id}/complaints/report" => [GET complaints::report as Hr],
    "/cycles/{id}/export" => [GET appraisals::export as Supervisor],
    "/checklists" => [GET checklists::list as Any, POST checklists::create as Hr],
    "/checklists/{id}" => [GET checklists::get as Any, PUT checklists::edit as Hr],
    "/inspections" => [GET inspections::list as Any, POST inspections::create as Supervisor],
    "/sales-targets", import => [POST evidence::sales_targets as Hr],
    "/sales-records", import => [POST evidence::sales_records as Hr],
    "/satisfaction-responses", import => [POST evidence::satisfaction_responses as Hr],
    "/collaboration-ratings" => [POST collaboration::rate as Any],
    "/appraisals/{id}" => [GET appraisals::get as Any],
    "/appraisals/{id}/review" => [POST appraisals::review as Supervisor],
    "/appraisals/{id}/acknowledge" => [POST appeals::acknowledge as Any],
    "/appraisals/{id}/appeal" => [POST appeals::appeal as Any],
    "/appeals" => [GET appeals::list as Hr],
    "/appeals/{id}/decision" => [POST appeals::decide as Hr],
    "/audit-events" => [GET audit::list as Hr],
    "/notices" => [GET notices::list as Hr],
    "/notices/{id}/retry" => [POST notices::retry as Hr],
    "/sla-policy" => [GET sla::get as Any, PUT sla::put as Hr],
    "/complaints", import => [GET complaints::list as Any, POST complaints::create as Any],
    "/complaints/{id}" => [GET complaints::get as Any],
    "/complaints/{id}/events" => [POST complaints::event as Any],
}

/// Routes outside `/api/v1`: the probes.
pub const PROBES: &[(&str, &str)] = &[("GET", "/health"), ("GET", "/ready")];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .service(probe("/health").route(web::get().to(health::health)))
        .service(probe("/ready").route(web::get().to(health::ready)))
        .service(probe("/docs").route(web::get().to(swagger::root)))
        .service(
            probe("/docs/{tail:.*}")
                .route(web::get().to(swagger::file))
                .wrap(actix_web::middleware::Compress::default()),
        )
        .service(
            api_v1(web::scope("/api/v1"))
                .wrap(actix_web::middleware::from_fn(crate::error::localize))
                .default_service(web::to(|req: HttpRequest| async move {
                    unrouted(&req, StatusCode::NOT_FOUND, "")
                })),
        );
}

/// A public GET resource outside `/api/v1` (other methods: 405 with `Allow`).
fn probe(path: &str) -> actix_web::Resource {
    resource(path, &[("GET", Access::Public)], Body::Small)
}

/// The answer of a path or method no route serves: without a valid token 401, as on every
/// route that needs one (so tokenless callers learn nothing of what exists); else 404, or
/// 405 naming the methods the path allows.
fn unrouted(req: &HttpRequest, status: StatusCode, allow: &str) -> HttpResponse {
    let locale = reader_locale(req);
    if let Err(error) = admit(req, Access::Any) {
        return error.render(locale);
    }
    let mut response = AppError::problem_for_status(status, locale);
    if !allow.is_empty() {
        response.headers_mut().insert(
            header::ALLOW,
            header::HeaderValue::from_str(allow).expect("method names are header-safe"),
        );
    }
    response
}

/// A resource whose other methods answer 405 with `Allow` (401 first for a route that is
/// not public, when the token is missing). Bulk imports take bodies far larger than
/// ordinary JSON (100k CSV rows).
fn resource(path: &str, methods: &[(&str, Access)], body: Body) -> actix_web::Resource {
    let allow = methods
        .iter()
        .map(|(m, _)| *m)
        .collect::<Vec<_>>()
        .join(", ");
    let public = methods.iter().all(|(_, a)| *a == Access::Public);
    let resource = web::resource(path).default_service(web::to(move |req: HttpRequest| {
        let answer = if public {
            let mut response =
                AppError::problem_for_status(StatusCode::METHOD_NOT_ALLOWED, reader_locale(&req));
            response.headers_mut().insert(
                header::ALLOW,
                header::HeaderValue::from_str(&allow).expect("method names are header-safe"),
            );
            response
        } else {
            unrouted(&req, StatusCode::METHOD_NOT_ALLOWED, &allow)
        };
        std::future::ready(answer)
    }));
    match body {
        Body::Small => resource,
        Body::Import => resource.app_data(web::PayloadConfig::new(import::IMPORT_BODY_LIMIT)),
    }
}
