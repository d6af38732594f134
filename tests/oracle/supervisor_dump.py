#!/usr/bin/env python3
"""supc's reference oracle: what supervisord 4.3.0 makes of a config file.

    supervisor_dump.py CONFIG [--portable] [--env K=V]... [--host-node-name N]
                       [--pythonpath DIR]... [--compact]
    supervisor_dump.py --batch [--portable]

The config is loaded by the real ``supervisor`` package, through the same
``ServerOptions.realize()`` call that ``supervisord -c CONFIG`` makes at
startup, and the outcome is printed as JSON with sorted keys.  Nothing is
started, written, bound or forked: only the parse/validate half of startup
runs.

Single mode exit status: 0 accepted, 1 rejected, 2 usage error, 3 oracle bug
(or wrong/missing supervisor).

Batch mode reads one JSON request per stdin line::

    {"config": "supervisord.conf", "cwd": "/abs/dir",
     "env": {"K": "V"}, "host_node_name": "testhost",
     "pythonpath": ["/abs/dir/pythonpath"]}

(only "config" is required; "pythonpath" entries are importable for that job
alone, as if they were on PYTHONPATH: they model plugin packages installed
on the host)

and answers each with one compact line ``{"result": {...}, "status": N}``.
``status`` is the exit status single mode would have had; for 3 the result
is ``{"internal_error": "<traceback>"}`` and for 2 (a malformed request)
``{"usage_error": "<message>"}``.  ``--portable`` patches supervisor for the
whole process, so a batch serves a single mode.

The JSON contract, the controlled environment and the portable mode are the
ones of the shared supervisor oracle (its README is the specification); this
is an independent implementation of them for the project's own test suite.
"""

import argparse
import json
import os
import sys
import traceback

SUPERVISOR_PIN = '4.3.0'
DEFAULT_NODE = 'testhost'

# Every job starts from exactly these variables; nothing of the caller's
# environment reaches supervisor.  HOME points nowhere on purpose so that
# "~" and %(ENV_HOME)s expand identically on every machine.
BASE_ENVIRON = (
    ('HOME', '/nonexistent'),
    ('PATH', '/usr/local/bin:/usr/bin:/bin'),
)

ACCEPTED, REJECTED, USAGE, BROKEN = 0, 1, 2, 3

# Largest id the portable form check lets through: uid_t/gid_t are 32 bits
# wide and (uid_t)-1 is reserved for "no id".
MAX_PORTABLE_ID = 0xFFFFFFFF - 1

_REEXEC_MARK = 'SUPC_ORACLE_REEXECED'


class Rejection(Exception):
    """supervisord would print ``Error: <message>`` and stop."""


class OracleError(Exception):
    """Something the oracle does not know how to render (a bug here)."""


class BadRequest(Exception):
    """A malformed command line or batch request."""


# ---------------------------------------------------------------------------
# interpreter setup
# ---------------------------------------------------------------------------

def restart_interpreter_if_needed():
    """Re-exec under ``-X utf8`` with a fixed hash seed.

    UTF-8 mode makes supervisor decode every config as UTF-8 whatever the
    locale.  The fixed seed makes set iteration order stable: supervisor
    walks a *set* of event names and reports the first unknown one, so with
    random hashing the error text of a config with two unknown events would
    change from run to run.
    """
    if sys.flags.utf8_mode and not sys.flags.hash_randomization:
        return
    if os.environ.get(_REEXEC_MARK):
        return  # already tried once; never loop
    environ = dict(os.environ)
    environ[_REEXEC_MARK] = '1'
    environ['PYTHONHASHSEED'] = '0'
    script = os.path.abspath(__file__)
    argv = [sys.executable, '-X', 'utf8', '-B', script] + sys.argv[1:]
    os.execve(sys.executable, argv, environ)


