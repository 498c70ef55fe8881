//! Any bytes as the files and git listings the hygiene checks read, split at each 0xFF byte:
//! the top `.gitignore` (none when the first piece is empty), a nested `app/.gitignore`, the
//! NUL-separated `git-tracked` and `git-ignored` listings (both or neither), then extra gathered
//! paths (NUL- or newline-separated, holding the first piece). Findings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use securescan_adapter_sdk::{Adapter, CommandOutput, GatheredFile, Input};

/// Risky and sensitive files a project may hold, so every check has something to judge.
const CANDIDATES: &[&str] = &[
    ".env",
    ".env.local",
    "app/.env.production",
    "app/.env.staging",
    "keys/id_rsa",
    "keys/id_ed25519",
    "app/server.key",
    "cert.pem",
    "store.p12",
    "data/app.sqlite3",
    "app/cache.db",
    "config/credentials.json",
    "service-account.json",
    "public/.htpasswd",
    "web/wp-config.php",
];

fn command(name: &str, stdout: &[u8]) -> CommandOutput {
    CommandOutput {
        name: name.into(),
        exit_code: Some(0),
        stdout: stdout.to_vec(),
    }
}

fn file(relative: &str, bytes: &[u8]) -> GatheredFile {
    GatheredFile {
        path: format!("repo/{relative}"),
        bytes: bytes.to_vec(),
    }
}

fuzz_target!(|data: &[u8]| {
    let pieces: Vec<&[u8]> = data.split(|b| *b == 0xff).collect();
    let top = pieces[0];
    let mut input = Input {
        target: "repo".into(),
        ..Input::default()
    };
    input.commands.push(command("target-is-directory", b""));
    if !top.is_empty() {
        input.files.push(file(".gitignore", top));
    }
    if let Some(nested) = pieces.get(1) {
        input.files.push(file("app/.gitignore", nested));
    }
    if let (Some(tracked), Some(ignored)) = (pieces.get(2), pieces.get(3)) {
        input.commands.push(command("git-tracked", tracked));
        input.commands.push(command("git-ignored", ignored));
    }
    if let Some(extra) = pieces.get(4) {
        for path in extra.split(|b| *b == 0 || *b == b'\n') {
            input.files.push(file(&String::from_utf8_lossy(path), top));
        }
    }
    input
        .files
        .extend(CANDIDATES.iter().map(|relative| file(relative, b"")));
    let _ = securescan_adapter_git_hygiene::GitHygiene::parse(&input);
});
