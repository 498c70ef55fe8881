//! Adapters that look at a running web application: the built-in header checks over the host's
//! own HTTP exchanges, and ZAP, driven by the host through its daemon's API.

use super::FailureKind;
use super::scanner::{Collected, Job, ScanError};
use crate::gather::{ZapSession, fetch_chain, zap_alerts};
use securescan_registry::{HttpProbe, ZapDriver};
use securescan_sandbox::{LoadedAdapter, WitInput, WitToolReport};

pub(super) async fn http_scan(
    job: &mut Job,
    adapter: &LoadedAdapter,
    probe: &HttpProbe,
) -> Result<Collected, ScanError> {
    let (url, probe) = (job.target.to_string(), *probe);
    let exchanges = tokio::task::spawn_blocking(move || fetch_chain(&url, &probe))
        .await
        .map_err(|err| ScanError::new(FailureKind::Http, err.to_string()))?
        .map_err(|err| ScanError::new(FailureKind::Http, err.to_string()))?;
    let mut input = WitInput::for_files(&job.target, Vec::new(), None);
    input.exchanges = exchanges;
    let findings = job.call(adapter, input).await?;
    Ok(Collected::Findings(findings))
}

pub(super) async fn zap_scan(
    job: &mut Job,
    adapter: &LoadedAdapter,
    driver: &ZapDriver,
) -> Result<Collected, ScanError> {
    let Some(address) = job.ctx.settings.zap_address.clone() else {
        return Ok(Collected::Skipped {
            reason: "SECURESCAN_ZAP_ADDRESS is not set".into(),
            install_hint: Some(driver.install_hint.clone()),
        });
    };
    let session = ZapSession {
        address,
        api_key: job.ctx.settings.zap_api_key.clone(),
    };
    let probe = session.clone();
    let version = tokio::task::spawn_blocking(move || probe.version())
        .await
        .map_err(|err| ScanError::new(FailureKind::Zap, err.to_string()))?;
    let version = match version {
        Ok(version) => version,
        Err(err) => {
            return Ok(Collected::Skipped {
                reason: err.to_string(),
                install_hint: Some(driver.install_hint.clone()),
            });
        }
    };
    let (target, owned_driver, limit) = (
        job.target.to_string(),
        driver.clone(),
        adapter.limits.max_input_bytes,
    );
    let alerts =
        tokio::task::spawn_blocking(move || zap_alerts(&session, &target, &owned_driver, limit))
            .await
            .map_err(|err| ScanError::new(FailureKind::Zap, err.to_string()))?
            .map_err(|err| ScanError::new(FailureKind::Zap, err.to_string()))?;
    let report = WitToolReport {
        bytes: alerts,
        exit_code: None,
        tool_version: Some(version),
    };
    let findings = job
        .call(adapter, WitInput::for_report(&job.target, report))
        .await?;
    Ok(Collected::Findings(findings))
}
