//! The pages as HTTP sees them (issue 18): compressed for browsers that accept it, an icon,
//! cache headers on static files; the API's answers stay uncompressed.

use crate::on_both_backends;
use crate::support::{client, TestApp};

on_both_backends!(
    pages_are_compressed_and_the_site_has_an_icon,
    the_api_description_speaks_of_the_product,
);

/// Every text of the API's description (summaries, descriptions, examples) is written for
/// the integrator who reads `/docs`: no module paths, no references to documents outside the
/// repository, and the sign-in example is what a person would type.
async fn the_api_description_speaks_of_the_product(app: TestApp) {
    let spec: serde_json::Value = client()
        .get(format!("{}/api/v1/openapi.json", app.base))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("JSON");
    fn texts<'a>(v: &'a serde_json::Value, at: String, out: &mut Vec<(String, &'a str)>) {
        match v {
            serde_json::Value::String(s) => out.push((at, s)),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    texts(item, format!("{at}[{i}]"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    texts(item, format!("{at}/{k}"), out);
                }
            }
            _ => {}
        }
    }
    let mut all = Vec::new();
    texts(&spec, String::new(), &mut all);
    let internal: Vec<&(String, &str)> = all
        .iter()
        .filter(|(_, text)| {
            ["::", "§", "DESIGN", "PRODUCT", "[`"]
                .iter()
                .any(|mark| text.contains(mark))
        })
        .collect();
    assert!(internal.is_empty(), "{internal:#?}");
    let login = &spec["components"]["schemas"]["SignInByEmail"]["properties"];
    assert_eq!(login["email"]["example"], "li.na@example.com");
}

async fn pages_are_compressed_and_the_site_has_an_icon(app: TestApp) {
    let get = |path: &str, gzip: bool| {
        let mut request = client().get(format!("{}{path}", app.base));
        if gzip {
            request = request.header("accept-encoding", "gzip");
        }
        request.send()
    };
    let page = get("/sign-in", true).await.expect("sent");
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip"),
        "a page is compressed for a browser that accepts gzip"
    );
    let bytes = page.bytes().await.expect("body");
    assert_eq!(&bytes[..2], [0x1f, 0x8b], "a gzip stream");
    let plain = get("/sign-in", false).await.expect("sent");
    assert!(plain.headers().get("content-encoding").is_none());
    assert!(
        plain.text().await.unwrap().contains("/favicon.ico"),
        "the icon is linked"
    );

    let css = get("/static/app.css", true).await.expect("sent");
    assert_eq!(css.headers()["content-encoding"], "gzip");
    assert!(css.headers()["cache-control"]
        .to_str()
        .unwrap()
        .starts_with("public, max-age="));

    let icon = get("/favicon.ico", false).await.expect("sent");
    assert_eq!(
        icon.status(),
        200,
        "the icon is served, not a redirect to sign in"
    );
    assert_eq!(icon.headers()["content-type"], "image/x-icon");
    let bytes = icon.bytes().await.unwrap();
    assert_eq!(&bytes[..4], [0, 0, 1, 0], "an ICO file");

    let api = get("/api/v1/openapi.json", true).await.expect("sent");
    assert!(
        api.headers().get("content-encoding").is_none(),
        "the API is not compressed"
    );
}
