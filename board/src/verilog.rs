//! The board top level `ttfs_board_top` as Verilog text (`board_top_template.v` filled in).
//!
//! Owns the wrapper around `ttfs_top`: UART receiver and transmitter (8N1, one divider from the clock
//! frequency and the baud rate; receive line synchronized by two flip-flops), the request parser with
//! its CRC check, the valid/ready feed of `ttfs_top`'s input events and `start`, the spike counters
//! per layer (from the `spk_*` monitor), the cycle counter, the reply frame, the LEDs and the reset
//! (power-on count and the synchronized button). Pure: returns text. Invariants: every width and
//! constant is a sized literal derived from the [`hdl::Manifest`]; the text is `verilator --lint-only
//! -Wall` clean together with `ttfs_top.v` and synthesizes without latches (tests/verilog.rs).

use crate::error::{BoardError, Result};
use crate::protocol::{reply_len, REPLY_SYNC};
use hdl::contract::{Direction, Role, PORTS, TOP_MODULE};
use hdl::Manifest;
use serde::{Deserialize, Serialize};

/// File name of the board top level, written beside `ttfs_top.v`.
pub const BOARD_TOP_FILE: &str = "ttfs_board_top.v";
/// File name of the link settings (clock, baud), written beside it and read by the host.
pub const BOARD_CONFIG_FILE: &str = "board.json";
/// Top module name.
pub const BOARD_TOP: &str = "ttfs_board_top";
/// The receiver samples mid-bit after a half-bit count, so a bit needs at least this many cycles.
pub const MIN_CYCLES_PER_BIT: u64 = 4;
/// Byte times without a byte after which a half-received frame is dropped.
pub const IDLE_BYTE_TIMES: u64 = 256;

/// What the board top level needs to know about the board and the link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// Board clock (Hz).
    pub clock_hz: u64,
    /// UART baud rate.
    pub baud: u64,
    /// The reset button reads 0 when pressed.
    pub reset_active_low: bool,
    /// LED 0 (error) and LED 1 (busy) light on 0.
    pub led_active_low: [bool; 2],
}

impl LinkConfig {
    /// The settings of a board (its clock, reset button and first two LEDs) at `baud`.
    pub fn for_board(board: &constraints::Board, baud: u64) -> Result<LinkConfig> {
        if board.leds.len() < 2 {
            return Err(BoardError::Design {
                field: "leds",
                message: format!(
                    "board `{}` has {} LEDs; the link shows error and busy on two",
                    board.name,
                    board.leds.len()
                ),
            });
        }
        Ok(LinkConfig {
            clock_hz: (board.clock.frequency_mhz * 1e6).round() as u64,
            baud,
            reset_active_low: board.reset.active_low,
            led_active_low: [board.leds[0].active_low, board.leds[1].active_low],
        })
    }

    /// A simulation setting: `cycles_per_bit` clock cycles per bit at `baud` (a nominal clock of
    /// `baud * cycles_per_bit`), active-high reset and LEDs.
    pub fn simulation(baud: u64, cycles_per_bit: u64) -> LinkConfig {
        LinkConfig {
            clock_hz: baud * cycles_per_bit,
            baud,
            reset_active_low: false,
            led_active_low: [false, false],
        }
    }

    /// Clock cycles per bit: `round(clock_hz / baud)`.
    pub fn cycles_per_bit(&self) -> u64 {
        if self.baud == 0 {
            return 0;
        }
        (self.clock_hz + self.baud / 2) / self.baud
    }

    fn check(&self) -> Result<()> {
        let div = self.cycles_per_bit();
        if self.baud == 0 || div < MIN_CYCLES_PER_BIT {
            return Err(BoardError::Design {
                field: "baud",
                message: format!(
                    "{} baud at {} Hz gives {div} cycles per bit, need at least {MIN_CYCLES_PER_BIT}",
                    self.baud, self.clock_hz
                ),
            });
        }
        // the divider's error against the nominal rate must stay well inside one bit over a byte
        let actual = self.clock_hz as f64 / div as f64;
        let err = (actual - self.baud as f64).abs() / self.baud as f64;
        if err > 0.02 {
            return Err(BoardError::Design {
                field: "baud",
                message: format!(
                    "{} baud at {} Hz: the divider {div} gives {actual:.0} baud ({:.1}% off, at most 2%)",
                    self.baud,
                    self.clock_hz,
                    err * 100.0
                ),
            });
        }
        Ok(())
    }
}

