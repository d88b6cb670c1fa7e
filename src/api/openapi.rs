//! The OpenAPI 3.1 document, generated from the handlers' annotations (Swagger UI shows it at
//! `/docs/`, `api/swagger.rs`).
//!
//! The handlers declare their success answers, parameters, bodies and the roles that may call
//! them (as the scopes of the `bearer` requirement). The error answers every operation shares
//! follow from that, so they are added here from one rule instead of restated per handler:
//! 401 with a token requirement, 403 when not every role may call, 404 with a path id, 400
//! and 422 with parameters or a body, 413 and 415 with a body.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use crate::auth::extract::Access;

use super::{
    appeals, appraisals, audit, auth, checklists, collaboration, complaints, cycles, departments,
    evidence, health, inspections, me, notices, robots, sla, users,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Service Appraisal",
        description = "Weighted, explainable customer-service appraisals: sales, customer \
            satisfaction, etiquette inspections and cross-department collaboration. \
            Every operation says which roles may call it (the scopes of its `bearer` \
            requirement); an object outside the caller's scope answers 404. Every error \
            answer is a problem (RFC 9457) with a stable `code` and its words in the \
            language of `Accept-Language` (zh-CN or en; en when absent)."
    ),
    paths(
        auth::login,
        auth::forgot,
        auth::reset,
        document,
        health::health,
        health::ready,
        me::get_me,
        me::change_password,
        appraisals::mine,
        departments::list,
        departments::create,
        departments::get,
        departments::patch,
        users::list,
        users::create,
        users::bulk,
        users::get,
        users::patch,
        users::setup_code,
        cycles::list,
        cycles::create,
        cycles::get,
        cycles::patch,
        cycles::change_state,
        cycles::get_scheme,
        cycles::put_scheme,
        cycles::evidence,
        appraisals::compute,
        appraisals::for_cycle,
        appraisals::report,
        appraisals::export,
        checklists::list,
        checklists::create,
        checklists::get,
        checklists::edit,
        inspections::list,
        inspections::create,
        evidence::sales_targets,
        evidence::sales_records,
        evidence::satisfaction_responses,
        collaboration::rate,
        appraisals::get,
        appraisals::review,
        appeals::acknowledge,
        appeals::appeal,
        appeals::list,
        appeals::decide,
        audit::list,
        notices::list,
        notices::retry,
        sla::get,
        sla::put,
        complaints::list,
        complaints::create,
        complaints::get,
        complaints::event,
        complaints::report,
        robots::get,
        robots::put,
        robots::delete,
    ),
    components(schemas(
        crate::error::ProblemBody,
        crate::domain::appraisal::AppealState,
        crate::app::view::NoticeStatus,
        crate::app::view::NoticeKind
    ))
)]
struct ApiDoc;

/// The finished document (built once).
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut spec = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
        add_conventions(&mut spec);
        spec
    })
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": {
            "schema": { "$ref": "#/components/schemas/ProblemBody" }
        } }
    })
}

/// The shared error answers (see the module documentation).
fn add_conventions(spec: &mut Value) {
    spec["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    spec["components"]["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "A token from POST /api/v1/auth/login." }
    });
    let responses = json!({
        "BadRequest": problem("The body or query string could not be read (malformed JSON, a broken CSV header)."),
        "Unauthorized": {
            "description": "No token, or one that is invalid, expired, revoked or of a deactivated account.",
            "headers": { "WWW-Authenticate": { "schema": { "type": "string" } } },
            "content": problem("")["content"].clone()
        },
        "Forbidden": problem("The caller's role may not use this operation."),
        "NotFound": problem("No such object, or one outside the caller's scope."),
        "PayloadTooLarge": problem("The body is larger than this operation accepts."),
        "UnsupportedMediaType": problem("The body's media type is not one this operation reads."),
        "Unprocessable": problem("A field or parameter is invalid; `errors` names each with the reason in the reader's language, `field_errors` adds each problem's stable `code`."),
    });
    spec["components"]["responses"] = responses;
    let Some(paths) = spec["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut().filter_map(Value::as_object_mut) {
            let roles = operation_roles(operation);
            let has_body = operation.contains_key("requestBody");
            let has_query = operation
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
            let mut add = |status: &str, name: &str| {
                let responses = operation
                    .entry("responses")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("responses is an object");
                responses
                    .entry(status)
                    .or_insert_with(|| json!({ "$ref": format!("#/components/responses/{name}") }));
            };
            if let Some(roles) = &roles {
                add("401", "Unauthorized");
                if roles.len() < Access::Any.roles().len() {
                    add("403", "Forbidden");
                }
            }
            if path.contains('{') {
                add("404", "NotFound");
            }
            if has_body || has_query {
                add("400", "BadRequest");
                add("422", "Unprocessable");
            }
            if has_body {
                add("413", "PayloadTooLarge");
                add("415", "UnsupportedMediaType");
            }
        }
    }
}

/// The roles an operation names in its `bearer` requirement; `None` when it needs no token.
pub fn operation_roles(operation: &Map<String, Value>) -> Option<Vec<String>> {
    let requirements = operation.get("security")?.as_array()?;
    let scopes = requirements.iter().find_map(|r| r.get("bearer"))?;
    Some(
        scopes
            .as_array()?
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
    )
}

/// The API description.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json"))
)]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(spec())
}
