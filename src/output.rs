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

/// Whether two output paths name one file: the same existing file (device and inode), or
/// the same name in the same folder however each is spelled (`r.csv`, `./r.csv`).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    let resolved = |p: &Path| -> Option<std::path::PathBuf> {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
    };
    match (resolved(a), resolved(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// An output written to a temporary file beside its destination, not yet in place: a run
/// stages every output first and puts them in place together ([`commit_all`]), so that a
/// failed output leaves none behind.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

/// Writes `contents` beside `path` (mode 0600), after [`check_output`].
pub fn stage(path: &Path, contents: &[u8], inputs: &[&Path]) -> Result<Staged> {
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
    Ok(Staged {
        tmp,
        path: path.to_path_buf(),
    })
}

/// Puts every staged output in place, or none: when one cannot be, those already in place
/// are removed and the rest are dropped (their temporary files deleted).
pub fn commit_all(staged: Vec<Staged>) -> Result<()> {
    let mut placed: Vec<std::path::PathBuf> = Vec::new();
    for output in staged {
        let shown = crate::escape::path(&output.path);
        match output.tmp.persist(&output.path) {
            Ok(_) => placed.push(output.path),
            Err(e) => {
                for path in &placed {
                    let _ = std::fs::remove_file(path);
                }
                crate::bail!("cannot write {shown}: {}", reason(&e.error));
            }
        }
    }
    Ok(())
}
