//! Finding a project's files and settings: `PATH` is a `.strata` file or a project directory
//! (all `*.strata` files directly in it, sorted by name; more arrive through imports), with an
//! optional `strata.toml` beside them.

use crate::codes as c;
use crate::world::{leads_outside, normalize, EntryKind, World};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use strata_base::{did_you_mean, Diagnostic, FileId, SourceMap, Span};
use strata_model::{Target, Value};

/// Largest source file (or `strata.toml`) the driver reads: 16 MiB.
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// The settings file's name.
pub const CONFIG_FILE: &str = "strata.toml";
/// The usage file of the cost estimate (like Infracost's): `[cost]`'s keys at the top level.
pub const USAGE_FILE: &str = "usage.toml";

/// A loaded project: where it is, how to show its paths, and its settings.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// The project directory, as the user named it (lexically normalised; `.` for the current
    /// directory). Every project file name is relative to it.
    pub root: PathBuf,
    /// Set when `PATH` named one file: its project-relative name.
    pub single_file: Option<String>,
    /// Settings from `strata.toml` (defaults when there is none).
    pub config: Config,
    /// `strata.toml` in the source map, when present (diagnostics point into it).
    pub config_file: Option<FileId>,
    /// Placeholder files whose names are already what the user should see (a `PATH` that
    /// does not exist, an output directory): [`Project::display_file`] shows them as they are.
    pub verbatim_files: Vec<FileId>,
}

impl Project {
    /// How to show a project-relative file name to the user: relative to the current
    /// directory when the project was named by a relative path (`examples/x/main.strata`).
    /// Stdlib names (`<stdlib>/...`) are returned as they are.
    pub fn display_name(&self, name: &str) -> String {
        if name.starts_with('<') || self.root == Path::new(".") {
            return name.to_string();
        }
        let mut s = self.root.to_string_lossy().replace('\\', "/");
        if !s.ends_with('/') {
            s.push('/');
        }
        s.push_str(name);
        s
    }

    /// How to show a file of the source map to the user (see [`Project::display_name`]).
    pub fn display_file(&self, sources: &SourceMap, file: FileId) -> String {
        match sources.try_get(file) {
            Some(f) if self.verbatim_files.contains(&file) => f.name.clone(),
            Some(f) => self.display_name(&f.name),
            None => String::new(),
        }
    }

    /// Add a placeholder file named `shown` (see [`Project::verbatim_files`]).
    pub fn add_verbatim(&mut self, sources: &mut SourceMap, shown: &str) -> FileId {
        let id = sources.add(shown, "", false);
        self.verbatim_files.push(id);
        id
    }

    /// The path of a project-relative file name on disk (or in the world).
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

/// `strata.toml`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// `[env.NAME.params]`: parameter values per environment.
    pub envs: BTreeMap<String, EnvConfig>,
    /// `[rules]`: rule levels and options, parsed by the policy stage.
    pub policy: strata_policy::PolicyConfig,
    /// `[compile]`.
    pub compile: CompileConfig,
    /// `[cost]`: usage the cost estimate assumes where the model does not say.
    pub usage: strata_policy::UsageAssumptions,
    /// `[kubernetes] crds`: CustomResourceDefinition files or directories (project-relative),
    /// with the span of each entry in strata.toml.
    pub crds: Vec<(String, Span)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct EnvConfig {
    pub params: BTreeMap<String, Value>,
}

/// CloudFormation template syntax.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CfnFormat {
    #[default]
    Json,
    Yaml,
}

