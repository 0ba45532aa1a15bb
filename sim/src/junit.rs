//! JUnit XML from co-simulation results, so CI systems show a co-simulation the way they show
//! tests (what cocotb users expect): one `<testsuite>` per design, one `<testcase>` per sample
//! (named by its index and label), a `<failure>` carrying the sample's first difference between
//! golden and the hardware.
//!
//! The XML is written with quick-xml (escaping of names and messages is its job, not string
//! concatenation). The layout follows the common JUnit schema (Jenkins' `junit-10.xsd`, what
//! junitparser and GitLab read): `testsuites` > `testsuite` (`name`, `tests`, `failures`,
//! `errors`, `skipped`, `time`) > `testcase` (`name`, `classname`, `time`) > `failure`
//! (`message`, `type`, text). Pure: returns bytes, the caller writes the file.

use crate::stats::SampleResult;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

/// One design's results: a `<testsuite>`.
pub struct Suite<'a> {
    /// The suite's name (the design folder and engine).
    pub name: String,
    /// Seconds the simulation took (spread evenly over the test cases).
    pub seconds: f64,
    pub samples: &'a [SampleResult],
}

/// The test case name of a sample: `sample 3 (label 7)`.
pub fn case_name(r: &SampleResult) -> String {
    match r.label {
        Some(y) => format!("sample {} (label {y})", r.sample),
        None => format!("sample {}", r.sample),
    }
}

/// The JUnit XML document of `suites`.
pub fn to_xml(suites: &[Suite]) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let failures = |s: &Suite| {
        s.samples
            .iter()
            .filter(|r| r.first_difference.is_some())
            .count()
    };
    let total: usize = suites.iter().map(|s| s.samples.len()).sum();
    let failed: usize = suites.iter().map(failures).sum();
    let seconds: f64 = suites.iter().map(|s| s.seconds).sum();
    w.create_element("testsuites")
        .with_attribute(("name", "ttfs cosim"))
        .with_attribute(("tests", total.to_string().as_str()))
        .with_attribute(("failures", failed.to_string().as_str()))
        .with_attribute(("errors", "0"))
        .with_attribute(("time", format!("{seconds:.3}").as_str()))
        .write_inner_content(|w| {
            for (id, s) in suites.iter().enumerate() {
                let per_case = s.seconds / s.samples.len().max(1) as f64;
                w.create_element("testsuite")
                    .with_attribute(("name", s.name.as_str()))
                    .with_attribute(("id", id.to_string().as_str()))
                    .with_attribute(("tests", s.samples.len().to_string().as_str()))
                    .with_attribute(("failures", failures(s).to_string().as_str()))
                    .with_attribute(("errors", "0"))
                    .with_attribute(("skipped", "0"))
                    .with_attribute(("time", format!("{:.3}", s.seconds).as_str()))
                    .write_inner_content(|w| {
                        for r in s.samples {
                            let case = w
                                .create_element("testcase")
                                .with_attribute(("name", case_name(r).as_str()))
                                .with_attribute(("classname", s.name.as_str()))
                                .with_attribute(("time", format!("{per_case:.6}").as_str()));
                            match &r.first_difference {
                                None => {
                                    case.write_empty()?;
                                }
                                Some(d) => {
                                    case.write_inner_content(|w| {
                                        w.create_element("failure")
                                            .with_attribute(("message", d.as_str()))
                                            .with_attribute(("type", "mismatch"))
                                            .write_text_content(BytesText::new(d))?;
                                        Ok(())
                                    })?;
                                }
                            }
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(sample: usize, diff: Option<&str>) -> SampleResult {
        SampleResult {
            sample,
            label: Some(7),
            golden_decision: Some(7),
            hardware_decision: Some(7),
            cycles: Some(100),
            expected_cycles: 100,
            first_difference: diff.map(String::from),
        }
    }

    #[test]
    fn one_case_per_sample_failures_escaped() {
        let samples = [
            result(0, None),
            result(
                1,
                Some("layer 1 neuron 3: expected step 4, hardware <silent> & late"),
            ),
        ];
        let xml = to_xml(&[Suite {
            name: "design \"d\"".into(),
            seconds: 2.0,
            samples: &samples,
        }])
        .unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{xml}"
        );
        assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
        assert!(
            xml.contains("<testcase name=\"sample 0 (label 7)\""),
            "{xml}"
        );
        assert!(xml.contains("&lt;silent&gt; &amp; late"), "{xml}");
        assert!(xml.contains("name=\"design &quot;d&quot;\""), "{xml}");
        assert_eq!(xml.matches("<failure").count(), 1, "{xml}");
    }
}
