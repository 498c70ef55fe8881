use std::path::Path;

use securescan_adapter_sdk::testing::{
    fixture_bytes, mutations, parse_mutated_fixtures, parse_report,
};
use securescan_adapter_sdk::{Adapter, Finding, Input, Output, ParseError, Severity};
use serde_json::Value;

use crate::Licenses;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Licenses);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Licenses>(bytes)
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

fn findings(name: &str) -> Vec<Finding> {
    parse(&fixture(name)).unwrap().findings
}

fn files(files: &[(&str, &str)]) -> Output {
    Licenses::parse(&Input::from_files(
        files
            .iter()
            .map(|(path, text)| (path.to_string(), text.as_bytes().to_vec())),
    ))
    .unwrap()
}

fn meta<'a>(finding: &'a Finding, key: &str) -> Option<&'a Value> {
    match &finding.metadata {
        securescan_adapter_sdk::Metadata::Map(map) => map.get(key),
        securescan_adapter_sdk::Metadata::Raw(_) => None,
    }
}

fn summary(findings: &[Finding]) -> Vec<(String, &str, Severity)> {
    findings
        .iter()
        .map(|f| {
            let package = meta(f, "package").and_then(Value::as_str).unwrap_or("");
            (
                package.to_string(),
                f.rule_id.as_deref().unwrap_or(""),
                f.severity,
            )
        })
        .collect()
}

// Counts from ../shared/corpus/INDEX.tsv count packages (entries); findings are only the
// copyleft and unknown ones, so the entry counts are checked on the report model.
#[test]
fn every_package_of_every_report_is_read() {
    let cases = [
        ("pip-licenses-5.5.5/semgrep-venv-default.json", 94),
        ("pip-licenses-5.5.5/big-venv-default.json", 121),
        ("pip-licenses-5.5.5/big-venv-urls-authors.json", 121),
        (
            "pip-licenses-5.5.5/checkov-venv-urls-authors-description.json",
            94,
        ),
        ("pip-licenses-5.5.5/empty-venv.json", 0),
        ("pip-licenses-5.5.5/copyleft-with-license-file.json", 8),
        ("license-checker-25.0.1/npmapp-many.json", 104),
        ("license-checker-25.0.1/npm-empty-project.json", 1),
    ];
    for (name, count) in cases {
        let read = match crate::report::read(&Input::from_report(fixture(name))).unwrap() {
            crate::report::Report::PipLicenses(packages) => packages.len(),
            crate::report::Report::LicenseChecker(entries) => entries.len(),
        };
        assert_eq!(read, count, "{name}");
    }
}

#[test]
fn python_copyleft_findings_keep_the_original_rule_ids_and_wording() {
    let found = findings("pip-licenses-5.5.5/semgrep-venv-default.json");
    assert_eq!(
        summary(&found),
        vec![
            ("certifi".into(), "licenses/copyleft", Severity::Low),
            ("face".into(), "licenses/unknown", Severity::Low),
            ("peewee".into(), "licenses/unknown", Severity::Low),
            ("semgrep".into(), "licenses/copyleft", Severity::Low),
            ("tqdm".into(), "licenses/copyleft", Severity::Low),
        ]
    );
    let face = &found[1];
    assert_eq!(face.title, "Unknown license: face");
    assert_eq!(
        face.description,
        "Package 'face' has no recognized license. This may pose legal risks."
    );
    assert_eq!(
        face.remediation.as_deref(),
        Some("Check the source repository for 'face' to determine its license.")
    );
    let semgrep = &found[3];
    assert_eq!(
        semgrep.title,
        "Copyleft license: semgrep (LGPL-2.1-or-later)"
    );
    assert!(
        semgrep
            .description
            .starts_with("Package 'semgrep' uses LGPL-2.1-or-later, a weak copyleft license")
    );
    assert_eq!(meta(semgrep, "copyleft"), Some(&Value::from("weak")));
    assert_eq!(meta(semgrep, "ecosystem"), Some(&Value::from("pypi")));
    assert_eq!(meta(semgrep, "source"), Some(&Value::from("pip-licenses")));
    assert_eq!(meta(semgrep, "version"), Some(&Value::from("1.182.0")));
    assert!(
        found
            .iter()
            .all(|f| f.file.is_none() && f.line_start.is_none())
    );
}

