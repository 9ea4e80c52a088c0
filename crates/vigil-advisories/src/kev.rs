//! The CISA catalogue of Known Exploited Vulnerabilities (KEV).

use serde::Deserialize;

/// The KEV catalogue, as much of it as vigil keeps.
#[derive(Debug, Clone, Deserialize)]
pub struct KevCatalog {
    /// Its version (a date, `2025.08.25`).
    #[serde(rename = "catalogVersion", default)]
    pub catalog_version: String,
    /// Its entries.
    pub vulnerabilities: Vec<KevEntry>,
}

/// One known exploited vulnerability.
#[derive(Debug, Clone, Deserialize)]
pub struct KevEntry {
    /// The CVE ID.
    #[serde(rename = "cveID")]
    pub cve_id: String,
    /// When CISA added it.
    #[serde(rename = "dateAdded", default)]
    pub date_added: String,
    /// The vendor or project.
    #[serde(rename = "vendorProject", default)]
    pub vendor_project: String,
    /// The product.
    #[serde(default)]
    pub product: String,
    /// CISA's name for it.
    #[serde(rename = "vulnerabilityName", default)]
    pub vulnerability_name: String,
    /// Whether it is known to be used in ransomware campaigns (`Known`,
    /// `Unknown`).
    #[serde(rename = "knownRansomwareCampaignUse", default)]
    pub known_ransomware_campaign_use: String,
}

impl KevCatalog {
    /// Whether a JSON document looks like a KEV catalogue rather than an OSV
    /// record.
    pub fn looks_like(value: &serde_json::Value) -> bool {
        value
            .get("vulnerabilities")
            .is_some_and(serde_json::Value::is_array)
            && (value.get("catalogVersion").is_some() || value.get("title").is_some())
    }
}
