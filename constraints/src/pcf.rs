//! PCF for nextpnr-ice40: one `set_io` per port bit (with `-pullup yes` where the board file asks for
//! a pull-up) and `set_frequency` for the clock. The iCE40's I/O standard is fixed by the bank
//! voltage, so the PCF carries it only as a comment.

use crate::board::{Board, Family, Pull};
use crate::error::Result;
use crate::ports::{bind, Port};
use crate::{header, mhz_text, require_family};

/// The PCF text for `ports` on an iCE40 `board`.
pub fn render(board: &Board, ports: &[Port]) -> Result<String> {
    require_family(board, Family::Ice40, "a PCF")?;
    let bindings = bind(board, ports)?;
    let mut out = header(board, "#");
    for b in &bindings {
        let pull = if b.pull == Pull::Up {
            " -pullup yes"
        } else {
            ""
        };
        out += &format!(
            "set_io -nowarn{pull} {} {} # {}, {}\n",
            b.port_bit, b.pin, b.board_name, b.io_standard
        );
    }
    for b in bindings.iter().filter(|b| b.is_clock) {
        out += &format!(
            "set_frequency {} {}\n",
            b.port_bit,
            mhz_text(board.clock.frequency_mhz)
        );
    }
    Ok(out)
}
