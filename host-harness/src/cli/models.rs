//! `models list [--json]`.

use std::process::ExitCode;

use plugin_api::model::ModelDefinition;
use plugin_api::traits::ListModelsOptions;

use super::output::Out;
use super::term::Spinner;
use super::{block_on, PluginArgs, Top};

const LIST_HELP: &str = concat!(
    "Examples:
  host-harness models list
  host-harness models list --refresh
  host-harness models list --json | jq -r '.models[].id'

",
    super::exit_codes!()
);

#[derive(clap::Subcommand)]
pub enum Command {
    /// List the provider's models (a table, or the full definitions with --json).
    #[command(after_help = LIST_HELP)]
    List {
        #[command(flatten)]
        plugin: PluginArgs,
        /// Print the catalog as one JSON document (every field of every model).
        #[arg(long)]
        json: bool,
        /// Ask the control plane now instead of using the cache.
        #[arg(long)]
        refresh: bool,
    },
}

/// A model definition as the host config spells it (HCFG-10).
pub fn model_json(model: &ModelDefinition) -> serde_json::Value {
    let params = model
        .params_json
        .as_ref()
        .into_option()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text.as_str()).ok());
    let mut value = serde_json::json!({
        "id": model.id.as_str(),
        "name": model.name.as_str(),
        "api": model.api.as_str(),
        "provider": model.provider.as_str(),
        "reasoning": model.reasoning,
        "input": model.input.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        "cost": {
            "input": model.cost.input,
            "output": model.cost.output,
            "cacheRead": model.cost.cache_read,
            "cacheWrite": model.cost.cache_write,
        },
        "contextWindow": model.context_window,
        "maxTokens": model.max_tokens,
    });
    if let (Some(object), Some(url)) =
        (value.as_object_mut(), model.base_url.as_ref().into_option())
    {
        object.insert("baseUrl".into(), url.as_str().into());
    }
    if let (Some(object), Some(params)) = (value.as_object_mut(), params) {
        object.insert("params".into(), params);
    }
    if !model.thinking_level_map.is_empty() {
        let map: serde_json::Map<String, serde_json::Value> = model
            .thinking_level_map
            .iter()
            .filter_map(|entry| {
                let level = entry.level.as_enum().ok()?.as_str().to_owned();
                let effort = entry
                    .effort
                    .as_ref()
                    .into_option()
                    .map_or(serde_json::Value::Null, |e| e.as_str().into());
                Some((level, effort))
            })
            .collect();
        if let Some(object) = value.as_object_mut() {
            object.insert("thinkingLevelMap".into(), map.into());
        }
    }
    value
}

/// The width of a table column: its widest value, and never narrower than its header.
fn column_width(header: &str, widths: impl Iterator<Item = usize>) -> usize {
    widths.max().unwrap_or(0).max(header.len())
}

pub fn run(top: &Top, command: Command) -> Result<ExitCode, ExitCode> {
    let Command::List {
        plugin,
        json,
        refresh,
    } = command;
    let plugin = top.context(&plugin).open()?;
    let spinner = Spinner::start("discovering models…");
    let catalog = block_on(plugin.list_models(ListModelsOptions {
        strict: true,
        force_refresh: refresh,
        ..Default::default()
    }));
    spinner.done();
    let catalog = catalog?;
    let mut out = Out::new();
    if json {
        let document = serde_json::json!({
            "provider": catalog.provider_id.as_str(),
            "baseUrl": catalog.base_url.as_ref().into_option().map(|u| u.as_str()),
            "api": catalog.api.as_str(),
            "auth": catalog.auth.as_str(),
            "models": catalog.models.iter().map(model_json).collect::<Vec<_>>(),
        });
        out.json_pretty(&document)?;
        return Ok(ExitCode::SUCCESS);
    }
    let id_width = column_width("ID", catalog.models.iter().map(|m| m.id.len()));
    let name_width = column_width("NAME", catalog.models.iter().map(|m| m.name.len()));
    let priced = catalog
        .models
        .iter()
        .any(|m| m.cost.input > 0.0 || m.cost.output > 0.0);
    let cost = |model: &ModelDefinition| {
        if !priced {
            String::new()
        } else if model.cost.input > 0.0 || model.cost.output > 0.0 {
            format!("  ${}/${}", model.cost.input, model.cost.output)
        } else {
            "  -".to_owned()
        }
    };
    let header = format!(
        "{:<id_width$}  {:<name_width$}  {:>9}  {:>8}  {:<9}  {:<11}{}",
        "ID",
        "NAME",
        "CONTEXT",
        "MAX OUT",
        "REASONING",
        "INPUT",
        if priced { "  COST IN/OUT PER 1M" } else { "" }
    );
    out.line(header.trim_end())?;
    for model in catalog.models.iter() {
        let input = model
            .input
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let row = format!(
            "{:<id_width$}  {:<name_width$}  {:>9}  {:>8}  {:<9}  {input:<11}{}",
            model.id.as_str(),
            model.name.as_str(),
            model.context_window,
            model.max_tokens,
            if model.reasoning { "yes" } else { "no" },
            cost(model),
        );
        out.line(row.trim_end())?;
    }
    let status = plugin.status();
    out.line(format_args!(
        "{} model(s) from provider {}; region {} ({}), control plane {}, catalog age {}",
        catalog.models.len(),
        catalog.provider_id,
        status.region,
        status.region_source,
        status.control_plane_endpoint,
        status.catalog_age_ms.into_option().map_or_else(
            || "n/a (explicit models only)".to_owned(),
            super::status::age
        ),
    ))?;
    Ok(ExitCode::SUCCESS)
}
