use clap::Parser;
use communityd::cli::Cli;
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    communityd::telemetry::init();
    match communityd::cli::run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
