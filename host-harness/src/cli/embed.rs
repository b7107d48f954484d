//! `embed [--model M] [--dimensions N] <text>...`: embed texts with the plugin's provider.

use std::process::ExitCode;

use abi_stable::std_types::{ROption, RString, RVec};
use host_harness::waker::PendingFuture;
use plugin_api::embedding::EmbeddingProviderRequest;

use super::{block_on, fail, Context};

#[derive(clap::Args)]
pub struct Args {
    /// Embedding model (default: the provider's, amazon.titan-embed-text-v2:0).
    #[arg(long)]
    model: Option<String>,
    /// Output dimensions (must be valid for the model).
    #[arg(long)]
    dimensions: Option<u32>,
    /// Embed as a search query (one text) instead of documents.
    #[arg(long)]
    query: bool,
    /// The texts.
    #[arg(required = true)]
    texts: Vec<String>,
}

pub fn run(context: &Context, args: Args) -> Result<ExitCode, ExitCode> {
    let plugin = context.open()?;
    let provider = plugin
        .embedding_provider(EmbeddingProviderRequest {
            model: RString::from(args.model.unwrap_or_default()),
            output_dimensionality: args.dimensions.into(),
            base_url: ROption::RNone,
            family: ROption::RNone,
            ..Default::default()
        })
        .map_err(|err| fail(err.message))?
        .ok_or_else(|| fail("the plugin offers no embedding provider"))?;
    let info = provider.info();
    let pending = if args.query {
        let text = args.texts.join(" ");
        provider.embed_query(RString::from(text))
    } else {
        provider.embed_batch(
            args.texts
                .iter()
                .map(|text| RString::from(text.as_str()))
                .collect::<RVec<_>>(),
        )
    };
    let embeddings = block_on(PendingFuture::new(pending))?;
    println!(
        "model {} ({}), region {}",
        info.model, info.family, info.region
    );
    for (text, vector) in args.texts.iter().zip(embeddings.vectors.iter()) {
        let head: Vec<String> = vector.iter().take(4).map(|v| format!("{v:.4}")).collect();
        println!("{:>5} dims  [{} …]  {text}", vector.len(), head.join(", "));
    }
    if let Some(tokens) = embeddings.input_tokens.into_option() {
        println!("input tokens: {tokens}");
    }
    Ok(ExitCode::SUCCESS)
}
