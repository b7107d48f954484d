//! Regenerates the repository's `manifest.json` from the config types (MAN-06).
//!
//! Usage: `gen-manifest-schema [--write | --check] [--path FILE]`
//! - no flag: print the manifest to stdout
//! - `--write`: overwrite the file (default: `manifest.json` at the workspace root)
//! - `--check`: exit 1 when the file differs from the generated manifest (for CI)

use std::path::PathBuf;
use std::process::ExitCode;

use bedrock_plugin::manifest::manifest_json_string;

const REGENERATE_HINT: &str = "cargo run -p bedrock-plugin --bin gen-manifest-schema -- --write";

enum Mode {
    Print,
    Write,
    Check,
}

fn default_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../manifest.json"))
}

fn main() -> ExitCode {
    let mut mode = Mode::Print;
    let mut path = default_path();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => mode = Mode::Write,
            "--check" => mode = Mode::Check,
            "--path" => match args.next() {
                Some(p) => path = PathBuf::from(p),
                None => {
                    eprintln!("--path needs a file name");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("usage: gen-manifest-schema [--write | --check] [--path FILE]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}; usage: gen-manifest-schema [--write | --check] [--path FILE]");
                return ExitCode::from(2);
            }
        }
    }

    let generated = manifest_json_string();
    match mode {
        Mode::Print => {
            print!("{generated}");
            ExitCode::SUCCESS
        }
        Mode::Write => match std::fs::write(&path, &generated) {
            Ok(()) => {
                eprintln!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("cannot write {}: {err}", path.display());
                ExitCode::from(2)
            }
        },
        Mode::Check => {
            let current = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(err) => {
                    eprintln!(
                        "cannot read {}: {err}\nrun `{REGENERATE_HINT}`",
                        path.display()
                    );
                    return ExitCode::from(1);
                }
            };
            if current == generated {
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "{} is out of date with the config types; run `{REGENERATE_HINT}`",
                path.display()
            );
            if let Some((line, ours, theirs)) = first_difference(&current, &generated) {
                eprintln!("first difference at line {line}:");
                eprintln!("  file:      {ours}");
                eprintln!("  generated: {theirs}");
            }
            ExitCode::from(1)
        }
    }
}

fn first_difference<'a>(current: &'a str, generated: &'a str) -> Option<(usize, &'a str, &'a str)> {
    let mut a = current.lines();
    let mut b = generated.lines();
    let mut line = 0;
    loop {
        line += 1;
        match (a.next(), b.next()) {
            (None, None) => return None,
            (x, y) if x != y => {
                return Some((
                    line,
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>"),
                ))
            }
            _ => {}
        }
    }
}
