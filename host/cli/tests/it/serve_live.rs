//! `securescan serve` as operators run it: the built binary listening on a loopback port, driven
//! over HTTP, running the real scanner tools. What only a real process shows: the same findings
//! as `securescan scan`, tool processes killed on cancel and on SIGTERM, FIFO under the
//! concurrency bound, and recovery after `kill -9` (no scan stuck `running`, no tool left, the
//! store intact). Also schemathesis against the live `/openapi.json`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};

use crate::real_tools::require;
use crate::support::{fake_aws_key, securescan, workspace};

/// The environment variable every tool of a server scan carries (`<instance>:<scan id>`).
const MARKER: &str = "SECURESCAN_SERVER_SCAN=";
/// Generous: two cores are shared with other builds, and semgrep alone starts in seconds.
const SCAN_TIMEOUT: Duration = Duration::from_secs(900);

/// One server's world: its store, allowed root, HOME and cache, all temporary.
pub(crate) struct Home {
    pub(crate) dir: tempfile::TempDir,
}

impl Home {
    pub(crate) fn new() -> Home {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["root", "home", "cache"] {
            std::fs::create_dir(dir.path().join(sub)).expect("mkdir");
        }
        Home { dir }
    }

    pub(crate) fn db(&self) -> PathBuf {
        self.dir.path().join("scans.db")
    }

    /// The allowed root, canonical (findings name files under it as the server resolved it).
    pub(crate) fn root(&self) -> PathBuf {
        self.dir
            .path()
            .join("root")
            .canonicalize()
            .expect("canonical root")
    }

    /// The binary with this home's store, root, HOME and cache.
    pub(crate) fn command(&self) -> Command {
        let mut command = securescan();
        command
            .env("SECURESCAN_DB_PATH", self.db())
            .env("SECURESCAN_ALLOWED_ROOTS", self.root())
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("home"))
            .env_remove("SECURESCAN_API_KEY")
            .env_remove("SECURESCAN_AUTH_REQUIRED")
            .env_remove("SECURESCAN_EVENT_TOKEN_SECRET")
            .env_remove("SECURESCAN_MAX_CONCURRENT_SCANS")
            .stdin(Stdio::null());
        command
    }

    pub(crate) fn serve(&self, env: &[(&str, &str)]) -> Server {
        let mut command = self.command();
        command.args(["serve", "--host", "127.0.0.1", "--port", "0"]);
        for (name, value) in env {
            command.env(name, value);
        }
        Server::start(command)
    }

    /// A small Python project with a hard-coded secret and a `shell=True` call, its semgrep
    /// rules local (the default `auto` needs the network).
    pub(crate) fn small_project(&self, name: &str) -> PathBuf {
        let dir = self.root().join(name);
        write(
            &dir.join("app.py"),
            &format!(
                "import subprocess\n\nAWS_KEY = \"{}\"\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n\n\ndef calc(expr):\n    return eval(expr)\n",
                fake_aws_key()
            ),
        );
        self.local_rules(&dir);
        dir
    }

    /// `files` clean Python modules: nothing to report, but bandit and semgrep parse every one,
    /// which keeps a scan running for many seconds.
    pub(crate) fn big_project(&self, name: &str, files: usize) -> PathBuf {
        let dir = self.root().join(name);
        let body: String = (0..60)
            .map(|i| {
                format!(
                    "def f{i}(x):\n    y = x + {i}\n    if y > 3:\n        return [v * 2 for v in range(y)]\n    return y\n\n\n"
                )
            })
            .collect();
        for n in 0..files {
            write(&dir.join(format!("pkg{}/m{n}.py", n / 100)), &body);
        }
        self.local_rules(&dir);
        dir
    }

    fn local_rules(&self, dir: &Path) {
        let rules = std::fs::read_to_string(workspace().join("rules/semgrep-python.yml"))
            .expect("the repository's semgrep rules");
        write(&dir.join("rules/semgrep-python.yml"), &rules);
        write(
            &dir.join(".securescan.yml"),
            "semgrep_rules: [rules/semgrep-python.yml]\n",
        );
    }
}

pub(crate) fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// One response.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: ureq::http::HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "{}: not JSON ({err}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A server home whose scans find no scanner tool on `PATH`: they end at once, without load.
pub(crate) struct Quiet {
    pub(crate) home: Home,
    no_tools: tempfile::TempDir,
}

