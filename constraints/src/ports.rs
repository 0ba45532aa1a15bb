//! The board top level's ports and how they bind to a board's pins.
//!
//! A board top level names its ports by role, the same on every board: `clock`, `reset_button`
//! (the raw level of the reset button: invert it when [`crate::Pin::active_low`]), `uart_rx`,
//! `uart_tx`, `led[N-1:0]` (the board's LEDs in file order) and `button[N-1:0]` (its other buttons).
//! A design may use fewer LEDs or buttons than the board has, never more. [`bind`] turns the port list
//! into one [`Binding`] per port bit; every renderer starts from it, so a port the board cannot carry
//! (an unknown name, a wrong direction, a bus wider than the board) is an error in every format alike.
//! Bits are named the way nextpnr names them: `led[0]` for a bus, `led` for a one-bit port.

use serde::{Deserialize, Serialize};

use crate::board::{Board, Pin, Pull};
use crate::error::{ConstraintsError, Result};

pub const PORT_CLOCK: &str = "clock";
pub const PORT_RESET: &str = "reset_button";
pub const PORT_UART_RX: &str = "uart_rx";
pub const PORT_UART_TX: &str = "uart_tx";
pub const PORT_LED: &str = "led";
pub const PORT_BUTTON: &str = "button";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Input,
    Output,
}

/// One port of the top module: `width` bits, `[width-1:0]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Port {
    pub name: String,
    pub direction: Direction,
    pub width: u32,
}

impl Port {
    pub fn input(name: &str, width: u32) -> Port {
        Port {
            name: name.to_string(),
            direction: Direction::Input,
            width,
        }
    }

    pub fn output(name: &str, width: u32) -> Port {
        Port {
            name: name.to_string(),
            direction: Direction::Output,
            width,
        }
    }
}

/// One port bit on one package pin, with the pin's electrical settings resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// nextpnr's name of the bit: `clock`, `led[2]`.
    pub port_bit: String,
    pub pin: String,
    /// The board's name for the signal (for comments).
    pub board_name: String,
    pub io_standard: String,
    pub pull: Pull,
    pub drive_ma: Option<u32>,
    /// This bit is the board clock.
    pub is_clock: bool,
}

/// Binds every bit of `ports` to a board pin (in port order, bits from 0 up).
pub fn bind(board: &Board, ports: &[Port]) -> Result<Vec<Binding>> {
    let err = |port: &str, message: String| ConstraintsError::Port {
        board: board.name.clone(),
        port: port.to_string(),
        message,
    };
    let mut out = Vec::new();
    for (i, p) in ports.iter().enumerate() {
        if ports[..i].iter().any(|q| q.name == p.name) {
            return Err(err(&p.name, "listed twice".into()));
        }
        if p.width == 0 {
            return Err(err(&p.name, "has width 0".into()));
        }
        let (pins, want): (Vec<&Pin>, Direction) = match p.name.as_str() {
            PORT_CLOCK => {
                check_dir(board, p, Direction::Input)?;
                check_width(board, p, 1)?;
                out.push(Binding {
                    port_bit: p.name.clone(),
                    pin: board.clock.pin.clone(),
                    board_name: board.clock.name.clone(),
                    io_standard: board.io_standard_of(&board.clock.io_standard).to_string(),
                    pull: Pull::None,
                    drive_ma: None,
                    is_clock: true,
                });
                continue;
            }
            PORT_RESET => (vec![&board.reset], Direction::Input),
            PORT_UART_RX => (vec![&board.uart.rx], Direction::Input),
            PORT_UART_TX => (vec![&board.uart.tx], Direction::Output),
            PORT_LED => (board.leds.iter().collect(), Direction::Output),
            PORT_BUTTON => (board.buttons.iter().collect(), Direction::Input),
            other => {
                return Err(err(
                    other,
                    format!(
                        "no board signal of that name (a board top level has {PORT_CLOCK}, \
                         {PORT_RESET}, {PORT_UART_RX}, {PORT_UART_TX}, {PORT_LED}[], {PORT_BUTTON}[])"
                    ),
                ))
            }
        };
        check_dir(board, p, want)?;
        check_width(board, p, pins.len() as u32)?;
        for (bit, pin) in pins.iter().take(p.width as usize).enumerate() {
            // A one-bit port, even `led[0:0]`, is a plain name in nextpnr's netlist reader.
            let port_bit = if p.width == 1 {
                p.name.clone()
            } else {
                format!("{}[{bit}]", p.name)
            };
            out.push(Binding {
                port_bit,
                pin: pin.pin.clone(),
                board_name: pin.name.clone(),
                io_standard: board.io_standard_of(&pin.io_standard).to_string(),
                pull: pin.pull,
                drive_ma: pin.drive_ma,
                is_clock: false,
            });
        }
    }
    Ok(out)
}

fn check_dir(board: &Board, p: &Port, want: Direction) -> Result<()> {
    if p.direction == want {
        return Ok(());
    }
    Err(ConstraintsError::Port {
        board: board.name.clone(),
        port: p.name.clone(),
        message: format!("must be an {want:?} (it is an {:?})", p.direction).to_lowercase(),
    })
}

fn check_width(board: &Board, p: &Port, max: u32) -> Result<()> {
    if p.width <= max {
        return Ok(());
    }
    Err(ConstraintsError::Port {
        board: board.name.clone(),
        port: p.name.clone(),
        message: format!("is {} bits wide, the board has {max}", p.width),
    })
}

/// The ports of module `top` in a Yosys JSON netlist (`write_json`, `synth_* -json`), sorted by
/// name, each taken as `[width-1:0]`.
pub fn ports_from_yosys_json(json: &str, top: &str) -> Result<Vec<Port>> {
    let what = "yosys JSON netlist";
    let v: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| ConstraintsError::report(what, "(document)", e.to_string()))?;
    let key = format!("modules.{top}.ports");
    let ports = v
        .get("modules")
        .and_then(|m| m.get(top))
        .and_then(|m| m.get("ports"))
        .and_then(|p| p.as_object())
        .ok_or_else(|| ConstraintsError::report(what, &key, "missing"))?;
    let mut out = Vec::new();
    for (name, p) in ports {
        let direction = match p.get("direction").and_then(|d| d.as_str()) {
            Some("input") => Direction::Input,
            Some("output") => Direction::Output,
            other => {
                return Err(ConstraintsError::report(
                    what,
                    &format!("{key}.{name}.direction"),
                    format!("{other:?} is not input or output"),
                ))
            }
        };
        let width = p
            .get("bits")
            .and_then(|b| b.as_array())
            .map(|b| b.len() as u32)
            .ok_or_else(|| {
                ConstraintsError::report(what, &format!("{key}.{name}.bits"), "missing")
            })?;
        out.push(Port {
            name: name.clone(),
            direction,
            width,
        });
    }
    Ok(out)
}