def isolate_import_path():
    """Keep this directory and the working directory off sys.path.

    supervisord, started as a console script, imports neither; a batch job
    changes directory, and a module next to some config must not become
    importable as a plugin.
    """
    mine = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [entry for entry in sys.path
                   if entry not in ('', '.') and
                   os.path.abspath(entry) != mine]


# ---------------------------------------------------------------------------
# the controlled host
# ---------------------------------------------------------------------------

def controlled_environ(extra_pairs):
    """BASE_ENVIRON, then (key, value) pairs in order; a later value for a
    key already present keeps that key's original position (dict.update)."""
    environ = dict(BASE_ENVIRON)
    for key, value in extra_pairs:
        if not isinstance(key, str) or not isinstance(value, str):
            raise BadRequest('environment keys and values must be strings')
        if not key or '=' in key or '\0' in key or '\0' in value:
            raise BadRequest('invalid environment variable %r' % (key,))
        environ[key] = value
    return environ


def choose_tempdir(portable):
    """tempfile.gettempdir()'s choice without its write probe.

    gettempdir() creates a scratch file in each candidate directory; the
    oracle must not write anything, so it takes the first candidate that is
    a directory (TMPDIR, TEMP, TMP, then the platform's usual places).  In
    portable mode existence must not matter, so the first candidate wins.
    """
    import tempfile
    for candidate in tempfile._candidate_tempdir_list():
        if candidate == os.curdir:
            continue
        if portable or os.path.isdir(candidate):
            return os.path.abspath(candidate)
    return os.getcwd()


def pin_host(environ, node_name, portable):
    """Make every host input supervisor consults deterministic for one job.

    Must run before the options objects are created: they copy os.environ
    into their ENV_* expansions and take the default childlogdir from
    tempfile when they are constructed.
    """
    import platform
    import socket
    import tempfile

    os.environ.clear()
    os.environ.update(environ)  # insertion order is what %s shows
    tempfile.tempdir = None
    tempfile.tempdir = choose_tempdir(portable)
    platform.node = lambda: node_name
    socket.gethostname = lambda: node_name


# ---------------------------------------------------------------------------
# portable mode
# ---------------------------------------------------------------------------
#
# A config is often checked on a machine other than the one it was written
# for.  Portable mode swaps out, for this process only, each supervisor
# helper that asks the host something (does this directory exist, who is
# this user, can this plugin be imported) for one that asks nothing but
# still rejects what no host could accept, with supervisor's own messages.

def _null_byte_check(name):
    # pwd/grp refuse a NUL before any lookup, and so does this.
    if b'\0' in os.fsencode(name):
        raise ValueError('embedded null byte')


def _check_account(value, what):
    """Form check for a user or group given by name or number."""
    try:
        number = int(value)
    except ValueError:
        _null_byte_check(value)
        # A passwd/group entry can hold neither ':' nor a newline, and no
        # entry has an empty name.
        if not value or ':' in value or '\n' in value:
            raise ValueError('Invalid %s name %s' % (what, value))
        return None
    if number < 0 or number > MAX_PORTABLE_ID:
        raise ValueError('Invalid %s id %s' % (what, value))
    return None


def _offline_uid(name):
    return _check_account(name, 'user')


def _offline_gid(name):
    return _check_account(name, 'group')


def _offline_primary_gid(uid):
    return None


def _offline_directory(value):
    # existing_directory / existing_dirpath minus the isdir() test.  The
    # lookup of os.path.expanduser happens per call so the "~name" patch
    # below applies.
    return os.path.expanduser(value)


def _wrap_expanduser(original):
    def expanduser(path):
        # "~name" would consult the passwd database: keep it as written
        # (what Python returns for an unknown user).  "~" and "~/x" still
        # come from HOME.
        if isinstance(path, str) and path.startswith('~'):
            user = path[1:].split('/', 1)[0]
            if user:
                _null_byte_check(user)
                return path
        return original(path)
    return expanduser


class NotImported(object):
    """Placeholder for a plugin object portable mode does not import."""

    def __init__(self, spec):
        self.spec = spec

    def __repr__(self):
        return 'NotImported(%r)' % (self.spec,)


