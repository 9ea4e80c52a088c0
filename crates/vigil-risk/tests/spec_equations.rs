//! Every CVSS v2.0, v3.0 and v3.1 base vector scores what the
//! specifications' equations give, computed here independently of the
//! scoring library; and every v4.0 base vector scores without fault.
//!
//! The v2.0 equations and the v3.x equations without a scope change use
//! only products of decimal constants, so they are computed here in exact
//! integer arithmetic. The scope-changed v3.x impact has a 15th power, so
//! it is computed in `f64` exactly as the specification's pseudo-code
//! writes it, rounding with v3.1's floating-point-safe `Roundup` or
//! v3.0's plain round-up to one decimal.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use vigil_risk::{parse, CvssVersion};

/// Every combination of the given metrics' values, as `NAME:VALUE` lists.
fn all_vectors(
    metrics: &[(&'static str, &[&'static str])],
) -> Vec<Vec<(&'static str, &'static str)>> {
    let mut out = vec![Vec::new()];
    for (name, values) in metrics {
        let mut next = Vec::with_capacity(out.len() * values.len());
        for prefix in &out {
            for value in *values {
                let mut v = prefix.clone();
                v.push((*name, *value));
                next.push(v);
            }
        }
        out = next;
    }
    out
}

fn join(prefix: &str, metrics: &[(&str, &str)]) -> String {
    let body: Vec<String> = metrics.iter().map(|(n, v)| format!("{n}:{v}")).collect();
    format!("{prefix}{}", body.join("/"))
}

fn value_of<'a>(metrics: &[(&str, &'a str)], name: &str) -> &'a str {
    metrics
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Rounds a non-negative exact value `n / scale` half up to one decimal,
/// returned in tenths.
fn round_half_up_tenths(n: i128, scale: i128) -> i128 {
    (n * 10 + scale / 2).div_euclid(scale)
}

/// Rounds a non-negative exact value `n / scale` up to one decimal,
/// returned in tenths.
fn round_up_tenths(n: i128, scale: i128) -> i128 {
    (n * 10 + scale - 1).div_euclid(scale)
}

/// CVSS v2.0 guide, section 3.2.1, in exact arithmetic. Returns tenths.
fn v2_base_tenths(m: &[(&str, &str)]) -> i128 {
    // Constants in thousandths.
    let av = match value_of(m, "AV") {
        "L" => 395,
        "A" => 646,
        _ => 1000,
    };
    let ac = match value_of(m, "AC") {
        "H" => 350,
        "M" => 610,
        _ => 710,
    };
    let au = match value_of(m, "Au") {
        "M" => 450,
        "S" => 560,
        _ => 704,
    };
    let cia = |name| match value_of(m, name) {
        "N" => 0,
        "P" => 275,
        _ => 660,
    };
    // 1 - (1-C)(1-I)(1-A), scale 1e9.
    let untouched = (1000 - cia("C")) * (1000 - cia("I")) * (1000 - cia("A"));
    let spread = 1_000_000_000 - untouched;
    // Impact = 10.41 * spread: scale 1e11.
    let impact = 1041 * spread;
    // Exploitability = 20 * AV * AC * Au: scale 1e9.
    let exploitability = 20 * av * ac * au;
    if impact == 0 {
        return 0;
    }
    // (0.6 * Impact + 0.4 * Exploitability - 1.5) at scale 1e12.
    let inner = 6 * impact + 4 * exploitability * 100 - 1_500_000_000_000;
    // times f(Impact) = 1.176: scale 1e15.
    let base = inner * 1176;
    if base <= 0 {
        return 0;
    }
    round_half_up_tenths(base, 1_000_000_000_000_000)
}

/// CVSS v3.x constants in hundredths.
fn v3_weights(m: &[(&str, &str)]) -> (i128, i128, i128, i128, [i128; 3], bool) {
    let changed = value_of(m, "S") == "C";
    let av = match value_of(m, "AV") {
        "N" => 85,
        "A" => 62,
        "L" => 55,
        _ => 20,
    };
    let ac = if value_of(m, "AC") == "L" { 77 } else { 44 };
    let pr = match (value_of(m, "PR"), changed) {
        ("N", _) => 85,
        ("L", false) => 62,
        ("L", true) => 68,
        (_, false) => 27,
        (_, true) => 50,
    };
    let ui = if value_of(m, "UI") == "N" { 85 } else { 62 };
    let cia = |name| match value_of(m, name) {
        "H" => 56,
        "L" => 22,
        _ => 0,
    };
    (av, ac, pr, ui, [cia("C"), cia("I"), cia("A")], changed)
}

/// CVSS v3.1 specification, Appendix A: `Roundup`.
fn roundup_v31(input: f64) -> f64 {
    let int_input = (input * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) as f64 + 1.0) / 10.0
    }
}

/// CVSS v3.0 specification, section 8.1: round up to one decimal.
fn roundup_v30(input: f64) -> f64 {
    (input * 10.0).ceil() / 10.0
}

