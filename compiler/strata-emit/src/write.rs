//! Safe replacement of the output directory: a reader (a deploy step, another compile) sees
//! the whole previous output or the whole new one, never a mix, whenever the process stops.
//!
//! 1. An exclusive lock on `.<out>.strata-lock` beside the output directory serialises the
//!    compiles writing it (1,600 concurrent compiles into one `--out` once raced on the
//!    renames). The lock file is removed when done; a waiting process re-checks that it
//!    holds the file that is there.
//! 2. Holding the lock, leftovers of interrupted runs beside the output directory are removed:
//!    `.<out>.strata-tmp-*` (a staging directory, or the previous output just swapped out). No
//!    live run can own one, since it would hold the lock. A previous output moved aside by the
//!    two-rename fallback (`.<out>.strata-old-*`) is first put back if the output directory is
//!    missing, and so are the target folders an earlier version of Strata stranded there.
//! 3. The complete new output directory is built in a fresh staging directory next to it (same
//!    parent, so the same file system): one folder per target in `targets`, and every other
//!    entry of the current output directory (other targets' folders, files of the user)
//!    carried over as hard links (a copy where links are impossible), untouched.
//! 4. One atomic switch: the staging directory and the output directory are exchanged
//!    (`renameat2(RENAME_EXCHANGE)` on Linux), or, for a first output, renamed into place.
//!    Where exchanging is not supported, the output directory is renamed aside and the staging
//!    directory into its place; a run stopped between the two renames leaves the previous
//!    output complete under `.<out>.strata-old-*`, put back by the next run (step 2).
//! 5. The staging directory, now holding the previous output, is deleted.
//!
//! An error before step 4 leaves the output directory untouched. A target folder is replaced
//! whole, so it never keeps files from an earlier run.

use crate::EmittedFile;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use strata_model::Target;

/// Writes `files` (as returned by [`crate::emit`]) into `out_dir`, replacing the folder of each
/// target in `targets` and keeping everything else in `out_dir`, in one atomic switch (see the
/// module documentation). Every file must lie in the folder of one of `targets`; paths are
/// checked (relative, no `..`) before anything is written. `out_dir` may be a symbolic link:
/// the directory it leads to is replaced. It may not be the current directory or contain it.
pub fn write_outputs(
    out_dir: &Path,
    files: &[EmittedFile],
    targets: &[Target],
) -> Result<(), io::Error> {
    let mut targets: Vec<Target> = targets.to_vec();
    targets.sort();
    targets.dedup();
    for f in files {
        check_path(&f.path, &targets)?;
    }
    let out_dir = resolve(out_dir)?;
    let (Some(parent), Some(base)) = (out_dir.parent(), out_dir.file_name()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to replace `{}`", out_dir.display()),
        ));
    };
    if std::env::current_dir()
        .and_then(fs::canonicalize)
        .is_ok_and(|cwd| cwd.starts_with(&out_dir))
    {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refusing to replace `{}`: it is (or contains) the current directory",
                out_dir.display()
            ),
        ));
    }
    let base = base.to_string_lossy().into_owned();
    let names = Names {
        parent: parent.to_path_buf(),
        base,
    };

    // 1. One writer at a time.
    let _lock = OutputLock::acquire(&names)?;
    // 2. Leftovers of interrupted runs.
    recover_and_clean(&names, &out_dir);
    let exists = match fs::symlink_metadata(&out_dir) {
        Ok(m) if m.is_dir() => true,
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("`{}` is not a directory", out_dir.display()),
            ))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e),
    };
    // 3. The new output directory, complete, in a staging directory.
    let staging = Scratch::create(&names)?;
    for t in &targets {
        fs::create_dir_all(staging.path().join(t.dir_name()))?;
    }
    // Directories first (in order), then the files in parallel: each file is written once, so
    // the result does not depend on scheduling; the first error wins.
    for f in files {
        if let Some(dir) = staging.path().join(&f.path).parent() {
            fs::create_dir_all(dir)?;
        }
    }
    {
        use rayon::prelude::*;
        files
            .par_iter()
            .try_for_each(|f| fs::write(staging.path().join(&f.path), f.contents.as_bytes()))?;
    }
    if exists {
        for entry in fs::read_dir(&out_dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if targets.iter().any(|t| name == t.dir_name()) {
                continue;
            }
            link_tree(&entry.path(), &staging.path().join(&name), 0)?;
        }
        fs::set_permissions(staging.path(), fs::metadata(&out_dir)?.permissions())?;
    }
    // 4. The switch.
    if exists {
        switch(&names, staging.path(), &out_dir)?;
    } else {
        fs::rename(staging.path(), &out_dir)?;
        staging.forget();
    }
    // 5. `staging` (the previous output now) is deleted when dropped; then the lock is released.
    Ok(())
}

