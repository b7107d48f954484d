//! `config get|set|unset|show`: the host config file by dotted path, checked against the
//! plugin's manifest schema before anything is written (PLG-44), and the plugin's config
//! as the plugin sees it (PLG-45). Secrets are shown by their source, never their value
//! (CFG-04).

use std::path::{Path, PathBuf};

use std::process::ExitCode;

use host_harness::config::{
    effective_view, mask_secrets, with_defaults, ConfigPath, ConfigValidationErrors, EditError,
    HostConfig, HostConfigError, Origin, SecretView, LEGACY_DISCOVERY_PATH,
};
use host_harness::library_file::install::write_atomically;
use host_harness::plugins::{parse_manifest, Manifest, MANIFEST_FILE};
use serde_json::{json, Map, Value};

use super::output::{Out, USAGE};
use super::{err_line, fail, usage, Context, PluginArgs, Top, PLUGIN_ID};

const GET_HELP: &str = concat!(
    "Prints the value as JSON (the same with --json); a literal secret prints as
\"(set in config)\", an env reference as written.

Examples:
  host-harness config get plugins.entries.amazon-bedrock.config.discovery.enabled
  host-harness config get plugins.entries.amazon-bedrock.config --json | jq .awsRegion

",
    super::exit_codes!(),
    "
  (1 also when nothing is set at PATH)"
);
const SET_HELP: &str = concat!(
    "VALUE is read as JSON5 (true, 3600, [\"anthropic\"], {enabled: true}); anything else is
a string (us-east-1). Quote it to force a string: '\"true\"'. The whole resulting config is
checked against the plugin's manifest schema first: a value that breaks it changes
nothing. The file is rewritten as JSON (comments are not kept) through a temporary file
and a rename. Prefer an env reference for a secret, so it is not in your shell history:
'{source: \"env\", id: \"AWS_SECRET_ACCESS_KEY\"}'.

Examples:
  host-harness config set plugins.entries.amazon-bedrock.config.discovery.enabled true
  host-harness config set plugins.entries.amazon-bedrock.config.awsRegion eu-west-1
  host-harness config set plugins.entries.amazon-bedrock.config.discovery.providerFilter '[\"anthropic\"]'

",
    super::exit_codes!()
);
const UNSET_HELP: &str = concat!(
    "Examples:
  host-harness config unset plugins.entries.amazon-bedrock.config.awsRegion

",
    super::exit_codes!(),
    "
  (1 also when nothing is set at PATH)"
);
const SHOW_HELP: &str = concat!(
    "One `key: value` line per setting; with --effective, legacy keys merged in and the
schema's defaults filled in, each marked (default) or (from models.bedrockDiscovery).
Secrets show their source: (set in config) or env:VAR.

Examples:
  host-harness config show
  host-harness config show --effective
  host-harness config show --effective --json | jq .discovery.refreshInterval

",
    super::exit_codes!()
);

