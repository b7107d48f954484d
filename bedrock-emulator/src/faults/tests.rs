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
