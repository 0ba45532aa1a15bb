//! LPF for nextpnr-ecp5: `LOCATE COMP` and `IOBUF PORT` (I/O type, pull mode, drive) per port bit,
//! and `FREQUENCY PORT` for the clock.

use crate::board::{Board, Family, Pull};
use crate::error::Result;
use crate::ports::{bind, Port};
use crate::{header, mhz_text, require_family};

/// The LPF text for `ports` on an ECP5 `board`.
pub fn render(board: &Board, ports: &[Port]) -> Result<String> {
    require_family(board, Family::Ecp5, "an LPF")?;
    let bindings = bind(board, ports)?;
    let mut out = header(board, "#");
    for b in &bindings {
        let pull = match b.pull {
            Pull::None => "NONE",
            Pull::Up => "UP",
            Pull::Down => "DOWN",
        };
        let drive = b
            .drive_ma
            .map(|d| format!(" DRIVE={d}"))
            .unwrap_or_default();
        out += &format!(
            "LOCATE COMP \"{port}\" SITE \"{pin}\"; # {name}\n\
             IOBUF PORT \"{port}\" IO_TYPE={std} PULLMODE={pull}{drive};\n",
            port = b.port_bit,
            pin = b.pin,
            name = b.board_name,
            std = b.io_standard,
        );
    }
    for b in bindings.iter().filter(|b| b.is_clock) {
        out += &format!(
            "FREQUENCY PORT \"{}\" {} MHZ;\n",
            b.port_bit,
            mhz_text(board.clock.frequency_mhz)
        );
    }
    Ok(out)
}
