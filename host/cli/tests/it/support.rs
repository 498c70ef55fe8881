//! Paths to built artifacts and small builders shared by the test modules.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use securescan_engine::compliance::ComplianceMapper;
use securescan_engine::settings::Settings;
use securescan_engine::{Engine, EngineConfig};
use securescan_registry::Registry;
use securescan_sandbox::{CompileCache, LoadedAdapter, Sandbox, WitInput, WitToolReport};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_securescan"))
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("host/cli/ is two levels below the workspace")
        .to_path_buf()
}

/// `target/` of this build: the binary is `target/<profile>/securescan`.
pub fn target_dir() -> PathBuf {
    bin()
        .parent()
        .and_then(Path::parent)
        .expect("binary inside target/<profile>/")
        .to_path_buf()
}

const BUILD_HINT: &str = "build the adapters first: `scripts/test.sh` does, or `cargo run --release -p securescan -- adapter build`";

/// Where `securescan adapter build` put the registry's components.
pub fn adapter_dir() -> PathBuf {
    let dir = target_dir().join("adapters");
    assert!(
        dir.join("securescan_adapter_semgrep.wasm").is_file(),
        "no adapters in {}: {BUILD_HINT}",
        dir.display()
    );
    dir
}

pub fn hostile_component() -> Vec<u8> {
    let path = target_dir().join("wasm32-wasip2/adapter/securescan_hostile_adapter.wasm");
    std::fs::read(&path).unwrap_or_else(|err| {
        panic!("{}: {err}; build it with `cargo build --profile adapter --target wasm32-wasip2 -p securescan-hostile-adapter` (scripts/test.sh does)", path.display())
    })
}

/// One sandbox for the whole test binary, with a compile cache so each component compiles once.
pub fn sandbox() -> &'static Sandbox {
    static SANDBOX: LazyLock<Sandbox> = LazyLock::new(|| {
        Sandbox::new(Some(CompileCache::new(
            target_dir().join("test-compile-cache"),
        )))
        .expect("engine starts")
    });
    &SANDBOX
}

pub fn load(id: &str) -> LoadedAdapter {
    let registry = Registry::builtin().expect("built-in registry parses");
    let entry = registry
        .get(id)
        .unwrap_or_else(|| panic!("{id} is not in the registry"));
    sandbox()
        .load(entry, &adapter_dir())
        .unwrap_or_else(|err| panic!("{id}: {err}"))
}

pub fn report_input(bytes: Vec<u8>) -> WitInput {
    WitInput::for_report(
        ".",
        WitToolReport {
            bytes,
            exit_code: Some(0),
            tool_version: None,
        },
    )
}

/// A directory of files, each `(relative path, contents)`.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("file has a parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    dir
}

/// An AWS-style key assembled at run time, so the repository itself holds no such literal.
pub fn fake_aws_key() -> String {
    format!("AKIA{}", "Q7RM".repeat(4))
}

/// The binary with the built adapters and the shared compile cache, and the real PATH.
pub fn securescan() -> Command {
    let mut command = Command::new(bin());
    command
        .env("SECURESCAN_ADAPTER_DIR", adapter_dir())
        .env(
            "SECURESCAN_CACHE_DIR",
            target_dir().join("test-compile-cache"),
        )
        // Scans are saved; tests save to one store of their own, never the user's.
        .env("SECURESCAN_DB_PATH", target_dir().join("test-scans.db"))
        // Tool versions are remembered there, never in the user's cache.
        .env("XDG_CACHE_HOME", target_dir().join("test-cache"))
        .env_remove("SECURESCAN_COMPLIANCE_DIR");
    command
}

/// The binary cut off from this machine: PATH is only `path_dir` (no real tool runs), no user
/// `.env` (`path_dir` holds no `securescan/.env`), no stdin, and none of the environment settings
/// a developer may have exported (semgrep rules, a ZAP daemon, colour).
pub fn isolated(path_dir: &Path) -> Command {
    let mut command = securescan();
    command
        .env("PATH", path_dir)
        .env_remove("SECURESCAN_SEMGREP_CONFIG")
        .env_remove("SECURESCAN_ZAP_ADDRESS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("XDG_CONFIG_HOME", path_dir)
        .stdin(std::process::Stdio::null());
    command
}

/// `git` in `repo` with an identity of its own and no user or system config; it must succeed.
pub fn git(repo: &Path, args: &[&str]) -> String {
    let output =
        Command::new(securescan_engine::tools::find_tool("git").expect("git is installed"))
            .current_dir(repo)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .args(["-c", "user.email=t@t", "-c", "user.name=t"])
            .args(args)
            .output()
            .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn run(command: &mut Command) -> std::process::Output {
    command.output().expect("securescan runs")
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Run a scan that must succeed and return its JSON findings.
pub fn scan_json(command: &mut Command) -> serde_json::Value {
    let output = command.output().expect("securescan runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("json")
}

/// One HTTP request a [`StubServer`] received.
#[derive(Debug, Clone)]
pub struct StubRequest {
    /// The request target as sent: path and query.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
}

impl StubRequest {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    pub fn query(&self, name: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_string())
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What a stub answers: status, headers (repeatable), body.
pub type StubResponse = (u16, Vec<(String, String)>, Vec<u8>);

/// A minimal HTTP/1.1 server on 127.0.0.1 for tests, one connection at a time, closed after each
/// response. It stops when dropped.
pub struct StubServer {
    pub port: u16,
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<StubRequest>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl StubServer {
    pub fn start(handler: impl Fn(&StubRequest) -> StubResponse + Send + 'static) -> StubServer {
        use std::io::{BufRead, BufReader, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (seen, stopped) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut headers = Vec::new();
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.trim_end().split_once(':') {
                        headers.push((name.trim().to_lowercase(), value.trim().to_string()));
                    }
                }
                let request = StubRequest { target, headers };
                let (status, response_headers, body) = handler(&request);
                seen.lock().expect("lock").push(request);
                let mut head = format!("HTTP/1.1 {status} Stub\r\n");
                for (name, value) in &response_headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str(&format!(
                    "Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                ));
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        StubServer {
            port,
            requests,
            stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for StubServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// An engine over `registry` with its components in `adapter_dir`, the built-in compliance
/// mappings, this process's directory and no settings.
pub fn engine(registry: Registry, adapter_dir: PathBuf) -> Engine {
    let working_dir = std::env::current_dir().expect("current directory");
    engine_in(registry, adapter_dir, &working_dir, Settings::default())
}

/// [`engine`] with its own working directory and settings.
pub fn engine_in(
    registry: Registry,
    adapter_dir: PathBuf,
    working_dir: &Path,
    settings: Settings,
) -> Engine {
    Engine::new(EngineConfig {
        registry,
        sandbox: sandbox().clone(),
        adapter_dir,
        compliance: ComplianceMapper::load(None).expect("built-in compliance mappings"),
        working_dir: working_dir.to_path_buf(),
        settings,
    })
}

/// A path template (`/scans/{scan_id}/findings`) with every `{parameter}` replaced by `value`.
pub fn with_parameters(template: &str, value: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in template.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str(value);
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}
