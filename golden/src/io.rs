//! Model files (safetensors + metadata). Filled in by the file-format work.
