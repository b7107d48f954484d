//! Sending one ConverseStream request and pumping its events to the host.
//!
//! The driver owns the timers the mapper must not: the stall guard (BR-20: no event for
//! `timeouts.streamIdleMs`, counted from the send until the headers and then between events)
//! and the keep-alive for refusal-buffered models (EVT-20: at least every 5 s).

use std::time::Duration;

use aws_sdk_bedrockruntime::operation::RequestId as _;
use futures::FutureExt as _;
use plugin_api::event::{StopReason, StreamEvent, StreamEvent_NE};

use crate::converse::errors;
use crate::converse::guardrail;
use crate::converse::request::ConverseInput;
use crate::converse::stream::StreamMapper;
use crate::pending::EventSink;

/// Most events pushed to the host queue at once.
const BATCH: usize = 64;

/// How often a buffering stream tells the host it is still alive.
const KEEP_ALIVE_EVERY: Duration = Duration::from_secs(5);

/// Everything one send needs.
pub struct Send {
    pub client: aws_sdk_bedrockruntime::Client,
    pub input: ConverseInput,
    pub idle_timeout: Duration,
}

fn idle_ms(timeout: Duration) -> u64 {
    u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX)
}

/// Sends the request and streams every mapped event into `sink` until a terminal event.
pub async fn run(send: Send, mut mapper: StreamMapper, sink: EventSink) {
    let Send {
        client,
        input,
        idle_timeout,
    } = send;
    let mut out: Vec<StreamEvent_NE> = Vec::with_capacity(8);
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
        .set_additional_model_request_fields(input.additional_model_request_fields)
        .set_additional_model_response_field_paths(input.additional_model_response_field_paths)
        .customize()
        .mutate_request(move |request| guardrail::strip_unset_keys(request, &unset_guardrail_keys));
    let response = match tokio::time::timeout(idle_timeout, request.send()).await {
        Err(_) => {
            mapper.on_failure(
                errors::stall_error(idle_ms(idle_timeout)),
                StopReason::Error,
                &mut out,
            );
            finish(&sink, out).await;
            return;
        }
        Ok(Err(err)) => {
            mapper.on_failure(
                errors::from_converse_stream_error(&err),
                StopReason::Error,
                &mut out,
            );
            finish(&sink, out).await;
            return;
        }
        Ok(Ok(response)) => response,
    };
    let request_id = response.request_id().map(str::to_owned);
    mapper.set_request_id(request_id.clone());
    let mut stream = response.stream;
    let mut keep_alive = tokio::time::interval(KEEP_ALIVE_EVERY);
    keep_alive.tick().await;
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(idle_timeout, stream.recv()) => next,
            _ = keep_alive.tick(), if mapper.is_buffering() => {
                if !sink.send([StreamEvent_NE::new(StreamEvent::KeepAlive)]).await {
                    return;
                }
                continue;
            }
        };
        let mut ended = match next {
            Err(_) => Some(Ending::Stalled),
            Ok(Ok(Some(event))) => {
                mapper.on_event(event, &mut out);
                None
            }
            Ok(Ok(None)) => Some(Ending::Clean),
            Ok(Err(err)) => Some(Ending::Failed(errors::from_event_receiver_error(
                &err,
                request_id.as_deref(),
            ))),
        };
        // Take whatever the SDK has already decoded without waiting, so one queue push (and
        // at most one host wake-up) carries a batch instead of a single event.
        while ended.is_none() && !mapper.is_finished() && out.len() < BATCH {
            match stream.recv().now_or_never() {
                None => break,
                Some(Ok(Some(event))) => mapper.on_event(event, &mut out),
                Some(Ok(None)) => ended = Some(Ending::Clean),
                Some(Err(err)) => {
                    ended = Some(Ending::Failed(errors::from_event_receiver_error(
                        &err,
                        request_id.as_deref(),
                    )))
                }
            }
        }
        match ended {
            Some(Ending::Clean) => {
                mapper.on_end(&mut out);
                break;
            }
            Some(Ending::Stalled) => {
                mapper.on_failure(
                    errors::stall_error(idle_ms(idle_timeout)),
                    StopReason::Error,
                    &mut out,
                );
                break;
            }
            Some(Ending::Failed(error)) => {
                mapper.on_failure(error, StopReason::Error, &mut out);
                break;
            }
            None if mapper.is_finished() => break,
            None => {
                if !out.is_empty() && !sink.send(out.drain(..)).await {
                    // The host dropped the stream: returning drops the response and closes
                    // the connection.
                    return;
                }
            }
        }
    }
    finish(&sink, out).await;
}

/// How the read loop ended.
enum Ending {
    Clean,
    Stalled,
    Failed(plugin_api::error::PluginError),
}

async fn finish(sink: &EventSink, out: Vec<StreamEvent_NE>) {
    sink.send(out).await;
    sink.finish();
}
