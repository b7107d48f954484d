//! Fault injection: programmatic rules (per operation, model id and use count) and the per-request
//! `x-emulator-fault` header. Both resolve to one [`FaultPlan`] per request.

use crate::{Fault, FaultRule, Operation, Shared};

pub(crate) struct ActiveRule {
    rule: FaultRule,
    used: usize,
}

impl ActiveRule {
    pub(crate) fn new(rule: FaultRule) -> Self {
        ActiveRule { rule, used: 0 }
    }
}

/// Everything injected into one request.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultPlan {
    pub(crate) http: Option<(u16, String, String)>,
    pub(crate) in_stream: Option<(usize, String, String)>,
    pub(crate) disconnect_after: Option<usize>,
    pub(crate) bad_crc_after: Option<usize>,
    pub(crate) stall_ms: u64,
    pub(crate) first_byte_ms: u64,
    pub(crate) latency_ms: u64,
    pub(crate) long_stream: Option<usize>,
}

impl FaultPlan {
    fn apply(&mut self, fault: &Fault) {
        match fault {
            Fault::Http {
                status,
                error_type,
                message,
            } => {
                if self.http.is_none() {
                    self.http = Some((*status, error_type.clone(), message.clone()));
                }
            }
            Fault::InStreamException {
                after_events,
                exception_type,
                message,
            } => self.in_stream = Some((*after_events, exception_type.clone(), message.clone())),
            Fault::DisconnectAfter { events } => self.disconnect_after = Some(*events),
            Fault::BadCrcAfter { events } => self.bad_crc_after = Some(*events),
            Fault::StallBetweenEvents { ms } => self.stall_ms = self.stall_ms.max(*ms),
            Fault::FirstByteDelay { ms } => self.first_byte_ms = self.first_byte_ms.max(*ms),
            Fault::Latency { ms } => self.latency_ms += *ms,
            Fault::LongStream { events } => self.long_stream = Some(*events),
        }
    }
}

/// Default Bedrock error type and message for an HTTP status.
pub(crate) fn default_error(status: u16) -> (&'static str, &'static str) {
    match status {
        400 => ("ValidationException", "The request failed validation."),
        403 => (
            "AccessDeniedException",
            "You don't have access to the model with the specified model ID.",
        ),
        404 => (
            "ResourceNotFoundException",
            "The requested resource was not found.",
        ),
        408 => (
            "ModelTimeoutException",
            "Model has timed out in processing the request. Try your request again.",
        ),
        424 => (
            "ModelErrorException",
            "The model encountered an error processing the request.",
        ),
        429 => (
            "ThrottlingException",
            "Too many requests, please wait before trying again.",
        ),
        503 => (
            "ServiceUnavailableException",
            "Bedrock is unable to process your request.",
        ),
        _ => (
            "InternalServerException",
            "The server encountered an internal error while processing the request.",
        ),
    }
}

fn num<T: std::str::FromStr>(item: &str, v: &str) -> Result<T, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("invalid number in fault item '{item}'"))
}

/// Parse the `x-emulator-fault` header (`;`-separated items, see the crate docs).
pub(crate) fn parse_header(value: &str) -> Result<Vec<Fault>, String> {
    let mut out = Vec::new();
    for item in value.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (name, arg) = item.split_once('=').unwrap_or((item, ""));
        let fault = match name.trim() {
            "throttle" => Fault::throttling(),
            "http" => {
                let mut parts = arg.splitn(3, ':');
                let status: u16 = num(item, parts.next().unwrap_or(""))?;
                let (dt, dm) = default_error(status);
                Fault::Http {
                    status,
                    error_type: parts
                        .next()
                        .filter(|s| !s.is_empty())
                        .unwrap_or(dt)
                        .to_string(),
                    message: parts.next().unwrap_or(dm).to_string(),
                }
            }
            "exception" => {
                let mut parts = arg.splitn(3, ':');
                let after_events = num(item, parts.next().unwrap_or(""))?;
                let exception_type = parts
                    .next()
                    .filter(|s| !s.is_empty())
                    .unwrap_or("internalServerException")
                    .to_string();
                let message = parts
                    .next()
                    .map(str::to_string)
                    .unwrap_or_else(|| default_stream_message(&exception_type).to_string());
                Fault::InStreamException {
                    after_events,
                    exception_type,
                    message,
                }
            }
            "disconnect" => Fault::DisconnectAfter {
                events: num(item, arg)?,
            },
            "bad-crc" => Fault::BadCrcAfter {
                events: num(item, arg)?,
            },
            "stall" => Fault::StallBetweenEvents {
                ms: num(item, arg)?,
            },
            "first-byte" => Fault::FirstByteDelay {
                ms: num(item, arg)?,
            },
            "latency" => Fault::Latency {
                ms: num(item, arg)?,
            },
            "long" => Fault::LongStream {
                events: num(item, arg)?,
            },
            other => return Err(format!("unknown fault '{other}'")),
        };
        out.push(fault);
    }
    Ok(out)
}

/// Default message of an in-stream exception type.
pub(crate) fn default_stream_message(exception_type: &str) -> &'static str {
    match exception_type {
        "throttlingException" => "Too many requests, please wait before trying again.",
        "modelStreamErrorException" => "Model Stream Error",
        "serviceUnavailableException" => "Bedrock is unable to process your request.",
        "validationException" => "The request failed validation.",
        _ => "The server encountered an internal error while processing the request.",
    }
}

/// Collect the faults for a request from the rules (consuming their counts) and the header.
pub(crate) fn plan(
    shared: &Shared,
    operation: Operation,
    model_ids: &[&str],
    header_faults: &[Fault],
) -> FaultPlan {
    let mut plan = FaultPlan::default();
    if let Ok(mut rules) = shared.faults.lock() {
        for active in rules.iter_mut() {
            let r = &active.rule;
            if r.operation.is_some_and(|op| op != operation) {
                continue;
            }
            if let Some(m) = &r.model_id {
                if !model_ids.iter().any(|id| id == m) {
                    continue;
                }
            }
            if r.times.is_some_and(|t| active.used >= t) {
                continue;
            }
            active.used += 1;
            plan.apply(&r.fault);
        }
    }
    for f in header_faults {
        plan.apply(f);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_items() {
        let f = parse_header("http=503; exception=3:throttlingException:slow down;stall=5;long=10")
            .unwrap();
        assert_eq!(f.len(), 4);
        match &f[0] {
            Fault::Http {
                status, error_type, ..
            } => {
                assert_eq!(*status, 503);
                assert_eq!(error_type, "ServiceUnavailableException");
            }
            other => panic!("{other:?}"),
        }
        match &f[1] {
            Fault::InStreamException {
                after_events,
                exception_type,
                message,
            } => {
                assert_eq!(*after_events, 3);
                assert_eq!(exception_type, "throttlingException");
                assert_eq!(message, "slow down");
            }
            other => panic!("{other:?}"),
        }
        assert!(parse_header("bogus").is_err());
        assert!(parse_header("stall=abc").is_err());
    }
}
