//! The data directory holds the database (password hashes, sessions' hashes, sealed client
//! secrets) and the key that opens the secrets: only the server's own user may read it. Both are
//! created private, and made private again at every start if they were not.

use std::path::Path;

/// Creates `dir` (and missing parents) readable by its owner only (0700), or makes an
/// existing one so.
pub fn dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    restrict(dir, 0o700)
}

/// Creates `file` empty if it is missing, readable and writable by its owner only (0600), or
/// makes an existing one so — before anything is written to it.
pub fn file(file: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file)?;
    restrict(file, 0o600)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current != mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_data_directory_and_database_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        let store = crate::store::EmbeddedStore::open(&data).unwrap();
        drop(store);
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("tenantmap.redb")), 0o600);
        crate::tasks::local_key(&data).unwrap();
        assert_eq!(mode(&data.join("secret.key")), 0o600);
        // An install made before is made private at the next start.
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = data.join("tenantmap.redb");
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(crate::store::EmbeddedStore::open(&data).unwrap());
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&db), 0o600);
    }
}
