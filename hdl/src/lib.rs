//! hdl (placeholder; see ARCHITECTURE.md)
