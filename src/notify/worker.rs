//! The delivery worker: claims due notices with a lease, renders each for its recipient,
//! sends it, and records the outcome while it still owns the lease. It also queues the
//! review reminders that have come due, and one notice per recipient of each batch of
//! notices (`notices::enqueue_batch`). Runs inside `serve` and alone as `appraisal deliver`;
//! any number of workers may share one database.

use crate::domain::delivery::Failure;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use futures_util::stream::{self, StreamExt};
use lettre::message::{Mailbox as Address, MultiPart};
use lettre::Message;
use tokio::sync::watch;

use super::content::{self, LoadError};
use super::templates;
use super::transport::{self, Mailbox, Mailer, SendError};
use crate::db::Db;
use crate::domain::clock::CompanyTime;
use crate::error::AppError;
use crate::settings::{NoticeSettings, Settings};
use crate::store;
use crate::store::notices::{self, Notice};

/// The delay before the retry that follows `failed_attempts` failures: the base, doubled for
/// each failure after the first, never above the maximum.
pub fn retry_delay(failed_attempts: u32, base_ms: u64, max_ms: u64) -> Duration {
    let doublings = failed_attempts.saturating_sub(1).min(63);
    let factor = 1u64 << doublings;
    Duration::from_millis(base_ms.saturating_mul(factor).min(max_ms))
}

/// What happens to a notice after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Sent,
    RetryAfter(Duration),
    Failed,
}

/// Decides from the attempt's result and the attempts made before it.
pub fn next_step(
    result: &Result<(), SendError>,
    previous_attempts: i32,
    config: &NoticeSettings,
) -> Next {
    let attempts = u32::try_from(previous_attempts).unwrap_or(0) + 1;
    match result {
        Ok(()) => Next::Sent,
        Err(SendError::Permanent(..)) => Next::Failed,
        Err(SendError::Transient(..)) if attempts >= config.max_attempts => Next::Failed,
        Err(SendError::Transient(..)) => Next::RetryAfter(retry_delay(
            attempts,
            config.retry_base_ms,
            config.retry_max_ms,
        )),
    }
}

/// Everything a worker needs; cheap to share.
#[derive(Clone)]
pub struct Notifier {
    db: Db,
    mailer: Arc<Mailer>,
    from: Address,
    public_url: String,
    config: NoticeSettings,
    smtp_timeout: Duration,
    company: CompanyTime,
}

impl Notifier {
    pub fn new(db: Db, settings: &Settings) -> anyhow::Result<Notifier> {
        Ok(Notifier {
            db: db.on_clock(settings.company.clock.clone()),
            mailer: Arc::new(Mailer::from_settings(&settings.mail)?),
            from: transport::sender(&settings.mail)?,
            public_url: settings.server.public_url.clone(),
            config: settings.notices.clone(),
            smtp_timeout: Duration::from_secs(settings.mail.smtp_timeout_seconds),
            company: settings.company.time(),
        })
    }

    /// The memory transport's mailbox (tests), if that is the transport.
    pub fn mailbox(&self) -> Option<Mailbox> {
        self.mailer.mailbox()
    }

    /// Starts a worker on the current runtime.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let task = actix_web::rt::spawn(self.worker().run(stopped));
        WorkerHandle { stop, task }
    }

    /// One round of a worker, now: expands notice batches, takes "forgot password"
    /// requests, claims the notices that are due and delivers them; returns how many it
    /// claimed. What a test runs instead of waiting for a worker's next poll.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let (_stop, running) = watch::channel(false);
        let worker = self.clone().worker();
        worker.expand_batches(&running).await;
        worker.queue_requested_resets(&running).await;
        let claimed = worker.round(&running).await;
        worker.release().await;
        claimed
    }

    fn worker(self) -> Worker {
        let mut id = [0u8; 8];
        OsRng.fill_bytes(&mut id);
        Worker {
            notifier: self,
            owner: id.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

/// A running worker. [`WorkerHandle::stop`] lets it finish the mails in hand and give back
/// the rest of its claims; dropping the handle stops it the same way.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl WorkerHandle {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "notice worker ended abnormally");
        }
    }
}

struct Worker {
    notifier: Notifier,
    /// This worker's lease owner token.
    owner: String,
}

fn stop_requested(stop: &watch::Receiver<bool>) -> bool {
    // A dropped handle counts as a request to stop.
    *stop.borrow() || stop.has_changed().is_err()
}

impl Worker {
    fn config(&self) -> &NoticeSettings {
        &self.notifier.config
    }

