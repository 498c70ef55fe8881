//! Embeds the dashboard's built files (frontend/dist, made by `npm run build` in frontend/; the
//! README's set-up does it before cargo) into the binary, so `securescan serve` is the whole
//! installation. Without a build the server still compiles and says, at `/`, how to make one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dist = manifest.join("../../frontend/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    if dist.join("index.html").is_file() {
        collect(&dist, &dist, &mut files);
    } else {
        println!(
            "cargo:warning=frontend/dist is missing: the dashboard is not embedded (run `npm ci && npm run build` in frontend/, as scripts/setup.sh does)"
        );
    }
    files.sort();
    let mut code = String::from(
        "/// The dashboard's files: (path under dist/, contents).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (relative, absolute) in &files {
        let _ = writeln!(code, "    ({relative:?}, include_bytes!({absolute:?})),");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("dashboard_files.rs"), code).expect("write the embedded file list");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            collect(root, &path, files);
        } else if kind.is_file()
            && let (Ok(relative), Ok(absolute)) = (path.strip_prefix(root), path.canonicalize())
        {
            let relative = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.push((relative, absolute.display().to_string()));
        }
    }
}
