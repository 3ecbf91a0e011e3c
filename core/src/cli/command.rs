//! The `pilotlight` command and its subcommands, declared for clap: flags, help texts, aliases
//! (`pc`, `l`, `ep`...) and what shell completions are generated from. istioctl's names and
//! meanings wherever istioctl has the same command.

use clap::{Arg, ArgAction, Command};

pub const ABOUT: &str =
    "The Envoy configuration istiod would push, from Istio and Kubernetes YAML, with no cluster";

/// `-f FILE...` and `--bookinfo`, which every command reading a mesh takes.
fn inputs(cmd: Command, global: bool) -> Command {
    cmd.arg(
        Arg::new("filename")
            .short('f')
            .long("filename")
            .visible_alias("file")
            .value_name("FILE")
            .action(ArgAction::Append)
            .global(global)
            .value_hint(clap::ValueHint::FilePath)
            .help("Kubernetes/Istio YAML or JSON to read (kubectl's List too); repeat for more files; `-` reads standard input"),
    )
    .arg(
        Arg::new("bookinfo")
            .long("bookinfo")
            .action(ArgAction::SetTrue)
            .global(global)
            .help("Add Istio's Bookinfo sample and the ingress gateway to the inputs"),
    )
}

fn output(formats: &'static str, default: &'static str, global: bool) -> Arg {
    Arg::new("output")
        .short('o')
        .long("output")
        .value_name("FORMAT")
        .global(global)
        .help(format!(
            "Output format: one of {formats} (default {default})"
        ))
}

fn valued(name: &'static str, value: &'static str, help: &'static str) -> Arg {
    Arg::new(name).long(name).value_name(value).help(help)
}

fn proxy_arg() -> Arg {
    Arg::new("proxy")
        .value_name("PROXY")
        .required(true)
        .help("A pod or Deployment name, optionally NAME.NAMESPACE")
}

fn request_args(cmd: Command) -> Command {
    cmd.arg(valued(
        "request",
        "JSON",
        "The request: inline JSON or @FILE (keys: mode, address, port, protocol, tls, alpn, sni, host, path, method, headers)",
    ))
    .arg(valued(
        "seed",
        "N",
        "Seed for weighted routes, endpoint picks and fault percentages (default 0)",
    ))
    .arg(output("json|short", "json", false))
}

/// istioctl's proxy-config filter flags (`--port` is shared by clusters, listeners and endpoints).
fn cluster_filters(cmd: Command) -> Command {
    cmd.arg(valued(
        "fqdn",
        "FQDN",
        "Filter clusters by substring of Service FQDN field",
    ))
    .arg(valued(
        "direction",
        "DIRECTION",
        "Filter clusters by Direction field",
    ))
    .arg(valued(
        "subset",
        "SUBSET",
        "Filter clusters by substring of Subset field",
    ))
}

fn port_filter(help: &'static str) -> Arg {
    valued("port", "PORT", help).value_parser(clap::value_parser!(u32))
}

fn resource(name: &'static str, aliases: &[&'static str], about: &'static str) -> Command {
    Command::new(name)
        .visible_aliases(aliases.to_vec())
        .about(about)
        .arg(proxy_arg())
}

fn proxy_config() -> Command {
    let cmd = Command::new("proxy-config")
        .visible_alias("pc")
        .about("The Envoy configuration of one proxy, as `istioctl proxy-config` prints it")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(output("short|json|yaml", "short", true));
    inputs(cmd, true)
        .subcommand(cluster_filters(
            resource("cluster", &["clusters", "c"], "The proxy's clusters (CDS)")
                .arg(port_filter("Filter clusters by Port field")),
        ))
        .subcommand(
            resource("listener", &["listeners", "l"], "The proxy's listeners (LDS)")
                .arg(valued(
                    "address",
                    "ADDRESS",
                    "Filter listeners by address field",
                ))
                .arg(valued("type", "TYPE", "Filter listeners by type field"))
                .arg(port_filter("Filter listeners by Port field")),
        )
        .subcommand(resource(
            "envoyfilter",
            &["envoyfilters", "ef"],
            "What each EnvoyFilter patch changed in this proxy, or why it changed nothing",
        ))
        .subcommand(
            resource("route", &["routes", "r"], "The proxy's route configurations (RDS)").arg(
                valued("name", "NAME", "Filter listeners by route name field"),
            ),
        )
        .subcommand(
            resource("endpoint", &["endpoints", "ep"], "The proxy's endpoints (EDS)")
                .arg(valued(
                    "address",
                    "ADDRESS",
                    "Filter endpoints by address field",
                ))
                .arg(port_filter("Filter endpoints by Port field"))
                .arg(valued(
                    "cluster",
                    "CLUSTER",
                    "Filter endpoints by cluster name field",
                ))
                .arg(valued("status", "STATUS", "Filter endpoints by status field")),
        )
        .subcommand(cluster_filters(
            resource(
                "all",
                &["a"],
                "Clusters, listeners, routes and endpoints; the whole config dump with -o json|yaml",
            )
            .arg(port_filter("Filter clusters and listeners by Port field"))
            .arg(valued(
                "address",
                "ADDRESS",
                "Filter listeners by address field",
            ))
            .arg(valued("type", "TYPE", "Filter listeners by type field"))
            .arg(valued("name", "NAME", "Filter routes by route name field")),
        ))
}

