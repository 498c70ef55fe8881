//! Finding identity: lowercase hex sha256 of `scanner|rule_id|path|line context|cwe` (fields
//! joined by `|`, unescaped, empty ones kept). Baselines, diffs, SARIF partial fingerprints and
//! triage verdicts all key on it, so its inputs never change shape.
//!
//! - `path` is the file relative to the scan root, so the same tree fingerprints alike at `/a`
//!   or `/b` and scanned as `repo`, `./repo` or `/a/repo`; a path outside the root stays as the
//!   tool printed it (with `\` read as `/`).
//! - `line context` is the code the finding points at, read from the file and normalized so
//!   a reformat keeps the fingerprint while a change of the code on the line moves it. It starts
//!   at the finding's first line and never reaches past the expression begun there, whatever
//!   end line the tool reported, so editing another line of a statement or function leaves
//!   the finding's identity alone. The
//!   second and later matches of one rule on one line (metadata `occurrence` 2, 3, …; the first
//!   carries none) append `|N`, so each keeps an identity of its own.

use sha2::{Digest, Sha256};

use super::Finding;
use super::root::ScanRoot;
use super::source::{SourceFiles, SourceText};

/// The metadata key numbering the matches of one rule on one line.
const OCCURRENCE: &str = "occurrence";

/// The most lines a context spans: one unbalanced bracket cannot make the host walk a huge file.
const MAX_CONTEXT_LINES: u32 = 32;

/// The most characters of normalized context hashed. Cutting after normalizing (not the raw
/// lines) keeps the cut at the same code however the lines are laid out.
const MAX_CONTEXT_CHARS: usize = 1024;

/// The finding's fingerprint under `root` (`None`: the target is not a local path), with line
/// context from `files`. Pure given its inputs, so the reader decides what may be read.
pub fn fingerprint(
    finding: &Finding,
    root: Option<&ScanRoot>,
    files: &mut impl SourceFiles,
) -> String {
    let printed = finding.file_path.as_deref().unwrap_or("");
    let relative = root.and_then(|r| r.relative(printed));
    let path = relative
        .clone()
        .unwrap_or_else(|| printed.replace('\\', "/"));
    let context = relative
        .zip(finding.line_start)
        .and_then(|(file, start)| {
            let source = files.source(&file)?;
            Some(file_context(source, start))
        })
        .unwrap_or_else(|| snippet_context(finding));
    let context = match finding.metadata.get(OCCURRENCE).as_u64() {
        Some(n) if n > 1 => format!("{context}|{n}"),
        _ => context,
    };
    let payload = [
        finding.scanner.as_str(),
        finding.rule_id.as_deref().unwrap_or(""),
        &path,
        &context,
        finding.cwe.as_deref().unwrap_or(""),
    ]
    .join("|");
    hex::encode(Sha256::digest(payload.as_bytes()))
}

/// Line `start` of the file, normalized, with the lines after it while brackets opened on it
/// stay open: a call laid out over several lines (`eval(` … `)`) is one context whichever way
/// the tool counted its lines. The end line the tool reported is not read: it is where tools
/// differ most (bandit's enclosing statement, a whole function for semgrep's default-argument
/// rule), and the lines it adds are not the flagged code, so edits to them must not change the
/// finding's identity.
fn file_context(source: &SourceText, start: u32) -> String {
    let mut raw = String::new();
    let mut open = 0i64;
    let cap = start.saturating_add(MAX_CONTEXT_LINES - 1);
    for (number, line) in (start..=cap).zip(source.lines(start, cap)) {
        if number > start && open <= 0 {
            break;
        }
        open += bracket_balance(&strip_line_comment(line));
        raw.push_str(line);
        raw.push('\n');
    }
    let normalized = normalize_snippet(&raw);
    match normalized.char_indices().nth(MAX_CONTEXT_CHARS) {
        Some((cut, _)) => normalized[..cut].to_string(),
        None => normalized,
    }
}

fn bracket_balance(line: &str) -> i64 {
    line.chars()
        .map(|c| match c {
            '(' | '[' | '{' => 1,
            ')' | ']' | '}' => -1,
            _ => 0,
        })
        .sum()
}

