//! The Standard Webhooks reference verifier (its Python package, pinned in
//! tests/webhooks/requirements.txt), run on what a receiver got: a check of
//! the service's signatures by code its authors did not write. The venv is
//! made beside the build profiles on first use, as the sign-in tests' is.

use crate::oidc_provider::FileLock;
use crate::webhook_receiver::Received;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const REQUIREMENTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/webhooks/requirements.txt"
);
const VERIFY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webhooks/verify.py");

/// For each request, "ok" or why the reference verifier refused it.
pub fn verdicts(secret: &str, requests: &[Received]) -> Vec<String> {
    let items: Vec<_> = requests
        .iter()
        .map(|r| {
            json!({
                "secret": secret,
                "headers": {
                    "webhook-id": r.header("webhook-id"),
                    "webhook-timestamp": r.header("webhook-timestamp"),
                    "webhook-signature": r.header("webhook-signature"),
                },
                "body": String::from_utf8_lossy(&r.body),
            })
        })
        .collect();
    let mut child = Command::new(python())
        .arg(VERIFY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the verifier starts");
    let input = serde_json::to_vec(&items).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().expect("the verifier ends");
    assert!(
        out.status.success(),
        "verify.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(install).clone()
}

fn install() -> PathBuf {
    let binary = Path::new(env!("CARGO_BIN_EXE_communityd"));
    let target = binary.parent().and_then(Path::parent).expect("target dir");
    let venv = target.join("webhooks-venv");
    let _lock = FileLock::acquire(&venv.with_extension("lock"));
    let python = venv.join("bin/python");
    let stamp = venv.join("requirements.sha256");
    let wanted: String = Sha256::digest(std::fs::read(REQUIREMENTS).expect("requirements"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if python.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return python;
    }
    let _ = std::fs::remove_dir_all(&venv);
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(REQUIREMENTS));
    // Written last: a stamp means a complete install.
    std::fs::write(&stamp, wanted).expect("venv stamp");
    python
}

fn run(command: &mut Command) {
    let out = command.output().unwrap_or_else(|e| {
        panic!("{command:?}: {e}; the webhook tests need python3 with its venv module")
    });
    assert!(
        out.status.success(),
        "{command:?} failed; the webhook tests need python3, its venv module and PyPI within reach:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
