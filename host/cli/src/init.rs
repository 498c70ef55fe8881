//! `securescan init`: set a project up — a `.securescan.yml` for the stack it finds, a GitHub
//! workflow running the action on pull requests, and an empty baseline — without overwriting
//! anything unless asked to.

use std::path::{Path, PathBuf};

use clap::Args;

use super::exit::{CommandResult, Exit, Failure};
use super::locations;
use crate::atomic::write_creating_dirs;
use securescan_engine::config::{parse_severity, severity_names};
use securescan_engine::findings::{ScanType, Severity};
use securescan_engine::snapshot::render_baseline;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    project: PathBuf,
    /// Overwrite files that already exist.
    #[arg(long)]
    force: bool,
    /// Accepted for scripts written for the original CLI; init never prompts.
    #[arg(long)]
    no_prompt: bool,
    /// The severity that fails the build (critical, high, medium, low).
    #[arg(long, default_value = "high")]
    threshold: String,
    /// Comma-separated scan types instead of the detected ones.
    #[arg(long, value_delimiter = ',')]
    scan_types: Option<Vec<String>>,
    /// Do not write .github/workflows/securescan.yml.
    #[arg(long)]
    no_workflow: bool,
    /// Do not write .securescan/baseline.json.
    #[arg(long)]
    no_baseline: bool,
}

pub async fn run(args: InitArgs) -> CommandResult {
    if !args.project.is_dir() {
        return Err(Failure::usage(format!(
            "init: {} is not a directory",
            args.project.display()
        )));
    }
    let threshold = parse_severity(&args.threshold)
        .filter(|s| *s != Severity::Info)
        .ok_or_else(|| {
            Failure::usage(format!(
                "init: invalid --threshold {:?}. Valid: critical|high|medium|low",
                args.threshold
            ))
        })?;
    let types = match &args.scan_types {
        Some(names) => chosen_types(names)?,
        None => detect_stack(&args.project),
    };
    let name = std::fs::canonicalize(&args.project)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "project".into());
    let mut files: Vec<(PathBuf, String)> = vec![(
        args.project.join(".securescan.yml"),
        config_text(&name, &types, threshold),
    )];
    if !args.no_workflow {
        files.push((
            args.project.join(".github/workflows/securescan.yml"),
            workflow_text(
                &types,
                threshold,
                (!args.no_baseline).then_some(BASELINE_PATH),
            ),
        ));
    }
    if !args.no_baseline {
        let path = args.project.join(BASELINE_PATH);
        let text = render_baseline(
            &[],
            &args.project,
            &types,
            &path,
            "securescan init",
            &locations::working_dir()?,
        );
        files.push((path, text));
    }
    let existing: Vec<&PathBuf> = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.exists())
        .collect();
    if !existing.is_empty() && !args.force {
        let list: Vec<String> = existing
            .iter()
            .map(|p| format!("  {}", p.display()))
            .collect();
        tell!(
            "init: refusing to overwrite existing files (pass --force):\n{}",
            list.join("\n")
        );
        return Ok(Exit::Internal);
    }
    for (path, text) in &files {
        write_creating_dirs(path, text.as_bytes()).map_err(|err| {
            Failure::internal(format!("init: cannot write {}: {err}", path.display()))
        })?;
        tell!("wrote {}", path.display());
    }
    Ok(Exit::Ok)
}

fn chosen_types(names: &[String]) -> Result<Vec<ScanType>, Failure> {
    let mut types = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let parsed = ScanType::parse(&name.to_lowercase()).ok_or_else(|| {
            Failure::usage(format!(
                "init: unknown scan type {name:?}. Valid: {}",
                ScanType::names()
            ))
        })?;
        if !types.contains(&parsed) {
            types.push(parsed);
        }
    }
    if types.is_empty() {
        return Err(Failure::usage(
            "init: --scan-types must list at least one type",
        ));
    }
    Ok(types)
}

/// The scan types the files in `dir` call for (code when nothing is recognised); baseline always
/// last.
pub fn detect_stack(dir: &Path) -> Vec<ScanType> {
    let has = |name: &str| dir.join(name).exists();
    let names = securescan_engine::gather::entry_names(dir);
    const SOURCES: [&str; 15] = [
        "pyproject.toml",
        "requirements.txt",
        "Pipfile",
        "setup.py",
        "setup.cfg",
        "package.json",
        "package-lock.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Cargo.toml",
        "Cargo.lock",
        "go.mod",
        "go.sum",
        "Gemfile",
        "composer.json",
    ];
    let sources = SOURCES.iter().any(|n| has(n));
    let container = has("Dockerfile")
        || has("Containerfile")
        || names
            .iter()
            .any(|n| n.starts_with("Dockerfile.") || n.ends_with(".Dockerfile"));
    let infrastructure = names.iter().any(|n| n.ends_with(".tf"))
        || ["terraform", "infra", "infrastructure"]
            .iter()
            .any(|d| has_file(&dir.join(d), |n| n.ends_with(".tf")))
        || ["k8s", "kubernetes", "manifests"].iter().any(|d| {
            has_file(&dir.join(d), |n| {
                n.ends_with(".yaml") || n.ends_with(".yml")
            })
        })
        || has("Chart.yaml")
        || has("charts");
    let mut types = Vec::new();
    if sources {
        types.extend([ScanType::Code, ScanType::Dependency]);
    }
    if container || infrastructure {
        types.push(ScanType::Iac);
    }
    if types.is_empty() {
        types.push(ScanType::Code);
    }
    types.push(ScanType::Baseline);
    types
}

