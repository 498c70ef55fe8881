use securescan_adapter_sdk::testing::{fixture_bytes, parse_mutated_fixtures, parse_report};
use securescan_adapter_sdk::{Adapter, Input, Output, ParseError, Severity};
use serde_json::json;

use crate::Nmap;

#[test]
fn every_fixture_matches_its_snapshot() {
    securescan_adapter_sdk::assert_fixture_snapshots!(Nmap);
}

fn parse(bytes: &[u8]) -> Result<Output, ParseError> {
    parse_report::<Nmap>(bytes)
}

fn fixture(name: &str) -> Vec<u8> {
    fixture_bytes(env!("CARGO_MANIFEST_DIR"), name)
}

/// Another adapter's fixture: a real report of another tool.
fn sibling_fixture(path: &str) -> Vec<u8> {
    let path = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// A one-host run around `ports` (the `<port>` elements), as nmap 7.93 writes it.
fn run_with(ports: &str, extra_host: &str, runstats: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sV -oX - 10.0.0.5" version="7.93" xmloutputversion="1.05">
<host><status state="up" reason="syn-ack"/>
<address addr="10.0.0.5" addrtype="ipv4"/>
<hostnames></hostnames>
<ports>{ports}</ports>{extra_host}
</host>
{runstats}
</nmaprun>
"#
    )
    .into_bytes()
}

const FINISHED: &str =
    r#"<runstats><finished time="1" exit="success"/><hosts up="1" down="0" total="1"/></runstats>"#;

fn open_port(id: u16, protocol: &str, service: &str) -> String {
    format!(
        r#"<port protocol="{protocol}" portid="{id}"><state state="open" reason="syn-ack"/><service name="{service}" method="table" conf="3"/></port>"#
    )
}

// Counts from ../shared/corpus/INDEX.tsv (open <port>s over all hosts).
#[test]
fn every_open_port_of_every_host_is_a_finding() {
    let expected = [
        ("nmap-7.93/localhost-http-ssh-sV.xml", 2),
        ("nmap-7.93/localhost-one-port.xml", 1),
        ("nmap-7.93/localhost-no-open-ports.xml", 0),
        ("nmap-7.93/localhost-open-and-closed.xml", 2),
        ("nmap-7.93/localhost-scripts.xml", 2),
        ("nmap-7.93/localhost-120-open-ports.xml", 120),
        ("nmap-7.91/dd-issue4406.xml", 25),
        ("nmap-7.60/dd-script-vulners.xml", 1),
        ("nmap-7.95/dd-issue12411-two-hosts.xml", 4),
    ];
    for (name, count) in expected {
        let output = parse(&fixture(name)).unwrap();
        assert_eq!(output.findings.len(), count, "{name}");
        assert!(output.warnings.is_empty(), "{name}: {:?}", output.warnings);
    }
}

