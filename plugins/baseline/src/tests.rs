//! Audits of written input trees: `fixtures/<case>/` holds `fs/` (the files under the audited
//! root), `metadata.tsv` (modes that git cannot keep, and paths probed without contents),
//! `commands/<name>.<exit code or none>`, `environment.txt` and `settings.txt`. The loader hands
//! them over the way the host does for the registry entry's probes (the lists below).

use std::path::Path;

use securescan_adapter_sdk::testing::mutations;
use securescan_adapter_sdk::{
    Adapter, CommandOutput, FileKind, FileMetadata, Finding, GatheredFile, Input, Output,
    ParseError, Severity,
};

use crate::Baseline;

/// `[adapter.probes]` of the proposed registry entry.
const FILES: [&str; 9] = [
    "etc/ssh/sshd_config",
    "etc/passwd",
    "etc/shadow",
    "etc/login.defs",
    "etc/sudoers",
    "etc/crontab",
    "proc/sys/net/ipv4/ip_forward",
    "proc/sys/net/ipv4/conf/all/accept_redirects",
    "proc/sys/kernel/randomize_va_space",
];
const DIRS: [&str; 5] = [
    "etc/ssh/sshd_config.d",
    "etc/sudoers.d",
    "etc/cron.d",
    "var/spool/cron/crontabs",
    "var/spool/cron",
];
const METADATA: [&str; 2] = ["~/.ssh", "~/.ssh/authorized_keys"];

/// One audit's probes, built up like the host gathers them.
struct Probe {
    mode: &'static str,
    target: String,
    home: String,
    /// Paths relative to the root (`~/…` for the home), with contents.
    files: Vec<(String, Vec<u8>)>,
    /// Relative path, kind, mode: overrides the regular-0644 default of a file.
    metadata: Vec<(String, FileKind, u32)>,
    commands: Vec<CommandOutput>,
    environment: Vec<(String, String)>,
}

impl Probe {
    fn host() -> Self {
        Probe {
            mode: "host",
            target: "/".into(),
            home: "/root".into(),
            files: Vec::new(),
            metadata: Vec::new(),
            commands: Vec::new(),
            environment: Vec::new(),
        }
    }

    fn target(target: &str) -> Self {
        Probe {
            mode: "target",
            target: target.into(),
            ..Probe::host()
        }
    }

    fn file(mut self, relative: &str, text: &str) -> Self {
        self.files.push((relative.into(), text.as_bytes().to_vec()));
        self
    }

    fn meta(mut self, relative: &str, kind: FileKind, mode: u32) -> Self {
        self.metadata.push((relative.into(), kind, mode));
        self
    }

    fn command(mut self, name: &str, exit_code: Option<i32>, stdout: &str) -> Self {
        self.commands.push(CommandOutput {
            name: name.into(),
            exit_code,
            stdout: stdout.as_bytes().to_vec(),
        });
        self
    }

    fn env(mut self, name: &str, value: &str) -> Self {
        self.environment.push((name.into(), value.into()));
        self
    }

    fn absolute(&self, relative: &str) -> String {
        match relative.strip_prefix("~/") {
            Some(in_home) => format!("{}/{in_home}", self.home),
            None if self.mode == "host" => format!("/{relative}"),
            None => format!("{}/{relative}", self.target.trim_end_matches('/')),
        }
    }

    fn gathered(relative: &str) -> bool {
        FILES.contains(&relative)
            || relative
                .rsplit_once('/')
                .is_some_and(|(dir, _)| DIRS.contains(&dir))
    }

