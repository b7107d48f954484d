//! The plugin's `tracing` events, the AWS SDK's included, forwarded to the host.
//!
//! The cdylib links its own copy of `tracing`, whose events reach nobody unless a subscriber
//! is installed in that copy. This subscriber never prints: it asks the host once per
//! callsite whether the level and target are wanted (the SDK is very chatty at DEBUG/TRACE,
//! so filtered callsites are switched off entirely) and sends the rest to the host's sink.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, RwLock};

use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::host::{HostLoggerBox, LogField, LogLevel, LogRecord};
use tracing_core::field::{Field, Visit};
use tracing_core::span::{Attributes, Id, Record};
use tracing_core::subscriber::Interest;
use tracing_core::{Event, Level, Metadata, Subscriber};

static HOST_LOGGER: RwLock<Option<HostLoggerBox>> = RwLock::new(None);

thread_local! {
    /// Set while this thread is inside the host logger. When the plugin is linked into the
    /// host as an rlib (in-process tests), both share one `tracing`, and the host re-emitting
    /// an event would otherwise come straight back here.
    static FORWARDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}
static INSTALL: Once = Once::new();

/// Routes this library's `tracing` output to `logger` from now on.
pub fn install(logger: HostLoggerBox) {
    match HOST_LOGGER.write() {
        Ok(mut slot) => *slot = Some(logger),
        Err(poisoned) => *poisoned.into_inner() = Some(logger),
    }
    INSTALL.call_once(|| {
        let _ = tracing::dispatcher::set_global_default(tracing::Dispatch::new(HostForwarder {
            next_span: AtomicU64::new(1),
        }));
    });
    // Callsites registered before (or under another logger) must ask again.
    tracing_core::callsite::rebuild_interest_cache();
    install_panic_hook();
}

fn with_logger<R>(f: impl FnOnce(&HostLoggerBox) -> R) -> Option<R> {
    let slot = HOST_LOGGER
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    slot.as_ref().map(f)
}

fn level_of(level: &Level) -> LogLevel {
    match *level {
        Level::ERROR => LogLevel::Error,
        Level::WARN => LogLevel::Warn,
        Level::INFO => LogLevel::Info,
        Level::DEBUG => LogLevel::Debug,
        _ => LogLevel::Trace,
    }
}

/// Panic messages also reach the host log, where a host without a terminal sees them. The
/// previous hook still runs, so a panic is never silent (and tests linking the rlib keep
/// their usual panic output).
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|location| format!("{}:{}", location.file(), location.line()))
                .unwrap_or_default();
            let message = crate::guard::panic_message(info.payload());
            tracing::error!(target: "bedrock_plugin::panic", %location, "panic: {message}");
            previous(info);
        }));
    });
}

struct HostForwarder {
    next_span: AtomicU64,
}

impl Subscriber for HostForwarder {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if self.enabled(metadata) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        with_logger(|logger| logger.enabled(level_of(metadata.level()), metadata.target().into()))
            .unwrap_or(false)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // Spans are not forwarded; ids only need to be unique and non-zero.
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed).max(1))
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let mut visitor = FieldCollector::default();
        event.record(&mut visitor);
        let record = LogRecord {
            level: level_of(metadata.level()),
            target: metadata.target().into(),
            message: RString::from(visitor.message),
            fields: RVec::from(visitor.fields),
            module_path: metadata.module_path().map(RString::from).into(),
            file: metadata.file().map(RString::from).into(),
            line: match metadata.line() {
                Some(line) => ROption::RSome(line),
                None => ROption::RNone,
            },
        };
        with_logger(|logger| logger.log(&record));
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

#[derive(Default)]
struct FieldCollector {
    message: String,
    fields: Vec<LogField>,
}

impl Visit for FieldCollector {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields.push(LogField {
                name: field.name().into(),
                value: value.into(),
            });
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.fields.push(LogField {
                name: field.name().into(),
                value: RString::from(format!("{value:?}")),
            });
        }
    }
}
