//! Rules that depend on the model family, matched on the model id the way Bedrock's behaviour splits:
//! which Claude versions reject `temperature` (alone or with `top_p`), and which service tiers a model
//! accepts.

/// Whether ConverseStream takes tools for this model: Llama and DeepSeek models answer tool
/// requests only through Converse (real-error-messages.md 2b).
pub(super) fn streams_tool_use(id: &str) -> bool {
    let id = id.to_ascii_lowercase();
    !(id.contains("meta.llama") || id.contains("deepseek."))
}

pub(super) fn is_claude(id: &str) -> bool {
    id.contains("anthropic.claude")
}

/// Claude Opus 4.7+ and Claude 5 identities reject `temperature`.
pub(super) fn temperature_deprecated(id: &str) -> bool {
    let Some(rest) = id.split("claude-").nth(1) else {
        return false;
    };
    let after_family = |fam: &str| rest.strip_prefix(fam);
    if let Some(v) = after_family("opus-4") {
        let mut chars = v.chars();
        if matches!(chars.next(), Some('-') | Some('.')) {
            if let Some(d) = chars.next() {
                let boundary = chars.next().is_none_or(|c| !c.is_ascii_digit());
                return ('7'..='9').contains(&d) && boundary;
            }
        }
        return false;
    }
    for fam in ["opus-", "sonnet-", "fable-", "mythos-"] {
        if let Some(v) = after_family(fam) {
            let major: String = v.chars().take_while(char::is_ascii_digit).collect();
            if major.parse::<u32>().is_ok_and(|m| m >= 5) {
                return true;
            }
        }
    }
    rest.starts_with("mythos-preview")
}

/// Claude 4.5 / 4.6 models that reject `temperature` together with `top_p`.
pub(super) fn temperature_top_p_exclusive(id: &str) -> bool {
    [
        "claude-haiku-4-5",
        "claude-sonnet-4-5",
        "claude-sonnet-4-6",
        "claude-opus-4-5",
        "claude-opus-4-6",
    ]
    .iter()
    .any(|m| id.contains(m))
}

/// Output limits of the Claude models (Anthropic's published max output tokens), by model-name prefix,
/// most specific first; matched at a `-`/`.`/`:` boundary or the end of the name.
const CLAUDE_OUTPUT_LIMITS: [(&str, u64); 19] = [
    ("claude-opus-4-8", 128_000),
    ("claude-opus-4-7", 128_000),
    ("claude-opus-4-6", 128_000),
    ("claude-sonnet-4-6", 128_000),
    ("claude-opus-4-5", 64_000),
    ("claude-sonnet-4-5", 64_000),
    ("claude-haiku-4-5", 64_000),
    ("claude-opus-4-1", 32_000),
    ("claude-3-7-sonnet", 64_000),
    ("claude-3-5-sonnet", 8_192),
    ("claude-3-5-haiku", 8_192),
    ("claude-3-haiku", 4_096),
    ("claude-3-opus", 4_096),
    ("claude-sonnet-4-20250514", 64_000),
    ("claude-opus-4-20250514", 32_000),
    ("claude-opus-5", 128_000),
    ("claude-sonnet-5", 128_000),
    ("claude-fable-5", 128_000),
    ("claude-mythos-5", 128_000),
];

/// The Anthropic model name Bedrock's Claude errors use: the id without `anthropic.` and without a
/// trailing `-v<digits>[:<digits>]` (`anthropic.claude-sonnet-4-5-20250929-v1:0` →
/// `claude-sonnet-4-5-20250929`).
fn anthropic_model_name(id: &str) -> &str {
    let name = id.strip_prefix("anthropic.").unwrap_or(id);
    match name.rfind("-v") {
        Some(at)
            if name[at + 2..]
                .split(':')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())) =>
        {
            &name[..at]
        }
        _ => name,
    }
}

/// The output limit of a Claude model (base model id) and the name its rejection uses. Other
/// families are not limited here.
pub(super) fn claude_output_limit(id: &str) -> Option<(u64, &str)> {
    if !is_claude(id) {
        return None;
    }
    let name = anthropic_model_name(id);
    CLAUDE_OUTPUT_LIMITS
        .iter()
        .find(|(prefix, _)| {
            name.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '.', ':']))
        })
        .map(|(_, limit)| (*limit, name))
}

/// Service tiers the model accepts.
pub(super) fn tier_supported(model_id: &str, tier: &str) -> bool {
    match tier {
        "default" => true,
        "priority" | "flex" => {
            let claude5 = [
                "claude-opus-5",
                "claude-sonnet-5",
                "claude-fable-5",
                "claude-mythos-5",
            ]
            .iter()
            .any(|m| model_id.contains(m));
            (model_id.starts_with("amazon.nova") || model_id.contains("anthropic.claude-"))
                && !claude5
                && !model_id.contains("claude-3")
        }
        _ => false,
    }
}

/// Which prompt caching a model family has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Caching {
    /// Anthropic Claude: cache points in tools, system and messages; `ttl` allowed.
    Anthropic,
    /// Amazon Nova: system and messages only (no tools), no `ttl`.
    Nova,
}

/// The one table of models with prompt caching (AWS user guide "Supported models, Regions, and
/// limits" for prompt caching): Claude 3.5 Haiku, 3.7 Sonnet and every Claude 4.x / 5 model; Nova
/// Micro, Lite, Pro, Premier and Nova 2 Lite. Matched on the resolved base model id; every other model
/// (Claude 3 Haiku, Llama, Mistral, DeepSeek, Cohere, Titan, AI21, …) has none.
const PROMPT_CACHING: [(&str, Caching); 15] = [
    ("anthropic.claude-3-5-haiku", Caching::Anthropic),
    ("anthropic.claude-3-7-sonnet", Caching::Anthropic),
    ("anthropic.claude-sonnet-4", Caching::Anthropic),
    ("anthropic.claude-opus-4", Caching::Anthropic),
    ("anthropic.claude-haiku-4", Caching::Anthropic),
    ("anthropic.claude-haiku-5", Caching::Anthropic),
    ("anthropic.claude-sonnet-5", Caching::Anthropic),
    ("anthropic.claude-opus-5", Caching::Anthropic),
    ("anthropic.claude-fable-5", Caching::Anthropic),
    ("anthropic.claude-mythos", Caching::Anthropic),
    ("amazon.nova-micro", Caching::Nova),
    ("amazon.nova-lite", Caching::Nova),
    ("amazon.nova-pro", Caching::Nova),
    ("amazon.nova-premier", Caching::Nova),
    ("amazon.nova-2-lite", Caching::Nova),
];

/// The prompt caching of the model `id` (a base model id), if it has any.
pub(crate) fn prompt_caching(id: &str) -> Option<Caching> {
    PROMPT_CACHING
        .iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map(|(_, c)| *c)
}
