//! XDC for Vivado (7-series): `PACKAGE_PIN`, `IOSTANDARD`, `PULLTYPE` and `DRIVE` per port bit, and
//! `create_clock` for the clock (the SDC part of XDC).

use crate::board::{Board, Family, Pull};
use crate::error::Result;
use crate::ports::{bind, Port};
use crate::{header, period_text, require_family};

/// The XDC text for `ports` on a 7-series `board`.
pub fn render(board: &Board, ports: &[Port]) -> Result<String> {
    require_family(board, Family::Xilinx7, "an XDC")?;
    let bindings = bind(board, ports)?;
    let mut out = header(board, "#");
    for b in &bindings {
        let pull = match b.pull {
            Pull::None => "",
            Pull::Up => " PULLTYPE PULLUP",
            Pull::Down => " PULLTYPE PULLDOWN",
        };
        let drive = b
            .drive_ma
            .map(|d| format!(" DRIVE {d}"))
            .unwrap_or_default();
        out += &format!(
            "set_property -dict {{ PACKAGE_PIN {pin} IOSTANDARD {std}{pull}{drive} }} [get_ports {{ {port} }}]; # {name}\n",
            pin = b.pin,
            std = b.io_standard,
            port = b.port_bit,
            name = b.board_name,
        );
    }
    for b in bindings.iter().filter(|b| b.is_clock) {
        let period = board.clock.period_ns();
        out += &format!(
            "create_clock -add -name {port} -period {p} -waveform {{0.000 {half}}} [get_ports {{ {port} }}]\n",
            port = b.port_bit,
            p = period_text(period),
            half = period_text(period / 2.0),
        );
    }
    Ok(out)
}
