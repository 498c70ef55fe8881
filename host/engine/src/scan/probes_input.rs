//! The baseline analyzer's input: host-configuration probes under the target (a chroot or a
//! mounted snapshot) or, for `/` or `--baseline-host-probes`, of the live host.

use super::FailureKind;
use super::scanner::{Collected, Job, ScanError};
use crate::gather::{ProbeRoot, gather_probes, run_commands};
use crate::tools::ChildEnv;
use securescan_registry::Probes;
use securescan_sandbox::{LoadedAdapter, WitInput};

pub(super) async fn probes_scan(
    job: &mut Job,
    adapter: &LoadedAdapter,
    probes: &Probes,
) -> Result<Collected, ScanError> {
    let host = job.host_probes || job.target.trim_end_matches('/').is_empty();
    let home = job.ctx.settings.home.clone();
    let root = if host {
        ProbeRoot::Host { home: home.clone() }
    } else {
        ProbeRoot::Target(job.target.to_string())
    };
    let owned = (root.clone(), probes.clone());
    let results = tokio::task::spawn_blocking(move || gather_probes(&owned.0, &owned.1))
        .await
        .map_err(|err| ScanError::new(FailureKind::Gather, err.to_string()))?;
    let mut input = WitInput::for_files(&job.target, results.files, None);
    input.metadata = results.metadata;
    input.environment = results.environment;
    let mut settings = vec![(
        "mode".to_string(),
        if host { "host" } else { "target" }.to_string(),
    )];
    if host {
        // Commands read the live system; under a target directory they would describe this host.
        input.commands = run_commands(
            &probes.commands,
            &[],
            &ChildEnv::new(),
            adapter.limits.max_input_bytes,
        )
        .await;
        if let Some(home) = home {
            settings.push(("home".to_string(), home.to_string_lossy().into_owned()));
        }
    }
    input.settings = settings;
    let findings = job.call(adapter, input).await?;
    Ok(Collected::Findings(findings))
}