#[test]
fn pip_licenses_long_names_are_copyleft_and_classifier_lists_with_gpl_are_info() {
    let found = findings("pip-licenses-5.5.5/copyleft-with-license-file.json");
    assert_eq!(
        summary(&found),
        vec![
            ("chardet".into(), "licenses/copyleft", Severity::Low),
            ("paramiko".into(), "licenses/copyleft", Severity::Low),
            ("text-unidecode".into(), "licenses/copyleft", Severity::Info),
        ]
    );
    assert!(found[2].description.contains("lists several licenses"));
    assert_eq!(meta(&found[2], "copyleft"), Some(&Value::from("strong")));
}

#[test]
fn strong_and_network_copyleft_is_medium_with_the_original_description() {
    let report = br#"[{"Name":"a","Version":"1","License":"GPL-3.0-or-later"},
        {"Name":"b","Version":"2","License":"GNU Affero General Public License v3"},
        {"Name":"c","Version":"3","License":"SSPL-1.0"}]"#;
    let found = parse(report).unwrap().findings;
    assert!(found.iter().all(|f| f.severity == Severity::Medium));
    assert_eq!(found[0].title, "Copyleft license: a (GPL-3.0-or-later)");
    assert_eq!(
        found[0].description,
        "Package 'a' uses GPL-3.0-or-later, a copyleft license that may require you to \
         open-source your code if distributed."
    );
    assert_eq!(
        found[0].remediation.as_deref(),
        Some(
            "Review the license terms for 'a'. Consider using an alternative package with a \
             permissive license (MIT, Apache-2.0, BSD)."
        )
    );
    assert_eq!(meta(&found[1], "copyleft"), Some(&Value::from("network")));
    assert_eq!(meta(&found[2], "copyleft"), Some(&Value::from("network")));
}

#[test]
fn an_or_with_a_permissive_option_is_not_copyleft_but_and_is() {
    let report = br#"[{"Name":"either","Version":"1","License":"MIT OR GPL-3.0"},
        {"Name":"both","Version":"1","License":"MIT AND GPL-3.0"},
        {"Name":"missing","Version":"1"}]"#;
    assert_eq!(
        summary(&parse(report).unwrap().findings),
        vec![
            ("both".into(), "licenses/copyleft", Severity::Medium),
            ("missing".into(), "licenses/unknown", Severity::Low),
        ]
    );
}

#[test]
fn license_checker_reports_skip_the_root_project_and_keep_guessed_licenses() {
    assert!(findings("license-checker-25.0.1/npm-empty-project.json").is_empty());
    // The only odd entry is the UNLICENSED private root; MIT* is a guessed MIT.
    assert!(findings("license-checker-25.0.1/npmapp-many.json").is_empty());
    let report = br#"{
        "app@1.0.0": {"licenses": "UNLICENSED", "private": true, "path": "/src/app"},
        "@scope/gpl@2.0.0": {"licenses": "GPL-2.0*", "path": "/src/app/node_modules/@scope/gpl"},
        "dual@1.0.0": {"licenses": ["MIT", "GPL-2.0"], "path": "/src/app/node_modules/dual"},
        "closed@1.0.0": {"licenses": "UNLICENSED", "path": "/src/app/node_modules/a/node_modules/closed"}
    }"#;
    let mut input = Input::from_report(report.to_vec());
    input.target = "app/".into();
    let found = Licenses::parse(&input).unwrap().findings;
    assert_eq!(
        summary(&found),
        vec![
            (
                "@scope/gpl".into(),
                "licenses/copyleft-npm",
                Severity::Medium
            ),
            ("closed".into(), "licenses/unknown", Severity::Low),
        ]
    );
    assert_eq!(
        found[0].title,
        "Copyleft license: @scope/gpl@2.0.0 (GPL-2.0)"
    );
    assert_eq!(
        found[0].file.as_deref(),
        Some("app/node_modules/@scope/gpl/package.json")
    );
    assert_eq!(meta(&found[0], "license_guessed"), Some(&Value::Bool(true)));
    assert_eq!(
        meta(&found[0], "source"),
        Some(&Value::from("license-checker"))
    );
    assert_eq!(
        found[1].description,
        "npm package 'closed@1.0.0' is marked UNLICENSED: its authors grant no rights to use \
         it. This may pose legal risks."
    );
    assert_eq!(
        found[1].file.as_deref(),
        Some("app/node_modules/a/node_modules/closed/package.json")
    );
}

