//! Prompt-cache points judged like Bedrock (CACHE-13, CACHE-14 of converse-stream.md;
//! real-error-messages.md 6a–6d), in this order: a model without prompt caching (6c), a `ttl` on a
//! non-Anthropic model (6b), Nova's schema forbidding tool cache points (6d), positions (CACHE-13),
//! TTL order (CACHE-14), then more than four points (6a).
//!
//! Cache points are read where the service model allows them: `toolConfig.tools`, `system` and each
//! message's `content`.

use serde_json::Value;

use super::model_rules::{prompt_caching, Caching};
use crate::catalog::FoundationModel;
use crate::error::{ApiError, MODEL_ERRORS};

type Checked = Result<(), ApiError>;

/// 6c (M-H text, M status: the newest Converse reports say 403): a model without prompt caching.
pub(crate) const NO_CACHING: &str = "You invoked an unsupported model or your request did not allow prompt caching. See the documentation for more information.";
/// 6b (H): any explicit `ttl` on a non-Anthropic model.
pub(crate) const TTL_ANTHROPIC_ONLY: &str =
    "Extended TTL prompt caching is only supported for Anthropic models";
/// CACHE-13, a point at content index 0 (M: anomalyco/opencode#17300 raw body, strands-agents
/// harness-sdk#3677 live run; for the system list L, assumed the same).
pub(crate) const NOTHING_TO_CACHE: &str =
    "There is nothing available to cache. Please remove the invalid cache point and try again.";
/// A point after a reasoning block (M: anomalyco/opencode#36517).
pub(crate) const AFTER_REASONING: &str =
    "Cache point cannot be inserted after reasoning block. Please remove the invalid cache point and try again.";

const MAX_POINTS: usize = 4;

/// One place cache points can sit.
struct List<'a> {
    /// Where it is in the request: `toolConfig/tools`, `system` or `messages/<i>/content`.
    path: String,
    /// The Anthropic-side path of a block in it (`messages.<i>.content`), for the messages.
    model_path: Option<String>,
    blocks: &'a [Value],
}

fn array(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The lists in Bedrock's cache order: tools, system, messages.
fn lists(req: &Value) -> Vec<List<'_>> {
    let mut out = vec![
        List {
            path: "toolConfig/tools".into(),
            model_path: None,
            blocks: array(req.get("toolConfig").and_then(|t| t.get("tools"))),
        },
        List {
            path: "system".into(),
            model_path: None,
            blocks: array(req.get("system")),
        },
    ];
    for (i, m) in array(req.get("messages")).iter().enumerate() {
        out.push(List {
            path: format!("messages/{i}/content"),
            model_path: Some(format!("messages.{i}.content")),
            blocks: array(m.get("content")),
        });
    }
    out
}

/// `(list, index, cachePoint)` of every point, in cache order.
fn points<'a>(lists: &'a [List<'a>]) -> impl Iterator<Item = (&'a List<'a>, usize, &'a Value)> {
    lists.iter().flat_map(|l| {
        l.blocks
            .iter()
            .enumerate()
            .filter_map(move |(j, b)| b.get("cachePoint").map(|cp| (l, j, cp)))
    })
}

fn has_ttl(cp: &Value) -> bool {
    cp.get("ttl").is_some_and(|t| !t.is_null())
}

/// Check every cache point of `req` for `model`.
pub(crate) fn check(req: &Value, model: &FoundationModel) -> Checked {
    let lists = lists(req);
    let count = points(&lists).count();
    if count == 0 {
        return Ok(());
    }
    let Some(caching) = prompt_caching(&model.model_id) else {
        return Err(ApiError::access_denied(NO_CACHING));
    };
    if caching != Caching::Anthropic && points(&lists).any(|(_, _, cp)| has_ttl(cp)) {
        return Err(ApiError::validation(TTL_ANTHROPIC_ONLY));
    }
    if caching == Caching::Nova {
        check_nova_tools(&lists[0])?;
    }
    points(&lists).try_for_each(|(l, j, _)| check_position(l, j))?;
    check_ttl_order(&lists)?;
    if count > MAX_POINTS {
        // 6a (M) is Anthropic's message passed through; for Nova no capture exists (L).
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}A maximum of 4 blocks with cache_control may be provided. Found {count}."
        )));
    }
    Ok(())
}

/// 6d (H): Nova's schema has no cache point among its tools.
fn check_nova_tools(tools: &List<'_>) -> Checked {
    match tools
        .blocks
        .iter()
        .position(|t| t.get("cachePoint").is_some())
    {
        Some(i) => Err(ApiError::validation(format!(
            "Malformed input request: #/toolConfig/tools/{i}: extraneous key [cachePoint] is not permitted, please reformat your input and try again."
        ))),
        None => Ok(()),
    }
}

/// CACHE-13: never at index 0 of a message or of the system list, never directly after a document
/// whose format is not `pdf`; and never directly after a reasoning block.
fn check_position(list: &List<'_>, j: usize) -> Checked {
    if list.path == "toolConfig/tools" {
        return Ok(());
    }
    if j == 0 {
        return Err(ApiError::validation(NOTHING_TO_CACHE));
    }
    let before = &list.blocks[j - 1];
    if before.get("reasoningContent").is_some() {
        return Err(ApiError::validation(AFTER_REASONING));
    }
    let non_pdf = before
        .get("document")
        .is_some_and(|d| d.get("format").and_then(Value::as_str) != Some("pdf"));
    if non_pdf {
        // M: strands-agents/harness-sdk#1966 (`The model returned the following errors:
        // messages.0.content.3.type: Field required`); the index being the point's own is L.
        let path = list.model_path.as_deref().unwrap_or("system");
        return Err(ApiError::validation(format!(
            "{MODEL_ERRORS}{path}.{j}.type: Field required"
        )));
    }
    Ok(())
}

/// CACHE-14: TTLs are non-increasing in the order tools → system → messages; `1h` after a point
/// without a ttl (5 minutes) is rejected. L: Anthropic's wording of this rule, passed through with
/// Converse's prefix (no Bedrock capture found).
fn check_ttl_order(lists: &[List<'_>]) -> Checked {
    let mut seen_short = false;
    for (_, _, cp) in points(lists) {
        let long = cp.get("ttl").and_then(Value::as_str) == Some("1h");
        if long && seen_short {
            return Err(ApiError::validation(format!(
                "{MODEL_ERRORS}a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block. Note that blocks are processed in the following order: `tools`, `system`, `messages`."
            )));
        }
        seen_short |= !long;
    }
    Ok(())
}
