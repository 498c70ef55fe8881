//! AI enrichment (`--ai`) against a loopback stand-in for an OpenAI-compatible endpoint that
//! records every request: real bandit findings on a small tree, what is sent and what never is,
//! the cache, bounded concurrency, failures, and the gate (CI, --no-ai, machine formats).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::real_tools::require;
use crate::support::{fake_aws_key, isolated, run, stderr, tree};

/// What the stand-in endpoint received.
#[derive(Debug, Clone)]
struct Recorded {
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Recorded {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The user message: what was said about the finding.
    fn question(&self) -> String {
        self.json()["messages"][1]["content"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A chat-completions stand-in on 127.0.0.1: each connection on a thread of its own (so
/// concurrency shows), every request recorded with its body, the answer delayed by `delay`.
struct Endpoint {
    port: u16,
    requests: Arc<Mutex<Vec<Recorded>>>,
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
}

impl Endpoint {
    fn start(delay: Duration, status: u16) -> Endpoint {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let most_in_flight = Arc::new(AtomicUsize::new(0));
        let (seen, now, most) = (requests.clone(), in_flight.clone(), most_in_flight.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (seen, now, most) = (seen.clone(), now.clone(), most.clone());
                std::thread::spawn(move || {
                    let Some(request) = read_request(&stream) else {
                        return;
                    };
                    let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(current, Ordering::SeqCst);
                    seen.lock().expect("lock").push(request.clone());
                    std::thread::sleep(delay);
                    let body = answer(&request).to_string();
                    now.fetch_sub(1, Ordering::SeqCst);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} Stand-in\r\nContent-Type: application/json\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        Endpoint {
            port,
            requests,
            in_flight,
            most_in_flight,
        }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }
}

fn read_request(stream: &std::net::TcpStream) -> Option<Recorded> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            headers.push((name.trim().to_lowercase(), value.trim().to_string()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A chat completion naming the rule it was asked about, so the report shows which answer went
/// with which finding.
fn answer(request: &Recorded) -> serde_json::Value {
    let question = request.question();
    let rule = question
        .lines()
        .find_map(|l| l.strip_prefix("Rule: "))
        .unwrap_or("none");
    let content = serde_json::json!({
        "explanation": format!("Stand-in explanation of {rule}."),
        "remediation": format!("Stand-in fix for {rule}."),
    });
    serde_json::json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content.to_string()}}],
    })
}

/// Python with real bandit findings: a hard-coded password (B105, whose message quotes it), a
/// shell call (B602) and an eval (B307), far from a line no request may carry; and an AWS key the
/// secrets analyzer finds.
fn project() -> tempfile::TempDir {
    let mut app = String::from("import subprocess\n");
    for n in 0..40 {
        app.push_str(&format!("FAR_AWAY_{n} = 'unrelated line {n}'\n"));
    }
    app.push_str("password = 'hunter2-not-for-ai'\n");
    app.push_str("def run(cmd):\n    return subprocess.call(cmd, shell=True)\n");
    app.push_str("def calc(expr):\n    return eval(expr)\n");
    tree(&[
        ("app.py", &app),
        ("settings.py", &format!("AWS = '{}'\n", fake_aws_key())),
    ])
}

/// A PATH with only bandit on it: semgrep is skipped, so the findings are bandit's, the secrets
/// analyzer's and git-hygiene's.
fn bandit_only() -> tempfile::TempDir {
    require("bandit");
    let dir = tempfile::tempdir().expect("tempdir");
    let bandit = securescan_engine::tools::find_tool("bandit").expect("bandit");
    std::os::unix::fs::symlink(bandit, dir.path().join("bandit")).expect("symlink");
    dir
}

/// `scan TARGET --type code` with AI pointed at `endpoint` (a key for it, a cache of its own),
/// outside CI, with proxies set that must not be used.
fn scan(path: &Path, cache: &Path, endpoint: &Endpoint, target: &Path) -> Command {
    let mut command = isolated(path);
    command
        .args(["scan", "--no-save", "--type", "code"])
        .arg(target)
        .env("SECURESCAN_AI_BASE_URL", endpoint.base_url())
        .env("SECURESCAN_AI_API_KEY", "local-key")
        .env("SECURESCAN_AI_MODEL", "stand-in-model")
        .env("SECURESCAN_AI_CACHE_DIR", cache)
        .env_remove("SECURESCAN_GROQ_API_KEY")
        .env_remove("SECURESCAN_AI_TIMEOUT")
        .env_remove("SECURESCAN_AI_CONCURRENCY")
        .env_remove("CI");
    command
}

fn ok(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn real_bandit_findings_are_explained_once_and_no_secret_or_far_line_is_sent() {
    let (project, path, cache) = (project(), bandit_only(), tempfile::tempdir().unwrap());
    let endpoint = Endpoint::start(Duration::ZERO, 200);
    // A proxy from the environment must not carry the findings anywhere.
    let proxy = Endpoint::start(Duration::ZERO, 200);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let text = ok(&run(scan(
        path.path(),
        cache.path(),
        &endpoint,
        project.path(),
    )
    .args(["--output", "text"])
    .env("HTTP_PROXY", &proxy_url)
    .env("http_proxy", &proxy_url)
    .env("ALL_PROXY", &proxy_url)));
    assert!(
        proxy.requests().is_empty(),
        "the environment's proxy was used"
    );

    let requests = endpoint.requests();
    let questions: Vec<String> = requests.iter().map(Recorded::question).collect();
    for rule in ["B105", "B602", "B307", "secrets/aws-access-key"] {
        assert!(
            questions
                .iter()
                .any(|q| q.contains(&format!("Rule: {rule}\n"))),
            "{rule} was not asked about: {questions:#?}"
        );
        assert!(
            text.contains(&format!("AI: Stand-in explanation of {rule}.")),
            "{rule}\n{text}"
        );
    }
    assert!(text.contains("AI fix: Stand-in fix for B602."), "{text}");
    for request in &requests {
        assert_eq!(request.path, "/v1/chat/completions");
        assert_eq!(request.header("authorization"), Some("Bearer local-key"));
        let body = request.json();
        assert_eq!(body["model"], "stand-in-model");
        assert_eq!(body["messages"][0]["role"], "system");
        assert_eq!(body["messages"][1]["role"], "user");
        assert_eq!(body["messages"].as_array().map(Vec::len), Some(2));
        for never in [
            fake_aws_key().as_str(),
            "hunter2",
            "FAR_AWAY",
            "unrelated line",
        ] {
            assert!(
                !request.body.contains(never),
                "{never} was sent: {}",
                request.body
            );
        }
    }
    // The shell call is sent with its own line, and only it.
    let shell = questions
        .iter()
        .find(|q| q.contains("Rule: B602\n"))
        .expect("B602 asked");
    assert!(
        shell.contains("File: app.py (line 44)\n")
            && shell.contains("Code:\n44:     return subprocess.call(cmd, shell=True)\n"),
        "{shell}"
    );
    assert!(!shell.contains("eval"), "{shell}");

    // The second run asks nothing: every answer is in the cache, and shown again, in html too.
    let asked = requests.len();
    let again = ok(&run(scan(
        path.path(),
        cache.path(),
        &endpoint,
        project.path(),
    )
    .args(["--output", "text"])));
    let html = ok(&run(scan(
        path.path(),
        cache.path(),
        &endpoint,
        project.path(),
    )
    .args(["--output", "html"])));
    assert_eq!(endpoint.requests().len(), asked, "the cache was not used");
    assert_eq!(again, text);
    assert!(
        html.contains("AI explanation:</span> Stand-in explanation of B307."),
        "{html}"
    );
    assert!(
        html.contains("AI remediation:</span> Stand-in fix for B307."),
        "{html}"
    );
}

#[test]
fn machine_output_is_byte_identical_with_ai_and_nothing_is_sent_for_it() {
    let (project, path, cache) = (project(), bandit_only(), tempfile::tempdir().unwrap());
    let endpoint = Endpoint::start(Duration::ZERO, 200);
    for format in ["json", "sarif"] {
        let with = run(scan(path.path(), cache.path(), &endpoint, project.path())
            .args(["--ai", "--output", format]));
        let without = run(scan(path.path(), cache.path(), &endpoint, project.path())
            .args(["--no-ai", "--output", format]));
        assert_eq!(ok(&with), ok(&without), "{format}");
        assert!(
            stderr(&with).contains(&format!(
                "AI enrichment: {format} output has no place for explanations"
            )),
            "{}",
            stderr(&with)
        );
    }
    assert!(endpoint.requests().is_empty());
}

#[test]
fn ci_and_no_ai_send_nothing_and_ai_overrides_ci() {
    let (project, path) = (project(), bandit_only());
    let endpoint = Endpoint::start(Duration::ZERO, 200);
    let cache = tempfile::tempdir().unwrap();
    let plain = ok(&run(scan(
        path.path(),
        cache.path(),
        &endpoint,
        project.path(),
    )
    .args(["--no-ai", "--output", "text"])));
    assert!(endpoint.requests().is_empty(), "--no-ai sent a request");
    assert!(!plain.contains("AI:"), "{plain}");

    let ci = run(scan(path.path(), cache.path(), &endpoint, project.path())
        .args(["--output", "text"])
        .env("CI", "true"));
    assert_eq!(ok(&ci), plain);
    assert!(endpoint.requests().is_empty(), "CI=true sent a request");
    assert!(
        stderr(&ci).contains(
            "securescan: CI detected, skipping AI enrichment for determinism (use --ai to override)"
        ),
        "{}",
        stderr(&ci)
    );

    let forced = ok(&run(scan(
        path.path(),
        cache.path(),
        &endpoint,
        project.path(),
    )
    .args(["--ai", "--output", "text"])
    .env("CI", "true")));
    assert!(!endpoint.requests().is_empty(), "--ai did not override CI");
    assert!(
        forced.contains("AI: Stand-in explanation of B602."),
        "{forced}"
    );

    // The project's `ai: true` also wins over CI (with a fresh cache, so it has to ask).
    std::fs::write(project.path().join(".securescan.yml"), "ai: true\n").expect("config");
    let asked = endpoint.requests().len();
    let fresh = tempfile::tempdir().unwrap();
    let configured = ok(&run(scan(
        path.path(),
        fresh.path(),
        &endpoint,
        project.path(),
    )
    .args(["--output", "text"])
    .env("CI", "true")));
    assert!(
        endpoint.requests().len() > asked,
        "the config's ai: true did not override CI"
    );
    assert!(
        configured.contains("AI: Stand-in explanation of B602."),
        "{configured}"
    );

    let both =
        run(scan(path.path(), cache.path(), &endpoint, project.path()).args(["--ai", "--no-ai"]));
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}

#[test]
fn without_an_endpoint_nothing_is_sent_and_ai_says_why() {
    let (project, path) = (project(), bandit_only());
    let endpoint = Endpoint::start(Duration::ZERO, 200);
    let cache = tempfile::tempdir().unwrap();
    let mut command = scan(path.path(), cache.path(), &endpoint, project.path());
    command.env_remove("SECURESCAN_AI_BASE_URL");
    let auto = run(&mut command);
    ok(&auto);
    assert!(
        !stderr(&auto).contains("AI enrichment"),
        "{}",
        stderr(&auto)
    );
    let forced = run(command.arg("--ai"));
    ok(&forced);
    assert!(
        stderr(&forced).contains("AI enrichment is on but no endpoint is configured"),
        "{}",
        stderr(&forced)
    );
    assert!(endpoint.requests().is_empty());
}

#[test]
fn requests_run_at_most_the_configured_number_at_a_time() {
    require("bandit");
    // Eight evals: eight real bandit findings, each its own question.
    let code: String = (0..8).map(|n| format!("v{n} = eval(input())\n")).collect();
    let (project, path, cache) = (
        tree(&[("calc.py", &code)]),
        bandit_only(),
        tempfile::tempdir().unwrap(),
    );
    let endpoint = Endpoint::start(Duration::from_millis(300), 200);
    let text = ok(&run(scan(
        path.path(),
        cache.path(),
        &endpoint,
        project.path(),
    )
    .args(["--output", "text"])
    .env("SECURESCAN_AI_CONCURRENCY", "2")));
    let b307 = endpoint
        .requests()
        .iter()
        .filter(|r| r.question().contains("Rule: B307\n"))
        .count();
    assert_eq!(b307, 8, "{text}");
    assert_eq!(endpoint.most_in_flight.load(Ordering::SeqCst), 2);
    assert_eq!(endpoint.in_flight.load(Ordering::SeqCst), 0);
}

#[test]
fn a_failing_endpoint_is_one_note_and_the_scan_is_unchanged() {
    let (project, path) = (project(), bandit_only());
    let cache = tempfile::tempdir().unwrap();
    let reference = Endpoint::start(Duration::ZERO, 200);
    let plain = ok(&run(scan(
        path.path(),
        cache.path(),
        &reference,
        project.path(),
    )
    .args(["--no-ai", "--output", "text"])));

    // Too slow: the timeout ends the wait, and no further request is started after it.
    let slow = Endpoint::start(Duration::from_secs(20), 200);
    let started = std::time::Instant::now();
    let output = run(scan(path.path(), cache.path(), &slow, project.path())
        .args(["--output", "text"])
        .env("SECURESCAN_AI_TIMEOUT", "1")
        .env("SECURESCAN_AI_CONCURRENCY", "1"));
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(ok(&output), plain);
    let err = stderr(&output);
    let note: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("AI enrichment failed"))
        .collect();
    let expected_start = format!(
        "securescan: AI enrichment failed (http://127.0.0.1:{}/v1/chat/completions: no answer within the timeout); 0 of ",
        slow.port
    );
    assert_eq!(note.len(), 1, "{err}");
    assert!(note[0].starts_with(&expected_start), "{}", note[0]);
    assert_eq!(
        slow.requests().len(),
        1,
        "requests went on after the first failure"
    );

    // Refused: an HTTP error is the same single note.
    let refusing = Endpoint::start(Duration::ZERO, 401);
    let output =
        run(scan(path.path(), cache.path(), &refusing, project.path()).args(["--output", "text"]));
    assert_eq!(ok(&output), plain);
    assert!(
        stderr(&output).contains("HTTP 401: the API key was refused)"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stderr(&output).contains("local-key"),
        "{}",
        stderr(&output)
    );
}
