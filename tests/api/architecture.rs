//! The house's main rules, read from the sources (docs/ARCHITECTURE.md): the domain is pure
//! (no HTTP, no database), the use cases know nothing of HTTP, the doors reach the store
//! and the database only through the use cases, `auth` knows nothing of the API, nothing
//! below the doors imports a door, and a store module never runs another store module's
//! functions (the workflow that spans aggregates belongs to `app`).

use std::path::{Path, PathBuf};

use regex::Regex;

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut out = Vec::new();
    walk(&root, &mut out);
    assert!(!out.is_empty(), "no sources under {}", root.display());
    out
}

/// The lines of code (comments left out) that match `pattern`, as `file:line: text`.
fn offending(dir: &str, pattern: &Regex) -> Vec<String> {
    let mut found = Vec::new();
    for (path, text) in sources(dir) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if pattern.is_match(code) {
                found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_domain_imports_neither_http_nor_the_database() {
    let outside = Regex::new(r"\b(actix_web|actix_multipart|diesel|lettre|r2d2)\b").unwrap();
    let found = offending("domain", &outside);
    assert!(
        found.is_empty(),
        "the domain reaches outside:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_use_cases_import_nothing_of_http() {
    let http = Regex::new(r"\b(actix_web|actix_multipart|actix_rt|HttpResponse)\b").unwrap();
    let found = offending("app", &http);
    assert!(
        found.is_empty(),
        "a use case reaches into HTTP:\n{}",
        found.join("\n")
    );
}

/// The doors (the API, the pages, the command line) call the use cases and render what
/// they return; the records they render come from `app::view`.
#[test]
fn the_doors_import_neither_the_store_nor_the_database() {
    let below =
        Regex::new(r"\b(crate|appraisal)::(store|db)\b|\bsuper::super::(store|db)\b").unwrap();
    let mut found = offending("api", &below);
    found.extend(offending("web", &below));
    let main = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs");
    for (n, line) in std::fs::read_to_string(&main).unwrap().lines().enumerate() {
        if below.is_match(line.split("//").next().unwrap_or("")) {
            found.push(format!("{}:{}: {}", main.display(), n + 1, line.trim()));
        }
    }
    assert!(
        found.is_empty(),
        "a door reaches past the use cases:\n{}",
        found.join("\n")
    );
}

#[test]
fn auth_does_not_import_the_api() {
    let api = Regex::new(r"\bcrate::(api|web)\b|\bsuper::super::(api|web)\b").unwrap();
    let found = offending("auth", &api);
    assert!(
        found.is_empty(),
        "auth imports a door:\n{}",
        found.join("\n")
    );
}

#[test]
fn nothing_below_the_doors_imports_a_door() {
    let door = Regex::new(r"\bcrate::(api|web|startup|sample)\b").unwrap();
    for room in ["app", "store", "db", "domain", "i18n", "auth"] {
        let found = offending(room, &door);
        assert!(
            found.is_empty(),
            "{room} imports a door:\n{}",
            found.join("\n")
        );
    }
    for file in ["bulk.rs", "error.rs"] {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(file))
                .unwrap();
        let uses: Vec<&str> = text
            .lines()
            .filter(|l| door.is_match(l.split("//").next().unwrap_or("")))
            .collect();
        assert!(uses.is_empty(), "{file} imports a door: {uses:?}");
    }
}

#[test]
fn a_store_module_runs_no_other_store_modules_functions() {
    let modules: Vec<String> = sources("store")
        .iter()
        .filter_map(|(p, _)| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        // The audit trail, the scope filter and the job queue are shared by every table (a
        // change queues its jobs in its own transaction, as it writes its audit event).
        .filter(|m| !["mod", "audit", "scope", "jobs"].contains(&m.as_str()))
        .collect();
    let mut found = Vec::new();
    for (path, text) in sources("store") {
        let own = path.file_stem().unwrap().to_string_lossy().into_owned();
        for other in modules.iter().filter(|m| **m != own) {
            // `users::get(`: a call of another module's function (a schema column such as
            // `users::id` is not one).
            let call = Regex::new(&format!(r"\b{other}::[a-z_][a-z0-9_]*\s*\(")).unwrap();
            for (n, line) in text.lines().enumerate() {
                if call.is_match(line.split("//").next().unwrap_or("")) {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "store modules call each other:\n{}",
        found.join("\n")
    );
}
