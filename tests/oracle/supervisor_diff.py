#!/usr/bin/env python3
"""supc's reread oracle: what ``supervisorctl reread`` reports when
supervisord 4.3.0 was started with OLD and its config file became NEW.

    supervisor_diff.py OLD NEW [--portable] [--env K=V]... [--host-node-name N]

OLD is loaded through ``ServerOptions.realize()`` as ``supervisord -c OLD``
does at startup, and its groups become the running ones through
supervisord's own ``add_process_group`` rule (first group of a name wins;
AUTO log files get a real name, as ``after_setuid`` gives them).  The same
options object then re-reads NEW exactly as the ``reloadConfig`` RPC does
(``process_config(do_usage=False)``), and ``Supervisor.diff_to_active``,
supervisor's own code, says what is added, changed and removed.  Nothing is
started, bound or forked.

Prints one JSON object with sorted keys:

    {"ok": true, "added": [...], "changed": [...], "removed": [...]}
    {"ok": false, "role": "old"|"new", "error": "..."}

(the lists as diff_to_active returns them, duplicates included).  The host
is controlled as in supervisor_dump.py (same environment, node name,
portable mode); in portable mode the placeholders of result handlers
compare by spec, as the imported objects would.  Exit status: 0 answered,
2 usage error, 3 oracle bug.
"""

import argparse
import json
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
_REEXEC_MARK = 'SUPC_DIFF_ORACLE_REEXECED'


def restart_interpreter_if_needed():
    """Re-exec under ``-X utf8`` with a fixed hash seed, like the dump
    oracle (event sets are walked in hash order)."""
    if sys.flags.utf8_mode and not sys.flags.hash_randomization:
        return
    if os.environ.get(_REEXEC_MARK):
        return
    environ = dict(os.environ)
    environ[_REEXEC_MARK] = '1'
    environ['PYTHONHASHSEED'] = '0'
    argv = [sys.executable, '-X', 'utf8', '-B', os.path.abspath(__file__)]
    os.execve(sys.executable, argv + sys.argv[1:], environ)


class Rejection(Exception):
    pass


def load_dump_helpers():
    sys.path.insert(0, HERE)
    try:
        import supervisor_dump
    finally:
        sys.path.remove(HERE)
    supervisor_dump.isolate_import_path()
    return supervisor_dump


def describe(exc):
    if isinstance(exc, (Rejection, ValueError)):
        return str(exc)
    return '%s: %s' % (type(exc).__name__, exc)


def run(old, new):
    from supervisor import options as sup
    from supervisor.supervisord import Supervisor

    class Options(sup.ServerOptions):
        def usage(self, msg):
            raise Rejection(str(msg))

    options = Options()
    try:
        options.realize(args=['-c', old], doc='', progname='supervisord')
    except Exception as exc:  # supervisord would stop here
        return {'ok': False, 'role': 'old', 'error': describe(exc)}

    serial = [0]

    def autochildlog_name(name, identifier, channel):
        serial[0] += 1
        return '/supc-oracle/%s-%s---%s-%d.log' % (name, channel, identifier,
                                                  serial[0])

    options.get_autochildlog_name = autochildlog_name
    supervisord = Supervisor(options)
    for config in options.process_group_configs:
        # Supervisor.add_process_group minus make_group(): diff_to_active
        # only looks at each running group's .config.
        if config.name not in supervisord.process_groups:
            config.after_setuid()
            supervisord.process_groups[config.name] = RunningGroup(config)

    # rpcinterface.SupervisorNamespaceRPCInterface.reloadConfig
    options.configfile = new
    try:
        options.process_config(do_usage=False)
    except Exception as exc:  # CANT_REREAD (or a crash of the RPC)
        return {'ok': False, 'role': 'new', 'error': describe(exc)}
    added, changed, removed = supervisord.diff_to_active()
    return {
        'ok': True,
        'added': [g.name for g in added],
        'changed': [g.name for g in changed],
        'removed': [g.name for g in removed],
    }


class RunningGroup(object):
    def __init__(self, config):
        self.config = config


def main():
    restart_interpreter_if_needed()
    sys.dont_write_bytecode = True
    dump = load_dump_helpers()
    parser = argparse.ArgumentParser(prog='supervisor_diff.py')
    parser.add_argument('old')
    parser.add_argument('new')
    parser.add_argument('--portable', action='store_true')
    parser.add_argument('--env', action='append', default=[],
                        metavar='KEY=VALUE')
    parser.add_argument('--host-node-name', default=dump.DEFAULT_NODE)
    args = parser.parse_args()
    pairs = []
    for item in args.env:
        key, sep, value = item.partition('=')
        if not sep:
            parser.error('--env wants KEY=VALUE, got %r' % item)
        pairs.append((key, value))
    problem = dump.check_supervisor()
    if problem:
        sys.stderr.write('supervisor_diff: %s\n' % problem)
        return 3
    try:
        dump.pin_host(dump.controlled_environ(pairs), args.host_node_name,
                      args.portable)
        if args.portable:
            dump.enter_portable_mode()
            # A real import returns the same object for the same spec, and
            # EventListenerPoolConfig.__eq__ compares result handlers: make
            # the portable placeholders compare the same way.
            dump.NotImported.__eq__ = lambda self, other: (
                isinstance(other, dump.NotImported) and
                self.spec == other.spec)
            dump.NotImported.__ne__ = lambda self, other: not (self == other)
            dump.NotImported.__hash__ = lambda self: hash(self.spec)
        answer = run(args.old, args.new)
    except Exception:
        traceback.print_exc()
        sys.stderr.write('supervisor_diff: internal error\n')
        return 3
    sys.stdout.write(json.dumps(answer, sort_keys=True) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
