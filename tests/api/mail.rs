//! A real SMTP server in the test process (mailin-embedded), and reading what it received.

use std::io;
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailin_embedded::{response, AuthMechanism, Handler, Response, Server, SslConfig};
use mailparse::MailHeaderMap;

/// One mail as the server received it, decoded.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub message_id: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Received {
    fn parse(to: Vec<String>, raw: &[u8]) -> Received {
        let mail = mailparse::parse_mail(raw).expect("the server received a valid mail");
        let header = |name: &str| mail.headers.get_first_value(name).unwrap_or_default();
        let part = |mime: &str| {
            mail.subparts
                .iter()
                .find(|p| p.ctype.mimetype == mime)
                .map(|p| p.get_body().expect("part decodes"))
                .unwrap_or_default()
        };
        Received {
            to,
            message_id: header("Message-ID"),
            subject: header("Subject"),
            text: part("text/plain"),
            html: part("text/html"),
        }
    }

    /// The notice kind, from the Message-ID (`<kind.event.recipient@domain>`).
    pub fn kind(&self) -> &str {
        self.message_id
            .trim_start_matches('<')
            .split('.')
            .next()
            .unwrap_or("")
    }
}

/// What a TLS-capable test server needs: its certificate and key (PEM files), and the one
/// login it accepts (AUTH PLAIN, offered only after STARTTLS).
pub struct TlsServer {
    pub cert_path: String,
    pub key_path: String,
    pub login: (String, String),
}

#[derive(Clone)]
struct Collector {
    received: Arc<Mutex<Vec<Received>>>,
    login: Option<(String, String)>,
    logins: Arc<Mutex<Vec<bool>>>,
    /// Recipients containing this text are refused with a permanent 550.
    refuse: Arc<Mutex<Option<String>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn rcpt(&mut self, to: &str) -> Response {
        let refused = self.refuse.lock().unwrap().clone();
        match refused {
            Some(part) if to.contains(&part) => response::NO_MAILBOX,
            _ => response::OK,
        }
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = Received::parse(std::mem::take(&mut self.to), &self.data);
        self.received.lock().unwrap().push(mail);
        response::OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }

    fn auth_plain(&mut self, _authz: &str, user: &str, password: &str) -> Response {
        let accepted = self.login.as_ref() == Some(&(user.to_owned(), password.to_owned()));
        self.logins.lock().unwrap().push(accepted);
        if accepted {
            response::AUTH_OK
        } else {
            response::INVALID_CREDENTIALS
        }
    }
}

/// An SMTP server on 127.0.0.1. It runs until the test process ends.
pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<Mutex<Option<String>>>,
    logins: Arc<Mutex<Vec<bool>>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        SmtpServer::start_on(TcpListener::bind("127.0.0.1:0").expect("a free port"), None)
    }

    /// A server that offers STARTTLS and, after it, AUTH PLAIN.
    pub fn start_tls(tls: TlsServer) -> SmtpServer {
        SmtpServer::start_on(
            TcpListener::bind("127.0.0.1:0").expect("a free port"),
            Some(tls),
        )
    }

    /// The outcome of each login attempt so far (true: accepted).
    pub fn logins(&self) -> Vec<bool> {
        self.logins.lock().unwrap().clone()
    }

    /// Serves on `port` (chosen earlier with [`free_port`]).
    pub fn start_on_port(port: u16) -> SmtpServer {
        SmtpServer::start_on(
            TcpListener::bind(("127.0.0.1", port)).expect("the port is free"),
            None,
        )
    }

    fn start_on(listener: TcpListener, tls: Option<TlsServer>) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let refuse = Arc::new(Mutex::new(None));
        let logins = Arc::new(Mutex::new(Vec::new()));
        let collector = Collector {
            received: received.clone(),
            login: tls.as_ref().map(|t| t.login.clone()),
            logins: logins.clone(),
            refuse: refuse.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = Server::new(collector);
        let ssl = match tls {
            Some(tls) => {
                server.with_auth(AuthMechanism::Plain);
                SslConfig::SelfSigned {
                    cert_path: tls.cert_path,
                    key_path: tls.key_path,
                }
            }
            None => SslConfig::None,
        };
        server
            .with_name("smtp.test")
            .with_ssl(ssl)
            .expect("TLS set up")
            // Every client keeps a pooled connection open; give each one a thread.
            .with_num_threads(32)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer {
            port,
            received,
            refuse,
            logins,
        }
    }

    /// Refuse recipients whose address contains `part` (permanently), or none.
    pub fn refuse(&self, part: Option<&str>) {
        *self.refuse.lock().unwrap() = part.map(str::to_owned);
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn of_kind(&self, kind: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.kind() == kind)
            .collect()
    }

    /// Waits until at least `count` mails of `kind` arrived (or `limit` passed); returns them.
    pub async fn wait_for(&self, kind: &str, count: usize, limit: Duration) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let mails = self.of_kind(kind);
            if mails.len() >= count || started.elapsed() > limit {
                return mails;
            }
            actix_rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A port nobody listens on (connections are refused) until a server starts on it.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

/// A private CA and a certificate it issued for `localhost`, as PEM files in `dir`:
/// returns (CA file, server certificate file, server key file).
pub fn private_ca(dir: &std::path::Path) -> (String, String, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_owned()
    };
    (
        write("ca.pem", ca.pem()),
        write("server.pem", cert.pem()),
        write("server.key", key.serialize_pem()),
    )
}

/// The test server's rustls needs one process-wide crypto provider (two are compiled in).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