#[test]
fn installed_packages_are_read_from_node_modules_package_json_only() {
    let output = files(&[
        (
            "web/package.json",
            r#"{"name":"web","version":"1.0.0","license":"UNLICENSED","private":true}"#,
        ),
        (
            "web/node_modules/gpl/package.json",
            r#"{"name":"gpl","version":"1.0.0","license":"GPL-3.0"}"#,
        ),
        (
            "web/node_modules/gpl/esm/package.json",
            r#"{"type":"module"}"#,
        ),
        (
            "web/node_modules/gpl/test/fixture/package.json",
            r#"{"name":"x","license":"AGPL-3.0"}"#,
        ),
        (
            "web/node_modules/@s/lib/package.json",
            r#"{"name":"@s/lib","version":"2.0.0","license":"(MIT OR GPL-2.0)"}"#,
        ),
        (
            "web/node_modules/none/package.json",
            r#"{"name":"none","version":"0.1.0"}"#,
        ),
        (
            "web/node_modules/.pnpm/mpl@1.0.0/node_modules/mpl/package.json",
            r#"{"name":"mpl","version":"1.0.0","license":"MPL-2.0"}"#,
        ),
    ]);
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    assert_eq!(
        summary(&output.findings),
        vec![
            ("gpl".into(), "licenses/copyleft-npm", Severity::Medium),
            ("mpl".into(), "licenses/copyleft-npm", Severity::Low),
            ("none".into(), "licenses/unknown", Severity::Low),
        ]
    );
    let gpl = &output.findings[0];
    assert_eq!(
        gpl.file.as_deref(),
        Some("web/node_modules/gpl/package.json")
    );
    assert_eq!(gpl.title, "Copyleft license: gpl@1.0.0 (GPL-3.0)");
    assert_eq!(
        gpl.remediation.as_deref(),
        Some("Review license terms or find an alternative with a permissive license.")
    );
    assert_eq!(meta(gpl, "ecosystem"), Some(&Value::from("npm")));
    assert_eq!(meta(gpl, "source"), Some(&Value::from("package.json")));
    assert_eq!(
        output.findings[2].description,
        "npm package 'none@0.1.0' declares no license. This may pose legal risks."
    );
}

#[test]
fn legacy_license_objects_and_arrays_are_understood() {
    let output = files(&[
        (
            "node_modules/obj/package.json",
            r#"{"name":"obj","version":"1.0.0","license":{"type":"GPL-2.0","url":"http://x"}}"#,
        ),
        (
            "node_modules/arr/package.json",
            r#"{"name":"arr","version":"1.0.0","licenses":[{"type":"MIT"},{"type":"GPL-2.0"}]}"#,
        ),
        (
            "node_modules/gpls/package.json",
            r#"{"name":"gpls","version":"1.0.0","licenses":[{"type":"GPL-2.0"},{"type":"LGPL-2.1"}]}"#,
        ),
        (
            "node_modules/str/package.json",
            r#"{"name":"str","version":"1.0.0","licenses":"ISC"}"#,
        ),
    ]);
    assert_eq!(
        summary(&output.findings),
        vec![
            ("gpls".into(), "licenses/copyleft-npm", Severity::Low),
            ("obj".into(), "licenses/copyleft-npm", Severity::Medium),
        ]
    );
    assert_eq!(
        meta(&output.findings[0], "license"),
        Some(&Value::from("GPL-2.0 OR LGPL-2.1"))
    );
}

const LOCKFILE_V3: &str = r#"{
  "name": "web", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": {"name": "web", "version": "1.0.0", "license": "UNLICENSED"},
    "packages/ui": {"name": "ui", "version": "0.1.0", "license": "GPL-3.0"},
    "node_modules/ui": {"resolved": "packages/ui", "link": true},
    "node_modules/gpl": {"version": "1.0.0", "resolved": "https://r/gpl.tgz", "license": "GPL-3.0"},
    "node_modules/a/node_modules/@s/weak": {"version": "2.0.0", "license": "LGPL-3.0-only", "dev": true},
    "node_modules/alias": {"name": "real-agpl", "version": "3.0.0", "license": "AGPL-3.0"},
    "node_modules/mit": {"version": "1.0.0", "license": "MIT"},
    "node_modules/bare": {"version": "1.0.0"}
  }
}"#;

