//! Tool reports read back, and the one utilisation summary written beside the bitstream.
//!
//! - [`YosysStat::parse`]: Yosys `stat -json` (cell counts by type after technology mapping).
//! - [`PnrReport::parse`]: nextpnr's `--report` JSON (used / available per placed cell type, achieved
//!   Fmax against the constraint per clock, critical paths with their start and end).
//! - [`Utilisation`]: LUTs, flip-flops, block RAMs, DSPs and carry cells, used against the board's
//!   `[resources]`. Counts come from Yosys' mapped cells, and where nextpnr places a cell type that
//!   is the resource itself (ECP5 `TRELLIS_COMB` / `TRELLIS_FF`, block RAMs and DSPs on both Lattice
//!   families) the placed count replaces it. iCE40 logic cells pack a LUT, a flip-flop and a carry
//!   each (`ICESTORM_LC`), so there LUTs, flip-flops and carries stay Yosys' counts.
//! - [`SynthReport`]: all of it, as a text table and as JSON (serde) for `report.json`.
//!
//! Parsers never panic on a report: a missing or mistyped key is a [`ConstraintsError::Report`]
//! naming it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::board::{Board, Family};
use crate::error::{ConstraintsError, Result};

/// Yosys `stat -json`: mapped cells by type of the whole design.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct YosysStat {
    pub cells: u64,
    pub cells_by_type: BTreeMap<String, u64>,
}

impl YosysStat {
    /// Parses the JSON that `tee -q -o FILE stat -json` writes (its `design` object: the whole
    /// hierarchy; the single module when there is no `design`).
    pub fn parse(json: &str) -> Result<YosysStat> {
        let what = "yosys stat -json";
        let v: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| ConstraintsError::report(what, "(document)", e.to_string()))?;
        let (key, obj) = match v.get("design") {
            Some(d) => ("design".to_string(), d),
            None => {
                let modules = v
                    .get("modules")
                    .and_then(|m| m.as_object())
                    .ok_or_else(|| ConstraintsError::report(what, "design", "missing"))?;
                if modules.len() != 1 {
                    return Err(ConstraintsError::report(
                        what,
                        "design",
                        format!(
                            "missing, and {} modules instead of one to take it from",
                            modules.len()
                        ),
                    ));
                }
                let (name, m) = modules.iter().next().expect("one module");
                (format!("modules.{name}"), m)
            }
        };
        let cells = get_u64(obj, what, &format!("{key}.num_cells"))?;
        let by_type = obj
            .get("num_cells_by_type")
            .and_then(|t| t.as_object())
            .ok_or_else(|| {
                ConstraintsError::report(what, &format!("{key}.num_cells_by_type"), "missing")
            })?;
        let mut cells_by_type = BTreeMap::new();
        for (t, n) in by_type {
            let n = n.as_u64().ok_or_else(|| {
                ConstraintsError::report(
                    what,
                    &format!("{key}.num_cells_by_type.{t}"),
                    format!("{n} is not a count"),
                )
            })?;
            cells_by_type.insert(t.clone(), n);
        }
        Ok(YosysStat {
            cells,
            cells_by_type,
        })
    }

    /// Cells whose type starts with any of `prefixes`, each counted `weight` times.
    fn count(&self, prefixes: &[(&str, u64)]) -> u64 {
        self.cells_by_type
            .iter()
            .map(|(t, n)| {
                prefixes
                    .iter()
                    .find(|(p, _)| t.starts_with(p))
                    .map_or(0, |(_, w)| n * w)
            })
            .sum()
    }
}

/// One placed cell type of nextpnr's report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellUsage {
    pub cell_type: String,
    pub used: u64,
    pub available: u64,
}

/// Achieved against required frequency of one clock.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockFmax {
    /// nextpnr's name of the clock net (e.g. `clock$SB_IO_IN_$glb_clk`).
    pub clock: String,
    pub achieved_mhz: f64,
    pub constraint_mhz: f64,
}

impl ClockFmax {
    pub fn meets(&self) -> bool {
        self.achieved_mhz >= self.constraint_mhz
    }
}

