//! `securescan serve`'s application without a socket: `securescan_server::app` driven request by
//! request with `tower::ServiceExt::oneshot`, over the real engine (the registry's built
//! adapters) and a store of its own. A test binary of its own so it builds without the `it`
//! binary's modules; the live-socket behaviour (signals, kill -9) is tested elsewhere.

// Shared with the `it` binary, which uses more of it than these tests do.
#[allow(dead_code)]
#[path = "../it/support.rs"]
mod support;

mod dashboard;
mod harness;
mod routes;
mod scans;