#[test]
fn two_hosts_keep_their_own_address_hostnames_and_identity() {
    let output = parse(&fixture("nmap-7.95/dd-issue12411-two-hosts.xml")).unwrap();
    let hosts: Vec<(String, u64)> = output
        .findings
        .iter()
        .map(|f| {
            let meta = f.metadata.clone().into_map();
            (
                meta["host_addr"].as_str().unwrap().to_string(),
                meta["port"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("172.217.18.238", 80),
        ("172.217.18.238", 443),
        ("54.239.28.85", 80),
        ("54.239.28.85", 443),
    ]
    .map(|(addr, port)| (addr.to_string(), port));
    assert_eq!(hosts, expected);
    let first = output.findings[0].metadata.clone().into_map();
    assert_eq!(
        first["hostnames"],
        json!(["google.com", "par10s10-in-f238.1e100.net", "lalala"])
    );
    assert_ne!(
        output.findings[0].metadata.clone().into_map()["line_snippet"],
        output.findings[2].metadata.clone().into_map()["line_snippet"],
        "port 80 on two hosts must not share one identity"
    );
    assert!(
        output.findings[2]
            .description
            .starts_with("Host 54.239.28.85 (amazon.com) has port 80/tcp open running http.")
    );
}

#[test]
fn findings_follow_the_original_shape() {
    let mut input = Input::from_report(fixture("nmap-7.93/localhost-http-ssh-sV.xml"));
    input.target = "127.0.0.1".into();
    let output = Nmap::parse(&input).unwrap();
    let http = &output.findings[0];
    assert_eq!(http.title, "Open port 18080/tcp: http SimpleHTTPServer 0.6");
    assert_eq!(http.rule_id.as_deref(), Some("open-port-18080"));
    assert_eq!(http.severity, Severity::Info);
    assert_eq!(
        http.remediation.as_deref(),
        Some(
            "Close or firewall the port if it is not required. Replace insecure services with encrypted equivalents."
        )
    );
    assert_eq!(http.file, None);
    let meta = http.metadata.clone().into_map();
    assert_eq!(meta["target_host"], json!("127.0.0.1"));
    assert_eq!(meta["host_addr"], json!("127.0.0.1"));
    assert_eq!(meta["port"], json!(18080));
    assert_eq!(meta["protocol"], json!("tcp"));
    assert_eq!(meta["service"], json!("http"));
    assert_eq!(meta["product"], json!("SimpleHTTPServer"));
    assert_eq!(meta["version"], json!("0.6"));
}

#[test]
fn risky_services_are_classified_like_the_original() {
    let ports = [
        open_port(21, "tcp", "ftp"),
        open_port(2121, "tcp", "ftp"),
        open_port(6379, "tcp", "redis"),
        open_port(3306, "tcp", "mysql"),
        open_port(445, "tcp", "microsoft-ds"),
        open_port(443, "tcp", "https"),
        open_port(2375, "tcp", "docker"),
        open_port(514, "tcp", "shell"),
        open_port(514, "udp", "syslog"),
        open_port(9200, "tcp", "wap-wsp"),
        open_port(30367, "tcp", "mysql"),
        open_port(30001, "tcp", "redis"),
        open_port(49152, "tcp", "msrpc"),
    ]
    .concat();
    let output = parse(&run_with(&ports, "", FINISHED)).unwrap();
    let severities: Vec<Severity> = output.findings.iter().map(|f| f.severity).collect();
    use Severity::*;
    assert_eq!(
        severities,
        [
            High, High, High, Medium, Medium, Info, High, High, Info, Medium, Medium, High, Info
        ]
    );
    assert!(output.findings[0].description.ends_with(
        "This service is considered high-risk due to known security weaknesses or lack of encryption."
    ));
    assert!(output.findings[3].description.ends_with(
        "This is a database or management port that should not be exposed to untrusted networks."
    ));
}

#[test]
fn open_filtered_and_closed_ports_are_not_findings() {
    let ports = r#"<port protocol="udp" portid="161"><state state="open|filtered" reason="no-response"/></port><port protocol="tcp" portid="23"><state state="closed" reason="conn-refused"/></port><port protocol="tcp" portid="22"><state state="filtered" reason="no-response"/></port>"#;
    let output = parse(&run_with(ports, "", FINISHED)).unwrap();
    assert!(output.findings.is_empty());
}

// Regression (fuzzing): a DOCTYPE inside element text hit an `unreachable!` in quick-xml 0.38,
// a crash in the sandbox instead of an answer; 0.42 reads it.
#[test]
fn a_doctype_inside_text_does_not_crash_the_parser() {
    let report = b"<nmaprun><host><ports><port><service><cpe>a<!DOCTYPE x>b</cpe></service></port></ports></host></nmaprun>";
    let outcome = std::panic::catch_unwind(|| parse(report));
    assert!(outcome.is_ok(), "the XML parser panicked");
}

#[test]
fn nse_output_lands_in_metadata_and_description_with_a_size_cap() {
    let output = parse(&fixture("nmap-7.93/localhost-scripts.xml")).unwrap();
    let http = &output.findings[0];
    assert!(http.description.ends_with(
        "\nNSE http-title: Corpus Test Server\nNSE http-server-header: SimpleHTTP/0.6 Python/3.11.7"
    ));
    assert_eq!(
        http.metadata.clone().into_map()["scripts"],
        json!({"http-title": "Corpus Test Server", "http-server-header": "SimpleHTTP/0.6 Python/3.11.7"})
    );

    // nmap escapes tabs and newlines in attributes; raw ones would be normalized to spaces.
    let huge = "CVE-2099-0001&#9;9.8&#xa;".repeat(1000);
    let ports = format!(
        r#"<port protocol="tcp" portid="22"><state state="open"/><service name="ssh"/><script id="vulners" output="{huge}"/></port>"#
    );
    let host_script = r#"<hostscript><script id="smb-os-discovery" output="&#xa;  OS: Windows 10&#xa;  Computer name: box"/></hostscript>"#;
    let output = parse(&run_with(&ports, host_script, FINISHED)).unwrap();
    let ssh = &output.findings[0];
    let meta = ssh.metadata.clone().into_map();
    let kept = meta["scripts"]["vulners"].as_str().unwrap();
    assert!(kept.len() < 2200, "{}", kept.len());
    assert!(kept.ends_with("[truncated, 17999 bytes in all]"), "{kept}");
    assert_eq!(
        meta["host_scripts"],
        json!({"smb-os-discovery": "OS: Windows 10\n  Computer name: box"})
    );
    assert!(
        ssh.description
            .ends_with("\nNSE vulners: CVE-2099-0001\t9.8\nNSE smb-os-discovery: OS: Windows 10")
    );
}

#[test]
fn addresses_prefer_ip_over_mac_and_ingest_names_the_host_by_address() {
    let xml = br#"<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/><address addr="AA:BB:CC:DD:EE:FF" addrtype="mac" vendor="Acme"/><address addr="fe80::1" addrtype="ipv6"/><ports><port protocol="tcp" portid="22"><state state="open"/></port></ports></host><runstats><finished exit="success"/><hosts up="1" down="0" total="1"/></runstats></nmaprun>"#;
    let output = parse(xml).unwrap();
    let meta = output.findings[0].metadata.clone().into_map();
    assert_eq!(meta["host_addr"], json!("fe80::1"));
    assert_eq!(meta["target_host"], json!("fe80::1"));
    assert_eq!(meta["mac"], json!("AA:BB:CC:DD:EE:FF"));
    assert_eq!(output.findings[0].title, "Open port 22/tcp: unknown");
}

#[test]
fn verbose_runs_with_interleaved_elements_parse() {
    let xml = br#"<?xml version="1.0"?><nmaprun scanner="nmap">
<taskbegin task="Ping Scan" time="1"/>
<hosthint><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/><hostnames/></hosthint>
<host><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/><ports>
<port protocol="tcp" portid="22"><state state="open"/></port>
<extraports state="closed" count="10"/>
<port protocol="tcp" portid="23"><state state="open"/><service name="telnet"/></port>
</ports></host>
<taskprogress task="Connect Scan" percent="50"/>
<host><status state="down"/><address addr="10.0.0.2" addrtype="ipv4"/></host>
<host><status state="up"/><address addr="10.0.0.3" addrtype="ipv4"/><ports><port protocol="tcp" portid="80"><state state="open"/></port></ports></host>
<runstats><finished exit="success"/><hosts up="2" down="1" total="3"/></runstats></nmaprun>"#;
    let output = parse(xml).unwrap();
    let titles: Vec<&str> = output.findings.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Open port 22/tcp: unknown",
            "Open port 23/tcp: telnet",
            "Open port 80/tcp: unknown"
        ]
    );
}

#[test]
fn a_run_nmap_reports_as_failed_is_tool_failed() {
    let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<nmaprun scanner="nmap" args="nmap -sS -oX - 10.0.0.1" version="7.93">
<runstats><finished time="1" timestr="x" elapsed="0.01" summary="" exit="error" errormsg="You requested a scan type which requires root privileges.&#xa;QUITTING!&#xa;"/><hosts up="0" down="0" total="0"/></runstats>
</nmaprun>"#;
    assert_eq!(
        parse(xml).unwrap_err(),
        ParseError::ToolFailed(
            "nmap failed: You requested a scan type which requires root privileges.\nQUITTING!"
                .into()
        )
    );
}

#[test]
fn hosts_down_or_unresolved_are_warnings_not_errors() {
    let down = br#"<nmaprun scanner="nmap"><host><status state="down"/><address addr="10.0.0.9" addrtype="ipv4"/></host><runstats><finished exit="success"/><hosts up="0" down="1" total="1"/></runstats></nmaprun>"#;
    let output = parse(down).unwrap();
    assert!(output.findings.is_empty());
    assert_eq!(
        output.warnings,
        ["nmap found none of the 1 scanned hosts up (if they drop ping probes, scan with -Pn)"]
    );
    let unresolved = br#"<nmaprun scanner="nmap"><runstats><finished exit="success"/><hosts up="0" down="0" total="0"/></runstats></nmaprun>"#;
    assert_eq!(
        parse(unresolved).unwrap().warnings,
        ["nmap scanned no hosts: the target did not resolve or matched no address"]
    );
}

#[test]
fn a_report_cut_off_before_runstats_warns() {
    let xml = run_with(&open_port(22, "tcp", "ssh"), "", "");
    let output = parse(&xml).unwrap();
    assert_eq!(output.findings.len(), 1);
    assert_eq!(output.warnings.len(), 1);
    assert!(output.warnings[0].contains("did not finish"));
}

#[test]
fn other_tools_and_bad_bytes_are_typed_errors() {
    let junit = br#"<?xml version="1.0" encoding="UTF-8"?><testsuites><testsuite name="x" tests="1"><testcase name="t"/></testsuite></testsuites>"#;
    assert_eq!(
        parse(junit).unwrap_err(),
        ParseError::WrongTool(
            "XML root element is <testsuites>, expected nmap's <nmaprun> (nmap -oX)".into()
        )
    );
    let masscan = br#"<?xml version="1.0"?><nmaprun scanner="masscan" start="1"><host><address addr="10.0.0.1" addrtype="ipv4"/><ports><port protocol="tcp" portid="80"><state state="open"/></port></ports></host></nmaprun>"#;
    assert!(matches!(parse(masscan), Err(ParseError::WrongTool(m)) if m.contains("masscan")));
    let semgrep = sibling_fixture("semgrep/fixtures/semgrep-1.182.0/generated-one-finding.json");
    assert!(matches!(parse(&semgrep), Err(ParseError::WrongTool(m)) if m.starts_with("JSON")));
    let sarif = sibling_fixture("sarif/fixtures/gitleaks-8.0.0/gitleaks-repo-simple.sarif");
    assert!(matches!(parse(&sarif), Err(ParseError::WrongTool(_))));
    let normal =
        b"Starting Nmap 7.93 ( https://nmap.org )\nNmap scan report for localhost (127.0.0.1)\n";
    assert!(matches!(parse(normal), Err(ParseError::Malformed(m)) if m.contains("-oX")));
    assert!(matches!(parse(b"  \n"), Err(ParseError::Empty(_))));
    // A byte that is not UTF-8 costs only itself, not the report.
    assert!(
        parse(b"<?xml version=\"1.0\"?><nmaprun scanner=\"nmap\">\xff</nmaprun>")
            .unwrap()
            .findings
            .is_empty()
    );
    let bytes = fixture("nmap-7.93/localhost-scripts.xml");
    assert!(matches!(
        parse(&bytes[..bytes.len() / 2]),
        Err(ParseError::Malformed(m)) if m.starts_with("invalid XML")
    ));
    assert!(matches!(
        parse(b"<nmaprun scanner=\"nmap\"><host><ports><port portid=\"1\"></host></nmaprun>"),
        Err(ParseError::Malformed(_))
    ));
}

#[test]
fn an_invalid_portid_is_skipped_with_a_warning() {
    let ports = r#"<port protocol="tcp" portid="99999"><state state="open"/></port>"#;
    let output = parse(&run_with(ports, "", FINISHED)).unwrap();
    assert!(output.findings.is_empty());
    assert_eq!(
        output.warnings,
        ["host 10.0.0.5: skipped an open port with an invalid portid \"99999\""]
    );
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(fixture("nmap-7.93/localhost-one-port.xml"));
    assert_eq!(
        parse(&bytes).unwrap(),
        parse(&fixture("nmap-7.93/localhost-one-port.xml")).unwrap()
    );
}

#[test]
fn corrupted_reports_never_panic() {
    parse_mutated_fixtures::<Nmap>(env!("CARGO_MANIFEST_DIR"), 200);
}
