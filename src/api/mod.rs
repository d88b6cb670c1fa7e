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
pub mod users;
pub mod views;

use actix_web::web;

use crate::error::AppError;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()))
        .route("/health", web::get().to(health::health))
        .route("/ready", web::get().to(health::ready))
        .service(
            web::scope("/api/v1")
                .wrap(actix_web::middleware::from_fn(
                    crate::auth::extract::authenticate,
                ))
                .route("/auth/login", web::post().to(auth::login))
                .route("/me", web::get().to(me::get_me))
                .route("/me/password", web::put().to(me::change_password))
                .route("/me/appraisals", web::get().to(appraisals::mine))
                .route("/appraisals/{id}", web::get().to(appraisals::get))
                .route(
                    "/appraisals/{id}/review",
                    web::post().to(appraisals::review),
                )
                .route("/cycles/{id}/report", web::get().to(appraisals::report))
                .route(
                    "/appraisals/{id}/acknowledge",
                    web::post().to(appeals::acknowledge),
                )
                .route("/appraisals/{id}/appeal", web::post().to(appeals::appeal))
                .route("/appeals", web::get().to(appeals::list))
                .route("/notices", web::get().to(notices::list))
                .route("/notices/{id}/retry", web::post().to(notices::retry))
                .route("/appeals/{id}/decision", web::post().to(appeals::decide))
                .route("/cycles/{id}/compute", web::post().to(appraisals::compute))
                .route(
                    "/cycles/{id}/appraisals",
                    web::get().to(appraisals::for_cycle),
                )
                .service(
                    web::resource("/departments")
                        .route(web::get().to(departments::list))
                        .route(web::post().to(departments::create)),
                )
                .service(
                    web::resource("/departments/{id}")
                        .route(web::get().to(departments::get))
                        .route(web::patch().to(departments::patch)),
                )
                .service(
                    web::resource("/users")
                        .route(web::get().to(users::list))
                        .route(web::post().to(users::create)),
                )
                .service(
                    web::resource("/users/{id}")
                        .route(web::get().to(users::get))
                        .route(web::patch().to(users::patch)),
                )
                .route("/audit-events", web::get().to(audit::list))
                .service(
                    web::resource("/cycles")
                        .route(web::get().to(cycles::list))
                        .route(web::post().to(cycles::create)),
                )
                .service(
                    web::resource("/cycles/{id}")
                        .route(web::get().to(cycles::get))
                        .route(web::patch().to(cycles::patch)),
                )
                .route("/cycles/{id}/state", web::post().to(cycles::change_state))
                .service(
                    web::resource("/cycles/{id}/scheme")
                        .route(web::get().to(cycles::get_scheme))
                        .route(web::put().to(cycles::put_scheme)),
                )
                .route("/cycles/{id}/evidence", web::get().to(cycles::evidence))
                .service(
                    web::resource("/checklists")
                        .route(web::get().to(checklists::list))
                        .route(web::post().to(checklists::create)),
                )
                .service(
                    web::resource("/checklists/{id}")
                        .route(web::get().to(checklists::get))
                        .route(web::put().to(checklists::edit)),
                )
                .service(
                    web::resource("/inspections")
                        .route(web::get().to(inspections::list))
                        .route(web::post().to(inspections::create)),
                )
                .service(
                    import_resource("/sales-targets")
                        .route(web::post().to(evidence::sales_targets)),
                )
                .service(
                    import_resource("/sales-records")
                        .route(web::post().to(evidence::sales_records)),
                )
                .service(
                    import_resource("/satisfaction-responses")
                        .route(web::post().to(evidence::satisfaction_responses)),
                )
                .route(
                    "/collaboration-ratings",
                    web::post().to(collaboration::rate),
                ),
        );
}

/// Bulk imports take bodies far larger than ordinary JSON (100k CSV rows).
fn import_resource(path: &str) -> actix_web::Resource {
    web::resource(path).app_data(web::PayloadConfig::new(import::IMPORT_BODY_LIMIT))
}
