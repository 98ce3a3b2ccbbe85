# tap.py - TAP output for the browser scenarios (as tests/e2e/tap.sh writes
# it for the shell tests): meson runs the driver with protocol 'tap'.
#
#	t = Tap(3)			# "1..3"
#	with t.case("what is tested"):	# "ok 1 - ..." or "not ok 1 - ..."
#		check(x == 1, "x is %r" % x)
#	sys.exit(t.exit_status())
#
# A case fails on the first failed check (AssertionError) or on any other
# exception; its message and, for the unexpected ones, the traceback are
# printed as "# " lines under the result. A callback (on_fail) can save
# evidence, e.g. a screenshot of the page the case stopped on.
import sys
import time
import traceback


class Skip(Exception):
    """A case that cannot run because one it depends on failed."""


def check(condition, message):
    """Fail the running case with MESSAGE unless CONDITION holds."""
    if not condition:
        raise AssertionError(message)


def diag(*lines):
    for text in lines:
        for line in str(text).splitlines() or [""]:
            print("# " + line)
    sys.stdout.flush()


class Tap:
    def __init__(self, planned, on_fail=None):
        self.planned = planned
        self.number = 0
        self.failed = 0
        self.on_fail = on_fail
        print("1..%d" % planned)
        sys.stdout.flush()

    def case(self, description):
        return _Case(self, description)

    def result(self, passed, description):
        self.number += 1
        if not passed:
            self.failed += 1
        print("%s %d - %s" % ("ok" if passed else "not ok", self.number, description))
        sys.stdout.flush()

    def exit_status(self):
        missing = self.planned - self.number
        if missing:
            diag("%d planned cases did not run" % missing)
        return 1 if self.failed or missing else 0


class _Case:
    def __init__(self, tap, description):
        self.tap = tap
        self.description = description
        self.passed = False

    def __enter__(self):
        self.start = time.monotonic()
        return self

    def __exit__(self, kind, value, tb):
        seconds = time.monotonic() - self.start
        self.passed = kind is None
        self.tap.result(self.passed, self.description)
        if kind is Skip:
            diag("not run: %s" % value)
        elif kind is AssertionError:
            diag("failed: %s" % value)
        elif kind is not None:
            diag("error: %s: %s" % (kind.__name__, value))
            diag("".join(traceback.format_exception(kind, value, tb)))
        if kind is not None and self.tap.on_fail:
            try:
                self.tap.on_fail(self.description)
            except Exception as e:  # evidence is best effort
                diag("could not save the failure's page: %s" % e)
        diag("%.2f s" % seconds)
        # an exception is a failed case, not the end of the run
        return kind is None or issubclass(kind, Exception)
