//! Sending one ConverseStream request and pumping its events to the host.
//!
//! The driver owns the timers the mapper must not: the stall guard (BR-20: no event for
//! `timeouts.streamIdleMs`, counted from the send until the headers and then between events)
//! and the keep-alive for refusal-buffered models (EVT-20: at least every 5 s). This file
//! sends and decides retries; `read.rs` is the read loop with those timers.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_bedrockruntime::error::SdkError;
use aws_sdk_bedrockruntime::operation::RequestId as _;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use plugin_api::abi_stable::std_types::RBox;
use plugin_api::event::{RetryNotice, StopReason, StreamEvent, StreamEvent_NE};

use crate::config::RetryPolicy;
use crate::converse::errors;
use crate::converse::learned::LearnedCorrections;
use crate::converse::payload_hook::{self, HookSend, HostPayloadHook};
use crate::converse::request::ConverseInput;
use crate::converse::request::{guardrail, performance};
use crate::converse::response::mapper::{MapperConfig, StreamMapper};
use crate::converse::retry::{self, ChooseProfile, FailurePhase, SelfHeal};
use crate::error::BedrockError;
use crate::pending::EventSink;

mod failover;
mod read;
#[cfg(test)]
mod tests;
mod unary;

/// Everything one send needs (the client, the shaped input and the stall guard's timeout).
pub struct SendSpec {
    pub client: aws_sdk_bedrockruntime::Client,
    pub input: ConverseInput,
    pub idle_timeout: Duration,
}

/// One host request: the first send plus what retries and self-heal need (BR-01..BR-13).
pub struct StreamRequest {
    pub send: SendSpec,
    /// Each send gets a fresh mapper built from this (time to first token, `Start`).
    pub mapper: MapperConfig,
    /// `retry.*` of the settings the request started with (LIVE-01).
    pub policy: RetryPolicy,
    /// The request's region, for the learned profile mapping and BR-03/BR-04 messages.
    pub region: String,
    /// BR-03/BR-04 profile choice; `None` disables the profile self-heal.
    pub profiles: Option<Box<dyn ChooseProfile>>,
    /// The instance's learned corrections (BR-01..BR-05 memory), read up front and updated by
    /// self-heal.
    pub learned: Arc<LearnedCorrections>,
    /// BR-15: how long a throttle failover is remembered (`retry.failoverMemoryMs`); zero
    /// disables failover.
    pub failover_memory: Duration,
    /// The endpoint URL the request goes to, named when no connection can be made (PLG-25).
    pub endpoint: String,
    /// BR-83: the model's access as discovery found it (the catalog's `model.access`), so an
    /// AccessDeniedException can say why.
    pub model_access: Option<String>,
    /// REQ-03: the host's payload hook, run before every send (PLG-120).
    pub payload_hook: Option<HostPayloadHook>,
}

pub(crate) fn idle_ms(timeout: Duration) -> u64 {
    u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX)
}

/// A send that failed before its terminal event was queued: the caller decides between a
/// retry and ending the stream with `error`.
struct Failure {
    error: BedrockError,
    /// `Retry-After` of the failed response (BR-10 minimum delay).
    retry_after: Option<Duration>,
    phase: FailurePhase,
    /// Events not yet shown to the host (only the held-back `Start`): dropped on a retry,
    /// queued before the error otherwise.
    held: Vec<StreamEvent_NE>,
}

/// How one send ended.
enum Attempt {
    /// The terminal event was queued, or the host dropped the stream.
    Over,
    /// Boxed: a failure is rare and much larger than `Over`.
    Failed(Box<Failure>),
}

