//! `system.listMethods`, `system.methodHelp` and `system.methodSignature`
//! answer as the real supervisord 4.3.0 does, for every method it lists
//! (methodHelp returns supervisord's docstrings verbatim).

mod run_common;

use run_common::{HEADER, Runner, Scenario, oracle_python};
use std::process::Command;
use std::time::{Duration, Instant};

const S: Duration = Duration::from_secs(1);

/// Every method's help and signature, as JSON, through the real
/// xmlrpc client of supervisor.
fn introspect(scenario: &Scenario) -> String {
    let sock = scenario.file("s.sock");
    let end = Instant::now() + 15 * S;
    while !sock.exists() && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50));
    }
    let script = format!(
        "import json\n\
         from supervisor.xmlrpc import SupervisorTransport\n\
         import xmlrpc.client as x\n\
         t = SupervisorTransport(None, None, 'unix://{}')\n\
         p = x.ServerProxy('http://127.0.0.1', transport=t)\n\
         out = {{}}\n\
         for m in p.system.listMethods():\n\
         \x20   out[m] = [p.system.methodHelp(m), p.system.methodSignature(m)]\n\
         print(json.dumps(out, indent=1, sort_keys=True))\n",
        sock.display()
    );
    let out = Command::new(oracle_python())
        .args(["-c", &script])
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn method_help_and_signatures_match_supervisord() {
    let text = format!("{HEADER}\n[program:one]\ncommand=sleep 100\n");
    let theirs_sc = Scenario::new(&text);
    let mut cmd = Command::new(oracle_python());
    cmd.args(["-m", "supervisor.supervisord", "-n", "-c"])
        .arg(&theirs_sc.conf);
    let mut theirs = Runner::spawn(cmd, theirs_sc.path());
    let ours_sc = Scenario::new(&text);
    let mut ours = ours_sc.run(&["--quiet"]);
    let (t, o) = (introspect(&theirs_sc), introspect(&ours_sc));
    theirs.stop(15 * S);
    ours.stop(15 * S);
    assert!(t.contains("@param string name         name of process group to add"));
    assert_eq!(t, o);
}
