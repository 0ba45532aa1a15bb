//! `ttfs train` (being built).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args) -> anyhow::Result<()> {
    anyhow::bail!("`ttfs train` is not available yet")
}
