//! What the host gives a plugin: its identity, its config view, and its log sink.

use abi_stable::{
    sabi_trait,
    std_types::{RArc, ROption, RStr, RString, RVec},
    StableAbi,
};

/// Log levels, most severe first (the five `tracing` levels, which are fixed).
#[repr(u8)]
#[derive(StableAbi, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// `tracing::Level::ERROR`.
    Error,
    /// `tracing::Level::WARN`.
    Warn,
    /// `tracing::Level::INFO`.
    Info,
    /// `tracing::Level::DEBUG`.
    Debug,
    /// `tracing::Level::TRACE`.
    Trace,
}

/// A named value attached to a log event, rendered as text.
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct LogField {
    /// The field's name.
    pub name: RString,
    /// Its value, formatted.
    pub value: RString,
}

/// One `tracing` event from inside the plugin (its own or the AWS SDK's).
#[repr(C)]
#[derive(StableAbi, Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The event's level.
    pub level: LogLevel,
    /// The event's target (by default its module path, e.g. `aws_smithy_runtime::client`).
    pub target: RString,
    /// The formatted `message` field.
    pub message: RString,
    /// The event's other fields, in order.
    pub fields: RVec<LogField>,
    /// The module that emitted it, when known.
    pub module_path: ROption<RString>,
    /// The source file that emitted it, when known.
    pub file: ROption<RString>,
    /// The line in that file, when known.
    pub line: ROption<u32>,
}

/// The host's log sink. The plugin's copy of `tracing` has no subscriber of its own: it asks
/// `enabled` once per callsite (so filtered-out SDK chatter costs nothing) and forwards
/// the rest through `log`, where the host's subscriber and filter decide.
#[sabi_trait]
pub trait HostLogger: Send + Sync + Clone {
    /// Whether the host wants events of this level and target at all.
    fn enabled(&self, level: LogLevel, target: RStr<'_>) -> bool;

    /// Records one event the host said it wants.
    #[sabi(last_prefix_field)]
    fn log(&self, record: &LogRecord);
}

/// A shareable handle to the host's log sink.
pub type HostLoggerBox = HostLogger_TO<'static, RArc<()>>;

/// Everything the host hands a new plugin instance.
#[repr(C)]
#[derive(StableAbi, Clone)]
pub struct HostContext {
    /// The host's name (e.g. `host-harness`), for the plugin's diagnostics.
    pub host_name: RString,
    /// The host's version.
    pub host_version: RString,
    /// Where the plugin's log events go.
    pub logger: HostLoggerBox,
    /// The whole host config as JSON (after JSON5 parsing and legacy migration), from which
    /// the plugin reads the keys outside its own entry (HCFG-10..14).
    pub host_config_json: RString,
}

impl std::fmt::Debug for HostContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostContext")
            .field("host_name", &self.host_name)
            .field("host_version", &self.host_version)
            .finish_non_exhaustive()
    }
}

/// A live config replacement (LIVE-01..05).
#[repr(C)]
#[derive(StableAbi, Clone, PartialEq, Eq)]
pub struct ConfigUpdate {
    /// The new `plugins.entries.<id>.config`, already schema-validated by the host.
    pub plugin_config_json: RString,
    /// The new host config, as in [`HostContext::host_config_json`].
    pub host_config_json: RString,
}

impl std::fmt::Debug for ConfigUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Config JSON may hold literal secrets (CFG-04): never print it.
        f.write_str("ConfigUpdate { .. }")
    }
}
