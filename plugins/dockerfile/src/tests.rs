use securescan_adapter_sdk::testing::mutations;
use securescan_adapter_sdk::{Adapter, Finding, Input};

use crate::Dockerfile;
use crate::instructions::logical_lines;

fn check(text: &str) -> Vec<Finding> {
    Dockerfile::parse(&Input::from_files([(
        "app/Dockerfile".to_string(),
        text.as_bytes().to_vec(),
    )]))
    .unwrap()
    .findings
}

fn ids(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| {
            f.rule_id
                .as_deref()
                .unwrap_or("")
                .trim_start_matches("dockerfile/")
        })
        .collect()
}

#[test]
fn the_insecure_example_trips_each_documented_rule() {
    let text = "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl sudo\nADD http://example.com/app.tar.gz /opt/\n\
                ENV AWS_SECRET_ACCESS_KEY=abc\nCOPY . /app\nEXPOSE 22\nRUN chmod 777 /app\nRUN pip install flask\n\
                RUN curl -sSL https://get.example.com | sh\nUSER root\n";
    assert_eq!(
        ids(&check(text)),
        vec![
            "DL001", "DL004", "DL006", "DL007", "DL005", "DL008", "DL009", "DL003", "DL002"
        ]
    );
}

#[test]
fn a_careful_dockerfile_is_clean() {
    let text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n\
                RUN pip install --no-cache-dir flask\nEXPOSE 8080\nUSER app\n";
    assert!(check(text).is_empty(), "{:?}", ids(&check(text)));
}

// Regression: physical lines hid a `curl … \` / `| sh` split over two lines.
#[test]
fn continued_instructions_are_checked_whole_with_their_line_span() {
    let text = "FROM alpine:3.20\nRUN curl -fsSL https://x.example/install \\\n    # fetch the installer\n    | sh\nUSER app\n";
    let findings = check(text);
    assert_eq!(ids(&findings), vec!["DL003"]);
    assert_eq!(
        (findings[0].line_start, findings[0].line_end),
        (Some(2), Some(4))
    );
}

#[test]
fn no_user_directive_is_one_file_level_finding() {
    let findings = check("FROM alpine:3.20\nRUN echo hi\n");
    assert_eq!(ids(&findings), vec!["DL010"]);
    assert_eq!(findings[0].line_start, None);
    assert!(check("# no FROM at all\nRUN echo hi\n").is_empty());
}

#[test]
fn the_flag_rules_fire_only_for_an_install_without_the_flag_after_it() {
    assert_eq!(
        ids(&check(
            "FROM a:1\nUSER a\nRUN apt-get install --no-install-recommends x && apt-get install y\n"
        )),
        vec!["DL004"]
    );
    assert!(check("FROM a:1\nUSER a\nRUN apt-get install x --no-install-recommends\n").is_empty());
    assert_eq!(
        ids(&check("FROM a:1\nUSER a\nRUN pip3 install x\n")),
        vec!["DL009"]
    );
}

#[test]
fn legacy_env_syntax_and_numeric_root_are_caught() {
    assert_eq!(
        ids(&check("FROM a:1\nUSER a\nENV API_TOKEN abc123\n")),
        vec!["DL007"]
    );
    assert_eq!(ids(&check("FROM a:1\nUSER 0\n")), vec!["DL002"]);
}

#[test]
fn windows_line_endings_and_an_unfinished_continuation_are_handled() {
    let lines = logical_lines("FROM a:1\r\nRUN a \\\r\n  b\r\nRUN c \\");
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, vec!["FROM a:1", "RUN a    b", "RUN c "]);
}

#[test]
fn corrupted_files_never_panic() {
    let text = "FROM ubuntu:latest\nRUN apt-get install x \\\n && pip install y | sh\nENV KEY=1\nUSER root\n";
    for bytes in mutations(text.as_bytes(), 2000) {
        let _ = Dockerfile::parse(&Input::from_files([("Dockerfile".to_string(), bytes)]));
    }
}
