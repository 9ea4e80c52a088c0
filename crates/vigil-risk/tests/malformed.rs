//! Malformed vectors are errors that name the vector, never panics.
#![allow(clippy::unwrap_used)] // Tests state their expectations with unwrap.

use vigil_risk::{parse, CvssError, CvssVersion};

const V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const V4: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
const V2: &str = "AV:N/AC:L/Au:N/C:P/I:P/A:P";

/// Parses `vector`, expecting an error, and checks that the error and its
/// message name the (trimmed) vector.
fn rejected(vector: &str) -> CvssError {
    let err = match parse(vector) {
        Ok(score) => panic!("`{vector}` was accepted: {score:?}"),
        Err(e) => e,
    };
    // An empty vector is named as given, any other trimmed.
    let named = if matches!(err, CvssError::Empty { .. }) {
        vector
    } else {
        vector.trim()
    };
    assert_eq!(err.vector(), named, "{err:?}");
    let message = err.to_string();
    if named.len() < 100 && !named.chars().any(char::is_control) {
        assert!(
            message.contains(&format!("`{named}`")),
            "message does not name `{named}`: {message}"
        );
    }
    err
}

fn missing(vector: &str) -> (CvssVersion, String) {
    match rejected(vector) {
        CvssError::MissingMetric {
            version, metric, ..
        } => (version, metric),
        other => panic!("{vector}: expected a missing metric, got {other:?}"),
    }
}

#[test]
fn missing_base_metrics() {
    assert_eq!(
        missing("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"),
        (CvssVersion::V3_1, "A".to_owned())
    );
    // The scoring library alone would score this one as 0.0.
    assert_eq!(
        missing("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H"),
        (CvssVersion::V3_0, "S".to_owned())
    );
    assert_eq!(
        missing("CVSS:3.1/AV:N"),
        (CvssVersion::V3_1, "AC".to_owned())
    );
    assert_eq!(missing("CVSS:3.1/"), (CvssVersion::V3_1, "AV".to_owned()));
    assert_eq!(missing("CVSS:3.1"), (CvssVersion::V3_1, "AV".to_owned()));
    assert_eq!(
        missing("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N"),
        (CvssVersion::V4_0, "SA".to_owned())
    );
    assert_eq!(
        missing("CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A"),
        (CvssVersion::V4_0, "AT".to_owned())
    );
    assert_eq!(
        missing("AV:N/AC:L/C:P/I:P/A:P"),
        (CvssVersion::V2, "Au".to_owned())
    );
    assert_eq!(
        missing("AV:N/AC:L/Au:N/C:P/I:P/E:F"),
        (CvssVersion::V2, "A".to_owned())
    );
}

#[test]
fn duplicate_metrics() {
    for vector in [
        "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:L",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/E:U",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/SA:H",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/E:U",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P/C:C",
        "AV:N/AV:N/AC:L/Au:N/C:P/I:P/A:P",
    ] {
        assert!(
            matches!(rejected(vector), CvssError::DuplicateMetric { .. }),
            "{vector}"
        );
    }
}

#[test]
fn unknown_values() {
    for (vector, metric, value) in [
        ("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", "X"),
        ("CVSS:3.1/AV:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", "n"),
        ("CVSS:3.1/AV:N/AC:M/PR:N/UI:N/S:U/C:H/I:H/A:H", "AC", "M"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:P/S:U/C:H/I:H/A:H", "UI", "P"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:P/I:H/A:H", "C", "P"),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:POC",
            "E",
            "POC",
        ),
        (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/MS:S",
            "MS",
            "S",
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:R/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "UI",
            "R",
        ),
        // Safety is only a value of the modified subsequent-system metrics.
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N",
            "SI",
            "S",
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/MSC:S",
            "MSC",
            "S",
        ),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red",
            "U",
            "red",
        ),
        ("AV:N/AC:L/Au:N/C:H/I:P/A:P", "C", "H"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:P", "E", "P"),
        ("AV:P/AC:L/Au:N/C:P/I:P/A:P", "AV", "P"),
    ] {
        match rejected(vector) {
            CvssError::InvalidValue {
                metric: m,
                value: v,
                ..
            } => assert_eq!((m.as_str(), v.as_str()), (metric, value), "{vector}"),
            other => panic!("{vector}: expected an invalid value, got {other:?}"),
        }
    }
}

