//! Subcommands. Exit codes: 0 ok, 1 failed, 2 usage.

mod benchmark;
mod build;
mod demo;
mod generate;
mod ingest;
mod query;
mod releases;
mod report;
mod savings;
mod serve;

use clap::{Parser, Subcommand};

/// What a subcommand returns: any library's error (each crate's own type) or a message, turned
/// into the message `main` prints (exit 1).
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Samtalebank: a statistics bank for the conversations jobcentres hold with people on benefits.
#[derive(Parser, Debug)]
#[command(name = "samtalebank", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    Generate(generate::Args),
    Ingest(ingest::Args),
    Build(build::Args),
    Serve(serve::Args),
    Demo(demo::Args),
    Benchmark(benchmark::Args),
    Report(report::Args),
    Releases(releases::Args),
    Query(query::Args),
    Savings(savings::Args),
}

pub fn run(cli: Cli) -> Result {
    match cli.command {
        Command::Generate(a) => generate::run(a),
        Command::Ingest(a) => ingest::run(a),
        Command::Build(a) => build::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Benchmark(a) => benchmark::run(a),
        Command::Report(a) => report::run(a),
        Command::Releases(a) => releases::run(a),
        Command::Query(a) => query::run(a),
        Command::Savings(a) => savings::run(a),
    }
}

/// Parse `2019-2024` or `2023`.
pub fn parse_years(s: &str) -> std::result::Result<(i32, i32), String> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a: i32 = a
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a year range like 2019-2024"))?;
    let b: i32 = b
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a year range like 2019-2024"))?;
    if a > b {
        return Err(format!("'{s}': the first year is after the last"));
    }
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every subcommand, at any depth, and every one of its arguments has a help text.
    #[test]
    fn every_subcommand_and_argument_has_help() {
        fn check(cmd: &clap::Command, path: &str, seen: &mut usize, missing: &mut Vec<String>) {
            for sub in cmd.get_subcommands() {
                let p = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() {
                    missing.push(format!("`{p}`"));
                }
                for arg in sub.get_arguments() {
                    let id = arg.get_id().as_str();
                    if id == "help" || id == "version" {
                        continue;
                    }
                    if arg.get_help().is_none() {
                        missing.push(format!("`{p}` argument `{id}`"));
                    }
                    *seen += 1;
                }
                check(sub, &p, seen, missing);
            }
        }
        let mut seen = 0;
        let mut missing = Vec::new();
        check(
            &super::Cli::command(),
            "samtalebank",
            &mut seen,
            &mut missing,
        );
        assert!(missing.is_empty(), "no help text: {}", missing.join(", "));
        assert!(seen > 30, "only {seen} arguments checked");
    }
}