/// Sends the request, retrying and self-healing per the policy, and streams every mapped
/// event of the send that is not retried into `sink` until a terminal event.
pub async fn run(request: StreamRequest, sink: EventSink) {
    let StreamRequest {
        send,
        mapper: mapper_config,
        policy,
        region,
        profiles,
        learned,
        failover_memory,
        model_access,
        endpoint,
        payload_hook,
    } = request;
    let SendSpec {
        client,
        mut input,
        idle_timeout,
    } = send;
    let requested_model = mapper_config.model_id.clone();
    // Learned constraints shape the request up front (BR-01..BR-05 memory); an input already
    // addressed to another id (DISC-19a's preferred profile) names it as resolved too (PLG-43).
    let mut resolved = retry::apply_learned(&mut input, &learned, &requested_model, &region)
        .or_else(|| (input.model_id != requested_model).then(|| input.model_id.clone()));
    let max_attempts = policy.max_attempts.max(1);
    let mut counted: u32 = 1;
    let mut send_number: u32 = 1;
    let mut healed: Option<SelfHeal> = None;
    // BR-96: the separated resend happens once.
    let mut separated = false;
    // BR-95: requests with tools to a model known not to stream tool use go through Converse.
    let mut unary = input.tool_config.is_some() && learned.get(&requested_model).converse_for_tools;
    // BR-15: rate-limit throttles of consecutive sends before any output.
    let mut throttled_in_a_row: u32 = 0;
    let mut jitter = retry::Jitter::from_time();
    loop {
        let mut config = mapper_config.clone();
        // EVT-33 names the limit this send carries (after learned or BR-05 clamps).
        if let Some(sent) = input
            .inference_config
            .max_tokens
            .and_then(|sent| u64::try_from(sent).ok())
        {
            config.max_tokens = sent;
        }
        config.notices = input.notices.clone();
        // REQ-02: the cap warning applies while the send still carries requestMaxTokens.
        config.request_max_tokens_cap = input.request_max_tokens_cap.filter(|(cap, _)| {
            input
                .inference_config
                .max_tokens
                .and_then(|sent| u64::try_from(sent).ok())
                == Some(*cap)
        });
        // BR-90: the latency this send asks for (a healed send asks for standard).
        config.surface.latency = performance::requested_latency(&input);
        let mut mapper = StreamMapper::new(config);
        mapper.set_resolved_model_id(resolved.clone());
        mapper.set_attempt(send_number);
        let hook = payload_hook
            .as_ref()
            .map(|hook| hook.for_send(&region, send_number));
        let sent = if unary {
            attempt_converse(
                &client,
                input.clone(),
                idle_timeout,
                &mut mapper,
                &sink,
                hook,
            )
            .await
        } else {
            attempt(
                &client,
                input.clone(),
                idle_timeout,
                &mut mapper,
                &sink,
                hook,
            )
            .await
        };
        let failure = match sent {
            Attempt::Over => {
                if let Some(SelfHeal::MaxTokensClamped(limit)) = healed {
                    // BR-05 is remembered only once Bedrock accepted the clamped value.
                    learned.learn(&requested_model, |known| known.max_tokens = Some(limit));
                }
                return;
            }
            Attempt::Failed(failure) => *failure,
        };
        let Failure {
            mut error,
            retry_after,
            phase,
            mut held,
        } = failure;

        // BR-01..BR-06: one reshaped resend, only before any host event.
        if policy.self_heal && healed.is_none() && !phase.emitted_output {
            let heal = if performance::rejects_optimized(&error, &input) {
                Some(SelfHeal::StandardLatency)
            } else {
                retry::detect_self_heal(&error, input.inference_config.max_tokens)
            };
            if let Some(heal) = heal {
                match self_heal(
                    &heal,
                    &mut input,
                    &requested_model,
                    &region,
                    profiles.as_deref(),
                    &learned,
                )
                .await
                {
                    HealOutcome::Resend { detail } => {
                        if let SelfHeal::InferenceProfile { .. } = heal {
                            resolved = Some(input.model_id.clone());
                        }
                        healed = Some(heal.clone());
                        send_number += 1;
                        let detail = detail.unwrap_or_else(|| error.to_string());
                        if !notify(&sink, send_number, 0, heal.reason(), detail).await {
                            return;
                        }
                        continue;
                    }
                    HealOutcome::NoProfile { invalid_id: true } => {
                        error = retry::not_available_error(error, &requested_model, &region);
                    }
                    HealOutcome::NoProfile { invalid_id: false } => {
                        error = retry::no_profile_error(error, &requested_model, &region);
                    }
                }
            }
        }

        // BR-95: one resend through Converse when the model cannot stream tool use, and every
        // later request with tools goes there at once.
        if !phase.emitted_output
            && !unary
            && input.tool_config.is_some()
            && unary::rejects_streaming_tool_use(&error)
        {
            unary = true;
            learned.learn(&requested_model, |known| known.converse_for_tools = true);
            send_number += 1;
            if !notify(
                &sink,
                send_number,
                0,
                unary::DOWNGRADE_REASON,
                unary::DOWNGRADE_DETAIL.to_owned(),
            )
            .await
            {
                return;
            }
            continue;
        }

        // BR-96: one resend with tool-result turns separated, only before any host event.
        if !phase.emitted_output
            && !separated
            && retry::needs_tool_result_separation(&error)
            && retry::separate_tool_results(&mut input, &learned, &requested_model)
        {
            separated = true;
            send_number += 1;
            if !notify(
                &sink,
                send_number,
                0,
                retry::TURN_SEPARATION_REASON,
                error.to_string(),
            )
            .await
            {
                return;
            }
            continue;
        }

        let reason = retry::transient_reason(&error, phase);
        // BR-16: a daily quota never clears within a backoff; it counts as a throttle for
        // failover and fails over at once.
        let daily_quota = !phase.emitted_output && errors::is_daily_quota(&error);
        throttled_in_a_row = if daily_quota || reason == Some(retry::RetryReason::RateLimit) {
            throttled_in_a_row.saturating_add(1)
        } else {
            0
        };

        // BR-15: after two throttles in a row (a daily quota at once), the next attempt goes
        // to a cross-region profile instead of waiting out the backoff.
        if counted < max_attempts && (daily_quota || throttled_in_a_row >= 2) {
            let failover = failover::target(
                &input.model_id,
                &requested_model,
                &region,
                failover_memory,
                profiles.as_deref(),
            )
            .await;
            if let Some(profile) = failover {
                counted += 1;
                send_number += 1;
                let delay = if daily_quota {
                    Duration::ZERO
                } else {
                    retry::backoff_delay(&policy, counted, None, &mut || jitter.next_u64())
                        .min(policy.base_delay)
                };
                failover::remember(
                    &learned,
                    &requested_model,
                    &region,
                    &profile,
                    failover_memory,
                );
                let detail = format!("failover to {profile}");
                input.model_id = profile;
                resolved = Some(input.model_id.clone());
                throttled_in_a_row = 0;
                if !notify(
                    &sink,
                    send_number,
                    idle_ms(delay),
                    retry::RetryReason::RateLimit.as_str(),
                    detail,
                )
                .await
                {
                    return;
                }
                tokio::time::sleep(delay).await;
                continue;
            }
        }

        // BR-10/BR-11: transient failures are retried with backoff while attempts remain.
        if let Some(reason) = reason {
            if counted < max_attempts {
                counted += 1;
                send_number += 1;
                let delay =
                    retry::backoff_delay(&policy, counted, retry_after, &mut || jitter.next_u64());
                tracing::debug!(
                    model = %requested_model,
                    attempt = send_number,
                    delay_ms = idle_ms(delay),
                    reason = reason.as_str(),
                    "retrying ConverseStream"
                );
                if !notify(
                    &sink,
                    send_number,
                    idle_ms(delay),
                    reason.as_str(),
                    error.to_string(),
                )
                .await
                {
                    return;
                }
                // Cancellation aborts this task, so the wait ends with it (BR-11).
                tokio::time::sleep(delay).await;
                continue;
            }
        }

        // BR-16: a daily quota says so, naming the model id and region it hit.
        let error = errors::with_daily_quota_context(error, &input.model_id, &region)
            .with_connect_target(&endpoint);
        // BR-83: a denial of a model the account cannot call says so.
        let error = errors::with_access_hint(error, model_access.as_deref(), &region);
        // The stream-event boundary: the typed error becomes the host's error here.
        mapper.on_failure(error.into(), StopReason::Error, &mut held);
        finish(&sink, held).await;
        return;
    }
}

