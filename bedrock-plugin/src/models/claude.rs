//! Claude identities and their thinking profiles (THINK-01..03, THINK-20..22).
//!
//! The rules that read a whole model definition take an [`Identity`] (the definition plus its
//! lower-cased canonical id, parsed once by `models::traits`) or the family already derived
//! from it, so a request parses its model once (`ModelTraits`).

use std::sync::LazyLock;

use abi_stable::std_types::{RString, RVec};
use plugin_api::chat::{ReplayPolicy, ThinkingLevel, ThinkingLevel_NE, ThinkingProfile};
use plugin_api::model::{ModelDefinition, ThinkingLevelMapping};
use regex_lite::Regex;

use crate::models::prefixes::{split_region_prefix, PREFIX_GROUP};

// TEMP-01/02/05 identities (the rules themselves are in converse/request/sampling.rs; these
// patterns are decided once per model by `ModelTraits`).
static OPUS_47_PLUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[/.:]){prefixes}(?:anthropic\.)?claude-opus-4[.-][789](?:$|[-.:/])",
        prefixes = optional_prefix()
    ))
    .expect("constant pattern compiles")
});

static OPUS_5_PLUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)(?:^|[/.:]){prefixes}(?:anthropic\.)?claude-opus-(?:[5-9]|[1-9][0-9])(?:$|[-.:/])",
        prefixes = optional_prefix()
    ))
    .expect("constant pattern compiles")
});

static CLAUDE_5: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
                r"(?i)(?:^|[/.:]){prefixes}(?:anthropic\.)?claude-(?:(?:fable|mythos|sonnet)-5|mythos-preview)(?:$|[-.:/])",
            prefixes = optional_prefix()
            )).expect("constant pattern compiles")
});

static EXCLUSIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
            r"(?i)(?:^|[/.:]){prefixes}(?:anthropic\.)?claude-(?:haiku-4[.-]5|sonnet-4[.-][56]|opus-4[.-][56])(?:$|[-.:/@])",
        prefixes = optional_prefix()
        )).expect("constant pattern compiles")
});

/// The region prefix TEMP-01 allows in front of an id (`us.`, `global.`, …), optional.
fn optional_prefix() -> String {
    format!("(?:{})?", *PREFIX_GROUP)
}

/// TEMP-01 for one id (a model id, canonical id, or resolved profile target ARN).
pub fn omits_temperature_id(id: &str) -> bool {
    let id = id.trim();
    [&OPUS_47_PLUS, &OPUS_5_PLUS, &CLAUDE_5]
        .iter()
        .any(|re| re.is_match(id))
}

/// TEMP-05 for one id: Claude models that reject `temperature` and `top_p` together.
pub fn rejects_temperature_with_top_p_id(id: &str) -> bool {
    EXCLUSIVE.is_match(id.trim())
}

static OPUS_47_48: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"claude-opus-4[.-][78](?:$|[-.:/])").expect("constant pattern compiles")
});

static CLAUDE_5_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"claude-(?:fable|mythos|opus|sonnet)-5(?:$|[-.:/])")
        .expect("constant pattern compiles")
});

static OPUS_46: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"claude-opus-4[.-]6(?:$|[-.:/])").expect("constant pattern compiles")
});

static SONNET_46: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"claude-sonnet-4[.-]6(?:$|[-.:/])").expect("constant pattern compiles")
});

static THINKING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^claude-(?:3-7-sonnet|sonnet-4|opus-4|haiku-4[.-]5|(?:fable|mythos|opus|sonnet)-5|mythos-preview)(?:$|[-.:/@])").expect("constant pattern compiles")
});

static CLAUDE_5_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^claude-(?:fable|mythos|opus|sonnet)-5(?:$|[-.:/@])")
        .expect("constant pattern compiles")
});

static GEN3_PLUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^claude-(?:3-|(?:haiku|sonnet|opus)-4|(?:fable|mythos|opus|sonnet)-5|mythos)")
        .expect("constant pattern compiles")
});

static MYTHOS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[/.:])anthropic\.claude-mythos-preview(?:$|[-.:/])")
        .expect("constant pattern compiles")
});