/// One critical path of nextpnr's report: clock domains, first and last cell pin, total delay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriticalPath {
    /// `posedge CLOCK` or `<async>`, as nextpnr writes it.
    pub from_clock: String,
    pub to_clock: String,
    /// `cell.port` where the path starts and ends.
    pub start: String,
    pub end: String,
    pub delay_ns: f64,
    /// Path segments.
    pub segments: usize,
}

/// nextpnr's `--report` JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PnrReport {
    pub cells: Vec<CellUsage>,
    pub fmax: Vec<ClockFmax>,
    pub critical_paths: Vec<CriticalPath>,
}

impl PnrReport {
    pub fn parse(json: &str) -> Result<PnrReport> {
        let what = "nextpnr --report";
        let v: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| ConstraintsError::report(what, "(document)", e.to_string()))?;
        let util = object(&v, what, "utilization")?;
        let mut cells = Vec::new();
        for (t, u) in util {
            cells.push(CellUsage {
                cell_type: t.clone(),
                used: get_u64(u, what, &format!("utilization.{t}.used"))?,
                available: get_u64(u, what, &format!("utilization.{t}.available"))?,
            });
        }
        let mut fmax = Vec::new();
        for (clock, f) in object(&v, what, "fmax")? {
            fmax.push(ClockFmax {
                clock: clock.clone(),
                achieved_mhz: get_f64(f, what, &format!("fmax.{clock}.achieved"))?,
                constraint_mhz: get_f64(f, what, &format!("fmax.{clock}.constraint"))?,
            });
        }
        let mut critical_paths = Vec::new();
        let paths = v
            .get("critical_paths")
            .and_then(|p| p.as_array())
            .ok_or_else(|| ConstraintsError::report(what, "critical_paths", "missing"))?;
        for (i, p) in paths.iter().enumerate() {
            let key = format!("critical_paths[{i}]");
            let segs = p
                .get("path")
                .and_then(|s| s.as_array())
                .ok_or_else(|| ConstraintsError::report(what, &format!("{key}.path"), "missing"))?;
            let (Some(first), Some(last)) = (segs.first(), segs.last()) else {
                continue;
            };
            let mut delay_ns = 0.0;
            for (j, s) in segs.iter().enumerate() {
                delay_ns += get_f64(s, what, &format!("{key}.path[{j}].delay"))?;
            }
            critical_paths.push(CriticalPath {
                from_clock: get_str(p, what, &format!("{key}.from"))?,
                to_clock: get_str(p, what, &format!("{key}.to"))?,
                start: cell_pin(first.get("from"), what, &format!("{key}.path[0].from"))?,
                end: cell_pin(last.get("to"), what, &format!("{key}.path[-1].to"))?,
                delay_ns,
                segments: segs.len(),
            });
        }
        Ok(PnrReport {
            cells,
            fmax,
            critical_paths,
        })
    }

    /// Used and available of one placed cell type.
    pub fn cell(&self, cell_type: &str) -> Option<&CellUsage> {
        self.cells.iter().find(|c| c.cell_type == cell_type)
    }

    /// The clock with the least slack (lowest achieved / constraint).
    pub fn worst_clock(&self) -> Option<&ClockFmax> {
        self.fmax.iter().min_by(|a, b| {
            (a.achieved_mhz / a.constraint_mhz).total_cmp(&(b.achieved_mhz / b.constraint_mhz))
        })
    }

    /// The critical path within the worst clock's domain (register to register).
    pub fn critical_path(&self) -> Option<&CriticalPath> {
        let clock = &self.worst_clock()?.clock;
        self.critical_paths
            .iter()
            .filter(|p| {
                p.from_clock.ends_with(clock.as_str()) && p.to_clock.ends_with(clock.as_str())
            })
            .max_by(|a, b| a.delay_ns.total_cmp(&b.delay_ns))
    }
}

/// Used of available.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub used: u64,
    pub available: u64,
}

impl Usage {
    /// Used as a percentage of available (0 when nothing is available).
    pub fn percent(&self) -> f64 {
        if self.available == 0 {
            0.0
        } else {
            100.0 * self.used as f64 / self.available as f64
        }
    }

