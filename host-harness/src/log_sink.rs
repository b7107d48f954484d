//! The plugin's log records, re-emitted into the host's `tracing` subscriber.
//!
//! `tracing` needs `'static` callsite metadata to filter by target, so each distinct
//! (level, target, field names) seen from a plugin gets one leaked callsite, registered like
//! any other; the host's filter (`RUST_LOG`) then sees the plugin's real targets
//! (`aws_smithy_runtime`, `bedrock_plugin::…`).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use abi_stable::sabi_trait::TD_Opaque;
use abi_stable::std_types::{RArc, RStr};
use plugin_api::host::{HostLogger, HostLoggerBox, HostLogger_TO, LogLevel, LogRecord};
use tracing_core::callsite::{Callsite, Identifier};
use tracing_core::field::{FieldSet, Value};
use tracing_core::metadata::Kind;
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Level, Metadata};

/// Field names an event may carry besides `message`; more are folded into the message.
const MAX_FIELDS: usize = 15;

struct DynamicCallsite {
    metadata: OnceLock<Metadata<'static>>,
}

impl Callsite for DynamicCallsite {
    fn set_interest(&self, _interest: Interest) {}

    fn metadata(&self) -> &Metadata<'_> {
        match self.metadata.get() {
            Some(metadata) => metadata,
            None => unreachable!("metadata is set before the callsite is registered"),
        }
    }
}

type CallsiteKey = (LogLevel, String, Vec<String>);

fn callsites() -> &'static Mutex<HashMap<CallsiteKey, &'static DynamicCallsite>> {
    static CALLSITES: OnceLock<Mutex<HashMap<CallsiteKey, &'static DynamicCallsite>>> =
        OnceLock::new();
    CALLSITES.get_or_init(Default::default)
}

fn level(level: LogLevel) -> Level {
    match level {
        LogLevel::Error => Level::ERROR,
        LogLevel::Warn => Level::WARN,
        LogLevel::Info => Level::INFO,
        LogLevel::Debug => Level::DEBUG,
        LogLevel::Trace => Level::TRACE,
    }
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

fn callsite(log_level: LogLevel, target: &str, fields: &[&str]) -> &'static DynamicCallsite {
    let key: CallsiteKey = (
        log_level,
        target.to_owned(),
        fields.iter().map(|name| (*name).to_owned()).collect(),
    );
    let mut map = callsites()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(existing) = map.get(&key) {
        return existing;
    }
    let site: &'static DynamicCallsite = Box::leak(Box::new(DynamicCallsite {
        metadata: OnceLock::new(),
    }));
    let names: Vec<&'static str> = std::iter::once("message")
        .chain(fields.iter().map(|name| leak(name)))
        .collect();
    let names: &'static [&'static str] = Box::leak(names.into_boxed_slice());
    let target = leak(target);
    let _ = site.metadata.set(Metadata::new(
        "plugin event",
        target,
        level(log_level),
        None,
        None,
        Some(target),
        FieldSet::new(names, Identifier(site)),
        Kind::EVENT,
    ));
    tracing_core::callsite::register(site);
    map.insert(key, site);
    site
}

fn enabled(metadata: &'static Metadata<'static>) -> bool {
    tracing_core::dispatcher::get_default(|dispatch| dispatch.enabled(metadata))
}

/// The sink handed to plugins.
#[derive(Clone, Default)]
pub struct TracingSink;

impl HostLogger for TracingSink {
    fn enabled(&self, log_level: LogLevel, target: RStr<'_>) -> bool {
        let site = callsite(log_level, target.as_str(), &[]);
        let interest_allows = tracing_core::dispatcher::get_default(|dispatch| {
            !dispatch.register_callsite(site.metadata()).is_never()
        });
        interest_allows && site.metadata.get().is_some_and(enabled)
    }

    fn log(&self, record: &LogRecord) {
        let mut message = record.message.to_string();
        let kept = record.fields.len().min(MAX_FIELDS);
        for extra in record.fields.iter().skip(kept) {
            message.push_str(&format!(" {}={}", extra.name, extra.value));
        }
        let names: Vec<&str> = record
            .fields
            .iter()
            .take(kept)
            .map(|field| field.name.as_str())
            .collect();
        let site = callsite(record.level, record.target.as_str(), &names);
        let Some(metadata) = site.metadata.get() else {
            return;
        };
        if !enabled(metadata) {
            return;
        }
        let values: Vec<String> = record
            .fields
            .iter()
            .take(kept)
            .map(|field| field.value.to_string())
            .collect();
        dispatch(metadata, &message, &values);
    }
}

/// Emits one event with `message` and up to `MAX_FIELDS` string values.
fn dispatch(metadata: &'static Metadata<'static>, message: &str, values: &[String]) {
    let fields = metadata.fields();
    let mut iter = fields.iter();
    let Some(message_field) = iter.next() else {
        return;
    };
    let rest: Vec<_> = iter.collect();
    let message_value: &dyn Value = &message;
    let mut pairs: Vec<(tracing_core::field::Field, Option<&dyn Value>)> =
        Vec::with_capacity(values.len() + 1);
    pairs.push((message_field, Some(message_value)));
    for (field, value) in rest.into_iter().zip(values.iter()) {
        pairs.push((field, Some(value as &dyn Value)));
    }
    macro_rules! emit {
        ($($n:literal),*) => {
            match pairs.len() {
                $($n => {
                    let array: [(&tracing_core::field::Field, Option<&dyn Value>); $n] =
                        std::array::from_fn(|i| (&pairs[i].0, pairs[i].1));
                    Event::dispatch(metadata, &fields.value_set(&array));
                })*
                _ => {}
            }
        };
    }
    emit!(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
}

/// The logger box for a plugin's host context.
pub fn host_logger() -> HostLoggerBox {
    HostLogger_TO::from_ptr(RArc::new(TracingSink), TD_Opaque)
}
