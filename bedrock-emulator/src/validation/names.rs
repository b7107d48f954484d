//! Tool names and tool-use ids: the service model's `ToolName` / `ToolUseId` shapes, 1 to 64
//! characters of `[a-zA-Z0-9_-]`, reported in the coral validation form (H) at the member's path.

use serde_json::Value;

use crate::error::ApiError;

const PATTERN: &str = "[a-zA-Z0-9_-]+";
const MAX: usize = 64;

/// Check the string at `path` (`None` / non-strings are left to the null checks).
pub(super) fn check(value: Option<&Value>, path: &str) -> Result<(), ApiError> {
    let Some(s) = value.and_then(Value::as_str) else {
        return Ok(());
    };
    let length = s.chars().count();
    if length == 0 {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '' at '{path}' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )));
    }
    if length > MAX {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{s}' at '{path}' failed to satisfy constraint: Member must have length less than or equal to {MAX}"
        )));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{s}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {PATTERN}"
        )));
    }
    Ok(())
}
