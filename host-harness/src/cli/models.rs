//! `models list [--provider NAME] [--json]` and `models show ID [--json]`.

use std::process::ExitCode;

use host_harness::host::LoadedPlugin;
use plugin_api::model::{ModelDefinition, ProviderCatalog};
use plugin_api::traits::ListModelsOptions;

use super::output::Out;
use super::term::Spinner;
use super::{block_on, fail, PluginArgs, Top, PLUGIN_ID};

const LIST_HELP: &str = concat!(
    "Examples:
  host-harness models list
  host-harness models list --refresh
  host-harness models list --provider anthropic
  host-harness models list --all
  host-harness models list --json | jq -r '.models[].id'

",
    super::exit_codes!(),
    "
  (1 also when --provider matches no model; the providers present are listed)"
);
const SHOW_HELP: &str = concat!(
    "Examples:
  host-harness models show us.anthropic.claude-sonnet-4-6
  host-harness models show amazon-bedrock/amazon.nova-micro-v1:0 --json

",
    super::exit_codes!(),
    "
  (1 also for an unknown model id; the closest ids are suggested)"
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
        /// Only models of this Bedrock provider (the vendor part of the id, e.g. anthropic,
        /// amazon, meta; case-insensitive).
        #[arg(long, value_name = "NAME")]
        provider: Option<String>,
        /// Also list the models this account cannot call (no access granted, agreement not
        /// accepted, not offered in the region), with the reason in the ACCESS column.
        #[arg(long)]
        all: bool,
    },
    /// Print every field of one model.
    #[command(after_help = SHOW_HELP)]
    Show {
        #[command(flatten)]
        plugin: PluginArgs,
        /// The model id, with or without the `amazon-bedrock/` prefix.
        id: String,
        /// Print the model as one JSON object (its host-config fields, plus bedrockProvider
        /// and applicationProfile).
        #[arg(long)]
        json: bool,
        /// Ask the control plane now instead of using the cache.
        #[arg(long)]
        refresh: bool,
    },
}

/// PLG-46: the Bedrock provider (vendor) of a model id: the part before the model name,
/// after a geography prefix (`anthropic` for `anthropic.claude-…` and
/// `us.anthropic.claude-…`), read from the resource of an ARN
/// (`…:foundation-model/anthropic.…`); `None` for an application inference profile, whose
/// id is opaque.
pub fn bedrock_provider(id: &str) -> Option<String> {
    let resource = if id.starts_with("arn:") {
        id.split_once('/')?.1
    } else {
        id
    };
    if application_profile(id).is_some() {
        return None;
    }
    let parts: Vec<&str> = resource.split('.').collect();
    let vendor = match parts.len() {
        0 | 1 => return None,
        2 => parts[0],
        _ => parts[1],
    };
    Some(vendor.to_ascii_lowercase())
}

/// An application inference profile the catalog lists (PLG-46): its ARN when the id is
/// one (`arn:…:application-inference-profile/<id>`), `Some(None)` for a discovered
/// profile's opaque id (no `.`: every foundation model and system profile id has one),
/// `None` for other models.
fn application_profile(id: &str) -> Option<Option<&str>> {
    if id.starts_with("arn:") {
        id.contains(":application-inference-profile/")
            .then_some(Some(id))
    } else {
        (!id.contains('.')).then_some(None)
    }
}

/// The catalog, with the spinner while discovery runs; `all` also asks for the models the
/// account cannot call (BR-81).
fn catalog(plugin: &LoadedPlugin, refresh: bool, all: bool) -> Result<ProviderCatalog, ExitCode> {
    let spinner = Spinner::start("discovering models…");
    let mut options = ListModelsOptions {
        strict: true,
        force_refresh: refresh,
        ..Default::default()
    };
    if all {
        options.extensions.set(
            plugin_api::ext::keys::LIST_INCLUDE_UNAVAILABLE,
            plugin_api::ext::ExtValue::Bool(true),
        );
    }
    let catalog = block_on(plugin.list_models(options));
    spinner.done();
    catalog
}

