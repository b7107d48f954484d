//! Merging the matching rules (consuming their use counts) and the header's faults into one
//! [`FaultPlan`]: the server reads only the plan, never the rules.

use super::{Fault, FrameDamage};
use crate::record::Operation;
use crate::shared::Shared;

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
    pub(crate) broken_frame: Option<(usize, FrameDamage)>,
    /// Content type and body of a 200 answer that replaces the event stream.
    pub(crate) raw_stream_body: Option<(String, String)>,
    pub(crate) reset_before_headers: bool,
    /// `Retry-After` seconds on the HTTP fault's answer.
    pub(crate) retry_after_s: Option<u64>,
}

impl FaultPlan {
    /// Add one fault: the first HTTP fault wins, delays take the maximum, latencies add up, and the
    /// other kinds take the last value.
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
            Fault::BrokenFrameAfter { events, damage } => {
                self.broken_frame = Some((*events, *damage))
            }
            Fault::RawStreamBody { content_type, body } => {
                self.raw_stream_body = Some((content_type.clone(), body.clone()))
            }
            Fault::ResetBeforeHeaders => self.reset_before_headers = true,
            Fault::RetryAfter { seconds } => self.retry_after_s = Some(*seconds),
        }
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
            if let Some(fault) = active.take(operation, model_ids) {
                plan.apply(fault);
            }
        }
    }
    for f in header_faults {
        plan.apply(f);
    }
    plan
}
