//! Claude identities and their thinking profiles (THINK-01..03, THINK-20..22).

use std::sync::OnceLock;

use abi_stable::std_types::{RString, RVec};
use plugin_api::chat::{ReplayPolicy, ThinkingLevel, ThinkingLevel_NE, ThinkingProfile};
use plugin_api::model::{ModelDefinition, ThinkingLevelMapping};
use regex::Regex;

/// Region prefixes of inference profiles (DISC-30).
pub const REGION_PREFIXES: [&str; 9] = [
    "us-gov.", "us.", "eu.", "apac.", "ap.", "au.", "jp.", "global.", "ca.",
];

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
    REGION_PREFIXES
        .iter()
        .find_map(|prefix| after_arn.strip_prefix(prefix))
        .map(str::to_owned)
        .unwrap_or(after_arn)
}

fn canonical_id(model: &ModelDefinition) -> Option<String> {
    let params = model.params_json.as_ref().into_option()?;
    let value: serde_json::Value = serde_json::from_str(params.as_str()).ok()?;
    value
        .get("canonicalModelId")
        .and_then(serde_json::Value::as_str)
        .map(str::to_ascii_lowercase)
}

fn pattern(cell: &'static OnceLock<Regex>, source: &str) -> &'static Regex {
    cell.get_or_init(|| {
        Regex::new(source).unwrap_or_else(|err| unreachable!("static regex: {err}"))
    })
}

/// The Claude family of a model id, params and name, if it is Claude at all.
pub fn claude_family(model: &ModelDefinition) -> Option<ClaudeFamily> {
    static OPUS_47_48: OnceLock<Regex> = OnceLock::new();
    static CLAUDE_5: OnceLock<Regex> = OnceLock::new();
    static OPUS_46: OnceLock<Regex> = OnceLock::new();
    static SONNET_46: OnceLock<Regex> = OnceLock::new();
    let key = base_model_key(model.id.as_str());
    let candidates: Vec<String> = std::iter::once(key).chain(canonical_id(model)).collect();
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
    let family = if any(pattern(&OPUS_47_48, r"claude-opus-4[.-][78](?:$|[-.:/])")) {
        ClaudeFamily::Opus47Or48
    } else if any(pattern(
        &CLAUDE_5,
        r"claude-(?:fable|mythos|opus|sonnet)-5(?:$|[-.:/])",
    )) {
        ClaudeFamily::Claude5
    } else if any(pattern(&OPUS_46, r"claude-opus-4[.-]6(?:$|[-.:/])")) {
        ClaudeFamily::Opus46
    } else if any(pattern(&SONNET_46, r"claude-sonnet-4[.-]6(?:$|[-.:/])")) {
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

/// EVT-20: Claude Fable 5, Mythos 5, Opus 5 and Sonnet 5 hold events back until messageStop.
pub fn is_refusal_buffered(model: &ModelDefinition) -> bool {
    claude_family(model) == Some(ClaudeFamily::Claude5)
}

/// THINK-20: the levels a model offers and its default.
pub fn thinking_profile(model: &ModelDefinition) -> ThinkingProfile {
    use ThinkingLevel::*;
    let (offered, default): (&[ThinkingLevel], Option<ThinkingLevel>) = match claude_family(model) {
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

/// THINK-21: the native thinking-level map, if the model has one.
pub fn native_level_map(model: &ModelDefinition) -> Vec<ThinkingLevelMapping> {
    let entry = |level: ThinkingLevel, effort: Option<&str>| ThinkingLevelMapping {
        level: ThinkingLevel_NE::new(level),
        effort: effort.map(RString::from).into(),
    };
    let key = base_model_key(model.id.as_str());
    match claude_family(model) {
        Some(ClaudeFamily::Claude5)
            if !key.contains("opus-5")
                && !canonical_id(model).is_some_and(|id| id.contains("opus-5")) =>
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

/// THINK-13: merge the native map under the model's own entries; Claude 5 reasons.
pub fn normalize(mut model: ModelDefinition) -> ModelDefinition {
    for native in native_level_map(&model) {
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

/// THINK-22: the replay policy for Claude models.
pub fn replay_policy(model: &ModelDefinition) -> Option<ReplayPolicy> {
    claude_family(model)?;
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
    static THINKING: OnceLock<Regex> = OnceLock::new();
    claude_key(id).is_some_and(|key| {
        pattern(
            &THINKING,
            r"^claude-(?:3-7-sonnet|sonnet-4|opus-4|haiku-4[.-]5|(?:fable|mythos|opus|sonnet)-5|mythos-preview)(?:$|[-.:/@])",
        )
        .is_match(&key)
    })
}

/// Claude 5 family (`claude-fable-5*`, `claude-mythos-5*`, `claude-opus-5*`, `claude-sonnet-5*`),
/// whose discovered `maxTokens` is 128000 (DISC-20).
pub fn is_claude_5_family(id: &str) -> bool {
    static CLAUDE_5: OnceLock<Regex> = OnceLock::new();
    claude_key(id).is_some_and(|key| {
        pattern(
            &CLAUDE_5,
            r"^claude-(?:fable|mythos|opus|sonnet)-5(?:$|[-.:/@])",
        )
        .is_match(&key)
    })
}

/// A Claude identity of generation 3 or later other than Claude 3.5 Haiku: accepts images
/// (DISC-35 `input` fallback when the base model is not in this run's list).
pub fn is_image_capable_claude(id: &str) -> bool {
    static GEN3_PLUS: OnceLock<Regex> = OnceLock::new();
    claude_key(id).is_some_and(|key| {
        !key.starts_with("claude-3-5-haiku")
            && pattern(
                &GEN3_PLUS,
                r"^claude-(?:3-|(?:haiku|sonnet|opus)-4|(?:fable|mythos|opus|sonnet)-5|mythos)",
            )
            .is_match(&key)
    })
}

/// DISC-16/34: Claude Mythos Preview, which is never listed.
pub fn is_mythos_preview(id: &str) -> bool {
    static MYTHOS: OnceLock<Regex> = OnceLock::new();
    let re = pattern(
        &MYTHOS,
        r"(?i)(?:^|[/.:])anthropic\.claude-mythos-preview(?:$|[-.:/])",
    );
    let trimmed = id.trim();
    if re.is_match(trimmed) {
        return true;
    }
    let lower = trimmed.to_ascii_lowercase();
    REGION_PREFIXES
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .is_some_and(|rest| re.is_match(rest))
}

/// DISC-35 `params.canonicalModelId`: an Anthropic Claude base id without `anthropic.` and
/// without the `-v<N>` / `-v<N>:<M>` version suffix (a date stays).
pub fn canonical_model_id(base_id: &str) -> Option<String> {
    static VERSION: OnceLock<Regex> = OnceLock::new();
    let lower = base_id.trim().to_ascii_lowercase();
    let key = lower.strip_prefix("anthropic.")?;
    if !key.starts_with("claude-") {
        return None;
    }
    Some(
        pattern(&VERSION, r"-v\d+(?::\d+)?$")
            .replace(key, "")
            .into_owned(),
    )
}

/// The Claude family for thinking decisions (THINK-01/05): [`claude_family`], refined by the
/// display name when the id is opaque (application-profile ARNs or aliases such as
/// `production-claude` named "Claude Production Opus 4.8", EX-S08), because such a model's id
/// carries no version the other rules could read.
pub fn thinking_family(model: &ModelDefinition) -> Option<ClaudeFamily> {
    static NAME_OPUS_47_48: OnceLock<Regex> = OnceLock::new();
    static NAME_CLAUDE_5: OnceLock<Regex> = OnceLock::new();
    static NAME_OPUS_46: OnceLock<Regex> = OnceLock::new();
    static NAME_SONNET_46: OnceLock<Regex> = OnceLock::new();
    let family = claude_family(model)?;
    if family != ClaudeFamily::Other {
        return Some(family);
    }
    let name = model.name.to_ascii_lowercase().replace([' ', '_'], "-");
    let word = |cell: &'static OnceLock<Regex>, source: &str| pattern(cell, source).is_match(&name);
    let refined = if word(&NAME_OPUS_47_48, r"(?:^|[-.:/])opus-4[.-][78](?:$|[-.:/])") {
        ClaudeFamily::Opus47Or48
    } else if word(
        &NAME_CLAUDE_5,
        r"(?:^|[-.:/])(?:fable|mythos|opus|sonnet)-5(?:$|[-.:/])",
    ) {
        ClaudeFamily::Claude5
    } else if word(&NAME_OPUS_46, r"(?:^|[-.:/])opus-4[.-]6(?:$|[-.:/])") {
        ClaudeFamily::Opus46
    } else if word(&NAME_SONNET_46, r"(?:^|[-.:/])sonnet-4[.-]6(?:$|[-.:/])") {
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
pub fn is_opus_5(model: &ModelDefinition) -> bool {
    static OPUS_5: OnceLock<Regex> = OnceLock::new();
    let re = pattern(&OPUS_5, r"(?:^|[-.:/])(?:claude-)?opus-5(?:$|[-.:/])");
    let name = model.name.to_ascii_lowercase().replace([' ', '_'], "-");
    std::iter::once(base_model_key(model.id.as_str()))
        .chain(canonical_id(model))
        .chain(std::iter::once(name))
        .any(|text| re.is_match(&text))
}

/// THINK-14: Claude Sonnet 4 and Sonnet 4.5 (ids matching `claude-sonnet-4-(20250514|5)`),
/// the models the 1M-context beta applies to.
pub fn is_1m_context_beta_model(id: &str) -> bool {
    static SONNET_4: OnceLock<Regex> = OnceLock::new();
    pattern(&SONNET_4, r"claude-sonnet-4-(?:20250514|5)").is_match(&id.to_ascii_lowercase())
}

/// The model's `params.canonicalModelId`, lower-cased, if it has one.
pub fn canonical_model_id_of(model: &ModelDefinition) -> Option<String> {
    canonical_id(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str) -> ModelDefinition {
        ModelDefinition::new(id, "amazon-bedrock", "bedrock-converse-stream")
    }

    fn names(profile: &ThinkingProfile) -> Vec<&'static str> {
        profile
            .levels
            .iter()
            .filter_map(|level| level.as_enum().ok().map(|level| level.as_str()))
            .collect()
    }

    #[test]
    fn ex_i01_opus_46_offers_adaptive_and_nova_does_not() {
        let opus = thinking_profile(&model("us.anthropic.claude-opus-4-6-v1"));
        assert!(names(&opus).contains(&"adaptive"));
        assert_eq!(
            opus.default_level
                .into_option()
                .and_then(|l| l.as_enum().ok().copied()),
            Some(ThinkingLevel::Adaptive)
        );
        let nova = thinking_profile(&model("amazon.nova-micro-v1:0"));
        assert!(!names(&nova).contains(&"adaptive"));
        assert!(nova.default_level.is_none());
    }

    #[test]
    fn ex_i02_i03_opus_47_and_48_profiles() {
        for id in [
            "us.anthropic.claude-opus-4-7",
            "us.anthropic.claude-opus-4.7-v1:0",
            "eu.anthropic.claude-opus-4-7",
            "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
            "us.anthropic.claude-opus-4-8",
            "us.anthropic.claude-opus-4.8-v1:0",
        ] {
            let profile = thinking_profile(&model(id));
            assert_eq!(
                names(&profile),
                ["off", "minimal", "low", "medium", "high", "xhigh", "adaptive", "max"],
                "{id}"
            );
            assert_eq!(
                profile
                    .default_level
                    .into_option()
                    .and_then(|l| l.as_enum().ok().copied()),
                Some(ThinkingLevel::Off),
                "{id}"
            );
        }
    }

    #[test]
    fn ex_i04_replay_policy_for_claude() {
        let policy = replay_policy(&model("us.anthropic.claude-sonnet-4-6-v1")).expect("claude");
        assert_eq!(policy.sanitize_mode.as_str(), "full");
        assert!(policy.preserve_signatures && policy.allow_synthetic_tool_results);
        assert!(replay_policy(&model("amazon.nova-micro-v1:0")).is_none());
    }
}