#[test]
fn lockfile_entries_carry_licenses_without_any_download() {
    let output = files(&[("web/package-lock.json", LOCKFILE_V3)]);
    assert!(output.warnings.is_empty(), "{:?}", output.warnings);
    assert_eq!(
        summary(&output.findings),
        vec![
            ("@s/weak".into(), "licenses/copyleft-npm", Severity::Low),
            ("bare".into(), "licenses/unknown", Severity::Low),
            ("gpl".into(), "licenses/copyleft-npm", Severity::Medium),
            (
                "real-agpl".into(),
                "licenses/copyleft-npm",
                Severity::Medium
            ),
        ]
    );
    assert!(
        output
            .findings
            .iter()
            .all(|f| f.file.as_deref() == Some("web/package-lock.json"))
    );
    assert_eq!(
        meta(&output.findings[0], "source"),
        Some(&Value::from("lockfile"))
    );
}

#[test]
fn an_installed_package_json_wins_over_the_lockfile_entry_of_the_same_version() {
    let output = files(&[
        ("web/package-lock.json", LOCKFILE_V3),
        (
            "web/node_modules/gpl/package.json",
            r#"{"name":"gpl","version":"1.0.0","license":"GPL-3.0"}"#,
        ),
        (
            "web/node_modules/z/node_modules/gpl/package.json",
            r#"{"name":"gpl","version":"1.0.0","license":"GPL-3.0"}"#,
        ),
        (
            "web/node_modules/bare/package.json",
            r#"{"name":"bare","version":"2.0.0","license":"MIT"}"#,
        ),
    ]);
    let gpl: Vec<&Finding> = output
        .findings
        .iter()
        .filter(|f| meta(f, "package") == Some(&Value::from("gpl")))
        .collect();
    assert_eq!(gpl.len(), 1);
    assert_eq!(
        gpl[0].file.as_deref(),
        Some("web/node_modules/gpl/package.json")
    );
    // A different installed version is a different package: the locked bare@1.0.0 stays.
    assert!(
        output
            .findings
            .iter()
            .any(|f| f.title == "Unknown license: bare@1.0.0")
    );
}

#[test]
fn lockfile_v1_warns_that_it_records_no_licenses() {
    let v1 = r#"{"name":"old","lockfileVersion":1,"dependencies":{"gpl":{"version":"1.0.0"}}}"#;
    let output = files(&[("old/npm-shrinkwrap.json", v1)]);
    assert!(output.findings.is_empty());
    assert_eq!(
        output.warnings,
        vec![
            "old/npm-shrinkwrap.json: lockfileVersion 1 records no licenses; only installed \
             node_modules/*/package.json files are checked for this project"
                .to_string()
        ]
    );
}

#[test]
fn broken_manifests_are_warnings_and_the_rest_is_still_checked() {
    let output = Licenses::parse(&Input::from_files([
        (
            "node_modules/cut/package.json".to_string(),
            br#"{"name":"cut","lic"#.to_vec(),
        ),
        (
            "node_modules/bin/package.json".to_string(),
            b"{\"name\":\"\xff\"}".to_vec(),
        ),
        (
            "node_modules/num/package.json".to_string(),
            br#"{"name":1}"#.to_vec(),
        ),
        (
            "package-lock.json".to_string(),
            br#"{"lockfileVersion":3,"packages":{"node_modules/odd":[1]}}"#.to_vec(),
        ),
        (
            "node_modules/gpl/package.json".to_string(),
            br#"{"name":"gpl","version":"1","license":"GPL-2.0"}"#.to_vec(),
        ),
    ]))
    .unwrap();
    assert_eq!(output.findings.len(), 1);
    assert_eq!(output.warnings.len(), 4, "{:?}", output.warnings);
    assert!(output.warnings[0].starts_with("node_modules/cut/package.json: truncated JSON"));
    assert!(output.warnings.iter().all(|w| w.ends_with("skipped")));
}

#[test]
fn a_call_with_neither_report_nor_files_has_no_findings() {
    assert_eq!(
        Licenses::parse(&Input::default()).unwrap(),
        Output::default()
    );
}

