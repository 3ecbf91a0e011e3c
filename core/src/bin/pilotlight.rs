//! `pilotlight`: see `pilotlight help`.

// Translation builds and frees millions of small JSON nodes; mimalloc keeps that cost linear in
// the mesh size where glibc's malloc does not (README, Measured).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let code = pilotlight_core::cli::run(
        &argv,
        &mut std::io::stdin(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    std::process::exit(code);
}
