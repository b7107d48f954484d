//! The measurements of `bench`, each through the loaded plugin on the host runtime, the way
//! the in-tree benches take them (`tests/benches/latency.rs`, `boundary.rs`): warm-up requests
//! first, then per-request samples summarised by their median and 90th percentile.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use abi_stable::std_types::{ROption, RString, RVec};
use futures::StreamExt;
use host_harness::host::LoadedPlugin;
use host_harness::waker::PendingFuture;
use plugin_api::chat::{ChatRequest, Message};
use plugin_api::embedding::EmbeddingProviderRequest;
use plugin_api::event::StreamEvent;
use plugin_api::model::{ModelDefinition, ProviderCatalog};
use plugin_api::traits::ListModelsOptions;

use super::super::term::Spinner;
use super::super::{fail, PLUGIN_ID};
use super::Plan;

/// Median, 90th percentile and range of a set of samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub median: Duration,
    pub p90: Duration,
    pub min: Duration,
    pub max: Duration,
}

/// Summarises `samples` (nearest rank, as the in-tree benches do); `None` when empty.
pub fn summarise(mut samples: Vec<Duration>) -> Option<Summary> {
    samples.sort();
    let last = samples.len().checked_sub(1)?;
    let at = |q: f64| samples[(last as f64 * q).round() as usize];
    Some(Summary {
        median: at(0.5),
        p90: at(0.9),
        min: samples[0],
        max: samples[last],
    })
}

/// The first `list_models` and the warm ones.
pub struct Listing {
    pub first: Duration,
    pub models: usize,
    pub warm_calls: usize,
    pub warm: Summary,
}

/// Time to the first text delta of short streams.
pub struct FirstDelta {
    pub warm_up: usize,
    pub requests: usize,
    pub summary: Summary,
}

/// One long stream, read to its end.
pub struct Throughput {
    pub text_deltas: usize,
    /// Every stream event the host received, the text deltas included.
    pub events: usize,
    pub first_delta: Option<Duration>,
    pub elapsed: Duration,
    pub stop_reason: String,
    pub output_tokens: u64,
}

impl Throughput {
    /// Text-delta events per second over the whole stream (request start to its end).
    pub fn events_per_second(&self) -> f64 {
        self.text_deltas as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }

    /// Nanoseconds per text-delta event; `None` without deltas.
    pub fn ns_per_event(&self) -> Option<f64> {
        (self.text_deltas > 0).then(|| self.elapsed.as_nanos() as f64 / self.text_deltas as f64)
    }
}

/// Embedding batches.
pub struct Embedding {
    pub model: String,
    pub family: String,
    pub texts: usize,
    pub warm_up: usize,
    pub batches: usize,
    pub dimensions: usize,
    pub summary: Summary,
}

