//! GRD-04: the guardrail trace of a stream's metadata as the JSON object Bedrock sent
//! (camelCase keys, map keys sorted), carried in the `guardrail_trace` diagnostic so users see
//! which policy intervened, and the actions it took (GRD-06: masked is not blocked). Kept
//! apart from the mapper: it reads Bedrock's guardrail assessment shapes, not stream state.

use aws_sdk_bedrockruntime::types::{GuardrailAssessment, GuardrailTraceAssessment};
use serde_json::{json, Map, Value};

/// GRD-04: the guardrail trace as the JSON object Bedrock sent (camelCase keys), so users see
/// which policy intervened.
pub fn trace_json(trace: &GuardrailTraceAssessment) -> Value {
    let mut object = Map::new();
    if let Some(output) = &trace.model_output {
        object.insert("modelOutput".into(), json!(output));
    }
    if let Some(inputs) = &trace.input_assessment {
        let mut keys: Vec<&String> = inputs.keys().collect();
        keys.sort();
        let assessments: Map<String, Value> = keys
            .into_iter()
            .filter_map(|key| {
                inputs
                    .get(key)
                    .map(|assessment| (key.clone(), guardrail_assessment_json(assessment)))
            })
            .collect();
        object.insert("inputAssessment".into(), Value::Object(assessments));
    }
    if let Some(outputs) = &trace.output_assessments {
        let mut keys: Vec<&String> = outputs.keys().collect();
        keys.sort();
        let assessments: Map<String, Value> = keys
            .into_iter()
            .filter_map(|key| {
                outputs.get(key).map(|list| {
                    let list: Vec<Value> = list.iter().map(guardrail_assessment_json).collect();
                    (key.clone(), Value::Array(list))
                })
            })
            .collect();
        object.insert("outputAssessments".into(), Value::Object(assessments));
    }
    if let Some(reason) = &trace.action_reason {
        object.insert("actionReason".into(), json!(reason));
    }
    Value::Object(object)
}

fn guardrail_assessment_json(assessment: &GuardrailAssessment) -> Value {
    let mut object = Map::new();
    if let Some(policy) = &assessment.topic_policy {
        let topics: Vec<Value> = policy
            .topics
            .iter()
            .map(|topic| {
                json!({"name": topic.name, "type": topic.r#type.as_str(),
                       "action": topic.action.as_str(), "detected": topic.detected})
            })
            .collect();
        object.insert("topicPolicy".into(), json!({ "topics": topics }));
    }
    if let Some(policy) = &assessment.content_policy {
        let filters: Vec<Value> = policy
            .filters
            .iter()
            .map(|filter| {
                json!({"type": filter.r#type.as_str(), "confidence": filter.confidence.as_str(),
                       "filterStrength": filter.filter_strength.as_ref().map(|s| s.as_str()),
                       "action": filter.action.as_str(), "detected": filter.detected})
            })
            .collect();
        object.insert("contentPolicy".into(), json!({ "filters": filters }));
    }
    if let Some(policy) = &assessment.word_policy {
        let custom: Vec<Value> = policy
            .custom_words
            .iter()
            .map(|word| {
                json!({"match": word.r#match, "action": word.action.as_str(),
                       "detected": word.detected})
            })
            .collect();
        let managed: Vec<Value> = policy
            .managed_word_lists
            .iter()
            .map(|word| {
                json!({"match": word.r#match, "type": word.r#type.as_str(),
                       "action": word.action.as_str(), "detected": word.detected})
            })
            .collect();
        object.insert(
            "wordPolicy".into(),
            json!({"customWords": custom, "managedWordLists": managed}),
        );
    }
    if let Some(policy) = &assessment.sensitive_information_policy {
        let pii: Vec<Value> = policy
            .pii_entities
            .iter()
            .map(|entity| {
                json!({"match": entity.r#match, "type": entity.r#type.as_str(),
                       "action": entity.action.as_str(), "detected": entity.detected})
            })
            .collect();
        let regexes: Vec<Value> = policy
            .regexes
            .iter()
            .map(|regex| {
                json!({"name": regex.name, "match": regex.r#match, "regex": regex.regex,
                       "action": regex.action.as_str(), "detected": regex.detected})
            })
            .collect();
        object.insert(
            "sensitiveInformationPolicy".into(),
            json!({"piiEntities": pii, "regexes": regexes}),
        );
    }
    if let Some(policy) = &assessment.contextual_grounding_policy {
        let filters: Vec<Value> = policy
            .filters
            .iter()
            .flatten()
            .map(|filter| {
                json!({"type": filter.r#type.as_str(), "threshold": filter.threshold,
                       "score": filter.score, "action": filter.action.as_str(),
                       "detected": filter.detected})
            })
            .collect();
        object.insert(
            "contextualGroundingPolicy".into(),
            json!({ "filters": filters }),
        );
    }
    if let Some(policy) = &assessment.automated_reasoning_policy {
        // Findings are deeply nested unions; their count tells the user the policy ran.
        object.insert(
            "automatedReasoningPolicy".into(),
            json!({"findingCount": policy.findings.as_ref().map_or(0, Vec::len)}),
        );
    }
    if let Some(metrics) = &assessment.invocation_metrics {
        object.insert(
            "invocationMetrics".into(),
            json!({"guardrailProcessingLatency": metrics.guardrail_processing_latency}),
        );
    }
    Value::Object(object)
}

/// GRD-06: the actions a response's guardrail traces took, so "masked" (only `ANONYMIZED`)
/// can be told from "blocked" (any `BLOCKED`). Actions `NONE` (detected, not acted on) count
/// as neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Actions {
    anonymized: bool,
    blocked: bool,
}

impl Actions {
    /// Adds the actions of one trace (input and output assessments alike).
    pub fn record(&mut self, trace: &GuardrailTraceAssessment) {
        let inputs = trace.input_assessment.iter().flat_map(|map| map.values());
        let outputs = trace
            .output_assessments
            .iter()
            .flat_map(|map| map.values())
            .flatten();
        for assessment in inputs.chain(outputs) {
            for action in assessment_actions(assessment) {
                match action {
                    "ANONYMIZED" => self.anonymized = true,
                    "BLOCKED" => self.blocked = true,
                    _ => {}
                }
            }
        }
    }

    /// Some content was anonymized and nothing was blocked.
    pub fn masked_only(&self) -> bool {
        self.anonymized && !self.blocked
    }
}

/// Every policy action of one assessment, as Bedrock's raw strings.
fn assessment_actions(assessment: &GuardrailAssessment) -> Vec<&str> {
    let mut actions = Vec::new();
    if let Some(policy) = &assessment.topic_policy {
        actions.extend(policy.topics.iter().map(|topic| topic.action.as_str()));
    }
    if let Some(policy) = &assessment.content_policy {
        actions.extend(policy.filters.iter().map(|filter| filter.action.as_str()));
    }
    if let Some(policy) = &assessment.word_policy {
        actions.extend(policy.custom_words.iter().map(|word| word.action.as_str()));
        actions.extend(
            policy
                .managed_word_lists
                .iter()
                .map(|word| word.action.as_str()),
        );
    }
    if let Some(policy) = &assessment.sensitive_information_policy {
        actions.extend(
            policy
                .pii_entities
                .iter()
                .map(|entity| entity.action.as_str()),
        );
        actions.extend(policy.regexes.iter().map(|regex| regex.action.as_str()));
    }
    if let Some(policy) = &assessment.contextual_grounding_policy {
        actions.extend(
            policy
                .filters
                .iter()
                .flatten()
                .map(|filter| filter.action.as_str()),
        );
    }
    actions
}
