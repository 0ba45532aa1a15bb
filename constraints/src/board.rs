//! A board as data: the FPGA (family, device, package, speed grade), what the device offers
//! (LUTs, flip-flops, block RAMs, DSPs, carry cells), and the pins a board top level uses (clock,
//! reset button, UART, LEDs, buttons) with their I/O standard, pull and drive.
//!
//! Boards are TOML files, one per board: the built-in ones live in `constraints/boards/` and are
//! embedded with `include_str!` (selected by name, [`Board::builtin`]); a user's file is read by path
//! ([`Board::from_file`]); [`Board::load`] takes either. Unknown keys are rejected and every error
//! names the file and the field. Invariant: every `Board` these constructors return is valid
//! (the fields are public for reading; a hand-built value is the caller's responsibility): pins
//! are non-empty, well-formed for the family and distinct, the clock frequency is positive and
//! finite, the family-specific options (pull-down, drive strength, speed grade) are ones the
//! family's tools accept, and the device is one nextpnr (or Vivado) can be told about.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{ConstraintsError, Result};

/// The built-in boards: name and TOML text.
const BUILTIN: &[(&str, &str)] = &[
    ("icebreaker", include_str!("../boards/icebreaker.toml")),
    ("ulx3s", include_str!("../boards/ulx3s.toml")),
    ("arty-a7-100t", include_str!("../boards/arty-a7-100t.toml")),
];

/// FPGA vendor family; decides the constraint format and the tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Lattice iCE40: Yosys `synth_ice40`, nextpnr-ice40 (PCF), icepack.
    Ice40,
    /// Lattice ECP5: Yosys `synth_ecp5`, nextpnr-ecp5 (LPF), ecppack.
    Ecp5,
    /// Xilinx 7-series: Yosys `synth_xilinx -family xc7` for utilisation; XDC and a Vivado script.
    Xilinx7,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Ice40 => "ice40",
            Family::Ecp5 => "ecp5",
            Family::Xilinx7 => "xilinx7",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Pull resistor of an input pin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pull {
    #[default]
    None,
    Up,
    Down,
}

/// What the device offers, from the vendor's data sheet (cited in each board file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// Look-up tables (4-input on iCE40 and ECP5, 6-input on 7-series).
    pub luts: u64,
    /// Flip-flops.
    pub ffs: u64,
    /// Block RAMs, counted in blocks of `bram_bits`.
    pub brams: u64,
    /// Bits of one block RAM (data bits; 7-series RAMB18 counted with parity: 18 Kibit).
    pub bram_bits: u64,
    /// Multiplier blocks (iCE40 SB_MAC16, ECP5 MULT18X18D, 7-series DSP48E1).
    pub dsps: u64,
    /// Carry cells (iCE40 SB_CARRY: 1 bit, ECP5 CCU2C: 2 bits, 7-series CARRY4: 4 bits).
    pub carry: u64,
}

impl Resources {
    /// Total block-RAM bits.
    pub fn bram_total_bits(&self) -> u64 {
        self.brams * self.bram_bits
    }
}

/// One pin of the board.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// The board's (schematic's) name for the signal, e.g. `LEDR_N`.
    pub name: String,
    /// Package pin: a number on iCE40 (`35`), a ball on ECP5 and 7-series (`G2`).
    pub pin: String,
    /// I/O standard; the board's `io_standard` when omitted.
    #[serde(default)]
    pub io_standard: Option<String>,
    #[serde(default)]
    pub pull: Pull,
    /// Output drive strength in mA (ECP5, 7-series); the tool's default when omitted.
    #[serde(default)]
    pub drive_ma: Option<u32>,
    /// The signal is active low (an LED lit by 0, a button reading 0 when pressed).
    #[serde(default)]
    pub active_low: bool,
}

/// The board's oscillator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    pub name: String,
    pub pin: String,
    pub frequency_mhz: f64,
    #[serde(default)]
    pub io_standard: Option<String>,
}

impl Clock {
    /// Clock period in nanoseconds.
    pub fn period_ns(&self) -> f64 {
        1000.0 / self.frequency_mhz
    }
}