impl Embedding {
    /// Texts per second at the median batch time.
    pub fn texts_per_second(&self) -> f64 {
        self.texts as f64 / self.summary.median.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Everything measured after the load.
pub struct Measured {
    pub listing: Listing,
    pub first_delta: FirstDelta,
    pub throughput: Throughput,
    pub embedding: Option<Embedding>,
}

/// Runs every measurement of `plan` in order, a spinner naming each (terminal only); a
/// failure is printed once its spinner is gone, and fails the command.
pub async fn all(plugin: &LoadedPlugin, plan: &Plan) -> Result<Measured, ExitCode> {
    let failed = |message: String| fail(format_args!("bench: {message}"));
    let spinner = Spinner::start(&format!(
        "bench: list_models, then {} warm calls…",
        plan.list_calls
    ));
    let listed = listing(plugin, plan.list_calls).await;
    drop(spinner);
    let (listing, catalog) = listed.map_err(failed)?;
    let model = chat_model(plugin, &catalog, &plan.model);
    let spinner = Spinner::start(&format!(
        "bench: {} short streams after {} warm-up…",
        plan.requests, plan.warm_up
    ));
    let first = first_delta(plugin, &model, plan).await;
    drop(spinner);
    let first_delta = first.map_err(failed)?;
    let spinner = Spinner::start(&format!(
        "bench: one long stream ({})…",
        plan.long.describe()
    ));
    let long = throughput(plugin, &model, plan).await;
    drop(spinner);
    let throughput = long.map_err(failed)?;
    let embedding = match &plan.embed {
        Some(embed) => {
            let spinner = Spinner::start(&format!(
                "bench: {} embedding batches of {} texts after {} warm-up…",
                embed.batches, embed.texts, embed.warm_up
            ));
            let embedded = embedding(plugin, embed).await;
            drop(spinner);
            Some(embedded.map_err(failed)?)
        }
        None => None,
    };
    Ok(Measured {
        listing,
        first_delta,
        throughput,
        embedding,
    })
}

async fn listing(
    plugin: &LoadedPlugin,
    calls: usize,
) -> Result<(Listing, ProviderCatalog), String> {
    let list = || plugin.list_models(ListModelsOptions::default());
    let started = Instant::now();
    let catalog = list()
        .await
        .map_err(|err| format!("list_models: {}", err.message))?;
    let first = started.elapsed();
    let mut samples = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        list()
            .await
            .map_err(|err| format!("list_models: {}", err.message))?;
        samples.push(started.elapsed());
    }
    let warm = summarise(samples).ok_or_else(|| "no warm list_models calls".to_owned())?;
    let listing = Listing {
        first,
        models: catalog.models.len(),
        warm_calls: calls,
        warm,
    };
    Ok((listing, catalog))
}

/// The catalog's definition of `model_id` when listed (limits, prices), as `chat` uses it,
/// else a bare definition; normalised by the provider either way.
fn chat_model(plugin: &LoadedPlugin, catalog: &ProviderCatalog, model_id: &str) -> ModelDefinition {
    let model = catalog
        .models
        .iter()
        .find(|model| model.id.as_str() == model_id)
        .cloned()
        .unwrap_or_else(|| ModelDefinition::new(model_id, PLUGIN_ID, "bedrock-converse-stream"));
    plugin.provider().normalize_model(model)
}

fn request(model: &ModelDefinition, prompt: &str, max_tokens: Option<u64>) -> ChatRequest {
    let mut request = ChatRequest {
        model: model.clone(),
        system_prompt: ROption::RNone,
        messages: RVec::from(vec![Message::user_text(prompt)]),
        tools: RVec::new(),
        options: Default::default(),
    };
    request.options.max_tokens = max_tokens.into();
    request
}

/// What one stream delivered, read to its terminal event.
struct Read {
    first_delta: Option<Duration>,
    text_deltas: usize,
    events: usize,
    elapsed: Duration,
    stop_reason: String,
    output_tokens: u64,
}

/// Sends `request` and reads its stream to the end; an error event fails the bench.
async fn read(plugin: &LoadedPlugin, request: ChatRequest) -> Result<Read, String> {
    let started = Instant::now();
    let mut stream = plugin
        .stream_chat(request)
        .map_err(|err| format!("stream_chat: {}", err.message))?;
    let mut read = Read {
        first_delta: None,
        text_deltas: 0,
        events: 0,
        elapsed: Duration::ZERO,
        stop_reason: String::new(),
        output_tokens: 0,
    };
    while let Some(event) = stream.next().await {
        read.events += 1;
        match event.as_enum() {
            Ok(StreamEvent::TextDelta { .. }) => {
                if read.first_delta.is_none() {
                    read.first_delta = Some(started.elapsed());
                }
                read.text_deltas += 1;
            }
            Ok(StreamEvent::Done(summary)) => {
                read.elapsed = started.elapsed();
                read.stop_reason = super::super::json::stop_reason(summary).to_owned();
                read.output_tokens = summary.usage.output;
                return Ok(read);
            }
            Ok(StreamEvent::Error(failure)) => {
                return Err(format!("the stream failed: {}", failure.error.message));
            }
            _ => {}
        }
    }
    Err("the stream ended without a final event".to_owned())
}

async fn first_delta(
    plugin: &LoadedPlugin,
    model: &ModelDefinition,
    plan: &Plan,
) -> Result<FirstDelta, String> {
    let mut samples = Vec::with_capacity(plan.requests);
    for round in 0..plan.warm_up + plan.requests {
        let read = read(
            plugin,
            request(model, plan.short_prompt(), plan.short_max_tokens()),
        )
        .await?;
        let first = read
            .first_delta
            .ok_or_else(|| "a short stream carried no text delta".to_owned())?;
        if round >= plan.warm_up {
            samples.push(first);
        }
    }
    Ok(FirstDelta {
        warm_up: plan.warm_up,
        requests: plan.requests,
        summary: summarise(samples).ok_or_else(|| "no short streams measured".to_owned())?,
    })
}

async fn throughput(
    plugin: &LoadedPlugin,
    model: &ModelDefinition,
    plan: &Plan,
) -> Result<Throughput, String> {
    let (prompt, max_tokens) = plan.long.request();
    let read = read(plugin, request(model, &prompt, Some(max_tokens))).await?;
    Ok(Throughput {
        text_deltas: read.text_deltas,
        events: read.events,
        first_delta: read.first_delta,
        elapsed: read.elapsed,
        stop_reason: read.stop_reason,
        output_tokens: read.output_tokens,
    })
}

/// The texts of one embedding batch: distinct, a dozen words each.
fn embedding_texts(count: usize) -> RVec<RString> {
    (0..count)
        .map(|i| {
            RString::from(format!(
                "benchmark document {i}: the quick brown fox jumps over the lazy dog"
            ))
        })
        .collect()
}

async fn embedding(plugin: &LoadedPlugin, embed: &super::EmbedPlan) -> Result<Embedding, String> {
    let request = EmbeddingProviderRequest {
        model: RString::from(embed.model.as_str()),
        ..EmbeddingProviderRequest::default()
    };
    let provider = plugin
        .embedding_provider(request)
        .map_err(|err| format!("embedding provider: {}", err.message))?
        .ok_or_else(|| "the plugin offers no embedding provider".to_owned())?;
    let info = provider.info();
    let texts = embedding_texts(embed.texts);
    let mut samples = Vec::with_capacity(embed.batches);
    let mut dimensions = 0;
    for round in 0..embed.warm_up + embed.batches {
        let started = Instant::now();
        let embeddings = PendingFuture::new(provider.embed_batch(texts.clone()))
            .await
            .map_err(|err| format!("embedding: {}", err.message))?;
        let elapsed = started.elapsed();
        if embeddings.vectors.len() != texts.len() {
            return Err(format!(
                "embedding: {} vector(s) for {} text(s)",
                embeddings.vectors.len(),
                texts.len()
            ));
        }
        dimensions = embeddings.vectors.first().map_or(0, |vector| vector.len());
        if round >= embed.warm_up {
            samples.push(elapsed);
        }
    }
    Ok(Embedding {
        model: info.model.to_string(),
        family: info.family.to_string(),
        texts: embed.texts,
        warm_up: embed.warm_up,
        batches: embed.batches,
        dimensions,
        summary: summarise(samples).ok_or_else(|| "no embedding batches measured".to_owned())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_take_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=10).rev().map(Duration::from_millis).collect();
        let summary = summarise(samples).unwrap();
        assert_eq!(summary.median, Duration::from_millis(6));
        assert_eq!(summary.p90, Duration::from_millis(9));
        assert_eq!(summary.min, Duration::from_millis(1));
        assert_eq!(summary.max, Duration::from_millis(10));
        let one = summarise(vec![Duration::from_micros(5)]).unwrap();
        assert_eq!(one.median, one.p90);
        assert!(summarise(Vec::new()).is_none());
    }
}