static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-v\d+(?::\d+)?$").expect("constant pattern compiles"));

static NAME_OPUS_47_48: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[-.:/])opus-4[.-][78](?:$|[-.:/])").expect("constant pattern compiles")
});

static NAME_CLAUDE_5: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[-.:/])(?:fable|mythos|opus|sonnet)-5(?:$|[-.:/])")
        .expect("constant pattern compiles")
});

static NAME_OPUS_46: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[-.:/])opus-4[.-]6(?:$|[-.:/])").expect("constant pattern compiles")
});

static NAME_SONNET_46: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[-.:/])sonnet-4[.-]6(?:$|[-.:/])").expect("constant pattern compiles")
});

static OPUS_5: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[-.:/])(?:claude-)?opus-5(?:$|[-.:/])").expect("constant pattern compiles")
});

static SONNET_4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"claude-sonnet-4-(?:20250514|5)").expect("constant pattern compiles")
});

/// The Claude families whose thinking behaviour differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaudeFamily {
    Opus47Or48,
    Claude5,
    Opus46,
    Sonnet46,
    MythosPreview,
    Other,
}

/// The id with any ARN prefix (up to the last `/`) and one region prefix removed, lower-cased.
pub fn base_model_key(id: &str) -> String {
    let lower = id.trim().to_ascii_lowercase();
    let after_arn = if lower.starts_with("arn:") {
        lower.rsplit('/').next().unwrap_or(&lower).to_owned()
    } else {
        lower
    };
    split_region_prefix(&after_arn)
        .map(str::to_owned)
        .unwrap_or(after_arn)
}

/// A model definition with its `params.canonicalModelId` already parsed (lower-cased).
#[derive(Clone, Copy, Debug)]
pub struct Identity<'a> {
    pub model: &'a ModelDefinition,
    pub canonical: Option<&'a str>,
}

/// The Claude family of a model id, params and name, if it is Claude at all.
pub fn claude_family(identity: &Identity<'_>) -> Option<ClaudeFamily> {
    let model = identity.model;
    let key = base_model_key(model.id.as_str());
    let candidates: Vec<String> = std::iter::once(key)
        .chain(identity.canonical.map(str::to_owned))
        .collect();
    let is_claude = candidates
        .iter()
        .any(|id| id.starts_with("anthropic.claude-") || id.starts_with("claude-"))
        || model.name.to_ascii_lowercase().contains("claude")
        || model.id.to_ascii_lowercase().contains("claude");
    if !is_claude {
        return None;
    }
    let haystacks: Vec<String> = candidates
        .into_iter()
        .chain([
            model.name.to_ascii_lowercase().replace(' ', "-"),
            model.id.to_ascii_lowercase(),
        ])
        .collect();
    let any = |re: &Regex| haystacks.iter().any(|text| re.is_match(text));
    let family = if any(&OPUS_47_48) {
        ClaudeFamily::Opus47Or48
    } else if any(&CLAUDE_5_NAMED) {
        ClaudeFamily::Claude5
    } else if any(&OPUS_46) {
        ClaudeFamily::Opus46
    } else if any(&SONNET_46) {
        ClaudeFamily::Sonnet46
    } else if haystacks
        .iter()
        .any(|text| text.contains("claude-mythos-preview"))
    {
        ClaudeFamily::MythosPreview
    } else {
        ClaudeFamily::Other
    };
    Some(family)
}

fn levels(list: &[ThinkingLevel]) -> RVec<ThinkingLevel_NE> {
    list.iter().copied().map(ThinkingLevel_NE::new).collect()
}