    fn input(&self) -> Input {
        let host = self.mode == "host";
        let mut input = Input {
            target: self.target.clone(),
            ..Input::default()
        };
        input.settings.insert("mode".into(), self.mode.into());
        if host {
            input.settings.insert("home".into(), self.home.clone());
        }
        let mut probed: Vec<String> = FILES.iter().chain(&DIRS).map(|p| p.to_string()).collect();
        if host {
            probed.extend(METADATA.iter().map(|p| p.to_string()));
        }
        for (relative, bytes) in &self.files {
            if Self::gathered(relative) {
                input.files.push(GatheredFile {
                    path: self.absolute(relative),
                    bytes: bytes.clone(),
                });
                probed.push(relative.clone());
            }
        }
        probed.extend(self.metadata.iter().map(|(p, _, _)| p.clone()));
        probed.sort();
        probed.dedup();
        for relative in probed {
            let contents = self.files.iter().find(|(p, _)| *p == relative);
            let dir_present = self
                .files
                .iter()
                .any(|(p, _)| p.starts_with(&format!("{relative}/")));
            let (kind, mode) = match self.metadata.iter().find(|(p, _, _)| *p == relative) {
                Some((_, kind, mode)) => (*kind, *mode),
                None if contents.is_some() => (FileKind::Regular, 0o644),
                None if dir_present => (FileKind::Directory, 0o755),
                None => (FileKind::Missing, 0),
            };
            input.metadata.push(FileMetadata {
                path: self.absolute(&relative),
                kind,
                mode,
                uid: 0,
                gid: 0,
                size: contents.map_or(0, |(_, b)| b.len() as u64),
            });
        }
        if host {
            input.commands = self.commands.clone();
            input.environment = self.environment.iter().cloned().collect();
        }
        input
    }

    /// A fixture directory read into a probe.
    fn load(case: &str) -> Self {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(case);
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        let settings = read("settings.txt");
        let setting = |key: &str| {
            settings
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key}=")))
                .map(str::to_string)
        };
        let mut probe = match setting("mode").as_deref() {
            Some("host") => Probe::host(),
            Some("target") => Probe::target(&setting("target").expect("target")),
            other => panic!("{case}: mode {other:?}"),
        };
        if let Some(home) = setting("home") {
            probe.home = home;
        }
        let fs = dir.join("fs");
        for path in walk(&fs) {
            let relative = path
                .strip_prefix(&fs)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            probe.files.push((relative, std::fs::read(&path).unwrap()));
        }
        for line in read("metadata.tsv").lines().filter(|l| !l.starts_with('#')) {
            let [path, kind, mode, ..] = line.split('\t').collect::<Vec<_>>()[..] else {
                continue;
            };
            let kind = match kind {
                "regular" => FileKind::Regular,
                "directory" => FileKind::Directory,
                "symlink" => FileKind::Symlink,
                "missing" => FileKind::Missing,
                other => panic!("{case}: kind {other}"),
            };
            probe = probe.meta(path, kind, u32::from_str_radix(mode, 8).unwrap());
        }
        for path in walk(&dir.join("commands")) {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let (name, exit) = file.rsplit_once('.').unwrap();
            let exit = (exit != "none").then(|| exit.parse().unwrap());
            let stdout = std::fs::read_to_string(&path).unwrap();
            probe = probe.command(name, exit, &stdout);
        }
        for line in read("environment.txt").lines() {
            let (name, value) = line.split_once('=').unwrap();
            probe = probe.env(name, value);
        }
        probe
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

fn audit(probe: &Probe) -> Output {
    Baseline::parse(&probe.input()).unwrap()
}

fn rules(output: &Output) -> Vec<&str> {
    output
        .findings
        .iter()
        .map(|f| f.rule_id.as_deref().unwrap_or(""))
        .collect()
}

fn only<'o>(output: &'o Output, rule: &str) -> Vec<&'o Finding> {
    output
        .findings
        .iter()
        .filter(|f| f.rule_id.as_deref() == Some(rule))
        .collect()
}

fn snapshot(name: &str, output: &Output) {
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_json_snapshot!(name, output);
    });
}

#[test]
fn a_full_host_audit_matches_its_snapshot() {
    let output = audit(&Probe::load("host-ubuntu-22.04"));
    snapshot("host-ubuntu-22.04", &output);
}

