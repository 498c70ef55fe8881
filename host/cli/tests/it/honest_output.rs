//! Output a user can trust (issue 13, items 6–8), on real tool output: skipped and failed scanners
//! are visible in every format and on stderr, titles say something, the per-scanner counts agree
//! with the findings listed, one file's findings read in line order, and `compare` writes its
//! documented default format to a pipe or a file.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::formats::{parse_xml, validate_sarif};
use crate::real_tools::require;
use crate::support::{run, securescan, stderr, tree, workspace};

/// A PATH holding only `tools` (and git), linked from where they are installed: trivy is never
/// among them, so it is skipped whatever this machine has.
fn path_with(tools: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for tool in tools.iter().chain(&["git"]) {
        require(tool);
        let found = securescan_engine::tools::find_tool(tool).expect("required");
        std::os::unix::fs::symlink(found, dir.path().join(tool)).expect("link the tool");
    }
    dir
}

/// A Python project with a known-vulnerable pin (requests 2.19.0, safety advisory 36546).
fn python_project() -> tempfile::TempDir {
    tree(&[("requirements.txt", "requests==2.19.0\n")])
}

fn safety_db() -> String {
    std::env::var("SECURESCAN_TEST_SAFETY_DB")
        .expect("scripts/setup.sh exports SECURESCAN_TEST_SAFETY_DB (the safety-db package)")
}

/// `scan -t dependency -o FORMAT` of `project` with only `path` on PATH.
fn dependency_scan(project: &Path, path: &Path, format: &str, db: &str) -> Output {
    run(securescan()
        .env("PATH", path)
        .args(["scan", "-t", "dependency", "--no-save", "-o", format])
        .args(["--safety-db", db])
        .arg(project)
        .stdin(std::process::Stdio::null()))
}

/// The lines of stderr that say a scanner did not complete.
fn outcome_lines(output: &Output) -> Vec<String> {
    stderr(output)
        .lines()
        .filter(|l| l.starts_with("securescan: scanner ") && !l.contains(": warning: "))
        .map(str::to_string)
        .collect()
}

const TRIVY_SKIPPED: &str = "securescan: scanner trivy skipped: trivy is not installed (install: See https://trivy.dev/docs/latest/getting-started/installation/)";

// Regression: `scan -t dependency -o json` printed `[]`, exit 0 and nothing on stderr while trivy
// and safety were skipped: a consumer could not tell a clean project from one nothing scanned.
#[test]
fn skipped_scanners_are_named_on_stderr_in_every_format_off_a_terminal() {
    let project = python_project();
    let nothing = path_with(&[]);
    for format in [
        "json",
        "json-envelope",
        "sarif",
        "csv",
        "junit",
        "html",
        "text",
    ] {
        let output = dependency_scan(project.path(), nothing.path(), format, &safety_db());
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            stderr(&output)
        );
        assert_eq!(
            outcome_lines(&output),
            [
                TRIVY_SKIPPED,
                "securescan: scanner safety skipped: safety is not installed (install: pip install 'safety<3' (safety 3 needs a Safety account and network access))",
                "securescan: scanner npm-audit skipped: npm is not installed (install: Install Node.js (npm ships with it): https://nodejs.org/)",
            ],
            "{format}: one line per skipped scanner, in registry order"
        );
    }
    let json = dependency_scan(project.path(), nothing.path(), "json", &safety_db());
    assert_eq!(
        json.stdout, b"[]\n",
        "the default JSON stays the bare array"
    );
}

// The same project with safety and pip-licenses installed: safety finds the advisory, trivy is
// still skipped, and the envelope holds exactly the findings the bare array holds.
#[test]
fn the_json_envelope_says_how_each_real_scanner_ended_around_the_same_findings() {
    require("safety");
    let project = python_project();
    let tools = path_with(&["safety", "pip-licenses"]);
    let bare = dependency_scan(project.path(), tools.path(), "json", &safety_db());
    let envelope = dependency_scan(project.path(), tools.path(), "json-envelope", &safety_db());
    assert_eq!(bare.status.code(), Some(0), "{}", stderr(&bare));
    assert_eq!(envelope.status.code(), Some(0), "{}", stderr(&envelope));
    assert_eq!(outcome_lines(&envelope)[0], TRIVY_SKIPPED);
    let bare: Value = serde_json::from_slice(&bare.stdout).expect("json");
    let envelope: Value = serde_json::from_slice(&envelope.stdout).expect("json");
    assert!(
        bare.as_array().is_some_and(|a| !a.is_empty()),
        "requests 2.19.0 is known-vulnerable: {bare:#}"
    );
    assert_eq!(
        envelope["findings"], bare,
        "the same findings, byte for byte"
    );
    assert_eq!(envelope["version"], 1);
    assert_eq!(envelope["complete"], false, "trivy did not run");
    assert_eq!(envelope["scan_types"], serde_json::json!(["dependency"]));
    let scanners: BTreeMap<&str, &Value> = envelope["scanners"]
        .as_array()
        .expect("scanners")
        .iter()
        .map(|s| (s["scanner"].as_str().expect("id"), s))
        .collect();
    assert_eq!(scanners["trivy"]["status"], "skipped");
    assert_eq!(scanners["trivy"]["reason"], "trivy is not installed");
    assert_eq!(scanners["safety"]["status"], "completed");
    assert_eq!(scanners["safety"]["tool_version"], "1.10.3");
    assert_eq!(
        scanners["safety"]["findings"],
        bare.as_array().map_or(0, Vec::len)
    );
    assert_eq!(scanners["licenses"]["status"], "completed");
    assert_eq!(envelope["summary"]["total_findings"], 1);
}

