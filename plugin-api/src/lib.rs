//! The stable-ABI contract between an AI-assistant host and its model-provider plugins.
//!
//! Everything that crosses the dynamic-library boundary is defined here and only here:
//! the versioned root module a plugin exports ([`PluginModule`]), the trait objects it
//! hands out (provider, discovery, embeddings, streams), the data those carry, and the
//! callbacks the host offers (logging, waking).
//!
//! Growth rules, so later plugins and hosts keep loading each other:
//! - the root module is a prefix type: fields after `#[sabi(last_prefix_field)]` are optional
//!   and new ones are only ever appended;
//! - every `#[sabi_trait]` marks its last initial method with `#[sabi(last_prefix_field)]`, so
//!   methods can be appended;
//! - enums that may gain variants are `NonExhaustive` (`*_NE` aliases); match them through
//!   [`NonExhaustive::as_enum`](abi_stable::nonexhaustive_enum::NonExhaustive::as_enum) and treat
//!   an unknown variant as "newer than me";
//! - structs that cross by value and are expected to grow end with an [`ext::Extensions`] field:
//!   new facts are new keys there, never new fields;
//! - anything else that changes a layout bumps the crate's minor version (the interface version
//!   abi_stable checks at load: `0.x` minors are incompatible with each other), is listed in
//!   `CHANGELOG.md`, and is caught by the `abi_fingerprint` test when forgotten.
//!
//! # Writing a host
//!
//! A host loads a library, builds a [`HostContext`] around its log sink,
//! creates an instance and talks to the trait objects it hands out. Asynchronous results are
//! *polled* with an [`FfiWaker`](poll::FfiWaker) the plugin calls when more is ready (see
//! [`poll`]); the host decides how to wait — the sketch below parks a thread, the
//! `host-harness` crate wraps the same calls into `Future`s and `Stream`s.
//!
//! Load with [`lib_header_from_path`](abi_stable::library::lib_header_from_path) and
//! [`init_root_module`](abi_stable::library::LibHeader::init_root_module): both check the layout
//! and the interface version and return a `LibraryError` for an incompatible library before any
//! of its functions runs. Avoid `RootModule::load_from_file` in a host that may load more than one
//! plugin: it caches one module per root-module type per process, so every later path would
//! return the first plugin. A real host also validates the plugin's config against its
//! manifest's schema first and compares [`PluginInfo`] with the manifest (MAN-04).
//!
//! ```no_run
//! use std::sync::{Arc, Condvar, Mutex};
//!
//! use plugin_api::abi_stable::library::lib_header_from_path;
//! use plugin_api::abi_stable::sabi_trait::TD_Opaque;
//! use plugin_api::abi_stable::std_types::{RArc, ROption, RStr, RVec};
//! use plugin_api::chat::{ChatOptions, ChatRequest, Message};
//! use plugin_api::event::StreamEvent;
//! use plugin_api::host::{HostContext, HostLogger, HostLogger_TO, LogLevel, LogRecord};
//! use plugin_api::model::ModelDefinition;
//! use plugin_api::poll::{FfiWaker, HostWaker, HostWaker_TO};
//! use plugin_api::PluginModuleRef;
//!
//! /// The host's log sink: the plugin forwards its `tracing` events here.
//! #[derive(Clone)]
//! struct StderrLogger;
//!
//! impl HostLogger for StderrLogger {
//!     fn enabled(&self, level: LogLevel, _target: RStr<'_>) -> bool {
//!         level <= LogLevel::Info
//!     }
//!
//!     fn log(&self, record: &LogRecord) {
//!         eprintln!("{:?} {}: {}", record.level, record.target, record.message);
//!     }
//! }
//!
//! /// Unparks the polling thread; the plugin may call it from any of its threads.
//! #[derive(Clone, Default)]
//! struct ThreadWaker(Arc<(Mutex<bool>, Condvar)>);
//!
//! impl HostWaker for ThreadWaker {
//!     fn wake(&self) {
//!         let (woken, condvar) = &*self.0;
//!         *woken.lock().unwrap() = true;
//!         condvar.notify_all();
//!     }
//! }
//!
//! impl ThreadWaker {
//!     /// Blocks until `wake` was called since the last `wait`.
//!     fn wait(&self) {
//!         let (woken, condvar) = &*self.0;
//!         let mut woken = condvar.wait_while(woken.lock().unwrap(), |w| !*w).unwrap();
//!         *woken = false;
//!     }
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let path = std::path::Path::new("plugins/amazon-bedrock/libbedrock_plugin.so");
//!     let module = lib_header_from_path(path)?.init_root_module::<PluginModuleRef>()?;
//!     let info = module.plugin_info()();
//!     eprintln!("loaded {} {} ({})", info.id, info.version, info.api);
//!
//!     let host = HostContext {
//!         host_name: "example-host".into(),
//!         host_version: "1.0.0".into(),
//!         logger: HostLogger_TO::from_ptr(RArc::new(StderrLogger), TD_Opaque),
//!         host_config_json: "{}".into(),
//!     };
//!     let config_json = r#"{"awsRegion":"us-east-1"}"#;
//!     let instance = module.new_instance()(host, RStr::from_str(config_json)).into_result()?;
//!     let provider = instance.chat_provider();
//!
//!     let request = ChatRequest {
//!         model: ModelDefinition::new(
//!             "us.anthropic.claude-sonnet-4-6",
//!             "amazon-bedrock",
//!             "bedrock-converse-stream",
//!         ),
//!         system_prompt: ROption::RNone,
//!         messages: RVec::from(vec![Message::user_text("Hello!")]),
//!         tools: RVec::new(),
//!         options: ChatOptions::default(),
//!     };
//!     // Requests that cannot be sent as given fail here; everything else ends the stream.
//!     let mut stream = provider.stream_chat(request).into_result()?;
//!
//!     let waker = ThreadWaker::default();
//!     let ffi_waker: FfiWaker = HostWaker_TO::from_ptr(RArc::new(waker.clone()), TD_Opaque);
//!     'stream: loop {
//!         let batch = stream.poll_events(&ffi_waker, 64);
//!         let pending = batch.events.is_empty() && !batch.finished;
//!         for event in batch.events {
//!             // `Err`: a variant of a newer interface version; skip it.
//!             let Ok(event) = event.as_enum() else { continue };
//!             match event {
//!                 StreamEvent::TextDelta { delta, .. } => print!("{delta}"),
//!                 StreamEvent::Done(summary) => println!("\n[{:?}]", summary.stop_reason),
//!                 StreamEvent::Error(failure) => eprintln!("\nfailed: {}", failure.error),
//!                 _ => {}
//!             }
//!             if event.is_terminal() {
//!                 break 'stream;
//!             }
//!         }
//!         if batch.finished {
//!             break;
//!         }
//!         if pending {
//!             // Nothing ready: the plugin calls `ffi_waker` once there is.
//!             waker.wait();
//!         }
//!     }
//!
//!     // Libraries are never unloaded; this stops the plugin's background work.
//!     module.shutdown()();
//!     Ok(())
//! }
//! ```
//!
//! Dropping a stream or a pending handle cancels its work inside the plugin.
//!
//! To see (or rewrite) what the plugin sends, start the chat with a
//! [`PayloadHook`](hooks::PayloadHook) instead (REQ-03). The plugin calls it on one of its own
//! threads before each send, after all of its own patches; a plugin built before 0.2.1 (or one
//! that does not implement hooks) answers with an `Unsupported` error instead of a stream.
//!
//! ```
//! use plugin_api::abi_stable::sabi_trait::TD_Opaque;
//! use plugin_api::abi_stable::std_types::{RArc, ROption, RResult, RString};
//! use plugin_api::hooks::{PayloadHook, PayloadHookBox, PayloadHook_TO, PayloadView};
//!
//! /// Prints each payload and sends it unchanged.
//! struct PrintPayload;
//!
//! impl PayloadHook for PrintPayload {
//!     fn on_payload(&self, payload: &PayloadView) -> RResult<ROption<RString>, RString> {
//!         eprintln!("{} attempt {}: {}", payload.operation, payload.attempt, payload.payload_json);
//!         RResult::ROk(ROption::RNone)
//!     }
//! }
//!
//! let hook: PayloadHookBox = PayloadHook_TO::from_ptr(RArc::new(PrintPayload), TD_Opaque);
//! // let mut stream = provider.stream_chat_with_payload_hook(request, hook).into_result()?;
//! # drop(hook);
//! ```
//!
//! Compatibility runs one way: a host loads a plugin built from the same or a *newer* compatible
//! interface version (appended root-module fields and trait methods are allowed on the library
//! side), but abi_stable 0.11 refuses a library that has *fewer* prefix fields than the host
//! expects ("too many fields"). So a host built from a newer version cannot load an older
//! plugin; `tests/tests/abi_evolution.rs` pins both directions.
//!
//! # Writing a plugin
//!
//! A plugin is a `cdylib` that depends on this crate and exports one [`PluginModuleRef`] with
//! abi_stable's [`export_root_module`](abi_stable::export_root_module) attribute. Its functions
//! are `extern "C"` (use [`sabi_extern_fn`](abi_stable::sabi_extern_fn), which aborts on a
//! panic instead of unwinding across the boundary, or catch panics yourself and return
//! [`PluginError::internal_panic`](error::PluginError::internal_panic)). `new_instance` returns a
//! [`PluginInstanceBox`], built with
//! `PluginInstance_TO::from_value(instance, TD_Opaque)` from any type implementing
//! [`PluginInstance`](traits::PluginInstance); the other trait objects of [`traits`] and
//! [`poll`] are built the same way.
//!
//! ```
//! use plugin_api::abi_stable::prefix_type::PrefixTypeTrait;
//! use plugin_api::abi_stable::std_types::{RResult, RStr, RString, RVec};
//! use plugin_api::abi_stable::{export_root_module, sabi_extern_fn};
//! use plugin_api::error::{ErrorKind, PluginError};
//! use plugin_api::host::HostContext;
//! use plugin_api::traits::PluginInstanceBox;
//! use plugin_api::{PluginInfo, PluginModule, PluginModuleRef};
//!
//! #[export_root_module]
//! pub fn get_root_module() -> PluginModuleRef {
//!     PluginModule { plugin_info, new_instance, shutdown }.leak_into_prefix()
//! }
//!
//! #[sabi_extern_fn]
//! fn plugin_info() -> PluginInfo {
//!     PluginInfo {
//!         id: "example".into(),
//!         version: "0.1.0".into(),
//!         providers: RVec::from(vec![RString::from("example")]),
//!         api: "example-api".into(),
//!         embedding_providers: RVec::new(),
//!     }
//! }
//!
//! #[sabi_extern_fn]
//! fn new_instance(
//!     _host: HostContext,
//!     _config_json: RStr<'_>,
//! ) -> RResult<PluginInstanceBox, PluginError> {
//!     // A real plugin parses its config and returns
//!     // `RResult::ROk(PluginInstance_TO::from_value(instance, TD_Opaque))`.
//!     RResult::RErr(PluginError::new(ErrorKind::Unsupported, "not implemented yet"))
//! }
//!
//! #[sabi_extern_fn]
//! fn shutdown() {}
//! # fn main() {}
//! ```
//!
//! The plugin's `tracing` events go to [`HostContext::logger`](host::HostContext::logger); it
//! keeps no subscriber of its own.
#![warn(missing_docs)]
// abi_stable_derive 0.11.3 writes the `InterfaceType` impl of every `#[sabi_trait]` and of every
// `WithNonExhaustive` enum inside a function body; the lint fires once per such item.
#![allow(non_local_definitions)]