#[test]
fn a_full_target_audit_matches_its_snapshot() {
    let output = audit(&Probe::load("target-centos-6"));
    snapshot("target-centos-6", &output);
}

#[test]
fn host_checks_run_in_the_original_order() {
    let output = audit(&Probe::load("host-ubuntu-22.04"));
    let mut order: Vec<&str> = rules(&output)
        .into_iter()
        .map(|r| {
            r.trim_start_matches("BASELINE-")
                .split('-')
                .next()
                .unwrap_or("")
        })
        .collect();
    order.dedup();
    assert_eq!(
        order,
        vec![
            "SSH", "PERM", "FW", "PWD", "KERN", "ENV", "SUDO", "CRON", "USER", "PORT", "PKG",
            "WWRITE"
        ]
    );
}

#[test]
fn every_finding_carries_its_baseline_scope() {
    for (case, scope) in [("host-ubuntu-22.04", "host"), ("target-centos-6", "target")] {
        let output = audit(&Probe::load(case));
        assert!(!output.findings.is_empty());
        for finding in &output.findings {
            assert_eq!(
                finding.metadata.clone().into_map().get("baseline_scope"),
                Some(&serde_json::Value::from(scope)),
                "{case}: {finding:?}"
            );
        }
    }
    let empty = audit(&Probe::target("/srv/app"));
    assert_eq!(
        empty.findings[0].metadata.clone().into_map()["baseline_scope"],
        "target"
    );
}

