//! `doctor`: resolves the control-plane call target (auth, credentials, region, endpoint)
//! and reports each decision as a check line, without calling Bedrock.

use abi_stable::std_types::RVec;
use plugin_api::error::PluginError;
use plugin_api::status::{DoctorReport, StatusLine};

use crate::aws::target::CallContext;

/// The doctor report for one instance's current settings.
pub async fn report(call: &CallContext) -> Result<DoctorReport, PluginError> {
    let mut checks = Vec::new();
    let mut healthy = true;
    let line = |key: &str, value: String| StatusLine {
        key: key.into(),
        value: value.into(),
    };
    match call.control_target().await {
        Ok(target) => {
            checks.push(line("auth mode", target.auth.mode.as_str().to_owned()));
            checks.push(line("credential source", target.auth.source.clone()));
            checks.push(line("credentials", "ok".to_owned()));
            checks.push(line(
                "control-plane region",
                format!("{} ({})", target.region.region, target.region.source),
            ));
            checks.push(line("control-plane endpoint", target.endpoint.url.clone()));
        }
        Err(error) => {
            healthy = false;
            checks.push(line("credentials", format!("error: {}", error.message)));
        }
    }
    Ok(DoctorReport {
        checks: RVec::from(checks),
        healthy,
        extensions: Default::default(),
    })
}
