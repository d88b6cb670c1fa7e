//! HTTP handlers, one file per resource, and the route table.

pub mod appeals;
pub mod appraisals;
pub mod audit;
pub mod auth;
pub mod body;
pub mod checklists;
pub mod collaboration;
pub mod cycles;
pub mod departments;
pub mod evidence;
pub mod health;
pub mod import;
pub mod inspections;
pub mod me;
pub mod notices;
pub mod openapi;
pub mod users;
pub mod views;

use actix_web::http::{header, Method};
use actix_web::web;

use crate::error::AppError;

/// Declares the API's routes once: registers them under `/api/v1` and lists them in
/// [`ROUTES`], which a test compares with the OpenAPI document. Every path answers other
/// methods with 405 and an `Allow` header.
macro_rules! api_routes {
    ($($path:literal => [$($method:ident $handler:path),+ $(,)?]),+ $(,)?) => {
        /// Every route under `/api/v1`, as (method, path).
        pub const ROUTES: &[(&str, &str)] = &[$($((stringify!($method), $path)),+),+];

        fn api_v1(scope: actix_web::Scope) -> actix_web::Scope {
            scope$(.service(
                resource($path, &[$(stringify!($method)),+])
                    $(.route(web::method(Method::$method).to($handler)))+
            ))+
        }
    };
}

api_routes! {
    "/auth/login" => [POST auth::login],
    "/openapi.json" => [GET openapi::document],
    "/me" => [GET me::get_me],
    "/me/password" => [PUT me::change_password],
    "/me/appraisals" => [GET appraisals::mine],
    "/departments" => [GET departments::list, POST departments::create],
    "/departments/{id}" => [GET departments::get, PATCH departments::patch],
    "/users" => [GET users::list, POST users::create],
    "/users/{id}" => [GET users::get, PATCH users::patch],
    "/cycles" => [GET cycles::list, POST cycles::create],
    "/cycles/{id}" => [GET cycles::get, PATCH cycles::patch],
    "/cycles/{id}/state" => [POST cycles::change_state],
    "/cycles/{id}/scheme" => [GET cycles::get_scheme, PUT cycles::put_scheme],
    "/cycles/{id}/evidence" => [GET cycles::evidence],
    "/cycles/{id}/compute" => [POST appraisals::compute],
    "/cycles/{id}/appraisals" => [GET appraisals::for_cycle],
    "/cycles/{id}/report" => [GET appraisals::report],
    "/checklists" => [GET checklists::list, POST checklists::create],
    "/checklists/{id}" => [GET checklists::get, PUT checklists::edit],
    "/inspections" => [GET inspections::list, POST inspections::create],
    "/sales-targets" => [POST evidence::sales_targets],
    "/sales-records" => [POST evidence::sales_records],
    "/satisfaction-responses" => [POST evidence::satisfaction_responses],
    "/collaboration-ratings" => [POST collaboration::rate],
    "/appraisals/{id}" => [GET appraisals::get],
    "/appraisals/{id}/review" => [POST appraisals::review],
    "/appraisals/{id}/acknowledge" => [POST appeals::acknowledge],
    "/appraisals/{id}/appeal" => [POST appeals::appeal],
    "/appeals" => [GET appeals::list],
    "/appeals/{id}/decision" => [POST appeals::decide],
    "/audit-events" => [GET audit::list],
    "/notices" => [GET notices::list],
    "/notices/{id}/retry" => [POST notices::retry],
}

/// Routes outside `/api/v1`: the probes.
pub const PROBES: &[(&str, &str)] = &[("GET", "/health"), ("GET", "/ready")];

/// Paths under `/api/v1` that need no token.
pub const PUBLIC: &[&str] = &["/api/v1/auth/login", "/api/v1/openapi.json"];

/// GET paths whose handler checks the caller's account in the same database call as its
/// query (through [`crate::auth::Caller`]): the authentication middleware only verifies
/// their token. This is the read every employee makes; one blocking call instead of two
/// doubles its throughput (docs/PERFORMANCE.md).
pub const ONE_CALL: &[&str] = &["/api/v1/me/appraisals"];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .service(resource("/health", &["GET"]).route(web::get().to(health::health)))
        .service(resource("/ready", &["GET"]).route(web::get().to(health::ready)))
        .service(resource("/docs", &["GET"]).route(web::get().to(openapi::docs)))
        .service(
            api_v1(web::scope("/api/v1")).wrap(actix_web::middleware::from_fn(
                crate::auth::extract::authenticate,
            )),
        );
}

/// A resource that answers methods it does not serve with 405 and `Allow`. Bulk imports
/// take bodies far larger than ordinary JSON (100k CSV rows).
fn resource(path: &str, methods: &[&str]) -> actix_web::Resource {
    let allow = methods.join(", ");
    let resource = web::resource(path).default_service(web::to(move || {
        let mut response =
            AppError::problem_for_status(actix_web::http::StatusCode::METHOD_NOT_ALLOWED);
        response.headers_mut().insert(
            header::ALLOW,
            header::HeaderValue::from_str(&allow).expect("method names are header-safe"),
        );
        std::future::ready(response)
    }));
    if [
        "/sales-targets",
        "/sales-records",
        "/satisfaction-responses",
    ]
    .contains(&path)
    {
        resource.app_data(web::PayloadConfig::new(import::IMPORT_BODY_LIMIT))
    } else {
        resource
    }
}