/// Unsigned bits to hold `v` (at least 1).
fn bits(v: u64) -> u32 {
    (64 - v.leading_zeros()).max(1)
}

/// Checks that a design fits the frame's 16-bit fields.
fn check_manifest(m: &Manifest) -> Result<()> {
    let big = |field: &'static str, v: u64| -> Result<()> {
        if v >= u16::MAX as u64 {
            return Err(BoardError::Design {
                field,
                message: format!("{v} does not fit the link's 16-bit fields (at most 65534)"),
            });
        }
        Ok(())
    };
    big("sizes", m.sizes.iter().copied().max().unwrap_or(0) as u64)?;
    big("n_in_steps", m.n_in_steps as u64)?;
    if m.layers.len() > u8::MAX as usize || m.layers.is_empty() {
        return Err(BoardError::Design {
            field: "layers",
            message: format!("{} layers (the reply carries 1..=255)", m.layers.len()),
        });
    }
    if m.ports.in_neuron > 16 || m.ports.in_step > 16 || m.ports.class_out > 16 {
        return Err(BoardError::Design {
            field: "ports",
            message: format!("input or class ports wider than 16 bits: {:?}", m.ports),
        });
    }
    Ok(())
}

/// `value` (16 bits) cut or zero-extended to `to` bits.
fn from16(value: &str, to: u32) -> String {
    if to >= 16 {
        value.to_string()
    } else {
        format!("{value}[{}:0]", to - 1)
    }
}

/// `value` of `from` bits zero-extended to 16.
fn to16(value: &str, from: u32) -> String {
    if from >= 16 {
        value.to_string()
    } else {
        format!("{{{}'d0, {value}}}", 16 - from)
    }
}

/// The wrapper's signal on each port of `ttfs_top` (from hdl's contract): the inputs it drives, and
/// a wire of the port's own name for each output.
fn core_signal(role: Role) -> &'static str {
    match role {
        Role::Clock => "clock",
        Role::Reset => "core_reset",
        Role::InValid => "ev_pending",
        Role::InNeuron => "ev_neuron",
        Role::InStep => "ev_step",
        Role::Start => "core_start",
        other => other.name(),
    }
}

/// Outputs of `ttfs_top` the wrapper does not read (the monitor's neuron and step, the output
/// stream): collected into an `_unused` wire, Verilator's convention for deliberately unused bits.
const UNUSED: [Role; 5] = [
    Role::SpkNeuron,
    Role::SpkStep,
    Role::OutValid,
    Role::OutNeuron,
    Role::OutStep,
];

/// Wires for `ttfs_top`'s outputs and its instance, every port named through hdl's contract.
fn core_instance(m: &Manifest) -> String {
    let mut v = String::new();
    for p in PORTS.iter().filter(|p| p.direction == Direction::Output) {
        let w = p.width(&m.ports);
        if p.vector {
            v += &format!("    wire [{}:0] {};\n", w - 1, p.name);
        } else {
            v += &format!("    wire        {};\n", p.name);
        }
    }
    let conns: Vec<String> = PORTS
        .iter()
        .map(|p| format!(".{}({})", p.name, core_signal(p.role)))
        .collect();
    v += &format!(
        "    {TOP_MODULE} u_core (\n        {}\n    );\n",
        conns.join(",\n        ")
    );
    let unused: Vec<&str> = UNUSED.iter().map(|r| r.name()).collect();
    v += &format!(
        "    // not needed here\n    wire _unused_ok = &{{1'b0, {}}};",
        unused.join(", ")
    );
    v
}