/// An adapter's `line_snippet` (nmap's `"<addr> <port>/<proto>"` for a finding with no file),
/// normalized; empty when absent.
fn snippet_context(finding: &Finding) -> String {
    let snippet = match finding.metadata.get("line_snippet") {
        serde_json::Value::String(text) => text,
        serde_json::Value::Array(items) => items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => return String::new(),
    };
    normalize_snippet(&snippet)
}

/// Comments stripped, lines joined, whitespace collapsed, lowercased (as the original did), and
/// the whitespace a formatter adds or removes when it reflows a call dropped: none just inside
/// brackets or around commas, and no trailing comma before a closing bracket. So `f(a, b)`,
/// `f(a,b)` and `f(\n    a,\n    b,\n)` agree, while `x = 1` keeps its spaces.
fn normalize_snippet(snippet: &str) -> String {
    let text = snippet.replace("\r\n", "\n").replace('\r', "\n");
    let text = strip_block_comments(&text);
    let joined = text
        .split('\n')
        .map(strip_line_comment)
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = String::with_capacity(joined.len());
    let mut spaced = false;
    for c in joined.chars() {
        if c.is_whitespace() {
            spaced = !out.is_empty();
            continue;
        }
        let closing = matches!(c, ')' | ']' | '}');
        if closing && out.ends_with(',') {
            out.pop();
        }
        let after_tight = out.ends_with(['(', '[', '{', ',']);
        if spaced && !after_tight && !closing && c != ',' {
            out.push(' ');
        }
        spaced = false;
        out.push(c);
    }
    out.to_lowercase()
}