def _offline_import_spec(spec_syntax):
    def import_spec(self, spec):
        # Reproduce the failures EntryPoint.load() has before it imports.
        found = spec_syntax.match(spec)
        if not found:
            # load() calls .group() on a failed match: AttributeError, which
            # supervisor reports as "cannot be resolved".
            raise AttributeError('not an entry point: %r' % (spec,))
        module = found.group('module')
        if module.startswith('.'):
            # import_module() refuses a relative name without a package;
            # supervisor does not catch this, so it is a crash.
            raise TypeError("the 'package' argument is required to perform "
                            "a relative import for %r" % (module,))
        if any(part == '' for part in module.split('.')):
            raise ImportError('empty module name part in %r' % (module,))
        return NotImported(spec)
    return import_spec


def _offline_fcgi_socket(original):
    def parse_fcgi_socket(self, sock, proc_uid, socket_owner, socket_mode,
                          socket_backlog):
        # Without socket_owner, supervisor derives an owner from the
        # program's uid when it differs from os.getuid(); hiding the uid
        # makes the default owner None on every host.
        return original(self, sock, None, socket_owner, socket_mode,
                        socket_backlog)
    return parse_fcgi_socket


def enter_portable_mode():
    """Install the offline helpers.  options.py imported the datatypes
    helpers by name, so both modules get the replacement; helpers called
    inside datatypes (colon_separated_user_group, logfile_name) find the
    patched names in datatypes' globals at call time."""
    import posixpath
    from supervisor import compat, datatypes, options

    syntax = getattr(getattr(compat, '_EntryPoint', None), 'pattern', None)
    if syntax is None:
        raise OracleError('portable mode needs importlib.metadata.EntryPoint')
    if os.path is not posixpath:
        raise OracleError('portable mode expects a POSIX os.path')

    patches = (
        (datatypes, 'existing_directory', _offline_directory),
        (options, 'existing_directory', _offline_directory),
        (datatypes, 'existing_dirpath', _offline_directory),
        (options, 'existing_dirpath', _offline_directory),
        (datatypes, 'name_to_uid', _offline_uid),
        (options, 'name_to_uid', _offline_uid),
        (datatypes, 'name_to_gid', _offline_gid),
        (datatypes, 'gid_for_uid', _offline_primary_gid),
        (options, 'gid_for_uid', _offline_primary_gid),
        (options.Options, 'import_spec', _offline_import_spec(syntax)),
        (options.ServerOptions, 'parse_fcgi_socket',
         _offline_fcgi_socket(options.ServerOptions.parse_fcgi_socket)),
        (posixpath, 'expanduser', _wrap_expanduser(posixpath.expanduser)),
    )
    for target, attribute, _ in patches:
        if not hasattr(target, attribute):
            raise OracleError('cannot patch %s.%s: not found (supervisor '
                              'version?)' % (target.__name__, attribute))
    for target, attribute, replacement in patches:
        setattr(target, attribute, replacement)


# ---------------------------------------------------------------------------
# observing supervisor
# ---------------------------------------------------------------------------
#
# supervisor throws away some things the JSON shows: the spec strings of
# plugins and result handlers (it keeps the imported objects), the "user"
# string of a program (it keeps the uid), the section a process came from
# and whether a group came from [group:x].  The subclasses below watch the
# parser hand out values instead of re-deriving them.

def _log_parser_reads(parser):
    """Make ``parser`` remember the last value each (section, option) read
    returned; idempotent.  Returns the log."""
    log = getattr(parser, 'supc_reads', None)
    if log is not None:
        return log
    log = {}
    plain_get = parser.saneget

    def saneget(section, option, *args, **kwargs):
        value = plain_get(section, option, *args, **kwargs)
        log[(section, option)] = value
        return value

    parser.saneget = saneget  # getdefault() calls self.saneget too
    parser.supc_reads = log
    return log