/// The ids of `models` closest to `wanted`: those containing it first, then by edit
/// distance (case-insensitive), at most three.
fn closest<'a>(wanted: &str, models: &'a [ModelDefinition]) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let mut scored: Vec<(bool, usize, &str)> = models
        .iter()
        .map(|model| {
            let id = model.id.as_str();
            let lower = id.to_lowercase();
            (
                !lower.contains(&wanted),
                strsim::levenshtein(&wanted, &lower),
                id,
            )
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, _, id)| id).collect()
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
    match command {
        Command::List {
            plugin,
            json,
            refresh,
            provider,
            all,
        } => {
            let plugin = top.context(&plugin).open()?;
            list(&plugin, json, refresh, provider.as_deref(), all)
        }
        Command::Show {
            plugin,
            id,
            json,
            refresh,
        } => {
            let plugin = top.context(&plugin).open()?;
            show(&plugin, &id, json, refresh)
        }
    }
}

fn list(
    plugin: &LoadedPlugin,
    json: bool,
    refresh: bool,
    provider: Option<&str>,
    all: bool,
) -> Result<ExitCode, ExitCode> {
    let catalog = catalog(plugin, refresh, all)?;
    let total = catalog.models.len();
    let models: Vec<&ModelDefinition> = match provider {
        None => catalog.models.iter().collect(),
        Some(wanted) => {
            let wanted = wanted.trim().to_ascii_lowercase();
            let models: Vec<&ModelDefinition> = catalog
                .models
                .iter()
                .filter(|m| bedrock_provider(&m.id).as_deref() == Some(wanted.as_str()))
                .collect();
            if models.is_empty() {
                let mut present: Vec<String> = catalog
                    .models
                    .iter()
                    .filter_map(|m| bedrock_provider(&m.id))
                    .collect();
                present.sort();
                present.dedup();
                return Err(fail(format_args!(
                    "no model of Bedrock provider \"{wanted}\" in the catalog of {PLUGIN_ID} ({total} model(s)); its providers: {}",
                    if present.is_empty() { "none".to_owned() } else { present.join(", ") }
                )));
            }
            models
        }
    };
    let mut out = Out::new();
    if json {
        let document = serde_json::json!({
            "provider": catalog.provider_id.as_str(),
            "baseUrl": catalog.base_url.as_ref().into_option().map(|u| u.as_str()),
            "api": catalog.api.as_str(),
            "auth": catalog.auth.as_str(),
            "models": models.iter().map(|m| model_json(m)).collect::<Vec<_>>(),
        });
        out.json_pretty(&document)?;
        return Ok(ExitCode::SUCCESS);
    }
    let id_width = column_width("ID", models.iter().map(|m| m.id.len()));
    let name_width = column_width("NAME", models.iter().map(|m| m.name.len()));
    let priced = models
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
    let input_width = column_width("INPUT", models.iter().map(|m| input_list(m, ",").len()));
    let access_width = column_width("ACCESS", models.iter().map(|m| access(m).len()));
    let header = format!(
        "{:<id_width$}  {:<name_width$}  {:>9}  {:>8}  {:<9}  {:<input_width$}  {:<access_width$}{}",
        "ID",
        "NAME",
        "CONTEXT",
        "MAX OUT",
        "REASONING",
        "INPUT",
        "ACCESS",
        if priced { "  COST IN/OUT PER 1M" } else { "" }
    );
    out.line(header.trim_end())?;
    for model in &models {
        let row = format!(
            "{:<id_width$}  {:<name_width$}  {:>9}  {:>8}  {:<9}  {:<input_width$}  {:<access_width$}{}",
            model.id.as_str(),
            model.name.as_str(),
            model.context_window,
            model.max_tokens,
            if model.reasoning { "yes" } else { "no" },
            input_list(model, ","),
            access(model),
            cost(model),
        );
        out.line(row.trim_end())?;
    }
    let status = plugin.status();
    let count = match provider {
        Some(wanted) => format!(
            "{} of {total} model(s) (Bedrock provider {})",
            models.len(),
            wanted.trim().to_ascii_lowercase()
        ),
        None => format!("{total} model(s)"),
    };
    out.line(format_args!(
        "{count} from provider {}; region {} ({}), control plane {}, catalog age {}",
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

/// BR-81's ACCESS column: the model's access (`unknown` when the plugin set none, as for
/// explicit models), with the service's words when it gave any (an agreement error).
fn access(model: &ModelDefinition) -> String {
    let access = model.access().unwrap_or("unknown");
    match model.access_detail() {
        Some(detail) => format!("{access} ({detail})"),
        None => access.to_owned(),
    }
}

/// A model's input modalities joined by `separator`.
fn input_list(model: &ModelDefinition, separator: &str) -> String {
    model
        .input
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(separator)
}

fn show(plugin: &LoadedPlugin, id: &str, json: bool, refresh: bool) -> Result<ExitCode, ExitCode> {
    let catalog = catalog(plugin, refresh, true)?;
    let wanted = id
        .strip_prefix(&format!("{PLUGIN_ID}/"))
        .unwrap_or(id)
        .trim();
    let Some(model) = catalog.models.iter().find(|m| m.id.as_str() == wanted) else {
        let closest = closest(wanted, &catalog.models);
        return Err(fail(format_args!(
            "unknown model \"{wanted}\" in the catalog of {PLUGIN_ID} ({} model(s)){}",
            catalog.models.len(),
            if closest.is_empty() {
                String::new()
            } else {
                format!("; closest: {}", closest.join(", "))
            }
        )));
    };
    let vendor = bedrock_provider(&model.id);
    let profile = application_profile(&model.id);
    let mut out = Out::new();
    if json {
        let mut value = model_json(model);
        if let Some(object) = value.as_object_mut() {
            object.insert("bedrockProvider".into(), vendor.clone().into());
            object.insert(
                "applicationProfile".into(),
                profile.map_or(
                    serde_json::Value::Null,
                    |arn| serde_json::json!({"name": model.name.as_str(), "arn": arn}),
                ),
            );
        }
        out.json_pretty(&value)?;
        return Ok(ExitCode::SUCCESS);
    }
    let json = model_json(model);
    let mut lines = vec![
        format!("id: {}", model.id),
        format!("name: {}", model.name),
        format!("provider: {}", model.provider),
        format!(
            "bedrock provider: {}",
            vendor.as_deref().unwrap_or("unknown (application profile)")
        ),
        format!("api: {}", model.api),
    ];
    lines.push(format!(
        "base url: {}",
        model
            .base_url
            .as_ref()
            .into_option()
            .map_or("none", |url| url.as_str())
    ));
    lines.extend([
        format!("input: {}", input_list(model, ", ")),
        format!("reasoning: {}", if model.reasoning { "yes" } else { "no" }),
        format!("context window: {}", model.context_window),
        format!("max tokens: {}", model.max_tokens),
        format!(
            "cost per 1M tokens: input ${}, output ${}, cache read ${}, cache write ${}",
            model.cost.input, model.cost.output, model.cost.cache_read, model.cost.cache_write
        ),
    ]);
    match json.get("params").and_then(|p| p.as_object()) {
        Some(params) if !params.is_empty() => {
            for (key, value) in params {
                let value = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned);
                lines.push(format!("params.{key}: {value}"));
            }
        }
        _ => lines.push("params: none".to_owned()),
    }
    let levels: Vec<String> = json
        .get("thinkingLevelMap")
        .and_then(|m| m.as_object())
        .map(|map| {
            map.iter()
                .map(|(level, effort)| format!("{level}={}", effort.as_str().unwrap_or("-")))
                .collect()
        })
        .unwrap_or_default();
    lines.push(format!(
        "thinking levels: {}",
        if levels.is_empty() {
            "none".to_owned()
        } else {
            levels.join(", ")
        }
    ));
    if let Some(arn) = profile {
        lines.push(format!(
            "application profile: {} (ARN {})",
            model.name,
            arn.unwrap_or("not in the catalog: discovery lists the profile by its id")
        ));
    }
    for line in lines {
        out.line(line)?;
    }
    Ok(ExitCode::SUCCESS)
}
