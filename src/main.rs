use clap::Parser;
use communityd::cli::Cli;
use std::process::ExitCode;

#[actix_web::main]
async fn main() -> ExitCode {
    return_large_buffers_to_the_system();
    communityd::telemetry::init();
    let outcome = communityd::cli::run(Cli::parse()).await;
    communityd::telemetry::log_buffer::flush();
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Each argon2 hash takes a 19 MiB buffer. glibc maps the first one and
/// returns it on free, but then raises its mmap threshold above that size,
/// so every later buffer comes from the heap and stays resident after
/// hashing (an idle `demo`, which hashes four secrets, sat at 31 MiB instead
/// of 12). Fixing the threshold at glibc's default keeps large buffers
/// mapped, so freeing them gives the memory back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_buffers_to_the_system() {
    const M_MMAP_THRESHOLD: std::os::raw::c_int = -3;
    extern "C" {
        fn mallopt(param: std::os::raw::c_int, value: std::os::raw::c_int) -> std::os::raw::c_int;
    }
    // SAFETY: mallopt only sets an allocator tunable; it is called before
    // any other thread exists.
    unsafe {
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_buffers_to_the_system() {}
