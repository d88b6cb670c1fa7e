//! The `appraisal` command: parse arguments, load settings, call into the library.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use appraisal::app::people::CliPerson;
use appraisal::error::AppError;
use appraisal::i18n::{self, Locale};
use appraisal::sample::SAMPLE_PASSWORD;
use appraisal::settings::Settings;
use appraisal::startup::{commands, Application};
use appraisal::telemetry;
use clap::{Args, Parser, Subcommand};

/// mimalloc rather than the system allocator: a bulk import makes and drops millions of
/// small strings, where glibc's malloc spent a quarter of the time (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Name of the variable `create-user` reads the new password from (instead of stdin).
const PASSWORD_ENV: &str = "APPRAISAL_NEW_USER_PASSWORD";

#[derive(Parser)]
#[command(
    name = "appraisal",
    version,
    about = "Service Appraisal: weighted, explainable customer-service appraisals"
)]
struct Cli {
    /// A settings file layered over config/default.toml (same keys).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations and serve the HTTP API.
    Serve {
        /// First seed a sample company (once) and print its logins.
        #[arg(long)]
        sample: bool,
    },
    /// Run the job worker (deliver notices, expand batches, queue due reminders) without
    /// serving HTTP, until SIGINT or SIGTERM. Run any number of these beside `serve` with
    /// `notices.worker = false`.
    Deliver,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a user. The password is read from $APPRAISAL_NEW_USER_PASSWORD or stdin.
    CreateUser(CreateUserArgs),
}

#[derive(Args)]
struct CreateUserArgs {
    #[arg(long)]
    email: String,
    /// Display name.
    #[arg(long)]
    name: String,
    /// staff, supervisor or hr.
    #[arg(long)]
    role: String,
    /// Department name; created if it does not exist yet.
    #[arg(long)]
    department: String,
    /// Kind of a department created here: front_line or back_office.
    #[arg(long, default_value = "back_office")]
    department_kind: String,
    /// Email of the user's supervisor.
    #[arg(long)]
    manager_email: Option<String>,
    /// zh-CN or en.
    #[arg(long, default_value = "en")]
    locale: String,
    /// The employee number (工号) HR's spreadsheets key the person by.
    #[arg(long)]
    employee_number: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref(), std::env::vars()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log.filter);
    let result = match cli.command {
        Command::Serve { sample } => serve(settings, sample),
        Command::Deliver => deliver(settings),
        Command::Migrate => migrate(&settings),
        Command::CreateUser(args) => create_user(&settings, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings, sample: bool) -> anyhow::Result<()> {
    if sample {
        seed_sample(&settings)?;
    }
    actix_web::rt::System::new().block_on(async move {
        let host = settings.server.host.clone();
        let app = Application::build(settings).await?;
        tracing::info!("listening on http://{host}:{}", app.port());
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn seed_sample(settings: &Settings) -> anyhow::Result<()> {
    let logins = commands::seed_sample(settings)?;
    println!("Sample company ready. Every sample account's password: {SAMPLE_PASSWORD}");
    for login in logins {
        println!(
            "  {:<10} {:<40} {}",
            login.role, login.email, login.department
        );
    }
    println!("  (all 30 staff: firstname.lastname@sample.example, e.g. the ones above)");
    Ok(())
}

fn deliver(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let worker = commands::worker(&settings).await?;
        shutdown_signal().await?;
        tracing::info!("stopping: finishing the mails in hand");
        worker.stop().await;
        Ok(())
    })
}

/// Waits for SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = actix_web::rt::signal::ctrl_c() => result,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        actix_web::rt::signal::ctrl_c().await
    }
}

fn migrate(settings: &Settings) -> anyhow::Result<()> {
    let (applied, backend) = commands::migrate(settings)?;
    println!("{applied} migration(s) applied to the {backend} database");
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var(PASSWORD_ENV) {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password for the new user: ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn create_user(settings: &Settings, args: CreateUserArgs) -> anyhow::Result<()> {
    let password = read_password()?;
    let input = CliPerson {
        email: args.email,
        display_name: args.name,
        role: args.role,
        department: args.department,
        department_kind: args.department_kind,
        manager_email: args.manager_email,
        locale: args.locale,
        password,
        employee_number: args.employee_number,
    };
    match commands::create_user(settings, input)? {
        Ok(user) => {
            println!(
                "created {} user {} (id {})",
                user.role,
                user.email.as_deref().unwrap_or(""),
                user.id
            );
            Ok(())
        }
        Err(AppError::Validation(errors)) => {
            let reasons: Vec<String> = errors
                .iter()
                .map(|e| {
                    format!(
                        "--{}: {}",
                        e.field.replace('_', "-"),
                        i18n::problem(Locale::En, &e.problem)
                    )
                })
                .collect();
            anyhow::bail!("invalid input: {}", reasons.join("; "))
        }
        Err(error) => Err(error.into()),
    }
}
