//! The job worker: claims due jobs (`store::jobs`) with a lease and does each, recording the
//! outcome while it still holds the lease. A notice's job renders it for its recipient and
//! sends it; a batch's job turns the next slice of it into notices; a "forgot password"
//! request's job queues its mail; the periodic review-reminder job queues the reminders
//! that have come due and moves its next run forward. Runs inside `serve` and alone as
//! `appraisal deliver`; any number of workers may share one database.

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
use crate::db::{write_tx, Db};
use crate::domain::clock::CompanyTime;
use crate::error::AppError;
use crate::settings::{NoticeSettings, Settings};
use crate::store;
use crate::store::jobs::{self, BatchJob, Job, Kind, NoticeJob, ResetJob};
use crate::store::notices::{self, Notice, NoticeStatus};

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
    complaints: crate::settings::ComplaintSettings,
    robots: Arc<super::robot::RobotClient>,
    /// The company's language: group robots post in it.
    company_locale: crate::domain::user::Locale,
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
            complaints: settings.complaints.clone(),
            robots: Arc::new(super::robot::RobotClient::new(
                Duration::from_secs(settings.mail.smtp_timeout_seconds),
                settings.notices.robot_hosts(),
            )?),
            company_locale: settings.company.default_locale(),
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

    /// A worker's rounds, now, until no job is due: what a test runs instead of waiting
    /// for a worker's next poll (and moving the clock when it waits for a later run).
    /// Returns how many notices it took in hand.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let (_stop, running) = watch::channel(false);
        let worker = self.clone().worker();
        let rounds = async {
            worker.ensure_periodic().await?;
            let mut notices = 0;
            // Bounded: a job that keeps coming due at once (a batch's slices) ends within it.
            for _ in 0..10_000 {
                let round = worker.round(&running).await?;
                notices += round.notices;
                if round.claimed == 0 {
                    break;
                }
            }
            Ok(notices)
        };
        let notices = rounds.await;
        worker.release().await;
        notices
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
        tracing::info!(worker = %self.owner, "job worker started");
        let poll = Duration::from_millis(self.config().poll_interval_ms);
        let mut periodic_queued = false;
        while !stop_requested(&stop) {
            // Until it succeeds (the database may be down when the worker starts).
            if !periodic_queued {
                match self.ensure_periodic().await {
                    Ok(()) => periodic_queued = true,
                    Err(error) => {
                        tracing::error!(worker = %self.owner, %error, "could not queue the periodic jobs")
                    }
                }
            }
            let claimed = match self.round(&stop).await {
                Ok(round) => round.claimed,
                Err(error) => {
                    tracing::error!(worker = %self.owner, error = %error, "job round failed");
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
        tracing::info!(worker = %self.owner, "job worker stopped");
    }

    /// The periodic jobs' rows, there and waiting (their keys make one of each).
    async fn ensure_periodic(&self) -> Result<(), AppError> {
        self.notifier
            .db
            .run(|conn| {
                jobs::ensure_periodic(conn, Kind::ReviewReminders)?;
                jobs::ensure_periodic(conn, Kind::ComplaintCheck)
            })
            .await
    }

    /// Claims the due jobs and does them: the other kinds one after another, then the
    /// notices' deliveries side by side.
    async fn round(&self, stop: &watch::Receiver<bool>) -> Result<Round, AppError> {
        let lease = Duration::from_secs(self.config().lease_seconds);
        let (owner, limit) = (self.owner.clone(), i64::from(self.config().batch_size));
        let claimed_at = Instant::now();
        let claimed = self
            .notifier
            .db
            .run(move |conn| {
                let lease = chrono::Duration::from_std(lease).map_err(AppError::internal)?;
                jobs::claim(conn, &owner, store::now(), lease, limit)
            })
            .await?;
        // Sends (mails, robots' posts) go side by side, outside any transaction.
        let (deliveries, others): (Vec<&Job>, Vec<&Job>) = claimed
            .iter()
            .partition(|job| matches!(job.kind(), Some(Kind::Notice | Kind::RobotPost)));
        // Work must end inside the lease, or another worker could take the job over and do
        // it again: start one only while two SMTP timeouts of the lease remain (one for the
        // send, one for the record).
        let in_time = || {
            !stop_requested(stop) && claimed_at.elapsed() + 2 * self.notifier.smtp_timeout < lease
        };
        let mut skipped = false;
        let mut first_error = None;
        for job in others {
            if !in_time() {
                skipped = true;
                continue;
            }
            if let Err(error) = self.run_job(job).await {
                first_error.get_or_insert(error);
            }
        }
        let concurrency = self.config().concurrency as usize;
        let attempted: Vec<Result<bool, AppError>> = stream::iter(&deliveries)
            .map(|job| async move {
                if !in_time() {
                    return Ok(false);
                }
                let sent = if job.kind() == Some(Kind::RobotPost) {
                    self.post_to_robot(job).await
                } else {
                    self.deliver(job).await
                };
                match sent {
                    Ok(()) => Ok(true),
                    // Not loaded or not recorded (the database): tried again after the
                    // backoff, like a failed send.
                    Err(error) => {
                        tracing::error!(job = job.id, %error, "notice job failed");
                        self.retry_later(job, false).await.map(|()| true)
                    }
                }
            })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        if skipped || attempted.iter().any(|a| matches!(a, Ok(false))) {
            self.release().await;
        }
        if let Some(error) = first_error.or_else(|| attempted.into_iter().find_map(Result::err)) {
            return Err(error);
        }
        Ok(Round {
            claimed: claimed.len(),
            notices: deliveries.len(),
        })
    }

    /// A job of a kind other than a notice's delivery, in one transaction with the record
    /// of its outcome. A failure (the database unavailable) is retried with the notices'
    /// backoff, and given up on after their number of attempts.
    async fn run_job(&self, job: &Job) -> Result<(), AppError> {
        let (job, owner) = (job.clone(), self.owner.clone());
        let today = self.notifier.company.today();
        let days = self.config().reminder_days_before_end;
        let every = chrono::Duration::seconds(
            i64::try_from(self.config().reminder_check_seconds).unwrap_or(i64::MAX / 1_000),
        );
        let zone = self.notifier.company.zone();
        let complaints = self.notifier.complaints.clone();
        if job.kind() == Some(Kind::ComplaintCheck) {
            // Slices of 500 in transactions of their own, not one transaction holding the
            // write lock for every complaint that came due (a change of policy makes them
            // all due). Settling twice is harmless: the notices' keys make it once.
            let warn = complaints.warn_percent;
            let settled = self
                .notifier
                .db
                .run(move |conn| crate::app::complaint_check::check_due(conn, zone, warn))
                .await;
            match settled {
                Ok(seen) if seen > 0 => tracing::debug!(seen, "complaints checked"),
                Ok(_) => {}
                Err(error) => {
                    tracing::error!(job = job.id, %error, "complaint check failed");
                    return self.retry_later(&job, true).await;
                }
            }
        }
        let done = {
            let (job, owner) = (job.clone(), owner.clone());
            self.notifier
                .db
                .run(move |conn| {
                    write_tx(conn, |tx| {
                        if !jobs::hold(tx, job.id, &owner)? {
                            return Ok(false);
                        }
                        match job.kind() {
                            Some(Kind::NoticeBatch) => {
                                let BatchJob { batch_id } = job.payload()?;
                                let (queued, more) = notices::expand_batch(tx, batch_id)?;
                                tracing::debug!(batch_id, queued, "notices queued from a batch");
                                if more {
                                    jobs::reschedule(tx, job.id, &owner, store::now())
                                } else {
                                    jobs::finish(tx, job.id, &owner)
                                }
                            }
                            Some(Kind::ResetRequest) => {
                                let ResetJob { request_id } = job.payload()?;
                                crate::app::passwords::answer_reset_request(tx, request_id)?;
                                jobs::finish(tx, job.id, &owner)
                            }
                            Some(Kind::ReviewReminders) => {
                                let queued =
                                    crate::app::notices::queue_review_reminders(tx, today, days)?;
                                if queued > 0 {
                                    tracing::info!(queued, "review reminders queued");
                                }
                                jobs::reschedule(tx, job.id, &owner, store::now() + every)
                            }
                            Some(Kind::ComplaintCheck) => {
                                // The complaints were settled before, each slice in a
                                // transaction of its own; here the next run is set.
                                let every = chrono::Duration::seconds(
                                    i64::try_from(complaints.check_seconds)
                                        .unwrap_or(i64::MAX / 1_000),
                                );
                                jobs::reschedule(tx, job.id, &owner, store::now() + every)
                            }
                            Some(Kind::Notice | Kind::RobotPost) | None => {
                                Err(AppError::internal(anyhow::anyhow!(
                                    "job {} of kind {} is not run here",
                                    job.id,
                                    job.kind
                                )))
                            }
                        }
                    })
                })
                .await
        };
        match done {
            Ok(true) => Ok(()),
            Ok(false) => {
                tracing::warn!(job = job.id, "lease lost before the job was done");
                Ok(())
            }
            Err(error) => {
                tracing::error!(job = job.id, kind = %job.kind, %error, "job failed");
                // The service's own work is never given up on (a batch's rest, a reset
                // request, the periodic check): tried again after the backoff, at most
                // its maximum apart.
                self.retry_later(&job, true).await
            }
        }
    }

    /// Records a failed attempt that was not a send (the database): tried again after the
    /// backoff; given up on after the attempts only where `keep` is false (a notice, whose
    /// failure HR sees and can send again).
    async fn retry_later(&self, job: &Job, keep: bool) -> Result<(), AppError> {
        let next = next_step(
            &Err(SendError::Transient(Failure::Unavailable, String::new())),
            job.attempts,
            self.config(),
        );
        let max = Duration::from_millis(self.config().retry_max_ms);
        let (id, owner) = (job.id, self.owner.clone());
        let notice = match job.kind() {
            Some(Kind::Notice) => job.payload::<NoticeJob>().ok().map(|n| n.notice_id),
            _ => None,
        };
        self.notifier
            .db
            .run(move |conn| {
                write_tx(conn, |tx| {
                    if !jobs::hold(tx, id, &owner)? {
                        return Ok(());
                    }
                    let error = Failure::Unavailable.stored("the database was unavailable");
                    let retry = match &next {
                        Next::RetryAfter(delay) => Some(*delay),
                        _ if keep => Some(max),
                        _ => None,
                    };
                    failed_attempt(tx, id, &owner, notice, Failure::Unavailable, &error, retry)
                        .map(drop)
                })
            })
            .await
    }

    async fn release(&self) {
        let owner = self.owner.clone();
        match self
            .notifier
            .db
            .run(move |conn| jobs::release(conn, &owner))
            .await
        {
            Ok(0) => {}
            Ok(released) => {
                tracing::info!(worker = %self.owner, released, "gave back jobs not done")
            }
            Err(error) => {
                tracing::warn!(worker = %self.owner, %error, "could not give back claimed jobs; they are freed when their lease ends")
            }
        }
    }

    async fn deliver(&self, job: &Job) -> Result<(), AppError> {
        let NoticeJob { notice_id } = job.payload()?;
        let loaded = {
            let company = self.notifier.company.clone();
            self.notifier
                .db
                .run(move |conn| {
                    let notice = match notices::get(conn, notice_id) {
                        Ok(notice) if notice.status == NoticeStatus::Pending => notice,
                        // Sent, failed, or gone: nothing to send.
                        Ok(_) | Err(AppError::NotFound) => return Ok(Loaded::Settled),
                        Err(error) => return Err(error),
                    };
                    // Someone without email reads it on their pages (`/me`); nothing is
                    // loaded for them (a password notice's content would make a token).
                    let recipient = store::users::get(conn, notice.recipient_id)?;
                    if recipient.email.is_none() {
                        return Ok(Loaded::OnPage);
                    }
                    let content = content::load(conn, &notice, &company);
                    Ok(Loaded::Mail(Box::new((notice, content))))
                })
                .await?
        };
        let (notice, loaded) = match loaded {
            Loaded::Settled => return self.settle(job, None).await,
            Loaded::OnPage => return self.settle(job, Some(notice_id)).await,
            Loaded::Mail(mail) => *mail,
        };
        let notice = &notice;
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
        self.record(job, notice, result).await
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

    /// Ends a notice's job without a mail: its notice is already settled (HR queued it again
    /// under a new job), or, given `on_page`, it is shown on its recipient's pages.
    /// One post to a department's group robot: loaded, sent outside any transaction, and
    /// its outcome (the platform's own code on a failure) recorded while the lease is held;
    /// retried with the notices' backoff until their number of attempts.
    async fn post_to_robot(&self, job: &Job) -> Result<(), AppError> {
        let jobs::RobotJob { post_id } = job.payload()?;
        let (company, lang) = (self.notifier.company.clone(), self.notifier.company_locale);
        let public_url = self.notifier.public_url.clone();
        let loaded = self
            .notifier
            .db
            .run(move |conn| {
                let post = match store::robots::post(conn, post_id) {
                    Ok(post) if post.status == "pending" => post,
                    Ok(_) | Err(AppError::NotFound) => return Ok(None),
                    Err(error) => return Err(error),
                };
                let robot = store::robots::get(conn, post.department_id)?;
                let text = super::robot::text(conn, &post, lang, &company, &public_url)?;
                Ok(Some((robot, text)))
            })
            .await?;
        let Some((robot, text)) = loaded else {
            return self.settle(job, None).await;
        };
        let result = match &robot {
            // The robot was removed since: nothing to post to.
            None => Err("not sent: the department has no robot any more".to_owned()),
            Some(robot) => {
                let now_ms = self.notifier.company.clock().now().timestamp_millis();
                self.notifier
                    .robots
                    .post(
                        robot.platform()?,
                        &robot.webhook_url,
                        robot.secret.as_deref(),
                        &text,
                        now_ms,
                    )
                    .await
            }
        };
        let attempts = u32::try_from(job.attempts).unwrap_or(0) + 1;
        let gave_up =
            result.is_err() && (robot.is_none() || attempts >= self.config().max_attempts);
        if let Err(error) = &result {
            tracing::warn!(post = post_id, %error, gave_up, "robot post not taken");
        }
        let delay = retry_delay(
            attempts,
            self.config().retry_base_ms,
            self.config().retry_max_ms,
        );
        let (job_id, owner) = (job.id, self.owner.clone());
        self.notifier
            .db
            .run(move |conn| {
                write_tx(conn, |tx| {
                    if !jobs::hold(tx, job_id, &owner)? {
                        return Ok(false);
                    }
                    store::robots::record(tx, post_id, result.clone(), gave_up)?;
                    if result.is_ok() || gave_up {
                        jobs::finish(tx, job_id, &owner)
                    } else {
                        let at = store::now()
                            + chrono::Duration::from_std(delay).map_err(AppError::internal)?;
                        jobs::retry(tx, job_id, &owner, Failure::Refused, at)
                    }
                })
            })
            .await?;
        Ok(())
    }

    async fn settle(&self, job: &Job, on_page: Option<i64>) -> Result<(), AppError> {
        let (id, owner) = (job.id, self.owner.clone());
        if let Some(notice) = on_page {
            tracing::debug!(notice, "notice shown on the recipient's pages");
        }
        let kept = self
            .notifier
            .db
            .run(move |conn| {
                write_tx(conn, |tx| {
                    if !jobs::hold(tx, id, &owner)? {
                        return Ok(false);
                    }
                    if let Some(notice) = on_page {
                        notices::mark_on_page(tx, notice)?;
                    }
                    jobs::finish(tx, id, &owner)
                })
            })
            .await?;
        if !kept {
            tracing::warn!(job = id, "lease lost before the outcome was recorded");
        }
        Ok(())
    }

    async fn record(
        &self,
        job: &Job,
        notice: &Notice,
        result: Result<(), SendError>,
    ) -> Result<(), AppError> {
        let next = next_step(&result, job.attempts, self.config());
        let (job_id, id, owner) = (job.id, notice.id, self.owner.clone());
        let failure = result.as_ref().err().map(SendError::failure);
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
            .run(move |conn| {
                write_tx(conn, |tx| {
                    if !jobs::hold(tx, job_id, &owner)? {
                        return Ok(false);
                    }
                    let failure = failure.unwrap_or(Failure::Unavailable);
                    let error = error.clone().unwrap_or_default();
                    match &next {
                        Next::Sent => {
                            notices::mark_sent(tx, id)?;
                            jobs::finish(tx, job_id, &owner)
                        }
                        Next::RetryAfter(delay) => failed_attempt(
                            tx,
                            job_id,
                            &owner,
                            Some(id),
                            failure,
                            &error,
                            Some(*delay),
                        ),
                        Next::Failed => {
                            failed_attempt(tx, job_id, &owner, Some(id), failure, &error, None)
                        }
                    }
                })
            })
            .await?;
        if !kept {
            tracing::warn!(notice = id, "lease lost before the outcome was recorded");
        }
        Ok(())
    }
}

/// Records a failed attempt of job `id` (in the transaction that holds it): tried again after
/// `retry`, or given up on; its notice, if it is a notice's, says so too.
fn failed_attempt(
    tx: &mut crate::db::DbConn,
    id: i64,
    owner: &str,
    notice: Option<i64>,
    failure: Failure,
    error: &str,
    retry: Option<Duration>,
) -> Result<bool, AppError> {
    let at = match retry {
        Some(delay) => {
            Some(store::now() + chrono::Duration::from_std(delay).map_err(AppError::internal)?)
        }
        None => None,
    };
    if let Some(notice) = notice {
        notices::mark_attempt_failed(tx, notice, error, at)?;
    }
    match at {
        Some(at) => jobs::retry(tx, id, owner, failure, at),
        None => jobs::fail(tx, id, owner, failure),
    }
}

/// What one round did.
struct Round {
    claimed: usize,
    notices: usize,
}

/// A notice's job, read: nothing to send, shown on the recipient's pages, or a mail.
enum Loaded {
    Settled,
    OnPage,
    Mail(Box<(Notice, MailContent)>),
}

type MailContent = Result<(store::users::User, templates::Content), LoadError>;

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
