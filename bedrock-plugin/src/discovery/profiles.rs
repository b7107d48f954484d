//! The *profile choice rule* of DISC-19a (also used by BR-03 with the request region): which
//! inference profile to send a profile-only base model id to.

use crate::models::prefixes::split_region_prefix;

/// One `InferenceProfileSummary`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawProfile {
    pub profile_id: String,
    pub profile_name: String,
    pub status: String,
    pub profile_type: String,
    pub model_arns: Vec<String>,
}

/// DISC-33: the base model id of a profile: ARN first, prefix fallback for SYSTEM_DEFINED.
pub fn profile_base_id(profile: &RawProfile) -> Option<String> {
    if let Some((_, base)) = profile
        .model_arns
        .first()
        .and_then(|arn| arn.split_once("foundation-model/"))
    {
        if !base.trim().is_empty() {
            return Some(base.trim().to_owned());
        }
    }
    if profile.profile_type.trim() == "SYSTEM_DEFINED" {
        return split_region_prefix(profile.profile_id.trim())
            .filter(|base| !base.is_empty())
            .map(str::to_owned);
    }
    None
}

/// A listed ACTIVE SYSTEM_DEFINED profile and the base model id it serves (DISC-33).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileCandidate {
    pub profile_id: String,
    pub base_model_id: String,
}

/// The candidates of the profile choice rule, in listing order. ListInferenceProfiles only
/// lists profiles usable from the calling region, so no region filtering happens here.
pub fn candidates(profiles: &[RawProfile]) -> Vec<ProfileCandidate> {
    profiles
        .iter()
        .filter(|profile| {
            profile.status == "ACTIVE"
                && profile.profile_type.trim() == "SYSTEM_DEFINED"
                && !profile.profile_id.trim().is_empty()
        })
        .filter_map(|profile| {
            Some(ProfileCandidate {
                profile_id: profile.profile_id.trim().to_owned(),
                base_model_id: profile_base_id(profile)?,
            })
        })
        .collect()
}

/// The geographic profile prefix of a region (DISC-19a), e.g. `ap-northeast-1` → `jp.`.
pub fn geography_prefix(region: &str) -> Option<&'static str> {
    let region = region.trim().to_ascii_lowercase();
    let prefix = if region.starts_with("us-gov-") {
        "us-gov."
    } else if region.starts_with("us-") {
        "us."
    } else if region.starts_with("eu-") {
        "eu."
    } else if matches!(region.as_str(), "ap-northeast-1" | "ap-northeast-3") {
        "jp."
    } else if matches!(region.as_str(), "ap-southeast-2" | "ap-southeast-4") {
        "au."
    } else if region.starts_with("ap-") || region.starts_with("me-") {
        "apac."
    } else if region.starts_with("ca-") {
        "ca."
    } else {
        return None;
    };
    Some(prefix)
}

/// DISC-19a profile choice rule: (1) with cross-region inference, a non-global candidate,
/// preferring the region's geography, else the first listed; (2) else the `global.` candidate
/// with global inference; (3) else none.
pub fn choose_profile(
    model_id: &str,
    region: &str,
    candidates: &[ProfileCandidate],
    use_cross_region_inference: bool,
    use_global_inference: bool,
) -> Option<String> {
    let model_id = model_id.trim();
    let matching: Vec<&ProfileCandidate> = candidates
        .iter()
        .filter(|candidate| candidate.base_model_id.eq_ignore_ascii_case(model_id))
        .collect();
    let is_global = |candidate: &&&ProfileCandidate| {
        candidate
            .profile_id
            .to_ascii_lowercase()
            .starts_with("global.")
    };
    if use_cross_region_inference {
        let regional: Vec<&&ProfileCandidate> = matching
            .iter()
            .filter(|candidate| !is_global(candidate))
            .collect();
        let geography = geography_prefix(region);
        let preferred = geography.and_then(|prefix| {
            regional.iter().find(|candidate| {
                candidate
                    .profile_id
                    .to_ascii_lowercase()
                    .starts_with(prefix)
            })
        });
        if let Some(choice) = preferred.or_else(|| regional.first()) {
            return Some(choice.profile_id.clone());
        }
    }
    if use_global_inference {
        if let Some(global) = matching.iter().find(|candidate| is_global(candidate)) {
            return Some(global.profile_id.clone());
        }
    }
    None
}

#[cfg(test)]
mod tests;
