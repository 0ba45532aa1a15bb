//! constraints (placeholder; see ARCHITECTURE.md)
