//! ABI evolution: a plugin built from the *next* compatible `plugin-api` loads in a host built
//! from today's, two plugins of this interface live side by side in one process, and an
//! incompatible layout is refused even when its version claims compatibility.
//!
//! The newer interface is `tests/fixtures/plugin-api-next`: its build script derives it from
//! `plugin-api/src` on every build (no copy is committed), appends a root-module field after
//! `shutdown` (`capabilities`) and a method after `ChatProvider`'s last prefix method
//! (`describe`), and compiles it as package `plugin-api` at plugin-api's version with the
//! patch number raised (0.2.0 → 0.2.1 today), which is what abi_stable records in every type layout
//! and in the root module's version strings. `next-plugin` (`libnext_plugin.so`, plugin
//! `next-echo`) is built against it; `next-plugin-incompatible` is built against the same
//! derivation with one by-value field changed from `u64` to `i64`.
//!
//! What abi_stable compares when the host loads a library (`lib_header_from_path` +
//! `init_root_module`, as `host_harness::loader` does): the root module's version strings
//! (same major; for `0.x` the library's minor must not be older), then the root module's type
//! layout, recursively through every field, function-pointer signature and trait-object
//! vtable: type name, package name, package version (same `0.x` minor), size, alignment,
//! `repr`, field names and order, enum tags; prefix types (the root module and every
//! `#[sabi_trait]` vtable) may have more fields than the host knows, nothing else may differ.
// `common::load` returns host-harness's `HostError`, which holds the by-value `PluginError`
// (as host-harness and tests/src/lib.rs also allow).
#![allow(clippy::result_large_err)]

mod common;

use std::path::{Path, PathBuf};

use bedrock_emulator::{Emulator, EmulatorOptions};
use common::*;
use host_harness::host::{self, HostError, LoadedPlugin};
use host_harness::loader::{self, LoadError};
use host_harness::plugins;
use plugin_api::abi_stable::library::lib_header_from_path;
use plugin_api::abi_stable::std_types::{ROption, RVec};
use plugin_api::abi_stable::type_layout::{TLData, TypeLayout};
use plugin_api::abi_stable::StableAbi;
use plugin_api::chat::{ChatOptions, ChatRequest, Message};
use plugin_api::event::{StopReason, StreamEvent, StreamEvent_NE};
use plugin_api::model::ModelDefinition;
use plugin_api::traits::ListModelsOptions;
use serde_json::{json, Value};

/// The plugin built against the next compatible interface.
const NEXT_ID: &str = "next-echo";
const NEXT_LIBRARY: &str = "libnext_plugin.so";
const NEXT_API: &str = "echo-chat";

/// The interface version `plugin-api-next` claims: today's with the patch number raised.
fn next_version() -> String {
    let parts: Vec<u64> = plugin_api::PLUGIN_API_VERSION
        .split('.')
        .map(|part| part.parse().expect("numeric version"))
        .collect();
    format!("{}.{}.{}", parts[0], parts[1], parts[2] + 1)
}

/// The next plugin's fixed answer, which names the interface version it was built with.
fn next_answer() -> String {
    format!("Hello from plugin-api {}.", next_version())
}

/// The plugin built against the incompatible derivation.
const INCOMPATIBLE_ID: &str = "next-incompatible";
const INCOMPATIBLE_LIBRARY: &str = "libnext_plugin_incompatible.so";

fn emulator() -> Emulator {
    Emulator::start(EmulatorOptions::default()).expect("emulator starts")
}

/// A fixture cdylib cargo built next to `libbedrock_plugin.so` for this test run.
fn fixture_library(file: &str) -> PathBuf {
    let path = plugin_library().with_file_name(file);
    assert!(path.is_file(), "{} was not built", path.display());
    path
}