fn strip_block_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        match rest[start + 2..].find("*/") {
            Some(end) => {
                out.push_str(&rest[..start]);
                out.push(' ');
                rest = &rest[start + 2 + end + 2..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// Cut at the first `#`, `//` or `--` along with the whitespace before it.
fn strip_line_comment(line: &str) -> String {
    let mut line = line.to_string();
    for marker in ["#", "//", "--"] {
        if let Some(at) = line.find(marker) {
            line.truncate(at);
            line.truncate(line.trim_end().len());
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;

    use super::*;
    use crate::findings::Severity;
    use crate::findings::source::SourceCache;

    fn finding(
        scanner: &str,
        rule: Option<&str>,
        path: Option<&str>,
        cwe: Option<&str>,
    ) -> Finding {
        Finding {
            description: "d".into(),
            file_path: path.map(Into::into),
            rule_id: rule.map(Into::into),
            cwe: cwe.map(Into::into),
            ..Finding::sample(scanner, "t", Severity::High)
        }
    }

    /// A finding of `rule` at `path`, lines `start..=end` as the tool reported them.
    fn at(path: &str, start: u32, end: u32) -> Finding {
        let mut f = finding("semgrep", Some("eval-detected"), Some(path), Some("CWE-95"));
        f.line_start = Some(start);
        f.line_end = Some(end);
        f
    }

    /// A fixed tree of files by root-relative path, remembering which were asked for.
    #[derive(Default)]
    struct Tree {
        files: HashMap<String, SourceText>,
        asked: Vec<String>,
    }

    impl Tree {
        fn with(files: &[(&str, &str)]) -> Tree {
            Tree {
                files: files
                    .iter()
                    .map(|(path, text)| (path.to_string(), SourceText::new(text.to_string())))
                    .collect(),
                asked: Vec::new(),
            }
        }
    }

    impl SourceFiles for Tree {
        fn source(&mut self, relative: &str) -> Option<&SourceText> {
            self.asked.push(relative.to_string());
            self.files.get(relative)
        }
    }

    fn repo() -> ScanRoot {
        ScanRoot::at(Path::new("/a/repo"), Path::new("/a/repo"))
    }

    /// The fingerprint of `finding` in a repo holding only `path` with `text`.
    fn in_file(finding: &Finding, path: &str, text: &str) -> String {
        fingerprint(finding, Some(&repo()), &mut Tree::with(&[(path, text)]))
    }

    /// The fingerprint `finding` gets when its file gives no context.
    fn without_context(finding: &Finding) -> String {
        fingerprint(finding, Some(&repo()), &mut Tree::default())
    }

    // Values recorded from the original implementation; baselines in the wild depend on them.
    // None of these findings names a line, so no file is read and the original payload stands.
    #[test]
    fn matches_recorded_fingerprints() {
        let cases = [
            (
                finding(
                    "semgrep",
                    Some("python.lang.security.audit.eval-detected"),
                    Some("app.py"),
                    Some("CWE-95"),
                ),
                "946980ab81e0d5b2591dd12a70d508b5bfed0df8ef3255c6fd00118a93c47898",
            ),
            (
                finding("bandit", Some("B307"), Some("src/app.py"), Some("CWE-78")),
                "d0c39e1deb8628293c28b68d52f6001f13158a0151088afb21c07a660368b88c",
            ),
            (
                finding("secrets", None, None, None),
                "062ccb8a09c65d5048238801ba8a7a0579536651fa7a4541cdca3469e8b168b8",
            ),
        ];
        let elsewhere = ScanRoot::at(Path::new("/elsewhere"), Path::new("/elsewhere"));
        for (f, expected) in cases {
            assert_eq!(fingerprint(&f, None, &mut Tree::default()), expected);
            assert_eq!(
                fingerprint(&f, Some(&elsewhere), &mut Tree::default()),
                expected
            );
        }
        let mut with_snippet = finding(
            "semgrep",
            Some("RULE-001"),
            Some("src/x.py"),
            Some("CWE-89"),
        );
        with_snippet
            .metadata
            .insert("line_snippet", "x = 1  # noqa".into());
        assert_eq!(
            fingerprint(&with_snippet, Some(&elsewhere), &mut Tree::default()),
            "7ec526d3d15c63d5d790570eb606145c1d5f733a7eac0c9251eb349d8f3b91e5"
        );
    }

    #[test]
    fn the_line_context_is_the_code_read_from_the_file() {
        let f = at("app.py", 2, 2);
        let text = "import os\nresult = eval(payload)  # nosec\n";
        let expected = hex::encode(Sha256::digest(
            "semgrep|eval-detected|app.py|result = eval(payload)|CWE-95".as_bytes(),
        ));
        assert_eq!(in_file(&f, "app.py", text), expected);
    }

    #[test]
    fn reflow_keeps_the_fingerprint() {
        let one_line = "def run(payload):\n    result = eval(payload)\n    return result\n";
        let reflowed =
            "def run(payload):\n    result = eval(\n        payload\n    )\n    return result\n";
        let black =
            "def run(payload):\n    result = eval(\n        payload,\n    )\n    return result\n";
        let original = in_file(&at("app.py", 2, 2), "app.py", one_line);
        // semgrep reports the whole match (2..=4); bandit 1.4 and other tools only its first line.
        assert_eq!(in_file(&at("app.py", 2, 4), "app.py", reflowed), original);
        assert_eq!(in_file(&at("app.py", 2, 2), "app.py", reflowed), original);
        assert_eq!(in_file(&at("app.py", 2, 4), "app.py", black), original);

        let call = "subprocess.call(cmd, shell=True)\n";
        let split = "subprocess.call(cmd,\n                shell=True)\n";
        let exploded = "subprocess.call(\n    cmd,\n    shell=True,\n)\n";
        let original = in_file(&at("run.py", 1, 1), "run.py", call);
        assert_eq!(in_file(&at("run.py", 1, 2), "run.py", split), original);
        assert_eq!(in_file(&at("run.py", 1, 1), "run.py", exploded), original);
        assert_ne!(original, without_context(&at("run.py", 1, 1)));
    }

    #[test]
    fn tabs_and_reindentation_keep_the_fingerprint() {
        let tabs = "if ready:\n\tquery = \"SELECT * FROM t WHERE id = \" + user_id\n";
        let spaces = "if ready:\n    query = \"SELECT * FROM t WHERE id = \"  +  user_id\n";
        let nested = "class Repo:\n    def find(self, user_id):\n        if ready:\n            query = \"SELECT * FROM t WHERE id = \" + user_id\n";
        let original = in_file(&at("db.py", 2, 2), "db.py", tabs);
        assert_eq!(in_file(&at("db.py", 2, 2), "db.py", spaces), original);
        assert_eq!(in_file(&at("db.py", 4, 4), "db.py", nested), original);
    }

    #[test]
    fn renaming_a_variable_on_the_line_changes_the_fingerprint() {
        let before = in_file(&at("app.py", 1, 1), "app.py", "result = eval(payload)\n");
        let renamed = in_file(&at("app.py", 1, 1), "app.py", "result = eval(user_input)\n");
        assert_ne!(before, renamed);
        // Only the finding's own lines count: edits elsewhere in the file leave it alone.
        let elsewhere = in_file(
            &at("app.py", 1, 1),
            "app.py",
            "result = eval(payload)\nother = 2\n",
        );
        assert_eq!(before, elsewhere);
    }

    /// The lines of real bandit 1.9.4 findings (see the bandit adapter's fixture
    /// `generated-multi-line-statements.json`): a password inside a dict and a call, and a
    /// default argument whose function bandit and semgrep report whole.
    #[test]
    fn editing_another_line_of_the_statement_keeps_the_fingerprint() {
        let dict = "settings = {\n    \"user\": \"admin\",\n    \"password\": \"hunter2\",\n    \"timeout\": 30,\n}\n";
        let print =
            |text: &str, start: u32, end: u32| in_file(&at("app.py", start, end), "app.py", text);
        let original = print(dict, 3, 3);
        // Before bandit's adapter ended it on its own line, B105 here spanned 3..=5.
        assert_eq!(print(dict, 3, 5), original);
        assert_eq!(print(&dict.replace("30", "60"), 3, 5), original);
        assert_eq!(print(&dict.replace("admin", "root"), 3, 3), original);
        assert_ne!(print(&dict.replace("hunter2", "letmein"), 3, 3), original);

        let function = "def connect(db, password=\"hunter2\"):\n    conn = db.connect(timeout=30)\n    return conn\n";
        let original = print(function, 1, 3);
        assert_eq!(print(&function.replace("30", "60"), 1, 3), original);
        assert_ne!(print(&function.replace("hunter2", "x"), 1, 3), original);
    }

    #[test]
    fn moving_the_file_changes_the_fingerprint() {
        let text = "result = eval(payload)\n";
        assert_ne!(
            in_file(&at("src/app.py", 1, 1), "src/app.py", text),
            in_file(&at("lib/app.py", 1, 1), "lib/app.py", text)
        );
    }

    #[test]
    fn the_same_tree_at_two_paths_fingerprints_alike() {
        let tree = [("src/app.py", "result = eval(payload)\n")];
        let print = |dir: &str| {
            let root = ScanRoot::at(Path::new(dir), Path::new("/home/ci"));
            let f = at(&format!("{dir}/src/app.py"), 1, 1);
            fingerprint(&f, Some(&root), &mut Tree::with(&tree))
        };
        assert_eq!(print("/a/repo"), print("/b/checkout"));
    }

    #[test]
    fn absolute_and_relative_targets_fingerprint_alike() {
        let tree = [("src/app.py", "result = eval(payload)\n")];
        let root = ScanRoot::at(Path::new("/a/repo"), Path::new("/a"));
        let print = |root: &ScanRoot, path: &str| {
            fingerprint(&at(path, 1, 1), Some(root), &mut Tree::with(&tree))
        };
        let absolute = print(&root, "/a/repo/src/app.py");
        assert_eq!(print(&root, "repo/src/app.py"), absolute);
        assert_eq!(print(&root, "./repo/src/app.py"), absolute);
        let from_inside = ScanRoot::at(Path::new("/a/repo"), Path::new("/a/repo"));
        assert_eq!(print(&from_inside, "src/app.py"), absolute);
        assert_eq!(print(&from_inside, "./src/app.py"), absolute);
        assert_eq!(print(&root, "repo\\src\\app.py"), absolute);
    }

    #[test]
    fn a_path_escaping_the_root_is_not_read() {
        for printed in ["/etc/passwd", "../../etc/passwd", "src/../../secret.py"] {
            let mut tree = Tree::with(&[("etc/passwd", "root:x:0:0")]);
            let print = fingerprint(&at(printed, 1, 1), Some(&repo()), &mut tree);
            assert!(tree.asked.is_empty(), "{printed} was read");
            // Outside the root the path stays as the tool printed it.
            let payload = format!("semgrep|eval-detected|{printed}||CWE-95");
            assert_eq!(print, hex::encode(Sha256::digest(payload.as_bytes())));
        }
        // The reader refuses a climbing path even if one reaches it.
        let dir = scratch();
        write(dir.path(), "secret.py", "token = 'x'\n");
        write(dir.path(), "root/app.py", "x = 1\n");
        let root = ScanRoot::at(&dir.path().join("root"), dir.path());
        let mut cache = SourceCache::new(Some(&root));
        assert!(cache.source("../secret.py").is_none());
        assert!(cache.source("app.py").is_some());
    }

    #[test]
    fn a_symlink_out_of_the_root_is_not_followed() {
        let dir = scratch();
        write(dir.path(), "secret.py", "token = 'x'\n");
        write(dir.path(), "root/app.py", "token = 'x'\n");
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("secret.py"),
            dir.path().join("root/link.py"),
        )
        .unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside"), dir.path().join("root/sub"))
            .unwrap();
        write(dir.path(), "outside/leak.py", "token = 'x'\n");
        std::os::unix::fs::symlink(
            dir.path().join("root/app.py"),
            dir.path().join("root/inner.py"),
        )
        .unwrap();
        let root = ScanRoot::of_target("root", dir.path()).unwrap();
        let mut cache = SourceCache::new(Some(&root));
        for path in ["link.py", "sub/leak.py"] {
            let f = at(path, 1, 1);
            assert_eq!(
                fingerprint(&f, Some(&root), &mut cache),
                without_context(&f),
                "{path}"
            );
        }
        // A link that stays inside the root is just another name for a file in the tree.
        assert!(cache.source("inner.py").is_some());
        assert!(cache.source("link.py").is_none());
    }

    #[test]
    fn an_unreadable_or_binary_file_gives_an_empty_context() {
        let dir = scratch();
        std::fs::write(dir.path().join("blob.py"), b"eval(x)\n\0\x01\x02").unwrap();
        std::fs::create_dir_all(dir.path().join("dir.py")).unwrap();
        let root = ScanRoot::of_target(".", dir.path()).unwrap();
        let mut cache = SourceCache::new(Some(&root));
        for path in ["blob.py", "dir.py", "missing.py"] {
            let f = at(path, 1, 1);
            let payload = format!("semgrep|eval-detected|{path}||CWE-95");
            assert_eq!(
                fingerprint(&f, Some(&root), &mut cache),
                hex::encode(Sha256::digest(payload.as_bytes())),
                "{path}"
            );
        }
    }

    #[test]
    fn a_snippet_is_the_context_of_a_finding_without_a_file() {
        let mut port = finding("nmap", Some("open-port"), None, None);
        port.metadata
            .insert("line_snippet", "10.0.0.1 22/tcp".into());
        let payload = "nmap|open-port||10.0.0.1 22/tcp|";
        assert_eq!(
            fingerprint(&port, None, &mut Tree::default()),
            hex::encode(Sha256::digest(payload.as_bytes()))
        );
    }

    #[test]
    fn files_are_read_once_per_scan() {
        let dir = scratch();
        for n in 0..3 {
            write(
                dir.path(),
                &format!("f{n}.py"),
                &"x = eval(y)\n".repeat(100),
            );
        }
        let root = ScanRoot::of_target(".", dir.path()).unwrap();
        let mut cache = SourceCache::new(Some(&root));
        for n in 0..300u32 {
            let f = at(&format!("f{}.py", n % 3), n % 100 + 1, n % 100 + 1);
            fingerprint(&f, Some(&root), &mut cache);
        }
        assert_eq!(cache.files_read(), 3);
    }

    #[test]
    fn a_long_finding_is_bounded() {
        let text = "f(\n".to_string() + &"    argument_number_one,\n".repeat(10_000) + ")\n";
        let source = SourceText::new(text);
        assert!(file_context(&source, 1).len() <= MAX_CONTEXT_CHARS);
    }

    #[test]
    fn snippet_comments_and_whitespace_do_not_count() {
        assert_eq!(
            normalize_snippet("A = /* c */ 1\r\n  b  -- note"),
            "a = 1 b"
        );
        assert_eq!(normalize_snippet("f( a ,\n b , )"), "f(a,b)");
    }

    fn scratch() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
}
