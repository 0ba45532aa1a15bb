//! sim (placeholder; see ARCHITECTURE.md)
