//! The catalog without discovery: exactly the explicit provider entry (DISC-43).

use abi_stable::std_types::{ROption, RString, RVec};
use plugin_api::model::ProviderCatalog;

use crate::manifest::{API, PROVIDER_ID};
use crate::settings::Settings;

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The explicit `models.providers["amazon-bedrock"]` entry (and aliases) as a catalog.
pub fn catalog(settings: &Settings) -> ProviderCatalog {
    let exact = settings.host.providers.first();
    ProviderCatalog {
        provider_id: PROVIDER_ID.into(),
        base_url: match exact.and_then(|entry| entry.base_url.clone()) {
            Some(url) => ROption::RSome(url.into()),
            None => ROption::RNone,
        },
        api: RString::from(
            exact
                .and_then(|entry| entry.api.clone())
                .unwrap_or_else(|| API.to_owned()),
        ),
        auth: RString::from(
            exact
                .and_then(|entry| entry.auth.clone())
                .unwrap_or_else(|| "aws-sdk".to_owned()),
        ),
        models: RVec::from(settings.host.explicit_models()),
        fetched_at_ms: now_ms(),
        from_cache: false,
    }
}