def build_option_classes():
    from supervisor import options as sup

    class Observing(object):
        def usage(self, msg):
            raise Rejection(str(msg))

        def get_plugins(self, parser, factory_key, section_prefix):
            reads = _log_parser_reads(parser)
            factories = super(Observing, self).get_plugins(
                parser, factory_key, section_prefix)
            sections = [s for s in parser.sections()
                        if s.startswith(section_prefix)]
            specs = [reads[(s, factory_key)] for s in sections]
            if len(specs) != len(factories):
                raise OracleError('plugin sections and factories disagree')
            self.supc_plugin_specs[section_prefix] = specs
            return factories

    class Server(Observing, sup.ServerOptions):
        def __init__(self):
            sup.ServerOptions.__init__(self)
            self.supc_plugin_specs = {}
            self.supc_reads = {}
            self.supc_program_lists = []

        def process_groups_from_parser(self, parser):
            self.supc_reads = _log_parser_reads(parser)
            return sup.ServerOptions.process_groups_from_parser(self, parser)

        def processes_from_section(self, parser, section, group_name,
                                   klass=None):
            configs = sup.ServerOptions.processes_from_section(
                self, parser, section, group_name, klass)
            # The list object itself becomes the process list of a
            # homogeneous group; a [group:x] builds a fresh list instead.
            self.supc_program_lists.append(configs)
            # "user" was just read for this section by supervisor itself.
            user = self.supc_reads.get((section, 'user'))
            for config in configs:
                config.supc_section = section
                config.supc_user = user
            return configs

        def group_kind(self, group):
            if isinstance(group, sup.EventListenerPoolConfig):
                return 'eventlistener'
            if isinstance(group, sup.FastCGIGroupConfig):
                return 'fcgi-program'
            if not isinstance(group, sup.ProcessGroupConfig):
                raise OracleError('unknown group type %r' % (group,))
            for programs in self.supc_program_lists:
                if group.process_configs is programs:
                    return 'program'
            return 'group'

    class Client(Observing, sup.ClientOptions):
        def __init__(self):
            sup.ClientOptions.__init__(self)
            self.supc_plugin_specs = {}

    return Server, Client


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------