    pub fn fits(&self) -> bool {
        self.used <= self.available
    }
}

/// The five resources, used against the board's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utilisation {
    pub luts: Usage,
    pub ffs: Usage,
    pub brams: Usage,
    pub dsps: Usage,
    pub carry: Usage,
}

impl Utilisation {
    /// From Yosys' mapped cells, refined by nextpnr's placed counts when a report is given (see the
    /// module header for which).
    pub fn from_reports(board: &Board, stat: &YosysStat, pnr: Option<&PnrReport>) -> Utilisation {
        let r = &board.resources;
        let usage = |used, available| Usage { used, available };
        let (luts, ffs, brams, dsps, carry) = match board.family {
            Family::Ice40 => (
                stat.count(&[("SB_LUT4", 1)]),
                stat.count(&[("SB_DFF", 1)]),
                stat.count(&[("SB_RAM40_4K", 1)]),
                stat.count(&[("SB_MAC16", 1)]),
                stat.count(&[("SB_CARRY", 1)]),
            ),
            Family::Ecp5 => (
                // A CCU2C takes the two LUT4s of its slice half; a DPR16X4 RAM takes two more.
                stat.count(&[("LUT4", 1), ("CCU2C", 2), ("TRELLIS_DPR16X4", 2)]),
                stat.count(&[("TRELLIS_FF", 1)]),
                stat.count(&[("DP16KD", 1), ("PDPW16KD", 1)]),
                stat.count(&[("MULT18X18D", 1)]),
                stat.count(&[("CCU2C", 1)]),
            ),
            Family::Xilinx7 => (
                // LUTs as logic, as distributed RAM (RAM32M / RAM64M: 4 LUTs, RAMxX1D: 2, RAMxX1S:
                // 1) and as shift registers (SRL16E / SRLC32E: 1). INV cells are left out: Vivado
                // folds them into the LUTs they feed.
                stat.count(&[
                    ("LUT", 1),
                    ("RAM32M", 4),
                    ("RAM64M", 4),
                    ("RAM32X1D", 2),
                    ("RAM64X1D", 2),
                    ("RAM128X1D", 4),
                    ("RAM32X1S", 1),
                    ("RAM64X1S", 1),
                    ("SRL", 1),
                ]),
                stat.count(&[("FD", 1)]),
                // Counted in RAMB18 units: a RAMB36 is two.
                stat.count(&[("RAMB18", 1), ("RAMB36", 2)]),
                stat.count(&[("DSP48", 1)]),
                stat.count(&[("CARRY4", 1)]),
            ),
        };
        let mut u = Utilisation {
            luts: usage(luts, r.luts),
            ffs: usage(ffs, r.ffs),
            brams: usage(brams, r.brams),
            dsps: usage(dsps, r.dsps),
            carry: usage(carry, r.carry),
        };
        if let Some(p) = pnr {
            let placed = |t: &str| p.cell(t).map(|c| c.used);
            let (lut_cell, ff_cell, bram_cell, dsp_cell) = match board.family {
                Family::Ice40 => (None, None, Some("ICESTORM_RAM"), Some("ICESTORM_DSP")),
                Family::Ecp5 => (
                    Some("TRELLIS_COMB"),
                    Some("TRELLIS_FF"),
                    Some("DP16KD"),
                    Some("MULT18X18D"),
                ),
                Family::Xilinx7 => (None, None, None, None),
            };
            for (cell, field) in [
                (lut_cell, &mut u.luts),
                (ff_cell, &mut u.ffs),
                (bram_cell, &mut u.brams),
                (dsp_cell, &mut u.dsps),
            ] {
                if let Some(n) = cell.and_then(placed) {
                    field.used = n;
                }
            }
        }
        u
    }

    /// Every resource fits its board.
    pub fn fits(&self) -> bool {
        self.rows().iter().all(|(_, u)| u.fits())
    }