/// THINK-20: the levels a model of this Claude family offers and its default.
pub fn thinking_profile(family: Option<ClaudeFamily>) -> ThinkingProfile {
    use ThinkingLevel::*;
    let (offered, default): (&[ThinkingLevel], Option<ThinkingLevel>) = match family {
        Some(ClaudeFamily::Opus47Or48) => (
            &[Off, Minimal, Low, Medium, High, Xhigh, Adaptive, Max],
            Some(Off),
        ),
        Some(ClaudeFamily::Claude5) => (
            &[Off, Minimal, Low, Medium, High, Xhigh, Adaptive, Max],
            Some(High),
        ),
        Some(ClaudeFamily::Opus46) => (
            &[Off, Minimal, Low, Medium, High, Adaptive, Max],
            Some(Adaptive),
        ),
        Some(ClaudeFamily::Sonnet46 | ClaudeFamily::MythosPreview) => {
            (&[Off, Minimal, Low, Medium, High, Adaptive], Some(Adaptive))
        }
        _ => (&[Off, Minimal, Low, Medium, High], None),
    };
    ThinkingProfile {
        levels: levels(offered),
        default_level: default.map(ThinkingLevel_NE::new).into(),
    }
}

/// THINK-21: the native thinking-level map, if the model (of `family`) has one.
pub fn native_level_map(
    family: Option<ClaudeFamily>,
    identity: &Identity<'_>,
) -> Vec<ThinkingLevelMapping> {
    let model = identity.model;
    let entry = |level: ThinkingLevel, effort: Option<&str>| ThinkingLevelMapping {
        level: ThinkingLevel_NE::new(level),
        effort: effort.map(RString::from).into(),
    };
    let key = base_model_key(model.id.as_str());
    match family {
        Some(ClaudeFamily::Claude5)
            if !key.contains("opus-5")
                && !identity.canonical.is_some_and(|id| id.contains("opus-5")) =>
        {
            vec![
                entry(ThinkingLevel::Off, Some("low")),
                entry(ThinkingLevel::Minimal, Some("low")),
                entry(ThinkingLevel::Xhigh, Some("xhigh")),
                entry(ThinkingLevel::Max, Some("max")),
            ]
        }
        Some(ClaudeFamily::Claude5 | ClaudeFamily::Opus47Or48) => vec![
            entry(ThinkingLevel::Xhigh, Some("xhigh")),
            entry(ThinkingLevel::Max, Some("max")),
        ],
        Some(ClaudeFamily::Opus46) => vec![
            entry(ThinkingLevel::Xhigh, None),
            entry(ThinkingLevel::Max, Some("max")),
        ],
        _ => Vec::new(),
    }
}

/// THINK-13: merge the native map (`native_level_map` of the model) under the model's own
/// entries; Claude 5 reasons.
pub fn normalize(
    mut model: ModelDefinition,
    native_level_map: Vec<ThinkingLevelMapping>,
) -> ModelDefinition {
    for native in native_level_map {
        if !model
            .thinking_level_map
            .iter()
            .any(|own| own.level == native.level)
        {
            model.thinking_level_map.push(native);
        }
    }
    let key = base_model_key(model.id.as_str());
    if ["claude-fable-5", "claude-mythos-5", "claude-opus-5"]
        .iter()
        .any(|family| key.contains(family))
    {
        model.reasoning = true;
    }
    model
}

/// THINK-22: the replay policy for Claude models (of any family).
pub fn replay_policy(family: Option<ClaudeFamily>) -> Option<ReplayPolicy> {
    family?;
    Some(ReplayPolicy {
        sanitize_mode: "full".into(),
        sanitize_tool_call_ids: true,
        tool_call_id_mode: "strict".into(),
        preserve_signatures: true,
        repair_tool_use_result_pairing: true,
        validate_anthropic_turns: true,
        allow_synthetic_tool_results: true,
    })
}

/// The id's Claude key (`claude-…`) without ARN, region prefix or `anthropic.`, if it is one.
fn claude_key(id: &str) -> Option<String> {
    let key = base_model_key(id);
    let key = key.strip_prefix("anthropic.").unwrap_or(&key);
    key.starts_with("claude-").then(|| key.to_owned())
}

/// THINK-01 adaptive set or THINK-02 budget set: Claude models with (extended) thinking
/// (DISC-20 `reasoning`).
pub fn is_thinking_model(id: &str) -> bool {
    claude_key(id).is_some_and(|key| THINKING.is_match(&key))
}

