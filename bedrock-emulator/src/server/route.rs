//! Routing: method + raw path to an [`Operation`] and the percent-decoded model id or identifier,
//! matching the REST paths of the Bedrock service models (runtime `POST /model/{id}/…` and
//! `POST /guardrail/{id}/version/{version}/apply`, control plane `GET /foundation-models…` and
//! `/inference-profiles…`).

use http::Method;
use percent_encoding::percent_decode_str;

use crate::record::Operation;

/// Runtime path suffixes after `/model/{id}`, longest first where one ends another.
const RUNTIME: [(&str, Operation); 4] = [
    ("/converse-stream", Operation::ConverseStream),
    ("/converse", Operation::Converse),
    ("/invoke", Operation::InvokeModel),
    ("/count-tokens", Operation::CountTokens),
];

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Map method + raw path to an operation and the decoded identifier.
pub(super) fn route(method: &Method, raw_path: &str) -> (Operation, Option<String>) {
    let routed = if method == Method::POST {
        runtime(raw_path).or_else(|| guardrail(raw_path).map(|(op, id, _)| (op, Some(id))))
    } else if method == Method::GET {
        control_plane(raw_path.trim_end_matches('/'))
    } else {
        None
    };
    routed.unwrap_or((Operation::Unknown, None))
}

fn runtime(raw_path: &str) -> Option<(Operation, Option<String>)> {
    let rest = raw_path.strip_prefix("/model/")?;
    RUNTIME.iter().find_map(|(suffix, op)| {
        rest.strip_suffix(suffix)
            .filter(|id| !id.is_empty())
            .map(|id| (*op, Some(decode(id))))
    })
}

/// `/guardrail/{id}/version/{version}/apply` → (ApplyGuardrail, decoded id, decoded version).
pub(super) fn guardrail(raw_path: &str) -> Option<(Operation, String, String)> {
    let rest = raw_path
        .strip_prefix("/guardrail/")?
        .strip_suffix("/apply")?;
    let (id, version) = rest.rsplit_once("/version/")?;
    (!id.is_empty()).then(|| (Operation::ApplyGuardrail, decode(id), decode(version)))
}

fn control_plane(path: &str) -> Option<(Operation, Option<String>)> {
    let listing = |list: &str, list_op, get_op| {
        if path == list {
            return Some((list_op, None));
        }
        let id = path.strip_prefix(list)?.strip_prefix('/')?;
        Some((get_op, Some(decode(id))))
    };
    listing(
        "/foundation-models",
        Operation::ListFoundationModels,
        Operation::GetFoundationModel,
    )
    .or_else(|| {
        listing(
            "/inference-profiles",
            Operation::ListInferenceProfiles,
            Operation::GetInferenceProfile,
        )
    })
    .or_else(|| {
        let id = path
            .strip_prefix("/foundation-model-availability/")
            .filter(|id| !id.is_empty())?;
        Some((Operation::GetFoundationModelAvailability, Some(decode(id))))
    })
    .or_else(|| {
        let id = path
            .strip_prefix("/custom-models/")
            .filter(|id| !id.is_empty())?;
        Some((Operation::GetCustomModel, Some(decode(id))))
    })
    .or_else(|| {
        ACCOUNT_LISTS
            .iter()
            .find(|(list, _)| *list == path)
            .map(|(_, op)| (*op, None))
    })
}

/// The account-resource list operations (BR-85), each on its own fixed path.
const ACCOUNT_LISTS: [(&str, Operation); 4] = [
    ("/prompt-routers", Operation::ListPromptRouters),
    (
        "/model-customization/custom-model-deployments",
        Operation::ListCustomModelDeployments,
    ),
    ("/imported-models", Operation::ListImportedModels),
    (
        "/provisioned-model-throughputs",
        Operation::ListProvisionedModelThroughputs,
    ),
];
