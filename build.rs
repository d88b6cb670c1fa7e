//! Tells the tests whether a PostgreSQL URL was given: without `APPRAISAL_TEST_POSTGRES_URL`
//! the PostgreSQL half of each test is compiled as ignored, so `cargo test` reports it as not
//! run instead of passed (tests/api/support.rs). Changing the variable rebuilds the crate.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=APPRAISAL_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("APPRAISAL_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