/// Claude 5 family (`claude-fable-5*`, `claude-mythos-5*`, `claude-opus-5*`, `claude-sonnet-5*`),
/// whose discovered `maxTokens` is 128000 (DISC-20).
pub fn is_claude_5_family(id: &str) -> bool {
    claude_key(id).is_some_and(|key| CLAUDE_5_KEY.is_match(&key))
}

/// A Claude identity of generation 3 or later other than Claude 3.5 Haiku: accepts images
/// (DISC-35 `input` fallback when the base model is not in this run's list).
pub fn is_image_capable_claude(id: &str) -> bool {
    claude_key(id)
        .is_some_and(|key| !key.starts_with("claude-3-5-haiku") && GEN3_PLUS.is_match(&key))
}

/// DISC-16/34: Claude Mythos Preview, which is never listed.
pub fn is_mythos_preview(id: &str) -> bool {
    let re = &MYTHOS;
    let trimmed = id.trim();
    if re.is_match(trimmed) {
        return true;
    }
    let lower = trimmed.to_ascii_lowercase();
    split_region_prefix(&lower).is_some_and(|rest| re.is_match(rest))
}

/// DISC-35 `params.canonicalModelId`: an Anthropic Claude base id without `anthropic.` and
/// without the `-v<N>` / `-v<N>:<M>` version suffix (a date stays).
pub fn canonical_model_id(base_id: &str) -> Option<String> {
    let lower = base_id.trim().to_ascii_lowercase();
    let key = lower.strip_prefix("anthropic.")?;
    if !key.starts_with("claude-") {
        return None;
    }
    Some(VERSION.replace(key, "").into_owned())
}

/// The Claude family for thinking decisions (THINK-01/05): [`claude_family`] (`family`),
/// refined by the display name when the id is opaque (application-profile ARNs or aliases
/// such as `production-claude` named "Claude Production Opus 4.8", EX-S08), because such a
/// model's id carries no version the other rules could read.
pub fn thinking_family(
    family: Option<ClaudeFamily>,
    model: &ModelDefinition,
) -> Option<ClaudeFamily> {
    let family = family?;
    if family != ClaudeFamily::Other {
        return Some(family);
    }
    let name = model.name.to_ascii_lowercase().replace([' ', '_'], "-");
    let word = |re: &Regex| re.is_match(&name);
    let refined = if word(&NAME_OPUS_47_48) {
        ClaudeFamily::Opus47Or48
    } else if word(&NAME_CLAUDE_5) {
        ClaudeFamily::Claude5
    } else if word(&NAME_OPUS_46) {
        ClaudeFamily::Opus46
    } else if word(&NAME_SONNET_46) {
        ClaudeFamily::Sonnet46
    } else if name.contains("mythos-preview") {
        ClaudeFamily::MythosPreview
    } else {
        ClaudeFamily::Other
    };
    Some(refined)
}

/// THINK-03: Claude Opus 5 (id, `params.canonicalModelId` or display name), the Claude 5
/// model whose thinking is defaulted to `high` but not mandatory.
pub fn is_opus_5(identity: &Identity<'_>) -> bool {
    let model = identity.model;
    let re = &OPUS_5;
    let name = model.name.to_ascii_lowercase().replace([' ', '_'], "-");
    std::iter::once(base_model_key(model.id.as_str()))
        .chain(identity.canonical.map(str::to_owned))
        .chain(std::iter::once(name))
        .any(|text| re.is_match(&text))
}

/// THINK-14: Claude Sonnet 4 and Sonnet 4.5 (ids matching `claude-sonnet-4-(20250514|5)`),
/// the models the 1M-context beta applies to.
pub fn is_1m_context_beta_model(id: &str) -> bool {
    SONNET_4.is_match(&id.to_ascii_lowercase())
}

/// TOOL-03: a Claude Fable 5 identity (id or canonical id; ARN, geography prefix and
/// `anthropic.` ignored).
pub fn is_fable_5_id(id: &str) -> bool {
    let key = base_model_key(id);
    let key = key.strip_prefix("anthropic.").unwrap_or(&key);
    key.strip_prefix("claude-fable-5")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '.', ':', '/']))
}

#[cfg(test)]
mod tests;