#[test]
fn unknown_metrics() {
    for (vector, metric) in [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y", "XX"),
        ("CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/S:U/C:H/I:H/A:H", "AT"),
        ("CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "av"),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/C:H",
            "C",
        ),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P/PR:N", "PR"),
        ("AV:N/AC:L/AU:N/C:P/I:P/A:P", "AU"),
        ("(CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)", "CVSS"),
    ] {
        match rejected(vector) {
            CvssError::UnknownMetric { metric: m, .. } => assert_eq!(m, metric, "{vector}"),
            other => panic!("{vector}: expected an unknown metric, got {other:?}"),
        }
    }
}

#[test]
fn malformed_parts() {
    for (vector, part) in [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", ""),
        ("CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ""),
        ("CVSS:3.1/AV:N/AC/PR:N/UI:N/S:U/C:H/I:H/A:H", "AC"),
        ("CVSS:3.1/AV:N/AC:L:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "AC:L:H"),
        ("CVSS:3.1/AV:N/:L/PR:N/UI:N/S:U/C:H/I:H/A:H", ":L"),
        ("CVSS:3.1/AV:N/AC:/PR:N/UI:N/S:U/C:H/I:H/A:H", "AC:"),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/",
            "",
        ),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P/", ""),
        ("AV:N AC:L/Au:N/C:P/I:P/A:P", "AV:N AC:L"),
    ] {
        match rejected(vector) {
            CvssError::MalformedComponent { component, .. } => {
                assert_eq!(component, part, "{vector}")
            }
            other => panic!("{vector}: expected a malformed part, got {other:?}"),
        }
    }
}

#[test]
fn unsupported_versions() {
    for (vector, version) in [
        ("CVSS:5.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "5.0"),
        ("CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.2"),
        ("CVSS:3/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3"),
        ("CVSS:4.0.1/AV:N", "4.0.1"),
        ("CVSS:/AV:N", ""),
        ("CVSS:", ""),
    ] {
        match rejected(vector) {
            CvssError::UnsupportedVersion { version: v, .. } => assert_eq!(v, version),
            other => panic!("{vector}: expected an unsupported version, got {other:?}"),
        }
    }
}

#[test]
fn garbage() {
    for vector in [
        "garbage",
        "CVSS",
        "cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "PR:N/AV:N/AC:L/UI:N/S:U/C:H/I:H/A:H",
        "9.8",
        "HIGH",
        "/",
        ":",
        "()",
        "(AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "AV:N/AC:L/Au:N/C:P/I:P/A:P)",
        "{\"vectorString\": \"CVSS:3.1/AV:N\"}",
        "🔥/AV:N",
        "AV:🔥/AC:L/Au:N/C:P/I:P/A:P",
        "\u{0}\u{1}\u{2}",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\u{0}",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H CVSS:3.1/AV:N",
    ] {
        rejected(vector);
    }
    for vector in ["", " ", "\t\n"] {
        assert!(
            matches!(rejected(vector), CvssError::Empty { .. }),
            "{vector:?}"
        );
    }
}

#[test]
fn messages_of_huge_inputs_stay_short() {
    let huge = format!("{V31}/{}", "E:U/".repeat(50_000));
    let err = rejected(&huge);
    assert!(matches!(err, CvssError::DuplicateMetric { .. }), "{err:?}");
    assert!(err.to_string().len() < 600, "{}", err.to_string().len());
    assert_eq!(err.vector(), huge.trim());
    let noise = "x".repeat(100_000);
    assert!(rejected(&noise).to_string().len() < 600);
}

#[test]
fn control_characters_are_escaped_in_messages() {
    let err = rejected("CVSS:3.1/AV:N\n/AC:L");
    assert!(!err.to_string().contains('\n'), "{err}");
    assert!(err.to_string().contains("AV:N\\n"), "{err}");
}

#[test]
fn messages_read_well() {
    assert_eq!(
        rejected("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H").to_string(),
        "CVSS 3.1 vector `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H` lacks the base metric `A`"
    );
    assert_eq!(
        rejected("garbage").to_string(),
        "`garbage` is not a CVSS vector (expected a `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/` \
         prefix, or a CVSS v2.0 vector like `AV:N/AC:L/Au:N/C:P/I:P/A:P`)"
    );
    assert_eq!(
        rejected("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red")
            .to_string(),
        "CVSS 4.0 vector `CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:red` \
         has an invalid value `red` for metric `U`"
    );
}

#[test]
fn the_good_vectors_used_here_are_good() {
    for vector in [V31, V4, V2] {
        assert!(parse(vector).is_ok(), "{vector}");
    }
}
