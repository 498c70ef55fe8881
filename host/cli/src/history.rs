//! `securescan history`: the scans saved in the local store, newest first.

use clap::Args;

use super::exit::{CommandResult, Exit, Failure};
use super::output::write_artifact;
use securescan_store::Store;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// How many scans to list.
    #[arg(long, short = 'n', default_value_t = 20)]
    limit: usize,
    /// Print JSON (an array of scans) instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: HistoryArgs) -> CommandResult {
    let path = securescan_store::default_path();
    if !path.exists() {
        tell!(
            "No saved scans yet ({} does not exist; `securescan scan` saves there).",
            path.display()
        );
        return Ok(Exit::Ok);
    }
    let store = Store::open(&path).map_err(|err| Failure::internal(err.to_string()))?;
    let scans = store
        .history(args.limit)
        .map_err(|err| Failure::internal(err.to_string()))?;
    let text = if args.json {
        let mut text = serde_json::to_string_pretty(&scans)
            .unwrap_or_else(|err| unreachable!("saved scans are plain data: {err}"));
        text.push('\n');
        text
    } else {
        let mut text = format!(
            "{:<36}  {:<20}  {:<23}  {:>8}  {:>5}  TARGET\n",
            "ID", "STARTED", "STATUS", "FINDINGS", "RISK"
        );
        for s in &scans {
            text.push_str(&format!(
                "{:<36}  {:<20}  {:<23}  {:>8}  {:>5.1}  {}\n",
                s.id,
                s.started_at,
                s.status,
                s.findings_count,
                s.risk_score,
                s.target.replace(|c: char| c.is_control(), "?")
            ));
        }
        text
    };
    write_artifact(&text, None)?;
    Ok(Exit::Ok)
}
