//! argon2id password hashes as PHC strings. Blocking (tens of milliseconds by design):
//! call only from blocking contexts such as [`PasswordWorkers`] or `Db::run`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::error::AppError;

/// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
}

/// What an account without a password stores instead of a hash (made in bulk, or by HR
/// without one): nothing matches it; its owner sets a password through a mailed link.
pub const NO_PASSWORD: &str = "!no-password";

/// True when `password` matches the PHC string. The parameters come from the string, so
/// hashes made with older parameters keep working. An account without a password matches
/// nothing, after the same work as a real verification.
pub fn verify(password: &str, phc: &str) -> bool {
    if phc == NO_PASSWORD {
        verify_dummy(password);
        return false;
    }
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored password hash cannot be parsed");
            false
        }
    }
}

/// Spends the same work as a real verification, for logins naming no account, so that the
/// answer time does not tell whether an account exists.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash("dummy password for timing").expect("hashing works"));
    let _ = verify(password, phc);
}

fn serve_jobs(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Hashing threads yield the CPU to request handling: a burst of sign-ins then slows
/// sign-ins (and fills their queue), not everybody's reads. Linux applies a nice value to
/// the calling thread only (nice 10; 0 is normal, 19 the lowest).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority has no memory effects; who = 0 names the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// The argon2 work of sign-ins and password changes runs here: on a few threads of its own,
/// fed by a short queue. Hashing is deliberately slow and takes 19 MiB a time, so a burst of
/// logins must neither take every core from the other requests nor pile up (each waiting
/// login on a thread of its own, with its own memory). At most `threads + queue` jobs are
/// admitted at once; beyond that the caller is refused at once with 503 and Retry-After,
/// instead of waiting for seconds. Admission comes first ([`PasswordWorkers::admit`]), so a
/// sign-in refused for capacity has done nothing else yet (its attempt is not counted).
pub struct PasswordWorkers {
    jobs: Sender<Job>,
    admitted: Arc<AtomicUsize>,
    capacity: usize,
}

type Job = Box<dyn FnOnce() + Send>;

/// A place among the admitted password jobs, held until its job has run.
pub struct Admission {
    jobs: Sender<Job>,
    slot: Slot,
}

/// Gives its place back when dropped (after the job ran, or when it never was sent).
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl PasswordWorkers {
    /// `threads` hashing threads and room for `queue` waiting jobs. The threads end when the
    /// last handle is dropped.
    pub fn start(threads: usize, queue: usize) -> std::io::Result<PasswordWorkers> {
        let (jobs, receiver) = channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let threads = threads.max(1);
        for i in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    serve_jobs(&receiver)
                })?;
        }
        Ok(PasswordWorkers {
            jobs,
            admitted: Arc::new(AtomicUsize::new(0)),
            capacity: threads + queue,
        })
    }

    /// A place for one job, or [`AppError::Busy`] at once when every place is taken.
    pub fn admit(&self) -> Result<Admission, AppError> {
        self.admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.capacity).then_some(n + 1)
            })
            .map_err(|_| AppError::Busy {
                retry_after_seconds: 1,
            })?;
        Ok(Admission {
            jobs: self.jobs.clone(),
            slot: Slot(Arc::clone(&self.admitted)),
        })
    }

    /// Runs `work` on a hashing thread, or answers [`AppError::Busy`] at once when the queue
    /// is full.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.admit()?.run(work).await
    }
}

impl Admission {
    /// Runs `work` on a hashing thread; the place is given back once it has run.
    pub async fn run<T, F>(self, work: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (done, result) = tokio::sync::oneshot::channel();
        let slot = self.slot;
        let job: Job = Box::new(move || {
            let _slot = slot;
            let _ = done.send(work());
        });
        self.jobs.send(job).map_err(|_| {
            AppError::internal(anyhow::anyhow!("the password threads have stopped"))
        })?;
        result
            .await
            .map_err(|_| AppError::internal(anyhow::anyhow!("a password job was lost")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_and_verify() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("wrong horse battery", &phc));
        assert!(!verify("anything", "not a phc string"));
        assert_ne!(phc, hash("correct horse battery").unwrap(), "salted");
    }

    #[actix_rt::test]
    async fn a_full_queue_refuses_at_once_instead_of_waiting() {
        let workers = std::rc::Rc::new(PasswordWorkers::start(1, 1).unwrap());
        let (release, hold) = std::sync::mpsc::channel::<()>();
        // One job occupies the thread, one waits in the queue; the third is refused.
        let first = actix_rt::spawn({
            let workers = workers.clone();
            async move { workers.run(move || hold.recv().is_ok()).await }
        });
        tokio::task::yield_now().await;
        std::thread::sleep(std::time::Duration::from_millis(50));
        let second = actix_rt::spawn({
            let workers = workers.clone();
            async move { workers.run(|| 2).await }
        });
        tokio::task::yield_now().await;
        let started = std::time::Instant::now();
        let third = workers.run(|| 3).await;
        assert!(matches!(third, Err(AppError::Busy { .. })), "{third:?}");
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        release.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        assert_eq!(second.await.unwrap().unwrap(), 2);
    }
}
