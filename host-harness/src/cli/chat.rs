//! `chat <model-ref> <prompt>`: stream tokens as they arrive, then usage and stop reason.

use std::io::Write;
use std::process::ExitCode;

use abi_stable::std_types::{RString, RVec};
use futures::StreamExt;
use plugin_api::chat::{ChatOptions, ChatRequest, Message};
use plugin_api::event::{ResponseSummary, StreamEvent};
use plugin_api::model::ModelDefinition;
use plugin_api::traits::ListModelsOptions;

use super::{fail, runtime, Context, PLUGIN_ID};

#[derive(clap::Args)]
pub struct Args {
    /// `amazon-bedrock/<bedrock model id>` (the id may itself contain `/` or `:`).
    model_ref: String,
    /// The user message.
    prompt: String,
    /// A system prompt.
    #[arg(long)]
    system: Option<String>,
    #[arg(long)]
    max_tokens: Option<u64>,
    #[arg(long)]
    temperature: Option<f64>,
    /// Repeatable.
    #[arg(long = "stop")]
    stop_sequences: Vec<String>,
}

/// HCFG-11: the part after the first `/` is the Bedrock model id verbatim.
pub fn parse_model_ref(model_ref: &str) -> Result<&str, String> {
    match model_ref.split_once('/') {
        Some((provider, id)) if provider == PLUGIN_ID && !id.is_empty() => Ok(id),
        _ => Err(format!(
            "model ref \"{model_ref}\" must look like {PLUGIN_ID}/<bedrock model id>, e.g. {PLUGIN_ID}/amazon.nova-micro-v1:0"
        )),
    }
}

/// BR-60/62: the closing lines after a response.
pub fn summary_lines(summary: &ResponseSummary, priced: bool) -> Vec<String> {
    let usage = &summary.usage;
    let stop = summary
        .stop_reason
        .as_enum()
        .map(|reason| reason.as_str())
        .unwrap_or("unknown");
    let mut lines = vec![
        format!(
            "stop: {stop}{}",
            summary
                .provider_stop_reason
                .as_ref()
                .into_option()
                .map(|raw| format!(" ({raw})"))
                .unwrap_or_default()
        ),
        format!(
            "tokens: input {} output {} cacheRead {} cacheWrite {} total {}",
            usage.input, usage.output, usage.cache_read, usage.cache_write, usage.total_tokens
        ),
        if priced {
            format!("cost: ${:.6}", usage.cost.total)
        } else {
            "cost: n/a (no prices configured)".to_owned()
        },
    ];
    if let Some(id) = summary.request_id.as_ref().into_option() {
        lines.push(format!("request id: {id}"));
    }
    if let Some(latency) = summary.latency_ms.into_option() {
        lines.push(format!("latency: {latency} ms"));
    }
    lines
}

pub fn run(context: &Context, args: Args) -> Result<ExitCode, ExitCode> {
    let model_id = parse_model_ref(&args.model_ref).map_err(|message| {
        eprintln!("{message}");
        ExitCode::from(2)
    })?;
    let plugin = context.open()?;
    let rt = runtime()?;
    rt.block_on(async {
        // Use the catalog's definition when the model is listed (prices, limits).
        let model = match plugin.list_models(ListModelsOptions::default()).await {
            Ok(catalog) => catalog
                .models
                .into_iter()
                .find(|m| m.id.as_str() == model_id),
            Err(_) => None,
        }
        .unwrap_or_else(|| ModelDefinition::new(model_id, PLUGIN_ID, "bedrock-converse-stream"));
        let model = plugin.provider().normalize_model(model);
        let priced = model.cost.input > 0.0 || model.cost.output > 0.0;
        let request = ChatRequest {
            model,
            system_prompt: args.system.map(RString::from).into(),
            messages: RVec::from(vec![Message::user_text(args.prompt)]),
            tools: RVec::new(),
            options: ChatOptions {
                max_tokens: args.max_tokens.into(),
                temperature: args.temperature.into(),
                stop_sequences: args.stop_sequences.into_iter().map(RString::from).collect(),
                ..ChatOptions::default()
            },
        };
        let mut stream = plugin
            .stream_chat(request)
            .map_err(|err| fail(err.message))?;
        let mut stdout = std::io::stdout();
        while let Some(event) = stream.next().await {
            match event.as_enum() {
                Ok(StreamEvent::TextDelta { delta, .. }) => {
                    let _ = write!(stdout, "{delta}");
                    let _ = stdout.flush();
                }
                Ok(StreamEvent::Retry(notice)) => {
                    eprintln!(
                        "[retry {} in {} ms: {}]",
                        notice.attempt, notice.delay_ms, notice.reason
                    );
                }
                Ok(StreamEvent::Done(summary)) => {
                    println!();
                    for line in summary_lines(summary, priced) {
                        println!("{line}");
                    }
                    return Ok(ExitCode::SUCCESS);
                }
                Ok(StreamEvent::Error(failure)) => {
                    println!();
                    return Err(fail(format_args!("error: {}", failure.error.message)));
                }
                _ => {}
            }
        }
        Err(fail("error: the stream ended without a final event"))
    })
}

#[cfg(test)]
mod tests;
