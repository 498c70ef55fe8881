use securescan_adapter_sdk::{Adapter, Finding, Input, Severity, ToolReport};

use crate::Secrets;

fn scan(files: &[(&str, &str)]) -> Vec<Finding> {
    let mut input = Input::from_files(
        files
            .iter()
            .map(|(p, t)| (format!("proj/{p}"), t.as_bytes().to_vec())),
    );
    input.target = "proj".into();
    Secrets::parse(&input).unwrap().findings
}

fn rules(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f.rule_id.as_deref().unwrap_or(""))
        .collect()
}

// Assembled at run time so this file is not itself a tree of secrets.
fn key(prefix: &str, body: &str, len: usize) -> String {
    format!(
        "{prefix}{}",
        body.repeat(len).chars().take(len).collect::<String>()
    )
}

#[test]
fn each_pattern_fires_on_a_real_looking_credential() {
    let cases = [
        (
            format!("aws = '{}'", key("AKIA", "Q7RM", 16)),
            "secrets/aws-access-key",
        ),
        (
            format!(
                "aws_secret_access_key = {}",
                key("", "wJalrXUtnFEMIK7MDENGbPxRfiCY", 40)
            ),
            "secrets/aws-secret-key",
        ),
        (
            format!("t = '{}'", key("ghp_", "aB3d", 36)),
            "secrets/github-personal-access-token-(classic)",
        ),
        (
            format!("t = '{}'", key("gho_", "aB3d", 40)),
            "secrets/github-token",
        ),
        (
            format!("API_KEY: {}", key("", "q9W2e8R7", 24)),
            "secrets/generic-api-key",
        ),
        (
            "db_password = \"s3cr3tpass!\"".to_string(),
            "secrets/generic-secret",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----".to_string(),
            "secrets/private-key",
        ),
        (key("xoxb-", "12345abcde", 24), "secrets/slack-token"),
        (
            format!(
                "url = https://hooks.slack.com/services/T{}/B{}/{}",
                key("", "A1B2", 8),
                key("", "C3D4", 8),
                key("", "x9Y8", 24)
            ),
            "secrets/slack-webhook",
        ),
        (key("AIza", "Sy9dK2", 35), "secrets/google-api-key"),
        (
            "HEROKU_KEY 01234567-89AB-CDEF-0123-456789ABCDEF".to_string(),
            "secrets/heroku-api-key",
        ),
        (
            format!(
                "{}.{}.{}",
                key("eyJ", "hbGciOi", 20),
                key("", "eyJzdWIi", 20),
                key("", "SflKxwRJ", 20)
            ),
            "secrets/jwt-token",
        ),
        (
            format!("bearer: {}", key("", "abc.DEF_123", 30)),
            "secrets/generic-token",
        ),
        (
            "DB = 'postgres://admin:hunter2@db:5432/app'".to_string(),
            "secrets/connection-string",
        ),
        (
            format!("key = {}", key("", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", 44)),
            "secrets/base64-encoded-secret",
        ),
    ];
    for (line, rule) in cases {
        let findings = scan(&[("app/config.py", &line)]);
        assert_eq!(rules(&findings), vec![rule], "line: {line}");
    }
}

#[test]
fn every_distinct_secret_on_a_line_is_a_finding_with_the_documented_shape() {
    let text = format!(
        "a = 1\nsecret = \"{}\" # {}\n",
        "s3cr3tpass!",
        key("AKIA", "Q7RM", 16)
    );
    let findings = scan(&[("settings.py", &text)]);
    assert_eq!(
        rules(&findings),
        vec!["secrets/generic-secret", "secrets/aws-access-key"]
    );
    let f = &findings[1];
    assert_eq!(f.title, "Potential AWS Access Key detected");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.file.as_deref(), Some("proj/settings.py"));
    assert_eq!((f.line_start, f.line_end), (Some(2), Some(2)));
    assert_eq!(
        f.description,
        "Found potential AWS Access Key in settings.py at line 2. Review and rotate if this is a real credential."
    );
    assert!(
        findings
            .iter()
            .all(|f| !f.metadata.contains_key("occurrence"))
    );
}

#[test]
fn a_second_key_on_a_line_is_not_hidden_by_the_first() {
    let (first, second) = (key("AKIA", "Q7RM", 16), key("AKIA", "ZZ99", 16));
    let findings = scan(&[("deploy.sh", &format!("export A={first} B={second}"))]);
    assert_eq!(
        rules(&findings),
        vec!["secrets/aws-access-key", "secrets/aws-access-key"]
    );
    assert!(!findings[0].metadata.contains_key("occurrence"));
    assert_eq!(findings[1].metadata.get("occurrence"), serde_json::json!(2));
    let mixed = format!("A={first} T={}", key("ghp_", "aB3d", 36));
    assert_eq!(
        rules(&scan(&[("deploy.sh", &mixed)])),
        vec![
            "secrets/aws-access-key",
            "secrets/github-personal-access-token-(classic)"
        ]
    );
}

#[test]
fn one_secret_repeated_or_seen_by_two_patterns_is_one_finding() {
    let aws = key("AKIA", "Q7RM", 16);
    assert_eq!(
        rules(&scan(&[("a.sh", &format!("A={aws} B={aws}"))])),
        vec!["secrets/aws-access-key"]
    );
    let line = format!(
        "aws_secret_access_key = {}",
        key("", "wJalrXUtnFEMIK7MDENGbPxRfiCY", 40)
    );
    assert_eq!(
        rules(&scan(&[("a.cfg", &line)])),
        vec!["secrets/aws-secret-key"]
    );
}

#[test]
fn a_window_of_a_large_file_reports_lines_of_the_file() {
    let mut input = Input::from_files([(
        "proj/.env".to_string(),
        format!("PAD=1\nAWS={}\n", key("AKIA", "Q7RM", 16)).into_bytes(),
    )]);
    input.target = "proj".into();
    input.settings.insert("first-line".into(), "40001".into());
    let findings = Secrets::parse(&input).unwrap().findings;
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f.line_start == Some(40002)),
        "{findings:?}"
    );
    input.settings.insert("first-line".into(), "0".into());
    assert!(Secrets::parse(&input).is_err());
}

