//! Semantics' [`Loader`] over a [`World`]: `import "./x"` relative to the importing file,
//! never leaving the project directory (not even through a symbolic link).

use crate::project::{describe_read_error, io_message, read_text, rel_name, Project};
use crate::world::{normalize, EntryKind, World};
use std::io;
use std::path::{Component, Path, PathBuf};
use strata_semantics::Loader;

/// Loads imported files of one project from a world.
pub struct WorldLoader<'a> {
    world: &'a dyn World,
    root: PathBuf,
    /// The project directory with links resolved, when the world can tell.
    canonical_root: Option<PathBuf>,
}

impl<'a> WorldLoader<'a> {
    pub fn new(world: &'a dyn World, project: &Project) -> Self {
        let canonical_root = world.canonicalize(&project.root).ok();
        WorldLoader {
            world,
            root: project.root.clone(),
            canonical_root,
        }
    }

    /// The import target as a project-relative path, or why it is not allowed.
    fn target(&self, importer: &str, rel: &str) -> Result<PathBuf, String> {
        let rel_path = Path::new(rel);
        if rel_path.has_root()
            || rel_path
                .components()
                .any(|c| matches!(c, Component::Prefix(_)))
        {
            return Err(format!("`{rel}` is an absolute path; imports are relative to the importing file (`./modules/net`)"));
        }
        let base = Path::new(importer).parent().unwrap_or(Path::new(""));
        let joined = normalize(&base.join(rel_path));
        if joined.components().next() == Some(Component::ParentDir) {
            return Err(format!("`{rel}` leaves the project directory"));
        }
        Ok(joined)
    }

    /// Refuse a path whose real location (links resolved) is outside the project.
    fn inside(&self, path: &Path, shown: &str) -> Result<(), String> {
        let (Some(root), Ok(real)) = (&self.canonical_root, self.world.canonicalize(path)) else {
            return Ok(());
        };
        if real.starts_with(root) {
            Ok(())
        } else {
            Err(format!(
                "`{shown}` is a symbolic link that leads outside the project directory"
            ))
        }
    }

    fn read_one(&self, name: &str) -> Result<(String, String), String> {
        let path = self.root.join(name);
        self.inside(&path, name)?;
        read_text(self.world, &path)
            .map(|t| (name.to_string(), t))
            .map_err(|e| format!("cannot read `{name}`: {}", describe_read_error(&e)))
    }
}

impl Loader for WorldLoader<'_> {
    fn load(&self, importer: &str, rel: &str) -> Result<Vec<(String, String)>, String> {
        let target = self.target(importer, rel)?;
        let mut candidates = vec![target.clone()];
        if target.extension().is_none() {
            let mut with_ext = target.clone().into_os_string();
            with_ext.push(".strata");
            candidates.push(PathBuf::from(with_ext));
        }
        for cand in &candidates {
            let name = rel_name(cand);
            let path = if name == "." {
                self.root.clone()
            } else {
                self.root.join(cand)
            };
            let meta = match self.world.metadata(&path) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(format!("cannot read `{name}`: {}", io_message(&e))),
            };
            match meta.kind {
                EntryKind::File => return self.read_one(&name).map(|f| vec![f]),
                EntryKind::Dir => {
                    self.inside(&path, &name)?;
                    let entries = self.world.read_dir(&path).map_err(|e| {
                        format!("cannot read the directory `{name}`: {}", io_message(&e))
                    })?;
                    let mut files: Vec<String> = entries
                        .iter()
                        .filter(|p| p.extension().is_some_and(|e| e == "strata"))
                        .filter(|p| !matches!(self.world.metadata(p), Ok(m) if m.kind == EntryKind::Dir))
                        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                        .map(|f| if name == "." { f } else { format!("{name}/{f}") })
                        .collect();
                    files.sort();
                    return files.iter().map(|f| self.read_one(f)).collect();
                }
                EntryKind::Other => {
                    return Err(format!("`{name}` is neither a file nor a directory"))
                }
            }
        }
        let shown = rel_name(&target);
        if candidates.len() > 1 {
            Err(format!(
                "there is no file or directory `{shown}` (nor `{shown}.strata`) in the project"
            ))
        } else {
            Err(format!(
                "there is no file or directory `{shown}` in the project"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::MemoryWorld;

    fn loader(w: &MemoryWorld) -> WorldLoader<'_> {
        let project = Project {
            root: PathBuf::from("proj"),
            ..Project::default()
        };
        WorldLoader::new(w, &project)
    }

    fn names(r: Result<Vec<(String, String)>, String>) -> Vec<String> {
        r.unwrap().into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn imports_are_relative_to_the_importer() {
        let w = MemoryWorld::new()
            .with("proj/main.strata", "")
            .with("proj/modules/net/b.strata", "b")
            .with("proj/modules/net/a.strata", "a")
            .with("proj/modules/site.strata", "s")
            .with("proj/modules/net/sub/c.strata", "");
        let l = loader(&w);
        assert_eq!(
            names(l.load("main.strata", "./modules/net")),
            ["modules/net/a.strata", "modules/net/b.strata"]
        );
        assert_eq!(
            names(l.load("main.strata", "./modules/site")),
            ["modules/site.strata"]
        );
        assert_eq!(
            names(l.load("modules/net/a.strata", "../site.strata")),
            ["modules/site.strata"]
        );
        assert_eq!(
            names(l.load("modules/net/a.strata", "../..")),
            ["main.strata"]
        );
    }

    #[test]
    fn imports_cannot_escape_or_miss() {
        let mut w = MemoryWorld::new()
            .with("proj/main.strata", "")
            .with("other/x.strata", "");
        w.insert_unreadable("proj/locked.strata");
        w.insert("proj/latin1.strata", vec![b'#', 0xe9]);
        let l = loader(&w);
        let err = |r: Result<Vec<(String, String)>, String>| r.unwrap_err();
        assert!(err(l.load("main.strata", "../other")).contains("leaves the project directory"));
        assert!(err(l.load("main.strata", "/etc")).contains("absolute path"));
        assert!(err(l.load("main.strata", "./nope"))
            .contains("no file or directory `nope` (nor `nope.strata`)"));
        assert!(err(l.load("main.strata", "./locked.strata")).contains("Permission denied"));
        assert!(err(l.load("main.strata", "./latin1.strata"))
            .contains("not valid UTF-8 (first invalid byte at line 1, column 2)"));
    }
}
