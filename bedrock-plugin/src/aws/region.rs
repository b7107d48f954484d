//! Which region a call goes to (REG-*), and the partition facts derived from it.

use std::sync::OnceLock;

use regex::Regex;

use crate::env::EnvSnapshot;

/// The fallback at the end of every region order (REG-01 step 11, REG-10).
pub const FALLBACK_REGION: &str = "us-east-1";

/// A chosen region and the rule that chose it, for status and doctor (BR-30).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionChoice {
    pub region: String,
    pub source: &'static str,
}

impl RegionChoice {
    fn new(region: &str, source: &'static str) -> Self {
        Self {
            region: region.to_owned(),
            source,
        }
    }
}

fn base_url_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let suffixes = [
            r"amazonaws\.com",
            r"api\.aws",
            r"amazonaws\.com\.cn",
            r"api\.amazonwebservices\.com\.cn",
            r"amazonaws\.eu",
            r"api\.amazonwebservices\.eu",
            r"c2s\.ic\.gov",
            r"api\.aws\.ic\.gov",
            r"sc2s\.sgov\.gov",
            r"api\.aws\.scloud",
            r"cloud\.adc-e\.uk",
            r"api\.cloud-aws\.adc-e\.uk",
            r"csp\.hci\.ic\.gov",
            r"api\.aws\.hci\.ic\.gov",
        ]
        .join("|");
        Regex::new(&format!(
            r"(?i)^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.(?:{suffixes})$"
        ))
        .unwrap_or_else(|err| unreachable!("static regex: {err}"))
    })
}

fn arn_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"^arn:aws(?:-[a-z0-9-]+)?:bedrock:([a-z0-9-]+):")
            .unwrap_or_else(|err| unreachable!("static regex: {err}"))
    })
}

/// The host of an absolute URL (no userinfo, port or path), lower-cased.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        bracketed.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// REG-04: the region of a standard Bedrock runtime URL; `None` for custom hosts.
pub fn region_from_base_url(url: &str) -> Option<String> {
    let host = url_host(url)?;
    base_url_pattern()
        .captures(&host)
        .and_then(|captures| captures.get(1))
        .map(|region| region.as_str().to_owned())
}

/// Whether a baseUrl is a standard regional endpoint (only a region hint, EP-01).
pub fn is_standard_base_url(url: &str) -> bool {
    region_from_base_url(url).is_some()
}

/// REG-05: the region inside a Bedrock ARN; `None` for non-ARNs and empty region fields.
pub fn region_from_arn(model_id: &str) -> Option<String> {
    arn_pattern()
        .captures(model_id)
        .and_then(|captures| captures.get(1))
        .map(|region| region.as_str().to_owned())
}

/// REG-10: the DNS suffix of the region's partition.
pub fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("eusc-") {
        "amazonaws.eu"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-isof-") {
        "csp.hci.ic.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else if region.starts_with("eu-isoe-") {
        "cloud.adc-e.uk"
    } else {
        "amazonaws.com"
    }
}

/// The dual-stack DNS suffix of the region's partition (EP-03).
pub fn dual_stack_dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "api.amazonwebservices.com.cn"
    } else if region.starts_with("eusc-") {
        "api.amazonwebservices.eu"
    } else if region.starts_with("us-isob-") {
        "api.aws.scloud"
    } else if region.starts_with("us-isof-") {
        "api.aws.hci.ic.gov"
    } else if region.starts_with("us-iso-") {
        "api.aws.ic.gov"
    } else if region.starts_with("eu-isoe-") {
        "api.cloud-aws.adc-e.uk"
    } else {
        "api.aws"
    }
}

/// The implicit provider's baseUrl (REG-10, DISC-02).
pub fn standard_runtime_base_url(region: &str) -> String {
    format!("https://bedrock-runtime.{region}.{}", dns_suffix(region))
}

