//! HTTP handlers, one file per resource, and the route table.

pub mod audit;
pub mod auth;
pub mod body;
pub mod departments;
pub mod health;
pub mod me;
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
                .route("/auth/login", web::post().to(auth::login))
                .route("/me", web::get().to(me::get_me))
                .route("/me/password", web::put().to(me::change_password))
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
                .route("/audit-events", web::get().to(audit::list)),
        );
}
