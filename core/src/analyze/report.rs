//! What `istioctl analyze` shows for a set of files, the same on the command line and in the page:
//! what loading found (schema errors, unsupported kinds), then the analyzers' findings, sorted by
//! file, line and column; minus what the user suppressed (istioctl's `filterMessages`: the
//! `galley.istio.io/analyze-suppress` annotation, `-S CODE=Kind namespace/name`) and what is below
//! the output threshold.

use super::analyze_sources;
use crate::diag::{Diagnostic, Severity};
use crate::mesh::Loaded;
use crate::order;
use crate::parse::SourceFile;
use crate::playground::world::BOOKINFO_FILE;

/// The annotation that suppresses codes on the object carrying it: `IST0107,IST0002`, or `*`.
pub const SUPPRESS_ANNOTATION: &str = "galley.istio.io/analyze-suppress";

/// How to filter the findings: `istioctl analyze`'s `--suppress` and `--output-threshold`.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub suppress: Vec<Suppression>,
    /// Findings less severe than this are left out (`Info`, the default, keeps all).
    pub output_threshold: Severity,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            suppress: Vec::new(),
            output_threshold: Severity::Info,
        }
    }
}

/// One `-S CODE=RESOURCE`: the code on the resources whose name (`Kind namespace/name`, or
/// `Kind name` for cluster-scoped kinds, as istioctl names them) matches the pattern, where `*`
/// matches any text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub code: String,
    pub resource: String,
}

impl Suppression {
    /// `IST0102=Namespace frod`; anything but exactly one `=` is refused, as istioctl refuses it.
    pub fn parse(text: &str) -> Result<Suppression, String> {
        match text.split('=').collect::<Vec<_>>().as_slice() {
            [code, resource] => Ok(Suppression {
                code: code.to_string(),
                resource: resource.to_string(),
            }),
            _ => Err(format!(
                "{text} is not a valid suppression value. See istioctl analyze --help"
            )),
        }
    }

    /// Does it silence `d`? Only findings about a resource can be suppressed.
    pub fn matches(&self, d: &Diagnostic) -> bool {
        d.code == self.code && d.object.as_deref().is_some_and(|o| glob(&self.resource, o))
    }
}

/// istioctl's wildcard match (github.com/ryanuber/go-glob): `*` matches any text, everything else
/// itself.
pub fn glob(pattern: &str, subject: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let Some((last, init)) = parts.split_last() else {
        return subject == pattern;
    };
    if init.is_empty() {
        return subject == pattern;
    }
    let mut rest = subject;
    for (i, part) in init.iter().enumerate() {
        let Some(at) = rest.find(part) else {
            return false;
        };
        if i == 0 && !pattern.starts_with('*') && at != 0 {
            return false;
        }
        rest = &rest[at + part.len()..];
    }
    pattern.ends_with('*') || rest.ends_with(last)
}

/// Every finding to report for `files` (already loaded as `loaded`). Left out: notes (Info) from
/// loading, anything inside the built-in world, and codes the objects' suppress annotation names.
pub fn report(loaded: &Loaded, files: &[SourceFile]) -> Vec<Diagnostic> {
    report_with(loaded, files, &Options::default())
}

/// [`report`], filtered by `options`.
pub fn report_with(loaded: &Loaded, files: &[SourceFile], options: &Options) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.file != BOOKINFO_FILE)
        .filter(|d| d.severity != Severity::Info)
        .cloned()
        .collect();
    all.extend(analyze_sources(loaded, files));
    // The annotated objects, by where they are and how findings name them.
    let annotated: Vec<(&str, String, &str)> = loaded
        .mesh
        .objects
        .iter()
        .filter_map(|o| {
            let codes = o.meta.annotations.get(SUPPRESS_ANNOTATION)?;
            Some((o.origin.file.as_str(), o.display(), codes.as_str()))
        })
        .collect();
    all.retain(|d| {
        d.severity <= options.output_threshold
            && !options.suppress.iter().any(|s| s.matches(d))
            && !annotated.iter().any(|(file, object, codes)| {
                d.file == *file
                    && d.object.as_deref() == Some(object.as_str())
                    && codes.split(',').any(|c| c == "*" || c == d.code)
            })
    });
    order::sort_by(&mut all, |a, b| {
        (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column))
    });
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_like_istioctl() {
        assert!(glob("*", "Pod testing/mypod"));
        assert!(glob("Pod testing/*", "Pod testing/mypod"));
        assert!(glob("Pod */mypod", "Pod testing/mypod"));
        assert!(glob("*/mypod", "Pod testing/mypod"));
        assert!(glob("Pod *ing/my*", "Pod testing/mypod"));
        assert!(!glob("Pod testing/*", "Pod other/mypod"));
        assert!(!glob("Pod testing", "Pod testing/mypod"));
        assert!(!glob("ing/*", "Pod testing/mypod"));
        assert!(glob("Namespace frod", "Namespace frod"));
        assert!(!glob("", "Namespace frod"));
    }

    #[test]
    fn suppressions_parse_like_istioctl() {
        let s = Suppression::parse("IST0102=Namespace frod").unwrap();
        assert_eq!(
            (s.code.as_str(), s.resource.as_str()),
            ("IST0102", "Namespace frod")
        );
        assert!(Suppression::parse("IST0102").is_err());
        assert!(Suppression::parse("IST0102=a=b").is_err());
    }
}