pub mod chat;
#[cfg(feature = "json")]
pub mod config_rules;
pub mod embedding;
pub mod error;
pub mod event;
pub mod ext;
pub mod hooks;
pub mod host;
pub mod model;
pub mod poll;
pub mod secret;
pub mod status;
pub mod traits;

use abi_stable::{
    declare_root_module_statics,
    library::RootModule,
    package_version_strings,
    sabi_types::VersionStrings,
    std_types::{RResult, RStr, RString, RVec},
    StableAbi,
};

pub use abi_stable;

use crate::error::PluginError;
use crate::host::HostContext;
use crate::traits::PluginInstanceBox;

/// Facts a library reports about itself, so the host can compare them with the manifest it
/// read before loading (MAN-04).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq)]
pub struct PluginInfo {
    /// The plugin id, as in the manifest's `id` (e.g. `amazon-bedrock`).
    pub id: RString,
    /// The plugin's own version, as in the manifest's `version`.
    pub version: RString,
    /// The chat provider ids the library implements (the manifest's `providers`).
    pub providers: RVec<RString>,
    /// The model API its chat providers speak (the manifest's `api`, e.g.
    /// `bedrock-converse-stream`).
    pub api: RString,
    /// The embedding provider ids the library implements (the manifest's `embeddingProviders`).
    pub embedding_providers: RVec<RString>,
}

