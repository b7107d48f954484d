//! `models list` with model access (BR-81): the ACCESS column, models the account cannot call
//! hidden by default and shown with their reason by `--all`, against the emulator through the
//! built plugin.

mod common;

use bedrock_emulator::{ModelAccess, AGREEMENT_MODEL};
use common::cli::{Setup, CLAUDE};

/// The table row of `id`, its cells split on runs of two or more spaces.
fn row(stdout: &str, id: &str) -> Option<Vec<String>> {
    stdout
        .lines()
        .find(|line| line.split("  ").next() == Some(id))
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .map(str::to_owned)
                .collect()
        })
}

#[test]
fn br_81_models_list_access_column_and_all_shows_unavailable_with_reason() {
    let setup = Setup::with(|config| {
        config["awsBedrockControlPlaneEndpoint"] = config["awsBedrockEndpoint"].clone();
        config["discovery"] = serde_json::json!({"enabled": true});
    });
    setup.emulator.set_model_access(
        "mistral.mistral-large-2407-v1:0",
        ModelAccess::agreement("ERROR", Some("The payment instrument was declined.")),
    );
    let run = setup.run(&["models", "list"]);
    run.expect_code(0);
    let header = run.stdout.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("ID") && header.contains("  INPUT") && header.contains("  ACCESS"),
        "{header}"
    );
    assert!(
        row(&run.stdout, AGREEMENT_MODEL).is_none(),
        "{}",
        run.stdout
    );
    assert!(row(&run.stdout, "mistral.mistral-large-2407-v1:0").is_none());
    let nova = row(&run.stdout, "amazon.nova-lite-v1:0").expect("nova lite listed");
    assert_eq!(
        nova[1..],
        [
            "Nova Lite",
            "300000",
            "10000",
            "no",
            "text,image,video",
            "available",
            "-"
        ],
        "{nova:?}"
    );
    // An explicit model is never checked.
    let claude = row(&run.stdout, CLAUDE).expect("explicit model listed");
    assert_eq!(claude[6], "unknown", "{claude:?}");

    let all = setup.run(&["models", "list", "--all"]);
    all.expect_code(0);
    // Shown with `--nocapture`: the table as a user sees it.
    println!("{}", all.stdout);
    let jamba = row(&all.stdout, AGREEMENT_MODEL).expect("--all lists it");
    assert_eq!(
        jamba[1..],
        [
            "Jamba 1.5 Large",
            "256000",
            "4096",
            "no",
            "text",
            "agreement_required",
            "-"
        ],
        "{jamba:?}"
    );
    let mistral = row(&all.stdout, "mistral.mistral-large-2407-v1:0").expect("--all lists it");
    assert_eq!(
        mistral[6], "agreement_error (The payment instrument was declined.)",
        "{mistral:?}"
    );
    let count = |stdout: &str| stdout.lines().count();
    assert_eq!(count(&all.stdout), count(&run.stdout) + 2, "{}", all.stdout);
    assert!(setup
        .run(&["models", "list", "--help"])
        .stdout
        .contains("--all"));
}
