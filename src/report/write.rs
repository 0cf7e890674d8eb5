//! Writing report files: atomically (a temporary file in the same folder, then a rename) and
//! readable by the owner only, since a risk report describes personal data.

use std::io::Write;
use std::path::Path;

use crate::Result;

/// Refuses an output path that is not a new or regular file, or that is one of `inputs`: a
/// symbolic link, a FIFO, a device or a folder is never replaced or written through, and an
/// input is never overwritten (same device and inode).
pub fn check_output(path: &Path, inputs: &[&Path]) -> Result<()> {
    let shown = crate::escape::path(path);
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) => crate::bail!("cannot write {shown}: it cannot be examined"),
    };
    if meta.file_type().is_symlink() {
        crate::bail!("refusing to write {shown}: it is a symbolic link");
    }
    if !meta.is_file() {
        crate::bail!(
            "refusing to write {shown}: it is not a regular file (a folder, FIFO, socket or device)"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        for input in inputs {
            if let Ok(input_meta) = std::fs::metadata(input)
                && input_meta.dev() == meta.dev()
                && input_meta.ino() == meta.ino()
            {
                crate::bail!("refusing to write {shown}: it is an input of this run");
            }
        }
    }
    Ok(())
}

/// Why a write failed, in a few words.
fn reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "its folder does not exist".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::StorageFull => "no space left on the device".into(),
        ErrorKind::ReadOnlyFilesystem => "the file system is read-only".into(),
        kind => kind.to_string(),
    }
}

/// Writes `contents` to `path` atomically with mode 0600, after [`check_output`].
pub fn write_atomic(path: &Path, contents: &[u8], inputs: &[&Path]) -> Result<()> {
    check_output(path, inputs)?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let shown = crate::escape::path(path);
    // Errors name the report, never the temporary file (whose name means nothing to the user).
    let failed = |e: std::io::Error| crate::invalid!("cannot write {shown}: {}", reason(&e));
    let mut tmp = tempfile::Builder::new()
        .prefix(".linkrisk-")
        .tempfile_in(dir)
        .map_err(failed)?;
    // tempfile creates files with mode 0600 on Unix; set it explicitly all the same.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(failed)?;
    }
    tmp.write_all(contents)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(failed)?;
    tmp.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}