impl CfnFormat {
    pub fn parse(s: &str) -> Option<CfnFormat> {
        match s {
            "json" => Some(CfnFormat::Json),
            "yaml" | "yml" => Some(CfnFormat::Yaml),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompileConfig {
    /// Targets to emit; `None` = every target the stacks' providers support.
    pub targets: Option<Vec<Target>>,
    /// Output directory, relative to the project directory, inside it (checked when parsed:
    /// not absolute, not climbing out with `..`, not the project directory itself).
    pub out: Option<PathBuf>,
    /// Where `out` is written in `strata.toml`.
    pub out_span: Option<Span>,
    pub cfn_format: Option<CfnFormat>,
}

/// Result of [`load_project`].
#[derive(Debug, Default)]
pub struct LoadedProject {
    pub project: Project,
    /// The project's own source files, in the order they are analysed.
    pub files: Vec<FileId>,
    /// Problems finding or reading the files, or in `strata.toml` (codes `E4xxx`).
    pub diagnostics: Vec<Diagnostic>,
}

/// Why a text file could not be used.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    NotAFile,
    TooLarge,
    /// Not UTF-8: the text decoded lossily and the byte offset of the first bad byte.
    NotUtf8 {
        lossy: String,
        offset: usize,
    },
}

/// Read a text file through the world, at most [`MAX_FILE_SIZE`] bytes, checking UTF-8.
pub fn read_text(world: &dyn World, path: &Path) -> Result<String, ReadError> {
    let meta = world.metadata(path).map_err(ReadError::Io)?;
    match meta.kind {
        EntryKind::File => {}
        EntryKind::Dir | EntryKind::Other => return Err(ReadError::NotAFile),
    }
    if meta.len > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge);
    }
    let bytes = world.read(path, MAX_FILE_SIZE).map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        ReadError::NotUtf8 {
            lossy: String::from_utf8_lossy(e.as_bytes()).into_owned(),
            offset,
        }
    })
}

/// A short description of a read error, for messages that name the file themselves.
pub fn describe_read_error(e: &ReadError) -> String {
    match e {
        ReadError::Io(e) => io_message(e),
        ReadError::NotAFile => "it is not a regular file".into(),
        ReadError::TooLarge => "it is larger than 16 MiB".into(),
        ReadError::NotUtf8 { lossy, offset } => {
            let f = strata_base::SourceFile::new(FileId(0), "", lossy.as_str(), false);
            let lc = f.line_col(*offset as u32);
            format!(
                "it is not valid UTF-8 (first invalid byte at line {}, column {})",
                lc.line, lc.column
            )
        }
    }
}

