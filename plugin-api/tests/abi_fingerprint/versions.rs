//! Which version bump a layout change needs, and whether plugin-api's version and CHANGELOG
//! have it.
//!
//! abi_stable loads a library whose interface version is "loosely compatible" with the
//! host's: the same major, and for `0.x` the same minor. An ADDITIVE change keeps older hosts
//! loading newer plugins, so it needs only a newer version in the same range (a patch bump:
//! 0.2.0 → 0.2.1); a BREAKING change must leave the range (a minor bump for `0.x`: 0.2.0 →
//! 0.3.0), or abi_stable would try to load, and refuse, plugins of both layouts under one
//! version range. Every newer version gets a `## [<version>]` section in `CHANGELOG.md`.

use super::classify::Verdict;

/// `major.minor.patch`, ignoring a pre-release or build suffix.
fn parse(version: &str) -> Option<(u64, u64, u64)> {
    let core = version.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let parsed = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(parsed)
}

/// abi_stable's notion of compatible versions: same major, and for 0.x the same minor.
pub fn loosely_compatible(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Some((0, a_minor, _)), Some((0, b_minor, _))) => a_minor == b_minor,
        (Some((a_major, ..)), Some((b_major, ..))) => a_major == b_major,
        _ => false,
    }
}

/// The smallest bump a verdict needs, as words for messages.
pub fn needed_bump(recorded: &str, verdict: Verdict) -> String {
    let Some((major, minor, patch)) = parse(recorded) else {
        return format!("a version newer than `{recorded}`");
    };
    match verdict {
        Verdict::Identical => "no version bump".to_owned(),
        Verdict::Additive => format!(
            "a patch bump ({recorded} → {major}.{minor}.{}; a larger bump is allowed but not \
             needed)",
            patch + 1
        ),
        Verdict::Breaking if major == 0 => {
            format!("a minor bump ({recorded} → 0.{}.0)", minor + 1)
        }
        Verdict::Breaking => format!("a major bump ({recorded} → {}.0.0)", major + 1),
    }
}

/// Whether `current` is bumped enough over `recorded` for `verdict`; the error says why not.
pub fn check_bump(recorded: &str, current: &str, verdict: Verdict) -> Result<(), String> {
    let (Some(was), Some(now)) = (parse(recorded), parse(current)) else {
        return Err(format!(
            "cannot compare versions `{recorded}` and `{current}` (expected major.minor.patch)"
        ));
    };
    if now < was {
        return Err(format!(
            "plugin-api's version {current} is older than the recorded {recorded}"
        ));
    }
    let needed = needed_bump(recorded, verdict);
    match verdict {
        Verdict::Identical => Ok(()),
        Verdict::Additive if now == was => Err(format!(
            "an additive layout change needs {needed}, but plugin-api is still {current}"
        )),
        Verdict::Additive => Ok(()),
        Verdict::Breaking if loosely_compatible(recorded, current) => Err(format!(
            "a breaking layout change needs {needed}, but plugin-api {current} is in the same \
             compatible range as {recorded}, so abi_stable would take libraries of both layouts \
             for compatible"
        )),
        Verdict::Breaking => Ok(()),
    }
}

/// Whether `changelog` has a section for `version` (a line starting `## [<version>]`).
pub fn changelog_has_section(changelog: &str, version: &str) -> bool {
    let heading = format!("## [{version}]");
    changelog.lines().any(|line| line.starts_with(&heading))
}

/// What keeps `current` from being recorded over `recorded` for `verdict`: the version bump
/// and, for a new version, its CHANGELOG section.
pub fn problems(recorded: &str, current: &str, verdict: Verdict, changelog: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(why) = check_bump(recorded, current, verdict) {
        problems.push(why);
    }
    if current != recorded && !changelog_has_section(changelog, current) {
        problems.push(format!(
            "plugin-api/CHANGELOG.md has no `## [{current}]` section"
        ));
    }
    problems
}