/// The CVSS v3.x base equations (v3.1 specification section 7.1). Returns
/// tenths.
fn v3_base_tenths(m: &[(&str, &str)], minor: u8) -> i128 {
    let (av, ac, pr, ui, [c, i, a], changed) = v3_weights(m);
    // ISS = 1 - (1-C)(1-I)(1-A), scale 1e6.
    let iss = 1_000_000 - (100 - c) * (100 - i) * (100 - a);
    // Exploitability = 8.22 * AV * AC * PR * UI, scale 1e10.
    let exploitability = 822 * av * ac * pr * ui;
    if !changed {
        // Impact = 6.42 * ISS, scale 1e8; the sum at scale 1e10.
        let impact = 642 * iss * 100;
        if impact <= 0 {
            return 0;
        }
        let sum = (impact + exploitability).min(100_000_000_000);
        return round_up_tenths(sum, 10_000_000_000);
    }
    let iss = iss as f64 / 1e6;
    let impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powf(15.0);
    if impact <= 0.0 {
        return 0;
    }
    let exploitability = exploitability as f64 / 1e10;
    let raw = (1.08 * (impact + exploitability)).min(10.0);
    let rounded = if minor == 0 {
        roundup_v30(raw)
    } else {
        roundup_v31(raw)
    };
    (rounded * 10.0).round() as i128
}

/// `NAME:VALUE/...` as a metric list.
fn metrics(s: &str) -> Vec<(&str, &str)> {
    s.split('/')
        .map(|p| p.split_once(':').unwrap_or_else(|| panic!("{p}")))
        .collect()
}

fn tenths(score: f64) -> i128 {
    let t = (score * 10.0).round();
    assert!(
        (score * 10.0 - t).abs() < 1e-9,
        "{score} has more than one decimal"
    );
    t as i128
}

#[test]
fn every_v2_base_vector_follows_the_guide() {
    let all = all_vectors(&[
        ("AV", &["L", "A", "N"]),
        ("AC", &["H", "M", "L"]),
        ("Au", &["M", "S", "N"]),
        ("C", &["N", "P", "C"]),
        ("I", &["N", "P", "C"]),
        ("A", &["N", "P", "C"]),
    ]);
    assert_eq!(all.len(), 729);
    let mut failures = Vec::new();
    for metrics in &all {
        let vector = join("", metrics);
        let got = parse(&vector).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.version, CvssVersion::V2);
        let want = v2_base_tenths(metrics);
        if tenths(got.base_score) != want {
            failures.push(format!(
                "{vector}: want {want} tenths, got {}",
                got.base_score
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_v3_base_vector_follows_the_specification() {
    let all = all_vectors(&[
        ("AV", &["N", "A", "L", "P"]),
        ("AC", &["L", "H"]),
        ("PR", &["N", "L", "H"]),
        ("UI", &["N", "R"]),
        ("S", &["U", "C"]),
        ("C", &["H", "L", "N"]),
        ("I", &["H", "L", "N"]),
        ("A", &["H", "L", "N"]),
    ]);
    assert_eq!(all.len(), 2592);
    let mut failures = Vec::new();
    for (prefix, minor, version) in [
        ("CVSS:3.0/", 0, CvssVersion::V3_0),
        ("CVSS:3.1/", 1, CvssVersion::V3_1),
    ] {
        for metrics in &all {
            let vector = join(prefix, metrics);
            let got = parse(&vector).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(got.version, version);
            let want = v3_base_tenths(metrics, minor);
            if tenths(got.base_score) != want {
                failures.push(format!(
                    "{vector}: want {want} tenths, got {}",
                    got.base_score
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_v4_base_vector_scores_in_range() {
    let all = all_vectors(&[
        ("AV", &["N", "A", "L", "P"]),
        ("AC", &["L", "H"]),
        ("AT", &["N", "P"]),
        ("PR", &["N", "L", "H"]),
        ("UI", &["N", "P", "A"]),
        ("VC", &["H", "L", "N"]),
        ("VI", &["H", "L", "N"]),
        ("VA", &["H", "L", "N"]),
        ("SC", &["H", "L", "N"]),
        ("SI", &["H", "L", "N"]),
        ("SA", &["H", "L", "N"]),
    ]);
    assert_eq!(all.len(), 104_976);
    let impacts = ["VC", "VI", "VA", "SC", "SI", "SA"];
    for metrics in &all {
        let vector = join("CVSS:4.0/", metrics);
        let got = parse(&vector).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.version, CvssVersion::V4_0);
        let t = tenths(got.base_score);
        assert!((0..=100).contains(&t), "{vector}: {}", got.base_score);
        // Zero exactly when nothing is impacted (the specification's
        // shortcut); any impact scores at least 0.1.
        let no_impact = impacts.iter().all(|name| value_of(metrics, name) == "N");
        assert_eq!(t == 0, no_impact, "{vector}: {}", got.base_score);
    }
}

#[test]
fn exact_equations_agree_with_the_published_examples() {
    // Sanity checks of the reference equations above themselves.
    assert_eq!(v2_base_tenths(&metrics("AV:N/AC:L/Au:N/C:N/I:N/A:C")), 78);
    assert_eq!(v2_base_tenths(&metrics("AV:L/AC:H/Au:N/C:C/I:C/A:C")), 62);
    assert_eq!(
        v3_base_tenths(&metrics("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 1),
        98
    );
    assert_eq!(
        v3_base_tenths(&metrics("AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), 1),
        100
    );
    assert_eq!(
        v3_base_tenths(&metrics("AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 0),
        61
    );
    assert_eq!(roundup_v31(4.000_000_1), 4.0);
    assert_eq!(roundup_v31(4.02), 4.1);
}