    async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!(worker = %self.owner, "notice delivery worker started");
        let poll = Duration::from_millis(self.config().poll_interval_ms);
        let reminder_every = Duration::from_secs(self.config().reminder_check_seconds);
        let mut next_reminder_check = Instant::now();
        while !stop_requested(&stop) {
            if Instant::now() >= next_reminder_check {
                self.queue_reminders().await;
                next_reminder_check = Instant::now() + reminder_every;
            }
            self.expand_batches(&stop).await;
            self.queue_requested_resets(&stop).await;
            let claimed = match self.round(&stop).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::error!(worker = %self.owner, error = %error, "notice delivery round failed");
                    0
                }
            };
            if claimed < self.config().batch_size as usize {
                tokio::select! {
                    _ = actix_web::rt::time::sleep(poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
        self.release().await;
        tracing::info!(worker = %self.owner, "notice delivery worker stopped");
    }

    /// Claims a batch and delivers it; returns how many were claimed.
    async fn round(&self, stop: &watch::Receiver<bool>) -> Result<usize, AppError> {
        let lease = Duration::from_secs(self.config().lease_seconds);
        let (owner, limit) = (self.owner.clone(), i64::from(self.config().batch_size));
        let claimed_at = Instant::now();
        let claimed = self
            .notifier
            .db
            .run(move |conn| {
                let lease = chrono::Duration::from_std(lease).map_err(AppError::internal)?;
                notices::claim(conn, &owner, store::now(), lease, limit)
            })
            .await?;
        let concurrency = self.config().concurrency as usize;
        let attempted: Vec<Result<bool, AppError>> = stream::iter(&claimed)
            .map(|notice| async move {
                // A send and the record of its outcome must end inside the lease, or another
                // worker could take the notice over and mail it again: start one only while
                // two SMTP timeouts of the lease remain (one for the send, one for the rest).
                if stop_requested(stop)
                    || claimed_at.elapsed() + 2 * self.notifier.smtp_timeout >= lease
                {
                    return Ok(false);
                }
                self.deliver(notice).await.map(|()| true)
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        if attempted.iter().any(|a| matches!(a, Ok(false))) {
            self.release().await;
        }
        if let Some(error) = attempted.into_iter().find_map(Result::err) {
            return Err(error);
        }
        Ok(claimed.len())
    }

    async fn release(&self) {
        let owner = self.owner.clone();
        match self
            .notifier
            .db
            .run(move |conn| notices::release(conn, &owner))
            .await
        {
            Ok(0) => {}
            Ok(released) => {
                tracing::info!(worker = %self.owner, released, "gave back unsent notices")
            }
            Err(error) => {
                tracing::warn!(worker = %self.owner, %error, "could not give back claimed notices; they are freed when their lease ends")
            }
        }
    }

    async fn deliver(&self, notice: &Notice) -> Result<(), AppError> {
        let loaded = {
            let (notice, company) = (notice.clone(), self.notifier.company.clone());
            self.notifier
                .db
                .run(move |conn| {
                    // Someone without email reads it on their pages (`/me`); nothing is
                    // loaded for them (a password notice's content would make a token).
                    let recipient = store::users::get(conn, notice.recipient_id)?;
                    if recipient.email.is_none() {
                        return Ok(None);
                    }
                    Ok(Some(content::load(conn, &notice, &company)))
                })
                .await?
        };
        let Some(loaded) = loaded else {
            return self.record_on_page(notice).await;
        };
        let result = match loaded {
            Ok((recipient, content)) => {
                let rendered = templates::render(
                    &content,
                    recipient.locale,
                    &recipient.display_name,
                    &self.notifier.public_url,
                );
                match self.message(notice, &recipient, rendered) {
                    Ok(message) => {
                        let name = format!("{:010}-{}", notice.id, notice.kind);
                        self.notifier.mailer.send(message, &name).await
                    }
                    Err(error) => Err(error),
                }
            }
            Err(LoadError::Permanent(failure, reason)) => {
                Err(SendError::Permanent(failure, reason))
            }
            Err(LoadError::Transient(error)) => {
                tracing::error!(notice = notice.id, %error, "could not load a notice's content");
                Err(SendError::Transient(
                    Failure::Unavailable,
                    "the database was unavailable".into(),
                ))
            }
        };
        self.record(notice, result).await
    }

    fn message(
        &self,
        notice: &Notice,
        recipient: &store::users::User,
        rendered: templates::Rendered,
    ) -> Result<Message, SendError> {
        let address = recipient
            .email
            .as_deref()
            .unwrap_or("")
            .parse()
            .map_err(|_| {
                SendError::Permanent(
                    Failure::NoAddress,
                    "the recipient's email address is not deliverable".into(),
                )
            })?;
        let domain = self.notifier.from.email.domain().to_owned();
        // One Message-ID per event and recipient: should a mail ever go out twice (a worker
        // dying between the send and its record), mail systems can tell it is the same one.
        let message_id = format!("<{}@{domain}>", notice.dedupe_key.replace(':', "."));
        Message::builder()
            .from(self.notifier.from.clone())
            .to(Address::new(Some(recipient.display_name.clone()), address))
            .subject(rendered.subject)
            .message_id(Some(message_id))
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| {
                SendError::Permanent(Failure::Unbuildable, format!("cannot build the mail: {e}"))
            })
    }

    async fn record_on_page(&self, notice: &Notice) -> Result<(), AppError> {
        let (id, owner) = (notice.id, self.owner.clone());
        tracing::debug!(notice = id, kind = %notice.kind, "notice shown on the recipient's pages");
        let kept = self
            .notifier
            .db
            .run(move |conn| notices::mark_on_page(conn, id, &owner))
            .await?;
        if !kept {
            tracing::warn!(notice = id, "lease lost before the outcome was recorded");
        }
        Ok(())
    }

    async fn record(&self, notice: &Notice, result: Result<(), SendError>) -> Result<(), AppError> {
        let next = next_step(&result, notice.attempts, self.config());
        let (id, owner) = (notice.id, self.owner.clone());
        let error = result.err().map(|e| e.message());
        match &next {
            Next::Sent => tracing::debug!(notice = id, kind = %notice.kind, "notice sent"),
            Next::RetryAfter(delay) => tracing::warn!(
                notice = id,
                kind = %notice.kind,
                error = error.as_deref().unwrap_or(""),
                retry_in_ms = delay.as_millis() as u64,
                "notice not sent; will retry"
            ),
            Next::Failed => tracing::warn!(
                notice = id,
                kind = %notice.kind,
                error = error.as_deref().unwrap_or(""),
                "notice failed for good"
            ),
        }
        let kept = self
            .notifier
            .db
            .run(move |conn| match next {
                Next::Sent => notices::mark_sent(conn, id, &owner),
                Next::RetryAfter(delay) => {
                    let delay = chrono::Duration::from_std(delay).map_err(AppError::internal)?;
                    let error = error.unwrap_or_default();
                    notices::mark_attempt_failed(
                        conn,
                        id,
                        &owner,
                        &error,
                        Some(store::now() + delay),
                    )
                }
                Next::Failed => {
                    notices::mark_attempt_failed(conn, id, &owner, &error.unwrap_or_default(), None)
                }
            })
            .await?;
        if !kept {
            tracing::warn!(notice = id, "lease lost before the outcome was recorded");
        }
        Ok(())
    }

    /// Turns the notices waiting in batches into notices, a slice per transaction, until no
    /// batch waits or a stop is asked for.
    async fn expand_batches(&self, stop: &watch::Receiver<bool>) {
        while !stop_requested(stop) {
            match self.notifier.db.run(notices::expand_batch).await {
                Ok(Some(queued)) => tracing::debug!(queued, "notices queued from a batch"),
                Ok(None) => return,
                Err(error) => {
                    tracing::error!(%error, "could not queue a batch of notices");
                    return;
                }
            }
        }
    }

    /// Turns "forgot password" requests into reset mails until none waits.
    async fn queue_requested_resets(&self, stop: &watch::Receiver<bool>) {
        while !stop_requested(stop) {
            match self
                .notifier
                .db
                .run(crate::app::passwords::queue_requested_resets)
                .await
            {
                Ok(0) => return,
                Ok(taken) => tracing::debug!(taken, "reset requests taken"),
                Err(error) => {
                    tracing::error!(%error, "could not take reset requests");
                    return;
                }
            }
        }
    }

    async fn queue_reminders(&self) {
        let days = self.config().reminder_days_before_end;
        let today = self.notifier.company.today();
        match self
            .notifier
            .db
            .run(move |conn| crate::app::notices::queue_review_reminders(conn, today, days))
            .await
        {
            Ok(0) => {}
            Ok(queued) => tracing::info!(queued, "review reminders queued"),
            Err(error) => tracing::error!(%error, "could not queue review reminders"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> NoticeSettings {
        Settings::defaults().notices
    }

    #[test]
    fn delays_double_from_the_base_up_to_the_maximum() {
        let ms = |n| retry_delay(n, 1_000, 10_000).as_millis();
        assert_eq!(
            [ms(1), ms(2), ms(3), ms(4), ms(5), ms(60)],
            [1_000, 2_000, 4_000, 8_000, 10_000, 10_000]
        );
    }

    #[test]
    fn transient_failures_retry_until_the_last_attempt() {
        let mut config = config();
        config.max_attempts = 3;
        let transient = Err(SendError::Transient(
            Failure::Unreachable,
            "connection refused".into(),
        ));
        assert!(matches!(
            next_step(&transient, 0, &config),
            Next::RetryAfter(_)
        ));
        assert!(matches!(
            next_step(&transient, 1, &config),
            Next::RetryAfter(_)
        ));
        assert_eq!(next_step(&transient, 2, &config), Next::Failed);
        assert_eq!(next_step(&Ok(()), 2, &config), Next::Sent);
    }

    #[test]
    fn permanent_failures_are_not_retried() {
        let permanent = Err(SendError::Permanent(
            Failure::Refused,
            "550 no such user".into(),
        ));
        assert_eq!(next_step(&permanent, 0, &config()), Next::Failed);
    }
}
