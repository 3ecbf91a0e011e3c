//! The parsed command line, as the subcommands read it: a command path, positionals, `-f` files
//! and named options. Parsing itself is clap's (see `command.rs`).

use crate::sorted::SortedMap;
use clap::ArgMatches;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Args {
    /// The subcommand (`proxy-config`, `analyze`...), by its canonical name.
    pub command: String,
    /// Positional arguments; for `proxy-config`, the resource (`listeners`...) then the proxy.
    pub positional: Vec<String>,
    pub files: Vec<String>,
    pub bookinfo: bool,
    pub output: Option<String>,
    /// Other `--name value` options and switches (`"true"`), by long name without dashes.
    pub options: SortedMap<String, String>,
    /// Repeatable options (`-S`), by long name.
    pub lists: SortedMap<String, Vec<String>>,
}

/// Arguments that are neither inputs nor positionals.
const INPUTS: &[&str] = &["filename", "bookinfo", "output", "proxy", "shell"];

impl Args {
    /// Parse `argv` (without the program name).
    pub fn parse(argv: &[String]) -> Result<Args, clap::Error> {
        let argv = std::iter::once("pilotlight".to_string()).chain(argv.iter().cloned());
        let matches = super::command::command().try_get_matches_from(argv)?;
        Ok(Args::from_matches(&matches))
    }

    fn from_matches(matches: &ArgMatches) -> Args {
        let mut a = Args::default();
        let mut m = matches;
        while let Some((name, sub)) = m.subcommand() {
            if a.command.is_empty() {
                a.command = name.to_string();
            } else {
                a.positional.push(name.to_string());
            }
            m = sub;
        }
        a.files = strings(m, "filename");
        a.bookinfo = matches!(m.try_get_one::<bool>("bookinfo"), Ok(Some(true)));
        a.output = strings(m, "output").pop();
        a.positional.extend(strings(m, "proxy"));
        a.positional.extend(strings(m, "shell"));
        for id in m.ids().map(|id| id.as_str()) {
            if INPUTS.contains(&id)
                || m.value_source(id) != Some(clap::parser::ValueSource::CommandLine)
            {
                continue;
            }
            if let Ok(Some(&on)) = m.try_get_one::<bool>(id) {
                if on {
                    a.options.insert(id.to_string(), "true".into());
                }
                continue;
            }
            let values = strings(m, id);
            if id == "suppress" {
                a.lists.insert(id.to_string(), values);
            } else if let Some(v) = values.last() {
                a.options.insert(id.to_string(), v.clone());
            }
        }
        a
    }

    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    pub fn flag(&self, name: &str) -> bool {
        self.option(name) == Some("true")
    }

    pub fn list(&self, name: &str) -> &[String] {
        self.lists.get(name).map_or(&[], Vec::as_slice)
    }
}

/// Every value of an argument as text, whatever its parsed type (`--port` is a number).
fn strings(m: &ArgMatches, id: &str) -> Vec<String> {
    if let Ok(Some(values)) = m.try_get_many::<String>(id) {
        return values.cloned().collect();
    }
    if let Ok(Some(values)) = m.try_get_many::<u32>(id) {
        return values.map(u32::to_string).collect();
    }
    Vec::new()
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
        assert_eq!(a.positional, ["route", "productpage-v1"]);
        assert_eq!(a.files, ["a.yaml", "b.yaml"]);
        assert!(a.bookinfo);
        assert_eq!(a.output.as_deref(), Some("json"));
        // Flags before the resource, the `pc` alias and a filter.
        let a = Args::parse(&argv("pc -f a.yaml c reviews-v1 --port 9080")).unwrap();
        assert_eq!(a.command, "proxy-config");
        assert_eq!(a.positional, ["cluster", "reviews-v1"]);
        assert_eq!(a.option("port"), Some("9080"));
        let a = Args::parse(&argv("analyze -f a.yaml -S IST0101=x -S IST0102=y -L")).unwrap();
        assert_eq!(a.list("suppress"), ["IST0101=x", "IST0102=y"]);
        assert!(a.flag("list-analyzers"));
        assert!(Args::parse(&argv("proxies --nope")).is_err());
        assert!(Args::parse(&argv("proxies -f")).is_err());
    }
}
