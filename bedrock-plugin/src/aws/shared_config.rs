//! The active profile's settings from the shared config files (`~/.aws/config`).
//!
//! Read per operation (AUTH-10) so rotated or newly added settings apply without a restart;
//! the files' identities (path, modification time, size) become part of the client cache key,
//! so a change builds fresh credential providers (AUTH-11).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use aws_types::os_shim_internal::{Env, Fs};

use crate::env::EnvSnapshot;

/// What the plugin reads from the active profile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileSettings {
    pub profile: String,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// `services` section endpoint URLs by service key (`bedrock_runtime`, `bedrock`).
    pub service_endpoint_urls: BTreeMap<String, String>,
    pub use_fips: Option<bool>,
    pub use_dual_stack: Option<bool>,
    pub ignore_configured_endpoint_urls: bool,
    /// (path, modification time, size) of each shared file that exists.
    pub file_identity: Vec<(PathBuf, Option<SystemTime>, u64)>,
}

fn home_dir(env: &EnvSnapshot) -> Option<PathBuf> {
    env.get("HOME")
        .or_else(|| env.get("USERPROFILE"))
        .map(PathBuf::from)
}

/// The two shared files, honouring `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`.
pub fn shared_file_paths(env: &EnvSnapshot) -> [PathBuf; 2] {
    let home = home_dir(env).unwrap_or_default();
    let config = env
        .get("AWS_CONFIG_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".aws").join("config"));
    let credentials = env
        .get("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".aws").join("credentials"));
    [config, credentials]
}

fn file_identity(env: &EnvSnapshot) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    shared_file_paths(env)
        .into_iter()
        .filter_map(|path| {
            let metadata = std::fs::metadata(&path).ok()?;
            Some((path, metadata.modified().ok(), metadata.len()))
        })
        .collect()
}

fn parse_bool(value: Option<&str>) -> Option<bool> {
    value.map(|value| value.trim().eq_ignore_ascii_case("true"))
}

/// Loads the active profile's settings. A missing or unparsable file yields defaults: the
/// credential provider reports profile problems with the profile's name when it runs.
pub async fn load(env: &EnvSnapshot, profile_override: Option<&str>) -> ProfileSettings {
    let profile = profile_override
        .map(str::to_owned)
        .or_else(|| env.get("AWS_PROFILE").map(str::to_owned))
        .unwrap_or_else(|| "default".to_owned());
    let mut settings = ProfileSettings {
        profile: profile.clone(),
        file_identity: file_identity(env),
        ..ProfileSettings::default()
    };
    let sdk_env = Env::from(
        [
            "HOME",
            "USERPROFILE",
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
        ]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), env.get(name)?.to_owned())))
        .collect::<std::collections::HashMap<String, String>>(),
    );
    let loaded = aws_config::profile::load(
        &Fs::real(),
        &sdk_env,
        &aws_runtime::env_config::file::EnvConfigFiles::default(),
        Some(profile.clone().into()),
    )
    .await;
    let Ok(profiles) = loaded else {
        return settings;
    };
    let Some(active) = profiles.get_profile(&profile) else {
        return settings;
    };
    settings.region = active.get("region").map(str::to_owned);
    settings.endpoint_url = active.get("endpoint_url").map(str::to_owned);
    settings.use_fips = parse_bool(active.get("use_fips_endpoint"));
    settings.use_dual_stack = parse_bool(active.get("use_dualstack_endpoint"));
    settings.ignore_configured_endpoint_urls =
        parse_bool(active.get("ignore_configured_endpoint_urls")).unwrap_or(false);
    if let Some(services) = active.get("services") {
        for service in ["bedrock_runtime", "bedrock"] {
            let key = aws_runtime::env_config::property::PropertiesKey::builder()
                .section_key("services")
                .section_name(services)
                .property_name(service)
                .sub_property_name("endpoint_url")
                .build();
            if let Ok(key) = key {
                if let Some(url) = profiles.other_sections().get(&key) {
                    settings
                        .service_endpoint_urls
                        .insert(service.to_owned(), url.to_owned());
                }
            }
        }
    }
    settings
}
