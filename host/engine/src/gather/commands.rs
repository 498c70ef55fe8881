//! Commands an adapter's registry entry names (`git ls-files`, `ss -tlnp`, …), run with no shell;
//! their stdout goes to the adapter by name. A command that cannot run is reported as such
//! (no exit code), never as empty output.

use std::collections::BTreeMap;

use crate::tools::{ChildEnv, find_tool, run_tool};
use securescan_registry::{CommandSpec, argv};
use securescan_sandbox::WitCommandOutput;

/// Run each command in turn with `vars` filled into its argv, in the environment `env` (the
/// scan's git environment: `git ls-files` reads the scanned repository).
pub async fn run_commands(
    specs: &[CommandSpec],
    vars: &[(&str, &str)],
    env: &ChildEnv,
    stdout_limit: usize,
) -> Vec<WitCommandOutput> {
    // System tools translate their messages ("Status: active"); adapters read the C locale's.
    let env = env.clone().set("LC_ALL", "C");
    let values: BTreeMap<String, Vec<String>> = vars
        .iter()
        .map(|(name, value)| (name.to_string(), vec![argv::path_arg(value)]))
        .collect();
    let mut outputs = Vec::with_capacity(specs.len());
    for spec in specs {
        outputs.push(run_one(spec, &values, &env, stdout_limit).await);
    }
    outputs
}

async fn run_one(
    spec: &CommandSpec,
    values: &BTreeMap<String, Vec<String>>,
    env: &ChildEnv,
    stdout_limit: usize,
) -> WitCommandOutput {
    let not_run = |why: &str| {
        tracing::debug!(command = %spec.name, "not run: {why}");
        WitCommandOutput {
            name: spec.name.clone(),
            exit_code: None,
            stdout: Vec::new(),
        }
    };
    let argv = match argv::expand(&spec.argv, values) {
        Ok(argv) => argv,
        Err(err) => return not_run(&err.to_string()),
    };
    let Some((program, args)) = argv.split_first() else {
        return not_run("empty argv");
    };
    let Some(path) = find_tool(program) else {
        return not_run("not installed");
    };
    match run_tool(&path, args, env, spec.timeout, stdout_limit).await {
        Ok(run) => WitCommandOutput {
            name: spec.name.clone(),
            exit_code: run.exit_code,
            stdout: run.stdout,
        },
        Err(err) => not_run(&err.to_string()),
    }
}
