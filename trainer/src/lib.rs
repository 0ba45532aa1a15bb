//! trainer (placeholder; see ARCHITECTURE.md)