fn has_file(dir: &Path, matches: impl Fn(&str) -> bool) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .filter_map(|e| e.ok())
            .any(|e| matches(&e.file_name().to_string_lossy()))
    })
}

fn type_list(types: &[ScanType]) -> String {
    types
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn config_text(name: &str, types: &[ScanType], threshold: Severity) -> String {
    // The name goes into a YAML comment: one line, no control characters.
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    format!(
        "# SecureScan configuration for {name}\n\
         # Reference: the Configuration section of the SecureScan docs.\n\
         # Check it with: securescan config validate\n\
         \n\
         # Scan types `securescan scan` runs when no --type is given.\n\
         scan_types: [{types}]\n\
         \n\
         # `scan` exits with 4 when a finding that is not suppressed is at or above this\n\
         # ({severities}); --fail-on-severity wins.\n\
         fail_on_severity: {threshold}\n\
         \n\
         # Rule ids to suppress everywhere (suppressed_by = \"config\").\n\
         ignored_rules: []\n\
         \n\
         # Rule id -> severity, e.g. B101: low\n\
         severity_overrides: {{}}\n\
         \n\
         # Semgrep rule files or directories, relative to this file (default: auto).\n\
         # semgrep_rules:\n\
         #   - .securescan/rules/\n",
        types = type_list(types),
        severities = severity_names(),
        threshold = threshold.as_str(),
    )
}

/// Where init writes the empty baseline, relative to the project; the workflow passes it to the
/// action.
const BASELINE_PATH: &str = ".securescan/baseline.json";

/// The pull-request workflow: the SecureScan action (`Metbcy/securescan@v1`, which installs the
/// release archive of its version, checksum checked) with the inputs init chose. actions/checkout
/// is pinned by commit, as a workflow holding a write token should pin what it runs.
fn workflow_text(types: &[ScanType], threshold: Severity, baseline: Option<&str>) -> String {
    let types: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
    let baseline = baseline
        .map(|path| format!("          baseline: {path} # findings listed there are suppressed\n"))
        .unwrap_or_default();
    format!(
        "name: SecureScan\n\
         on: pull_request\n\
         permissions:\n  \
           contents: read\n  \
           pull-requests: write # the upserted PR comment and the inline review\n  \
           security-events: write # SARIF upload to the Security tab\n  \
           actions: read # SARIF upload reads the run's metadata in private repositories\n\
         jobs:\n  \
           securescan:\n    \
             runs-on: ubuntu-latest\n    \
             steps:\n      \
               - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n        \
                 with:\n          \
                   fetch-depth: 0 # diff needs both the base and the head commit\n      \
               # @v1 follows the v1.x releases; pin one (@vX.Y.Z) to choose when to upgrade.\n      \
               - uses: Metbcy/securescan@v1\n        \
                 with:\n          \
                   scan-types: {types}\n          \
                   fail-on-severity: {threshold}\n\
         {baseline}          \
                   pr-mode: summary # or inline, or both\n          \
                   comment-on-pr: true\n          \
                   upload-sarif: true\n",
        types = types.join(","),
        threshold = threshold.as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_python_project_with_a_dockerfile_gets_code_dependency_iac_and_baseline() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("requirements.txt"), "flask\n").unwrap();
        std::fs::write(dir.path().join("Dockerfile.dev"), "FROM x\n").unwrap();
        assert_eq!(
            detect_stack(dir.path()),
            [
                ScanType::Code,
                ScanType::Dependency,
                ScanType::Iac,
                ScanType::Baseline
            ]
        );
    }

    #[test]
    fn terraform_under_infra_is_iac() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("infra")).unwrap();
        std::fs::write(dir.path().join("infra/main.tf"), "").unwrap();
        assert_eq!(
            detect_stack(dir.path()),
            [ScanType::Iac, ScanType::Baseline]
        );
    }

    #[test]
    fn the_generated_config_passes_the_linter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".securescan.yml");
        std::fs::write(
            &path,
            config_text("demo", &[ScanType::Code, ScanType::Iac], Severity::High),
        )
        .unwrap();
        let checked = securescan_engine::config::lint(&path);
        assert!(checked.is_valid(), "{}", checked.render());
        let config = checked.config.unwrap();
        assert_eq!(config.scan_types, [ScanType::Code, ScanType::Iac]);
        assert_eq!(config.fail_on_severity, Some(Severity::High));
    }
}
