//! `doctor` (BR-30..32): what the instance would call with and whether Bedrock lets it.
//!
//! The report has three parts, one `<check>: <result>` line each (PLG-70), never a secret:
//! - the decisions: auth mode, credential source (AUTH-30), the SDK provider that supplied the
//!   credentials, their expiry when known, the access key id's last 4 characters (PLG-13),
//!   regions and endpoints with the rule that chose them and their custom/FIPS/dual-stack/proxy
//!   flags, discovery state, and model access (BR-84);
//! - the permission probes ([`probes`]), sent concurrently, each `ok` / `denied` / `error: …`
//!   (and `unsupported` / `skipped (…)`) under its IAM action; the actions to grant close it;
//! - `credentials`, which is `ok` only when Bedrock accepted the credentials (PLG-71).
//!
//! `healthy` (the exit status) follows BR-32: credentials resolve and are accepted, and the
//! `bedrock:InvokeModelWithResponseStream` probe is not denied. The probes also travel as JSON
//! in the `doctor.probes` extension for hosts that render them.

pub mod facts;
pub mod probes;

#[cfg(test)]
mod tests;

use abi_stable::std_types::{ROption, RVec};
use plugin_api::error::PluginError;
use plugin_api::ext::{keys, ExtValue};
use plugin_api::status::{DoctorReport, StatusLine};

use crate::app_profiles;
use crate::aws::auth::{self, CredentialPlan};
use crate::aws::target::{CallContext, CallTarget, RuntimeRequest};
use crate::discovery::{self, DiscoveryState};
use crate::log_bridge::access_key_id_hint;
use facts::{Outcome, Probe};

/// The ConverseStream probe's action: the one whose denial fails the doctor (BR-32).
pub const STREAM_ACTION: &str = "bedrock:InvokeModelWithResponseStream";

/// The report's lines and verdict, before they become a [`DoctorReport`].
#[derive(Debug, Default)]
pub struct Findings {
    pub lines: Vec<(String, String)>,
    pub probes: Vec<Probe>,
    pub healthy: bool,
}

impl Findings {
    fn push(&mut self, check: &str, result: impl Into<String>) {
        self.lines.push((check.to_owned(), result.into()));
    }

    /// The ABI form: the lines, the verdict and the `doctor.probes` extension.
    pub fn into_report(self) -> DoctorReport {
        let mut extensions = plugin_api::ext::Extensions::new();
        let probes = serde_json::Value::Array(self.probes.iter().map(Probe::json).collect());
        extensions.set(
            keys::DOCTOR_PROBES,
            ExtValue::Json(probes.to_string().into()),
        );
        DoctorReport {
            checks: RVec::from(
                self.lines
                    .into_iter()
                    .map(|(key, value)| StatusLine {
                        key: key.into(),
                        value: value.into(),
                    })
                    .collect::<Vec<_>>(),
            ),
            healthy: self.healthy,
            extensions,
        }
    }
}

/// What the probes are sent for, from the settings: the first configured model, the first
/// configured application profile, the Bedrock memory search, the guardrail.
pub fn plan(call: &CallContext) -> probes::Plan {
    let settings = &call.settings;
    let models = settings.host.explicit_models();
    let model = models.first().map(|model| {
        (
            model.id.to_string(),
            model
                .base_url
                .as_ref()
                .into_option()
                .map(|url| url.to_string()),
        )
    });
    let app_profile = models
        .iter()
        .map(|model| model.id.as_str())
        .find(|id| app_profiles::is_application_profile_arn(id))
        .map(str::to_owned);
    let guardrail = settings
        .config
        .guardrail
        .as_ref()
        .filter(|g| {
            !g.guardrail_identifier.trim().is_empty() && !g.guardrail_version.trim().is_empty()
        })
        .map(|g| {
            (
                g.guardrail_identifier.trim().to_owned(),
                g.guardrail_version.trim().to_owned(),
            )
        });
    probes::Plan {
        model,
        app_profile,
        embedding: settings.host.memory_search.clone(),
        guardrail,
    }
}

/// The doctor report for one instance's current settings (BR-30..32).
pub async fn report(
    call: &CallContext,
    discovery_state: &DiscoveryState,
) -> Result<DoctorReport, PluginError> {
    Ok(findings(call, discovery_state).await.into_report())
}

