//! `socketio-lab new NAME`: a commented starter lesson.

use socketio_lab::authoring::{self, NewOptions};
use socketio_lab::judge::Verdict;
use socketio_lab::paint::Paint;
use socketio_lab::path::After;
use socketio_lab::registry::Registry;

use crate::cli::NewArgs;
use crate::error::Error;

pub fn run(args: &NewArgs, registry: &Registry, paint: Paint) -> Result<Verdict, Error> {
    let options = NewOptions {
        name: args.name.clone(),
        dir: args.dir.clone(),
    };
    let (verdict, file) = authoring::new_lesson(&options, &mut std::io::stdout(), paint)?;
    super::next::show(&After::New { file: &file }, registry, false, paint)?;
    Ok(verdict)
}
