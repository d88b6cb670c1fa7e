//! Builds the application from settings: pool, migrations, bootstrap account, HTTP server.
//! `main` and the test harness both go through [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, Service, ServiceResponse};
use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpServer};
use argon2::password_hash::rand_core::{OsRng, RngCore};
use tracing::Instrument;

use crate::auth::password::PasswordWorkers;
use crate::auth::TokenKeys;
use crate::db::{self, Db};
use crate::domain::lockout::LockoutPolicy;
use crate::error::{AppError, PROBLEM_JSON};
use crate::notify::{Mailbox, Notifier, WorkerHandle};
use crate::settings::Settings;
use crate::web as web_pages;
use crate::web::{CsrfKey, PublicOrigin};
use crate::{api, telemetry};

/// Ordinary JSON bodies are small; bulk imports will get their own, larger limit.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

pub struct Application {
    port: u16,
    server: Server,
    /// The job worker, when `notices.worker` is on.
    worker: Option<WorkerHandle>,
    mailbox: Option<Mailbox>,
}

impl Application {
    pub async fn build(mut settings: Settings) -> anyhow::Result<Application> {
        // Bound first, so that links can follow the address actually listened on.
        let listener = TcpListener::bind((settings.server.host.as_str(), settings.server.port))?;
        let port = listener.local_addr()?.port();
        settings.server.public_url =
            public_url(&settings.server.public_url, listener.local_addr()?);
        let database = settings.database.clone();
        let clock = settings.company.clock.clone();
        let db = web::block(move || Db::connect(&database))
            .await??
            .on_clock(clock);
        let applied = db
            .run(|conn| db::run_migrations(conn).map_err(AppError::Internal))
            .await?;
        tracing::info!(backend = db.backend(), applied, "database ready");

        let bootstrap = settings.bootstrap.clone();
        match db
            .run(move |conn| crate::app::people::bootstrap_hr(conn, &bootstrap))
            .await?
        {
            Some(user) => tracing::info!(
                email = user.email.as_deref().unwrap_or(""),
                "bootstrap HR account created"
            ),
            None if settings.bootstrap.hr_password.is_empty() => tracing::debug!(
                "no bootstrap HR password set; set APPRAISAL__BOOTSTRAP__HR_PASSWORD or use \
                 `appraisal create-user` to make the first HR account"
            ),
            None => {}
        }

        let secret = jwt_secret(&settings);
        let keys = Arc::new(TokenKeys::new(&secret, settings.auth.token_ttl_minutes));
        let csrf = web::Data::new(CsrfKey::new(&secret));
        let public_origin = web::Data::new(PublicOrigin::of(&settings.server.public_url));
        let policy = LockoutPolicy {
            max_failures: settings.auth.max_failed_logins,
            base_seconds: settings.auth.lockout_base_seconds,
            max_seconds: settings.auth.lockout_max_seconds,
        };
        let passwords = Arc::new(PasswordWorkers::start(
            settings.auth.password_threads(),
            settings.auth.password_queue,
        )?);
        let app = web::Data::new(crate::app::App {
            db: db.clone(),
            time: settings.company.time(),
            lockout: policy,
            passwords: passwords.clone(),
            keys: keys.clone(),
            default_locale: settings.company.default_locale(),
            complaints: settings.complaints.clone(),
            robot_hosts: settings.notices.robot_hosts(),
            uploads: crate::app::UploadGate::new(
                settings.uploads.parallel,
                settings.uploads.wait_seconds,
            ),
        });
        let keys = web::Data::from(keys);
        let company_time = web::Data::new(settings.company.time());
        let body_deadline = web::Data::new(crate::deadline::BodyDeadline(
            std::time::Duration::from_secs(settings.server.body_timeout_seconds),
        ));
        let notifier = Notifier::new(db.clone(), &settings)?;
        let mailbox = notifier.mailbox();
        let worker = settings.notices.worker.then(|| notifier.spawn());
        let db = web::Data::new(db);
        let route_tiers = web::Data::new(settings.server.route_tiers);

        let server = HttpServer::new(move || {
            App::new()
                .wrap(actix_web::middleware::from_fn(
                    crate::deadline::limit_body_time,
                ))
                .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
                .wrap_fn(|req, srv| {
                    let incoming = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok());
                    let id = telemetry::request_id(incoming);
                    let span = tracing::info_span!("request", id = %id);
                    let (method, path) =
                        (req.method().clone(), telemetry::loggable_path(req.path()));
                    let started = Instant::now();
                    let call = srv.call(req);
                    async move {
                        let mut result = call.await;
                        let status = match &mut result {
                            Ok(response) => {
                                if let Ok(value) = HeaderValue::from_str(&id) {
                                    response.headers_mut().insert(
                                        actix_web::http::header::HeaderName::from_static(
                                            "x-request-id",
                                        ),
                                        value,
                                    );
                                }
                                response.status().as_u16()
                            }
                            Err(error) => error.as_response_error().status_code().as_u16(),
                        };
                        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
                        tracing::info!(%method, %path, status, latency_ms, "request");
                        result
                    }
                    .instrument(span)
                })
                .app_data(db.clone())
                .app_data(keys.clone())
                .app_data(csrf.clone())
                .app_data(public_origin.clone())
                .app_data(app.clone())
                .app_data(company_time.clone())
                .app_data(body_deadline.clone())
                .app_data(route_tiers.clone())
                .app_data(web::PayloadConfig::new(JSON_BODY_LIMIT))
                .configure(api::routes)
                .configure(web_pages::routes)
        })
        .listen(listener)?;
        let server = match settings.server.workers {
            0 => server,
            n => server.workers(n),
        };
        Ok(Application {
            port,
            server: server.run(),
            worker,
            mailbox,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The memory transport's mailbox, when `mail.transport` is `memory`.
    pub fn mailbox(&self) -> Option<Mailbox> {
        self.mailbox.clone()
    }

    /// Serves until the server is stopped (SIGINT or SIGTERM), then stops the notice worker,
    /// which finishes the mails in hand and gives back the notices it had claimed.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(worker) = self.worker {
            worker.stop().await;
        }
        served
    }

