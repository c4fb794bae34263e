# Which addresses a fail2ban jail would ban on a log, decided by fail2ban's own code: the filter is
# loaded the way fail2ban-regex loads it (filter.d/sshd.conf or a failregex), and every line goes
# through Filter.processLineAndAdd -> FailManager -> performBan, as in a running jail. The clock
# (MyTime) is set to each line's own time, so the jail sees the log as if it were being written now:
# its findtime cleanup and its rate estimate (FailTicket.adjustTime) run exactly as they would live.
#
#   python3 fail2ban-jail.py FILTER MAXRETRY FINDTIME < LOG
#
# prints one JSON object: {"banned": [addresses...], "failures": n, "lines": n}.
import json
import sys

from fail2ban.client.fail2banregex import Fail2banRegex, get_opt_parser
from fail2ban.server.mytime import MyTime


class Jail:
    """The part of a jail the filter talks to: it receives the tickets that reached maxretry."""

    name = 'bench'

    def __init__(self):
        self.banned = set()

    def putFailTicket(self, ticket):
        self.banned.add(str(ticket.getID()))


def main():
    filter_name, max_retry, find_time = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    opts, _ = get_opt_parser().parse_args(['--raw', '-l', 'error'])
    stdout, sys.stdout = sys.stdout, sys.stderr  # the loader reports what it loaded: not our output
    loader = Fail2banRegex(opts)
    loaded = loader.readRegex(filter_name, 'fail')
    sys.stdout = stdout
    if not loaded:
        sys.exit('cannot load filter %s' % filter_name)
    flt = loader._filter
    jail = Jail()
    flt.jail = jail
    flt.setMaxRetry(max_retry)
    flt.setFindTime(find_time)
    flt.ignoreSelf = False
    # fail2ban-regex tests every regex on every line and reports pending multi-line matches; a jail
    # stops at the first match and waits for the failure (Filter's defaults): restore the jail's.
    flt.checkAllRegex = False
    flt.ignorePending = True
    flt.checkFindTime = True
    flt.inOperation = True
    detector = flt.dateDetector
    lines = 0
    for line in sys.stdin:
        line = line.rstrip('\r\n')
        if not line:
            continue
        lines += 1
        match = detector.matchTime(line)
        if match[0]:
            found = detector.getTime(line[match[0].start(1):match[0].end(1)], match)
            if found is not None:
                MyTime.setTime(found[0])
        flt.processLineAndAdd(line)
    print(json.dumps({'banned': sorted(jail.banned), 'failures': flt.failManager.getFailTotal(), 'lines': lines}))


main()
