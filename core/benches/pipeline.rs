//! `cargo bench -p pilotlight-core --bench pipeline [-- --sizes 100,1000]`: the same report as
//! `pilotlight bench`, built with the bench profile (optimised).

fn main() {
    // cargo bench passes `--bench`; everything else goes to the report.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match pilotlight_core::bench::run(&args) {
        Ok(report) => print!("{report}"),
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    }
}