    /// (name, usage) in table order.
    pub fn rows(&self) -> [(&'static str, Usage); 5] {
        [
            ("LUTs", self.luts),
            ("flip-flops", self.ffs),
            ("block RAMs", self.brams),
            ("DSPs", self.dsps),
            ("carry cells", self.carry),
        ]
    }
}

/// Everything one synthesis (and place-and-route) run says, for `report.json` and the terminal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SynthReport {
    pub board: String,
    pub part: String,
    pub top: String,
    pub utilisation: Utilisation,
    /// Block-RAM bits available (blocks x bits per block), to read `brams` against.
    pub bram_bits_per_block: u64,
    /// Per clock; empty without place-and-route.
    pub fmax: Vec<ClockFmax>,
    pub critical_path: Option<CriticalPath>,
    /// nextpnr's placed cell types that are used, as it reports them.
    pub placed_cells: Vec<CellUsage>,
    /// Every clock met its constraint; `None` without place-and-route (no timing known).
    #[serde(default)]
    pub timing_met: Option<bool>,
    /// The tools that ran, in order, with the version line each printed.
    #[serde(default)]
    pub tools: Vec<ToolInfo>,
    /// The bitstream written (iCE40, ECP5); `None` for 7-series (no open place-and-route here).
    #[serde(default)]
    pub bitstream: Option<FileInfo>,
    /// The Vivado script a user runs elsewhere (7-series).
    #[serde(default)]
    pub vivado_script: Option<String>,
    /// Latency per inference over a data set, from the design's exact cycle model.
    #[serde(default)]
    pub latency: Option<Latency>,
}

/// A tool of the flow and the version line it printed (empty for a tool without a version option).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

/// A file the flow wrote: its path (as the caller gave it) and size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub path: String,
    pub bytes: u64,
}

/// Latency per inference in microseconds at one clock frequency: cycles per sample (from hdl's exact
/// cycle model over a data set) divided by the clock in MHz.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Samples the mean and the worst case are taken over, and where they came from.
    pub samples: usize,
    pub data: String,
    /// The clock the microseconds are at, and which clock it is (`achieved Fmax` after place and
    /// route, `board clock` without).
    pub clock_mhz: f64,
    pub clock: String,
    pub cycles_mean: f64,
    pub cycles_max: u64,
    /// The design's cycle bound for any input (its `cycle_upper_bound`).
    pub cycle_upper_bound: u64,
    pub mean_us: f64,
    pub max_us: f64,
    pub upper_bound_us: f64,
}

impl Latency {
    /// From the cycles of each sample; `None` when there are none or the clock is not positive.
    pub fn new(
        cycles: &[u64],
        cycle_upper_bound: u64,
        clock_mhz: f64,
        clock: &str,
        data: &str,
    ) -> Option<Latency> {
        if cycles.is_empty() || !(clock_mhz.is_finite() && clock_mhz > 0.0) {
            return None;
        }
        let cycles_mean = cycles.iter().sum::<u64>() as f64 / cycles.len() as f64;
        let cycles_max = *cycles.iter().max()?;
        Some(Latency {
            samples: cycles.len(),
            data: data.to_string(),
            clock_mhz,
            clock: clock.to_string(),
            cycles_mean,
            cycles_max,
            cycle_upper_bound,
            mean_us: cycles_mean / clock_mhz,
            max_us: cycles_max as f64 / clock_mhz,
            upper_bound_us: cycle_upper_bound as f64 / clock_mhz,
        })
    }
}

impl SynthReport {
    pub fn new(board: &Board, top: &str, stat: &YosysStat, pnr: Option<&PnrReport>) -> SynthReport {
        SynthReport {
            board: board.name.clone(),
            part: board.part(),
            top: top.to_string(),
            utilisation: Utilisation::from_reports(board, stat, pnr),
            bram_bits_per_block: board.resources.bram_bits,
            fmax: pnr.map(|p| p.fmax.clone()).unwrap_or_default(),
            critical_path: pnr.and_then(|p| p.critical_path().cloned()),
            placed_cells: pnr
                .map(|p| p.cells.iter().filter(|c| c.used > 0).cloned().collect())
                .unwrap_or_default(),
            timing_met: pnr
                .filter(|p| !p.fmax.is_empty())
                .map(|p| p.fmax.iter().all(ClockFmax::meets)),
            tools: Vec::new(),
            bitstream: None,
            vivado_script: None,
            latency: None,
        }
    }

