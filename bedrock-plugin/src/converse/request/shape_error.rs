//! The two errors request shaping returns: the request cannot be sent as given (the
//! caller's fault, `InvalidRequest`, naming the part at fault), or an SDK builder refused a
//! value the plugin built (a plugin bug, `Internal`). Every shaping step uses these two so the
//! messages have one form.

use plugin_api::error::{ErrorKind, PluginError};

/// A request that cannot be sent as given.
pub(crate) fn invalid(message: impl Into<String>) -> PluginError {
    PluginError::new(ErrorKind::InvalidRequest, message)
}

/// An SDK builder refused a value the plugin built: a plugin bug, reported as internal.
pub(crate) fn build_error(what: &str, err: impl std::fmt::Display) -> PluginError {
    PluginError::new(
        ErrorKind::Internal,
        format!("cannot build Bedrock {what}: {err}"),
    )
}