#[test]
fn each_false_positive_rule_silences_a_line() {
    let secret = "db_password = \"s3cr3tpass!\"";
    assert_eq!(
        scan(&[("app.py", secret)]).len(),
        1,
        "control: the bare line is a finding"
    );
    for line in [
        format!("{secret} # example"),
        format!("{secret} # your_ value here"),
        format!("{secret} # ..."),
        "db_password = \"$(cat /run/secret)\"".to_string(),
        format!("{secret} # CHANGEME"),
    ] {
        assert!(scan(&[("app.py", &line)]).is_empty(), "{line}");
    }
    for path in [
        "test_app.py",
        "app_test.py",
        "app.test.js",
        "fixtures/app.py",
        "mocks/app.py",
    ] {
        assert!(scan(&[(path, secret)]).is_empty(), "{path}");
    }
    assert!(scan(&[("app.py", "API_KEY = 'my-api-key-name-here'")]).is_empty());
}

#[test]
fn a_target_inside_a_fixtures_directory_is_still_scanned() {
    let mut input = Input::from_files([(
        "/src/fixtures/proj/app.py".to_string(),
        b"pwd = \"s3cr3tpass!\"".to_vec(),
    )]);
    input.target = "/src/fixtures/proj".into();
    assert_eq!(Secrets::parse(&input).unwrap().findings.len(), 1);
}

