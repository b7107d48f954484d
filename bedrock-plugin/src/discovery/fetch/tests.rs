use super::*;
use aws_sdk_bedrock::operation::list_foundation_models::ListFoundationModelsError;

#[tokio::test]
async fn net_04_deadline_message_and_kind() {
    let never =
        std::future::pending::<Result<(), SdkError<ListFoundationModelsError, HttpResponse>>>();
    let failure = with_deadline(LIST_FOUNDATION_MODELS, Duration::from_millis(30), never)
        .await
        .expect_err("deadline");
    assert_eq!(failure.kind, ErrorKind::Timeout);
    let failure = CallFailure {
        message: CallFailure::timeout(LIST_FOUNDATION_MODELS, CONTROL_PLANE_DEADLINE).message,
        ..failure
    };
    assert_eq!(
        failure.message,
        "Amazon Bedrock ListFoundationModels timed out after 30000 ms"
    );
    let error = failure.into_catalog_error();
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock ListFoundationModels timed out after 30000 ms"
    );
    assert_eq!(error.kind(), Some(ErrorKind::Timeout));
}

#[test]
fn disc_51_strict_message() {
    let failure = CallFailure {
        operation: LIST_FOUNDATION_MODELS,
        status: Some(403),
        error_name: Some("AccessDeniedException".into()),
        message: "User is not authorized to perform: bedrock:ListFoundationModels".into(),
        request_id: None,
        kind: ErrorKind::Auth,
        timed_out: false,
    };
    let error = failure.into_catalog_error();
    assert_eq!(
            error.message.as_str(),
            "Amazon Bedrock model discovery failed (HTTP 403): AccessDeniedException: User is not authorized to perform: bedrock:ListFoundationModels"
        );
    assert_eq!(error.status.into_option(), Some(403));
}
