use pilotlight_core::cli;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = args
        .split_first()
        .map_or(("", &[][..]), |(c, r)| (c.as_str(), r));
    let result = match cmd {
        "simulate" => cli::simulate::run(rest),
        "trace" => cli::trace::run(rest),
        _ => Err(format!(
            "usage: pilotlight <simulate|trace> ...\n\n{}\n\n{}",
            cli::simulate::USAGE,
            cli::trace::USAGE
        )),
    };
    match result {
        Ok(out) => print!("{out}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