/// What [`self_heal`] decided.
enum HealOutcome {
    /// Resend the reshaped input; the notice detail (`None`: the formatted error).
    Resend { detail: Option<String> },
    /// BR-03/BR-04 found no usable profile: the error is extended and returned.
    NoProfile { invalid_id: bool },
}

/// Applies `heal` to `input` and remembers the constraint (BR-05's limit only once the
/// resend succeeded, since the BR-05 edge case can pick an unrelated number).
async fn self_heal(
    heal: &SelfHeal,
    input: &mut ConverseInput,
    requested_model: &str,
    region: &str,
    profiles: Option<&dyn ChooseProfile>,
    learned: &LearnedCorrections,
) -> HealOutcome {
    match heal {
        SelfHeal::TemperatureUnsupported => {
            retry::drop_sampling(input);
            learned.learn(requested_model, |known| known.no_sampling = true);
            HealOutcome::Resend { detail: None }
        }
        SelfHeal::TopPConflict => {
            tracing::warn!(
                "Amazon Bedrock: {requested_model} does not accept temperature and top_p together; dropping top_p"
            );
            retry::drop_top_p(input);
            learned.learn(requested_model, |known| known.no_top_p = true);
            HealOutcome::Resend { detail: None }
        }
        SelfHeal::MaxTokensClamped(limit) => {
            input.inference_config.max_tokens = Some(*limit);
            HealOutcome::Resend { detail: None }
        }
        SelfHeal::StandardLatency => HealOutcome::Resend {
            detail: Some(performance::heal_to_standard(input)),
        },
        SelfHeal::InferenceProfile { invalid_id } => {
            let profile = match profiles {
                Some(chooser) => chooser.choose(&input.model_id, region).await,
                None => None,
            };
            match profile {
                Some(profile) if profile != input.model_id => {
                    let detail = format!("Retried with inference profile {profile}");
                    let region_key = region.to_owned();
                    let remembered = profile.clone();
                    learned.learn(requested_model, move |known| {
                        known.profiles.insert(region_key, remembered);
                    });
                    input.model_id = profile;
                    HealOutcome::Resend {
                        detail: Some(detail),
                    }
                }
                _ => HealOutcome::NoProfile {
                    invalid_id: *invalid_id,
                },
            }
        }
    }
}

