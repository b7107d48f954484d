//! The plugin's `tracing` events, the AWS SDK's included, forwarded to the host.
//!
//! The cdylib links its own copy of `tracing`, whose events reach nobody unless a subscriber
//! is installed in that copy. This subscriber never prints: it asks the host once per
//! callsite whether the level and target are wanted (the SDK is very chatty at DEBUG/TRACE,
//! so filtered callsites are switched off entirely) and sends the rest to the host's sink.
//!
//! Every message and field is redacted on the way out (CFG-04, AUTH-30): the SDK prints
//! `Credentials { access_key_id: "AKIA…" }` at INFO for profile and `credential_process`
//! credentials and signing parameters at TRACE, and nothing the plugin can configure stops
//! it. Each plugin instance owns a [`Redactions`] set, filled with the secret values and key
//! ids it resolves; the bridge replaces those (secrets by `[redacted]`, access key ids by
//! their last 4 characters, PLG-13) and, for ids it has not seen yet, anything shaped like an
//! AWS access key id.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Once, RwLock, Weak};

use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::host::{HostLoggerBox, LogField, LogLevel, LogRecord};
use plugin_api::secret::SecretString;
use regex_lite::Regex;
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

/// The redaction sets of the live plugin instances. The tracing dispatcher (and so this
/// bridge) is process-wide while secrets belong to instances, so the bridge holds only weak
/// references: an instance's values go when the instance does, and dead entries are pruned
/// whenever a new set registers, which keeps the list as long as the number of instances.
static REGISTRY: Registry = Registry::new();

/// A list of weak references to redaction sets (the bridge's one [`REGISTRY`]; tests make
/// their own so parallel tests cannot keep each other's sets alive).
pub(crate) struct Registry {
    sets: RwLock<Vec<Weak<Redactions>>>,
}

impl Registry {
    pub(crate) const fn new() -> Self {
        Self {
            sets: RwLock::new(Vec::new()),
        }
    }

    fn register(&self, set: &Arc<Redactions>) {
        let mut sets = self
            .sets
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        sets.retain(|weak| weak.strong_count() > 0);
        sets.push(Arc::downgrade(set));
    }

    /// `text` with every registered secret and key id of every live set replaced, then any
    /// remaining AWS access key id shortened to its last 4 characters.
    pub(crate) fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        {
            let sets = self
                .sets
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            for set in sets.iter().filter_map(Weak::upgrade) {
                text = set.apply(text);
            }
        }
        if ACCESS_KEY_ID_RE.is_match(&text) {
            let replaced = ACCESS_KEY_ID_RE
                .replace_all(&text, |caps: &regex_lite::Captures<'_>| {
                    access_key_id_hint(&caps[0])
                })
                .into_owned();
            text = Cow::Owned(replaced);
        }
        text
    }
}

/// AWS access key ids (long-term `AKIA…`, temporary `ASIA…`), for ids the bridge has not
/// been told about yet: the SDK logs credentials while it resolves them, before the plugin
/// sees the result.
static ACCESS_KEY_ID_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:AKIA|ASIA)[A-Z0-9]{12,124}\b").expect("constant pattern compiles")
});

/// What a redacted secret reads as in the host log.
pub const REDACTED: &str = "[redacted]";

/// Most values one instance's set keeps (rotated credentials push old ones out; an evicted
/// access key id is still caught by the id pattern).
pub const REDACTIONS_CAPACITY: usize = 64;

/// Values shorter than this are not redacted: replacing every `abc` in the SDK's output would
/// make logs unreadable without protecting anything a 3-character secret still has.
pub const MIN_REDACTED_LEN: usize = 4;