// A real failure (safety given an advisory database directory that holds none) and a real skip
// (trivy) in SARIF: the run says it did not succeed, names both, and GitHub's rules accept it.
#[test]
fn sarif_reports_real_skipped_and_failed_scanners_and_passes_the_validator() {
    require("safety");
    let project = python_project();
    let tools = path_with(&["safety", "npm", "node"]);
    let empty_db = tempfile::tempdir().expect("temp dir");
    let output = dependency_scan(
        project.path(),
        tools.path(),
        "sarif",
        empty_db.path().to_str().expect("utf-8"),
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let lines = outcome_lines(&output);
    assert_eq!(lines[0], TRIVY_SKIPPED);
    assert!(
        lines[1].starts_with("securescan: scanner safety failed (parse-error): "),
        "{lines:#?}"
    );
    let text = String::from_utf8(output.stdout).expect("utf-8");
    let sarif: Value = serde_json::from_str(&text).expect("sarif");
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications: Vec<(&str, &str, &str)> = invocation["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| {
            (
                n["level"].as_str().expect("level"),
                n["descriptor"]["id"].as_str().expect("id"),
                n["message"]["text"].as_str().expect("text"),
            )
        })
        .collect();
    assert_eq!(
        notifications[0],
        (
            "note",
            "trivy",
            "scanner trivy skipped: trivy is not installed (install: See https://trivy.dev/docs/latest/getting-started/installation/)"
        )
    );
    assert_eq!(notifications[1].0, "error");
    assert_eq!(notifications[1].1, "safety");
    assert!(
        notifications
            .iter()
            .any(|(level, id, text)| *level == "warning"
                && *id == "npm-audit"
                && text.contains("no files for npm here")),
        "{notifications:#?}"
    );
    // The validator's own error-level results are about the log's validity; the scan's failed
    // scanner is an error notification in the input, which the validator reads back too.
    let errors: Vec<String> = validate_sarif(&text)
        .into_iter()
        .filter(|e| !e.contains("scanner safety failed"))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn junit_and_html_list_every_real_scanners_outcome() {
    require("safety");
    let project = python_project();
    let tools = path_with(&["safety", "npm", "node"]);
    let junit = dependency_scan(project.path(), tools.path(), "junit", &safety_db());
    let suite = parse_xml(&String::from_utf8(junit.stdout).expect("utf-8"));
    let properties = suite
        .children
        .iter()
        .find(|c| c.name == "properties")
        .expect("<properties> in the suite");
    assert_eq!(
        suite.children[0].name, "properties",
        "before the test cases"
    );
    let property: BTreeMap<&str, &str> = properties
        .children
        .iter()
        .map(|p| (p.attribute("name"), p.attribute("value")))
        .collect();
    assert_eq!(
        property["securescan.scanner.trivy"],
        "skipped: trivy is not installed (install: See https://trivy.dev/docs/latest/getting-started/installation/)"
    );
    assert_eq!(
        property["securescan.scanner.safety"],
        "completed: 1 finding"
    );
    assert_eq!(
        property["securescan.scanner.npm-audit.warning"],
        "no files for npm here (looked for package-lock.json, npm-shrinkwrap.json)"
    );
    let html = dependency_scan(project.path(), tools.path(), "html", &safety_db());
    let html = String::from_utf8(html.stdout).expect("utf-8");
    assert!(
        html.contains("<tr><td>trivy</td><td>dependency</td><td>skipped</td><td>trivy is not installed (install: See https://trivy.dev/docs/latest/getting-started/installation/)</td></tr>"),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"muted\">Warning:</span> no files for npm here"),
        "{html}"
    );
}