#[test]
fn a_missing_mode_setting_is_malformed_and_named() {
    let mut input = Probe::host().input();
    input.settings.remove("mode");
    match Baseline::parse(&input) {
        Err(ParseError::Malformed(message)) => assert!(message.contains("`mode`"), "{message}"),
        other => panic!("{other:?}"),
    }
    input.settings.insert("mode".into(), "chroot".into());
    match Baseline::parse(&input) {
        Err(ParseError::Malformed(message)) => {
            assert!(
                message.contains("`mode`") && message.contains("chroot"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_target_without_host_config_files_gives_exactly_the_scope_finding() {
    // login.defs alone does not make a directory a filesystem image.
    let output = audit(
        &Probe::target("/home/dev/it's-a-repo").file("etc/login.defs", "PASS_MAX_DAYS 99999\n"),
    );
    assert_eq!(rules(&output), vec!["BASELINE-SCOPE-001"]);
    let finding = &output.findings[0];
    assert_eq!(finding.severity, Severity::Info);
    assert_eq!(
        finding.title,
        "Baseline scope: no host-config files under target"
    );
    assert_eq!(finding.file.as_deref(), Some("/home/dev/it's-a-repo"));
    assert_eq!(
        finding.description,
        "Baseline scope: target directory has no host-config files; pass `/` or use --baseline-host-probes for host scope. Looked under \"/home/dev/it's-a-repo\" for etc/ssh/sshd_config, etc/passwd, etc/shadow."
    );
    assert!(output.warnings.is_empty());
}

#[test]
fn a_symlinked_or_directory_etc_file_does_not_count_as_present_in_a_target() {
    let output = audit(
        &Probe::target("proj")
            .meta("etc/passwd", FileKind::Symlink, 0o777)
            .meta("etc/shadow", FileKind::Directory, 0o755),
    );
    assert_eq!(rules(&output), vec!["BASELINE-SCOPE-001"]);
}

#[test]
fn an_unreadable_shadow_still_gets_its_permission_check() {
    let output = audit(&Probe::target("/mnt/img").meta("etc/shadow", FileKind::Regular, 0o644));
    assert_eq!(rules(&output), vec!["BASELINE-PERM-001"]);
    let finding = &output.findings[0];
    assert_eq!(finding.severity, Severity::Critical);
    assert_eq!(finding.title, "Insecure permissions on /mnt/img/etc/shadow");
    assert_eq!(
        finding.description,
        "Permissions are 644 but should be 640 or more restrictive."
    );
    assert_eq!(
        finding.remediation.as_deref(),
        Some("Run: sudo chmod 640 /mnt/img/etc/shadow")
    );
}

#[test]
fn target_mode_ignores_host_only_probes_even_if_sent() {
    let mut input = Probe::target("/mnt/img")
        .file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        .input();
    input.commands.push(CommandOutput {
        name: "apt-upgradable".into(),
        exit_code: Some(0),
        stdout: b"Listing... Done\nopenssl/jammy-security 3 amd64 [upgradable from: 2]\n".to_vec(),
    });
    input
        .environment
        .insert("GITHUB_TOKEN".into(), "ghp_abcdefghijklmnop".into());
    input.files.push(GatheredFile {
        path: "/mnt/img/proc/sys/net/ipv4/ip_forward".into(),
        bytes: b"1\n".to_vec(),
    });
    assert!(Baseline::parse(&input).unwrap().findings.is_empty());
}

#[test]
fn missing_probes_are_silent() {
    let output = audit(&Probe::host());
    assert!(output.findings.is_empty(), "{:?}", rules(&output));
    // Only the firewall says it could not judge: "no firewall" and "cannot tell" differ.
    assert_eq!(output.warnings.len(), 1, "{:?}", output.warnings);
    assert!(output.warnings[0].contains("firewall"));
}

#[test]
fn environment_secret_values_never_appear_in_the_output() {
    let secrets = [
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        ("DB_PASSWORD", "hunter22"),
        ("API_KEY", "abcde"),
        ("x_private_key_b64", "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"),
        ("SHORT_TOKEN", "abcd"),
    ];
    let mut probe = Probe::host();
    for (name, value) in secrets {
        probe = probe.env(name, value);
    }
    let output = audit(&probe);
    assert_eq!(only(&output, "BASELINE-ENV-001").len(), secrets.len());
    let json = serde_json::to_string(&output).unwrap();
    for (_, value) in secrets {
        assert!(!json.contains(value), "{value} leaked: {json}");
    }
    let described = |name: &str| {
        let title = format!("Potential secret in environment: {name}");
        output
            .findings
            .iter()
            .find(|f| f.title == title)
            .unwrap()
            .description
            .clone()
    };
    assert!(described("AWS_SECRET_ACCESS_KEY").contains(&format!("(wJ{}EY)", "*".repeat(20))));
    assert!(described("SHORT_TOKEN").contains("(****)"));
    assert!(described("API_KEY").contains("(ab*de)"));
}

#[test]
fn short_and_innocent_environment_variables_are_ignored() {
    let output = audit(
        &Probe::host()
            .env("SENTRY_TOKEN", "abc")
            .env("PATH", "/usr/bin:/bin"),
    );
    assert!(only(&output, "BASELINE-ENV-001").is_empty());
}

fn sshd(text: &str) -> Output {
    audit(&Probe::host().file("etc/ssh/sshd_config", text))
}

#[test]
fn sshd_settings_inside_match_blocks_are_not_the_global_value() {
    let output = sshd(
        "PermitRootLogin no\nMatch User backup\n  PasswordAuthentication yes\nMatch Address 10.0.0.0/8\n  PermitRootLogin yes\n  Protocol 1\n",
    );
    let root = only(&output, "BASELINE-SSH-001");
    assert_eq!(root.len(), 1);
    assert_eq!(root[0].line_start, Some(5));
    assert!(root[0].description.contains("`Match Address 10.0.0.0/8`"));
    let password = only(&output, "BASELINE-SSH-002");
    assert_eq!(password.len(), 1);
    assert!(password[0].description.contains("`Match User backup`"));
    assert!(only(&output, "BASELINE-SSH-003").is_empty());
    // Without a global value the Match one is still not global.
    let output = sshd("Match all\nPermitRootLogin yes\n");
    assert!(
        only(&output, "BASELINE-SSH-001")[0]
            .description
            .contains("`Match all`")
    );
}

#[test]
fn sshd_first_global_value_wins_and_comments_do_not_count() {
    let output =
        sshd("#PermitRootLogin yes\npermitrootlogin no\nPermitRootLogin yes\nProtocol 2\n");
    assert!(output.findings.is_empty(), "{:?}", rules(&output));
    let output = sshd("PasswordAuthentication  \"yes\"\nProtocol 2,1\n");
    assert_eq!(rules(&output), vec!["BASELINE-SSH-002", "BASELINE-SSH-003"]);
    assert!(output.findings[1].description.contains("'2,1'"));
    // Absent means no finding, as in the original (drop-ins usually set it).
    assert!(sshd("UsePAM yes\n").findings.is_empty());
}

#[test]
fn sshd_config_with_windows_line_endings_tabs_and_equals_signs_is_read() {
    let output = sshd(
        "\u{feff}# edited on Windows\r\n\tPermitRootLogin\tyes\r\nPasswordAuthentication=yes\r\nProtocol = 1\r\n",
    );
    assert_eq!(
        rules(&output),
        vec!["BASELINE-SSH-001", "BASELINE-SSH-002", "BASELINE-SSH-003"]
    );
    assert_eq!(output.findings[0].line_start, Some(2));
    assert_eq!(output.findings[2].description.split('\'').nth(1), Some("1"));
}

#[test]
fn sshd_includes_are_followed_into_the_drop_in_dir_in_order() {
    let output = audit(
        &Probe::host()
            .file(
                "etc/ssh/sshd_config",
                "Include sshd_config.d/*.conf\nPermitRootLogin no\nPasswordAuthentication no\n",
            )
            .file(
                "etc/ssh/sshd_config.d/10-root.conf",
                "PermitRootLogin yes\n",
            )
            .file(
                "etc/ssh/sshd_config.d/20-pw.conf",
                "PasswordAuthentication yes\n",
            )
            .file("etc/ssh/sshd_config.d/notes.txt", "PermitRootLogin no\n"),
    );
    assert_eq!(rules(&output), vec!["BASELINE-SSH-001", "BASELINE-SSH-002"]);
    assert_eq!(
        output.findings[0].file.as_deref(),
        Some("/etc/ssh/sshd_config.d/10-root.conf")
    );
    assert!(output.warnings.iter().all(|w| !w.contains("Include")));
}

#[test]
fn an_include_that_cannot_be_followed_is_a_warning() {
    let output = sshd("Include /etc/ssh/local/*.conf /etc/ssh/extra.conf\nPermitRootLogin yes\n");
    assert_eq!(rules(&output), vec!["BASELINE-SSH-001"]);
    let includes: Vec<&String> = output
        .warnings
        .iter()
        .filter(|w| w.contains("Include"))
        .collect();
    assert_eq!(includes.len(), 2, "{includes:?}");
    assert!(includes[0].starts_with(
        "/etc/ssh/sshd_config line 1: `Include /etc/ssh/local/*.conf` was not followed"
    ));
}

#[test]
fn an_include_loop_stops_with_a_warning() {
    let output = audit(
        &Probe::host()
            .file(
                "etc/ssh/sshd_config",
                "Include /etc/ssh/sshd_config.d/loop.conf\n",
            )
            .file(
                "etc/ssh/sshd_config.d/loop.conf",
                "Include /etc/ssh/sshd_config.d/loop.conf\nPermitRootLogin yes\n",
            ),
    );
    assert!(
        output
            .warnings
            .iter()
            .any(|w| w.contains("includes /etc/ssh/sshd_config.d/loop.conf again")),
        "{:?}",
        output.warnings
    );
    assert_eq!(only(&output, "BASELINE-SSH-001").len(), 1);
}

// Regression (fuzzing): drop-ins that include their own directory several times were re-read at
// every level, k patterns giving k^16 reads: three patterns took 47 s and 43 million warnings.
#[test]
fn includes_that_fan_out_over_their_own_directory_are_read_a_bounded_number_of_times() {
    let fan_out = "Include sshd_config.d/* sshd_config.d/* sshd_config.d/*\n";
    let mut probe = Probe::host().file("etc/ssh/sshd_config", fan_out);
    for name in ["a", "b", "c", "d", "e", "f"] {
        probe = probe.file(
            &format!("etc/ssh/sshd_config.d/{name}.conf"),
            &format!("{fan_out}PermitRootLogin yes\n"),
        );
    }
    let output = audit(&probe);
    assert!(
        output.warnings.len() < 100,
        "{} warnings",
        output.warnings.len()
    );
    assert!(
        output
            .warnings
            .iter()
            .any(|w| w.contains("more than 256 included files"))
    );
    assert_eq!(only(&output, "BASELINE-SSH-001").len(), 1);
}

#[test]
fn a_second_uid_zero_account_is_critical_and_odd_lines_are_skipped() {
    let output = audit(&Probe::host().file(
        "etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\r\n+::::::\n\nbroken line\nops:x:00:0::/root:/bin/sh\nweb:x:abc:0::/:/bin/sh\n",
    ));
    let found = only(&output, "BASELINE-USER-001");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].title, "Non-root user 'ops' has UID 0");
    assert_eq!(found[0].severity, Severity::Critical);
    assert_eq!(found[0].line_start, Some(5));
}

#[test]
fn shadow_flags_never_set_and_empty_passwords_but_not_locked_accounts() {
    let output = audit(&Probe::host().file(
        "etc/shadow",
        "root:*:19411:0:99999:7:::\nnobody:!!:19411::::::\napache:!!:19411::::::\nguest::19411:0:99999:7:::\nlocked:!$6$abc$def:19411:0:99999:7:::\nbob:!:19411:0:99999:7:::\n",
    ));
    let found = only(&output, "BASELINE-USER-002");
    let seen: Vec<(&str, Severity, Option<u32>)> = found
        .iter()
        .map(|f| (f.title.as_str(), f.severity, f.line_start))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "User 'apache' has no password set",
                Severity::Medium,
                Some(3)
            ),
            ("User 'guest' has no password set", Severity::High, Some(4)),
        ]
    );
}