/// `out_dir` with links resolved (its parent is created if needed): the staging directory and
/// the lock go next to the directory that is replaced.
fn resolve(out_dir: &Path) -> io::Result<PathBuf> {
    if let Ok(real) = fs::canonicalize(out_dir) {
        return Ok(real);
    }
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    let name = out_dir.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to replace `{}`", out_dir.display()),
        )
    })?;
    Ok(fs::canonicalize(&parent)?.join(name))
}

/// The names of what a run keeps next to the output directory `<parent>/<base>`.
struct Names {
    parent: PathBuf,
    base: String,
}

impl Names {
    fn lock(&self) -> PathBuf {
        self.parent.join(format!(".{}.strata-lock", self.base))
    }
    /// Prefix of staging directories (and of previous outputs swapped out into them).
    fn tmp_prefix(&self) -> String {
        format!(".{}.strata-tmp-", self.base)
    }
    /// Prefix of a previous output renamed aside by the two-rename fallback.
    fn old_prefix(&self) -> String {
        format!(".{}.strata-old-", self.base)
    }
    /// A name no other run uses: the process id and a counter.
    fn unique(&self, prefix: &str) -> PathBuf {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        self.parent.join(format!(
            "{prefix}{}-{nanos:x}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ))
    }
}

/// The exclusive lock of one output directory, held while it is replaced.
struct OutputLock {
    file: fs::File,
    path: PathBuf,
}

impl OutputLock {
    fn acquire(names: &Names) -> io::Result<OutputLock> {
        let path = names.lock();
        loop {
            let file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)?;
            file.lock()?;
            // The run before us removes the file when it is done: if it did while we waited,
            // the lock we hold is on a file nobody else will open. Lock the one that is there.
            if same_file(&file, &path) {
                return Ok(OutputLock { file, path });
            }
        }
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked (a waiting run then sees it is gone and retries); on
        // systems where that cannot be checked, the file stays.
        if cfg!(unix) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &fs::File, _: &Path) -> bool {
    true
}

/// A directory deleted (with its contents) when dropped, unless forgotten.
struct Scratch(Option<PathBuf>);

impl Scratch {
    fn create(names: &Names) -> io::Result<Scratch> {
        loop {
            let path = names.unique(&names.tmp_prefix());
            match fs::create_dir(&path) {
                Ok(()) => return Ok(Scratch(Some(path))),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }
    fn forget(mut self) {
        self.0 = None;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_dir_all(p);
        }
    }
}

/// Step 2 (holding the lock): put back a previous output a stopped run left aside, then remove
/// every leftover. Best effort: a leftover that cannot be removed does not stop the compile.
fn recover_and_clean(names: &Names, out_dir: &Path) {
    let Ok(entries) = fs::read_dir(&names.parent) else {
        return;
    };
    let (tmp, old) = (names.tmp_prefix(), names.old_prefix());
    let mut leftovers: Vec<(PathBuf, bool)> = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(&tmp) || name.starts_with(&old) {
            leftovers.push((e.path(), name.starts_with(&old)));
        }
    }
    // A previous output renamed aside, and the output directory missing: stopped between the
    // two renames of the fallback switch. The most recent one is the output.
    if fs::symlink_metadata(out_dir).is_err() {
        let newest = leftovers
            .iter()
            .filter(|(_, is_old)| *is_old)
            .max_by_key(|(p, _)| fs::metadata(p).and_then(|m| m.modified()).ok());
        if let Some((p, _)) = newest {
            let _ = fs::rename(p, out_dir);
        }
    }
    for (p, _) in &leftovers {
        // An earlier version of Strata swapped target folders one by one and could stop with a
        // target's previous folder in `<tmp>/.old-<target>` and none in the output.
        if let Ok(inner) = fs::read_dir(p) {
            for e in inner.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if let Some(t) = name
                    .strip_prefix(".old-")
                    .filter(|t| Target::ALL.iter().any(|x| x.dir_name() == *t))
                {
                    let dest = out_dir.join(t);
                    if out_dir.is_dir() && fs::symlink_metadata(&dest).is_err() {
                        let _ = fs::rename(e.path(), dest);
                    }
                }
            }
        }
        let _ = fs::remove_dir_all(p);
    }
}

/// Deepest directory nesting carried over from the output directory.
const MAX_DEPTH: usize = 256;

/// Recreate `src` at `dst` without copying data: directories are created (with their
/// permissions), files hard-linked (copied where that fails, e.g. across file systems),
/// symbolic links recreated as they are (never followed).
fn link_tree(src: &Path, dst: &Path, depth: usize) -> io::Result<()> {
    let meta = fs::symlink_metadata(src)?;
    if meta.file_type().is_symlink() {
        return copy_symlink(src, dst);
    }
    if meta.is_dir() {
        if depth >= MAX_DEPTH {
            return Err(io::Error::other(format!(
                "`{}` is nested too deeply to be kept",
                src.display()
            )));
        }
        fs::create_dir(dst)?;
        for e in fs::read_dir(src)? {
            let e = e?;
            link_tree(&e.path(), &dst.join(e.file_name()), depth + 1)?;
        }
        return fs::set_permissions(dst, meta.permissions());
    }
    match fs::hard_link(src, dst) {
        Ok(()) => Ok(()),
        Err(_) if meta.is_file() => fs::copy(src, dst).map(|_| ()),
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn copy_symlink(src: &Path, dst: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(src)?, dst)
}

#[cfg(not(unix))]
fn copy_symlink(src: &Path, dst: &Path) -> io::Result<()> {
    let target = fs::read_link(src)?;
    if fs::metadata(src).is_ok_and(|m| m.is_dir()) {
        std::os::windows::fs::symlink_dir(target, dst)
    } else {
        std::os::windows::fs::symlink_file(target, dst)
    }
}

/// Step 4 for an existing output directory: exchange it with the staging directory, which
/// then holds the previous output (deleted with it).
fn switch(names: &Names, staging: &Path, out_dir: &Path) -> io::Result<()> {
    match exchange(staging, out_dir) {
        Ok(()) => Ok(()),
        Err(e) if exchange_unsupported(&e) => switch_by_renames(names, staging, out_dir),
        Err(e) => Err(e),
    }
}

/// The switch where directories cannot be exchanged: the previous output is renamed aside
/// (complete, and put back by the next run if this one stops here), then the new one into
/// place; the previous output ends where the staging directory was, to be deleted with it.
fn switch_by_renames(names: &Names, staging: &Path, out_dir: &Path) -> io::Result<()> {
    let aside = names.unique(&names.old_prefix());
    fs::rename(out_dir, &aside)?;
    if let Err(e) = fs::rename(staging, out_dir) {
        let _ = fs::rename(&aside, out_dir);
        return Err(e);
    }
    fs::rename(&aside, staging).or_else(|_| fs::remove_dir_all(&aside))
}

/// Atomically exchange two directories (Linux `renameat2(RENAME_EXCHANGE)`, through the system
/// call so that it does not depend on the C library's version).
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let cstr = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path contains a NUL byte"))
    };
    let (a, b) = (cstr(a)?, cstr(b)?);
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call; the system call
    // only reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Whether exchanging failed only because the system or file system cannot do it (old
/// kernels, some network and FUSE file systems, other systems), so that renaming twice is
/// the way.
fn exchange_unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(code) if is_unsupported_errno(code))
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn is_unsupported_errno(code: i32) -> bool {
    code == libc::EINVAL || code == libc::ENOSYS || code == libc::EOPNOTSUPP
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn is_unsupported_errno(_: i32) -> bool {
    false
}

fn check_path(path: &str, targets: &[Target]) -> io::Result<()> {
    let bad = |why: &str| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("refusing to write `{path}`: {why}"),
        )
    };
    let mut parts = path.split('/');
    let first = parts.next().unwrap_or("");
    if !targets.iter().any(|t| t.dir_name() == first) {
        return Err(bad("not inside the folder of a target being written"));
    }
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() {
        return Err(bad("no file name"));
    }
    for c in rest {
        if c.is_empty()
            || c == "."
            || c == ".."
            || c.contains(['\\', '\0'])
            || c.starts_with(".old-")
        {
            return Err(bad("not a plain relative path"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, contents: &str) -> EmittedFile {
        EmittedFile {
            path: path.to_string(),
            contents: contents.to_string(),
        }
    }

    fn read(p: &Path) -> String {
        fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    #[test]
    fn replaces_target_folders_and_keeps_others() {
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(
            &out,
            &[
                file("cloudformation/a.template.json", "1"),
                file("cloudformation/stale.template.json", "x"),
                file("kubernetes/k.yaml", "k"),
            ],
            &[Target::CloudFormation, Target::Kubernetes],
        )
        .expect("first write");
        fs::write(out.join("README"), "mine").expect("user file");
        write_outputs(
            &out,
            &[
                file("cloudformation/a.template.json", "2"),
                file("terraform/s/main.tf", "tf"),
            ],
            &[Target::CloudFormation, Target::Terraform],
        )
        .expect("second write");
        assert_eq!(read(&out.join("cloudformation/a.template.json")), "2");
        assert!(
            !out.join("cloudformation/stale.template.json").exists(),
            "stale file kept"
        );
        assert_eq!(
            read(&out.join("kubernetes/k.yaml")),
            "k",
            "other target touched"
        );
        assert_eq!(read(&out.join("terraform/s/main.tf")), "tf");
        assert_eq!(read(&out.join("README")), "mine");
        assert_eq!(
            entries(root.path()),
            vec!["out"],
            "temporary directory left behind"
        );
    }

    #[test]
    fn empty_target_gets_an_empty_folder() {
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(
            &out,
            &[file("kubernetes/k.yaml", "k")],
            &[Target::Kubernetes],
        )
        .expect("write");
        write_outputs(&out, &[], &[Target::Kubernetes]).expect("write");
        assert!(out.join("kubernetes").is_dir());
        assert!(entries(&out.join("kubernetes")).is_empty());
    }

    #[test]
    fn rejects_bad_paths_before_writing() {
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(
            &out,
            &[file("kubernetes/k.yaml", "old")],
            &[Target::Kubernetes],
        )
        .expect("write");
        for p in [
            "kubernetes/../../evil",
            "/etc/passwd",
            "terraform/x.tf",
            "kubernetes/",
            "kubernetes//a",
            "kubernetes",
        ] {
            let err = write_outputs(
                &out,
                &[file("kubernetes/k.yaml", "new"), file(p, "x")],
                &[Target::Kubernetes],
            )
            .expect_err(p);
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{p}");
        }
        assert_eq!(read(&out.join("kubernetes/k.yaml")), "old");
        assert_eq!(entries(root.path()), vec!["out"]);
    }

    /// The output of generation `n`: the same marker in a file of every target.
    fn generation(n: usize) -> Vec<EmittedFile> {
        vec![
            file("cloudformation/app.template.json", &format!("{n}")),
            file("terraform/app/main.tf", &format!("{n}")),
            file("kubernetes/app.yaml", &format!("{n}")),
        ]
    }
    const ALL: [Target; 3] = [
        Target::CloudFormation,
        Target::Terraform,
        Target::Kubernetes,
    ];

    #[test]
    fn concurrent_writers_are_serialised_and_leave_one_generation() {
        // Concurrent compiles into one output raced on the renames of the target folders (about
        // 3 in 1,600 failed) and could leave folders of different runs side by side.
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        std::thread::scope(|s| {
            for w in 0..12 {
                let out = &out;
                s.spawn(move || {
                    for i in 0..40 {
                        write_outputs(out, &generation(w * 100 + i), &ALL)
                            .unwrap_or_else(|e| panic!("writer {w}, write {i}: {e}"));
                    }
                });
            }
        });
        let n = read(&out.join("cloudformation/app.template.json"));
        assert_eq!(read(&out.join("terraform/app/main.tf")), n);
        assert_eq!(read(&out.join("kubernetes/app.yaml")), n);
        assert_eq!(
            entries(root.path()),
            vec!["out"],
            "lock or staging directories left behind"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_reader_never_sees_a_mix_of_two_outputs() {
        // Target folders were swapped in one at a time: a reader (or a kill) between two renames
        // saw CloudFormation new and Terraform old. A reader holding the output directory open
        // reads one generation; paths through /proc/self/fd/N resolve inside that directory.
        use std::os::fd::AsRawFd;
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(&out, &generation(0), &ALL).expect("first write");
        let done = std::sync::atomic::AtomicBool::new(false);
        let (mut samples, mut mixed) = (0usize, Vec::new());
        std::thread::scope(|s| {
            s.spawn(|| {
                for n in 1..=150 {
                    write_outputs(&out, &generation(n), &ALL).expect("write");
                }
                done.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                let Ok(dir) = fs::File::open(&out) else {
                    continue;
                };
                let at = |rel: &str| {
                    fs::read_to_string(format!("/proc/self/fd/{}/{rel}", dir.as_raw_fd()))
                };
                // A generation being deleted may lose files while it is read: compare only
                // complete reads.
                if let (Ok(a), Ok(b), Ok(c)) = (
                    at("cloudformation/app.template.json"),
                    at("terraform/app/main.tf"),
                    at("kubernetes/app.yaml"),
                ) {
                    samples += 1;
                    if a != b || b != c {
                        mixed.push((a, b, c));
                    }
                }
            }
        });
        assert!(samples > 0);
        assert!(
            mixed.is_empty(),
            "{} of {samples} reads saw a mix: {:?}",
            mixed.len(),
            &mixed[..mixed.len().min(5)]
        );
    }

    #[test]
    fn leftovers_of_interrupted_runs_are_removed_and_only_ours() {
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(&out, &generation(1), &ALL).expect("write");
        // A run killed while writing its staging directory, one killed after the switch (the
        // previous output not yet deleted), a stale lock file, and directories that are not ours.
        for d in [
            ".out.strata-tmp-4242-1-0/terraform/app",
            ".out.strata-tmp-4243-9-1/cloudformation",
            ".other.strata-tmp-1",
            ".out.strata-tmpfoo",
            "keep",
        ] {
            fs::create_dir_all(root.path().join(d)).expect("mkdir");
        }
        fs::write(
            root.path()
                .join(".out.strata-tmp-4242-1-0/terraform/app/main.tf"),
            "partial",
        )
        .expect("write");
        fs::write(root.path().join(".out.strata-lock"), "").expect("write");
        // Until the next run the output is the previous one, whole.
        assert_eq!(read(&out.join("terraform/app/main.tf")), "1");
        write_outputs(&out, &generation(2)[..1], &[Target::CloudFormation]).expect("write");
        assert_eq!(
            entries(root.path()),
            vec![".other.strata-tmp-1", ".out.strata-tmpfoo", "keep", "out"]
        );
        assert_eq!(read(&out.join("cloudformation/app.template.json")), "2");
        assert_eq!(
            read(&out.join("terraform/app/main.tf")),
            "1",
            "another target's folder was touched"
        );
    }

    #[test]
    fn a_switch_stopped_between_two_renames_is_recovered() {
        // Where directories cannot be exchanged, the previous output is renamed aside first; a
        // run stopped right then leaves no output directory and the previous one aside, whole.
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(&out, &generation(1), &ALL).expect("write");
        fs::write(out.join("README"), "mine").expect("write");
        fs::rename(&out, root.path().join(".out.strata-old-777-0-0")).expect("rename");
        write_outputs(&out, &generation(2)[..1], &[Target::CloudFormation]).expect("write");
        assert_eq!(read(&out.join("cloudformation/app.template.json")), "2");
        assert_eq!(read(&out.join("terraform/app/main.tf")), "1");
        assert_eq!(read(&out.join("README")), "mine");
        assert_eq!(entries(root.path()), vec!["out"]);
        // The same for folders an earlier version of Strata stranded one target at a time.
        fs::create_dir_all(root.path().join(".out.strata-tmp-abc123")).expect("mkdir");
        fs::rename(
            out.join("kubernetes"),
            root.path().join(".out.strata-tmp-abc123/.old-kubernetes"),
        )
        .expect("rename");
        write_outputs(&out, &generation(3)[..1], &[Target::CloudFormation]).expect("write");
        assert_eq!(read(&out.join("kubernetes/app.yaml")), "1");
        assert_eq!(entries(root.path()), vec!["out"]);
    }

    #[test]
    fn the_two_rename_switch_replaces_the_whole_output() {
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(&out, &generation(1), &ALL).expect("write");
        let names = Names {
            parent: root.path().to_path_buf(),
            base: "out".into(),
        };
        let staging = Scratch::create(&names).expect("staging");
        fs::create_dir_all(staging.path().join("cloudformation")).expect("mkdir");
        fs::write(staging.path().join("cloudformation/app.template.json"), "2").expect("write");
        switch_by_renames(&names, staging.path(), &out).expect("switch");
        drop(staging);
        assert_eq!(entries(&out), vec!["cloudformation"]);
        assert_eq!(read(&out.join("cloudformation/app.template.json")), "2");
        assert_eq!(entries(root.path()), vec!["out"]);
    }

    #[cfg(unix)]
    #[test]
    fn other_entries_are_kept_as_they_are() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(&out, &generation(1), &ALL).expect("write");
        fs::create_dir_all(out.join("notes/deep")).expect("mkdir");
        fs::write(out.join("notes/deep/todo.txt"), "mine").expect("write");
        fs::set_permissions(out.join("notes"), fs::Permissions::from_mode(0o750)).expect("chmod");
        std::os::unix::fs::symlink("notes/deep", out.join("link")).expect("symlink");
        fs::set_permissions(&out, fs::Permissions::from_mode(0o711)).expect("chmod");
        let inode = fs::metadata(out.join("notes/deep/todo.txt"))
            .expect("stat")
            .ino();
        write_outputs(&out, &generation(2)[..1], &[Target::CloudFormation]).expect("write");
        assert_eq!(
            fs::metadata(out.join("notes/deep/todo.txt"))
                .expect("stat")
                .ino(),
            inode,
            "not the same file"
        );
        assert_eq!(
            fs::metadata(out.join("notes"))
                .expect("stat")
                .permissions()
                .mode()
                & 0o777,
            0o750
        );
        assert_eq!(
            fs::metadata(&out).expect("stat").permissions().mode() & 0o777,
            0o711
        );
        assert_eq!(
            fs::read_link(out.join("link")).expect("link"),
            Path::new("notes/deep")
        );
        assert_eq!(read(&out.join("kubernetes/app.yaml")), "1");
    }

    #[cfg(unix)]
    #[test]
    fn failure_while_writing_leaves_previous_output() {
        use std::os::unix::fs::PermissionsExt;
        // Root ignores permissions; detect that and use a path conflict instead.
        let root = tempfile::tempdir().expect("tempdir");
        let out = root.path().join("out");
        write_outputs(
            &out,
            &[file("kubernetes/k.yaml", "old")],
            &[Target::Kubernetes],
        )
        .expect("write");
        // A file and a folder with the same path cannot both be written: fails in step 1.
        let err = write_outputs(
            &out,
            &[
                file("kubernetes/a", "file"),
                file("kubernetes/a/b.yaml", "x"),
            ],
            &[Target::Kubernetes],
        );
        assert!(err.is_err());
        assert_eq!(read(&out.join("kubernetes/k.yaml")), "old");
        assert_eq!(
            entries(root.path()),
            vec!["out"],
            "temporary directory left behind"
        );
        // Read-only parent: the temporary directory cannot be created (skipped effect as root).
        let ro = root.path().join("ro");
        fs::create_dir(&ro).expect("mkdir");
        let out2 = ro.join("out");
        write_outputs(
            &out2,
            &[file("kubernetes/k.yaml", "old")],
            &[Target::Kubernetes],
        )
        .expect("write");
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o555)).expect("chmod");
        let res = write_outputs(
            &out2,
            &[file("kubernetes/k.yaml", "new")],
            &[Target::Kubernetes],
        );
        fs::set_permissions(&ro, fs::Permissions::from_mode(0o755)).expect("chmod back");
        let expected = if res.is_err() { "old" } else { "new" };
        assert_eq!(read(&out2.join("kubernetes/k.yaml")), expected);
    }
}