/// Adds plugin `id` (library `file`, built for this run) to `installed`'s plugins dir, with a
/// manifest whose facts match what the library reports and an empty config schema.
fn add_fixture_plugin(installed: &Installed, id: &str, file: &str, api: &str) -> PathBuf {
    let folder = installed.plugins_dir().join(id);
    std::fs::create_dir_all(&folder).expect("plugin folder");
    std::fs::copy(fixture_library(file), folder.join(file)).expect("copy library");
    let manifest = json!({
        "id": id,
        "name": format!("{id} (ABI-evolution fixture)"),
        "version": "0.1.0",
        "providers": [id],
        "api": api,
        "library": {"linux": file},
        "configSchema": {"type": "object", "additionalProperties": false, "properties": {}}
    });
    std::fs::write(
        folder.join(plugins::MANIFEST_FILE),
        serde_json::to_string_pretty(&manifest).expect("manifest"),
    )
    .expect("write manifest");
    folder
}

/// An empty plugins dir.
fn empty_plugins_dir() -> Installed {
    let installed = Installed {
        dir: tempfile::tempdir().expect("tempdir"),
    };
    std::fs::create_dir_all(installed.plugins_dir()).expect("plugins dir");
    installed
}

/// `config` with an enabled, empty entry for each of `ids` added.
fn with_entries(config: Value, ids: &[&str]) -> host_harness::config::HostConfig {
    let mut config = config;
    for id in ids {
        config["plugins"]["entries"][*id] = json!({"enabled": true, "config": {}});
    }
    host_harness::config::HostConfig::from_value(config).expect("host config")
}

fn next_request(prompt: &str) -> ChatRequest {
    ChatRequest {
        model: ModelDefinition::new("echo-1", NEXT_ID, NEXT_API),
        system_prompt: ROption::RNone,
        messages: RVec::from(vec![Message::user_text(prompt)]),
        tools: RVec::new(),
        options: ChatOptions::default(),
    }
}

/// The event kinds of a stream, in order.
fn kinds(events: &[StreamEvent_NE]) -> Vec<&'static str> {
    events
        .iter()
        .map(|event| match event.as_enum() {
            Ok(StreamEvent::Start { .. }) => "Start",
            Ok(StreamEvent::TextStart { .. }) => "TextStart",
            Ok(StreamEvent::TextDelta { .. }) => "TextDelta",
            Ok(StreamEvent::TextEnd { .. }) => "TextEnd",
            Ok(StreamEvent::Usage(_)) => "Usage",
            Ok(StreamEvent::Done(_)) => "Done",
            Ok(StreamEvent::Error(_)) => "Error",
            Ok(_) => "other",
            Err(_) => "unknown variant",
        })
        .collect()
}

fn strict() -> ListModelsOptions {
    ListModelsOptions {
        strict: true,
        force_refresh: false,
        extensions: Default::default(),
    }
}

