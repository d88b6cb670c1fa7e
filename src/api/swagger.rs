//! `/docs`: Swagger UI, served by the binary from the files `utoipa-swagger-ui` vendors (no
//! request leaves the machine, at build or run time), over this service's own OpenAPI
//! document, so that an integrator can try a call with a token. The validator is off (it
//! would call swagger.io). The hand-rendered reference stays beside it at
//! `/docs/reference`.

use std::sync::{Arc, LazyLock};

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use utoipa_swagger_ui::Config;

/// Swagger UI's own scripts set inline styles; everything else is this site's.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

static CONFIG: LazyLock<Arc<Config<'static>>> = LazyLock::new(|| {
    Arc::new(
        Config::new(["/api/v1/openapi.json"])
            .validator_url("none")
            .try_it_out_enabled(true)
            // The token stays in the page's memory, not in the browser's storage.
            .persist_authorization(false),
    )
});

/// `/docs` → `/docs/` (Swagger UI's files are relative to it).
pub async fn root() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// One of Swagger UI's files (`/docs/` is its page).
pub async fn file(tail: web::Path<String>) -> HttpResponse {
    let tail = tail.into_inner();
    match utoipa_swagger_ui::serve(&tail, CONFIG.clone()) {
        Ok(Some(file)) => {
            // The page and its configuration follow this build; the library files are the
            // same for a day at least.
            let cache =
                if tail.is_empty() || tail.ends_with(".html") || tail == "swagger-initializer.js" {
                    "no-cache"
                } else {
                    "public, max-age=86400"
                };
            HttpResponse::Ok()
                .content_type(file.content_type)
                .insert_header((header::CACHE_CONTROL, cache))
                .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
                .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .insert_header((header::REFERRER_POLICY, "same-origin"))
                .body(file.bytes.into_owned())
        }
        Ok(None) | Err(_) => HttpResponse::NotFound().finish(),
    }
}
