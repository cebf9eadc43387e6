//! Safe replacement of the output folders.
//!
//! 1. Every file is written into a fresh temporary directory created next to `out_dir` (same
//!    parent, so on the same file system), one sub-folder per emitted target.
//! 2. Then, target by target: the current `out_dir/<target>` (if any) is renamed into the
//!    temporary directory, and the new folder renamed into its place. If a rename fails, the
//!    folders already swapped are put back, so `out_dir` is as before.
//! 3. The temporary directory, now holding the old folders, is deleted.
//!
//! An error while writing (step 1) leaves `out_dir` untouched. A target folder is replaced
//! whole, so it never keeps files from an earlier run. Folders of targets not in `targets` (and
//! any other file in `out_dir`) are left alone.

use crate::EmittedFile;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use strata_model::Target;

/// Writes `files` (as returned by [`crate::emit`]) under `out_dir`, replacing the folder of each
/// target in `targets`. Every file must lie in the folder of one of `targets`; paths are checked
/// (relative, no `..`) before anything is written.
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

    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)?;
    let base = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{base}.strata-tmp-"))
        .tempdir_in(&parent)?;

    // 1. Write everything to the temporary directory.
    for t in &targets {
        fs::create_dir_all(tmp.path().join(t.dir_name()))?;
    }
    // Directories first (in order), then the files in parallel: each file is written once, so
    // the result does not depend on scheduling; the first error wins.
    for f in files {
        if let Some(dir) = tmp.path().join(&f.path).parent() {
            fs::create_dir_all(dir)?;
        }
    }
    {
        use rayon::prelude::*;
        files
            .par_iter()
            .try_for_each(|f| fs::write(tmp.path().join(&f.path), f.contents.as_bytes()))?;
    }

    // 2. Swap the target folders in.
    fs::create_dir_all(out_dir)?;
    let mut swapped: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for t in &targets {
        let dest = out_dir.join(t.dir_name());
        let new = tmp.path().join(t.dir_name());
        let old = tmp.path().join(format!(".old-{}", t.dir_name()));
        let had_old = fs::symlink_metadata(&dest).is_ok();
        if had_old {
            if let Err(e) = fs::rename(&dest, &old) {
                rollback(&swapped, tmp.path());
                return Err(e);
            }
        }
        if let Err(e) = fs::rename(&new, &dest) {
            if had_old {
                let _ = fs::rename(&old, &dest);
            }
            rollback(&swapped, tmp.path());
            return Err(e);
        }
        swapped.push((dest, had_old.then_some(old)));
    }

    // 3. Remove the old folders (with the temporary directory).
    let _ = tmp.close();
    Ok(())
}

/// Puts back the folders swapped so far (best effort; used only after a failed rename).
fn rollback(swapped: &[(PathBuf, Option<PathBuf>)], tmp: &Path) {
    for (k, (dest, old)) in swapped.iter().enumerate().rev() {
        let _ = fs::rename(dest, tmp.join(format!(".failed-{k}")));
        if let Some(old) = old {
            let _ = fs::rename(old, dest);
        }
    }
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