#[test]
fn keywords_folded_to_non_ascii_letters_still_reach_the_patterns() {
    // `(?i)` folds the Kelvin sign to k and the long s to s: the keyword search must not skip them.
    let cases = [
        (
            "db_pa\u{17F}sword = \"s3cr3tpass!\"".to_string(),
            "secrets/generic-secret",
        ),
        (
            format!("to\u{212A}en = {}", key("", "abc.DEF_123", 30)),
            "secrets/generic-token",
        ),
        (
            format!(
                "\u{212A}ey = {}",
                key("", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY", 44)
            ),
            "secrets/base64-encoded-secret",
        ),
    ];
    for (line, rule) in cases {
        assert_eq!(
            rules(&scan(&[("app.cfg", &line)])),
            vec![rule],
            "line: {line}"
        );
    }
}

#[test]
fn lines_without_keywords_between_secrets_keep_the_line_numbers() {
    let aws = key("AKIA", "Q7RM", 16);
    let text = format!(
        "{aws}\nkey_path = 'a'\nplain\n\nsecret = \"s3cr3tpass!\"\r\ntoken\n\n{aws} # last, no line break"
    );
    let lines: Vec<Option<u32>> = scan(&[("deploy.sh", &text)])
        .iter()
        .map(|f| f.line_start)
        .collect();
    assert_eq!(lines, vec![Some(1), Some(5), Some(8)]);
}

#[test]
fn long_lines_are_skipped() {
    let line = format!("{} {}", key("AKIA", "Q7RM", 16), "x".repeat(1000));
    assert!(scan(&[("bundle.js", &line)]).is_empty());
}

#[test]
fn env_files_report_secret_keys_once_each() {
    let env = "# comment\nAPI_TOKEN=abcdef123456\nDEBUG=true\nSHORT_KEY=abc\nexport DB_PASSWORD='hunter22'\n";
    let findings = scan(&[(".env.local", env)]);
    let env_titles: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule_id.as_deref() == Some("secrets/env-file-secret"))
        .map(|f| f.title.as_str())
        .collect();
    assert_eq!(
        env_titles,
        vec![
            "Secret in env file: API_TOKEN",
            "Secret in env file: export DB_PASSWORD"
        ]
    );
    assert!(
        scan(&[("config.py", "API_TOKEN=abcdef123456")])
            .iter()
            .all(|f| f.rule_id.as_deref() != Some("secrets/env-file-secret"))
    );
}

#[test]
fn undecodable_bytes_do_not_hide_a_key() {
    let mut bytes = b"# caf\xe9\n".to_vec();
    bytes.extend(format!("k = '{}'", key("AKIA", "Q7RM", 16)).as_bytes());
    bytes.push(0xff);
    let mut input = Input::from_files([("p/a.cfg".to_string(), bytes)]);
    input.target = "p".into();
    assert_eq!(
        rules(&Secrets::parse(&input).unwrap().findings),
        vec!["secrets/aws-access-key"]
    );
}

#[test]
fn git_history_reports_each_pattern_once_without_location() {
    let log = format!(
        "commit 1\n+++ b/prod.pem\n+-----BEGIN PRIVATE KEY-----\n+{}\n+{}\n",
        key("AKIA", "Q7RM", 16),
        key("AKIA", "ZZ99", 16)
    );
    let input = Input {
        report: Some(ToolReport {
            bytes: log.into_bytes(),
            exit_code: Some(0),
            tool_version: None,
        }),
        ..Input::default()
    };
    let findings = Secrets::parse(&input).unwrap().findings;
    assert_eq!(
        rules(&findings),
        vec![
            "secrets/git-history-aws-access-key",
            "secrets/git-history-private-key"
        ]
    );
    assert!(
        findings
            .iter()
            .all(|f| f.file.is_none() && f.line_start.is_none())
    );
}

#[test]
fn corrupted_files_never_panic() {
    let text = format!(
        "a = '{}'\npassword = \"s3cr3tpass!\"\nAPI_TOKEN=abcdef123456\n",
        key("AKIA", "Q7RM", 16)
    );
    for bytes in securescan_adapter_sdk::testing::mutations(text.as_bytes(), 2000) {
        let input = Input::from_files([("p/.env".to_string(), bytes.clone())]);
        let _ = Secrets::parse(&input);
    }
}
