use super::*;
use crate::catalog::Catalog;
use crate::control_plane::handle;
use crate::record::Operation;

#[test]
fn br_80_availability_wire_shape_builtin_agreement_and_override() {
    let catalog = Catalog::builtin().unwrap();
    let mut account = Account::builtin();
    let body = |account: &Account, id: &str| {
        handle(
            &catalog,
            account,
            Operation::GetFoundationModelAvailability,
            Some(id),
            "",
        )
        .unwrap()
    };
    assert_eq!(
        body(&account, AGREEMENT_MODEL),
        json!({
            "modelId": "ai21.jamba-1-5-large-v1:0",
            "agreementAvailability": {"status": "NOT_AVAILABLE"},
            "authorizationStatus": "AUTHORIZED",
            "entitlementAvailability": "AVAILABLE",
            "regionAvailability": "AVAILABLE",
        })
    );
    assert!(catalog.model(AGREEMENT_MODEL).is_some());
    account.set_access(
        "amazon.nova-micro-v1:0",
        ModelAccess::agreement("ERROR", Some("declined")),
    );
    assert_eq!(
        body(&account, "amazon.nova-micro-v1:0")["agreementAvailability"],
        json!({"status": "ERROR", "errorMessage": "declined"})
    );
    let missing = handle(
        &catalog,
        &account,
        Operation::GetFoundationModelAvailability,
        Some("acme.none"),
        "",
    )
    .unwrap_err();
    assert_eq!(
        (missing.status, missing.error_type.as_str()),
        (404, "ResourceNotFoundException")
    );
}

#[test]
fn br_85_account_lists_filter_page_and_get_custom_model() {
    let catalog = Catalog::builtin().unwrap();
    let mut account = Account::builtin();
    for (name, status) in [("a", "Active"), ("b", "Creating"), ("c", "Active")] {
        account.add(
            AccountList::CustomModelDeployments,
            json!({"customModelDeploymentName": name, "status": status}),
        );
    }
    account.add(
        AccountList::CustomModels,
        json!({"modelArn": "arn:aws:bedrock:us-east-1:123456789012:custom-model/m", "modelName": "m"}),
    );
    let list = |op, query: &str| handle(&catalog, &account, op, None, query).unwrap();
    let active = list(
        Operation::ListCustomModelDeployments,
        "statusEquals=Active&maxResults=1",
    );
    assert_eq!(
        active["modelDeploymentSummaries"],
        json!([{"customModelDeploymentName": "a", "status": "Active"}])
    );
    let token = active["nextToken"].as_str().unwrap().to_owned();
    let next = list(
        Operation::ListCustomModelDeployments,
        &format!("statusEquals=Active&nextToken={token}"),
    );
    assert_eq!(
        next["modelDeploymentSummaries"][0]["customModelDeploymentName"],
        "c"
    );
    assert!(next.get("nextToken").is_none());
    let routers = list(Operation::ListPromptRouters, "type=default");
    assert_eq!(
        routers["promptRouterSummaries"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        list(Operation::ListPromptRouters, "type=custom")["promptRouterSummaries"],
        json!([])
    );
    let bad = handle(
        &catalog,
        &account,
        Operation::ListProvisionedModelThroughputs,
        None,
        "statusEquals=Active",
    )
    .unwrap_err();
    assert_eq!(
        bad.message,
        "1 validation error detected: Value 'Active' at 'statusEquals' failed to satisfy constraint: Member must satisfy enum value set: [Creating, InService, Updating, Failed]"
    );
    assert_eq!(
        list(Operation::ListImportedModels, ""),
        json!({"modelSummaries": []})
    );
    let found = handle(
        &catalog,
        &account,
        Operation::GetCustomModel,
        Some("arn:aws:bedrock:us-east-1:123456789012:custom-model/m"),
        "",
    )
    .unwrap();
    assert_eq!(found["modelName"], "m");
}
