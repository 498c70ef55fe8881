//! The host's one integration-test binary.

mod cli;
mod conformance;
mod corpus;
mod formats;
mod hostile;
mod live;
mod processes;
mod real_tools;
mod sbom;
mod support;