fn analyze() -> Command {
    let levels = "Valid values: [Info Warning Error]";
    inputs(
        Command::new("analyze")
            .about("Analyze Istio configuration and print validation messages, as `istioctl analyze` does on files"),
        false,
    )
    .arg(output("log|json", "log", false))
    .arg(
        Arg::new("suppress")
            .short('S')
            .long("suppress")
            .value_name("CODE=RESOURCE")
            .action(ArgAction::Append)
            .help("Suppress reporting a message code on a specific resource, in the form <code>=<resource> (e.g. '--suppress \"IST0102=DestinationRule default/primary-dr\"'). Can be repeated. `*` matches any text (e.g. '--suppress \"IST0102=DestinationRule default/*\"')"),
    )
    .arg(
        valued("output-threshold", "LEVEL", "The severity level of analysis at which to display messages")
            .long_help(format!("The severity level of analysis at which to display messages. {levels} (default Info)")),
    )
    .arg(
        valued("failure-threshold", "LEVEL", "The severity level of analysis at which to set a non-zero exit code")
            .long_help(format!("The severity level of analysis at which to set a non-zero exit code. {levels} (default Error)")),
    )
    .arg(
        Arg::new("list-analyzers")
            .short('L')
            .long("list-analyzers")
            .action(ArgAction::SetTrue)
            .help("List the analyzers available to run. Suppresses normal execution."),
    )
    .arg(valued(
        "meshConfigFile",
        "FILE",
        "MeshConfig (YAML) to analyze with, in place of the `istio` ConfigMap's",
    ))
    .arg(
        Arg::new("ignore-unknown")
            .long("ignore-unknown")
            .action(ArgAction::SetTrue)
            .help("Don't complain about un-parseable input documents"),
    )
}

fn bench() -> Command {
    Command::new("bench")
        .about("How fast load and translation are, on Bookinfo and on generated meshes of N services (build with --release)")
        .arg(valued("sizes", "LIST", "Sizes of the generated meshes (default 100,1000,5000)"))
        .arg(valued("topology-sizes", "LIST", "Sizes for the mesh picture and first-trace rows (default 100,400,1000; 0: none)"))
        .arg(valued("edit-size", "N", "Size of the mesh edited once and loaded incrementally (default 1000; 0: none)"))
        .arg(valued("every-seconds", "S", "Time to spend translating proxies one by one for \"every proxy\"; the rest is extrapolated (default 5)"))
        .arg(valued("max-proxies", "N", "Translate at most N proxies that way (default: no limit)"))
        .arg(valued("emit", "N", "Print the generated mesh of N services as YAML and exit"))
}

/// The whole command line.
pub fn command() -> Command {
    Command::new("pilotlight")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(inputs(
            Command::new("proxies").about("The proxies of the mesh: sidecars and gateways"),
            false,
        ))
        .subcommand(proxy_config())
        .subcommand(request_args(inputs(
            Command::new("simulate")
                .about("Walk one request through one proxy's Envoy configuration and print every decision")
                .arg(proxy_arg()),
            false,
        )))
        .subcommand(request_args(inputs(
            Command::new("trace")
                .about("Follow a request through the mesh, proxy to proxy, from the ingress gateway or --from PROXY")
                .arg(valued("from", "PROXY", "Start at this proxy instead of the ingress gateway"))
                .arg(valued("runs", "N", "Sample N requests (seeds N, N+1, ...) and count the workloads each reached")),
            false,
        )))
        .subcommand(analyze())
        .subcommand(
            inputs(
                Command::new("convert").about("The Istio objects istiod derives from Gateway API and Ingress objects"),
                false,
            )
            .arg(output("yaml|json", "yaml", false))
            .arg(
                Arg::new("status")
                    .long("status")
                    .action(ArgAction::SetTrue)
                    .help("Print the status istiod writes on each Gateway API object instead"),
            ),
        )
        .subcommand(bench())
        .subcommand(
            Command::new("completion")
                .about("Print a shell completion script: `source <(pilotlight completion bash)`")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(["bash", "zsh", "fish"])
                        .help("The shell"),
                ),
        )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_is_well_formed() {
        super::command().debug_assert();
    }
}
