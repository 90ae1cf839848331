//! The command line: serve, demo, and the operator's admin commands.

mod admin;
mod demo;
mod health;

use crate::app::identity_providers::check_issuer;
use crate::clock::Clock;
use crate::config::{Overrides, Settings};
use crate::operator::{client, Request};
use crate::startup::Application;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "communityd",
    version,
    about = "Communities of tenants that share data"
)]
pub struct Cli {
    /// A TOML file whose settings override the built-in defaults.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Where the database and file-transport emails live (COMMUNITYD_DATA_DIR).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Create a fresh demo data dir with two tenants, print their logins, and serve.
    Demo(ServeArgs),
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(admin::TenantCommand),
    /// Manage users.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage clients (client-credentials identities for scripts and SDKs).
    #[command(subcommand)]
    Client(admin::ClientCommand),
    /// Manage a tenant's OpenID Connect identity providers.
    #[command(subcommand)]
    Idp(admin::IdpCommand),
    /// Ask the local server whether it is ready (for container health checks).
    Health(ServeArgs),
    /// Write a consistent copy of the database to FILE, while the server runs or not.
    Backup {
        /// Where to write the copy (must not exist yet); with --verify, the backup to check.
        file: PathBuf,
        /// Check FILE (checksums, every record, counts) instead of writing a backup.
        #[arg(long)]
        verify: bool,
    },
    /// Move a deployment between redb and PostgreSQL.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Replace the database with a backup (stop the server first); the
    /// current file is kept beside it.
    Restore {
        /// A file written by `communityd backup`.
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
enum StoreCommand {
    /// Copy every record from one store into an empty one, then read both
    /// back and compare them record by record. Stop every server on the
    /// source first: a redb data dir is locked while served, but nothing
    /// stops servers from writing to a PostgreSQL source meanwhile, and
    /// what they write during the copy is lost (or fails verification).
    Copy {
        /// A data dir holding communityd.redb, or a postgres:// URL.
        #[arg(long)]
        from: String,
        /// An empty or new data dir, or a postgres:// URL of an empty
        /// database (no tenants, no signing keys).
        #[arg(long)]
        to: String,
    },
}

#[derive(clap::Args, Debug, Default)]
struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 or 0.0.0.0:0 (COMMUNITYD_BIND).
    #[arg(long)]
    bind: Option<String>,
    /// Absolute base URL for links in emails (COMMUNITYD_PUBLIC_URL).
    #[arg(long)]
    public_url: Option<String>,
    /// A folder whose email/ and pages/ templates replace the built-in ones
    /// of the same name (COMMUNITYD_TEMPLATES_DIR).
    #[arg(long)]
    templates: Option<String>,
}

pub async fn run(cli: Cli) -> Result<(), String> {
    let overrides = |serve: Option<&ServeArgs>, data_dir: Option<PathBuf>| Overrides {
        data_dir,
        bind: serve.and_then(|s| s.bind.clone()),
        public_url: serve.and_then(|s| s.public_url.clone()),
        templates_dir: serve.and_then(|s| s.templates.clone()),
    };
    match cli.command {
        Command::Serve(args) => {
            let settings =
                Settings::load(cli.config.as_deref(), overrides(Some(&args), cli.data_dir))?;
            serve(settings, None).await
        }
        Command::Demo(args) => {
            let mut settings = Settings::load(cli.config.as_deref(), overrides(Some(&args), None))?;
            settings.data_dir = cli
                .data_dir
                .unwrap_or_else(|| settings.data_dir.join(client::DEMO_DIR));
            let logins = demo::prepare(&settings)?;
            serve(settings, Some(logins)).await
        }
        Command::Tenant(cmd) => operator(cli.config.as_deref(), cli.data_dir, cmd.into()),
        Command::User(cmd) => operator(cli.config.as_deref(), cli.data_dir, cmd.into()),
        Command::Client(cmd) => operator(cli.config.as_deref(), cli.data_dir, cmd.into()),
        Command::Idp(cmd) => {
            if let Some(issuer) = cmd.issuer() {
                check_issuer(issuer).await.map_err(|e| {
                    format!("--issuer: {}", e.to_string().trim_start_matches("Issuer: "))
                })?;
            }
            operator(cli.config.as_deref(), cli.data_dir, cmd.into())
        }
        Command::Health(args) => {
            let settings =
                Settings::load(cli.config.as_deref(), overrides(Some(&args), cli.data_dir))?;
            println!("{}", health::check(&settings)?);
            Ok(())
        }
        Command::Backup { file, verify: true } => print(&client::verify(&file)?),
        Command::Backup {
            file,
            verify: false,
        } => {
            let settings = Settings::load(cli.config.as_deref(), overrides(None, cli.data_dir))?;
            print(&client::backup_configured(&database(&settings), &file)?)
        }
        Command::Store(StoreCommand::Copy { from, to }) => print(&client::store_copy(&from, &to)?),
        Command::Restore { file } => {
            let settings = Settings::load(cli.config.as_deref(), overrides(None, cli.data_dir))?;
            print(&client::restore_configured(&database(&settings), &file)?)
        }
    }
}

fn operator(
    config: Option<&std::path::Path>,
    data_dir: Option<PathBuf>,
    request: Request,
) -> Result<(), String> {
    let settings = Settings::load(
        config,
        Overrides {
            data_dir,
            ..Overrides::default()
        },
    )?;
    print(&client::run_configured(&database(&settings), request)?)
}

/// Where the settings put the data, for the operator's commands.
fn database(settings: &Settings) -> client::Database<'_> {
    client::Database {
        data_dir: &settings.data_dir,
        url: &settings.database_url.0,
    }
}

fn print(value: &serde_json::Value) -> Result<(), String> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).map_err(|e| e.to_string())?
    );
    Ok(())
}

async fn serve(settings: Settings, demo_logins: Option<String>) -> Result<(), String> {
    let mail = settings.mail_destination();
    let app = Application::build(settings, Clock::default()).await?;
    println!("listening on {}", app.url());
    if let Some(logins) = demo_logins {
        println!("{logins}");
    }
    println!("open {}/ in a browser; {mail}", app.ctx.public_url);
    app.run_until_stopped().await.map_err(|e| e.to_string())
}
