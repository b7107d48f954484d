//! Captures `tracing` warnings emitted on the current thread, for unit tests of the
//! normative warning texts.

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};

struct Capture(Arc<Mutex<Vec<String>>>);

struct MessageOf(Option<String>);

impl Visit for MessageOf {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() == Level::WARN {
            let mut message = MessageOf(None);
            event.record(&mut message);
            if let (Some(message), Ok(mut records)) = (message.0, self.0.lock()) {
                records.push(message);
            }
        }
    }
}

/// Runs `f`, returning its result and the warnings it logged.
pub fn capture_warnings<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let records = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::registry().with(Capture(records.clone()));
    let result = tracing::subscriber::with_default(subscriber, f);
    let warnings = records.lock().map(|r| r.clone()).unwrap_or_default();
    (result, warnings)
}