/// The `ttfs_board_top` module for `manifest` (the design's `ttfs_top`) and `link`.
pub fn board_top_text(manifest: &Manifest, link: &LinkConfig) -> Result<String> {
    check_manifest(manifest)?;
    link.check()?;
    let div = link.cycles_per_bit();
    let dw = bits(div);
    let n_layers = manifest.layers.len();
    let r = reply_len(n_layers) as u64;
    let rw = bits(r);
    let idle_limit = div * 10 * IDLE_BYTE_TIMES;
    let idlew = bits(idle_limit);
    let p = &manifest.ports;

    let mut decls = String::new();
    let mut clear = String::new();
    let mut inc = String::new();
    for l in 1..=n_layers {
        decls += &format!("    reg  [15:0] spikes_l{l};\n");
        clear += &format!("                    spikes_l{l} <= 16'd0;\n");
        inc += &format!(
            "                        if (spk_layer == {}'d{l}) spikes_l{l} <= spikes_l{l} + 16'd1;\n",
            p.spk_layer
        );
    }
    let mut mux = Vec::new();
    let ok = "(status == ST_OK)";
    mux.push(format!("8'h{REPLY_SYNC:02X}"));
    mux.push("status".into());
    mux.push(format!("{ok} ? res_class[15:8] : 8'hFF"));
    mux.push(format!("{ok} ? res_class[7:0] : 8'hFF"));
    mux.push(format!("8'd{n_layers}"));
    for l in 1..=n_layers {
        mux.push(format!("{ok} ? spikes_l{l}[15:8] : 8'h00"));
        mux.push(format!("{ok} ? spikes_l{l}[7:0] : 8'h00"));
    }
    for hi in [31, 23, 15, 7] {
        mux.push(format!("{ok} ? cycles[{hi}:{}] : 8'h00", hi - 7));
    }
    mux.push("tx_crc[15:8]".into());
    mux.push("tx_crc[7:0]".into());
    debug_assert_eq!(mux.len() as u64, r);
    let mux_text: String = mux
        .iter()
        .enumerate()
        .map(|(i, e)| format!("            {rw}'d{i}: r_byte = {e};\n"))
        .collect();
    let led = |on: &str, low: bool| {
        if low {
            format!("!{on}")
        } else {
            on.to_string()
        }
    };
    let pairs: Vec<(&str, String)> = vec![
        ("SIZES", format!("{:?}", manifest.sizes)),
        ("CORE", core_instance(manifest)),
        ("CLOCK_HZ", link.clock_hz.to_string()),
        ("BAUD", link.baud.to_string()),
        ("DIV", div.to_string()),
        ("DW1", (dw - 1).to_string()),
        ("DW", dw.to_string()),
        ("DIV1", (div - 1).to_string()),
        ("HALF1", (div / 2 - 1).to_string()),
        (
            "PRESSED",
            if link.reset_active_low {
                "!reset_button".into()
            } else {
                "reset_button".into()
            },
        ),
        ("IN1", (p.in_neuron - 1).to_string()),
        ("TW1", (p.in_step - 1).to_string()),
        ("IDLE1", (idlew - 1).to_string()),
        ("IDLEW", idlew.to_string()),
        ("IDLE_LIMIT", idle_limit.to_string()),
        ("RW1", (rw - 1).to_string()),
        ("RW", rw.to_string()),
        ("R_LAST", r.to_string()),
        ("R_CRC", (r - 2).to_string()),
        ("N_IN", manifest.sizes[0].to_string()),
        ("N_IN_STEPS", manifest.n_in_steps.to_string()),
        ("EV_NEURON", from16("ev_neuron16", p.in_neuron)),
        ("EV_STEP", from16("ev_step16", p.in_step)),
        ("CLASS16", to16("class_out", p.class_out)),
        ("COUNTER_DECLS", decls.trim_end_matches('\n').to_string()),
        ("COUNTER_CLEAR", clear.trim_end_matches('\n').to_string()),
        ("COUNTER_INC", inc.trim_end_matches('\n').to_string()),
        ("REPLY_MUX", mux_text.trim_end_matches('\n').to_string()),
        ("LED0", led("error_led", link.led_active_low[0])),
        (
            "LED1",
            led("(state != S_SYNC || busy)", link.led_active_low[1]),
        ),
    ];
    let mut text = String::from(
        "// Generated by the ttfs `board` crate. Do not edit: regenerate from the design.\n\
         /* verilator lint_off DECLFILENAME */\n`default_nettype none\n\n",
    );
    text += &fill(TEMPLATE, &pairs)?;
    text += "\n`default_nettype wire\n";
    Ok(text)
}

