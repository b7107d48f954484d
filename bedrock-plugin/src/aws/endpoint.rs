//! Which URL a call goes to (EP-*), and whether FIPS / dual-stack apply.
//!
//! PLG-12: a URL never carries userinfo (`user:password@`) past this module. The config keys
//! reject it when parsed; URLs from sources the plugin does not validate (provider baseUrls,
//! `AWS_ENDPOINT_URL*`, the shared config) have it removed here with a warning that names the
//! source, so neither a request, nor status, nor a log line can show the password.

use crate::aws::region::{dns_suffix, dual_stack_dns_suffix, is_standard_base_url};
use crate::aws::shared_config::ProfileSettings;
use crate::env::EnvSnapshot;

/// A resolved endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointChoice {
    pub url: String,
    /// Custom endpoints are passed to the SDK; standard ones are left to its endpoint rules.
    pub custom: bool,
    pub source: &'static str,
}

/// The FIPS / dual-stack switches (EP-03).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EndpointVariant {
    pub fips: bool,
    pub dual_stack: bool,
}

impl EndpointVariant {
    pub fn from_env(env: &EnvSnapshot, profile: &ProfileSettings) -> Self {
        Self {
            fips: env
                .get("AWS_USE_FIPS_ENDPOINT")
                .map(|v| v.eq_ignore_ascii_case("true"))
                .or(profile.use_fips)
                .unwrap_or(false),
            dual_stack: env
                .get("AWS_USE_DUALSTACK_ENDPOINT")
                .map(|v| v.eq_ignore_ascii_case("true"))
                .or(profile.use_dual_stack)
                .unwrap_or(false),
        }
    }
}

/// The standard URL of a service in a region, with the FIPS / dual-stack variant.
pub fn standard_url(service_prefix: &str, region: &str, variant: EndpointVariant) -> String {
    let host_prefix = if variant.fips {
        format!("{service_prefix}-fips")
    } else {
        service_prefix.to_owned()
    };
    let suffix = if variant.dual_stack {
        dual_stack_dns_suffix(region)
    } else {
        dns_suffix(region)
    };
    format!("https://{host_prefix}.{region}.{suffix}")
}

fn configured_endpoints_ignored(env: &EnvSnapshot, profile: &ProfileSettings) -> bool {
    env.flag("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") || profile.ignore_configured_endpoint_urls
}

/// Inputs of EP-01 step 1–2.
#[derive(Clone, Debug, Default)]
pub struct RuntimeEndpointInputs<'a> {
    pub model_base_url: Option<&'a str>,
    /// Exact provider key first, then aliases (HCFG-12).
    pub provider_base_urls: Vec<&'a str>,
    pub aws_bedrock_endpoint: Option<&'a str>,
}

/// EP-01: the runtime endpoint.
pub fn runtime_endpoint(
    inputs: &RuntimeEndpointInputs<'_>,
    region: &str,
    env: &EnvSnapshot,
    profile: &ProfileSettings,
) -> EndpointChoice {
    let custom_base_url = inputs
        .model_base_url
        .into_iter()
        .chain(inputs.provider_base_urls.iter().copied())
        .map(str::trim)
        .find(|url| !url.is_empty() && !is_standard_base_url(url));
    if let Some(url) = custom_base_url {
        return custom(url, "provider baseUrl");
    }
    if let Some(url) = inputs
        .aws_bedrock_endpoint
        .map(str::trim)
        .filter(|url| !url.is_empty())
    {
        return custom(url, "awsBedrockEndpoint");
    }
    configured_or_standard(&RUNTIME_SERVICE, region, env, profile)
}

/// EP-02: the control-plane endpoint (`awsBedrockEndpoint` and baseUrls never apply).
/// `awsBedrockControlPlaneEndpoint` (PLG-14) comes first, the way `awsBedrockEndpoint`
/// precedes the env and shared-config endpoints of EP-01.
pub fn control_plane_endpoint(
    config_endpoint: Option<&str>,
    region: &str,
    env: &EnvSnapshot,
    profile: &ProfileSettings,
) -> EndpointChoice {
    if let Some(url) = config_endpoint.map(str::trim).filter(|url| !url.is_empty()) {
        return custom(url, "awsBedrockControlPlaneEndpoint");
    }
    configured_or_standard(&CONTROL_SERVICE, region, env, profile)
}

/// The names one Bedrock service is configured by (EP-01 / EP-02).
struct Service {
    /// The SDK's service-specific endpoint variable.
    env_var: &'static str,
    /// The key under a shared-config `services` section, and how status names it.
    shared_config_key: &'static str,
    shared_config_source: &'static str,
    /// The standard host's first label.
    host_prefix: &'static str,
}

const RUNTIME_SERVICE: Service = Service {
    env_var: "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
    shared_config_key: "bedrock_runtime",
    shared_config_source: "shared config services.bedrock_runtime",
    host_prefix: "bedrock-runtime",
};

const CONTROL_SERVICE: Service = Service {
    env_var: "AWS_ENDPOINT_URL_BEDROCK",
    shared_config_key: "bedrock",
    shared_config_source: "shared config services.bedrock",
    host_prefix: "bedrock",
};

/// The SDK's configured-endpoint order (service variable, `AWS_ENDPOINT_URL`, the shared
/// config's service section, its `endpoint_url`), unless configured endpoints are ignored;
/// else the standard endpoint of the region.
fn configured_or_standard(
    service: &Service,
    region: &str,
    env: &EnvSnapshot,
    profile: &ProfileSettings,
) -> EndpointChoice {
    if !configured_endpoints_ignored(env, profile) {
        if let Some(url) = env.get(service.env_var) {
            return custom(url, service.env_var);
        }
        if let Some(url) = env.get("AWS_ENDPOINT_URL") {
            return custom(url, "AWS_ENDPOINT_URL");
        }
        if let Some(url) = profile.service_endpoint_urls.get(service.shared_config_key) {
            return custom(url, service.shared_config_source);
        }
        if let Some(url) = &profile.endpoint_url {
            return custom(url, "shared config endpoint_url");
        }
    }
    EndpointChoice {
        url: standard_url(
            service.host_prefix,
            region,
            EndpointVariant::from_env(env, profile),
        ),
        custom: false,
        source: "standard",
    }
}

fn custom(url: &str, source: &'static str) -> EndpointChoice {
    let url = url.trim().trim_end_matches('/');
    let url = match without_userinfo(url) {
        Some(stripped) => {
            tracing::warn!(
                "Amazon Bedrock endpoint from {source} contains userinfo (user:password@); it is ignored and never sent"
            );
            stripped
        }
        None => url.to_owned(),
    };
    EndpointChoice {
        url,
        custom: true,
        source,
    }
}

/// PLG-12: `url` without its `user[:password]@` part, or `None` when it has none.
pub fn without_userinfo(url: &str) -> Option<String> {
    if !crate::config::endpoint_has_userinfo(url) {
        return None;
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (_, host) = authority.rsplit_once('@')?;
    Some(match scheme {
        Some(scheme) => format!("{scheme}://{host}{tail}"),
        None => format!("{host}{tail}"),
    })
}

#[cfg(test)]
mod tests;