/// The USB-serial bridge, named from the FPGA's side: `rx` is what the FPGA receives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uart {
    pub rx: Pin,
    pub tx: Pin,
}

/// A validated board (see the module header for the invariants).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Board {
    /// Short name, lower case (`icebreaker`); used in file names.
    pub name: String,
    pub description: String,
    pub family: Family,
    /// Device without package and speed grade, as the vendor writes it (`iCE40UP5K`, `LFE5U-85F`,
    /// `XC7A100T`).
    pub device: String,
    /// Package as the vendor writes it (`SG48`, `CABGA381`, `CSG324`).
    pub package: String,
    /// Speed grade (`6` for ECP5, `1` for 7-series); iCE40 parts have none.
    #[serde(default)]
    pub speed_grade: Option<String>,
    /// Default I/O standard of every pin.
    pub io_standard: String,
    pub resources: Resources,
    pub clock: Clock,
    /// The button wired as the design's reset.
    pub reset: Pin,
    pub uart: Uart,
    /// User LEDs, in the order the `led` port's bits take them.
    #[serde(default)]
    pub leds: Vec<Pin>,
    /// Other user buttons, in the order the `button` port's bits take them.
    #[serde(default)]
    pub buttons: Vec<Pin>,
}

impl Board {
    /// Names of the built-in boards.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in board by name.
    pub fn builtin(name: &str) -> Result<Board> {
        let text = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| ConstraintsError::UnknownBoard {
                name: name.to_string(),
                known: Self::builtin_names().join(", "),
            })?;
        Self::from_toml(text, Path::new(&format!("constraints/boards/{name}.toml")))
    }

    /// A user's board file.
    pub fn from_file(path: &Path) -> Result<Board> {
        let text = std::fs::read_to_string(path).map_err(|source| ConstraintsError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text, path)
    }

    /// A built-in board when `name_or_path` is one's name, otherwise a file path.
    pub fn load(name_or_path: &str) -> Result<Board> {
        if BUILTIN.iter().any(|(n, _)| *n == name_or_path) {
            return Self::builtin(name_or_path);
        }
        let path = PathBuf::from(name_or_path);
        if !path.exists() && !name_or_path.contains(['/', '.']) {
            return Self::builtin(name_or_path);
        }
        Self::from_file(&path)
    }

    /// Parses and validates a board; `file` is only used in error messages.
    pub fn from_toml(text: &str, file: &Path) -> Result<Board> {
        let board: Board = toml::from_str(text).map_err(|e| ConstraintsError::Parse {
            file: file.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        board.validate(file)?;
        Ok(board)
    }

    /// The I/O standard of `pin` (its own or the board's default).
    pub fn io_standard_of<'a>(&'a self, io_standard: &'a Option<String>) -> &'a str {
        io_standard.as_deref().unwrap_or(&self.io_standard)
    }

    /// The part name: for 7-series the form Vivado's `-part` takes (`xc7a100tcsg324-1`), otherwise
    /// `DEVICE-PACKAGE` (`iCE40UP5K-SG48`), for titles and reports.
    pub fn part(&self) -> String {
        match self.family {
            Family::Xilinx7 => format!(
                "{}{}-{}",
                self.device.to_ascii_lowercase(),
                self.package.to_ascii_lowercase(),
                self.speed_grade.as_deref().unwrap_or("1")
            ),
            _ => format!("{}-{}", self.device, self.package),
        }
    }

    /// nextpnr's device flag (`--up5k`, `--85k`); `None` for 7-series (no open place-and-route here).
    pub fn nextpnr_device_flag(&self) -> Option<&'static str> {
        nextpnr_device(self.family, &self.device)
    }

    fn validate(&self, file: &Path) -> Result<()> {
        let bad = |field: &str, msg: String| Err(ConstraintsError::invalid(file, field, msg));
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return bad(
                "name",
                format!(
                    "`{}` must be non-empty lower-case letters, digits and `-`",
                    self.name
                ),
            );
        }
        if nextpnr_device(self.family, &self.device).is_none() && self.family != Family::Xilinx7 {
            return bad(
                "device",
                format!(
                    "`{}` is not a device nextpnr knows for {} (known: {})",
                    self.device,
                    self.family,
                    known_devices(self.family)
                ),
            );
        }
        if self.family == Family::Xilinx7 && !self.device.to_ascii_uppercase().starts_with("XC7") {
            return bad(
                "device",
                format!("`{}` is not a 7-series part (XC7...)", self.device),
            );
        }
        if self.package.is_empty() || !self.package.chars().all(|c| c.is_ascii_alphanumeric()) {
            return bad(
                "package",
                format!("`{}` must be letters and digits", self.package),
            );
        }
        match (self.family, self.speed_grade.as_deref()) {
            (Family::Ice40, Some(s)) => {
                return bad(
                    "speed_grade",
                    format!("iCE40 parts have no speed grade (got `{s}`)"),
                )
            }
            (Family::Ecp5, Some("6" | "7" | "8")) => {}
            (Family::Ecp5, other) => {
                return bad(
                    "speed_grade",
                    format!("ECP5 needs 6, 7 or 8 (got {other:?})"),
                )
            }
            (Family::Xilinx7, Some("1" | "2" | "3" | "1L" | "2L")) => {}
            (Family::Xilinx7, other) => {
                return bad(
                    "speed_grade",
                    format!("7-series needs 1, 2, 3, 1L or 2L (got {other:?})"),
                )
            }
            (Family::Ice40, None) => {}
        }
        check_io_standard(file, "io_standard", &self.io_standard)?;
        let r = &self.resources;
        for (field, v) in [
            ("resources.luts", r.luts),
            ("resources.ffs", r.ffs),
            ("resources.bram_bits", r.bram_bits),
        ] {
            if v == 0 {
                return bad(field, "must be positive".into());
            }
        }
        let f = self.clock.frequency_mhz;
        if !(f.is_finite() && f > 0.0 && f <= 1000.0) {
            return bad(
                "clock.frequency_mhz",
                format!("{f} must be in (0, 1000] MHz"),
            );
        }
        if self.clock.name.is_empty() {
            return bad("clock.name", "must not be empty".into());
        }
        // Every pin, with the field path that names it in errors.
        let mut pins: Vec<(String, &str, Option<&Pin>)> =
            vec![("clock.pin".into(), &self.clock.pin, None)];
        if let Some(s) = &self.clock.io_standard {
            check_io_standard(file, "clock.io_standard", s)?;
        }
        pins.push(("reset".into(), &self.reset.pin, Some(&self.reset)));
        pins.push(("uart.rx".into(), &self.uart.rx.pin, Some(&self.uart.rx)));
        pins.push(("uart.tx".into(), &self.uart.tx.pin, Some(&self.uart.tx)));
        for (i, p) in self.leds.iter().enumerate() {
            pins.push((format!("leds[{i}]"), &p.pin, Some(p)));
        }
        for (i, p) in self.buttons.iter().enumerate() {
            pins.push((format!("buttons[{i}]"), &p.pin, Some(p)));
        }
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for (field, pin, spec) in &pins {
            let pin_field = if field.ends_with(".pin") {
                field.clone()
            } else {
                format!("{field}.pin")
            };
            if !pin_is_well_formed(self.family, pin) {
                return bad(
                    &pin_field,
                    format!(
                        "`{pin}` is not a package pin for {} ({})",
                        self.family,
                        if self.family == Family::Ice40 {
                            "a number such as 35"
                        } else {
                            "a ball such as G2"
                        }
                    ),
                );
            }
            if let Some(prev) = seen.insert(pin.to_ascii_uppercase(), pin_field.clone()) {
                return bad(&pin_field, format!("pin `{pin}` is already used by {prev}"));
            }
            if let Some(p) = spec {
                self.check_pin(file, field, p)?;
            }
        }
        Ok(())
    }

    fn check_pin(&self, file: &Path, field: &str, p: &Pin) -> Result<()> {
        if p.name.is_empty() {
            return Err(ConstraintsError::invalid(
                file,
                &format!("{field}.name"),
                "must not be empty",
            ));
        }
        if let Some(s) = &p.io_standard {
            check_io_standard(file, &format!("{field}.io_standard"), s)?;
        }
        if self.family == Family::Ice40 && p.pull == Pull::Down {
            return Err(ConstraintsError::invalid(
                file,
                &format!("{field}.pull"),
                "iCE40 I/Os have pull-ups only",
            ));
        }
        if let Some(d) = p.drive_ma {
            let allowed: &[u32] = match self.family {
                Family::Ice40 => &[],
                Family::Ecp5 => &[4, 8, 12, 16],
                Family::Xilinx7 => &[4, 8, 12, 16, 24],
            };
            if !allowed.contains(&d) {
                return Err(ConstraintsError::invalid(
                    file,
                    &format!("{field}.drive_ma"),
                    format!(
                        "{d} mA is not a drive strength of {} (allowed: {allowed:?})",
                        self.family
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// I/O standards accepted in board files (single-ended CMOS; what these boards' banks use).
pub const IO_STANDARDS: &[&str] = &["LVCMOS33", "LVCMOS25", "LVCMOS18", "LVCMOS15", "LVCMOS12"];

fn check_io_standard(file: &Path, field: &str, s: &str) -> Result<()> {
    if IO_STANDARDS.contains(&s) {
        Ok(())
    } else {
        Err(ConstraintsError::invalid(
            file,
            field,
            format!("`{s}` is not one of {}", IO_STANDARDS.join(", ")),
        ))
    }
}

fn pin_is_well_formed(family: Family, pin: &str) -> bool {
    match family {
        Family::Ice40 => {
            !pin.is_empty() && pin.len() <= 3 && pin.chars().all(|c| c.is_ascii_digit())
        }
        Family::Ecp5 | Family::Xilinx7 => {
            let letters = pin.chars().take_while(|c| c.is_ascii_uppercase()).count();
            let digits = &pin[letters..];
            (1..=2).contains(&letters)
                && (1..=2).contains(&digits.len())
                && digits.chars().all(|c| c.is_ascii_digit())
        }
    }
}

/// Devices nextpnr takes, per family: (device as written in board files, nextpnr flag).
const NEXTPNR_DEVICES: &[(Family, &str, &str)] = &[
    (Family::Ice40, "iCE40LP384", "--lp384"),
    (Family::Ice40, "iCE40LP1K", "--lp1k"),
    (Family::Ice40, "iCE40LP8K", "--lp8k"),
    (Family::Ice40, "iCE40HX1K", "--hx1k"),
    (Family::Ice40, "iCE40HX8K", "--hx8k"),
    (Family::Ice40, "iCE40UP5K", "--up5k"),
    (Family::Ecp5, "LFE5U-12F", "--12k"),
    (Family::Ecp5, "LFE5U-25F", "--25k"),
    (Family::Ecp5, "LFE5U-45F", "--45k"),
    (Family::Ecp5, "LFE5U-85F", "--85k"),
    (Family::Ecp5, "LFE5UM-25F", "--um-25k"),
    (Family::Ecp5, "LFE5UM-45F", "--um-45k"),
    (Family::Ecp5, "LFE5UM-85F", "--um-85k"),
    (Family::Ecp5, "LFE5UM5G-25F", "--um5g-25k"),
    (Family::Ecp5, "LFE5UM5G-45F", "--um5g-45k"),
    (Family::Ecp5, "LFE5UM5G-85F", "--um5g-85k"),
];

fn nextpnr_device(family: Family, device: &str) -> Option<&'static str> {
    NEXTPNR_DEVICES
        .iter()
        .find(|(f, d, _)| *f == family && d.eq_ignore_ascii_case(device))
        .map(|(_, _, flag)| *flag)
}

fn known_devices(family: Family) -> String {
    NEXTPNR_DEVICES
        .iter()
        .filter(|(f, _, _)| *f == family)
        .map(|(_, d, _)| *d)
        .collect::<Vec<_>>()
        .join(", ")
}
