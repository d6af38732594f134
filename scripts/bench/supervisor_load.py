"""Loads a config with supervisor 4.3.0's own parser, the way supervisord
does at startup (ServerOptions.realize), and exits 0 (accepted) or 1.
Used by scripts/bench.py as the baseline; prints nothing on success."""
import sys

from supervisor.options import ServerOptions


class Options(ServerOptions):
    def usage(self, msg):
        sys.stderr.write("Error: %s\n" % msg)
        sys.exit(1)


Options().realize(args=["-c", sys.argv[1]], doc="", progname="supervisord")