#[test]
fn login_defs_policy_reads_the_last_numeric_value_and_treats_minus_one_as_never() {
    let output = audit(&Probe::host().file(
        "etc/login.defs",
        "PASS_MAX_DAYS\t30\nPASS_MAX_DAYS\t-1\n#PASS_MIN_DAYS 0\nPASS_MIN_DAYS 1\nPASS_MIN_LEN  eight\n",
    ));
    assert_eq!(rules(&output), vec!["BASELINE-PWD-001"]);
    assert_eq!(output.findings[0].line_start, Some(2));
    assert!(
        output.findings[0]
            .description
            .starts_with("PASS_MAX_DAYS is -1 in /etc/login.defs")
    );
}

#[test]
fn kernel_values_are_compared_trimmed() {
    let output = audit(
        &Probe::host()
            .file("proc/sys/net/ipv4/ip_forward", "0\n")
            .file("proc/sys/net/ipv4/conf/all/accept_redirects", "0")
            .file("proc/sys/kernel/randomize_va_space", "1\n"),
    );
    assert_eq!(rules(&output), vec!["BASELINE-KERN-003"]);
    assert!(
        output.findings[0]
            .description
            .ends_with("Current value: 1, expected: 2.")
    );
}

#[test]
fn sudo_drop_ins_count_unless_sudo_would_skip_them() {
    let rule = "ops ALL=(ALL) NOPASSWD: ALL\n";
    let output = audit(
        &Probe::host()
            .file(
                "etc/sudoers",
                "# ops ALL=(ALL) NOPASSWD: ALL\nroot ALL=(ALL:ALL) ALL\n",
            )
            .file("etc/sudoers.d/ops", rule)
            .file("etc/sudoers.d/ops~", rule)
            .file("etc/sudoers.d/ops.rpmnew", rule),
    );
    let found = only(&output, "BASELINE-SUDO-001");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].file.as_deref(), Some("/etc/sudoers.d/ops"));
    assert_eq!(found[0].line_start, Some(1));
}