/// PLG-13: how an access key id may be shown: its last 4 characters after `****`; ids too
/// short for that to hide most of them are shown as `****` alone.
pub fn access_key_id_hint(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if chars.len() < 12 {
        return "****".to_owned();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("****{tail}")
}

#[derive(Clone)]
enum Redacted {
    Secret(SecretString),
    AccessKeyId(SecretString),
}

impl Redacted {
    fn value(&self) -> &str {
        match self {
            Redacted::Secret(value) | Redacted::AccessKeyId(value) => value.expose(),
        }
    }

    fn replacement(&self) -> String {
        match self {
            Redacted::Secret(_) => REDACTED.to_owned(),
            Redacted::AccessKeyId(id) => access_key_id_hint(id.expose()),
        }
    }
}

/// The secret values and access key ids of one plugin instance that must never reach the
/// host log (bounded by [`REDACTIONS_CAPACITY`], most recently added kept).
pub struct Redactions {
    values: Mutex<VecDeque<Redacted>>,
}

impl Redactions {
    /// A new, empty set, registered with the bridge for as long as the returned `Arc` lives.
    pub fn new() -> Arc<Redactions> {
        Self::registered_in(&REGISTRY)
    }

    pub(crate) fn registered_in(registry: &Registry) -> Arc<Redactions> {
        let set = Arc::new(Redactions {
            values: Mutex::new(VecDeque::new()),
        });
        registry.register(&set);
        set
    }

    fn add(&self, entry: Redacted) {
        if entry.value().chars().count() < MIN_REDACTED_LEN {
            return;
        }
        let mut values = self
            .values
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        values.retain(|known| known.value() != entry.value());
        while values.len() >= REDACTIONS_CAPACITY {
            values.pop_front();
        }
        values.push_back(entry);
    }

    /// A secret value (secret access key, session token, bearer token, env-referenced value):
    /// shown as `[redacted]`.
    pub fn add_secret(&self, value: &str) {
        self.add(Redacted::Secret(SecretString::new(value.trim())));
    }

    /// An access key id: shown as its last 4 characters (PLG-13).
    pub fn add_access_key_id(&self, id: &str) {
        self.add(Redacted::AccessKeyId(SecretString::new(id.trim())));
    }

    fn apply<'a>(&self, text: Cow<'a, str>) -> Cow<'a, str> {
        let values = self
            .values
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Longest first, so a value that contains another is replaced whole.
        let mut ordered: Vec<&Redacted> = values.iter().collect();
        ordered.sort_by_key(|known| std::cmp::Reverse(known.value().len()));
        let mut text = text;
        for known in ordered {
            if text.contains(known.value()) {
                text = Cow::Owned(text.replace(known.value(), &known.replacement()));
            }
        }
        text
    }
}

/// `text` as the bridge forwards it: see [`Registry::redact`].
pub fn redact(text: &str) -> Cow<'_, str> {
    REGISTRY.redact(text)
}

/// Routes this library's `tracing` output to `logger` from now on.
pub fn install(logger: HostLoggerBox) {
    match HOST_LOGGER.write() {
        Ok(mut slot) => *slot = Some(logger),
        Err(poisoned) => *poisoned.into_inner() = Some(logger),
    }
    INSTALL.call_once(|| {
        let _ = tracing::dispatcher::set_global_default(tracing::Dispatch::new(HostForwarder {
            next_span: AtomicU64::new(1),
            logger: None,
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
    /// A logger of this forwarder's own (tests, as a scoped dispatcher); `None` forwards to
    /// the installed host logger.
    logger: Option<HostLoggerBox>,
}

impl HostForwarder {
    fn with_logger<R>(&self, f: impl FnOnce(&HostLoggerBox) -> R) -> Option<R> {
        match &self.logger {
            Some(logger) => Some(f(logger)),
            None => with_logger(f),
        }
    }
}

/// A dispatcher that forwards (redacted) to `logger` alone, for tests that capture records
/// without touching the process-wide installation.
#[cfg(test)]
pub(crate) fn scoped_dispatch(logger: HostLoggerBox) -> tracing::Dispatch {
    tracing::Dispatch::new(HostForwarder {
        next_span: AtomicU64::new(1),
        logger: Some(logger),
    })
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
        self.with_logger(|logger| {
            logger.enabled(level_of(metadata.level()), metadata.target().into())
        })
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
            message: RString::from(redact(&visitor.message).into_owned()),
            fields: visitor
                .fields
                .into_iter()
                .map(|(name, value)| LogField {
                    name: RString::from(name),
                    value: RString::from(redact(&value).into_owned()),
                })
                .collect::<RVec<_>>(),
            module_path: metadata.module_path().map(RString::from).into(),
            file: metadata.file().map(RString::from).into(),
            line: match metadata.line() {
                Some(line) => ROption::RSome(line),
                None => ROption::RNone,
            },
        };
        self.with_logger(|logger| logger.log(&record));
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

/// The event's message and fields as text, before redaction.
#[derive(Default)]
struct FieldCollector {
    message: String,
    fields: Vec<(&'static str, String)>,
}

impl Visit for FieldCollector {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            self.fields.push((field.name(), value.to_owned()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            self.fields.push((field.name(), format!("{value:?}")));
        }
    }
}

#[cfg(test)]
mod tests;