def to_json(value):
    """Plain Python data to JSON data; anything unexpected is a bug."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_json(item) for item in value)
    if isinstance(value, dict):
        rendered = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise OracleError('dict key %r is not a string' % (key,))
            rendered[key] = to_json(item)
        return rendered
    raise OracleError('no JSON form for %r' % (value,))


def octal_text(mode):
    return None if mode is None else '%03o' % mode


def signal_text(number):
    import signal
    try:
        return signal.Signals(number).name[len('SIG'):]
    except ValueError:
        # accepted by supervisor but not a signal here (SIG_DFL is 0)
        return str(int(number))


def loglevel_text(number):
    from supervisor.loggers import LevelsByDescription
    names = [name for name, value in vars(LevelsByDescription).items()
             if not name.startswith('_') and value == number]
    if len(names) != 1:
        raise OracleError('log level %r has names %r' % (number, names))
    return names[0]


def logfile_text(value):
    from supervisor.datatypes import Automatic
    if value is Automatic:
        return 'AUTO'
    if value is None or isinstance(value, str):
        return value
    raise OracleError('unexpected log file value %r' % (value,))


def autorestart_text(value):
    from supervisor import datatypes
    if value is datatypes.RestartWhenExitUnexpected:
        return 'unexpected'
    if value is datatypes.RestartUnconditionally:
        return 'true'
    if value is False:
        return 'false'
    raise OracleError('unexpected autorestart value %r' % (value,))


# ProcessConfig attributes that need more than to_json().
SPECIAL_PROCESS_FIELDS = {
    'umask': octal_text,
    'autorestart': autorestart_text,
    'stopsignal': signal_text,
    'stdout_logfile': logfile_text,
    'stderr_logfile': logfile_text,
}


def render_process(config, group_name):
    from supervisor.options import make_namespec
    rendered = {
        'name': config.name,
        'group': group_name,
        'full_name': make_namespec(group_name, config.name),
        'section': config.supc_section,
        'user': config.supc_user,
    }
    for field in config.req_param_names + config.optional_param_names:
        if field == 'name':
            continue
        convert = SPECIAL_PROCESS_FIELDS.get(field, to_json)
        rendered[field] = convert(getattr(config, field))
    return rendered


def render_fcgi_socket(sock):
    from supervisor import datatypes
    if isinstance(sock, datatypes.UnixStreamSocketConfig):
        owner = sock.owner
        return {
            'family': 'unix',
            'url': sock.url,
            'path': sock.path,
            'mode': octal_text(sock.mode),
            'owner': None if owner is None else to_json(list(owner)),
            'backlog': sock.backlog,
        }
    if isinstance(sock, datatypes.InetStreamSocketConfig):
        return {
            'family': 'inet',
            'url': sock.url,
            'host': sock.host,
            'port': sock.port,
            'backlog': sock.backlog,
        }
    raise OracleError('unknown fcgi socket %r' % (sock,))


def render_group(group, server):
    from supervisor.events import getEventNameByType
    kind = server.group_kind(group)
    rendered = {
        'name': group.name,
        'priority': group.priority,
        'kind': kind,
        'processes': [render_process(p, group.name)
                      for p in group.process_configs],
    }
    if kind == 'eventlistener':
        section = 'eventlistener:%s' % group.name
        rendered['buffer_size'] = group.buffer_size
        rendered['events'] = sorted(getEventNameByType(event)
                                    for event in group.pool_events)
        rendered['result_handler'] = server.supc_reads[
            (section, 'result_handler')]
    elif kind == 'fcgi-program':
        rendered['socket'] = render_fcgi_socket(group.socket_config)
    return rendered


def render_http_server(config):
    import socket
    rendered = {
        'section': config['section'],
        'name': config['name'],
        'username': config['username'],
        'password': config['password'],
    }
    if config['family'] == socket.AF_INET:
        rendered.update(family='inet', host=config['host'],
                        port=config['port'])
    elif config['family'] == socket.AF_UNIX:
        rendered.update(family='unix', file=config['file'],
                        chmod=octal_text(config['chmod']),
                        chown=to_json(list(config['chown'])))
    else:
        raise OracleError('unknown server family %r' % (config['family'],))
    return rendered


def render_plugins(factories, specs):
    return [{'name': name, 'factory': spec, 'extras': to_json(extras)}
            for (name, _obj, extras), spec in zip(factories, specs)]


def render_supervisord(server):
    parsed = server.configroot.supervisord
    return {
        'logfile': server.logfile,
        'logfile_maxbytes': server.logfile_maxbytes,
        'logfile_backups': server.logfile_backups,
        'loglevel': loglevel_text(server.loglevel),
        'pidfile': server.pidfile,
        'umask': octal_text(server.umask),
        'nodaemon': bool(server.nodaemon),
        'silent': bool(server.silent),
        'minfds': server.minfds,
        'minprocs': server.minprocs,
        'nocleanup': bool(server.nocleanup),
        'strip_ansi': bool(server.strip_ansi),
        'user': server.user,
        'uid': server.uid,
        'gid': server.gid,
        'directory': server.directory,
        'childlogdir': server.childlogdir,
        'identifier': server.identifier,
        'environment': to_json(parsed.environment),
        'serverurl': server.serverurl,
    }


NO_CTL_SECTION = '.ini file does not include supervisorctl section'


def _is_supervisor_module(name):
    return name == 'supervisor' or name.startswith('supervisor.')


_CTL_MODULES = []


def supervisorctl_modules():
    """The supervisor modules a fresh supervisorctl has loaded when it reads
    its config (its console script imports supervisor.supervisorctl),
    found once in a fresh interpreter."""
    if not _CTL_MODULES:
        import subprocess
        code = ('import sys, supervisor.supervisorctl; '
                'print("\\n".join(sys.modules))')
        out = subprocess.run([sys.executable, '-I', '-B', '-c', code],
                             check=True, capture_output=True, text=True)
        _CTL_MODULES.extend(name for name in out.stdout.split()
                            if _is_supervisor_module(name))
    return set(_CTL_MODULES)


class AsSupervisorctl(object):
    """Within the block the supervisor package looks as it does in a fresh
    supervisorctl process: a plugin spec such as "supervisor:events" must
    not resolve because supervisord's own reading imported that module
    (a submodule is an attribute of its package once imported)."""

    def __enter__(self):
        keep = supervisorctl_modules()
        self.modules = dict((name, module) for name, module
                            in sys.modules.items()
                            if _is_supervisor_module(name))
        self.packages = dict((name, dict(vars(module))) for name, module
                             in self.modules.items()
                             if hasattr(module, '__path__'))
        for name, module in self.modules.items():
            if name in keep:
                continue
            del sys.modules[name]
            parent, _, child = name.rpartition('.')
            package = self.modules.get(parent)
            if package is not None and \
                    vars(package).get(child) is module:
                delattr(package, child)
        import importlib
        importlib.import_module('supervisor.supervisorctl')
        return self

    def __exit__(self, *exc_info):
        for name in list(sys.modules):
            if _is_supervisor_module(name) and name not in self.modules:
                del sys.modules[name]
        sys.modules.update(self.modules)
        for name, attrs in self.packages.items():
            namespace = vars(self.modules[name])
            for key in list(namespace):
                if key not in attrs:
                    delattr(self.modules[name], key)
            for key, value in attrs.items():
                setattr(self.modules[name], key, value)
        return False


def render_supervisorctl(config_path, client_class):
    """What ``supervisorctl -c CONFIG`` reads (main file only, no
    includes); None without a [supervisorctl] section."""
    client = client_class()
    try:
        with AsSupervisorctl():
            client.realize(args=['-c', config_path], doc='',
                           progname='supervisorctl')
    except Rejection as exc:
        if str(exc) == NO_CTL_SECTION:
            return None
        return {'error': str(exc)}
    except OracleError:
        raise
    except Exception as exc:
        return {'error': '%s: %s' % (type(exc).__name__, exc)}
    parsed = client.configroot.supervisorctl
    # plugin_factories starts with supervisorctl's built-in default plugin
    plugins = render_plugins(client.plugin_factories[1:],
                             client.supc_plugin_specs.get('ctlplugin:', []))
    return {
        'serverurl': parsed.serverurl,
        'prompt': parsed.prompt,
        'username': parsed.username,
        'password': parsed.password,
        'history_file': parsed.history_file,
        'plugins': plugins,
    }


def examine(config_path):
    """Load one config as supervisord would: (status, JSON object)."""
    server_class, client_class = build_option_classes()
    server = server_class()
    try:
        server.realize(args=['-c', config_path], doc='',
                       progname='supervisord')
    except Rejection as exc:
        return REJECTED, {'ok': False, 'error': str(exc)}
    except OracleError:
        raise
    except Exception as exc:
        # supervisord would die with a traceback: still a rejection, and
        # the exception class is part of the answer.
        name = type(exc).__name__
        return REJECTED, {'ok': False, 'error': '%s: %s' % (name, exc),
                          'exception': name}

    servers = [render_http_server(c) for c in server.server_configs]
    by_section = dict((s['section'], s) for s in reversed(servers))
    answer = {
        'ok': True,
        'supervisord': render_supervisord(server),
        'http_servers': servers,
        'inet_http_server': by_section.get('inet_http_server'),
        'unix_http_server': by_section.get('unix_http_server'),
        'rpcinterfaces': render_plugins(
            server.rpcinterface_factories,
            server.supc_plugin_specs.get('rpcinterface:', [])),
        'groups': [render_group(g, server)
                   for g in server.process_group_configs],
        'parse_warnings': list(server.parse_warnings),
        'parse_infos': list(server.parse_infos),
        'supervisorctl': render_supervisorctl(config_path, client_class),
    }
    return ACCEPTED, answer


def encode(obj, compact):
    options = {'sort_keys': True, 'ensure_ascii': False}
    if compact:
        options['separators'] = (',', ':')
    else:
        options['indent'] = 2
    try:
        return json.dumps(obj, **options).encode('utf-8')
    except UnicodeEncodeError:
        # lone surrogates (undecodable file names): fall back to escapes
        options['ensure_ascii'] = True
        return json.dumps(obj, **options).encode('ascii')


# ---------------------------------------------------------------------------
# process-level checks and job isolation
# ---------------------------------------------------------------------------

def check_supervisor():
    """None when the pinned supervisor is importable, else a message."""
    try:
        from supervisor.options import VERSION
    except ImportError:
        return ('supervisor is not importable by %s; run '
                'scripts/setup-oracle.sh and use the python it prints'
                % sys.executable)
    if VERSION != SUPERVISOR_PIN:
        return 'supervisor %s found, %s required' % (VERSION, SUPERVISOR_PIN)
    return None


def warm_up():
    # What supervisord has imported when it reads its config: its console
    # script imports supervisor.supervisord. Nothing more, because a plugin
    # spec such as "supervisor:dispatchers" resolves only once that
    # submodule has been imported (every job starts from this state again).
    import supervisor.supervisord  # noqa: F401


class ProcessState(object):
    """Snapshot of the process-wide state a job could change, so that the
    next job of a batch starts as if in a fresh process.  Plugin imports
    (normal mode) add modules and may register event types; a job's
    pythonpath adds sys.path entries."""

    def __init__(self):
        from supervisor.events import EventTypes
        self.event_types = EventTypes
        self.event_attrs = dict(vars(EventTypes))
        self.modules = set(sys.modules)
        self.package_attrs = {name: set(vars(module))
                              for name, module in list(sys.modules.items())
                              if hasattr(module, '__path__')}
        self.path = list(sys.path)

    def restore(self):
        for name in list(vars(self.event_types)):
            if name not in self.event_attrs:
                delattr(self.event_types, name)
        for name, value in self.event_attrs.items():
            if vars(self.event_types).get(name) is not value:
                setattr(self.event_types, name, value)
        for name in list(sys.modules):
            if name not in self.modules:
                del sys.modules[name]
                # Importing a submodule made it an attribute of its
                # package; a fresh process would not have that attribute.
                parent, _, child = name.rpartition('.')
                package = sys.modules.get(parent)
                if package is not None and parent in self.modules and \
                        child not in self.package_attrs.get(parent, ()):
                    try:
                        delattr(package, child)
                    except AttributeError:
                        pass
        sys.path[:] = self.path


def run_job(config, environ, node_name, portable, pythonpath=()):
    pin_host(environ, node_name, portable)
    # Where PYTHONPATH entries would be: ahead of site-packages.
    sys.path[0:0] = [os.path.abspath(entry) for entry in pythonpath]
    return examine(config)


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------

def parse_command_line(argv):
    parser = argparse.ArgumentParser(
        prog='supervisor_dump.py',
        description='Print what supervisord %s understands from a config '
                    'file, as JSON (supc oracle).' % SUPERVISOR_PIN)
    parser.add_argument('config', nargs='?', metavar='CONFIG')
    parser.add_argument('--batch', action='store_true',
                        help='read JSON job lines on stdin, answer one line '
                             'per job')
    parser.add_argument('--portable', action='store_true',
                        help='no directory, user, group or plugin lookups; '
                             'resolved ids are null')
    parser.add_argument('--env', action='append', default=[],
                        metavar='KEY=VALUE',
                        help='extra variable of the controlled environment '
                             '(repeatable, applied in order)')
    parser.add_argument('--host-node-name', default=DEFAULT_NODE,
                        metavar='NAME',
                        help='value of %%(host_node_name)s (default '
                             '%(default)s)')
    parser.add_argument('--pythonpath', action='append', default=[],
                        metavar='DIR',
                        help='make plugin modules in DIR importable '
                             '(repeatable)')
    parser.add_argument('--compact', action='store_true',
                        help='single-line JSON')
    args = parser.parse_args(argv)
    if args.batch:
        if args.config or args.env or args.compact or args.pythonpath or \
                args.host_node_name != DEFAULT_NODE:
            parser.error('--batch takes only --portable; jobs come on stdin')
    elif args.config is None:
        parser.error('CONFIG is required (or use --batch)')
    else:
        pairs = []
        for item in args.env:
            key, sep, value = item.partition('=')
            if not sep:
                parser.error('--env wants KEY=VALUE, got %r' % item)
            pairs.append((key, value))
        try:
            args.environ = controlled_environ(pairs)
        except BadRequest as exc:
            parser.error(str(exc))
    return args


def single(args):
    try:
        if args.portable:
            enter_portable_mode()
        warm_up()
        status, answer = run_job(args.config, args.environ,
                                 args.host_node_name, args.portable,
                                 args.pythonpath)
    except Exception:
        traceback.print_exc()
        sys.stderr.write('supervisor_dump: internal error\n')
        return BROKEN
    sys.stdout.buffer.write(encode(answer, args.compact) + b'\n')
    sys.stdout.flush()
    return status


def parse_job(line):
    try:
        job = json.loads(line)
    except ValueError as exc:
        raise BadRequest('request is not JSON: %s' % exc)
    if not isinstance(job, dict):
        raise BadRequest('request is not a JSON object')
    config = job.get('config')
    cwd = job.get('cwd', os.getcwd())
    env = job.get('env', {})
    node = job.get('host_node_name', DEFAULT_NODE)
    pythonpath = job.get('pythonpath', [])
    if not isinstance(pythonpath, list) or \
            not all(isinstance(entry, str) for entry in pythonpath):
        raise BadRequest('"pythonpath" must be a list of strings')
    if not isinstance(config, str):
        raise BadRequest('"config" must be a string')
    if not isinstance(cwd, str) or not isinstance(node, str):
        raise BadRequest('"cwd" and "host_node_name" must be strings')
    if not isinstance(env, dict):
        raise BadRequest('"env" must be an object')
    return config, cwd, controlled_environ(env.items()), node, pythonpath


def batch(portable):
    answers = sys.stdout.buffer
    # Anything supervisor might print must not corrupt the answer stream.
    sys.stdout = sys.stderr
    start_dir = os.getcwd()
    try:
        if portable:
            enter_portable_mode()
        warm_up()
    except Exception:
        traceback.print_exc()
        return BROKEN
    baseline = ProcessState()

    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            config, cwd, environ, node, pythonpath = parse_job(
                line.decode('utf-8'))
            os.chdir(cwd)
        except (BadRequest, OSError, UnicodeDecodeError) as exc:
            status, answer = USAGE, {'usage_error': str(exc)}
        else:
            try:
                status, answer = run_job(config, environ, node, portable,
                                         pythonpath)
            except Exception:
                status, answer = BROKEN, {
                    'internal_error': traceback.format_exc()}
        finally:
            baseline.restore()
            os.chdir(start_dir)
        answers.write(encode({'status': status, 'result': answer}, True) +
                      b'\n')
        answers.flush()
    return ACCEPTED


def main():
    restart_interpreter_if_needed()
    sys.dont_write_bytecode = True
    isolate_import_path()
    args = parse_command_line(sys.argv[1:])
    problem = check_supervisor()
    if problem:
        sys.stderr.write('supervisor_dump: %s\n' % problem)
        return BROKEN
    if args.batch:
        return batch(args.portable)
    return single(args)


if __name__ == '__main__':
    sys.exit(main())
