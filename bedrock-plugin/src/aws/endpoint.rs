//! Which URL a call goes to (EP-*), and whether FIPS / dual-stack apply.

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
    if !configured_endpoints_ignored(env, profile) {
        if let Some(url) = env.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") {
            return custom(url, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
        }
        if let Some(url) = env.get("AWS_ENDPOINT_URL") {
            return custom(url, "AWS_ENDPOINT_URL");
        }
        if let Some(url) = profile.service_endpoint_urls.get("bedrock_runtime") {
            return custom(url, "shared config services.bedrock_runtime");
        }
        if let Some(url) = &profile.endpoint_url {
            return custom(url, "shared config endpoint_url");
        }
    }
    EndpointChoice {
        url: standard_url(
            "bedrock-runtime",
            region,
            EndpointVariant::from_env(env, profile),
        ),
        custom: false,
        source: "standard",
    }
}

/// EP-02: the control-plane endpoint (`awsBedrockEndpoint` and baseUrls never apply).
pub fn control_plane_endpoint(
    region: &str,
    env: &EnvSnapshot,
    profile: &ProfileSettings,
) -> EndpointChoice {
    if !configured_endpoints_ignored(env, profile) {
        if let Some(url) = env.get("AWS_ENDPOINT_URL_BEDROCK") {
            return custom(url, "AWS_ENDPOINT_URL_BEDROCK");
        }
        if let Some(url) = env.get("AWS_ENDPOINT_URL") {
            return custom(url, "AWS_ENDPOINT_URL");
        }
        if let Some(url) = profile.service_endpoint_urls.get("bedrock") {
            return custom(url, "shared config services.bedrock");
        }
        if let Some(url) = &profile.endpoint_url {
            return custom(url, "shared config endpoint_url");
        }
    }
    EndpointChoice {
        url: standard_url("bedrock", region, EndpointVariant::from_env(env, profile)),
        custom: false,
        source: "standard",
    }
}

fn custom(url: &str, source: &'static str) -> EndpointChoice {
    EndpointChoice {
        url: url.trim_end_matches('/').to_owned(),
        custom: true,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
        EnvSnapshot::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn ep_01_custom_base_url_beats_everything_and_standard_is_only_a_hint() {
        let profile = ProfileSettings::default();
        let standard_only = RuntimeEndpointInputs {
            provider_base_urls: vec!["https://bedrock-runtime.us-west-2.amazonaws.com"],
            ..Default::default()
        };
        let choice = runtime_endpoint(&standard_only, "us-west-2", &env(&[]), &profile);
        assert!(!choice.custom);
        assert_eq!(
            choice.url,
            "https://bedrock-runtime.us-west-2.amazonaws.com"
        );

        let custom_inputs = RuntimeEndpointInputs {
            provider_base_urls: vec!["https://proxy.example/bedrock/"],
            aws_bedrock_endpoint: Some("https://vpce.example"),
            ..Default::default()
        };
        let choice = runtime_endpoint(
            &custom_inputs,
            "us-east-1",
            &env(&[("AWS_ENDPOINT_URL", "http://x")]),
            &profile,
        );
        assert_eq!(choice.url, "https://proxy.example/bedrock");
        assert!(choice.custom);
    }

    #[test]
    fn ep_01_env_order_and_ignore_switch() {
        let profile = ProfileSettings::default();
        let inputs = RuntimeEndpointInputs::default();
        let both = env(&[
            ("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:2"),
        ]);
        assert_eq!(
            runtime_endpoint(&inputs, "us-east-1", &both, &profile).url,
            "http://127.0.0.1:1"
        );
        let ignored = env(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:2"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]);
        assert!(!runtime_endpoint(&inputs, "us-east-1", &ignored, &profile).custom);
    }

    #[test]
    fn ep_02_control_plane_ignores_runtime_overrides() {
        let choice = control_plane_endpoint(
            "eu-west-1",
            &env(&[("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://x")]),
            &ProfileSettings::default(),
        );
        assert_eq!(choice.url, "https://bedrock.eu-west-1.amazonaws.com");
        let choice = control_plane_endpoint(
            "eu-west-1",
            &env(&[("AWS_ENDPOINT_URL_BEDROCK", "http://127.0.0.1:9")]),
            &ProfileSettings::default(),
        );
        assert_eq!(choice.url, "http://127.0.0.1:9");
    }

    #[test]
    fn ep_03_fips_and_dual_stack_variants() {
        let fips = EndpointVariant {
            fips: true,
            dual_stack: false,
        };
        let dual = EndpointVariant {
            fips: false,
            dual_stack: true,
        };
        let both = EndpointVariant {
            fips: true,
            dual_stack: true,
        };
        assert_eq!(
            standard_url("bedrock-runtime", "us-east-1", fips),
            "https://bedrock-runtime-fips.us-east-1.amazonaws.com"
        );
        assert_eq!(
            standard_url("bedrock-runtime", "us-east-1", dual),
            "https://bedrock-runtime.us-east-1.api.aws"
        );
        assert_eq!(
            standard_url("bedrock", "us-east-1", both),
            "https://bedrock-fips.us-east-1.api.aws"
        );
    }
}
