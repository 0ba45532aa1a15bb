//! `ttfs qeval` (being built).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args) -> anyhow::Result<()> {
    anyhow::bail!("`ttfs qeval` is not available yet")
}
