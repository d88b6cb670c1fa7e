//! The OpenAPI 3.1 document, generated from the handlers' annotations, and a docs page
//! rendered from it on the server (no script or style fetched from anywhere).
//!
//! The handlers declare their success answers, parameters, bodies and the roles that may call
//! them (as the scopes of the `bearer` requirement). The error answers every operation shares
//! follow from that, so they are added here from one rule instead of restated per handler:
//! 401 with a token requirement, 403 when not every role may call, 404 with a path id, 400
//! and 422 with parameters or a body, 413 and 415 with a body.

use std::fmt::Write as _;
use std::sync::OnceLock;

use actix_web::http::header::ContentType;
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use crate::auth::extract::Access;

use crate::notify::templates::escape;

use super::{
    appeals, appraisals, audit, auth, checklists, collaboration, cycles, departments, evidence,
    health, inspections, me, notices, users,
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

/// A readable page of the API, rendered from the same document.
pub async fn docs() -> HttpResponse {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| render(spec()));
    HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(page.as_str())
}

/// A schema in one line: a link to a named schema, or its type with its constraints.
fn schema_summary(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema[key].as_array() {
            let joiner = if key == "allOf" { " and " } else { " or " };
            return parts
                .iter()
                .map(schema_summary)
                .collect::<Vec<_>>()
                .join(joiner);
        }
    }
    let kind = match &schema["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ if schema.get("properties").is_some() => "object".into(),
        _ => "any".into(),
    };
    let mut text = escape(&kind);
    if kind.contains("array") {
        text = format!("array of {}", schema_summary(&schema["items"]));
    }
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().map(|v| escape(&v.to_string())).collect();
        let _ = write!(text, ", one of {}", values.join(", "));
    }
    for (key, label) in [
        ("format", "format"),
        ("minimum", "≥"),
        ("maximum", "≤"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
        ("pattern", "pattern"),
    ] {
        if let Some(value) = schema.get(key) {
            let shown = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            let _ = write!(text, ", {label} <code>{}</code>", escape(&shown));
        }
    }
    text
}

fn properties_table(schema: &Value) -> String {
    let Some(properties) = schema["properties"].as_object() else {
        return format!("<p>{}</p>", schema_summary(schema));
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut html = String::from("<table><tr><th>field</th><th>schema</th><th></th></tr>");
    for (name, property) in properties {
        let _ = write!(
            html,
            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            if required.contains(&name.as_str()) {
                " <em>required</em>"
            } else {
                ""
            },
            schema_summary(property),
            escape(property["description"].as_str().unwrap_or("")),
        );
    }
    html.push_str("</table>");
    html
}

fn render(spec: &Value) -> String {
    let mut html = String::new();
    let title = escape(spec["info"]["title"].as_str().unwrap_or("API"));
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} API</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;line-height:1.4}}\
         table{{border-collapse:collapse;margin:.5rem 0}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}}\
         code{{background:#f3f3f3;word-break:break-all}}.op{{border-top:2px solid #333;margin-top:1.5rem}}\
         .method{{font-weight:bold;text-transform:uppercase}}</style></head><body>\
         <h1>{title} API <small>{}</small></h1><p>{}</p>\
         <p>The machine-readable document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>; \
         try calls with a token in <a href=\"/docs/\">Swagger UI</a>.</p>",
        escape(spec["info"]["version"].as_str().unwrap_or("")),
        escape(spec["info"]["description"].as_str().unwrap_or("")),
    );
    html.push_str("<h2>Operations</h2>");
    if let Some(paths) = spec["paths"].as_object() {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, operation) in item {
                render_operation(&mut html, spec, path, method, operation);
            }
        }
    }
    html.push_str("<h2>Schemas</h2>");
    if let Some(schemas) = spec["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            let _ = write!(
                html,
                "<h3 id=\"schema-{0}\">{0}</h3><p>{1}</p>{2}",
                escape(name),
                escape(schema["description"].as_str().unwrap_or("")),
                properties_table(schema)
            );
        }
    }
    html.push_str("</body></html>");
    html
}

fn render_operation(html: &mut String, spec: &Value, path: &str, method: &str, operation: &Value) {
    let who = match operation.as_object().and_then(operation_roles) {
        None => "anyone, no token".to_owned(),
        Some(roles) => format!("bearer token; roles: {}", roles.join(", ")),
    };
    let _ = write!(
        html,
        "<div class=\"op\"><h3><span class=\"method\">{}</span> <code>{}</code></h3>\
         <p>{}</p><p><em>{}</em></p><p>Who: {}</p>",
        escape(method),
        escape(path),
        escape(operation["summary"].as_str().unwrap_or("")),
        escape(operation["description"].as_str().unwrap_or("")),
        escape(&who),
    );
    if let Some(parameters) = operation["parameters"].as_array() {
        html.push_str("<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>");
        for p in parameters {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(p["name"].as_str().unwrap_or("")),
                escape(p["in"].as_str().unwrap_or("")),
                schema_summary(&p["schema"]),
                escape(p["description"].as_str().unwrap_or("")),
            );
        }
        html.push_str("</table>");
    }
    if let Some(content) = operation["requestBody"]["content"].as_object() {
        for (media, body) in content {
            let _ = write!(
                html,
                "<p>Body (<code>{}</code>): {}</p>",
                escape(media),
                schema_summary(&body["schema"])
            );
        }
    }
    if let Some(responses) = operation["responses"].as_object() {
        html.push_str("<table><tr><th>status</th><th>answer</th></tr>");
        for (status, response) in responses {
            let description = response["description"]
                .as_str()
                .map(escape)
                .or_else(|| {
                    let reference = response["$ref"].as_str()?;
                    let name = reference.rsplit('/').next().unwrap_or(reference);
                    let shared = spec["components"]["responses"][name]["description"].as_str();
                    Some(format!("{} (problem)", escape(shared.unwrap_or(name))))
                })
                .unwrap_or_default();
            let body = response["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .map(|m| format!(": {}", schema_summary(&m["schema"])))
                .unwrap_or_default();
            let _ = write!(
                html,
                "<tr><td>{status}</td><td>{description}{body}</td></tr>"
            );
        }
        html.push_str("</table>");
    }
    html.push_str("</div>");
}