/// The example tree scanned by real semgrep (with the repository's rules) and bandit, as text and
/// as JSON.
fn example_scan() -> (String, Vec<Value>) {
    require("semgrep");
    require("bandit");
    let scan = |format: &str| {
        let output = run(securescan().current_dir(workspace()).args([
            "scan",
            "examples/vulnerable-app",
            "-t",
            "code",
            "--no-save",
            "--semgrep-config",
            "rules/semgrep-python.yml",
            "-o",
            format,
        ]));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        // Both runs must see every scanner, or they list different findings (on a loaded
        // machine a version probe can time out, and the line says so).
        assert_eq!(outcome_lines(&output), Vec::<String>::new());
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let json: Value = serde_json::from_str(&scan("json")).expect("json");
    (scan("text"), json.as_array().expect("array").clone())
}

/// The finding lines of a text report, by severity heading: (scanner, location, rest).
fn finding_lines(text: &str) -> Vec<(String, String, String, String)> {
    let mut severity = String::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        if let Some((heading, _)) = line.split_once(" (")
            && ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"].contains(&heading)
        {
            severity = heading.to_string();
            continue;
        }
        if severity.is_empty() || !line.starts_with("  ") || line.trim_start().starts_with("fix:") {
            continue;
        }
        if line.starts_with("Summary") {
            break;
        }
        let mut parts = line.trim_start().splitn(2, "  ");
        let scanner = parts.next().unwrap_or_default().to_string();
        let rest = parts.next().unwrap_or_default().trim_start();
        let (location, title) = match rest.split_once("  ") {
            Some((location, title)) => (location.to_string(), title.to_string()),
            None => (String::new(), rest.to_string()),
        };
        lines.push((severity.clone(), scanner, location, title));
    }
    lines
}

// Regression: real bandit and semgrep titles read `blacklist [B307]`, `hashlib [B324]` and
// `rules.python-eval [rules.python-eval]`: an identifier, and the rule id said twice.
#[test]
fn text_titles_are_the_scanners_message_with_the_rule_id_once() {
    let (text, findings) = example_scan();
    let lines = finding_lines(&text);
    assert_eq!(lines.len(), findings.len(), "{text}");
    for (_, scanner, _, title) in &lines {
        if scanner != "bandit" && scanner != "semgrep" {
            continue;
        }
        let (headline, rule) = title.rsplit_once(" [").expect("a rule id");
        let rule = rule.trim_end_matches(']');
        assert!(!headline.contains(rule), "the rule id once: {title}");
        assert!(
            headline.contains(' '),
            "a message, not an identifier: {title}"
        );
        let finding = findings
            .iter()
            .find(|f| f["rule_id"] == rule && f["scanner"] == scanner.as_str())
            .unwrap_or_else(|| panic!("{rule} in the JSON"));
        let description = finding["description"].as_str().expect("description");
        assert!(
            description.starts_with(headline.trim_end_matches('…')),
            "the scanner's message: {headline:?} from {description:?}"
        );
    }
    assert!(
        text.contains(
            "Use of possibly insecure function - consider using safer ast.literal_eval. [B307]"
        ),
        "{text}"
    );
    assert!(
        !text.contains("blacklist [") && !text.contains("hashlib ["),
        "{text}"
    );
    // The JSON title keeps its documented meaning: the scanner's own title.
    assert!(
        findings
            .iter()
            .any(|f| f["title"] == "blacklist" && f["rule_id"] == "B307")
    );
}