#[test]
fn root_cron_jobs_are_matched_against_the_world_writable_listings() {
    let probe = Probe::host()
        .file(
            "etc/crontab",
            "SHELL=/bin/sh\n0 * * * * root /opt/jobs/run.sh\n5 * * * * root /usr/local/bin/ok.sh\n",
        )
        .file(
            "etc/cron.d/php",
            "09,39 * * * * root [ -x /usr/lib/php/sessionclean ] && /usr/lib/php/sessionclean\n",
        )
        .file(
            "var/spool/cron/root",
            "@hourly python3 /var/lib/jobs/tick.py\n",
        )
        .file(
            "var/spool/cron/alice",
            "@hourly python3 /var/lib/jobs/tick.py\n",
        )
        .command("world-writable-var", Some(1), "/var/lib/jobs/tick.py\n");
    let output = audit(&probe);
    let found = only(&output, "BASELINE-CRON-001");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].file.as_deref(), Some("/var/spool/cron/root"));
    assert!(found[0].description.contains("'/var/lib/jobs/tick.py'"));
    // /opt is not searched, so a world-writable /opt/jobs/run.sh goes unseen (documented).
    assert!(found.iter().all(|f| !f.description.contains("/opt/jobs")));
}

#[test]
fn the_firewall_finding_needs_an_answer_from_ufw_or_iptables() {
    let empty_chains = "Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination         \n";
    let as_non_root = audit(&Probe::host().command("ufw-status", Some(1), "").command(
        "iptables-list",
        Some(4),
        "",
    ));
    assert!(only(&as_non_root, "BASELINE-FW-001").is_empty());
    let none = audit(&Probe::host().command("ufw-status", None, "").command(
        "iptables-list",
        Some(0),
        empty_chains,
    ));
    assert_eq!(rules(&none), vec!["BASELINE-FW-001"]);
    let ufw_on = audit(
        &Probe::host()
            .command("ufw-status", Some(0), "Status: active\n\nTo                         Action      From\n--                         ------      ----\n22/tcp                     ALLOW       Anywhere\n")
            .command("iptables-list", Some(0), empty_chains),
    );
    assert!(ufw_on.findings.is_empty());
    let rules_on = audit(&Probe::host().command(
        "iptables-list",
        Some(0),
        "Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination         \nACCEPT     tcp  --  0.0.0.0/0            0.0.0.0/0            tcp dpt:22\n",
    ));
    assert!(rules_on.findings.is_empty());
}