#[test]
fn empty_truncated_and_non_utf8_reports_are_typed_errors() {
    assert!(matches!(parse(b" \n"), Err(ParseError::Empty(_))));
    let bytes = fixture("pip-licenses-5.5.5/semgrep-venv-default.json");
    assert!(
        parse(&bytes[..bytes.len() / 2])
            .unwrap_err()
            .message()
            .starts_with("truncated JSON")
    );
    // A byte that is not UTF-8 costs only itself: the package is still reported.
    assert_eq!(
        summary(&parse(b"[{\"Name\": \"b\xffd\"}]").unwrap().findings),
        vec![("b\u{fffd}d".into(), "licenses/unknown", Severity::Low)]
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(&bytes);
    assert_eq!(parse(&bom).unwrap(), parse(&bytes).unwrap());
    assert!(matches!(
        parse(br#"[{"Name": 1, "License": "MIT"}]"#),
        Err(ParseError::Malformed(m)) if m.starts_with("pip-licenses entry 0")
    ));
    assert!(matches!(parse(b"42"), Err(ParseError::WrongTool(_))));
}

#[test]
fn other_formats_are_named_in_the_error() {
    let finder = br#"[{"name": "a", "version": "1", "licenses": ["MIT"]}]"#;
    assert!(
        matches!(parse(finder), Err(ParseError::WrongTool(m)) if m.contains("--format=json-license-finder"))
    );
    let error = br#"{"error": {"code": "E404", "summary": "not found"}}"#;
    assert!(matches!(parse(error), Err(ParseError::ToolFailed(_))));
    let audit = br#"{"auditReportVersion": 2, "vulnerabilities": {}, "metadata": {}}"#;
    assert!(
        matches!(parse(audit), Err(ParseError::WrongTool(m)) if m.contains("auditReportVersion"))
    );
}

/// Every other adapter's real report must be refused, not read as zero findings; only the bare
/// `[]` / `{}` / `null` files are left out, since `[]` is also pip-licenses' empty virtualenv.
#[test]
fn other_tools_reports_are_refused() {
    let plugins = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut checked = 0;
    for tool in [
        "semgrep",
        "bandit",
        "checkov",
        "safety",
        "npm-audit",
        "git-hygiene",
        "trivy",
        "nmap",
        "zap",
    ] {
        let Ok(dirs) = std::fs::read_dir(plugins.join(tool).join("fixtures")) else {
            continue;
        };
        for path in dirs
            .flatten()
            .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().flatten())
        {
            let bytes = std::fs::read(path.path()).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            if matches!(text.trim(), "[]" | "{}" | "null") {
                continue;
            }
            let result = parse(&bytes);
            assert!(
                result.is_err(),
                "{} parsed as {:?}",
                path.path().display(),
                result
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} reports of other tools found");
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Licenses>(env!("CARGO_MANIFEST_DIR"), 200);
}

#[test]
fn corrupted_manifests_never_panic() {
    let manifest = br#"{"name":"gpl","version":"1.0.0","license":{"type":"GPL-2.0"},"licenses":[{"type":"MIT"}]}"#;
    for (path, bytes) in [
        ("a/node_modules/@s/gpl/package.json", manifest.as_slice()),
        ("a/package-lock.json", LOCKFILE_V3.as_bytes()),
    ] {
        for corrupted in mutations(bytes, 200) {
            let _ = Licenses::parse(&Input::from_files([(path.to_string(), corrupted)]));
        }
    }
}

const SITE: &str = "app/.venv/lib/python3.11/site-packages";

/// Real METADATA files (descriptions cut) of the distributions with findings in
/// `pip-licenses-5.5.5/semgrep-venv-default.json`, from SecureScan's tools virtualenvs.
const REAL_METADATA: &[(&str, &str)] = &[
    (
        "certifi-2026.10.19.post1.dist-info/METADATA",
        include_str!("../testdata/site-packages/certifi-2026.10.19.post1.dist-info/METADATA"),
    ),
    (
        "face-26.0.1.dist-info/METADATA",
        include_str!("../testdata/site-packages/face-26.0.1.dist-info/METADATA"),
    ),
    (
        "peewee-3.19.0.dist-info/METADATA",
        include_str!("../testdata/site-packages/peewee-3.19.0.dist-info/METADATA"),
    ),
    (
        "semgrep-1.182.0.dist-info/METADATA",
        include_str!("../testdata/site-packages/semgrep-1.182.0.dist-info/METADATA"),
    ),
    (
        "tqdm-4.70.1.dist-info/METADATA",
        include_str!("../testdata/site-packages/tqdm-4.70.1.dist-info/METADATA"),
    ),
];

fn metadata_files(files: &[(&str, &str)]) -> Output {
    let in_site: Vec<(String, &str)> = files
        .iter()
        .map(|(path, text)| (format!("{SITE}/{path}"), *text))
        .collect();
    let borrowed: Vec<(&str, &str)> = in_site.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    self::files(&borrowed)
}

#[test]
fn virtualenv_metadata_files_give_the_findings_pip_licenses_gave() {
    let from_files = metadata_files(REAL_METADATA).findings;
    let from_report = findings("pip-licenses-5.5.5/semgrep-venv-default.json");
    let shown = |found: &[Finding]| -> Vec<(String, String, Option<String>, Severity)> {
        found
            .iter()
            .map(|f| {
                (
                    f.title.clone(),
                    f.description.clone(),
                    f.rule_id.clone(),
                    f.severity,
                )
            })
            .collect()
    };
    assert_eq!(shown(&from_files), shown(&from_report));
    assert_eq!(
        meta(&from_files[3], "source"),
        Some(&Value::from("METADATA"))
    );
    assert!(from_files.iter().all(|f| f.file.is_none()));
}

fn license_of(metadata: &str) -> String {
    let found = metadata_files(&[("x-1.dist-info/METADATA", metadata)]).findings;
    match found.as_slice() {
        [one] => meta(one, "license")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => panic!("one finding expected: {found:#?}"),
    }
}

#[test]
fn the_license_is_chosen_as_pip_licenses_chooses_it() {
    // License-Expression first, then the classifiers, then the License field.
    assert_eq!(
        license_of(
            "Name: x\nLicense: MIT\nLicense-Expression: GPL-3.0-only\n\
             Classifier: License :: OSI Approved :: MIT License\n"
        ),
        "GPL-3.0-only"
    );
    // Classifiers: the last segment, `OSI Approved` left out, sorted, each once.
    assert_eq!(
        license_of(
            "Name: x\nLicense: MIT\nClassifier: License :: OSI Approved\n\
             Classifier: License :: OSI Approved :: GNU General Public License v3 (GPLv3)\n\
             Classifier: License :: OSI Approved :: Apache Software License\n\
             Classifier: License :: OSI Approved :: Apache Software License\n\
             Classifier: Programming Language :: Python\n"
        ),
        "Apache Software License; GNU General Public License v3 (GPLv3)"
    );
    // Field names are case-insensitive; a folded License field is dedented line by line.
    assert_eq!(
        license_of("name: x\nlicense: GNU GPL v3\n        or any later version\n"),
        "GNU GPL v3\nor any later version"
    );
    // Nothing after the first blank line is a field: the description cannot declare a license.
    assert_eq!(
        license_of("Name: x\nVersion: 1\n\nLicense-Expression: MIT\n"),
        "UNKNOWN"
    );
}

#[test]
fn egg_info_is_read_like_dist_info_and_metadata_elsewhere_is_not() {
    let gpl = "Metadata-Version: 1.1\nName: old\nVersion: 0.1\nLicense: GPLv2\n";
    let output = metadata_files(&[
        ("old-0.1-py3.11.egg-info", gpl),
        (
            "dir-0.2-py3.11.egg-info/PKG-INFO",
            &gpl.replace("old", "dir"),
        ),
        ("pkg/METADATA", &gpl.replace("old", "stray")),
        ("pkg/PKG-INFO", &gpl.replace("old", "stray2")),
    ]);
    let names: Vec<&str> = output
        .findings
        .iter()
        .map(|f| meta(f, "package").and_then(Value::as_str).unwrap_or(""))
        .collect();
    assert_eq!(names, vec!["dir", "old"]);
    assert_eq!(
        meta(&output.findings[0], "source"),
        Some(&Value::from("PKG-INFO"))
    );
}

#[test]
fn a_release_installed_in_two_virtualenvs_is_one_finding_and_a_nameless_one_a_warning() {
    let gpl = "Name: twice\nVersion: 1.0\nLicense: GPL-2.0-only\n";
    let output = files(&[
        (
            ".venv/lib/python3.11/site-packages/twice-1.0.dist-info/METADATA",
            gpl,
        ),
        (
            "venv/lib/python3.12/site-packages/twice-1.0.dist-info/METADATA",
            gpl,
        ),
        (
            "venv/lib/python3.12/site-packages/anon-1.0.dist-info/METADATA",
            "Version: 1.0\nLicense: GPL-2.0-only\n",
        ),
    ]);
    assert_eq!(output.findings.len(), 1);
    assert_eq!(
        output.warnings,
        vec![
            "venv/lib/python3.12/site-packages/anon-1.0.dist-info/METADATA: no `Name` field; skipped"
        ]
    );
}
