//! The VCD header as a flat list of scopes with dotted paths (`TOP.ttfs_top.u_layer1.g_lane[0]`),
//! so that the trace reader and the GTKWave save-file writer name the same signals.
//!
//! Promise: every name [`VcdHeader::full_name`] returns is a variable declared in the file, spelled
//! as GTKWave spells it (scope path, reference, and the bit range if the declaration has one).

use crate::error::{Result, WaveError};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use vcd::{IdCode, ScopeItem};

/// One declared variable.
#[derive(Clone, Debug)]
pub struct VarInfo {
    /// The reference (`pot_sum`).
    pub name: String,
    /// The declared bit range, as written (`[20:0]`), if any.
    pub index: Option<String>,
    pub size: u32,
    pub code: IdCode,
}

/// One scope with its variables (not those of its children).
#[derive(Clone, Debug)]
pub struct ScopeInfo {
    /// Dotted path from the root (`TOP.ttfs_top.u_layer1`).
    pub path: String,
    /// Last path component (`u_layer1`).
    pub name: String,
    /// 0 for a root scope.
    pub depth: usize,
    pub vars: Vec<VarInfo>,
}

impl ScopeInfo {
    pub fn var(&self, name: &str) -> Option<&VarInfo> {
        self.vars.iter().find(|v| v.name == name)
    }
}

/// Every scope of a VCD, depth first.
#[derive(Clone, Debug, Default)]
pub struct VcdHeader {
    pub scopes: Vec<ScopeInfo>,
}

impl VcdHeader {
    /// The shallowest scope declaring all of `names`.
    pub fn scope_with(&self, names: &[&str]) -> Option<&ScopeInfo> {
        self.scopes
            .iter()
            .filter(|s| names.iter().all(|n| s.var(n).is_some()))
            .min_by_key(|s| s.depth)
    }

    /// The shallowest scope called `name`.
    pub fn scope_named(&self, name: &str) -> Option<&ScopeInfo> {
        self.scopes
            .iter()
            .filter(|s| s.name == name)
            .min_by_key(|s| s.depth)
    }

    /// The variable a design's debug signal names (`path` relative to the top module, as in
    /// `hdl::DebugSignal::path`): looked up under every scope that declares all ports of the
    /// contract (the top-module instance: `TOP.ttfs_top` in Verilator, the bench's `dut` in Icarus),
    /// shallowest first. `None` if the file does not hold it (e.g. traced to the ports only).
    pub fn design_var(&self, path: &str) -> Option<(&ScopeInfo, &VarInfo)> {
        let (dir, name) = path.rsplit_once('.').unwrap_or(("", path));
        let mut roots: Vec<&ScopeInfo> = self
            .scopes
            .iter()
            .filter(|s| hdl::contract::PORTS.iter().all(|p| s.var(p.name).is_some()))
            .collect();
        roots.sort_by_key(|s| s.depth);
        roots.into_iter().find_map(|root| {
            let want = if dir.is_empty() {
                root.path.clone()
            } else {
                format!("{}.{dir}", root.path)
            };
            let scope = self.scopes.iter().find(|s| s.path == want)?;
            scope.var(name).map(|v| (scope, v))
        })
    }

    /// Direct children of the scope at `path`.
    pub fn children<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a ScopeInfo> + 'a {
        let prefix = format!("{path}.");
        self.scopes.iter().filter(move |s| {
            s.path
                .strip_prefix(&prefix)
                .is_some_and(|rest| !rest.contains('.'))
        })
    }

    /// The name GTKWave uses for a variable of a scope: `path.reference[msb:lsb]`.
    pub fn full_name(scope: &ScopeInfo, var: &VarInfo) -> String {
        format!(
            "{}.{}{}",
            scope.path,
            var.name,
            var.index.as_deref().unwrap_or("")
        )
    }

    /// Every full variable name declared in the file.
    pub fn all_names(&self) -> Vec<String> {
        self.scopes
            .iter()
            .flat_map(|s| s.vars.iter().map(move |v| Self::full_name(s, v)))
            .collect()
    }
}

/// The scopes of the header with their own variables (the walk is `sim::vcd_read::scopes`).
fn collect(items: &[ScopeItem]) -> Vec<ScopeInfo> {
    sim::vcd_read::scopes(items)
        .into_iter()
        .map(|(depth, path, s)| ScopeInfo {
            path,
            name: s.identifier.clone(),
            depth,
            vars: s
                .items
                .iter()
                .filter_map(|i| match i {
                    ScopeItem::Var(v) => Some(VarInfo {
                        name: v.reference.clone(),
                        index: v.index.map(|x| x.to_string()),
                        size: v.size,
                        code: v.code,
                    }),
                    _ => None,
                })
                .collect(),
        })
        .collect()
}

/// A parser positioned after the header.
pub type VcdParser = vcd::Parser<BufReader<File>>;

/// Opens a VCD and reads its header; the returned parser streams the body.
pub fn open(path: &Path) -> Result<(VcdParser, VcdHeader)> {
    let file = File::open(path).map_err(|e| WaveError::io(path, e))?;
    let mut parser = vcd::Parser::new(BufReader::with_capacity(1 << 20, file));
    let header = parser
        .parse_header()
        .map_err(|e| WaveError::format(path, format!("not a readable VCD header: {e}")))?;
    let scopes = collect(&header.items);
    Ok((parser, VcdHeader { scopes }))
}
