//! The fault header grammar and how rules and header merge into one plan.

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

#[test]
fn plan_merges_rules_and_header() {
    let shared = crate::shared::Shared::new(
        crate::Credentials::default(),
        None,
        crate::Catalog::default(),
    );
    let rule = |operation, model_id: Option<&str>, times, fault| FaultRule {
        operation,
        model_id: model_id.map(str::to_string),
        times,
        fault,
    };
    if let Ok(mut rules) = shared.faults.lock() {
        rules.push(ActiveRule::new(rule(
            Some(Operation::Converse),
            Some("base-model"),
            Some(1),
            Fault::throttling(),
        )));
        rules.push(ActiveRule::new(rule(
            None,
            None,
            None,
            Fault::Latency { ms: 5 },
        )));
        rules.push(ActiveRule::new(FaultRule::always(
            Fault::StallBetweenEvents { ms: 9 },
        )));
    }
    let header = parse_header("http=503;latency=7;stall=3;long=4").unwrap();
    let first = plan(
        &shared,
        Operation::Converse,
        &["alias", "base-model"],
        &header,
    );
    assert_eq!(
        first.http,
        Some((
            429,
            "ThrottlingException".to_string(),
            "Too many requests, please wait before trying again.".to_string()
        )),
        "the first HTTP fault wins"
    );
    assert_eq!(first.latency_ms, 12, "latencies add up");
    assert_eq!(first.stall_ms, 9, "stalls take the maximum");
    assert_eq!(first.long_stream, Some(4));
    let second = plan(&shared, Operation::Converse, &["base-model"], &[]);
    assert_eq!(second.http, None, "the one-use rule expired");
    let other = plan(&shared, Operation::ConverseStream, &[], &[]);
    assert_eq!((other.latency_ms, other.stall_ms), (5, 9));
}

#[test]
fn default_messages_per_status_and_stream_exception() {
    match &parse_header("http=408;exception=1:modelStreamErrorException").unwrap()[..] {
        [Fault::Http {
            error_type,
            message,
            ..
        }, Fault::InStreamException {
            message: stream_message,
            ..
        }] => {
            assert_eq!(error_type, "ModelTimeoutException");
            assert_eq!(
                message,
                "Model has timed out in processing the request. Try your request again."
            );
            assert_eq!(stream_message, "Model Stream Error");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(parse_header("nope=1").unwrap_err(), "unknown fault 'nope'");
}

#[test]
fn throttle_kinds_and_not_ready() {
    let message = |f: &Fault| match f {
        Fault::Http {
            status,
            error_type,
            message,
        } => (*status, error_type.clone(), message.clone()),
        other => panic!("{other:?}"),
    };
    let f =
        parse_header("throttle;throttle=tokens;throttle=requests-long;throttle=daily;not-ready")
            .unwrap();
    let got: Vec<_> = f.iter().map(message).collect();
    let t = |m: &str| (429, "ThrottlingException".to_string(), m.to_string());
    assert_eq!(
        got,
        [
            t("Too many requests, please wait before trying again."),
            t("Too many tokens, please wait before trying again."),
            t("Too many requests, please wait before trying again. You have sent too many requests.  Wait before trying again."),
            t("Too many tokens per day, please wait before trying again."),
            (
                429,
                "ModelNotReadyException".into(),
                "Model is not ready for inference. Wait and try your request again.".into()
            ),
        ]
    );
    assert_eq!(message(&Fault::daily_tokens()), got[3]);
    assert_eq!(message(&Fault::throttling_tokens()), got[1]);
    assert_eq!(
        message(&Fault::too_many_connections()).2,
        "Too many connections, please wait before trying again."
    );
    assert!(parse_header("throttle=weekly").is_err());
}

#[test]
fn plg_57_malformed_wire_header_items_parse_into_their_faults() {
    let faults = parse_header(
        "bad-prelude-crc=1;truncate=2;oversized=3;html;reset-before-headers;reset-after-headers",
    )
    .unwrap();
    let damage: Vec<(usize, FrameDamage)> = faults[..3]
        .iter()
        .map(|fault| match fault {
            Fault::BrokenFrameAfter { events, damage } => (*events, *damage),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        damage,
        [
            (1, FrameDamage::PreludeCrc),
            (2, FrameDamage::Truncated),
            (3, FrameDamage::Oversized)
        ]
    );
    assert!(matches!(
        &faults[3],
        Fault::RawStreamBody { content_type, body } if content_type == "text/html" && body == header::HTML_PAGE
    ));
    assert!(matches!(faults[4], Fault::ResetBeforeHeaders));
    assert!(matches!(faults[5], Fault::DisconnectAfter { events: 0 }));
    assert!(parse_header("truncate").is_err());
}

#[test]
fn plg_57_frame_damage_breaks_exactly_what_it_names() {
    use crate::eventstream::{decode_frames, encode_event};
    let frame = encode_event("messageStop", br#"{"stopReason":"end_turn"}"#);
    assert!(decode_frames(&frame).is_ok());
    let prelude = FrameDamage::PreludeCrc.apply(&frame);
    assert_eq!(prelude.len(), frame.len());
    let error = aws_smithy_eventstream::frame::read_message_from(&prelude[..]).unwrap_err();
    assert!(error.to_string().contains("prelude checksum"), "{error}");
    let truncated = FrameDamage::Truncated.apply(&frame);
    assert_eq!(truncated.len(), frame.len() / 2);
    assert_eq!(decode_frames(&truncated).unwrap_err(), "truncated frame");
    let oversized = FrameDamage::Oversized.apply(&frame);
    let total = u32::from_be_bytes([oversized[0], oversized[1], oversized[2], oversized[3]]);
    assert_eq!(total, MAX_FRAME_BYTES + 1);
    // The prelude itself is valid: its CRC is the one the SDK's decoder computes.
    assert_eq!(
        u32::from_be_bytes([oversized[8], oversized[9], oversized[10], oversized[11]]),
        crc32(&oversized[..8])
    );
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the CRC-32 check value");
}
