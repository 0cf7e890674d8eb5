//! The bundled retail demo (`fixtures/retail`), compiled into the binary so that a bare
//! `linkrisk audit` works wherever linkrisk is installed: the plan and the files it reads are
//! unpacked into a private temporary folder for the run and removed after it.

use std::path::PathBuf;

use crate::error::Context as _;

use crate::Result;

macro_rules! demo_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../fixtures/retail/", $name)))),*]
    };
}

/// Every file of the demo plan, by its path relative to the plan.
const FILES: &[(&str, &[u8])] = demo_files![
    "audit.toml",
    "loyalty.csv",
    "ecommerce.csv",
    "web_analytics.csv",
    "transactions.csv",
    "survey.csv",
    "partner.csv",
    "truth/loyalty.csv",
    "truth/ecommerce.csv",
    "truth/survey.csv",
    "truth/partner.csv",
];

/// The unpacked demo; the folder is removed when this is dropped.
pub struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    /// Writes the demo's files into a new private temporary folder.
    pub fn unpack() -> Result<Demo> {
        let dir = tempfile::Builder::new()
            .prefix("linkrisk-demo-")
            .tempdir()
            .context("cannot create a temporary folder for the demo")?;
        for (name, bytes) in FILES {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .context("cannot unpack the demo into a temporary folder")?;
            }
            std::fs::write(&path, bytes)
                .context("cannot unpack the demo into a temporary folder")?;
        }
        Ok(Demo { dir })
    }

    /// The demo plan's path.
    pub fn plan_path(&self) -> PathBuf {
        self.dir.path().join("audit.toml")
    }
}