/// BR-11: the retry notice before a resend. False when the host dropped the stream.
async fn notify(
    sink: &EventSink,
    attempt: u32,
    delay_ms: u64,
    reason: &str,
    detail: String,
) -> bool {
    let notice = RetryNotice {
        attempt,
        delay_ms,
        reason: reason.into(),
        detail: detail.into(),
    };
    sink.send([StreamEvent_NE::new(StreamEvent::Retry(RBox::new(notice)))])
        .await
}

/// The `Retry-After` of a failed initial response.
fn retry_after_of<E>(err: &SdkError<E, HttpResponse>) -> Option<Duration> {
    err.raw_response()
        .and_then(|raw| raw.headers().get("retry-after"))
        .and_then(retry::parse_retry_after)
}

/// One send: streams its events to `sink` once output is shown, holding back a `Start`-only
/// prefix so a retried send never shows the host a second `Start`.
async fn attempt(
    client: &aws_sdk_bedrockruntime::Client,
    input: ConverseInput,
    idle_timeout: Duration,
    mapper: &mut StreamMapper,
    sink: &EventSink,
    hook: Option<HookSend<'_>>,
) -> Attempt {
    let mut out: Vec<StreamEvent_NE> = Vec::with_capacity(8);
    let fresh = FailurePhase {
        saw_event: false,
        emitted_output: false,
    };
    // GRD-01: the SDK serialises guardrail defaults the config did not set; strip them.
    let unset_guardrail_keys = input
        .guardrail_config
        .as_ref()
        .map(|guardrail| guardrail.unset_keys())
        .unwrap_or_default();
    let request = client
        .converse_stream()
        .model_id(input.model_id)
        .set_system((!input.system.is_empty()).then_some(input.system))
        .set_messages(Some(input.messages))
        .inference_config(input.inference_config)
        .set_tool_config(input.tool_config)
        .set_request_metadata(input.request_metadata)
        .set_guardrail_config(input.guardrail_config.map(|guardrail| guardrail.config))
        .set_service_tier(input.service_tier)
        .set_performance_config(input.performance_config)
        .set_output_config(input.output_config)
        .set_additional_model_request_fields(input.additional_model_request_fields)
        .set_additional_model_response_field_paths(input.additional_model_response_field_paths);
    // REQ-03: the host's hook sees the final payload and may replace it (before the stall
    // guard is armed: the host's time is not Bedrock's).
    let (request, replacement) =
        match payload_hook::before_send(hook, request, &unset_guardrail_keys).await {
            Ok(prepared) => prepared,
            Err(error) => {
                return Attempt::Failed(Box::new(Failure {
                    error,
                    retry_after: None,
                    phase: fresh,
                    held: out,
                }))
            }
        };
    let request = request.customize().mutate_request(move |request| {
        guardrail::strip_unset_keys(request, &unset_guardrail_keys);
        payload_hook::replace_body(request, replacement.as_ref());
    });
    // BR-20: one idle timer for the whole send, armed now and re-armed (never re-created) as
    // headers and events arrive.
    let idle = tokio::time::sleep(idle_timeout);
    tokio::pin!(idle);
    let sent = tokio::select! {
        biased;
        sent = request.send() => sent,
        () = idle.as_mut() => {
            return Attempt::Failed(Box::new(Failure {
                error: BedrockError::Stalled {
                    ms: idle_ms(idle_timeout),
                },
                retry_after: None,
                phase: fresh,
                held: out,
            }))
        }
    };
    let response = match sent {
        Err(err) => {
            return Attempt::Failed(Box::new(Failure {
                error: errors::from_converse_stream_error(&err),
                retry_after: retry_after_of(&err),
                phase: fresh,
                held: out,
            }))
        }
        Ok(response) => response,
    };
    let request_id = response.request_id().map(str::to_owned);
    mapper.set_request_id(request_id.clone());
    idle.as_mut().reset(read::deadline_after(idle_timeout));
    let mut events = read::SdkEvents {
        stream: response.stream,
        request_id: request_id.as_deref(),
    };
    let timers = read::Timers {
        idle: idle.as_mut(),
        idle_timeout,
    };
    let read = read::read_events(&mut events, timers, mapper, sink, &mut out).await;
    after_read(read, mapper, sink, out).await
}

