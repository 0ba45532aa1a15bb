//! SDC: the clock constraint alone (`create_clock` on the board clock's port), for tools that take
//! timing apart from pin placement. Any family.

use crate::board::Board;
use crate::error::Result;
use crate::ports::{bind, Port};
use crate::{header, period_text};

/// The SDC text: one `create_clock` per clock port among `ports` (the board has one clock).
pub fn render(board: &Board, ports: &[Port]) -> Result<String> {
    let bindings = bind(board, ports)?;
    let mut out = header(board, "#");
    for b in bindings.iter().filter(|b| b.is_clock) {
        out += &format!(
            "create_clock -name {port} -period {p} [get_ports {{{port}}}]\n",
            port = b.port_bit,
            p = period_text(board.clock.period_ns()),
        );
    }
    Ok(out)
}