impl Quiet {
    pub(crate) fn new() -> Quiet {
        Quiet {
            home: Home::new(),
            no_tools: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub(crate) fn serve(&self, env: &[(&str, &str)]) -> Server {
        let path = self.no_tools.path().display().to_string();
        let mut all = vec![("PATH", path.as_str())];
        all.extend_from_slice(env);
        self.home.serve(&all)
    }

    /// An empty directory to scan.
    pub(crate) fn empty_target(&self) -> std::path::PathBuf {
        let target = self.home.root().join("empty");
        std::fs::create_dir_all(&target).expect("mkdir");
        target
    }
}

/// A running `securescan serve`; killed (and its tools with it) when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    log: Arc<Mutex<String>>,
    agent: ureq::Agent,
}

impl Server {
    fn start(mut command: Command) -> Server {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("securescan serve starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (address_tx, address_rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("securescan: serving http://") {
                    let address = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = address_tx.send(address);
                }
                let mut log = lines.lock().unwrap_or_else(|p| p.into_inner());
                log.push_str(&line);
                log.push('\n');
            }
        });
        let address = match address_rx.recv_timeout(Duration::from_secs(300)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the server never said where it listens:\n{}",
                    log.lock().unwrap_or_else(|p| p.into_inner())
                );
            }
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(300)))
            .build()
            .new_agent();
        Server {
            child,
            base: format!("http://{address}"),
            log,
            agent,
        }
    }

    pub(crate) fn pid(&self) -> Pid {
        Pid::from_raw(i32::try_from(self.child.id()).expect("pid"))
    }

    /// The server's resident memory now, in KiB.
    pub(crate) fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).expect("/proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Status, content type and body.
    pub(crate) fn raw(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, String, Vec<u8>) {
        let reply = self.call(method, path, &[], body);
        let content_type = reply.header("content-type").unwrap_or("").to_string();
        (reply.status, content_type, reply.body)
    }

    /// Any request, with `headers`.
    pub(crate) fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let url = format!("{}{path}", self.base);
        let method_value = ureq::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = ureq::http::Request::builder()
            .method(method_value)
            .uri(&url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let request = request.body(bytes).expect("request");
        let mut response = self
            .agent
            .run(request)
            .unwrap_or_else(|err| panic!("{method} {url}: {err}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_vec()
            .unwrap_or_else(|err| panic!("{method} {url}: reading the body: {err}"));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub(crate) fn json(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let (status, _, bytes) = self.raw(method, path, body);
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                panic!(
                    "{method} {path}: {status}, not JSON ({err}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        (status, value)
    }

    /// Start a code scan of `target`; returns its id.
    pub(crate) fn start_scan(&self, target: &Path) -> String {
        let (status, scan) = self.json(
            "POST",
            "/api/v1/scans",
            Some(&json!({"target_path": target, "scan_types": ["code"]})),
        );
        assert_eq!(status, 200, "{scan}");
        assert_eq!(scan["status"], "pending", "{scan}");
        scan["id"].as_str().expect("id").to_string()
    }

    pub(crate) fn scan(&self, id: &str) -> Value {
        let (status, scan) = self.json("GET", &format!("/api/v1/scans/{id}"), None);
        assert_eq!(status, 200, "{scan}");
        scan
    }

    /// Poll until scan `id` has one of `statuses`.
    pub(crate) fn wait_for(&self, id: &str, statuses: &[&str]) -> Value {
        let start = Instant::now();
        loop {
            let scan = self.scan(id);
            if statuses.iter().any(|s| scan["status"] == *s) {
                return scan;
            }
            assert!(
                start.elapsed() < SCAN_TIMEOUT,
                "scan {id} never reached {statuses:?}: {scan}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Wait until scan `id` runs and one of its tools is a live process; returns those pids.
    fn wait_for_marked_tool(&self, id: &str) -> Vec<i32> {
        let start = Instant::now();
        loop {
            let scan = self.scan(id);
            assert!(
                scan["status"] == "pending" || scan["status"] == "running",
                "the long scan ended before it could be interrupted: {scan}"
            );
            let pids = marked_tools(id);
            if scan["status"] == "running" && !pids.is_empty() {
                return pids;
            }
            assert!(
                start.elapsed() < SCAN_TIMEOUT,
                "no tool process of scan {id} appeared: {scan}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM, then wait (at most `within`) for the exit status.
    pub(crate) fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        kill(self.pid(), Signal::SIGTERM).expect("SIGTERM");
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    pub(crate) fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            // Graceful first: the server kills its scans' tools on the way out.
            let _ = self.terminate(Duration::from_secs(30));
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Live (not zombie) processes whose environment marks them as a tool of server scan `id`.
fn marked_tools(id: &str) -> Vec<i32> {
    let suffix = format!(":{id}");
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let marked = environ
            .split(|b| *b == 0)
            .any(|var| var.starts_with(MARKER.as_bytes()) && var.ends_with(suffix.as_bytes()));
        let zombie = std::fs::read_to_string(entry.path().join("stat")).is_ok_and(|stat| {
            stat.rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z'))
        });
        if marked && !zombie {
            pids.push(pid);
        }
    }
    pids
}

/// Wait (at most `within`) until no tool of scan `id` is alive.
fn assert_tools_end(id: &str, within: Duration) {
    let start = Instant::now();
    loop {
        let left = marked_tools(id);
        if left.is_empty() {
            return;
        }
        assert!(
            start.elapsed() < within,
            "tool processes of scan {id} still alive after {within:?}: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

type Identity = (String, String, String, i64, String);

fn identities(findings: &Value) -> BTreeSet<Identity> {
    findings
        .as_array()
        .expect("an array of findings")
        .iter()
        .map(|f| {
            (
                f["scanner"].as_str().unwrap_or("").to_string(),
                f["rule_id"].as_str().unwrap_or("").to_string(),
                f["file_path"].as_str().unwrap_or("").to_string(),
                f["line_start"].as_i64().unwrap_or(-1),
                f["fingerprint"].as_str().expect("fingerprint").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_scan_through_the_api_finds_what_the_cli_finds() {
    require("semgrep");
    require("bandit");
    let home = Home::new();
    let project = home.small_project("app");
    let server = home.serve(&[]);
    let id = server.start_scan(&project);
    let scan = server.wait_for(&id, &["completed", "failed", "cancelled"]);
    assert_eq!(scan["status"], "completed", "{scan}\n{}", server.log());

    let (status, api_findings) = server.json("GET", &format!("/api/v1/scans/{id}/findings"), None);
    assert_eq!(status, 200);
    let cli_findings = crate::support::scan_json(
        home.command()
            .args(["scan", "--type", "code", "--output", "json", "--no-save"])
            .arg(&project),
    );
    let api = identities(&api_findings);
    assert_eq!(
        api,
        identities(&cli_findings),
        "API and CLI findings differ"
    );
    let scanners: BTreeSet<&str> = api.iter().map(|f| f.0.as_str()).collect();
    for scanner in ["semgrep", "bandit", "secrets"] {
        assert!(scanners.contains(scanner), "no {scanner} finding: {api:?}");
    }
    // bandit's B602 (shell=True) is merged into semgrep's report of the same line and CWE.
    let shell = api_findings
        .as_array()
        .expect("array")
        .iter()
        .find(|f| f["rule_id"] == "python-subprocess-shell")
        .unwrap_or_else(|| panic!("semgrep's shell=True: {api:?}"));
    assert!(
        shell["metadata"]["also_reported_by"]
            .as_array()
            .is_some_and(|merged| merged.iter().any(|m| {
                m["scanner"] == "bandit"
                    && m["rule_id"].as_str().is_some_and(|r| r.ends_with("B602"))
            })),
        "bandit's B602 on the same line: {shell}"
    );
    for finding in api_findings.as_array().expect("array") {
        assert!(
            finding.get("state").is_some(),
            "FindingWithState: {finding}"
        );
    }

    // How each scanner ended is stored with the scan.
    let run: Vec<&str> = scan["scanners_run"]
        .as_array()
        .expect("scanners_run")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for scanner in ["bandit", "secrets", "semgrep"] {
        assert!(run.contains(&scanner), "scanners_run: {run:?}");
    }
    assert_eq!(scan["scanners_failed"], json!([]), "{scan}");
    assert!(scan["scanners_skipped"].is_array(), "{scan}");
    let unsuppressed = api_findings
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| f["metadata"].get("suppressed_by").is_none())
        .count();
    assert_eq!(scan["findings_count"], json!(unsuppressed), "{scan}");

    let (status, summary) = server.json("GET", &format!("/api/v1/scans/{id}/summary"), None);
    assert_eq!(status, 200);
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["total_findings"], scan["findings_count"]);
    assert_eq!(summary["scanners_run"], scan["scanners_run"]);
    let by_severity: i64 = ["critical", "high", "medium", "low", "info"]
        .iter()
        .map(|s| summary[s].as_i64().expect("count"))
        .sum();
    assert_eq!(json!(by_severity), summary["total_findings"], "{summary}");
    assert!(
        summary["risk_score"].as_f64().expect("score") > 0.0,
        "{summary}"
    );

    // Every report format, rendered from the stored scan.
    let report = |format: &str| {
        let (status, content_type, body) = server.raw(
            "GET",
            &format!("/api/v1/scans/{id}/report?format={format}"),
            None,
        );
        assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
        (content_type, body)
    };
    let (content_type, html) = report("html");
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(
        String::from_utf8_lossy(&html).contains("python-subprocess-shell"),
        "html report"
    );
    let (content_type, pdf) = report("pdf");
    assert_eq!(content_type, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"), "pdf report");
    let (_, sarif) = report("sarif");
    let sarif: Value = serde_json::from_slice(&sarif).expect("sarif is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results: usize = sarif["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|run| run["results"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(results, api.len(), "one SARIF result per finding");
    let (content_type, csv) = report("csv");
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert_eq!(
        String::from_utf8_lossy(&csv).lines().count(),
        api.len() + 1,
        "a header and one row per finding"
    );
    let (_, junit) = report("junit");
    assert!(
        String::from_utf8_lossy(&junit).contains("<testsuite"),
        "junit report"
    );
    let (_, json_report) = report("json");
    let json_report: Value = serde_json::from_slice(&json_report).expect("json report");
    assert_eq!(identities(&json_report), api, "json report = the findings");

    // `history` reads the store the server wrote.
    let history = crate::support::scan_json(home.command().args(["history", "--json"]));
    assert!(
        history
            .as_array()
            .expect("history array")
            .iter()
            .any(|s| s["id"] == id.as_str()),
        "history does not list the server's scan {id}: {history}"
    );
}

/// Long enough (bandit and semgrep parse every module) that the scan is still running when it
/// is interrupted, even on a fast machine.
const LONG_PROJECT_FILES: usize = 400;

#[test]
fn cancel_kills_the_scans_tools_and_cancelled_stays() {
    require("semgrep");
    require("bandit");
    let home = Home::new();
    let project = home.big_project("big", LONG_PROJECT_FILES);
    let server = home.serve(&[]);
    let id = server.start_scan(&project);
    server.wait_for_marked_tool(&id);

    let (status, body) = server.json("DELETE", &format!("/api/v1/scans/{id}"), None);
    assert_eq!(status, 409, "deleting a running scan: {body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("running")),
        "{body}"
    );

    let (status, cancelled) = server.json("POST", &format!("/api/v1/scans/{id}/cancel"), None);
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["status"], "cancelled");
    assert_tools_end(&id, Duration::from_secs(10));

    // Nothing finishing late may overwrite the verdict.
    std::thread::sleep(Duration::from_secs(3));
    let scan = server.scan(&id);
    assert_eq!(scan["status"], "cancelled", "{scan}");
    assert_eq!(scan["error"], "Scan cancelled by user", "{scan}");
    let (status, body) = server.json("POST", &format!("/api/v1/scans/{id}/cancel"), None);
    assert_eq!(status, 409, "cancelling twice: {body}");
    let (status, _) = server.json("DELETE", &format!("/api/v1/scans/{id}"), None);
    assert_eq!(status, 204, "a cancelled scan can be deleted");
    let (status, _) = server.json("GET", &format!("/api/v1/scans/{id}"), None);
    assert_eq!(status, 404);
}

#[test]
fn one_scan_at_a_time_in_the_order_they_were_queued() {
    require("bandit");
    let home = Home::new();
    // bandit alone (semgrep is left off PATH, and must then be reported skipped): each scan takes
    // a few seconds, so overlapping scans would be seen.
    let tools = tempfile::tempdir().expect("temp dir");
    let bandit = securescan_engine::tools::find_tool("bandit").expect("bandit");
    std::os::unix::fs::symlink(&bandit, tools.path().join("bandit")).expect("symlink");
    let path = tools.path().display().to_string();
    let server = home.serve(&[
        ("SECURESCAN_MAX_CONCURRENT_SCANS", "1"),
        ("PATH", path.as_str()),
    ]);
    let projects: Vec<PathBuf> = (0..3)
        .map(|n| home.big_project(&format!("p{n}"), 60))
        .collect();
    let ids: Vec<String> = projects.iter().map(|p| server.start_scan(p)).collect();

    let mut started_order: Vec<usize> = Vec::new();
    let start = Instant::now();
    loop {
        let scans: Vec<Value> = ids.iter().map(|id| server.scan(id)).collect();
        let running: Vec<usize> = (0..3)
            .filter(|&n| scans[n]["status"] == "running")
            .collect();
        assert!(running.len() <= 1, "two scans running at once: {scans:?}");
        for (n, scan) in scans.iter().enumerate() {
            if scan["status"] != "pending" && !started_order.contains(&n) {
                started_order.push(n);
            }
        }
        if scans
            .iter()
            .all(|s| s["status"] != "pending" && s["status"] != "running")
        {
            for scan in &scans {
                assert_eq!(scan["status"], "completed", "{scan}");
            }
            // Started in POST order, each after the one before it ended (times are seconds).
            for pair in scans.windows(2) {
                let (earlier, later) = (&pair[0], &pair[1]);
                let ended = earlier["completed_at"].as_str().expect("completed_at");
                let began = later["started_at"].as_str().expect("started_at");
                assert!(began >= ended, "{later} started before {earlier} ended");
            }
            let skipped = &scans[0]["scanners_skipped"];
            let semgrep = skipped
                .as_array()
                .expect("scanners_skipped")
                .iter()
                .find(|s| s["name"] == "semgrep")
                .unwrap_or_else(|| panic!("semgrep not reported skipped: {skipped}"));
            assert_eq!(semgrep["install_hint"], "pip install semgrep", "{semgrep}");
            break;
        }
        assert!(
            start.elapsed() < SCAN_TIMEOUT,
            "the queue stalled: {scans:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        started_order,
        vec![0, 1, 2],
        "scans did not start in POST order"
    );
}

#[test]
fn kill_9_during_a_scan_then_restart_fails_the_scan_and_ends_its_tools() {
    require("semgrep");
    require("bandit");
    let home = Home::new();
    let project = home.big_project("big", LONG_PROJECT_FILES);
    let mut server = home.serve(&[]);
    let id = server.start_scan(&project);
    let tools = server.wait_for_marked_tool(&id);
    server.kill9();
    let survivors = marked_tools(&id);
    eprintln!(
        "kill -9: {} tool process(es) of the scan were running, {} survived the server",
        tools.len(),
        survivors.len()
    );

    // The store a killed server left opens cleanly.
    let integrity: String = rusqlite::Connection::open(home.db())
        .expect("the store opens")
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok");

    let server = home.serve(&[]);
    let scan = server.scan(&id);
    assert_eq!(scan["status"], "failed", "{scan}");
    assert!(
        scan["error"]
            .as_str()
            .is_some_and(|e| e.contains("the server stopped")),
        "the reason names the restart: {scan}"
    );
    assert!(scan["completed_at"].is_string(), "{scan}");
    assert_tools_end(&id, Duration::from_secs(10));

    let small = home.small_project("after");
    let next = server.start_scan(&small);
    let done = server.wait_for(&next, &["completed", "failed", "cancelled"]);
    assert_eq!(done["status"], "completed", "{done}\n{}", server.log());
    assert_eq!(
        server.scan(&id)["status"],
        "failed",
        "still failed after a new scan ran"
    );
}

#[test]
fn sigterm_cancels_the_running_scan_kills_its_tools_and_exits_0() {
    require("semgrep");
    require("bandit");
    let home = Home::new();
    let project = home.big_project("big", LONG_PROJECT_FILES);
    let mut server = home.serve(&[]);
    let id = server.start_scan(&project);
    server.wait_for_marked_tool(&id);

    let status = server.terminate(Duration::from_secs(20));
    let log = server.log();
    let status = status.unwrap_or_else(|| panic!("still running 20 s after SIGTERM:\n{log}"));
    assert_eq!(status.code(), Some(0), "{log}");
    assert_tools_end(&id, Duration::from_secs(5));
    assert!(log.contains("securescan: server stopped"), "{log}");

    let store = securescan_store::Store::open(&home.db()).expect("the store opens");
    let history = store.history(10).expect("history");
    let scan = history
        .iter()
        .find(|s| s.id == id)
        .expect("the scan is stored");
    assert_eq!(scan.status, "cancelled", "{scan:?}");
}

/// Keeps the fuzzer from making the server probe hosts: `dast` and `network` scans, and URL and
/// host targets, are taken out of the scan bodies it generates (everything else goes through).
const SCHEMATHESIS_HOOKS: &str = r#"import schemathesis


@schemathesis.hook
def map_body(context, body):
    if isinstance(body, dict):
        body.pop("target_url", None)
        body.pop("target_host", None)
        types = body.get("scan_types")
        if isinstance(types, list):
            body["scan_types"] = [t for t in types if t not in ("dast", "network")]
    return body
"#;

#[test]
fn schemathesis_finds_no_server_error_and_no_response_off_the_schema() {
    require("semgrep");
    require("bandit");
    let schemathesis = std::env::var("SECURESCAN_TEST_SCHEMATHESIS")
        .expect("scripts/setup.sh installs schemathesis and exports SECURESCAN_TEST_SCHEMATHESIS");
    let home = Home::new();
    // One completed scan with real findings, saved by `scan` into the store the server opens.
    let project = home.small_project("app");
    crate::support::scan_json(
        home.command()
            .args(["scan", "--type", "code", "--output", "json"])
            .arg(&project),
    );
    let history = crate::support::scan_json(home.command().args(["history", "--json"]));
    let id = history[0]["id"]
        .as_str()
        .expect("the saved scan")
        .to_string();

    // The scans the fuzzer starts find no tool on PATH: they end at once, without load.
    let empty = tempfile::tempdir().expect("temp dir");
    let path = empty.path().display().to_string();
    // With a key (every scope) and without one: no 5xx either way, and every answer, the 401s
    // included, documented.
    let key = "schemathesis-key-3b8e";
    let server = home.serve(&[
        ("PATH", path.as_str()),
        ("SECURESCAN_MAX_CONCURRENT_SCANS", "1"),
        ("SECURESCAN_API_KEY", key),
    ]);
    let work = tempfile::tempdir().expect("temp dir");
    write(&work.path().join("securescan_hooks.py"), SCHEMATHESIS_HOOKS);
    // Reads name the stored scan (random ids would only ever reach the 404 branch).
    write(
        &work.path().join("schemathesis.toml"),
        &format!(
            "[[operations]]\ninclude-method = \"GET\"\nparameters = {{ \"path.scan_id\" = \"{id}\", \"query.scan_id\" = \"{id}\", \"query.scan_a\" = \"{id}\", \"query.scan_b\" = \"{id}\" }}\n"
        ),
    );
    let header = format!("X-API-Key: {key}");
    for (auth, checks) in [
        (
            Some(header.as_str()),
            "not_a_server_error,response_schema_conformance",
        ),
        (
            None,
            "not_a_server_error,response_schema_conformance,status_code_conformance",
        ),
    ] {
        let started = Instant::now();
        let mut command = Command::new(&schemathesis);
        command
            .current_dir(work.path())
            .env("PYTHONPATH", work.path())
            .env("SCHEMATHESIS_HOOKS", "securescan_hooks")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .arg("--config-file")
            .arg(work.path().join("schemathesis.toml"))
            .args(["run", &format!("{}/openapi.json", server.base)]);
        if let Some(header) = auth {
            command.args(["--header", header]);
        }
        let output = command
            .args([
                "--checks",
                checks,
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                "25",
                "--seed",
                "1",
                "--workers",
                "2",
                "--generation-database",
                "none",
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "60",
                "--no-color",
            ])
            .output()
            .expect("schemathesis runs");
        let report = String::from_utf8_lossy(&output.stdout);
        eprintln!(
            "schemathesis, {} ({:?}):\n{report}",
            if auth.is_some() {
                "with the key"
            } else {
                "without a key"
            },
            started.elapsed()
        );
        assert!(
            output.status.success(),
            "schemathesis found failures:\n{report}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&output.stderr),
            server.log()
        );
    }
    assert!(!server.log().contains("panicked"), "{}", server.log());
}