    /// The worst clock's achieved Fmax (least achieved / constraint), if place and route ran.
    pub fn achieved_mhz(&self) -> Option<f64> {
        self.fmax
            .iter()
            .min_by(|a, b| {
                (a.achieved_mhz / a.constraint_mhz).total_cmp(&(b.achieved_mhz / b.constraint_mhz))
            })
            .map(|f| f.achieved_mhz)
    }

    /// Pretty JSON for `report.json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a SynthReport always serializes") + "\n"
    }

    /// The table a person reads.
    pub fn table(&self) -> String {
        let mut s = format!("{} on {} ({})\n", self.top, self.board, self.part);
        s += &format!(
            "{:<12} {:>9} {:>10} {:>7}\n",
            "resource", "used", "available", "use"
        );
        for (name, u) in self.utilisation.rows() {
            s += &format!(
                "{:<12} {:>9} {:>10} {:>6.1}%{}\n",
                name,
                u.used,
                u.available,
                u.percent(),
                if u.fits() { "" } else { "  DOES NOT FIT" }
            );
        }
        for f in &self.fmax {
            s += &format!(
                "Fmax {:.2} MHz against {:.2} MHz ({}) on {}\n",
                f.achieved_mhz,
                f.constraint_mhz,
                if f.meets() { "met" } else { "FAILED" },
                f.clock
            );
        }
        if let Some(p) = &self.critical_path {
            s += &format!(
                "critical path {:.2} ns, {} segments: {} -> {}\n",
                p.delay_ns, p.segments, p.start, p.end
            );
        }
        if let Some(l) = &self.latency {
            s += &format!(
                "latency at {:.2} MHz ({}), {} samples of {}: mean {:.1} us ({:.1} cycles), \
                 worst {:.1} us ({} cycles), bound {:.1} us ({} cycles)\n",
                l.clock_mhz,
                l.clock,
                l.samples,
                l.data,
                l.mean_us,
                l.cycles_mean,
                l.max_us,
                l.cycles_max,
                l.upper_bound_us,
                l.cycle_upper_bound
            );
        }
        if let Some(b) = &self.bitstream {
            s += &format!("bitstream {} ({} bytes)\n", b.path, b.bytes);
        }
        if let Some(v) = &self.vivado_script {
            s += &format!(
                "no open place-and-route for this family: utilisation is Yosys'; run `vivado -mode batch -source {v}` elsewhere\n"
            );
        }
        for t in &self.tools {
            let v = if t.version.is_empty() {
                "(prints no version)"
            } else {
                &t.version
            };
            s += &format!("tool {}: {v}\n", t.name);
        }
        s
    }
}

fn object<'a>(
    v: &'a serde_json::Value,
    what: &str,
    key: &str,
) -> Result<&'a serde_json::Map<String, serde_json::Value>> {
    v.get(key)
        .and_then(|o| o.as_object())
        .ok_or_else(|| ConstraintsError::report(what, key, "missing or not an object"))
}

fn last_key(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

fn get_u64(v: &serde_json::Value, what: &str, key: &str) -> Result<u64> {
    v.get(last_key(key))
        .and_then(|n| n.as_u64())
        .ok_or_else(|| ConstraintsError::report(what, key, "missing or not a count"))
}

fn get_f64(v: &serde_json::Value, what: &str, key: &str) -> Result<f64> {
    v.get(last_key(key))
        .and_then(|n| n.as_f64())
        .ok_or_else(|| ConstraintsError::report(what, key, "missing or not a number"))
}

fn get_str(v: &serde_json::Value, what: &str, key: &str) -> Result<String> {
    v.get(last_key(key))
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .ok_or_else(|| ConstraintsError::report(what, key, "missing or not a string"))
}

fn cell_pin(v: Option<&serde_json::Value>, what: &str, key: &str) -> Result<String> {
    let v = v.ok_or_else(|| ConstraintsError::report(what, key, "missing"))?;
    let cell = get_str(v, what, &format!("{key}.cell"))?;
    let port = get_str(v, what, &format!("{key}.port"))?;
    Ok(format!("{cell}.{port}"))
}