// Regression: the header said `semgrep 7 findings` and `bandit 10 findings` above a list of 20,
// because 5 were merged into another scanner's finding; and one file's findings jumped back and
// forth in line numbers (app.py:30, 39, 18, 34, 14 under HIGH).
#[test]
fn header_counts_agree_with_the_list_and_one_files_findings_are_in_line_order() {
    let (text, findings) = example_scan();
    let lines = finding_lines(&text);
    let merged_from = |scanner: &str| {
        findings
            .iter()
            .flat_map(|f| {
                f["metadata"]["also_reported_by"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter(|m| m["scanner"] == scanner)
            .count()
    };
    let mut merged_total = 0;
    for scanner in ["semgrep", "bandit", "secrets", "git-hygiene"] {
        let listed = lines.iter().filter(|l| l.1 == scanner).count();
        let merged = merged_from(scanner);
        merged_total += merged;
        let header = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{scanner} ")))
            .expect("a header line");
        let mut expected = format!("{listed} finding{}", if listed == 1 { "" } else { "s" });
        if merged == 1 {
            expected.push_str(", 1 merged into another scanner's finding");
        } else if merged > 1 {
            expected.push_str(&format!(", {merged} merged into other scanners' findings"));
        }
        assert!(
            header.trim_end().ends_with(&format!("  {expected}")),
            "{header:?} should say {expected:?}"
        );
    }
    assert!(
        merged_total > 0,
        "real semgrep and bandit agree on eval(): {text}"
    );
    let mut last: BTreeMap<(String, String), u32> = BTreeMap::new();
    for (severity, _, location, _) in &lines {
        let Some((path, line)) = location.rsplit_once(':') else {
            continue;
        };
        let line: u32 = line.parse().expect("a line number");
        let previous = last.insert((severity.clone(), path.to_string()), line);
        assert!(
            previous.is_none_or(|p| p <= line),
            "{severity} {path}: line {line} after {previous:?}\n{text}"
        );
    }
}

// Regression: checkov titles printed the check id twice (`CKV_AWS_24: Ensure … [CKV_AWS_24]`).
#[test]
fn checkov_titles_show_the_check_name_and_the_id_once() {
    require("checkov");
    let dir = tree(&[(
        "main.tf",
        "resource \"aws_security_group\" \"open\" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n    protocol    = \"tcp\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n}\n",
    )]);
    let output = run(securescan()
        .args(["scan", "-t", "iac", "--no-save"])
        .arg(dir.path()));
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.ends_with("[CKV_AWS_24]"))
        .unwrap_or_else(|| {
            panic!(
                "checkov flags SSH open to the world:\n{text}\n{}",
                stderr(&output)
            )
        });
    assert_eq!(line.matches("CKV_AWS_24").count(), 1, "{line}");
    assert!(
        line.contains("main.tf:1  Ensure no security groups allow ingress from 0.0.0.0:0 to port 22 [CKV_AWS_24]"),
        "{line}"
    );
}

/// A pseudo-terminal: the controller, and the terminal end a child can write to.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn terminal() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    #[allow(unsafe_code, reason = "opening a pty is a C API")]
    let (controller, name) = unsafe {
        let fd = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(fd >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(fd), 0);
        assert_eq!(libc::unlockpt(fd), 0);
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(libc::ptsname_r(fd, name.as_mut_ptr(), name.len()), 0);
        let name = std::ffi::CStr::from_ptr(name.as_ptr())
            .to_str()
            .expect("utf-8")
            .to_string();
        (std::fs::File::from_raw_fd(fd), name)
    };
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOCTTY)
        .open(name)
        .expect("open the terminal end");
    (controller, terminal)
}

// Regression: `compare BASELINE --output-file F` run from a terminal wrote the terminal's text
// into F, where the documented default for anything but a terminal is the PR comment.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn compare_writes_the_pr_comment_to_a_pipe_or_a_file_and_text_to_a_terminal() {
    let project = tree(&[("settings.py", "DEBUG = True\n")]);
    let baseline = project.path().join("baseline.json");
    let nothing = path_with(&[]);
    let compare = |stdout: std::process::Stdio, file: Option<&Path>| {
        let mut command = securescan();
        command
            .env("PATH", nothing.path())
            .args(["compare", "-t", "code"])
            .arg(project.path())
            .arg(&baseline)
            .stdout(stdout);
        if let Some(file) = file {
            command.arg("--output-file").arg(file);
        }
        command.output().expect("runs")
    };
    let write = run(securescan()
        .env("PATH", nothing.path())
        .args(["baseline", "-t", "code"])
        .arg(project.path())
        .arg("-o")
        .arg(&baseline));
    assert_eq!(write.status.code(), Some(0), "{}", stderr(&write));

    let piped = compare(std::process::Stdio::piped(), None);
    assert!(
        String::from_utf8_lossy(&piped.stdout).starts_with("<!-- securescan:compare -->"),
        "{}",
        stderr(&piped)
    );
    let out = project.path().join("compare.md");
    let (_controller, tty) = terminal();
    let to_file = compare(tty.into(), Some(&out));
    assert_eq!(to_file.status.code(), Some(0), "{}", stderr(&to_file));
    let written = std::fs::read_to_string(&out).expect("written");
    assert!(
        written.starts_with("<!-- securescan:compare -->"),
        "{written}"
    );
    let (mut controller, tty) = terminal();
    let on_terminal = compare(tty.into(), None);
    assert_eq!(
        on_terminal.status.code(),
        Some(0),
        "{}",
        stderr(&on_terminal)
    );
    let mut shown = vec![0; 4096];
    let n = std::io::Read::read(&mut controller, &mut shown).expect("read the terminal");
    assert!(
        String::from_utf8_lossy(&shown[..n]).starts_with("SecureScan compare: "),
        "{}",
        String::from_utf8_lossy(&shown[..n])
    );
}
