//! `supc sample`: print a starting config (supervisor's own sample, a
//! minimal one or an annotated one), optionally with `[program:x]` stanzas.
//!
//! `--program NAME --command CMD [--numprocs N]` repeat as groups: each
//! `--command` and `--numprocs` belongs to the `--program` before it. clap
//! has no such grouping, so [`SampleArgs`] pairs them up by position.

use crate::emit::sample::{Base, DEFAULT_DIR, ProgramSpec, sample};
use crate::limits::MAX_NUMPROCS;
use clap::{ArgMatches, Args, Command, FromArgMatches};

/// The arguments as clap sees them.
#[derive(Args, Debug)]
#[command(after_long_help = AFTER_HELP)]
struct RawArgs {
    /// The smallest config that runs and that supervisorctl can connect to.
    ///
    /// [unix_http_server] (a socket with chmod 0700), [supervisord] (log and
    /// pid file), [rpcinterface:supervisor] and [supervisorctl] (the
    /// matching unix:// serverurl).
    #[arg(long, conflicts_with = "annotated")]
    minimal: bool,
    /// Every section and option, with its default, values and description.
    ///
    /// Generated from supc's option table. Everything is commented out except
    /// the four sections of --minimal, so the file runs as it is.
    #[arg(long)]
    annotated: bool,
    /// Where the socket, logs and pid file go [default: /tmp].
    ///
    /// The directory of the UNIX socket (supervisor.sock), the main log
    /// (supervisord.log) and the pid file (supervisord.pid) of --minimal and
    /// --annotated, and of the logs of --program stanzas (NAME.log, or
    /// NAME_00.log, NAME_01.log... with --numprocs). An absolute path that
    /// must exist on the machine that runs supervisord. Some systems clean
    /// /tmp periodically, and a deleted socket locks supervisorctl out.
    /// supervisor's own sample (no --minimal or --annotated) keeps its /tmp
    /// paths.
    #[arg(long, value_name = "DIR")]
    dir: Option<String>,
    /// Append a [program:NAME] stanza; the --command after it is its command.
    ///
    /// Repeatable: each --command and --numprocs belongs to the --program
    /// before it. NAME: letters, digits, '_', '-', '.'.
    #[arg(long, value_name = "NAME")]
    program: Vec<String>,
    /// The command of the --program before it (supervisord syntax).
    ///
    /// %(process_num)02d, %(program_name)s, %(ENV_X)s... expand and %% is a
    /// literal %; any other % is meant literally and written as %%. A ';' or
    /// '#' after whitespace and line breaks are refused, since supervisord
    /// would cut the line there: put such shell code in a script.
    #[arg(long, value_name = "CMD", allow_hyphen_values = true)]
    command: Vec<String>,
    /// Instances of the --program before it [default: 1].
    ///
    /// With more than one, process names and log files get a _00, _01...
    /// suffix; use %(process_num)02d in --command to give each instance its
    /// own port.
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(i64).range(1..=MAX_NUMPROCS))]
    numprocs: Vec<i64>,
}

const AFTER_HELP: &str = "\
Examples:
  supc sample > supervisord.conf        supervisor 4.3.0's echo_supervisord_conf
  supc sample --minimal --dir /srv/supervisor
  supc sample --minimal --program web \\
      --command '/usr/bin/web --port 80%(process_num)02d' --numprocs 3 \\
      --program worker --command '/usr/bin/worker --queue default'

Every sample passes `supc check`.

Exit codes: 0 printed, 2 usage error.";

#[derive(Debug)]
pub struct SampleArgs {
    raw: RawArgs,
    /// The programs, or why the flags do not pair up.
    programs: Result<Vec<ProgramSpec>, String>,
}

impl Args for SampleArgs {
    fn augment_args(cmd: Command) -> Command {
        RawArgs::augment_args(cmd)
    }
    fn augment_args_for_update(cmd: Command) -> Command {
        RawArgs::augment_args_for_update(cmd)
    }
}

impl FromArgMatches for SampleArgs {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let raw = RawArgs::from_arg_matches(m)?;
        let programs = pair_programs(m, &raw);
        Ok(SampleArgs { raw, programs })
    }
    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

/// Gives each `--command` and `--numprocs` to the `--program` before it.
fn pair_programs(m: &ArgMatches, raw: &RawArgs) -> Result<Vec<ProgramSpec>, String> {
    let at =
        |id: &str| -> Vec<usize> { m.indices_of(id).map(Iterator::collect).unwrap_or_default() };
    let starts = at("program");
    // Index of the program an argument at `pos` belongs to.
    let owner = |pos: usize, flag: &str| -> Result<usize, String> {
        starts
            .iter()
            .rposition(|&s| s < pos)
            .ok_or_else(|| format!("{flag} must follow the --program it belongs to"))
    };
    let mut commands: Vec<Option<String>> = vec![None; starts.len()];
    let mut numprocs: Vec<Option<i64>> = vec![None; starts.len()];
    for (pos, value) in at("command").into_iter().zip(&raw.command) {
        let i = owner(pos, "--command")?;
        if commands[i].replace(value.clone()).is_some() {
            return Err(format!(
                "--program {:?} has more than one --command",
                raw.program[i]
            ));
        }
    }
    for (pos, &value) in at("numprocs").into_iter().zip(&raw.numprocs) {
        let i = owner(pos, "--numprocs")?;
        if numprocs[i].replace(value).is_some() {
            return Err(format!(
                "--program {:?} has more than one --numprocs",
                raw.program[i]
            ));
        }
    }
    raw.program
        .iter()
        .zip(commands.into_iter().zip(numprocs))
        .map(|(name, (command, n))| match command {
            Some(command) => Ok(ProgramSpec {
                name: name.clone(),
                command,
                numprocs: n.unwrap_or(1),
            }),
            None => Err(format!("--program {name:?} needs a --command after it")),
        })
        .collect()
}

pub fn run(args: &SampleArgs) -> i32 {
    let raw = &args.raw;
    let programs = match &args.programs {
        Ok(p) => p,
        Err(e) => {
            eprintln!("supc: {e}");
            return 2;
        }
    };
    let base = if raw.minimal {
        Base::Minimal
    } else if raw.annotated {
        Base::Annotated
    } else {
        Base::Supervisor
    };
    if base == Base::Supervisor && raw.dir.is_some() && programs.is_empty() {
        eprintln!(
            "supc: --dir changes nothing in supervisor's own sample (it keeps its /tmp \
             paths); use it with --minimal, --annotated or --program"
        );
        return 2;
    }
    let dir = raw.dir.as_deref().unwrap_or(DEFAULT_DIR);
    match sample(base, dir, programs) {
        Ok(s) => {
            for note in &s.notes {
                eprintln!("supc: note: {note}");
            }
            super::print_stdout(&s.text);
            0
        }
        Err(e) => {
            eprintln!("supc: {e}");
            2
        }
    }
}
