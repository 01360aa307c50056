//! What a browser downloads: raw, gzip and brotli bytes of the release WASM, JS and CSS.

use std::io::Write as _;

/// Budget for the first page's download, brotli.
const BROTLI_BUDGET: usize = 300 * 1024;

fn gzip(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap().len()
}

pub fn brotli(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).unwrap();
    out.len()
}

/// Prints the first download file by file and the on-demand files in all; false when the
/// budget is missed.
pub fn first_download(pkg: &std::path::Path) -> bool {
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    println!(
        "What a browser downloads for the first page ({}):",
        pkg.display()
    );
    let mut entries: Vec<_> = std::fs::read_dir(pkg)
        .expect("build the site first (make build)")
        .flatten()
        .collect();
    entries.sort_by_key(|e| e.file_name());
    let mut lazy = Vec::new();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().to_string();
        if !(name.ends_with(".wasm") || name.ends_with(".js") || name.ends_with(".css")) {
            continue;
        }
        // Pages split off by `cargo leptos build --split` (and code they share) load on demand.
        if name.starts_with("split_") || name.starts_with("chunk_") {
            lazy.push(entry);
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let (g, b) = (gzip(&bytes), brotli(&bytes));
        println!(
            "  {name:<48} raw {:>9}  gzip {:>8}  brotli {:>8}",
            bytes.len(),
            g,
            b
        );
        raw += bytes.len();
        gz += g;
        br += b;
    }
    let (mut lazy_br, mut largest) = (0, (0, String::new()));
    for entry in &lazy {
        let b = brotli(&std::fs::read(entry.path()).unwrap());
        lazy_br += b;
        if b > largest.0 {
            largest = (b, entry.file_name().to_string_lossy().to_string());
        }
    }
    println!(
        "  (loaded on demand: {} files, {lazy_br} bytes brotli in all; the largest, {}, {} bytes)",
        lazy.len(),
        largest.1,
        largest.0
    );
    let pass = br < BROTLI_BUDGET;
    println!(
        "  {:<48} raw {raw:>9}  gzip {gz:>8}  brotli {br:>8}   budget < {BROTLI_BUDGET} brotli: {}",
        "total",
        crate::verdict(pass)
    );
    pass
}