/// The prefix type a root module's layout (`PluginModuleRef`, a `PrefixRef`) refers to.
fn root_module_prefix(layout: &'static TypeLayout) -> &'static TypeLayout {
    layout
        .shared_vars()
        .type_layouts()
        .iter()
        .map(|layout| layout())
        .find(|layout| layout.is_prefix_kind())
        .expect("PrefixRef refers to a prefix type")
}

/// The field names of a root module's prefix layout.
fn root_module_fields(layout: &'static TypeLayout) -> Vec<&'static str> {
    match root_module_prefix(layout).data() {
        TLData::PrefixType(prefix) => prefix.fields.iter().map(|field| field.name()).collect(),
        other => panic!("the root module is not a prefix type: {other:?}"),
    }
}

/// The library's own claims, read from its header before its root module is checked: its
/// version strings, its root module's fields, and the package and version its root-module
/// type records.
fn library_claims(path: &Path) -> (String, Vec<&'static str>, String) {
    let header = lib_header_from_path(path).expect("abi_stable header");
    let layout = header
        .layout()
        .expect("the library exports its root-module layout");
    let (package, version) = root_module_prefix(layout).package_and_version();
    (
        header.version_strings().version.to_string(),
        root_module_fields(layout),
        format!("{package} {}", version.version),
    )
}

/// Streams the next plugin's fixed answer and checks every event of it.
async fn assert_next_plugin_chats(plugin: &LoadedPlugin) {
    let events = collect(
        plugin
            .stream_chat(next_request("hi"))
            .expect("stream starts"),
    )
    .await;
    assert_eq!(
        kinds(&events),
        [
            "Start",
            "TextStart",
            "TextDelta",
            "TextDelta",
            "TextEnd",
            "Usage",
            "Done"
        ]
    );
    assert_eq!(text_of(&events), next_answer());
    let Some(Ok(StreamEvent::Done(summary))) = events.last().map(|e| e.as_enum()) else {
        panic!("Done expected, got {:?}", events.last());
    };
    assert_eq!(summary.model.as_str(), "echo-1");
    assert_eq!(
        summary.stop_reason.as_enum().ok().copied(),
        Some(StopReason::Stop)
    );
    assert_eq!((summary.usage.input, summary.usage.output), (1, 2));
}

#[test]
fn newer_compatible_plugin_with_appended_field_and_method_loads_in_todays_host() {
    let installed = empty_plugins_dir();
    let folder = add_fixture_plugin(&installed, NEXT_ID, NEXT_LIBRARY, NEXT_API);

    // The library really is newer: it claims the next patch release of plugin-api and its
    // root module has one field more than today's.
    let (version, fields, package) = library_claims(&folder.join(NEXT_LIBRARY));
    assert_eq!(version, next_version());
    assert_eq!(package, format!("plugin-api {}", next_version()));
    let today = root_module_fields(<plugin_api::PluginModuleRef as StableAbi>::LAYOUT);
    assert_eq!(today, ["plugin_info", "new_instance", "shutdown"]);
    assert_eq!(
        fields,
        ["plugin_info", "new_instance", "shutdown", "capabilities"]
    );

    // Today's host loads it through its normal path (manifest, config schema, layout and
    // version checks, MAN-04 facts) and uses it.
    let config = with_entries(json!({}), &[NEXT_ID]);
    let plugin = host::open(&installed.plugins_dir(), NEXT_ID, &config).expect("plugin loads");
    let facts = loader::library_facts(plugin.module);
    assert_eq!(facts.id, NEXT_ID);
    assert_eq!(facts.api, NEXT_API);
    assert_eq!(facts.providers, [NEXT_ID]);
    assert_eq!(plugin.provider().provider_id().as_str(), NEXT_ID);

    runtime().block_on(async {
        assert_next_plugin_chats(&plugin).await;

        let catalog = plugin.list_models(strict()).await.expect("catalog");
        assert_eq!(catalog.provider_id.as_str(), NEXT_ID);
        let models: Vec<(&str, &str, u64)> = catalog
            .models
            .iter()
            .map(|m| (m.id.as_str(), m.name.as_str(), m.context_window))
            .collect();
        assert_eq!(models, [("echo-1", "Echo One", 4096)]);

        let count = plugin
            .count_tokens(next_request("count me"))
            .await
            .expect("token count");
        assert_eq!((count.input_tokens, count.estimated), (1, true));
        assert!(plugin.doctor().await.expect("doctor").healthy);
    });
    assert_eq!(plugin.status().model_count, ROption::RSome(1));
}

#[test]
fn two_plugins_of_this_interface_load_side_by_side() {
    // One plugins dir holding the real plugin and the next-interface plugin.
    let installed = install(|_| {});
    add_fixture_plugin(&installed, NEXT_ID, NEXT_LIBRARY, NEXT_API);
    let emu = emulator();
    let config = with_entries(host_config(&emu, json!({})).raw().clone(), &[NEXT_ID]);

    let found: Vec<_> = plugins::find_plugins(&installed.plugins_dir())
        .into_iter()
        .map(|folder| folder.expect("valid plugin folder"))
        .collect();
    let ids: Vec<&str> = found.iter().map(|f| f.manifest.id.as_str()).collect();
    assert_eq!(ids, [PLUGIN_ID, NEXT_ID]);
    let loaded: Vec<LoadedPlugin> = found
        .into_iter()
        .map(|folder| host::load_plugin(folder, &config).expect("plugin loads"))
        .collect();
    let [bedrock, next] = &loaded[..] else {
        unreachable!()
    };

    // Two different modules: the loader did not hand back the first library for the second
    // path (abi_stable's `load_from_file` would, it caches one module per type).
    assert_eq!(loader::library_facts(bedrock.module).id, PLUGIN_ID);
    assert_eq!(loader::library_facts(next.module).id, NEXT_ID);
    assert_eq!(bedrock.provider().api().as_str(), "bedrock-converse-stream");
    assert_eq!(next.provider().api().as_str(), NEXT_API);

    runtime().block_on(async {
        // Both streams run at the same time, interleaved on one host runtime.
        let bedrock_stream = bedrock
            .stream_chat(chat_request(MODEL, "side by side"))
            .expect("bedrock stream starts");
        let next_events = async { assert_next_plugin_chats(next).await };
        let (bedrock_events, ()) = tokio::join!(collect(bedrock_stream), next_events);
        assert_eq!(
            text_of(&bedrock_events),
            "Hello from the Bedrock emulator. You said: side by side"
        );
        assert!(matches!(
            bedrock_events.last().map(|e| e.as_enum()),
            Some(Ok(StreamEvent::Done(_)))
        ));

        let (bedrock_catalog, next_catalog) =
            tokio::join!(bedrock.list_models(strict()), next.list_models(strict()));
        let ids = |catalog: &plugin_api::model::ProviderCatalog| -> Vec<String> {
            catalog.models.iter().map(|m| m.id.to_string()).collect()
        };
        assert_eq!(
            ids(&bedrock_catalog.expect("bedrock catalog")),
            [MODEL, "us.anthropic.claude-sonnet-4-6"]
        );
        assert_eq!(ids(&next_catalog.expect("next catalog")), ["echo-1"]);
    });
}

#[test]
fn incompatible_layout_is_refused_even_with_a_compatible_version_and_the_host_keeps_running() {
    let installed = empty_plugins_dir();
    let folder = add_fixture_plugin(&installed, INCOMPATIBLE_ID, INCOMPATIBLE_LIBRARY, NEXT_API);
    add_fixture_plugin(&installed, NEXT_ID, NEXT_LIBRARY, NEXT_API);
    let config = with_entries(json!({}), &[INCOMPATIBLE_ID, NEXT_ID]);

    // It makes the same claims as the compatible plugin: the version check alone passes.
    let (version, fields, package) = library_claims(&folder.join(INCOMPATIBLE_LIBRARY));
    assert_eq!(version, next_version());
    assert_eq!(package, format!("plugin-api {}", next_version()));
    assert_eq!(
        fields,
        ["plugin_info", "new_instance", "shutdown", "capabilities"]
    );

    // The layout check finds the changed field deep inside the root module's type graph
    // (root module → PluginInstance vtable → ChatProvider vtable → ChatRequest →
    // ModelDefinition) and the host refuses the library without calling it.
    let Err(error) = host::open(&installed.plugins_dir(), INCOMPATIBLE_ID, &config) else {
        panic!("an incompatible layout must be refused");
    };
    let message = error.to_string();
    assert!(
        message.starts_with("plugin next-incompatible: incompatible plugin API: "),
        "{message}"
    );
    let HostError::Load(LoadError::Incompatible { detail, .. }) = &error else {
        panic!("refused as an incompatible plugin API expected, got: {error}");
    };
    // PLG-21: a short error, not abi_stable's whole report (about 1,900 lines here).
    assert!(detail.lines().count() <= 5, "{detail}");
    // abi_stable's report: the path to the field, then what was expected and found.
    let compact = detail.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "field_name:model type:ModelDefinition",
        "field_name:context_window type:i64",
        "Error:mismatched type Expected: u64 Found: i64",
    ] {
        assert!(compact.contains(expected), "{expected:?} not in {detail}");
    }

    // The host is still fine: the compatible newer plugin loads and works afterwards.
    let plugin = host::open(&installed.plugins_dir(), NEXT_ID, &config).expect("plugin loads");
    runtime().block_on(assert_next_plugin_chats(&plugin));
}

mod newer_host {
    //! A host built from the next interface (`plugin_api_next`), to call the items
    //! `next-plugin` appended and to try today's `bedrock-plugin` the other way round.

    use plugin_api_next::abi_stable::library::{lib_header_from_path, LibraryError};
    use plugin_api_next::abi_stable::sabi_trait::TD_Opaque;
    use plugin_api_next::abi_stable::std_types::{RArc, RStr};
    use plugin_api_next::host::{HostContext, HostLogger, HostLogger_TO, LogLevel, LogRecord};
    use plugin_api_next::traits::PluginInstanceBox;
    use plugin_api_next::PluginModuleRef;

    #[derive(Clone)]
    struct Silent;

    impl HostLogger for Silent {
        fn enabled(&self, _level: LogLevel, _target: RStr<'_>) -> bool {
            false
        }

        fn log(&self, _record: &LogRecord) {}
    }

    /// Loads `path` with the newer interface's version and layout checks.
    pub fn load(path: &std::path::Path) -> Result<PluginModuleRef, LibraryError> {
        lib_header_from_path(path)?.init_root_module::<PluginModuleRef>()
    }

    pub fn instance(module: PluginModuleRef) -> PluginInstanceBox {
        let context = HostContext {
            host_name: "newer-host".into(),
            host_version: "0.0.0".into(),
            logger: HostLogger_TO::from_ptr(RArc::new(Silent), TD_Opaque),
            host_config_json: "{}".into(),
        };
        (module.new_instance())(context, RStr::from_str("{}"))
            .into_result()
            .expect("instance")
    }
}

/// The appended items are real and work when a host knows them; and the limit of the rule:
/// abi_stable lets a library's prefix types (root module, vtables) have *more* fields than the
/// host's, never fewer, so a host built from the newer interface refuses a library built from
/// the older one ("too many fields"). Compatibility runs one way: old host, new plugin.
#[test]
fn newer_host_calls_the_appended_field_and_method_and_refuses_todays_older_plugin() {
    let module = newer_host::load(&fixture_library(NEXT_LIBRARY)).expect("newer host loads it");
    let capabilities = module
        .capabilities()
        .expect("the appended field is present");
    let capabilities: Vec<String> = capabilities().into_iter().map(String::from).collect();
    assert_eq!(capabilities, ["chat-provider-describe"]);
    let describe = newer_host::instance(module).chat_provider().describe();
    let expected = format!(
        "next-echo: a fixed answer, built on plugin-api {}",
        next_version()
    );
    assert_eq!(describe.into_option().map(String::from), Some(expected));

    match newer_host::load(&plugin_library()) {
        Err(error @ plugin_api_next::abi_stable::library::LibraryError::AbiInstability(_)) => {
            let detail = error.to_string();
            assert!(detail.contains("too many fields"), "{detail}");
        }
        Err(other) => panic!("expected a layout refusal, got: {other}"),
        Ok(_) => panic!("abi_stable now accepts an older library: update the growth rules"),
    }

    // Today's host still loads the same library in the same process afterwards.
    let emu = emulator();
    let installed = install(|_| {});
    let plugin = load(&installed, &host_config(&emu, json!({}))).expect("plugin loads");
    assert_eq!(plugin.provider().provider_id().as_str(), PLUGIN_ID);
}
