//! `embed [--model M] [--dimensions N] [--query] <text>...`: embed texts with the plugin's
//! provider.

use std::process::ExitCode;

use abi_stable::std_types::{ROption, RString, RVec};
use host_harness::waker::PendingFuture;
use plugin_api::embedding::EmbeddingProviderRequest;
use serde_json::json;

use super::output::Out;
use super::term::{self, Spinner};
use super::{block_on, fail, Context, PluginArgs};

pub const AFTER_HELP: &str = concat!(
    "Examples:
  host-harness embed \"first document\" \"second document\"
  host-harness embed --query hello world
  host-harness embed --model cohere.embed-english-v3 --dimensions 1024 --json \"text\" | jq '.embeddings[0].vector | length'

A blank text yields an empty vector; the output says so next to it.

",
    super::exit_codes!()
);

/// How many characters of a text label its vector.
pub const LABEL_CHARS: usize = 40;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub plugin: PluginArgs,
    /// Embedding model (default: the provider's, amazon.titan-embed-text-v2:0).
    #[arg(long, value_name = "MODEL")]
    model: Option<String>,
    /// Output dimensions (must be valid for the model).
    #[arg(long, value_name = "N")]
    dimensions: Option<u32>,
    /// Use this agent's memorySearch (agents.list[].memorySearch over
    /// agents.defaults.memorySearch) when it selects provider bedrock.
    #[arg(long, value_name = "ID")]
    agent: Option<String>,
    /// Embed the words as one search query (`--query hello world` embeds "hello world")
    /// instead of one document per argument.
    #[arg(long)]
    query: bool,
    /// Print the model and every full vector as one JSON object.
    #[arg(long)]
    json: bool,
    /// The texts (with --query: the words of the query).
    #[arg(required = true, value_name = "TEXT")]
    texts: Vec<String>,
}

/// A text as its label: whitespace runs folded to one space (newlines would break the line),
/// cut to [`LABEL_CHARS`] characters with an ellipsis.
pub fn label(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if folded.chars().count() <= LABEL_CHARS {
        folded
    } else {
        let mut cut: String = folded.chars().take(LABEL_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

pub fn run(context: &Context, args: &Args) -> Result<ExitCode, ExitCode> {
    // HCFG-14 / EMB-02: a memorySearch that selects bedrock supplies the model, dimensions
    // and base URL; the command's own options win over it.
    let search = context.config()?.memory_search(args.agent.as_deref());
    let mut request = if search.selects_bedrock() {
        search.request()
    } else {
        EmbeddingProviderRequest::default()
    };
    if let Some(model) = &args.model {
        request.model = RString::from(model.as_str());
    }
    if let Some(dimensions) = args.dimensions {
        request.output_dimensionality = ROption::RSome(dimensions);
    }
    let plugin = context.open()?;
    let provider = plugin
        .embedding_provider(request)
        .map_err(|err| fail(err.message))?
        .ok_or_else(|| fail("the plugin offers no embedding provider"))?;
    let info = provider.info();
    // One entry per vector the provider returns: the query is a single text.
    let texts: Vec<String> = if args.query {
        vec![args.texts.join(" ")]
    } else {
        args.texts.clone()
    };
    let pending = if args.query {
        provider.embed_query(RString::from(texts[0].as_str()))
    } else {
        provider.embed_batch(
            texts
                .iter()
                .map(|text| RString::from(text.as_str()))
                .collect::<RVec<_>>(),
        )
    };
    let spinner = if args.query {
        None
    } else {
        Some(Spinner::start(&format!(
            "embedding {} text(s)…",
            texts.len()
        )))
    };
    let embeddings = block_on(PendingFuture::new(pending));
    drop(spinner);
    let embeddings = embeddings?;
    let mut out = Out::new();
    if args.json {
        let document = json!({
            "model": info.model.as_str(),
            "family": info.family.as_str(),
            "region": info.region.as_str(),
            "query": args.query,
            "input_tokens": embeddings.input_tokens.into_option(),
            "embeddings": texts.iter().zip(embeddings.vectors.iter()).map(|(text, vector)| json!({
                "text": text,
                "blank": text.trim().is_empty(),
                "dimensions": vector.len(),
                "vector": vector.iter().copied().collect::<Vec<f32>>(),
            })).collect::<Vec<_>>(),
        });
        out.json_line(&document)?;
        return Ok(ExitCode::SUCCESS);
    }
    out.line(format_args!(
        "model {} ({}), region {}",
        info.model, info.family, info.region
    ))?;
    let sanitize = term::stdout_is_terminal();
    for (text, vector) in texts.iter().zip(embeddings.vectors.iter()) {
        let shown = if sanitize {
            term::sanitize(&label(text))
        } else {
            label(text)
        };
        if vector.is_empty() {
            let why = if text.trim().is_empty() {
                "blank input: nothing to embed, so the vector is empty"
            } else {
                "the provider returned an empty vector"
            };
            out.line(format_args!("    0 dims  []  \"{shown}\"  ({why})"))?;
            continue;
        }
        let head: Vec<String> = vector.iter().take(4).map(|v| format!("{v:.4}")).collect();
        out.line(format_args!(
            "{:>5} dims  [{} …]  \"{shown}\"",
            vector.len(),
            head.join(", ")
        ))?;
    }
    if let Some(tokens) = embeddings.input_tokens.into_option() {
        out.line(format_args!("input tokens: {tokens}"))?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_the_whole_text_cut_with_an_ellipsis() {
        assert_eq!(label("hello world"), "hello world");
        assert_eq!(label("a\n b\t c"), "a b c");
        let long = "x".repeat(100);
        let cut = label(&long);
        assert_eq!(cut.chars().count(), LABEL_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(label("   "), "");
    }
}
