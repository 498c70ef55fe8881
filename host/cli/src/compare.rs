//! `securescan compare [TARGET] BASELINE`: what drifted since a saved baseline — findings new
//! since it, findings gone from it, and how many are still present.

use std::path::Path;

use clap::Args;
use serde_json::{Map, Value};

use super::changes::{ChangeContext, ChangeOutputArgs, deliver_changes};
use super::config::{GateArgs, load_for};
use super::exit::{CommandResult, Exit, Failure};
use super::locations;
use super::scan::{
    ScanOptions, announce, config_start, progress, report_outcomes, request_failure,
};
use securescan_engine::config::FindingPolicy;
use securescan_engine::findings::ChangeMode;
use securescan_engine::snapshot::load_snapshot;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// `[TARGET] BASELINE`: the directory to scan (default: the current one) and the baseline
    /// file (`securescan baseline`) or any findings JSON to compare it with.
    #[arg(num_args = 1..=2, required = true, value_names = ["TARGET", "BASELINE"])]
    paths: Vec<String>,
    #[command(flatten)]
    options: ScanOptions,
    #[command(flatten)]
    gate: GateArgs,
    #[command(flatten)]
    output: ChangeOutputArgs,
}

pub async fn run(args: CompareArgs) -> CommandResult {
    let (target, baseline) = match args.paths.as_slice() {
        [baseline] => (".".to_string(), baseline.clone()),
        [target, baseline] => (target.clone(), baseline.clone()),
        _ => unreachable!("clap takes one or two paths"),
    };
    args.output.check_review_inputs("compare")?;
    let old = load_snapshot(Path::new(&baseline))
        .map_err(|err| Failure::usage(format!("compare: failed to load baseline: {err}")))?;
    let config = load_for(&config_start(&target))?;
    let policy = FindingPolicy {
        show_suppressed: true,
        ..args.gate.policy(config.as_ref())
    };
    let request = args
        .options
        .request(target.clone(), config.as_ref(), policy)?;
    let engine = locations::engine()?;
    announce(&engine, &request)?;
    let (changes, scan) = engine
        .compare(&request, old, &progress())
        .await
        .map_err(request_failure)?;
    let exit = report_outcomes(&scan.scanners);
    if exit != Exit::Ok {
        tell!("compare: failed scanners: baseline findings only they report show as disappeared");
    }
    let types = scan.scan_types;
    let mut properties = Map::new();
    properties.insert("diffMode".into(), Value::Bool(true));
    deliver_changes(
        &changes,
        &args.output,
        &ChangeContext {
            mode: ChangeMode::Compare,
            target: &target,
            types: &types,
            repo_dir: Some(Path::new(&target)),
            sarif_properties: properties,
        },
        args.gate.show_suppressed(),
    )?;
    Ok(args.gate.gate(config.as_ref(), &changes.new, exit))
}
