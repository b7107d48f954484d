//! Which region a call goes to (REG-*), and the partition facts derived from it.

use std::sync::LazyLock;

use regex_lite::Regex;

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

    /// REG-11: the region a GetInferenceProfile lookup runs in (the ARN's, else the runtime
    /// region), decided by the caller.
    pub fn application_profile(region: &str) -> Self {
        Self::new(region.trim(), "application profile lookup")
    }
}

/// Standard `bedrock-runtime` hosts of every partition (REG-02): the region is captured.
static BASE_URL_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    let suffixes = PARTITIONS
        .iter()
        .flat_map(|(_, suffix, dual_stack)| [suffix, dual_stack])
        .map(|suffix| regex_lite::escape(suffix))
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&format!(
        r"(?i)^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.(?:{suffixes})$"
    ))
    .expect("constant pattern compiles")
});

/// A Bedrock ARN of any partition: the region is captured.
static ARN_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^arn:aws(?:-[a-z0-9-]+)?:bedrock:([a-z0-9-]+):")
        .expect("constant pattern compiles")
});

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
    BASE_URL_PATTERN
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
    ARN_PATTERN
        .captures(model_id)
        .and_then(|captures| captures.get(1))
        .map(|region| region.as_str().to_owned())
}

/// The partitions by region-name prefix, most specific first (`us-isob-` before `us-iso-`):
/// (prefix, DNS suffix, dual-stack DNS suffix). The last row, with the empty prefix, is the
/// commercial partition every other region belongs to.
const PARTITIONS: [(&str, &str, &str); 7] = [
    ("cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn"),
    ("eusc-", "amazonaws.eu", "api.amazonwebservices.eu"),
    ("us-isob-", "sc2s.sgov.gov", "api.aws.scloud"),
    ("us-isof-", "csp.hci.ic.gov", "api.aws.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov", "api.aws.ic.gov"),
    ("eu-isoe-", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"),
    ("", "amazonaws.com", "api.aws"),
];

fn partition(region: &str) -> &'static (&'static str, &'static str, &'static str) {
    PARTITIONS
        .iter()
        .find(|(prefix, _, _)| region.starts_with(prefix))
        .unwrap_or(&PARTITIONS[PARTITIONS.len() - 1])
}

/// REG-10: the DNS suffix of the region's partition.
pub fn dns_suffix(region: &str) -> &'static str {
    partition(region).1
}

/// The dual-stack DNS suffix of the region's partition (EP-03).
pub fn dual_stack_dns_suffix(region: &str) -> &'static str {
    partition(region).2
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
mod tests;
