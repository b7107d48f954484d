//! Rules that depend on the model family, matched on the model id the way Bedrock's behaviour splits:
//! which Claude versions reject `temperature` (alone or with `top_p`), and which service tiers a model
//! accepts.

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
