//! The context-aware risk score (docs/risk.md): a finding's CVSS vector
//! recomputed with the environmental and threat metrics the runtime
//! context and the exploit signals give, by FIRST's formulas (the `cvss`
//! crate: v3.x environmental score, v4.0 CVSS-BTE), then raised for known
//! exploitation. Every step that changes the vector, or that was checked
//! and changed nothing worth saying, is a reason, in order.

use std::str::FromStr;

use crate::{parse, CvssError, CvssVersion};

/// How far the processes that load a package are reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposure {
    /// A process listens on a public address, or public peers connect.
    Public,
    /// Listeners reachable from internal networks only.
    Internal,
    /// Listeners on loopback only.
    Loopback,
    /// No process loading it listens at all.
    NotListening,
}

/// What is known about where a vulnerable package runs; `None` is
/// "unknown", and unknown never lowers a score.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    /// The widest exposure of the processes that load the package.
    pub exposure: Option<Exposure>,
    /// The data stores those processes reach (empty: none).
    pub data_assets: Option<Vec<String>>,
    /// Whether any running process loads the package.
    pub loaded: Option<bool>,
    /// Whether the advisory's vulnerable functions are in the binary.
    pub code_present: Option<bool>,
    /// Listed in the catalogue of known exploited vulnerabilities.
    pub kev: bool,
    /// The EPSS probability of exploitation in the next 30 days (0–1).
    pub epss: Option<f64>,
}

/// A scored finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    /// The risk score, 0.0–10.0, one decimal.
    pub score: f64,
    /// The CVSS base score it started from.
    pub base: f64,
    /// The vector scored: the base vector with the metrics the context
    /// added.
    pub vector: String,
    /// Why the score moved (or did not), in the order applied.
    pub reasons: Vec<String>,
}

impl Risk {
    /// `9.8 → 6.1: reason; reason`.
    pub fn explain(&self) -> String {
        format!(
            "{:.1} → {:.1}: {}",
            self.base,
            self.score,
            self.reasons.join("; ")
        )
    }
}

/// What KEV listing adds after the recomputation (never above 10.0).
pub const KEV_BONUS: f64 = 1.0;
/// What an EPSS probability of at least [`EPSS_HIGH`] adds.
pub const EPSS_BONUS: f64 = 0.5;
/// An EPSS probability counted as high.
pub const EPSS_HIGH: f64 = 0.1;
/// An EPSS probability below which exploitation is counted unreported.
pub const EPSS_LOW: f64 = 0.01;

fn rank_av(v: &str) -> u8 {
    match v {
        "N" => 3,
        "A" => 2,
        "L" => 1,
        _ => 0,
    }
}

/// A base metric's value in a vector (`AV` → `N`).
fn metric<'a>(vector: &'a str, name: &str) -> Option<&'a str> {
    vector
        .split('/')
        .filter_map(|c| c.split_once(':'))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Scores a finding's CVSS vector in its context.
