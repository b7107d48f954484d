//! Request recording for introspection: every request is kept (secrets redacted) so tests can assert
//! exactly what a client sent; runtime streams additionally get an outcome (see `StreamOutcome`).

use crate::{RecordedRequest, Shared};

/// Headers in arrival order, names lower-cased, secrets redacted.
pub(crate) fn redacted_headers(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            let name = k.as_str().to_string();
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            let value = crate::auth::redact(&name, &value);
            (name, value)
        })
        .collect()
}

/// Store a finished request record.
pub(crate) fn push(shared: &Shared, record: RecordedRequest) {
    if let Ok(mut r) = shared.records.lock() {
        r.push(record);
    }
}
