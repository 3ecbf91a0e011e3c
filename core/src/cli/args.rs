//! Argument parsing for the CLI: a command, positionals, `-f` files and named options.

use crate::sorted::SortedMap;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Args {
    pub command: String,
    pub positional: Vec<String>,
    pub files: Vec<String>,
    pub bookinfo: bool,
    pub output: Option<String>,
    /// Other `--name value` options, for the subcommands that take them.
    pub options: SortedMap<String, String>,
}

/// Options that take a value (beyond -f and -o).
const VALUED: &[&str] = &["--request", "--runs", "--from", "--seed", "--iterations"];

impl Args {
    pub fn parse(argv: &[String]) -> Result<Args, String> {
        let mut a = Args::default();
        let mut it = argv.iter();
        while let Some(arg) = it.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (arg.as_str(), None),
            };
            let mut value = |name: &str| -> Result<String, String> {
                inline
                    .clone()
                    .or_else(|| it.next().cloned())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag {
                "-f" | "--filename" | "--file" => a.files.push(value(flag)?),
                "-o" | "--output" => a.output = Some(value(flag)?),
                "--bookinfo" => a.bookinfo = true,
                // `convert --status`: a flag without a value.
                "--status" => _ = a.options.insert("status".into(), String::new()),
                f if VALUED.contains(&f) => {
                    let v = value(f)?;
                    a.options.insert(f.trim_start_matches('-').to_string(), v);
                }
                f if f.starts_with('-') && f != "-" => return Err(format!("unknown option {f}")),
                _ if a.command.is_empty() => a.command = arg.clone(),
                _ => a.positional.push(arg.clone()),
            }
        }
        Ok(a)
    }

    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_istioctl_style() {
        let a = Args::parse(&argv(
            "proxy-config routes productpage-v1 -f a.yaml -f b.yaml --bookinfo -o json",
        ))
        .unwrap();
        assert_eq!(a.command, "proxy-config");
        assert_eq!(a.positional, ["routes", "productpage-v1"]);
        assert_eq!(a.files, ["a.yaml", "b.yaml"]);
        assert!(a.bookinfo);
        assert_eq!(a.output.as_deref(), Some("json"));
        assert!(Args::parse(&argv("proxies --nope")).is_err());
        assert!(Args::parse(&argv("proxies -f")).is_err());
    }
}