///
/// # Errors
///
/// The vector is not a valid CVSS vector ([`parse`]'s errors).
pub fn score(vector: &str, ctx: &Context) -> Result<Risk, CvssError> {
    let base = parse(vector)?;
    let mut reasons = Vec::new();
    let v4 = base.version == CvssVersion::V4_0;
    // Only the base metrics of the given vector: the context decides the
    // rest.
    let mut scored = crate::score::base_vector_of(&base)?;
    let add = |m: &str, v: &str, scored: &mut String| {
        scored.push('/');
        scored.push_str(m);
        scored.push(':');
        scored.push_str(v);
    };
    if base.version == CvssVersion::V2 {
        reasons.push("CVSS v2: no environmental recomputation".to_string());
        return Ok(finish(
            base.base_score,
            base.base_score,
            scored,
            reasons,
            ctx,
        ));
    }
    let av = metric(&scored, "AV").unwrap_or("N").to_string();
    // The vulnerable code is not in the binary: lowered most (it cannot be
    // reached from the network, and only with extra conditions).
    if ctx.code_present == Some(false) {
        add("MAV", "P", &mut scored);
        add(
            if v4 { "MAT" } else { "MAC" },
            if v4 { "P" } else { "H" },
            &mut scored,
        );
        reasons.push("vulnerable code not in the binary".to_string());
    } else {
        if ctx.code_present == Some(true) {
            reasons.push("vulnerable function present".to_string());
        }
        let lowered = match ctx.exposure {
            Some(Exposure::Internal) => Some(("A", "reachable from internal networks only")),
            Some(Exposure::Loopback) => Some(("L", "listens on loopback only")),
            Some(Exposure::NotListening) => Some(("L", "no process loading it listens")),
            Some(Exposure::Public) => {
                reasons.push("exposed: listens on a public address".to_string());
                None
            }
            None => None,
        };
        if let Some((to, why)) = lowered {
            if rank_av(to) < rank_av(&av) {
                add("MAV", to, &mut scored);
                reasons.push(why.to_string());
            }
        }
        if ctx.loaded == Some(false) {
            add(
                if v4 { "MAT" } else { "MAC" },
                if v4 { "P" } else { "H" },
                &mut scored,
            );
            reasons.push("not loaded by any running process".to_string());
        }
    }
    match &ctx.data_assets {
        Some(assets) if assets.is_empty() => {
            add("CR", "L", &mut scored);
            add("IR", "L", &mut scored);
            reasons.push("no data store reachable".to_string());
        }
        Some(assets) => {
            add("CR", "H", &mut scored);
            add("IR", "H", &mut scored);
            reasons.push(format!("reaches {}", assets.join(", ")));
        }
        None => {}
    }
    // Exploit maturity from the signals; none known changes nothing.
    let maturity = if ctx.kev {
        Some((if v4 { "A" } else { "H" }, None))
    } else {
        match ctx.epss {
            Some(p) if p >= EPSS_HIGH => Some((if v4 { "A" } else { "H" }, Some(p))),
            Some(p) if p >= EPSS_LOW => Some((if v4 { "P" } else { "F" }, Some(p))),
            Some(p) => Some(("U", Some(p))),
            None => None,
        }
    };
    if let Some((e, p)) = maturity {
        add("E", e, &mut scored);
        if let Some(p) = p {
            reasons.push(format!("EPSS {:.1} %", p * 100.0));
        }
    }
    let environmental = if v4 {
        cvss::v4::Vector::from_str(&scored)
            .map_err(|e| unscorable(vector, base.version, e))?
            .score()
            .value()
    } else {
        cvss::v3::Vector::from_str(&scored)
            .map_err(|e| unscorable(vector, base.version, e))?
            .environmental_score()
            .value()
    };
    Ok(finish(base.base_score, environmental, scored, reasons, ctx))
}

/// The context a finding carries: its runtime (`vigil scan host`), the
/// presence of its vulnerable code, its KEV listing, its EPSS probability.
/// A finding without runtime data has unknown exposure, data reach and
/// loading.
pub fn context_of(f: &vigil_model::Finding) -> Context {
    context_from(
        f.runtime.as_ref(),
        f.vulnerable_code.as_ref(),
        f.kev,
        f.epss.as_ref(),
    )
}

/// The context of a finding's parts (the server reads them from a stored
/// finding's JSON): see [`context_of`].
pub fn context_from(
    runtime: Option<&vigil_model::Runtime>,
    vulnerable_code: Option<&vigil_model::VulnerableCode>,
    kev: bool,
    epss: Option<&vigil_model::Epss>,
) -> Context {
    Context {
        exposure: runtime.map(|r| match r.exposure.as_deref() {
            Some("public") => Exposure::Public,
            Some("internal") => Exposure::Internal,
            Some("loopback") => Exposure::Loopback,
            _ => Exposure::NotListening,
        }),
        data_assets: runtime.map(|r| r.data_assets.clone()),
        loaded: runtime.map(|r| !r.installed_only),
        code_present: vulnerable_code
            .map(|v| v.status == vigil_model::VulnerableCodeStatus::Present),
        kev,
        epss: epss
            .map(|e| e.probability)
            .filter(|p| (0.0..=1.0).contains(p)),
    }
}

