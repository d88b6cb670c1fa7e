//! Why a notice was not delivered, as a value: the notices page words it in the reader's
//! language (`delivery-failure-…` in the catalog); what the mail server or the system said
//! is kept beside it, as it was said. Stored in `notices.last_error` as `code: detail`.

/// What went wrong with one delivery attempt.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr, strum::EnumIter,
)]
#[strum(serialize_all = "snake_case")]
pub enum Failure {
    /// The mail server refused for good (5xx).
    Refused,
    /// The mail server asked to try later (4xx).
    Deferred,
    /// No answer from the mail server: no connection, a timeout, TLS, the transport closed.
    Unreachable,
    /// The mail file could not be written (file transport).
    NotWritten,
    /// The recipient has no address mail can go to.
    NoAddress,
    /// The mail could not be put together.
    Unbuildable,
    /// What the notice is about no longer exists.
    SubjectGone,
    /// What the notice is about is no longer the recipient's (a transfer, a new supervisor).
    NotTheirs,
    /// The recipient's account is deactivated.
    RecipientInactive,
    /// The database was unavailable (the attempt is retried).
    Unavailable,
}

impl Failure {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The failure as `notices.last_error` keeps it.
    pub fn stored(self, detail: &str) -> String {
        format!("{}: {detail}", self.as_str())
    }
}

/// A stored `last_error` read back: its failure (none for rows written before failures were
/// typed) and the detail.
pub fn read_stored(text: &str) -> (Option<Failure>, &str) {
    match text.split_once(": ") {
        Some((code, detail)) => match code.parse::<Failure>() {
            Ok(failure) => (Some(failure), detail),
            Err(_) => (None, text),
        },
        None => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_reads_back_as_stored() {
        let stored = Failure::Refused.stored("550 no such user");
        assert_eq!(stored, "refused: 550 no such user");
        assert_eq!(
            read_stored(&stored),
            (Some(Failure::Refused), "550 no such user")
        );
        assert_eq!(
            read_stored("connection refused"),
            (None, "connection refused")
        );
        assert_eq!(read_stored("odd: text"), (None, "odd: text"));
    }
}
