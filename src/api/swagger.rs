//! `/docs`: Swagger UI, served by the binary from the files `utoipa-swagger-ui` vendors (no
//! request leaves the machine, at build or run time), over this service's own OpenAPI
//! document, so that an integrator can try a call with a token. The validator is off (it
//! would call swagger.io). The page is this site's own (`INDEX`, with `docs.css` and
//! `docs.js`), so that it has a viewport and passes axe.

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
            // No top bar (its address box and button have no names a reader announces), and
            // operations without deep links (a link inside the operation's button is a
            // control inside a control).
            .use_base_layout()
            .deep_linking(false)
            // Plain code: the highlighter's colours are too light to read on its background.
            .with_syntax_highlight(false)
            // No separate list of schemas at the foot (each operation shows its own).
            .default_models_expand_depth(-1)
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

/// The page itself: Swagger UI's, with a viewport for phones, the product's title, a `main`
/// landmark, and this site's additions: a stylesheet (contrast, wrapping, a phone's width)
/// and a script naming the controls Swagger UI leaves unnamed.
const INDEX: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Service Appraisal API</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="./index.css">
    <link rel="stylesheet" type="text/css" href="./docs.css">
    <link rel="icon" href="/favicon.ico">
  </head>
  <body>
    <main id="swagger-ui"></main>
    <script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="./swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="./swagger-initializer.js" charset="UTF-8"></script>
    <script src="./docs.js" charset="UTF-8"></script>
  </body>
</html>
"#;

const DOCS_CSS: &str = include_str!("docs.css");
const DOCS_JS: &str = include_str!("docs.js");

/// One of Swagger UI's files (`/docs/` is its page).
pub async fn file(tail: web::Path<String>) -> HttpResponse {
    let tail = tail.into_inner();
    let own = match tail.as_str() {
        "" | "index.html" => Some(("text/html; charset=utf-8", INDEX)),
        "docs.css" => Some(("text/css; charset=utf-8", DOCS_CSS)),
        "docs.js" => Some(("text/javascript; charset=utf-8", DOCS_JS)),
        _ => None,
    };
    if let Some((kind, body)) = own {
        return HttpResponse::Ok()
            .content_type(kind)
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::REFERRER_POLICY, "same-origin"))
            .body(body);
    }
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
