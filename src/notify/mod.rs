//! Email notices and group robots' posts (PRODUCT §5). Business code queues them in its own transaction
//! (`store::notices::enqueue`); the worker here delivers them: lease, render in the
//! recipient's language, send through the configured transport, retry with backoff.

pub mod content;
pub mod robot;
pub mod templates;
pub mod transport;
pub mod worker;

pub use transport::{Mailbox, SentMail};
pub use worker::{Notifier, WorkerHandle};
