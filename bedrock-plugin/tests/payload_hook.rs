//! EX-I06 (REQ-03 with AUTH-10): with no static keys and no bearer token, the shared config is
//! re-read before the host's payload hook runs, so the hook of a request sees what the files
//! say at that request. The observable is the REG-01 region of the active profile: rewritten
//! between two requests, the second hook sees (and the second send is signed for) the new one.

mod common;

use std::sync::{Arc, Mutex};

use bedrock_emulator::{AuthScheme, Operation, DEFAULT_ACCESS_KEY_ID, DEFAULT_SECRET_ACCESS_KEY};
use plugin_api::abi_stable::sabi_trait::TD_Opaque;
use plugin_api::abi_stable::std_types::{RArc, ROption, RResult, RString};
use plugin_api::event::StreamEvent;
use plugin_api::hooks::{PayloadHook, PayloadHook_TO, PayloadView};
use plugin_api::traits::PluginInstanceBox;
use serde_json::json;

const NOVA: &str = "amazon.nova-micro-v1:0";

/// Records the region of every payload it sees and sends it unchanged.
#[derive(Clone, Default)]
struct RegionRecorder(Arc<Mutex<Vec<String>>>);

impl PayloadHook for RegionRecorder {
    fn on_payload(&self, payload: &PayloadView) -> RResult<ROption<RString>, RString> {
        self.0
            .lock()
            .expect("recorder")
            .push(payload.region.to_string());
        RResult::ROk(ROption::RNone)
    }
}

async fn hooked_stream(instance: &PluginInstanceBox, hook: &RegionRecorder) -> Vec<StreamEvent> {
    let handle = instance
        .chat_provider()
        .stream_chat_with_payload_hook(
            common::text_request(NOVA, "which region?"),
            PayloadHook_TO::from_ptr(RArc::new(hook.clone()), TD_Opaque),
        )
        .into_result()
        .expect("stream starts");
    let mut stream = host_harness::stream::ChatEventStream::new(handle);
    let mut events = Vec::new();
    while let Some(event) = futures::StreamExt::next(&mut stream).await {
        events.push(event.as_enum().expect("known event").clone());
    }
    events
}

fn profile_config(region: &str) -> String {
    format!("[profile dev]\nregion = {region}\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ex_i06_shared_config_is_re_read_before_the_payload_hook() {
    let emu = common::emulator();
    let dir = common::temp_dir("payload-hook-shared-config");
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    common::write_atomically(&config, &profile_config("eu-west-1"));
    common::write_atomically(
        &credentials,
        &format!(
            "[dev]\naws_access_key_id = {DEFAULT_ACCESS_KEY_ID}\naws_secret_access_key = {DEFAULT_SECRET_ACCESS_KEY}\n"
        ),
    );
    let config_path = config.display().to_string();
    let credentials_path = credentials.display().to_string();
    // No static keys and no bearer token anywhere: AUTH-10's re-read applies (AUTH-11).
    let instance = common::instance(
        json!({
            "awsAuthentication": "profile",
            "awsProfile": "dev",
            "awsBedrockEndpoint": emu.base_url(),
            "discovery": {"enabled": false}
        }),
        json!({}),
        &[
            ("AWS_CONFIG_FILE", config_path.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials_path.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent-home"),
        ],
    );
    let hook = RegionRecorder::default();

    let first = hooked_stream(&instance, &hook).await;
    common::done(&first);
    common::write_atomically(&config, &profile_config("eu-central-1"));
    let second = hooked_stream(&instance, &hook).await;
    common::done(&second);

    assert_eq!(
        *hook.0.lock().expect("recorder"),
        ["eu-west-1", "eu-central-1"]
    );
    let signed: Vec<String> = emu
        .requests_for(Operation::ConverseStream)
        .into_iter()
        .map(|request| match request.auth {
            AuthScheme::SigV4 { region, .. } => region,
            other => panic!("expected SigV4, got {other:?}"),
        })
        .collect();
    assert_eq!(signed, ["eu-west-1", "eu-central-1"]);
}