/// Everything REG-01 consults for a runtime call, most specific first.
#[derive(Clone, Debug, Default)]
pub struct RuntimeRegionInputs<'a> {
    pub request_region: Option<&'a str>,
    pub model_id: &'a str,
    pub model_base_url: Option<&'a str>,
    /// Provider baseUrls: the exact `amazon-bedrock` key first, then aliases (HCFG-12).
    pub provider_base_urls: Vec<&'a str>,
    pub aws_region: Option<&'a str>,
    pub discovery_region: Option<&'a str>,
    pub profile_region: Option<&'a str>,
}

/// REG-01: the runtime region.
pub fn runtime_region(inputs: &RuntimeRegionInputs<'_>, env: &EnvSnapshot) -> RegionChoice {
    let non_blank = |value: Option<&str>| {
        value
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    if let Some(region) = non_blank(inputs.request_region) {
        return RegionChoice::new(&region, "request region");
    }
    if let Some(region) = region_from_arn(inputs.model_id) {
        return RegionChoice::new(&region, "model ARN");
    }
    if let Some(region) = inputs.model_base_url.and_then(region_from_base_url) {
        return RegionChoice::new(&region, "model baseUrl");
    }
    for (position, url) in inputs.provider_base_urls.iter().enumerate() {
        if let Some(region) = region_from_base_url(url) {
            let source = if position == 0 {
                "provider baseUrl"
            } else {
                "alias provider baseUrl"
            };
            return RegionChoice::new(&region, source);
        }
    }
    shared_region_tail(
        inputs.aws_region,
        inputs.discovery_region,
        inputs.profile_region,
        env,
        false,
    )
}

/// REG-10: the control-plane (discovery) region.
pub fn control_plane_region(
    discovery_region: Option<&str>,
    aws_region: Option<&str>,
    profile_region: Option<&str>,
    env: &EnvSnapshot,
) -> RegionChoice {
    shared_region_tail(aws_region, discovery_region, profile_region, env, true)
}

fn shared_region_tail(
    aws_region: Option<&str>,
    discovery_region: Option<&str>,
    profile_region: Option<&str>,
    env: &EnvSnapshot,
    discovery_first: bool,
) -> RegionChoice {
    let non_blank = |value: Option<&str>| {
        value
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let config_order: [(Option<String>, &'static str); 2] = if discovery_first {
        [
            (non_blank(discovery_region), "discovery.region"),
            (non_blank(aws_region), "awsRegion"),
        ]
    } else {
        [
            (non_blank(aws_region), "awsRegion"),
            (non_blank(discovery_region), "discovery.region"),
        ]
    };
    for (region, source) in config_order {
        if let Some(region) = region {
            return RegionChoice::new(&region, source);
        }
    }
    if let Some(region) = env.get("AWS_REGION") {
        return RegionChoice::new(region, "AWS_REGION");
    }
    if let Some(region) = env.get("AWS_DEFAULT_REGION") {
        return RegionChoice::new(region, "AWS_DEFAULT_REGION");
    }
    if let Some(region) = non_blank(profile_region) {
        return RegionChoice::new(&region, "shared config profile");
    }
    RegionChoice::new(FALLBACK_REGION, "default")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
        EnvSnapshot::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn reg_04_region_from_standard_base_urls_only() {
        assert_eq!(
            region_from_base_url("https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com")
                .as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(
            region_from_base_url("https://bedrock-runtime.cn-north-1.amazonaws.com.cn").as_deref(),
            Some("cn-north-1")
        );
        assert_eq!(
            region_from_base_url("https://bedrock-runtime.us-east-1.api.aws").as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            region_from_base_url("https://vpce-0abc.bedrock-runtime.us-east-1.vpce.amazonaws.com"),
            None
        );
        assert_eq!(region_from_base_url("http://127.0.0.1:4566"), None);
    }

    #[test]
    fn reg_05_region_from_arns() {
        assert_eq!(
            region_from_arn("arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7")
                .as_deref(),
            Some("us-west-2")
        );
        assert_eq!(
            region_from_arn("arn:aws:bedrock:::foundation-model/anthropic.claude-opus-4-6-v1"),
            None
        );
        assert_eq!(region_from_arn("anthropic.claude-opus-4-6-v1"), None);
    }

    #[test]
    fn reg_01_order_follows_the_table() {
        let base = RuntimeRegionInputs {
            model_id: "anthropic.claude-sonnet-4-6",
            ..Default::default()
        };
        let with = |inputs: RuntimeRegionInputs<'_>, env_pairs: &[(&str, &str)]| {
            runtime_region(&inputs, &env(env_pairs)).region
        };
        assert_eq!(
            with(
                RuntimeRegionInputs {
                    request_region: Some("ap-northeast-1"),
                    aws_region: Some("eu-west-3"),
                    ..base.clone()
                },
                &[]
            ),
            "ap-northeast-1"
        );
        assert_eq!(
            with(
                RuntimeRegionInputs {
                    model_id: "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-opus-4-7",
                    provider_base_urls: vec!["https://bedrock-runtime.us-east-1.amazonaws.com"],
                    ..base.clone()
                },
                &[]
            ),
            "us-west-2"
        );
        assert_eq!(
            with(
                RuntimeRegionInputs {
                    model_base_url: Some("https://bedrock-runtime.eu-west-1.amazonaws.com"),
                    provider_base_urls: vec!["https://bedrock-runtime.eu-central-1.amazonaws.com"],
                    ..base.clone()
                },
                &[]
            ),
            "eu-west-1"
        );
        assert_eq!(
            with(
                RuntimeRegionInputs {
                    provider_base_urls: vec![
                        "https://bedrock-runtime.internal.example",
                        "https://bedrock-runtime.ca-central-1.amazonaws.com"
                    ],
                    ..base.clone()
                },
                &[]
            ),
            "ca-central-1"
        );
        assert_eq!(
            with(
                RuntimeRegionInputs {
                    aws_region: Some("eu-west-3"),
                    ..base.clone()
                },
                &[("AWS_REGION", "us-west-1")]
            ),
            "eu-west-3"
        );
        assert_eq!(
            with(
                RuntimeRegionInputs {
                    provider_base_urls: vec!["https://bedrock-runtime.internal.example"],
                    discovery_region: Some("eu-central-1"),
                    ..base.clone()
                },
                &[("AWS_REGION", "us-west-1")]
            ),
            "eu-central-1"
        );
        assert_eq!(
            with(
                base.clone(),
                &[("AWS_REGION", " "), ("AWS_DEFAULT_REGION", "eu-west-1")]
            ),
            "eu-west-1"
        );
        assert_eq!(
            with(
                RuntimeRegionInputs {
                    profile_region: Some("us-east-2"),
                    ..base.clone()
                },
                &[]
            ),
            "us-east-2"
        );
        assert_eq!(with(base, &[]), "us-east-1");
    }

    #[test]
    fn reg_10_control_plane_order_and_partition_suffixes() {
        let choice = control_plane_region(Some("eu-central-1"), Some("us-west-2"), None, &env(&[]));
        assert_eq!(
            choice,
            RegionChoice::new("eu-central-1", "discovery.region")
        );
        assert_eq!(
            control_plane_region(None, None, None, &env(&[])).region,
            "us-east-1"
        );
        assert_eq!(
            standard_runtime_base_url("us-east-1"),
            "https://bedrock-runtime.us-east-1.amazonaws.com"
        );
        assert_eq!(
            standard_runtime_base_url("cn-north-1"),
            "https://bedrock-runtime.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(
            standard_runtime_base_url("us-gov-west-1"),
            "https://bedrock-runtime.us-gov-west-1.amazonaws.com"
        );
        assert_eq!(
            standard_runtime_base_url("eusc-de-east-1"),
            "https://bedrock-runtime.eusc-de-east-1.amazonaws.eu"
        );
        assert_eq!(
            standard_runtime_base_url("us-isob-east-1"),
            "https://bedrock-runtime.us-isob-east-1.sc2s.sgov.gov"
        );
    }
}