    /// The running server and the notice worker, for callers that run them in the
    /// background and stop them later.
    pub fn into_parts(self) -> (Server, Option<WorkerHandle>) {
        (self.server, self.worker)
    }
}

/// Where links in mails start: `server.public_url` when set; else the address the service
/// listens on (a wildcard address as `localhost`, which only this machine reaches: said in
/// the log, since people elsewhere need `server.public_url`).
fn public_url(configured: &str, bound: std::net::SocketAddr) -> String {
    if !configured.is_empty() {
        tracing::info!(
            public_url = configured,
            "links in mails start at server.public_url"
        );
        return configured.to_owned();
    }
    let url = if bound.ip().is_unspecified() {
        let url = format!("http://localhost:{}", bound.port());
        tracing::warn!(
            public_url = %url,
            "server.public_url is not set and the service listens on every address: links in \
             mails start at {url}, which only this machine reaches; set server.public_url to \
             the address people use"
        );
        url
    } else {
        let url = format!("http://{bound}");
        tracing::info!(public_url = %url, "links in mails follow the address listened on (server.public_url is not set)");
        url
    };
    url
}

fn jwt_secret(settings: &Settings) -> Vec<u8> {
    let configured = settings.auth.jwt_secret.expose();
    if !configured.is_empty() {
        return configured.as_bytes().to_vec();
    }
    tracing::warn!(
        "auth.jwt_secret is not set: using a random key for this process; tokens end when it \
         stops and are not accepted by other instances"
    );
    let mut secret = vec![0u8; 64];
    OsRng.fill_bytes(&mut secret);
    secret
}

/// actix answers some errors itself (unknown route, wrong method) with an empty body;
/// give those the same problem+json shape as ours (the pages' error pages stay HTML).
fn problem_for_bare_errors<B: MessageBody>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let answered = response.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes() == PROBLEM_JSON.as_bytes() || v.as_bytes().starts_with(b"text/html")
    });
    if answered {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (request, _) = response.into_parts();
    let locale = crate::error::reader_locale(&request);
    let replaced = ServiceResponse::new(request, AppError::problem_for_status(status, locale));
    Ok(ErrorHandlerResponse::Response(
        replaced.map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use super::public_url;

    #[test]
    fn links_follow_the_address_listened_on_unless_set() {
        let at = |a: &str| a.parse().unwrap();
        assert_eq!(
            public_url("", at("127.0.0.1:9000")),
            "http://127.0.0.1:9000"
        );
        assert_eq!(public_url("", at("[::1]:9000")), "http://[::1]:9000");
        assert_eq!(public_url("", at("0.0.0.0:8080")), "http://localhost:8080");
        assert_eq!(
            public_url("https://appraisal.example", at("0.0.0.0:8080")),
            "https://appraisal.example"
        );
    }
}

/// The command line's work on the database (`appraisal migrate`, `deliver`, `serve
/// --sample`, `create-user`), so that `main.rs` reaches the database only through here.
pub mod commands {
    use crate::app::people::{self, CliPerson};
    use crate::app::view::User;
    use crate::db::{self, Db};
    use crate::error::AppError;
    use crate::notify::{Notifier, WorkerHandle};
    use crate::sample::{self, SampleLogin};
    use crate::settings::Settings;

    fn migrated(settings: &Settings) -> anyhow::Result<(Db, usize)> {
        let db = Db::connect(&settings.database)?;
        let mut conn = db.get()?;
        let applied = db::run_migrations(&mut conn)?;
        drop(conn);
        Ok((db, applied))
    }

    /// Applies pending migrations; how many, and on which backend.
    pub fn migrate(settings: &Settings) -> anyhow::Result<(usize, &'static str)> {
        let (db, applied) = migrated(settings)?;
        Ok((applied, db.backend()))
    }

    /// Migrates and seeds the sample company; its logins.
    pub fn seed_sample(settings: &Settings) -> anyhow::Result<Vec<SampleLogin>> {
        let (db, _) = migrated(settings)?;
        let today = settings.company.time().today();
        let mut conn = db.get()?;
        Ok(sample::seed(&mut conn, today)?)
    }

    /// Migrates and creates one person from the command line's flags.
    pub fn create_user(
        settings: &Settings,
        input: CliPerson,
    ) -> anyhow::Result<Result<User, AppError>> {
        let (db, _) = migrated(settings)?;
        let mut conn = db.get()?;
        Ok(people::create_from_cli(&mut conn, input))
    }

    /// Starts a job worker on a migrated database (`appraisal deliver`, which leaves the
    /// migrations to `serve` or `migrate`).
    pub async fn worker(settings: &Settings) -> anyhow::Result<WorkerHandle> {
        let database = settings.database.clone();
        let db = actix_web::web::block(move || Db::connect(&database)).await??;
        let complete = db
            .run(|conn| db::migrations_complete(conn).map_err(AppError::Internal))
            .await?;
        if !complete {
            anyhow::bail!("the database has pending migrations; run `appraisal migrate` first");
        }
        Ok(Notifier::new(db, settings)?.spawn())
    }
}
