//! Mail transports, chosen by `mail.transport`: real SMTP, `.eml` files in a folder (the
//! local default, so a newcomer can open what would have been sent), or memory (tests).

use crate::domain::delivery::Failure;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::message::Mailbox as Address;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::{MailSettings, MailTransportKind, SmtpTls};

/// Why a mail did not go out. Transient failures are retried; permanent ones (an address
/// the server refuses, a notice that cannot be rendered) are not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    Transient(Failure, String),
    Permanent(Failure, String),
}

impl SendError {
    pub fn failure(&self) -> Failure {
        match self {
            SendError::Transient(f, _) | SendError::Permanent(f, _) => *f,
        }
    }

    /// The failure as `notices.last_error` keeps it: its code and what was said.
    pub fn message(&self) -> String {
        match self {
            SendError::Transient(f, m) | SendError::Permanent(f, m) => f.stored(m),
        }
    }
}

/// A mail as the memory transport keeps it.
#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: Vec<String>,
    /// The whole message as it would go over the wire.
    pub raw: String,
}

/// The memory transport's store, shared with whoever wants to read it (tests).
#[derive(Debug, Clone, Default)]
pub struct Mailbox(Arc<Mutex<Vec<SentMail>>>);

impl Mailbox {
    pub fn all(&self) -> Vec<SentMail> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
    fn push(&self, mail: SentMail) {
        if let Ok(mut mails) = self.0.lock() {
            mails.push(mail);
        }
    }
}

pub enum Mailer {
    Smtp {
        transport: PooledSmtp,
        /// For the whole conversation of one mail: lettre's own timeout covers connecting,
        /// not a server that accepts and then says nothing.
        timeout: Duration,
    },
    File(PathBuf),
    Memory(Mailbox),
}

impl Mailer {
    pub fn from_settings(mail: &MailSettings) -> anyhow::Result<Mailer> {
        Ok(match mail.transport {
            MailTransportKind::Memory => Mailer::Memory(Mailbox::default()),
            MailTransportKind::File => Mailer::File(PathBuf::from(&mail.file_dir)),
            MailTransportKind::Smtp => Mailer::Smtp {
                transport: PooledSmtp(Some(smtp(mail)?)),
                timeout: Duration::from_secs(mail.smtp_timeout_seconds),
            },
        })
    }

    pub fn mailbox(&self) -> Option<Mailbox> {
        match self {
            Mailer::Memory(mailbox) => Some(mailbox.clone()),
            _ => None,
        }
    }

    /// Sends `message`; `name` names the `.eml` file of the file transport.
    pub async fn send(&self, message: Message, name: &str) -> Result<(), SendError> {
        match self {
            Mailer::Smtp { transport, timeout } => {
                let Some(transport) = &transport.0 else {
                    return Err(SendError::Transient(
                        Failure::Unreachable,
                        "the SMTP transport is closed".into(),
                    ));
                };
                match tokio::time::timeout(*timeout, transport.send(message)).await {
                    Ok(sent) => sent.map(drop).map_err(|e| classify(&e)),
                    Err(_) => Err(SendError::Transient(
                        Failure::Unreachable,
                        format!(
                            "the SMTP server did not finish within {} s",
                            timeout.as_secs()
                        ),
                    )),
                }
            }
            Mailer::File(dir) => {
                let (dir, name) = (dir.clone(), name.to_owned());
                let raw = message.formatted();
                actix_web::web::block(move || write_eml(&dir, &name, &raw))
                    .await
                    .map_err(|e| SendError::Transient(Failure::NotWritten, e.to_string()))?
                    .map_err(|e| {
                        SendError::Transient(
                            Failure::NotWritten,
                            format!("cannot write the mail file: {e}"),
                        )
                    })
            }
            Mailer::Memory(mailbox) => {
                mailbox.push(SentMail {
                    to: message
                        .envelope()
                        .to()
                        .iter()
                        .map(|a| a.to_string())
                        .collect(),
                    raw: String::from_utf8_lossy(&message.formatted()).into_owned(),
                });
                Ok(())
            }
        }
    }
}

/// TLS towards `mail.smtp_host`, trusting the compiled-in web PKI roots plus the CA file.
fn tls_parameters(mail: &MailSettings) -> anyhow::Result<TlsParameters> {
    let mut builder = TlsParameters::builder(mail.smtp_host.clone());
    if !mail.smtp_ca_file.is_empty() {
        let pem = std::fs::read(&mail.smtp_ca_file).map_err(|e| {
            anyhow::anyhow!(
                "setting mail.smtp_ca_file: cannot read {}: {e}",
                mail.smtp_ca_file
            )
        })?;
        let ca = Certificate::from_pem(&pem).map_err(|e| {
            anyhow::anyhow!(
                "setting mail.smtp_ca_file: {} is not a PEM certificate: {e}",
                mail.smtp_ca_file
            )
        })?;
        builder = builder.add_root_certificate(ca);
    }
    Ok(builder.build_rustls()?)
}

/// lettre's connection pool closes its connections on a task it spawns when dropped, which
/// panics where no runtime is running (actix drops its local tasks after leaving the
/// runtime). There the connections are left to the process's end instead.
pub struct PooledSmtp(Option<AsyncSmtpTransport<Tokio1Executor>>);

impl Drop for PooledSmtp {
    fn drop(&mut self) {
        if tokio::runtime::Handle::try_current().is_err() {
            std::mem::forget(self.0.take());
        }
    }
}

fn smtp(mail: &MailSettings) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let host = mail.smtp_host.clone();
    let tls = match mail.smtp_tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Starttls => Tls::Required(tls_parameters(mail)?),
        SmtpTls::Tls => Tls::Wrapper(tls_parameters(mail)?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(mail.smtp_port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(mail.smtp_timeout_seconds)));
    if !mail.smtp_username.is_empty() {
        builder = builder.credentials(Credentials::new(
            mail.smtp_username.clone(),
            mail.smtp_password.expose().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// A refusal the server says is final (5xx) is not retried; everything else (no connection,
/// timeouts, 4xx) may succeed later.
fn classify(error: &lettre::transport::smtp::Error) -> SendError {
    let text = error.to_string();
    if error.is_permanent() {
        SendError::Permanent(Failure::Refused, text)
    } else if error.is_transient() {
        SendError::Transient(Failure::Deferred, text)
    } else {
        SendError::Transient(Failure::Unreachable, text)
    }
}

/// Writes `{name}.eml` once. The mail is written whole under a temporary name, then linked
/// to its final name, which never replaces a file already there: a notice whose delivery was
/// interrupted after its file appeared (a worker killed before it could record the send)
/// is found delivered when it is taken up again, instead of being written a second time.
fn write_eml(dir: &std::path::Path, name: &str, raw: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let done = dir.join(format!("{name}.eml"));
    if done.exists() {
        return Ok(());
    }
    let mut id = [0u8; 8];
    argon2::password_hash::rand_core::RngCore::fill_bytes(
        &mut argon2::password_hash::rand_core::OsRng,
        &mut id,
    );
    let suffix: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let partial = dir.join(format!(".{name}.{suffix}.partial"));
    std::fs::write(&partial, raw)?;
    let linked = std::fs::hard_link(&partial, &done);
    std::fs::remove_file(&partial)?;
    match linked {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

/// The sender address, checked at start so that a typo stops the service instead of
/// failing every notice.
pub fn sender(mail: &MailSettings) -> anyhow::Result<Address> {
    mail.from
        .parse()
        .map_err(|e| anyhow::anyhow!("setting mail.from ({:?}) is not an address: {e}", mail.from))
}