/// Gives a vulnerability finding with a CVSS vector its risk score (and
/// leaves other findings alone). A vector the scorer refuses leaves the
/// finding without one.
pub fn annotate(f: &mut vigil_model::Finding) {
    if f.kind != vigil_model::FindingKind::Vulnerability || f.informational.is_some() {
        return;
    }
    let Some(cvss) = &f.cvss else { return };
    // A vector that gave a severity always scores; should one not, the
    // finding keeps its CVSS base score alone.
    if let Ok(r) = score(&cvss.vector, &context_of(f)) {
        f.risk = Some(vigil_model::Risk {
            score: r.score,
            reasons: r.reasons,
            vector: r.vector,
        });
    }
}

fn unscorable(vector: &str, version: CvssVersion, reason: cvss::Error) -> CvssError {
    CvssError::Unscorable {
        vector: vector.to_owned(),
        version,
        reason: reason.to_string(),
    }
}

fn finish(
    base: f64,
    mut score: f64,
    vector: String,
    mut reasons: Vec<String>,
    ctx: &Context,
) -> Risk {
    if ctx.kev {
        score = (score + KEV_BONUS).min(10.0);
        reasons.push(format!("known exploited (KEV): +{KEV_BONUS:.1}"));
    } else {
        if ctx.epss.is_some_and(|p| p >= EPSS_HIGH) {
            score = (score + EPSS_BONUS).min(10.0);
            reasons.push(format!("high EPSS: +{EPSS_BONUS:.1}"));
        }
        reasons.push("not in KEV".to_string());
    }
    Risk {
        score: (score * 10.0).round() / 10.0,
        base,
        vector,
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRIT: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

    fn ctx() -> Context {
        Context::default()
    }

    #[test]
    fn without_context_the_score_is_the_base_score() {
        let r = score(CRIT, &ctx()).expect("scores");
        assert_eq!(r.base, 9.8);
        assert_eq!(r.score, 9.8);
        assert_eq!(r.reasons, ["not in KEV"]);
        assert_eq!(r.vector, CRIT);
    }

    #[test]
    fn loopback_and_no_data_lower_by_the_environmental_formula() {
        let c = Context {
            exposure: Some(Exposure::Loopback),
            data_assets: Some(Vec::new()),
            loaded: Some(true),
            ..ctx()
        };
        let r = score(CRIT, &c).expect("scores");
        assert_eq!(r.vector, format!("{CRIT}/MAV:L/CR:L/IR:L"));
        // FIRST's v3.1 environmental equations: MISS = min(1 - (1-0.5*0.56)
        // (1-0.5*0.56)(1-1*0.56), 0.915) = 0.7720, impact 6.42*0.7720 =
        // 4.956; exploitability 8.22*0.55*0.77*0.85*0.85 = 2.5154;
        // Roundup(7.47) = 7.5.
        assert_eq!(r.score, 7.5);
        assert_eq!(
            r.explain(),
            "9.8 → 7.5: listens on loopback only; no data store reachable; not in KEV"
        );
    }

    #[test]
    fn absent_code_lowers_most_and_never_below_what_the_formula_gives() {
        let absent = score(
            CRIT,
            &Context {
                code_present: Some(false),
                ..ctx()
            },
        )
        .expect("scores");
        let loopback = score(
            CRIT,
            &Context {
                exposure: Some(Exposure::Loopback),
                ..ctx()
            },
        )
        .expect("scores");
        let unloaded = score(
            CRIT,
            &Context {
                loaded: Some(false),
                ..ctx()
            },
        )
        .expect("scores");
        assert!(absent.score < loopback.score && absent.score < unloaded.score);
        assert!(absent.score > 0.0);
        assert_eq!(absent.vector, format!("{CRIT}/MAV:P/MAC:H"));
    }

    #[test]
    fn exposure_never_raises_a_local_vector() {
        let local = "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H";
        let r = score(
            local,
            &Context {
                exposure: Some(Exposure::Internal),
                ..ctx()
            },
        )
        .expect("scores");
        assert_eq!(r.vector, local);
        assert_eq!(r.score, 7.8);
    }

    #[test]
    fn kev_and_epss_raise_and_low_epss_lowers() {
        let high = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
        let kev = score(high, &Context { kev: true, ..ctx() }).expect("scores");
        assert_eq!((kev.base, kev.score), (7.5, 8.5));
        assert_eq!(kev.reasons, ["known exploited (KEV): +1.0"]);
        let low = score(
            high,
            &Context {
                epss: Some(0.002),
                ..ctx()
            },
        )
        .expect("scores");
        // E:U: 7.5 * 0.91 = 6.825 → Roundup 6.9.
        assert_eq!(low.score, 6.9);
        assert_eq!(low.reasons, ["EPSS 0.2 %", "not in KEV"]);
        let hot = score(
            high,
            &Context {
                epss: Some(0.6),
                ..ctx()
            },
        )
        .expect("scores");
        assert_eq!(hot.score, 8.0);
    }

    #[test]
    fn v4_vectors_use_the_v4_formula_with_modified_metrics() {
        let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        let base = score(v4, &ctx()).expect("scores");
        assert_eq!(base.score, 9.3);
        let r = score(
            v4,
            &Context {
                exposure: Some(Exposure::Loopback),
                data_assets: Some(Vec::new()),
                ..ctx()
            },
        )
        .expect("scores");
        assert_eq!(r.vector, format!("{v4}/MAV:L/CR:L/IR:L"));
        assert!(r.score < 9.3, "{}", r.score);
    }

    #[test]
    fn a_findings_runtime_becomes_its_context() {
        let mut f = vigil_model::Finding {
            kind: vigil_model::FindingKind::Vulnerability,
            id: "GHSA-test".into(),
            aliases: Vec::new(),
            title: String::new(),
            message: None,
            severity: vigil_model::Severity::Critical,
            cvss: Some(vigil_model::Cvss {
                version: "3.1".into(),
                vector: CRIT.into(),
                score: 9.8,
            }),
            package: None,
            resource: None,
            location: vigil_model::Location::new("x", None),
            fixed_versions: Vec::new(),
            fix_available: false,
            kev: false,
            informational: None,
            fingerprint: vigil_model::Fingerprint(String::new()),
            published: None,
            suppression: None,
            help: None,
            secret: None,
            runtime: Some(vigil_model::Runtime {
                processes: Vec::new(),
                containers: Vec::new(),
                installed_only: false,
                exposure: Some("loopback".into()),
                data_assets: Vec::new(),
            }),
            vulnerable_code: None,
            epss: None,
            risk: None,
        };
        annotate(&mut f);
        let risk = f.risk.clone().expect("scored");
        assert_eq!(risk.score, 7.5);
        assert_eq!(
            risk.reasons,
            [
                "listens on loopback only",
                "no data store reachable",
                "not in KEV"
            ]
        );
        // Without runtime data: the base score, only exploit signals.
        f.runtime = None;
        f.kev = true;
        annotate(&mut f);
        assert_eq!(f.risk.clone().expect("scored").score, 10.0);
        // The finding's EPSS probability is an exploit signal too.
        f.kev = false;
        f.epss = Some(vigil_model::Epss {
            probability: 0.002,
            percentile: 0.4,
            date: None,
        });
        annotate(&mut f);
        let risk = f.risk.expect("scored");
        assert_eq!(risk.reasons, ["EPSS 0.2 %", "not in KEV"]);
        assert_eq!(risk.vector, format!("{CRIT}/E:U"));
    }

    #[test]
    fn v2_keeps_its_base_score() {
        let r = score(
            "AV:N/AC:L/Au:N/C:P/I:P/A:P",
            &Context {
                exposure: Some(Exposure::Loopback),
                ..ctx()
            },
        )
        .expect("scores");
        assert_eq!(r.score, 7.5);
        assert_eq!(r.reasons[0], "CVSS v2: no environmental recomputation");
    }
}