#[test]
fn listening_ports_fall_back_to_netstat_and_group_by_port() {
    let netstat = "Active Internet connections (only servers)\n\
Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n\
tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      901/sshd            \n\
tcp        0      0 0.0.0.0:5432            0.0.0.0:*               LISTEN      812/postgres        \n\
tcp        0      0 127.0.0.1:631           0.0.0.0:*               LISTEN      -                   \n\
tcp6       0      0 :::5432                 :::*                    LISTEN      812/postgres        \n";
    let output = audit(&Probe::host().command("ss-listening", None, "").command(
        "netstat-listening",
        Some(0),
        netstat,
    ));
    let found = only(&output, "BASELINE-PORT-001");
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].title,
        "Service listening on all interfaces port 5432"
    );
    assert!(
        found[0]
            .description
            .contains("(postgres) is listening on 0.0.0.0:5432 and :::5432")
    );
}

#[test]
fn security_updates_are_told_apart_by_their_suite() {
    let output = audit(&Probe::host().command(
        "apt-upgradable",
        Some(0),
        "Listing... Done\nlibsecurity-utils/jammy-updates 2 all [upgradable from: 1]\nopenssl/jammy-updates,jammy-security 3.0.2 amd64 [upgradable from: 3.0.1]\n",
    ));
    assert_eq!(rules(&output), vec!["BASELINE-PKG-001"]);
    assert_eq!(output.findings[0].title, "1 security update(s) available");
    let plain = audit(&Probe::host().command(
        "apt-upgradable",
        Some(0),
        "Listing... Done\nlibsecurity-utils/jammy-updates 2 all [upgradable from: 1]\n",
    ));
    assert_eq!(plain.findings[0].title, "1 package update(s) available");
    assert!(
        audit(&Probe::host().command("apt-upgradable", Some(0), "Listing... Done\n"))
            .findings
            .is_empty()
    );
}