/// An I/O error without the "(os error N)" suffix.
pub fn io_message(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Turn `path` into a project-relative name with `/` separators.
pub(crate) fn rel_name(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Add a file the driver could not use to the source map (so that diagnostics can name it and,
/// for bad UTF-8, point at the bad byte) and describe why.
pub(crate) fn unusable_file_diagnostic(
    sources: &mut SourceMap,
    name: &str,
    shown: &str,
    err: ReadError,
) -> Diagnostic {
    match err {
        ReadError::NotUtf8 { lossy, offset } => {
            let id = sources.add(name, lossy, false);
            let end = sources.get(id).text[offset..]
                .chars()
                .next()
                .map_or(offset, |ch| offset + ch.len_utf8());
            Diagnostic::error(c::INVALID_UTF8, format!("`{shown}` is not valid UTF-8"), Span::new(id, offset, end))
                .with_label("this byte is not UTF-8")
                .with_help("Strata sources are UTF-8 text: re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)")
        }
        ReadError::TooLarge => {
            let id = sources.add(name, "", false);
            Diagnostic::error(c::FILE_TOO_LARGE, format!("`{shown}` is larger than 16 MiB"), Span::new(id, 0, 0))
                .with_help("split the project into several files or modules; no single source file may exceed 16 MiB")
        }
        ReadError::NotAFile => {
            let id = sources.add(name, "", false);
            Diagnostic::error(
                c::UNREADABLE,
                format!("cannot read `{shown}`: it is not a regular file"),
                Span::new(id, 0, 0),
            )
            .with_help("remove it, or rename it so that its name does not end in `.strata`")
        }
        ReadError::Io(e) => {
            let id = sources.add(name, "", false);
            Diagnostic::error(
                c::UNREADABLE,
                format!("cannot read `{shown}`: {}", io_message(&e)),
                Span::new(id, 0, 0),
            )
            .with_help("check that the file exists and that you may read it")
        }
    }
}

/// The diagnostic for a file that is a symbolic link leading outside the project (`file`: a
/// placeholder without text): it names the link, never what it points to; the file is not read.
pub(crate) fn link_outside_diagnostic(file: FileId, shown: &str) -> Diagnostic {
    Diagnostic::error(c::LINK_OUTSIDE, format!("`{shown}` is a symbolic link that leads outside the project directory; it was not read"), Span::new(file, 0, 0)).with_help(
        "Strata reads only files inside the project directory: copy the file into the project, or remove the link (links that stay inside the project are fine)",
    )
}

/// Find and read a project. Never fails: problems become diagnostics (every one of them
/// an error of code `E4xxx`, except unknown rule names in `strata.toml`, which warn).
pub fn load_project(world: &dyn World, path: &Path, sources: &mut SourceMap) -> LoadedProject {
    let path = normalize(path);
    let mut out = LoadedProject::default();
    let shown = path.to_string_lossy().into_owned();
    let meta = match world.metadata(&path) {
        Ok(m) => m,
        Err(e) => {
            out.project.root = path.clone();
            let id = out.project.add_verbatim(sources, &shown);
            let d = if e.kind() == io::ErrorKind::NotFound {
                Diagnostic::error(c::PATH_NOT_FOUND, format!("`{shown}` does not exist"), Span::new(id, 0, 0))
                    .with_help("pass a .strata file or a project directory (the default is the current directory); `strata init` creates a project")
            } else {
                Diagnostic::error(
                    c::UNREADABLE,
                    format!("cannot read `{shown}`: {}", io_message(&e)),
                    Span::new(id, 0, 0),
                )
                .with_help("check that you may read it")
            };
            out.diagnostics.push(d);
            return out;
        }
    };
    let (root, names) = match meta.kind {
        EntryKind::File => {
            let root = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            // A file named on the command line is read as Strata source whatever its name
            // (`strata check infra.txt`, as `rustc main.txt`); only the settings file is not.
            if name == CONFIG_FILE {
                out.project.root = root;
                let id = out.project.add_verbatim(sources, &shown);
                out.diagnostics.push(
                    Diagnostic::error(c::NO_SOURCES, format!("`{shown}` is the settings file of a project, not a Strata source file"), Span::new(id, 0, 0))
                        .with_help("pass the project directory (its strata.toml is read with it) or a .strata file"),
                );
                return out;
            }
            out.project.single_file = Some(name.clone());
            (root, vec![name])
        }
        EntryKind::Dir => {
            let entries = match world.read_dir(&path) {
                Ok(e) => e,
                Err(e) => {
                    out.project.root = path.clone();
                    let id = out.project.add_verbatim(sources, &shown);
                    out.diagnostics.push(
                        Diagnostic::error(
                            c::UNREADABLE,
                            format!("cannot read the directory `{shown}`: {}", io_message(&e)),
                            Span::new(id, 0, 0),
                        )
                        .with_help("check that you may list the directory"),
                    );
                    return out;
                }
            };
            let mut names: Vec<String> = entries
                .iter()
                .filter(|p| p.extension().is_some_and(|e| e == "strata"))
                // Directories named `x.strata` are not source files; anything else is read (and
                // reported if it cannot be).
                .filter(|p| !matches!(world.metadata(p), Ok(m) if m.kind == EntryKind::Dir))
                .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect();
            names.sort();
            (path.clone(), names)
        }
        EntryKind::Other => {
            out.project.root = path.clone();
            let id = out.project.add_verbatim(sources, &shown);
            out.diagnostics.push(
                Diagnostic::error(
                    c::UNREADABLE,
                    format!("cannot read `{shown}`: it is neither a file nor a directory"),
                    Span::new(id, 0, 0),
                )
                .with_help("pass a .strata file or a project directory"),
            );
            return out;
        }
    };
    out.project.root = root;
    // No file is read from outside the project through a symbolic link (imports: loader.rs).
    let canonical_root = world.canonicalize(&out.project.root).ok();

    // strata.toml
    let config_path = out.project.path_of(CONFIG_FILE);
    if world.metadata(&config_path).is_ok() {
        let shown = out.project.display_name(CONFIG_FILE);
        if leads_outside(world, &config_path, canonical_root.as_deref()) {
            let id = out.project.add_verbatim(sources, &shown);
            out.diagnostics.push(link_outside_diagnostic(id, &shown));
        } else {
            match read_text(world, &config_path) {
                Ok(text) => {
                    let id = sources.add(CONFIG_FILE, text, false);
                    out.project.config_file = Some(id);
                    let text = sources.get(id).text.clone();
                    let (config, diags) = parse_config(id, &text);
                    out.project.config = config;
                    out.diagnostics.extend(diags);
                }
                Err(e) => {
                    out.diagnostics
                        .push(unusable_file_diagnostic(sources, CONFIG_FILE, &shown, e))
                }
            }
        }
    }

    // usage.toml: usage the cost estimate prices (overrides `[cost]` of strata.toml).
    let usage_path = out.project.path_of(USAGE_FILE);
    if world.metadata(&usage_path).is_ok() {
        let shown_usage = out.project.display_name(USAGE_FILE);
        if leads_outside(world, &usage_path, canonical_root.as_deref()) {
            let id = out.project.add_verbatim(sources, &shown_usage);
            out.diagnostics
                .push(link_outside_diagnostic(id, &shown_usage));
        } else {
            match read_text(world, &usage_path) {
                Ok(text) => {
                    let id = sources.add(USAGE_FILE, text, false);
                    // Not a source file of the project (not counted, not analysed).
                    out.project.verbatim_files.push(id);
                    let text = sources.get(id).text.clone();
                    let mut diags = Vec::new();
                    parse_usage_file(id, &text, &mut out.project.config.usage, &mut diags);
                    out.project.config.policy.usage = out.project.config.usage.clone();
                    out.diagnostics.extend(diags);
                }
                Err(e) => out.diagnostics.push(unusable_file_diagnostic(
                    sources,
                    USAGE_FILE,
                    &shown_usage,
                    e,
                )),
            }
        }
    }

    if names.is_empty() {
        let id = out.project.add_verbatim(sources, &shown);
        out.diagnostics.push(
            Diagnostic::error(c::NO_SOURCES, format!("`{shown}` contains no .strata files"), Span::new(id, 0, 0))
                .with_help("pass a .strata file or a directory that holds some; `strata init` creates a starter project"),
        );
        return out;
    }
    for name in names {
        let shown = out.project.display_name(&name);
        let path = out.project.path_of(&name);
        if leads_outside(world, &path, canonical_root.as_deref()) {
            let id = out.project.add_verbatim(sources, &shown);
            out.diagnostics.push(link_outside_diagnostic(id, &shown));
            continue;
        }
        match read_text(world, &path) {
            Ok(text) => out.files.push(sources.add(name, text, false)),
            Err(e) => out
                .diagnostics
                .push(unusable_file_diagnostic(sources, &name, &shown, e)),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// strata.toml

/// Keys of `[cost.resources.NAME]`.
const RESOURCE_USAGE_KEYS: &[&str] = strata_policy::cost::USAGE_KEYS;

/// `usage.toml`: the keys of `[cost]` at the top level (`hours_per_month`, `object_storage_gib`,
/// `nat_gib`, `[resources.NAME]`).
fn parse_usage_file(
    file: FileId,
    text: &str,
    usage: &mut strata_policy::UsageAssumptions,
    diags: &mut Vec<Diagnostic>,
) {
    match toml::from_str::<BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>>(text) {
        Ok(raw) => parse_cost(file, raw, usage, diags),
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let msg = e.message().trim().to_string();
            diags.push(
                bad_config(file, range, format!("invalid usage.toml: {msg}"))
                    .with_label(msg)
                    .with_help("usage.toml has the keys of `[cost]`: `object_storage_gib = 500`, `[resources.NAME]` with `storage_gib`, `requests_millions`, ... (see docs/cost.md)"),
            );
        }
    }
}

fn number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) if f.is_finite() => Some(*f),
        _ => None,
    }
    .filter(|x| *x >= 0.0)
}

/// `[cost]`: `hours_per_month`, `object_storage_gib`, `nat_gib`, `[cost.resources.NAME]`.
fn parse_cost(
    file: FileId,
    raw: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>,
    usage: &mut strata_policy::UsageAssumptions,
    diags: &mut Vec<Diagnostic>,
) {
    let not_number = |key: &str, span: Span| {
        Diagnostic::error(
            c::BAD_CONFIG,
            format!("`{key}` in [cost] must be a non-negative number"),
            span,
        )
        .with_label("not a number")
        .with_help("write e.g. `object_storage_gib = 500`")
    };
    for (key, value) in raw {
        let kspan = span_of(file, &key);
        let vspan = span_of(file, &value);
        match key.get_ref().as_str() {
            k @ ("hours_per_month" | "object_storage_gib" | "nat_gib") => {
                match number(value.get_ref()) {
                    Some(x) => match k {
                        "hours_per_month" => usage.hours_per_month = x,
                        "object_storage_gib" => usage.object_storage_gib = x,
                        _ => usage.nat_gib = x,
                    },
                    None => diags.push(not_number(k, vspan)),
                }
            }
            "resources" => {
                let toml::Value::Table(t) = value.into_inner() else {
                    diags.push(
                        Diagnostic::error(
                            c::BAD_CONFIG,
                            "`[cost.resources]` must be a table of resource names",
                            vspan,
                        )
                        .with_help("write `[cost.resources.uploads]` then `storage_gib = 500`"),
                    );
                    continue;
                };
                for (name, entries) in t {
                    let toml::Value::Table(entries) = entries else {
                        diags.push(
                            Diagnostic::error(
                                c::BAD_CONFIG,
                                format!("`[cost.resources.{name}]` must be a table"),
                                vspan,
                            )
                            .with_help("write `storage_gib = 500` under `[cost.resources.NAME]`"),
                        );
                        continue;
                    };
                    for (k, v) in entries {
                        if !RESOURCE_USAGE_KEYS.contains(&k.as_str()) {
                            let mut d = Diagnostic::error(
                                c::BAD_CONFIG,
                                format!("unknown usage `{k}` for resource `{name}`"),
                                vspan,
                            );
                            d = match did_you_mean(&k, RESOURCE_USAGE_KEYS.iter().copied()) {
                                Some(s) => d.with_help(format!(
                                    "did you mean `{s}`? The keys are {}",
                                    RESOURCE_USAGE_KEYS.join(", ")
                                )),
                                None => d.with_help(format!(
                                    "the keys are {}",
                                    RESOURCE_USAGE_KEYS.join(", ")
                                )),
                            };
                            diags.push(d);
                            continue;
                        }
                        match number(&v) {
                            Some(x) => {
                                usage
                                    .per_resource
                                    .entry(name.clone())
                                    .or_default()
                                    .insert(k, x);
                            }
                            None => diags.push(not_number(&k, vspan)),
                        }
                    }
                }
            }
            other => {
                let keys = [
                    "hours_per_month",
                    "object_storage_gib",
                    "nat_gib",
                    "resources",
                ];
                let mut d = Diagnostic::error(
                    c::BAD_CONFIG,
                    format!("unknown key `{other}` in [cost]"),
                    kspan,
                )
                .with_label("not a cost setting");
                d = match did_you_mean(other, keys) {
                    Some(s) => d.with_help(format!(
                        "did you mean `{s}`? [cost] has {}",
                        keys.join(", ")
                    )),
                    None => d.with_help(format!("[cost] has {}", keys.join(", "))),
                };
                diags.push(d);
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    env: BTreeMap<String, RawEnv>,
    /// Parsed by the policy stage (`strata_policy::PolicyConfig::parse`).
    #[serde(default)]
    #[allow(dead_code)]
    rules: Option<toml::Value>,
    #[serde(default)]
    compile: RawCompile,
    #[serde(default)]
    cost: BTreeMap<toml::Spanned<String>, toml::Spanned<toml::Value>>,
    #[serde(default)]
    kubernetes: RawKubernetes,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawKubernetes {
    /// CRD files (or directories of them), relative to the project directory.
    #[serde(default)]
    crds: Vec<toml::Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    #[serde(default)]
    params: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCompile {
    targets: Option<toml::Spanned<Vec<toml::Spanned<String>>>>,
    out: Option<toml::Spanned<String>>,
    cfn_format: Option<toml::Spanned<String>>,
}

/// Whether `out` (from `strata.toml`) names a directory strictly inside the project: a
/// `strata compile` without `--out` must never replace a folder elsewhere (`out = "../infra"`
/// once deleted hand-written files next to the project). Lexical; links are checked when
/// compiling.
fn out_inside_project(out: &Path) -> Result<(), &'static str> {
    use std::path::Component;
    if out.has_root() || out.components().any(|c| matches!(c, Component::Prefix(_))) {
        Err("is an absolute path")
    } else if normalize(out).components().next() == Some(Component::ParentDir) {
        Err("leaves the project directory")
    } else if normalize(out) == Path::new(".") {
        Err("is the project directory itself")
    } else {
        Ok(())
    }
}

/// A string written like a Strata quantity literal (`"100 GiB"`, `"7d"`, `"300 USD/month"`).
fn parse_quantity(s: &str) -> Option<Value> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))?;
    let (num, unit) = s.split_at(split);
    if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let value: f64 = num.replace('_', "").parse().ok()?;
    let u = strata_base::units::unit(unit.trim_start())?;
    Some(Value::Quantity(strata_model::Quantity {
        value: value * u.factor,
        dimension: u.dimension,
        unit: u.name.to_string(),
    }))
}

/// A string written like an IPv4 CIDR literal (`"10.0.0.0/16"`).
fn is_cidr(s: &str) -> bool {
    let Some((addr, len)) = s.split_once('/') else {
        return false;
    };
    let octets: Vec<&str> = addr.split('.').collect();
    octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
        && len.parse::<u8>().is_ok_and(|l| l <= 32)
}

/// A TOML value as a Strata value. TOML has no units or CIDR blocks: strings written like a
/// quantity or an IPv4 CIDR literal become one.
fn toml_to_value(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => match parse_quantity(&s) {
            Some(q) => q,
            None if is_cidr(&s) => Value::cidr(s),
            None => Value::str(s),
        },
        toml::Value::Integer(i) => Value::Int(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::str(d.to_string()),
        toml::Value::Array(a) => Value::List(a.into_iter().map(toml_to_value).collect()),
        toml::Value::Table(t) => {
            Value::Record(t.into_iter().map(|(k, v)| (k, toml_to_value(v))).collect())
        }
    }
}

fn span_of<T>(file: FileId, s: &toml::Spanned<T>) -> Span {
    let r = s.span();
    Span::new(file, r.start, r.end)
}

fn bad_config(
    file: FileId,
    range: std::ops::Range<usize>,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic::error(
        c::BAD_CONFIG,
        message,
        Span::new(file, range.start, range.end),
    )
}

/// Parse `strata.toml` (already in the source map as `file`).
pub fn parse_config(file: FileId, text: &str) -> (Config, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let raw: RawConfig = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let msg = e.message().trim().to_string();
            let help = if msg.contains("unknown field") {
                "strata.toml has the tables `[env.NAME.params]`, `[rules]` and `[compile]` (see docs/strata-toml.md)"
            } else {
                "fix the TOML syntax (see docs/strata-toml.md for the format)"
            };
            diags.push(
                bad_config(file, range, format!("invalid strata.toml: {msg}"))
                    .with_label(msg)
                    .with_help(help),
            );
            return (Config::default(), diags);
        }
    };
    let mut config = Config::default();
    for (name, env) in raw.env {
        config.envs.insert(
            name,
            EnvConfig {
                params: env
                    .params
                    .into_iter()
                    .map(|(k, v)| (k, toml_to_value(v)))
                    .collect(),
            },
        );
    }
    let (policy, policy_diags) = strata_policy::PolicyConfig::parse(file, text);
    config.policy = policy;
    diags.extend(policy_diags);
    if let Some(targets) = raw.compile.targets {
        let mut list = Vec::new();
        for t in targets.into_inner() {
            match Target::parse(t.get_ref()) {
                Some(target) => list.push(target),
                None => {
                    let names = Target::ALL.map(|t| t.dir_name());
                    let mut d = Diagnostic::error(
                        c::BAD_CONFIG,
                        format!("unknown target `{}`", t.get_ref()),
                        span_of(file, &t),
                    )
                    .with_label("not a target");
                    d = match did_you_mean(t.get_ref(), names) {
                        Some(s) => d.with_help(format!(
                            "did you mean `{s}`? The targets are {}",
                            names.join(", ")
                        )),
                        None => d.with_help(format!("the targets are {}", names.join(", "))),
                    };
                    diags.push(d);
                }
            }
        }
        list.sort();
        list.dedup();
        config.compile.targets = Some(list);
    }
    if let Some(out) = raw.compile.out {
        let span = span_of(file, &out);
        match out_inside_project(Path::new(out.get_ref())) {
            Ok(()) => {
                config.compile.out = Some(PathBuf::from(out.get_ref()));
                config.compile.out_span = Some(span);
            }
            Err(why) => diags.push(
                Diagnostic::error(c::OUT_OUTSIDE, format!("`out = {:?}` in [compile] {why}", out.get_ref()), span)
                    .with_label("not a directory inside the project")
                    .with_help("`[compile] out` is relative to the project directory and must name a directory inside it (e.g. `out = \"build\"`); to write elsewhere, pass `--out DIR` on the command line"),
            ),
        }
    }
    config.crds = raw
        .kubernetes
        .crds
        .iter()
        .map(|c| (c.get_ref().clone(), span_of(file, c)))
        .collect();
    parse_cost(file, raw.cost, &mut config.usage, &mut diags);
    // The budget rule prices like `strata cost`.
    config.policy.usage = config.usage.clone();
    if let Some(f) = raw.compile.cfn_format {
        match CfnFormat::parse(f.get_ref()) {
            Some(fmt) => config.compile.cfn_format = Some(fmt),
            None => diags.push(
                Diagnostic::error(
                    c::BAD_CONFIG,
                    format!("unknown CloudFormation format `{}`", f.get_ref()),
                    span_of(file, &f),
                )
                .with_label("not a format")
                .with_help("`cfn_format` is \"json\" or \"yaml\""),
            ),
        }
    }
    (config, diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::MemoryWorld;

    fn load(w: &MemoryWorld, path: &str) -> (LoadedProject, SourceMap) {
        let mut sources = SourceMap::new();
        let p = load_project(w, Path::new(path), &mut sources);
        (p, sources)
    }

    fn codes(p: &LoadedProject) -> Vec<&str> {
        p.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn directory_files_are_sorted_and_non_recursive() {
        let w = MemoryWorld::new()
            .with("p/b.strata", "")
            .with("p/a.strata", "")
            .with("p/sub/c.strata", "")
            .with("p/notes.txt", "");
        let (p, s) = load(&w, "p");
        let names: Vec<&str> = p.files.iter().map(|&f| s.get(f).name.as_str()).collect();
        assert_eq!(names, ["a.strata", "b.strata"]);
        assert!(p.diagnostics.is_empty());
        assert_eq!(p.project.display_name("a.strata"), "p/a.strata");
    }

    #[test]
    fn single_file_root_is_its_directory() {
        let w = MemoryWorld::new()
            .with("p/a.strata", "")
            .with("p/b.strata", "");
        let (p, s) = load(&w, "./p/a.strata");
        assert_eq!(p.project.root, PathBuf::from("p"));
        assert_eq!(p.files.len(), 1);
        assert_eq!(s.get(p.files[0]).name, "a.strata");
        let (p, _) = load(&MemoryWorld::new().with("a.strata", ""), "a.strata");
        assert_eq!(p.project.display_name("a.strata"), "a.strata");
    }

    #[test]
    fn io_problems_are_e4_diagnostics() {
        let mut w = MemoryWorld::new()
            .with("p/bad.strata", vec![b'a', b'\n', b'x', 0xff, b'y'])
            .with("p/big.strata", vec![b' '; MAX_FILE_SIZE as usize + 1]);
        w.insert_unreadable("p/secret.strata");
        let (p, s) = load(&w, "p");
        assert_eq!(codes(&p), ["E4004", "E4003", "E4002"]);
        let bad = &p.diagnostics[0];
        assert_eq!(s.get(bad.span().file).line_col(bad.span().start).line, 2);
        assert!(p.files.is_empty());
        let (p, _) = load(&w, "nowhere");
        assert_eq!(codes(&p), ["E4001"]);
        let (p, _) = load(&MemoryWorld::new().with("p/x.txt", ""), "p");
        assert_eq!(codes(&p), ["E4008"]);
        // A file named explicitly is a source whatever its extension; the settings file is not.
        let w = MemoryWorld::new()
            .with("p/infra.txt", "let a = 1\n")
            .with("p/strata.toml", "");
        let (p, s) = load(&w, "p/infra.txt");
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(
            p.files
                .iter()
                .map(|&f| s.get(f).name.as_str())
                .collect::<Vec<_>>(),
            ["infra.txt"]
        );
        let (p, _) = load(&w, "p/strata.toml");
        assert_eq!(codes(&p), ["E4008"]);
        assert!(p.files.is_empty());
    }

    #[test]
    fn config_is_parsed() {
        let toml = r#"
[env.prod.params]
region = "eu-west-1"
replicas = 3
disk = "100 GiB"
window = "7d"
net = "10.0.0.0/16"

[rules]
GRAPH005 = "off"

[compile]
targets = ["terraform", "cfn"]
out = "build"
cfn_format = "yaml"

[cost]
object_storage_gib = 250
nat_gib = 12.5

[cost.resources.uploads]
storage_gib = 2000
"#;
        let (c, d) = parse_config(FileId(0), toml);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(c.envs["prod"].params["replicas"], Value::Int(3));
        assert_eq!(
            c.envs["prod"].params["region"],
            Value::Str("eu-west-1".into())
        );
        assert!(
            matches!(&c.envs["prod"].params["disk"], Value::Quantity(q) if q.value == 100.0 * 1073741824.0 && q.unit == "GiB")
        );
        assert!(
            matches!(&c.envs["prod"].params["window"], Value::Quantity(q) if q.value == 7.0 * 86400.0)
        );
        assert_eq!(
            c.envs["prod"].params["net"],
            Value::Cidr("10.0.0.0/16".into())
        );
        assert_eq!(
            c.policy.rules["GRAPH005"].level,
            Some(strata_policy::Level::Off)
        );
        assert_eq!(
            c.compile.targets,
            Some(vec![Target::CloudFormation, Target::Terraform])
        );
        assert_eq!(c.compile.cfn_format, Some(CfnFormat::Yaml));
        assert_eq!((c.usage.object_storage_gib, c.usage.nat_gib), (250.0, 12.5));
        assert_eq!(c.usage.per_resource["uploads"]["storage_gib"], 2000.0);
        assert_eq!(c.policy.usage, c.usage);
        let (_, d) = parse_config(
            FileId(0),
            "[cost]\nobject_storage = 1\n[cost.resources.x]\nstorage = 1\n",
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d
            .iter()
            .all(|d| d.help.as_deref().unwrap_or("").contains("did you mean")));
    }

    #[test]
    fn bad_config_points_at_the_problem() {
        let (_, d) = parse_config(
            FileId(0),
            "[compile]\ntargets = [\"terraform\", \"kubernetis\"]\n",
        );
        assert_eq!(d.len(), 1);
        assert!(d[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean `kubernetes`"));
        let (_, d) = parse_config(FileId(0), "[compil]\n");
        assert_eq!(d[0].code, "E4005");
        assert_eq!(d[0].span().start, 1);
        let (_, d) = parse_config(FileId(0), "[rules]\nGRAPH005 = \"loud\"\n");
        assert_eq!(d[0].code, "POL010");
        let (_, d) = parse_config(FileId(0), "x = = 1");
        assert_eq!(d[0].code, "E4005");
        // `[compile] out` stays inside the project (`--out` may go anywhere).
        for out in ["../infra", "/srv/infra", "build/../..", ".", "", "./"] {
            let text = format!("[compile]\nout = {out:?}\n");
            let (c, d) = parse_config(FileId(0), &text);
            assert_eq!(
                d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
                ["E4013"],
                "{out}"
            );
            assert_eq!(&text[d[0].span().range()], format!("{out:?}"), "{out}");
            assert!(d[0].help.as_deref().is_some_and(|h| h.contains("--out")));
            assert_eq!(c.compile.out, None);
        }
        for out in ["build", "out/deploy", "./gen", "a/../b"] {
            let (c, d) = parse_config(FileId(0), &format!("[compile]\nout = {out:?}\n"));
            assert!(d.is_empty(), "{out}: {d:?}");
            assert_eq!(c.compile.out, Some(PathBuf::from(out)));
        }
    }
}
