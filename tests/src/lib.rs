//! End-to-end tests live in tests/.
// `PluginError` is the fixed-layout error that crosses the ABI by value; it is returned on
// cold paths only, so boxing it would buy nothing but an allocation.
#![allow(clippy::result_large_err)]
