//! `pilotlight`: see `pilotlight help`.

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
