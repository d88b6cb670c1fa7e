//! Logging: `tracing` to stdout, one line per request with its id, status and latency.
//! Only method, path (no query string), status and timing are logged: never a body, a
//! header, a password, a hash or a token.

use std::io::IsTerminal;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use tracing_subscriber::EnvFilter;

/// `RUST_LOG`, if set, wins over the `log.filter` setting.
pub fn init(filter: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal())
        .try_init();
}

/// A request's path as the log may keep it: a customer's status link carries its secret in
/// the path (`/c/{token}`), which is left out.
pub fn loggable_path(path: &str) -> String {
    if path.starts_with("/c/") {
        "/c/…".to_owned()
    } else {
        path.to_owned()
    }
}

/// A caller-supplied `X-Request-Id` is kept when it is short and plain (so ids can be
/// followed through a load balancer); otherwise a new random one is made.
pub fn request_id(incoming: Option<&str>) -> String {
    match incoming {
        Some(id)
            if !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            id.to_owned()
        }
        _ => format!("{:016x}", OsRng.next_u64()),
    }
}

#[cfg(test)]
mod tests {
    use super::request_id;

    #[test]
    fn request_ids_are_kept_only_when_plain() {
        assert_eq!(request_id(Some("abc-123_X")), "abc-123_X");
        assert_eq!(request_id(None).len(), 16);
        assert_ne!(request_id(Some("evil\nlog line")), "evil\nlog line");
        assert_eq!(request_id(Some(&"a".repeat(65))).len(), 16);
    }
}

#[cfg(test)]
mod path_tests {
    #[test]
    fn a_status_links_secret_is_not_logged() {
        assert_eq!(super::loggable_path("/c/AbCdEfGhIjKlMnOpQrStUv"), "/c/…");
        assert_eq!(super::loggable_path("/complaints/3"), "/complaints/3");
    }
}