#[test]
fn world_writable_listings_are_sorted_and_cut_at_ten() {
    let listing: String = (0..13)
        .rev()
        .map(|i| format!("/etc/app/f{i:02}\n"))
        .collect();
    let output = audit(&Probe::host().command("world-writable-etc", Some(1), &listing));
    assert_eq!(rules(&output), vec!["BASELINE-WWRITE-001"]);
    let description = &output.findings[0].description;
    assert!(
        description
            .starts_with("Found 13 world-writable file(s) under /etc: /etc/app/f00, /etc/app/f01"),
        "{description}"
    );
    assert!(description.contains("/etc/app/f09 (and 3 more)"));
    let timed_out = audit(&Probe::host().command("world-writable-usr", None, "/usr/x\n"));
    assert!(only(&timed_out, "BASELINE-WWRITE-001").is_empty());
}

#[test]
fn the_output_does_not_depend_on_the_order_probes_arrive_in() {
    let input = Probe::load("host-ubuntu-22.04").input();
    let mut reversed = input.clone();
    reversed.files.reverse();
    reversed.metadata.reverse();
    reversed.commands.reverse();
    assert_eq!(Baseline::parse(&input), Baseline::parse(&reversed));
}

#[test]
fn a_target_spelled_with_a_trailing_slash_finds_the_same_files() {
    let mut probe = Probe::load("target-centos-6");
    let plain = audit(&probe);
    probe.target.push('/');
    let mut input = probe.input();
    input.target = "/mnt/snapshots/centos6-web01/".into();
    for file in &mut input.files {
        file.path = file.path.replace("centos6-web01/", "centos6-web01//");
    }
    let slashed = Baseline::parse(&input).unwrap();
    assert_eq!(rules(&plain), rules(&slashed));
}

#[test]
fn corrupted_probes_never_panic() {
    for case in ["host-ubuntu-22.04", "target-centos-6"] {
        let input = Probe::load(case).input();
        for index in 0..input.files.len() {
            for bytes in mutations(&input.files[index].bytes, 200) {
                let mut mutated = input.clone();
                mutated.files[index].bytes = bytes;
                let _ = Baseline::parse(&mutated);
            }
        }
        for index in 0..input.commands.len() {
            for bytes in mutations(&input.commands[index].stdout, 200) {
                let mut mutated = input.clone();
                mutated.commands[index].stdout = bytes;
                let _ = Baseline::parse(&mutated);
            }
        }
    }
    let mut odd = Probe::host().input();
    odd.files.push(GatheredFile {
        path: String::new(),
        bytes: vec![0xff, 0xfe, b'\n'],
    });
    odd.environment.insert(
        "TOKEN".into(),
        "\u{1F511}\u{1F511}\u{1F511}\u{1F511}\u{1F511}".into(),
    );
    odd.settings.insert("home".into(), "/".into());
    assert!(Baseline::parse(&odd).is_ok());
}