/// [`report`] before its ABI conversion.
pub async fn findings(call: &CallContext, discovery_state: &DiscoveryState) -> Findings {
    let mut found = Findings::default();
    let settings = &call.settings;
    let config = &settings.config;
    found.push(
        "auth mode",
        auth::effective_mode(config, &call.env).as_str(),
    );
    let status = discovery::status(call, discovery_state);
    found.push("credential source", status.credential_source.to_string());
    let plan = plan(call);
    let (model_id, model_base_url) = match &plan.model {
        Some((id, url)) => (id.as_str(), url.as_deref()),
        None => ("", None),
    };
    let runtime = call
        .runtime_target(RuntimeRequest {
            model_id,
            model_base_url,
            ..RuntimeRequest::default()
        })
        .await;
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => {
            // Nothing can be sent without credentials, and no provider supplied any.
            found.push("credentials", format!("error: {}", error.message));
            discovery_lines(&mut found, call, &status);
            found.healthy = false;
            return found;
        }
    };
    credential_lines(&mut found, &runtime);
    let control = call.control_target().await;
    region_and_endpoint_lines(&mut found, &runtime, control.as_ref().ok());
    discovery_lines(&mut found, call, &status);
    // BR-84: the last discovery run's model access, and that of the model the probes use.
    found.push("model access", discovery_state.access_summary());
    if !model_id.is_empty() {
        found.push(
            "probe model access",
            format!("{model_id}: {}", discovery_state.model_access(model_id)),
        );
    }
    let probes = probes::run(call, &runtime, &control, &plan).await;
    let rejected = probes
        .iter()
        .find(|probe| probe.rejected_credentials)
        .map(|probe| probe.outcome.clone());
    for probe in &probes {
        found.push(&probe.check(), probe.outcome.result_text());
    }
    let denied: Vec<&str> = probes
        .iter()
        .filter(|probe| matches!(probe.outcome, Outcome::Denied(_)))
        .map(|probe| probe.action)
        .collect();
    if !denied.is_empty() {
        found.push("permissions to grant", denied.join(", "));
    }
    match &rejected {
        Some(Outcome::Error(message)) => found.push(
            "credentials",
            format!("error: rejected by Amazon Bedrock: {message}"),
        ),
        _ => found.push("credentials", "ok"),
    }
    let stream_denied = probes
        .iter()
        .any(|probe| probe.action == STREAM_ACTION && matches!(probe.outcome, Outcome::Denied(_)));
    found.healthy = rejected.is_none() && !stream_denied;
    found.probes = probes;
    found
}

fn credential_lines(found: &mut Findings, runtime: &CallTarget) {
    let credentials = runtime.spec.credentials.as_ref();
    found.push(
        "credential provider",
        facts::sdk_provider(&runtime.auth.plan, &runtime.auth.source, credentials),
    );
    let sigv4 = !matches!(
        runtime.auth.plan,
        CredentialPlan::Bearer(_) | CredentialPlan::SkipAuth
    );
    if let Some(credentials) = credentials.filter(|_| sigv4) {
        found.push(
            "access key id",
            access_key_id_hint(credentials.access_key_id()),
        );
        if let Some(expiry) = credentials.expiry() {
            found.push("credential expiry", facts::expiry_text(expiry));
        }
    }
}

fn region_and_endpoint_lines(
    found: &mut Findings,
    runtime: &CallTarget,
    control: Option<&CallTarget>,
) {
    found.push(
        "runtime region",
        format!("{} ({})", runtime.region.region, runtime.region.source),
    );
    found.push(
        "runtime endpoint",
        facts::endpoint_text(&runtime.endpoint, runtime.spec.variant, &runtime.spec.http),
    );
    if let Some(control) = control {
        found.push(
            "control-plane region",
            format!("{} ({})", control.region.region, control.region.source),
        );
        found.push(
            "control-plane endpoint",
            facts::endpoint_text(&control.endpoint, control.spec.variant, &control.spec.http),
        );
    }
}

fn discovery_lines(
    found: &mut Findings,
    call: &CallContext,
    status: &plugin_api::status::PluginStatus,
) {
    found.push(
        "discovery",
        facts::discovery_text(
            call.settings.config.discovery_enabled(),
            status.discovery_enabled,
            &status.discovery_reason,
        ),
    );
    let count = status.model_count.into_option();
    found.push(
        "discovery last run",
        facts::last_run_text(status.catalog_age_ms.into_option(), count),
    );
    found.push(
        "discovery last error",
        match &status.last_error {
            ROption::RSome(error) => format!("{}: {}", error.operation, error.message),
            ROption::RNone => "none".to_owned(),
        },
    );
}
