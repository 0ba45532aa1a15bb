//! `ttfs hdl` (being built).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args) -> anyhow::Result<()> {
    anyhow::bail!("`ttfs hdl` is not available yet")
}
