//! CSV tables (the `csv` crate with serde): one header row, then one serde record per row, and the
//! number formats every table of the tool chain uses.
//!
//! Promises: a row's fields come out in declaration order (a `Vec` field spreads over as many
//! columns), numbers are written exactly as `format!` writes them with the wrapper's format
//! ([`Decimal`] = `{:.N}`, [`Scientific`] = `{:e}`, [`Shown`] = `{}`), so files written before the
//! tables moved to the csv crate read the same and compare equal byte for byte. Records end in `\n`.
//!
//! ```
//! use golden::table::{to_csv, Decimal, Scientific};
//! #[derive(serde::Serialize)]
//! struct Row { name: &'static str, strength: Scientific, acc: Decimal<3>, rates: Vec<Decimal<2>> }
//! let rows = [Row { name: "mssr", strength: Scientific(1e-3), acc: Decimal(0.91234), rates: vec![Decimal(0.5), Decimal(0.25)] }];
//! let header = ["name", "strength", "acc", "rate_l1", "rate_l2"].map(String::from);
//! let text = to_csv(&header, &rows).unwrap();
//! assert_eq!(String::from_utf8(text).unwrap(), "name,strength,acc,rate_l1,rate_l2\nmssr,1e-3,0.912,0.50,0.25\n");
//! ```

use crate::error::{GoldenError, Result};
use serde::{Serialize, Serializer};
use std::collections::HashMap;
use std::fmt::Display;
use std::path::Path;

/// A number written with `PLACES` digits after the point (`format!("{:.PLACES$}")`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decimal<const PLACES: usize>(pub f64);

impl<const PLACES: usize> Serialize for Decimal<PLACES> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:.*}", PLACES, self.0))
    }
}

/// A number in Rust's shortest scientific form (`format!("{:e}")`: `1e-3`, `2.5e-4`, `0e0`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scientific(pub f64);

impl Serialize for Scientific {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{:e}", self.0))
    }
}

/// A value written by its `Display` (the csv crate writes floats its own way: `1.0` for `1`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shown<T>(pub T);

impl<T: Display> Serialize for Shown<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// The CSV text of `header` and `rows` (each row one record).
pub fn to_csv<R: Serialize>(
    header: &[String],
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<u8>> {
    let invalid = |e: csv::Error| GoldenError::Invalid(format!("CSV table: {e}"));
    // The header is written by hand: serde cannot name the columns a `Vec` field spreads over.
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(header).map_err(invalid)?;
    for row in rows {
        w.serialize(row).map_err(invalid)?;
    }
    w.into_inner()
        .map_err(|e| GoldenError::Invalid(format!("CSV table: {e}")))
}

/// Every row of a CSV file with a header, as column name -> text (serde's map form, so a row is
/// read by column name and older files with fewer or reordered columns still read).
pub fn read_csv(path: &Path) -> Result<Vec<HashMap<String, String>>> {
    let text = std::fs::read(path).map_err(|e| GoldenError::io(path, e))?;
    parse_csv(&text, path)
}

/// [`read_csv`] of a file's bytes; `path` names it in errors.
pub fn parse_csv(text: &[u8], path: &Path) -> Result<Vec<HashMap<String, String>>> {
    csv::Reader::from_reader(text)
        .deserialize()
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| GoldenError::format(path, format!("invalid CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Row {
        label: String,
        n: u64,
        x: Decimal<6>,
        values: Vec<Decimal<1>>,
        t: Shown<f64>,
    }

    #[test]
    fn rows_read_back_by_column_name_with_the_same_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let header = ["label", "n", "x", "v1", "v2", "t"].map(String::from);
        let rows = vec![Row {
            label: "mp-vref0.5".into(),
            n: 3,
            x: Decimal(1.0 / 3.0),
            values: vec![Decimal(2.25), Decimal(-0.04)],
            t: Shown(1.0),
        }];
        let text = to_csv(&header, &rows).unwrap();
        // `{:.1}` of 2.25 rounds to even, -0.04 keeps its sign; `Shown` writes 1.0 as Display does.
        assert_eq!(
            String::from_utf8(text.clone()).unwrap(),
            "label,n,x,v1,v2,t\nmp-vref0.5,3,0.333333,2.2,-0.0,1\n"
        );
        std::fs::write(&path, &text).unwrap();
        let back = read_csv(&path).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0]["x"], "0.333333");
        assert_eq!(back[0]["v2"], "-0.0");
        assert_eq!(Scientific(0.0).0.to_string(), "0");
        let sci = to_csv(&["s".to_string()], [(Scientific(3e-4),)]).unwrap();
        assert_eq!(sci, b"s\n3e-4\n");
    }

    #[test]
    fn a_ragged_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.csv");
        std::fs::write(&path, "a,b\n1,2\n3\n").unwrap();
        let err = read_csv(&path).unwrap_err().to_string();
        assert!(
            err.contains("bad.csv") && err.contains("invalid CSV"),
            "{err}"
        );
    }
}