#[derive(clap::Subcommand)]
pub enum Command {
    /// Print the value at a dotted path of the host config.
    #[command(after_help = GET_HELP)]
    Get {
        #[command(flatten)]
        plugin: PluginArgs,
        /// Dotted path, with [n] for an array item, e.g.
        /// plugins.entries.amazon-bedrock.config.discovery.enabled.
        path: String,
        /// Print the value as JSON (the default output already is).
        #[arg(long)]
        json: bool,
    },
    /// Set the value at a dotted path, after checking the result against the schema.
    #[command(after_help = SET_HELP)]
    Set {
        #[command(flatten)]
        plugin: PluginArgs,
        /// Dotted path, with [n] for an array item (objects on the way are created).
        path: String,
        /// The value: JSON5, else taken as a string.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Print what was set as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Remove the value at a dotted path, after checking the result against the schema.
    #[command(after_help = UNSET_HELP)]
    Unset {
        #[command(flatten)]
        plugin: PluginArgs,
        /// Dotted path, with [n] for an array item.
        path: String,
        /// Print what was removed as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print the plugin's config (plugins.entries.amazon-bedrock.config).
    #[command(after_help = SHOW_HELP)]
    Show {
        #[command(flatten)]
        plugin: PluginArgs,
        /// With legacy keys merged in and the manifest schema's defaults applied.
        #[arg(long)]
        effective: bool,
        /// Print the config as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(top: &Top, command: Command) -> Result<ExitCode, ExitCode> {
    match command {
        // Both forms print the JSON value; --json is accepted as on every other command.
        Command::Get {
            plugin,
            path,
            json: _,
        } => get(&top.context(&plugin), &path),
        Command::Set {
            plugin,
            path,
            value,
            json,
        } => {
            let value = parse_value(&value);
            edit(&top.context(&plugin), &path, Some(value), json)
        }
        Command::Unset { plugin, path, json } => edit(&top.context(&plugin), &path, None, json),
        Command::Show {
            plugin,
            effective,
            json,
        } => show(&top.context(&plugin), effective, json),
    }
}

/// A command-line value: JSON5 when it parses, else the text itself as a string.
fn parse_value(text: &str) -> Value {
    json5::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// The manifest a config is checked against: the installed plugin's, which is what the host
/// checks at load; else the one this binary was built with (PLG-44).
fn manifest(context: &Context) -> Result<Manifest, ExitCode> {
    let installed = context.plugins_dir.join(PLUGIN_ID).join(MANIFEST_FILE);
    let (text, path) = match std::fs::read_to_string(&installed) {
        Ok(text) => (text, installed),
        Err(_) => (
            super::install::MANIFEST_JSON.to_owned(),
            PathBuf::from(MANIFEST_FILE),
        ),
    };
    parse_manifest(&text, &path, PLUGIN_ID).map_err(fail)
}

/// A value for people: strings as they are, everything else as compact JSON.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// An [`EditError`] as the command reports it: a missing path fails (1) and names the file,
/// anything else is a usage error (2).
fn edit_failure(err: EditError, file: &str) -> ExitCode {
    match err {
        EditError::Missing { path, detail } => {
            fail(format_args!("{path} is not set in {file} ({detail})"))
        }
        other => usage(other),
    }
}

/// CFG-10/11: one error per line, exit 2.
fn invalid(errors: &ConfigValidationErrors) -> ExitCode {
    for line in errors.lines() {
        err_line(line);
    }
    ExitCode::from(USAGE)
}

fn get(context: &Context, path: &str) -> Result<ExitCode, ExitCode> {
    let path = ConfigPath::parse(path).map_err(usage)?;
    let config = context.config()?;
    let schema = manifest(context)?.config_schema;
    let masked = config.masked(PLUGIN_ID, &schema);
    let value = path
        .get(&masked)
        .map_err(|err| edit_failure(err, &context.config_file()))?;
    Out::new().json_pretty(value)?;
    Ok(ExitCode::SUCCESS)
}

/// Reads the file `config set` edits (a missing one is an empty config, then created), and
/// whether it is plain JSON (else its JSON5-only syntax is lost on rewrite, and said so).
fn load_for_edit(file: &Path) -> Result<(HostConfig, bool), ExitCode> {
    match HostConfig::load(file) {
        Ok(config) => {
            let plain_json = std::fs::read_to_string(file)
                .is_ok_and(|text| serde_json::from_str::<Value>(&text).is_ok());
            Ok((config, plain_json))
        }
        Err(HostConfigError::NotFound { .. }) => {
            let empty = HostConfig::from_value(Value::Object(Map::new()))
                .expect("an empty object is a config");
            Ok((empty, true))
        }
        Err(err) => Err(usage(err)),
    }
}

/// `set` (with a value) or `unset` (without): edit, check the whole result, then write.
fn edit(
    context: &Context,
    path: &str,
    value: Option<Value>,
    json: bool,
) -> Result<ExitCode, ExitCode> {
    let path = ConfigPath::parse(path).map_err(usage)?;
    let file = context.config_file_path();
    let shown_file = file.display().to_string();
    let manifest = manifest(context)?;
    let (current, plain_json) = load_for_edit(&file)?;
    let edited = match &value {
        Some(value) => current.with_value(&path, value.clone()),
        None => current.without(&path),
    }
    .map_err(|err| edit_failure(err, &shown_file))?;
    if let Err(errors) = edited.checked_plugin_config(
        PLUGIN_ID,
        &manifest.config_schema,
        manifest.migration_paths(),
    ) {
        let code = invalid(&errors);
        err_line(format_args!("not written: {shown_file} is unchanged"));
        return Err(code);
    }
    if let Some(dir) = file.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|err| fail(format_args!("cannot create {}: {err}", dir.display())))?;
    }
    write_atomically(&file, edited.to_file_text().as_bytes()).map_err(fail)?;
    if !plain_json {
        err_line(format_args!(
            "note: {shown_file} was rewritten as JSON; its comments and JSON5-only syntax were not kept"
        ));
    }
    let mut out = Out::new();
    match value {
        Some(_) => {
            let masked = edited.masked(PLUGIN_ID, &manifest.config_schema);
            let shown = path.get(&masked).cloned().unwrap_or(Value::Null);
            if json {
                out.json_pretty(&json!({
                    "path": path.to_string(),
                    "value": shown,
                    "file": shown_file,
                }))?;
            } else {
                out.line(format_args!(
                    "set {path} = {} in {shown_file}",
                    plain(&shown)
                ))?;
            }
        }
        None if json => out.json_pretty(&json!({
            "path": path.to_string(),
            "unset": true,
            "file": shown_file,
        }))?,
        None => out.line(format_args!("unset {path} in {shown_file}"))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn show(context: &Context, effective: bool, json: bool) -> Result<ExitCode, ExitCode> {
    let config = context.config()?;
    let manifest = manifest(context)?;
    let schema = &manifest.config_schema;
    let written = config.plugin_entry(PLUGIN_ID).config;
    let (shown, migrated) = if effective {
        let checked = config
            .checked_plugin_config(PLUGIN_ID, schema, manifest.migration_paths())
            .map_err(|errors| invalid(&errors))?;
        let filled = with_defaults(&checked.config, schema);
        (
            mask_secrets(&filled, schema, SecretView::Source),
            checked.config,
        )
    } else {
        (
            mask_secrets(&written, schema, SecretView::Source),
            written.clone(),
        )
    };
    let mut out = Out::new();
    if json {
        out.json_pretty(&shown)?;
        return Ok(ExitCode::SUCCESS);
    }
    let lines = effective_view(&shown, &written, &migrated);
    if lines.is_empty() {
        out.line(format_args!(
            "(empty: plugins.entries.{PLUGIN_ID}.config is not set in {})",
            context.config_file()
        ))?;
    }
    for line in lines {
        let origin = match line.origin {
            Origin::Written => String::new(),
            Origin::Legacy => format!(" (from {LEGACY_DISCOVERY_PATH})"),
            Origin::Default => " (default)".to_owned(),
        };
        out.line(format_args!(
            "{}: {}{origin}",
            line.path,
            plain(&line.value)
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