/// The root module every plugin library exports.
///
/// A host built against another compatible version of this crate still loads the plugin:
/// abi_stable compares the prefix layouts and the semver of `plugin-api` at load time and
/// refuses incompatible ones with `LibraryError` before any function is called.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = PluginModuleRef)))]
// Accessors of fields appended after `last_prefix_field` return `Option`, as abi_stable's growth
// rules expect (abi_stable 0.11 still refuses at load a library that lacks them: see the crate
// docs on which direction is compatible).
#[sabi(missing_field(option))]
pub struct PluginModule {
    /// The library's own identity (MAN-04).
    pub plugin_info: extern "C" fn() -> PluginInfo,

    /// Creates an instance from the host context and the plugin's validated config
    /// (`plugins.entries.<id>.config` as JSON text).
    pub new_instance: extern "C" fn(
        host: HostContext,
        config_json: RStr<'_>,
    ) -> RResult<PluginInstanceBox, PluginError>,

    /// Flushes and stops the plugin's background work. Libraries are never unloaded, so this
    /// is the only way a host can ask for an orderly stop before exiting.
    #[sabi(last_prefix_field)]
    pub shutdown: extern "C" fn(),
}

impl RootModule for PluginModuleRef {
    declare_root_module_statics! {PluginModuleRef}
    const BASE_NAME: &'static str = "plugin";
    const NAME: &'static str = "model-provider plugin";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

/// The version of this interface crate, as the host reports it in incompatibility errors.
pub const PLUGIN_API_VERSION: &str = env!("CARGO_PKG_VERSION");
