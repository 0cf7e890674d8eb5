//! Writing report files: atomically (a temporary file in the same folder, then a rename) and
//! readable by the owner only, since a risk report describes personal data.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

use crate::Result;

/// Writes `contents` to `path` atomically with mode 0600.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let shown = path.display();
    let mut tmp = tempfile::Builder::new()
        .prefix(".linkrisk-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write {shown}"))?;
    // tempfile creates files with mode 0600 on Unix; set it explicitly all the same.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot write {shown}"))?;
    }
    tmp.write_all(contents)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {shown}"))?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {shown}"))?;
    Ok(())
}