const TEMPLATE: &str = include_str!("board_top_template.v");

/// Replaces every `$NAME$` of `template`; a placeholder left over is an error (a template edit that
/// the generator does not know).
fn fill(template: &str, pairs: &[(&str, String)]) -> Result<String> {
    let mut s = template.to_string();
    for (k, v) in pairs {
        s = s.replace(&format!("${k}$"), v);
    }
    if let Some(i) = s.find('$') {
        let end = s[i + 1..].find('$').map_or(s.len(), |j| i + 2 + j);
        return Err(BoardError::Design {
            field: "template",
            message: format!("placeholder {} is not filled", &s[i..end]),
        });
    }
    Ok(s)
}

/// Writes `ttfs_board_top.v` and `board.json` into the design folder `dir` (atomically).
pub fn write_board_top(
    dir: &std::path::Path,
    manifest: &Manifest,
    link: &LinkConfig,
) -> Result<()> {
    let text = board_top_text(manifest, link)?;
    let v = dir.join(BOARD_TOP_FILE);
    golden::io::write_atomic(&v, text.as_bytes())?;
    let j = dir.join(BOARD_CONFIG_FILE);
    let json = serde_json::to_string_pretty(link).unwrap_or_default() + "\n";
    golden::io::write_atomic(&j, json.as_bytes())?;
    Ok(())
}

/// Reads `board.json` of a design folder, if there is one.
pub fn read_link_config(dir: &std::path::Path) -> Result<Option<LinkConfig>> {
    let path = dir.join(BOARD_CONFIG_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| BoardError::io(&path, e))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| BoardError::Format {
            path,
            message: format!("not a link configuration: {e}"),
        })
}

/// The ports of `ttfs_board_top` (the template's module header), named by the roles of
/// `constraints::ports`, as the constraint files bind them to a board's pins.
pub fn board_top_ports() -> Vec<constraints::Port> {
    use constraints::ports::{PORT_CLOCK, PORT_LED, PORT_RESET, PORT_UART_RX, PORT_UART_TX};
    use constraints::Port;
    vec![
        Port::input(PORT_CLOCK, 1),
        Port::input(PORT_RESET, 1),
        Port::input(PORT_UART_RX, 1),
        Port::output(PORT_UART_TX, 1),
        Port::output(PORT_LED, 2),
    ]
}

#[cfg(test)]
mod port_tests {
    use super::*;

    /// The list above is the template's header, port by port (direction, width, name).
    #[test]
    fn board_top_ports_are_the_templates() {
        let start = TEMPLATE
            .find("module ttfs_board_top")
            .expect("module header");
        let header = &TEMPLATE[start..start + TEMPLATE[start..].find(");").expect("end")];
        let declared: Vec<String> = header
            .lines()
            .filter_map(|l| {
                let l = l.trim().trim_end_matches(',');
                let dir = if l.starts_with("input") {
                    "in"
                } else if l.starts_with("output") {
                    "out"
                } else {
                    return None;
                };
                let width = match (l.find('['), l.find(':')) {
                    (Some(a), Some(b)) => l[a + 1..b].trim().parse::<u32>().ok()? + 1,
                    _ => 1,
                };
                Some(format!("{dir} {width} {}", l.split_whitespace().last()?))
            })
            .collect();
        let ours: Vec<String> = board_top_ports()
            .iter()
            .map(|p| {
                let dir = match p.direction {
                    constraints::Direction::Input => "in",
                    constraints::Direction::Output => "out",
                };
                format!("{dir} {} {}", p.width, p.name)
            })
            .collect();
        assert_eq!(declared, ours);
    }
}