/// BR-95: one send through Converse, its answer replayed through the same read loop (all of
/// it is ready, so nothing waits there).
async fn attempt_converse(
    client: &aws_sdk_bedrockruntime::Client,
    input: ConverseInput,
    idle_timeout: Duration,
    mapper: &mut StreamMapper,
    sink: &EventSink,
    hook: Option<HookSend<'_>>,
) -> Attempt {
    let out: Vec<StreamEvent_NE> = Vec::with_capacity(8);
    let request = client
        .converse()
        .model_id(input.model_id)
        .set_system((!input.system.is_empty()).then_some(input.system))
        .set_messages(Some(input.messages))
        .inference_config(input.inference_config)
        .set_tool_config(input.tool_config)
        .set_request_metadata(input.request_metadata)
        .set_guardrail_config(
            input
                .guardrail_config
                .map(|guardrail| unary::guardrail(guardrail.config)),
        )
        .set_service_tier(input.service_tier)
        .set_performance_config(input.performance_config)
        .set_output_config(input.output_config)
        .set_additional_model_request_fields(input.additional_model_request_fields)
        .set_additional_model_response_field_paths(input.additional_model_response_field_paths);
    let failed = |error: BedrockError, retry_after: Option<Duration>, out| {
        Attempt::Failed(Box::new(Failure {
            error,
            retry_after,
            phase: FailurePhase {
                saw_event: false,
                emitted_output: false,
            },
            held: out,
        }))
    };
    // REQ-03: the hook sees this send too (operation `Converse`).
    let (request, replacement) = match payload_hook::before_send(hook, request, &[]).await {
        Ok(prepared) => prepared,
        Err(error) => return failed(error, None, out),
    };
    let request = request
        .customize()
        .mutate_request(move |request| payload_hook::replace_body(request, replacement.as_ref()));
    // BR-20: without a stream, the whole answer must arrive within the idle timeout.
    let output = match tokio::time::timeout(idle_timeout, request.send()).await {
        Err(_) => {
            let stalled = BedrockError::Stalled {
                ms: idle_ms(idle_timeout),
            };
            return failed(stalled, None, out);
        }
        Ok(Err(err)) => {
            return failed(errors::from_converse_error(&err), retry_after_of(&err), out);
        }
        Ok(Ok(output)) => output,
    };
    mapper.set_request_id(output.request_id().map(str::to_owned));
    let mut events = unary::replay(output);
    let idle = tokio::time::sleep(idle_timeout);
    tokio::pin!(idle);
    let timers = read::Timers {
        idle: idle.as_mut(),
        idle_timeout,
    };
    let mut out = out;
    let read = read::read_events(&mut events, timers, mapper, sink, &mut out).await;
    after_read(read, mapper, sink, out).await
}

/// How a send ended, from how its read loop ended.
async fn after_read(
    read: read::Read,
    mapper: &StreamMapper,
    sink: &EventSink,
    out: Vec<StreamEvent_NE>,
) -> Attempt {
    match read {
        read::Read::Ended => {
            finish(sink, out).await;
            Attempt::Over
        }
        read::Read::HostGone => Attempt::Over,
        read::Read::Failed { error, saw_event } => Attempt::Failed(Box::new(Failure {
            error,
            retry_after: None,
            phase: FailurePhase {
                saw_event,
                emitted_output: mapper.has_emitted_output(),
            },
            held: out,
        })),
    }
}

async fn finish(sink: &EventSink, out: Vec<StreamEvent_NE>) {
    sink.send(out).await;
    sink.finish();
}
