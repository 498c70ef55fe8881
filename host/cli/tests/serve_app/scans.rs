//! Scans through the API with the real engine: a real semgrep + bandit + secrets scan and what
//! it serves (findings, summary, reports, SBOM, coverage, dashboard), triage that outlives the
//! scan, delete and cancel by state, and compare.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use securescan_store::{NewScan, ScanStore};

use crate::harness::{Adapters, App};
use crate::support::{fake_aws_key, workspace};

/// The keys of the documented `Scan` model, then what SecureScan adds, in order.
const SCAN_KEYS: [&str; 16] = [
    "id",
    "target_path",
    "scan_types",
    "status",
    "started_at",
    "completed_at",
    "findings_count",
    "risk_score",
    "summary",
    "error",
    "target_url",
    "target_host",
    "scanners_run",
    "scanners_skipped",
    "scanners_failed",
    "created_at",
];

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn require(tool: &str) {
    assert!(
        securescan_engine::tools::find_tool(tool).is_some(),
        "{tool} is not on PATH: scripts/setup.sh installs it and puts it on PATH"
    );
}

fn array(answer: &crate::harness::Answer) -> Vec<Value> {
    answer.json().as_array().expect("a list").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_code_scan_is_served_as_documented() {
    require("semgrep");
    require("bandit");
    let app = App::new(Adapters::All, None);
    let rules =
        std::fs::read_to_string(workspace().join("rules/semgrep-python.yml")).expect("rules");
    let key = fake_aws_key();
    let app_py = format!(
        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n\n\n\
         def calc(expr):\n    return eval(expr)\n\n\nAWS_ACCESS_KEY_ID = \"{key}\"\n"
    );
    let project = app.project(
        "webapp",
        &[
            ("app.py", &app_py),
            ("rules/python.yml", &rules),
            (".securescan.yml", "semgrep_rules: [rules/python.yml]\n"),
        ],
    );

    let queued = app
        .send(
            Method::POST,
            "/api/v1/scans",
            &json!({ "target_path": "webapp", "scan_types": ["code"], "ignored": true }),
        )
        .await;
    assert_eq!(queued.status, StatusCode::OK, "{}", queued.json());
    let queued = queued.json();
    assert_eq!(keys(&queued), SCAN_KEYS);
    assert!(matches!(
        queued["status"].as_str(),
        Some("pending" | "running")
    ));
    assert_eq!(queued["target_path"], project.display().to_string());
    assert_eq!(queued["scan_types"], json!(["code"]));
    let id = queued["id"].as_str().expect("id").to_string();

    let scan = app.wait(&id).await;
    assert_eq!(scan["status"], "completed", "{scan}");
    assert_eq!(keys(&scan), SCAN_KEYS);
    for scanner in ["bandit", "secrets", "semgrep"] {
        let run = scan["scanners_run"].as_array().expect("run");
        assert!(
            run.contains(&json!(scanner)),
            "{scanner} did not run: {scan}"
        );
    }
    assert_eq!(scan["scanners_failed"], json!([]), "{scan}");
    assert!(
        scan["started_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert!(
        scan["completed_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );

    let answer = app.get(&format!("/api/v1/scans/{id}/findings")).await;
    assert_eq!(answer.status, StatusCode::OK);
    let findings = array(&answer);
    assert_eq!(
        answer.header("x-total-count"),
        Some(findings.len().to_string().as_str())
    );
    assert_eq!(scan["findings_count"], json!(findings.len()));
    for finding in &findings {
        assert_eq!(finding["scan_id"], id.as_str());
        assert_eq!(finding["state"], Value::Null);
        assert!(
            finding["fingerprint"]
                .as_str()
                .is_some_and(|f| !f.is_empty())
        );
        assert_eq!(keys(finding).last(), Some(&"state"));
        let headline = finding["headline"].as_str().expect("a headline");
        assert!(!headline.is_empty());
        if finding["scanner"] == "bandit" && finding["title"] == "blacklist" {
            assert_ne!(
                headline, "blacklist",
                "the message, not the bare identifier"
            );
        }
    }
    let has = |scanner: &str, rule: &str| {
        let matches = |f: &Value| {
            f["scanner"] == scanner && f["rule_id"].as_str().is_some_and(|r| r.contains(rule))
        };
        findings.iter().any(|f| {
            matches(f)
                || f["metadata"]["also_reported_by"]
                    .as_array()
                    .is_some_and(|merged| merged.iter().any(matches))
        })
    };
    assert!(has("bandit", "B602"), "{findings:#?}");
    assert!(has("semgrep", "python-eval"), "{findings:#?}");
    assert!(has("secrets", "aws"), "{findings:#?}");

    // Opening a row: the finding's line and its neighbours from the file; never a credential's.
    let source_of = |rule: &str| {
        let finding = findings
            .iter()
            .find(|f| f["rule_id"].as_str().is_some_and(|r| r.contains(rule)))
            .unwrap_or_else(|| panic!("a {rule} finding"));
        format!(
            "/api/v1/scans/{id}/findings/{}/source",
            finding["fingerprint"].as_str().expect("fingerprint")
        )
    };
    let eval = app.get(&source_of("python-eval")).await;
    assert_eq!(eval.status, StatusCode::OK);
    let lines = eval.json()["lines"].as_array().expect("lines").clone();
    let flagged: Vec<&str> = lines
        .iter()
        .filter(|l| l["flagged"] == true)
        .filter_map(|l| l["text"].as_str())
        .collect();
    assert_eq!(flagged, ["    return eval(expr)"]);
    assert!(lines.iter().any(|l| l["text"] == "def calc(expr):"));
    assert_eq!(
        eval.json()["redacted"],
        true,
        "the AWS key three lines below is hidden"
    );
    assert!(!String::from_utf8_lossy(&eval.body).contains(&key));
    let secret = app.get(&source_of("aws")).await.json();
    assert_eq!(secret["redacted"], true);
    let shown = serde_json::to_string(&secret).expect("JSON");
    assert!(!shown.contains(&key), "the key is never sent back: {shown}");
    assert_eq!(
        app.get(&format!("/api/v1/scans/{id}/findings/nope/source"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    std::fs::remove_file(project.join("app.py")).expect("remove");
    let gone = app.get(&source_of("python-eval")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    std::fs::write(project.join("app.py"), &app_py).expect("restore");
    let ranks = ["critical", "high", "medium", "low", "info"];
    let rank = |f: &Value| {
        ranks
            .iter()
            .position(|s| f["severity"] == *s)
            .expect("severity")
    };
    assert!(
        findings.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "most severe first"
    );

    let bandit = array(
        &app.get(&format!(
            "/api/v1/scans/{id}/findings?scanner=bandit,secrets"
        ))
        .await,
    );
    assert!(!bandit.is_empty());
    assert!(
        bandit
            .iter()
            .all(|f| f["scanner"] == "bandit" || f["scanner"] == "secrets")
    );
    let second = app
        .get(&format!("/api/v1/scans/{id}/findings?limit=1&offset=1"))
        .await;
    assert_eq!(array(&second), [findings[1].clone()]);
    assert_eq!(
        second.header("x-total-count"),
        Some(findings.len().to_string().as_str())
    );
    let high = array(
        &app.get(&format!(
            "/api/v1/scans/{id}/findings?severity=critical&severity=high"
        ))
        .await,
    );
    assert_eq!(
        high.len(),
        findings
            .iter()
            .filter(|f| f["severity"] == "critical" || f["severity"] == "high")
            .count()
    );

    let summary = app.get(&format!("/api/v1/scans/{id}/summary")).await.json();
    assert_eq!(summary["total_findings"], scan["findings_count"]);
    assert_eq!(summary["risk_score"], scan["risk_score"]);
    assert_eq!(summary["scanners_run"], scan["scanners_run"]);
    assert_eq!(summary["status"], "completed");
    let by_severity: i64 = ranks
        .iter()
        .map(|s| summary[*s].as_i64().expect("count"))
        .sum();
    assert_eq!(json!(by_severity), summary["total_findings"]);

    let short = &id[..8];
    let formats = [
        ("sarif", "application/sarif+json", "sarif.json"),
        ("csv", "text/csv; charset=utf-8", "csv"),
        ("junit", "application/xml", "junit.xml"),
        ("json", "application/json", "json"),
    ];
    for (format, content_type, extension) in formats {
        let report = app
            .get(&format!("/api/v1/scans/{id}/report?format={format}"))
            .await;
        assert_eq!(report.status, StatusCode::OK, "{format}");
        assert_eq!(report.header("content-type"), Some(content_type));
        assert_eq!(
            report.header("content-disposition"),
            Some(format!("attachment; filename=\"securescan-{short}.{extension}\"").as_str())
        );
        let text = String::from_utf8(report.body.clone()).expect("UTF-8");
        match format {
            "sarif" => assert!(
                report.json()["runs"][0]["results"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty())
            ),
            "json" => assert!(!report.json().is_null()),
            "csv" => assert_eq!(text.lines().count(), findings.len() + 1, "{text}"),
            _ => assert!(text.starts_with("<?xml"), "{text}"),
        }
        assert!(text.contains("app.py"), "{format} names no file");
    }
    let html = app.get(&format!("/api/v1/scans/{id}/report")).await;
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(html.header("content-disposition"), None);
    assert!(String::from_utf8_lossy(&html.body).contains("<html"));

    let sbom = app.get(&format!("/api/v1/scans/{id}/sbom")).await;
    assert_eq!(sbom.status, StatusCode::OK);
    assert_eq!(sbom.json()["bomFormat"], "CycloneDX");
    let spdx = app
        .get(&format!("/api/v1/scans/{id}/sbom?format=spdx"))
        .await;
    assert!(spdx.json()["spdxVersion"].is_string());

    let coverage = app
        .get(&format!("/api/v1/compliance/coverage?scan_id={id}"))
        .await;
    assert_eq!(coverage.status, StatusCode::OK);
    assert!(coverage.json()["coverage"].is_array() || coverage.json()["coverage"].is_object());
    let frameworks = app.get("/api/v1/compliance/frameworks").await;
    assert_eq!(frameworks.status, StatusCode::OK);

    let stats = app.get("/api/v1/dashboard/stats").await.json();
    assert_eq!(stats["total_scans"], 1);
    assert_eq!(stats["completed_scans"], 1);
    assert_eq!(stats["total_findings"], scan["findings_count"]);
    let trends = app.get("/api/v1/dashboard/trends?days=1").await.json();
    let points = trends["data"].as_array().expect("data");
    assert_eq!(points.len(), 1, "{trends}");
    assert_eq!(points[0]["total_findings"], scan["findings_count"]);
    let status = app.get("/api/v1/dashboard/status").await.json();
    let scanners = status["scanners"].as_array().expect("scanners");
    assert!(
        scanners
            .iter()
            .any(|s| s["name"] == "semgrep" && s["available"] == true),
        "{status}"
    );
    let listed = app.get("/api/v1/scans").await;
    assert_eq!(listed.header("x-total-count"), Some("1"));
    assert_eq!(array(&listed), [scan]);
}

fn new_scan(id: &str) -> NewScan {
    NewScan {
        id: id.to_string(),
        target_path: "/nowhere".into(),
        target_url: None,
        target_host: None,
        scan_types: vec!["code".into()],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_and_cancel_answer_by_the_scans_state() {
    let app = App::new(Adapters::SecretsOnly, None);
    // Stored as the queue stores them, without a task: the state alone decides.
    app.store
        .create_scan(&new_scan("held"), "2026-03-01T10:00:00Z")
        .expect("create");
    let pending = app.get("/api/v1/scans/held").await.json();
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["started_at"], Value::Null);
    let conflict = app
        .call(Method::DELETE, "/api/v1/scans/held", None, &[])
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(
        conflict
            .detail()
            .as_str()
            .expect("text")
            .contains("'pending'")
    );
    let report = app.get("/api/v1/scans/held/report?format=json").await;
    assert_eq!(report.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        report.detail(),
        "Scan must be completed to generate a report"
    );

    assert!(
        app.store
            .start_scan("held", "2026-03-01T10:00:01Z")
            .expect("start")
    );
    let conflict = app
        .call(Method::DELETE, "/api/v1/scans/held", None, &[])
        .await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(
        conflict
            .detail()
            .as_str()
            .expect("text")
            .contains("'running'")
    );

    let cancelled = app
        .call(Method::POST, "/api/v1/scans/held/cancel", None, &[])
        .await;
    assert_eq!(cancelled.status, StatusCode::OK);
    let cancelled = cancelled.json();
    assert_eq!(keys(&cancelled), SCAN_KEYS);
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["error"], "Scan cancelled by user");
    let again = app
        .call(Method::POST, "/api/v1/scans/held/cancel", None, &[])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.detail(), "Cannot cancel scan in 'cancelled' state");
    let report = app.get("/api/v1/scans/held/report").await;
    assert_eq!(report.status, StatusCode::BAD_REQUEST);

    let deleted = app
        .call(Method::DELETE, "/api/v1/scans/held", None, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(deleted.body.is_empty());
    let twice = app
        .call(Method::DELETE, "/api/v1/scans/held", None, &[])
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    assert_eq!(twice.detail(), "Scan not found");

    // Most recent first, paged, with the total.
    for (id, at) in [
        ("a", "2026-03-01T10:00:00Z"),
        ("b", "2026-03-03T10:00:00Z"),
        ("c", "2026-03-02T10:00:00Z"),
    ] {
        app.store.create_scan(&new_scan(id), at).expect("create");
        app.store.fail_scan(id, "x", &[], at).expect("fail");
    }
    let ids = |answer: &crate::harness::Answer| -> Vec<String> {
        array(answer)
            .iter()
            .map(|s| s["id"].as_str().expect("id").to_string())
            .collect()
    };
    let first = app.get("/api/v1/scans?limit=2").await;
    assert_eq!(ids(&first), ["b", "c"]);
    assert_eq!(first.header("x-total-count"), Some("3"));
    let rest = app.get("/api/v1/scans?limit=2&offset=2").await;
    assert_eq!(ids(&rest), ["a"]);
    assert_eq!(rest.header("x-total-count"), Some("3"));
}

fn fingerprint_of(findings: &[Value], file: &str) -> String {
    let found: Vec<&Value> = findings.iter().filter(|f| name_of(f) == file).collect();
    assert_eq!(found.len(), 1, "one finding in {file}: {findings:#?}");
    found[0]["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_string()
}

fn files(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .expect("list")
        .iter()
        .map(name_of)
        .collect()
}

/// The file a finding is in, by name: paths outside the working directory are absolute.
fn name_of(finding: &Value) -> String {
    let path = finding["file_path"].as_str().expect("file");
    path.rsplit('/').next().unwrap_or(path).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn triage_outlives_its_scan_and_compare_classifies_by_fingerprint() {
    let app = App::new(Adapters::SecretsOnly, None);
    let line = format!("AWS_ACCESS_KEY_ID = \"{}\"\n", fake_aws_key());
    let project = app.project("svc", &[("a.py", &line), ("b.py", &line)]);
    let first = app.scan(&project, &["code"]).await;
    assert_eq!(first["status"], "completed", "{first}");
    let first_id = first["id"].as_str().expect("id").to_string();
    let findings = array(&app.get(&format!("/api/v1/scans/{first_id}/findings")).await);
    let (fa, fb) = (
        fingerprint_of(&findings, "a.py"),
        fingerprint_of(&findings, "b.py"),
    );

    let set = app
        .send(
            Method::PATCH,
            &format!("/api/v1/findings/{fa}/state"),
            &json!({ "status": "false_positive", "note": "a test key", "updated_by": "alice" }),
        )
        .await;
    assert_eq!(set.status, StatusCode::OK);
    let set = set.json();
    assert_eq!(
        keys(&set),
        [
            "fingerprint",
            "status",
            "note",
            "updated_at",
            "updated_by",
            "updated_by_key"
        ]
    );
    // Dev mode: the verdict is the dev principal's, not the name the body claims.
    assert_eq!(set["updated_by"], "dev mode");
    assert_eq!(set["updated_by_key"], "dev");
    assert_eq!(set["fingerprint"], fa.as_str());
    assert_eq!(set["note"], "a test key");
    let listed = array(&app.get(&format!("/api/v1/scans/{first_id}/findings")).await);
    let state_of = |findings: &[Value], fingerprint: &str| -> Value {
        findings
            .iter()
            .find(|f| f["fingerprint"] == fingerprint)
            .expect("finding")["state"]
            .clone()
    };
    assert_eq!(state_of(&listed, &fa), set);
    assert_eq!(state_of(&listed, &fb), Value::Null);
    let by_status = |status: &str| {
        let uri = format!("/api/v1/scans/{first_id}/findings?status={status}");
        let app = &app;
        async move {
            array(&app.get(&uri).await)
                .iter()
                .map(|f| f["fingerprint"].as_str().expect("fingerprint").to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(by_status("new").await, [fb.as_str()]);
    assert_eq!(by_status("false_positive").await, [fa.as_str()]);

    // Replace, not merge: the omitted note is cleared.
    let replaced = app
        .send(
            Method::PATCH,
            &format!("/api/v1/findings/{fa}/state"),
            &json!({ "status": "accepted_risk" }),
        )
        .await
        .json();
    assert_eq!(replaced["status"], "accepted_risk");
    assert_eq!(replaced["note"], Value::Null);
    assert_eq!(replaced["updated_by"], "dev mode");
    let listed = array(&app.get(&format!("/api/v1/scans/{first_id}/findings")).await);
    assert_eq!(state_of(&listed, &fa), replaced);

    let comments_uri = format!("/api/v1/findings/{fa}/comments");
    let mut ids = Vec::new();
    for text in ["first look", "second look"] {
        let added = app
            .send(
                Method::POST,
                &comments_uri,
                &json!({ "text": text, "author": "bob" }),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED);
        let added = added.json();
        assert_eq!(
            keys(&added),
            [
                "id",
                "fingerprint",
                "text",
                "author",
                "author_key",
                "created_at"
            ]
        );
        assert_eq!(
            (&added["author"], &added["author_key"]),
            (&json!("dev mode"), &json!("dev"))
        );
        ids.push(added["id"].as_str().expect("id").to_string());
    }
    let texts = |answer: crate::harness::Answer| -> Vec<String> {
        array(&answer)
            .iter()
            .map(|c| c["text"].as_str().expect("text").to_string())
            .collect()
    };
    assert_eq!(
        texts(app.get(&comments_uri).await),
        ["first look", "second look"]
    );
    let wrong_pair = app
        .call(
            Method::DELETE,
            &format!("/api/v1/findings/{fb}/comments/{}", ids[0]),
            None,
            &[],
        )
        .await;
    assert_eq!(wrong_pair.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong_pair.detail(), "Comment not found");
    let deleted = app
        .call(
            Method::DELETE,
            &format!("{comments_uri}/{}", ids[0]),
            None,
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let twice = app
        .call(
            Method::DELETE,
            &format!("{comments_uri}/{}", ids[0]),
            None,
            &[],
        )
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    assert_eq!(texts(app.get(&comments_uri).await), ["second look"]);

    // b.py fixed, c.py new, a.py unchanged.
    std::fs::remove_file(project.join("b.py")).expect("rm");
    std::fs::write(project.join("c.py"), &line).expect("write");
    let second = app.scan(&project, &["code"]).await;
    assert_eq!(second["status"], "completed", "{second}");
    let second_id = second["id"].as_str().expect("id").to_string();
    let compare_uri = format!("/api/v1/scans/compare?scan_a={first_id}&scan_b={second_id}");
    let compared = app.get(&compare_uri).await;
    assert_eq!(compared.status, StatusCode::OK);
    let body = compared.json();
    assert_eq!(
        keys(&body),
        [
            "scan_a",
            "scan_b",
            "new_findings",
            "fixed_findings",
            "unchanged_findings",
            "summary"
        ]
    );
    assert_eq!(body["scan_a"]["id"], first_id.as_str());
    assert_eq!(body["scan_b"]["id"], second_id.as_str());
    assert_eq!(files(&body["new_findings"]), ["c.py"]);
    assert_eq!(files(&body["fixed_findings"]), ["b.py"]);
    assert_eq!(files(&body["unchanged_findings"]), ["a.py"]);
    assert_eq!(body["fixed_findings"][0]["fingerprint"], fb.as_str());
    assert_eq!(body["summary"]["new_count"], 1);
    assert_eq!(body["summary"]["fixed_count"], 1);
    assert_eq!(body["summary"]["unchanged_count"], 1);
    assert_eq!(
        app.get(&compare_uri).await.body,
        compared.body,
        "compare is deterministic"
    );

    let deleted = app
        .call(
            Method::DELETE,
            &format!("/api/v1/scans/{first_id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    for uri in [
        format!("/api/v1/scans/{first_id}"),
        format!("/api/v1/scans/{first_id}/findings"),
    ] {
        assert_eq!(app.get(&uri).await.status, StatusCode::NOT_FOUND, "{uri}");
    }
    let again = app
        .call(
            Method::DELETE,
            &format!("/api/v1/scans/{first_id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    // The verdict and the comment stay with the fingerprint, and show in the scan that remains.
    let remaining = array(
        &app.get(&format!("/api/v1/scans/{second_id}/findings"))
            .await,
    );
    assert_eq!(state_of(&remaining, &fa), replaced);
    assert_eq!(texts(app.get(&comments_uri).await), ["second look"]);
}
